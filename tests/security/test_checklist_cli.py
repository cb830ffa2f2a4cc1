"""Checklist rows about the command line and the library rather than one reader: a rotated
secret in a diff (35), usage errors (37), JSON output with warnings (38), determinism across
hash seeds, folders, locales, time zones and terminals (39), input order (40), and library
errors (42). Rows 36 (saved plans) and 41 (a pre-commit hook) describe features hopper does not
have; docs/security.md says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from security_support import build_tree

from hopper import api
from hopper.diagnostics import HopperError, InputError
from support import CANARY, SAMPLES, run_cli

COMPOSE = """services:
  api:
    image: node:20
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
      NODE_ENV: production
    ports: ["3000:3000"]
  worker:
    image: node:20
    command: ["node", "worker.js"]
"""


def _tree(tmp_path: Path, name: str, files: dict[str, str | bytes]) -> Path:
    base = tmp_path / name
    base.mkdir()
    return build_tree(base, files)


def _project(tmp_path: Path, password: str, name: str) -> Path:
    return _tree(tmp_path, name, {"compose.yaml": COMPOSE, ".env": f"DB_PASSWORD={password}\n"})


def test_row35_rotated_secret_shows_a_change_without_values(tmp_path: Path) -> None:
    before = _project(tmp_path, CANARY, "before")
    after = _project(tmp_path, CANARY + "-rotated", "after")
    result = run_cli("diff", "--detailed-exitcode", before, after)
    assert result.code == 2, result.stderr
    assert "DB_PASSWORD" in result.stdout
    assert "(sensitive value changed)" in result.stdout
    for fmt in ("text", "markdown", "json", "github"):
        out = run_cli("diff", "--format", fmt, before, after)
        assert CANARY not in out.stdout + out.stderr


def test_row35_same_secret_is_no_change(tmp_path: Path) -> None:
    before = _project(tmp_path, CANARY, "before")
    after = _project(tmp_path, CANARY, "after")
    assert run_cli("diff", "--detailed-exitcode", before, after).code == 0


@pytest.mark.parametrize("args", [["inspect", "--nope"], ["inspect"], ["diff", "x"],
                                  ["convert", ".", "--to", "nowhere"], ["validate", "--max-depth", "0", "."]])
def test_row37_usage_errors_exit_64(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.code == 64, result.stderr
    assert "Traceback" not in result.stderr


def test_row38_json_output_is_one_document_with_warnings_on_stderr(tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {"compose.yaml": COMPOSE + "  odd:\n    image: busybox\n    cap_add: [NET_ADMIN]\n"})
    result = run_cli("inspect", "--format", "json", proj)
    assert result.code == 0
    data = json.loads(result.stdout)
    assert data["hopper_model_version"] == 1
    assert "warning:" in result.stderr
    assert "\x1b" not in result.stdout
    plan = run_cli("diff", "--format", "json", proj, proj)
    parsed = json.loads(plan.stdout)
    assert parsed["format_version"]


def _convert_in_subprocess(source: Path, out: Path, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "hopper", "convert", str(source), "--to", "fly",
                    "--out", str(out)], check=True, cwd=cwd, env=env, capture_output=True)


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_row39_output_is_byte_identical_across_environments(tmp_path: Path) -> None:
    sample = shutil.copytree(SAMPLES / "compose-webapp", tmp_path / "src")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ", "COLUMNS", "NO_COLOR", "PYTHONHASHSEED"))}
    variants = [
        {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "COLUMNS": "40"},
        {"PYTHONHASHSEED": "2", "TZ": "Asia/Tokyo", "LC_ALL": "C.UTF-8", "COLUMNS": "200", "NO_COLOR": "1"},
        {"PYTHONHASHSEED": "random", "TZ": "America/Sao_Paulo", "LANG": "fr_FR.UTF-8"},
    ]
    trees = []
    for i, extra in enumerate(variants):
        cwd = tmp_path / f"cwd{i}"
        cwd.mkdir()
        out = tmp_path / f"out{i}"
        _convert_in_subprocess(sample, out, cwd, {**base_env, **extra})
        trees.append(_tree_bytes(out))
    assert trees[0] == trees[1] == trees[2]


def test_row40_service_order_in_the_input_does_not_change_the_output(tmp_path: Path) -> None:
    swapped = COMPOSE.replace("services:\n", "services:\n  worker:\n    image: node:20\n    command: [\"node\", \"worker.js\"]\n", 1)
    swapped = swapped[: swapped.rindex("  worker:\n")]
    a = _tree(tmp_path, "a", {"compose.yaml": COMPOSE})
    b = _tree(tmp_path, "b", {"compose.yaml": swapped})
    assert dict(api.convert(a, "fly").files) == dict(api.convert(b, "fly").files)
    assert api.load(a).model == api.load(b).model


def test_row42_library_raises_hopper_errors_with_locations(tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {"compose.yaml": "services:\n  api:\n    image: x\n  api:\n    image: y\n"})
    with pytest.raises(InputError) as info:
        api.load(proj)
    err = info.value
    assert isinstance(err, HopperError)
    assert err.path == "compose.yaml" and err.line == 4 and err.code.startswith("HOP")
