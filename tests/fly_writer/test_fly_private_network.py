"""Issue 14, class 1: how the front reaches the API on Fly's private network.

`.internal` resolves to a Machine's 6PN IPv6 address only and never wakes a stopped Machine, so
the writer proxies to `<api>.flycast` for every source, makes the API it builds listen on both
stacks, and says where the code binds 0.0.0.0 itself; `hopper validate` refuses an `.internal`
upstream to an app that listens on IPv4 only (or on loopback).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hopper import api
from hopper.envscan.binds import binds_in_text, code_family
from hopper.formats.fly.validate import validate_path
from support import SAMPLES, copy_tree


@pytest.mark.parametrize(("line", "host", "from_env"), [
    ('server.listen(PORT, "0.0.0.0", () => {});', "0.0.0.0", None),
    ("app.listen(3000, 'localhost')", "localhost", None),
    ("app.listen(Number(process.env.PORT), '::')", "::", None),
    ('const HOST = process.env.HOST || "0.0.0.0";', "0.0.0.0", "HOST"),
    ("const host = process.env.HOST ?? '127.0.0.1'", "127.0.0.1", "HOST"),
    ("await fastify.listen({ port: 3000, host: '0.0.0.0' })", "0.0.0.0", None),
    ('app.run(host="0.0.0.0", port=8000)', "0.0.0.0", None),
    ('HOST = os.environ.get("HOST", "0.0.0.0")', "0.0.0.0", "HOST"),
])
def test_binds_in_code(line: str, host: str, from_env: str | None) -> None:
    rel = "app.py" if "os.environ" in line or "app.run(" in line else "server.js"
    (bind,) = binds_in_text(line, rel)
    assert (bind.host, bind.from_env, bind.line) == (host, from_env, 1)


@pytest.mark.parametrize("line", [
    "server.listen(PORT)",  # Node's default listens on both stacks
    "const pool = new Pool({ host: 'localhost', port: 5432 })",  # a database client, not a server
    "// server.listen(PORT, '0.0.0.0')",
])
def test_lines_that_choose_no_listen_address(line: str) -> None:
    assert binds_in_text(line, "server.js") == []


def test_an_env_default_is_overridden_by_the_variable() -> None:
    binds = tuple(binds_in_text('const HOST = process.env.HOST || "0.0.0.0";', "s.js"))
    assert code_family(binds)[0] == "ipv4"  # type: ignore[index]
    assert code_family(binds, {"HOST": "::"})[0] == "dual"  # type: ignore[index]


def _convert(sample: str) -> tuple[dict[str, str], list[object]]:
    result = api.convert(SAMPLES / sample, to="fly")
    return dict(result.files), list(result.diagnostics)


@pytest.mark.parametrize("sample", ["clevercloud-webapp", "compose-webapp", "monorepo-webapp"])
def test_every_sample_proxies_over_flycast(sample: str) -> None:
    files, _ = _convert(sample)
    confs = [text for rel, text in files.items() if rel.endswith("nginx.fly.conf")]
    assert confs
    for conf in confs:
        assert ".internal" not in conf
        assert re.search(r"proxy_pass http://[a-z0-9-]+\.flycast;", conf)


def test_clever_api_that_binds_ipv4_is_named_with_file_and_line() -> None:
    files, diags = _convert("clevercloud-webapp")
    (note,) = [d for d in diags if d.code == "HOP550"]  # type: ignore[attr-defined]
    assert (note.location.file, note.location.line) == ("api/server.js", 56)  # type: ignore[attr-defined]
    assert "http://webapp-api.flycast" in note.message  # type: ignore[attr-defined]
    # The Dockerfile hopper writes makes the API listen on both stacks.
    assert "HOST=::" in files["api/Dockerfile.fly"]
    # The API is private: Flycast address allocated, deployed with --flycast, no https redirect.
    assert "ips allocate-v6 --private" in files["fly-setup.sh"]
    assert "--flycast" in files[".github/workflows/fly-deploy-api.yml"]
    assert "force_https = false" in files["api/fly.toml"]


def test_loopback_bind_is_a_warning(tmp_path: Path) -> None:
    root = copy_tree(SAMPLES / "clevercloud-webapp", tmp_path / "src")
    server = root / "api/server.js"
    server.write_text(server.read_text().replace('server.listen(PORT, "0.0.0.0"', 'server.listen(PORT, "127.0.0.1"'))
    diags = api.convert(root, to="fly").diagnostics
    (warning,) = [d for d in diags if d.code == "HOP551"]
    assert warning.location is not None and warning.location.file == "api/server.js"


def _set_with_internal_upstream(tmp_path: Path, bind: str) -> Path:
    """The Clever sample's Fly set copied into a repository checkout (the API's code included),
    with the front's upstream turned into the `.internal` form hopper used to write."""
    files, _ = _convert("clevercloud-webapp")
    out = tmp_path / "repo"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    server = (SAMPLES / "clevercloud-webapp/api/server.js").read_text()
    (out / "api/server.js").write_text(server.replace('server.listen(PORT, "0.0.0.0"', f'server.listen(PORT, "{bind}"'))
    shutil.copy(SAMPLES / "clevercloud-webapp/api/package.json", out / "api/package.json")
    conf = out / "front/nginx.fly.conf"
    conf.write_text(conf.read_text().replace(
        "proxy_pass http://webapp-api.flycast;",
        "resolver [fdaa::3] valid=10s;\n            set $api http://webapp-api.internal:8080;\n"
        "            proxy_pass $api;"))
    return out


def test_validate_refuses_internal_upstream_to_an_ipv4_api(tmp_path: Path) -> None:
    out = _set_with_internal_upstream(tmp_path, "0.0.0.0")
    found = [d for d in validate_path(out) if d.code == "HOP380"]
    assert len(found) == 1
    assert found[0].location is not None and found[0].location.file == "front/nginx.fly.conf"
    assert "api/server.js:56 binds 0.0.0.0" in found[0].message
    assert "webapp-api.flycast" in (found[0].hint or "")
    # The API never stops (Clever has no autostop), so this is not the autostop rule.
    assert not [d for d in validate_path(out) if d.code == "HOP347"]


def test_validate_accepts_internal_upstream_to_a_dual_stack_api_that_never_stops(tmp_path: Path) -> None:
    out = _set_with_internal_upstream(tmp_path, "::")
    assert not [d for d in validate_path(out) if d.code in ("HOP380", "HOP347")]


def test_validate_refuses_internal_upstream_to_an_nginx_app_listening_on_ipv4(tmp_path: Path) -> None:
    out = _set_with_internal_upstream(tmp_path, "::")
    # The front proxies to itself-like nginx app: point the upstream at the front's own name.
    conf = out / "front/nginx.fly.conf"
    conf.write_text(conf.read_text().replace("webapp-api.internal:8080", "webapp-front.internal:8080"))
    (diag,) = [d for d in validate_path(out) if d.code == "HOP380"]
    assert "IPv4 only" in diag.message and "nginx" in diag.message
