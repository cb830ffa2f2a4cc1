"""Issue 20, docs and silent losses: a bind mount outside the root is one case with one code
(HOP179, not HOP130 as well); a front whose nginx config hopper cannot see is reported, with
what was not carried, in the diagnostics and in the plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from security_support import build_tree, cli


@pytest.mark.parametrize("source", ["../outside", "/etc", "./link-out"])
def test_bind_mount_outside_the_root_gets_one_code(source: str, tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {
        "compose.yaml": f"services:\n  api:\n    image: node:20\n    volumes:\n      - {source}:/data\n"},
        symlinks=[("link-out", "../outside")])
    result = cli("inspect", proj)
    assert result.code == 0, result.stderr
    codes = [line.rsplit("[", 1)[-1].rstrip("]") for line in result.stderr.splitlines() if "warning:" in line]
    assert codes.count("HOP179") == 1, result.stderr
    assert "HOP130" not in codes, result.stderr


def test_build_context_outside_the_root_keeps_hop130(tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {"compose.yaml": "services:\n  api:\n    build: ../outside\n"})
    result = cli("inspect", proj)
    assert "[HOP130]" in result.stderr and "[HOP179]" not in result.stderr


FRONT = ("services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n    volumes:\n"
         "      - {source}:/etc/nginx/conf.d/default.conf:ro\n"
         "  api:\n    image: node:20\n    ports: ['3000:3000']\n")


@pytest.mark.parametrize(("source", "why"), [("../outside/evil.conf", "outside the project root"),
                                              ("./nginx/missing.conf", "does not exist")])
def test_front_whose_nginx_config_is_not_read_says_routing_is_lost(source: str, why: str, tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {"compose.yaml": FRONT.format(source=source)})
    result = cli("inspect", proj)
    assert result.code == 0, result.stderr
    line = next(x for x in result.stderr.splitlines() if "[HOP188]" in x)
    assert source.rsplit("/", 1)[-1] in line and why in line and "routing" in line and "default configuration" in line
    assert "compose.yaml:" in line  # at the mount that names it
    assert "OUTSIDE-THE-ROOT" not in result.stdout + result.stderr
    # --strict makes the loss fatal; converting says it too.
    assert cli("convert", proj, "--to", "fly", "--dry-run", "--strict").code == 1
    converted = cli("convert", proj, "--to", "fly", "--dry-run")
    assert "[HOP188]" in converted.stderr
