"""The bad-input checklist for Fly input: fly.toml, the Dockerfile it builds, the nginx
configuration that Dockerfile copies in, and the deploy workflows (see test_checklist_compose
for what every case asserts)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from security_support import Case, build_tree, cli, run_case

from hopper.diagnostics import DEFAULT_LIMITS

BASE = 'app = "web"\nprimary_region = "cdg"\n[http_service]\ninternal_port = 8080\n'
NGINX_DOCKERFILE = "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n"


def fly(text: str = BASE, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"fly.toml": text, **extra}


def front(nginx_conf: str | bytes, **extra: str | bytes) -> dict[str, str | bytes]:
    return fly(BASE, Dockerfile=NGINX_DOCKERFILE, **{"nginx.conf": nginx_conf}, **extra)


SERVER = "server {\n  listen 8080;\n  location / { root /usr/share/nginx/html; }\n"

CASES = [
    # fly.toml
    Case("toml-deep-array", fly('app = "web"\nx = ' + "[" * 2000 + "]" * 2000 + "\n"), "HOP006", "nesting deeper than", r"fly\.toml:2:\d+", row="5"),
    Case("toml-deep-inline-table", fly('app = "web"\nx = ' + "{a=" * 2000 + "1" + "}" * 2000 + "\n"), "HOP006", "nesting deeper than", r"fly\.toml:2:\d+", row="5"),
    Case("toml-over-size-cap", fly(BASE + "#" + "x" * DEFAULT_LIMITS.max_file_bytes + "\n"), "HOP004", r"over the limit of \d+", r"fly\.toml", row="6"),
    Case("toml-invalid-utf8", fly(b'app = "\xff"\n'), "HOP003", "not valid UTF-8", r"fly\.toml:1", row="8"),
    Case("toml-nul", fly(b'app = "a\x00"\n'), "HOP003", "NUL", r"fly\.toml:1", row="8"),
    Case("toml-empty", fly(""), "HOP306", "missing 'app'", r"fly\.toml", row="10"),
    Case("toml-comments-only", fly("# nothing\n"), "HOP306", "missing 'app'", r"fly\.toml", row="10"),
    Case("toml-bad-table", fly('app = "web"\n[http_service\n'), "HOP300", "invalid TOML", r"fly\.toml:2:\d+", row="11"),
    Case("toml-duplicate-table", fly('app = "web"\n[env]\nA = "1"\n[env]\nB = "2"\n'), "HOP300", "twice", r"fly\.toml:4:\d+", row="4"),
    Case("toml-duplicate-key", fly('app = "web"\napp = "other"\n'), "HOP300", "overwrite", r"fly\.toml:2:\d+", row="4"),
    Case("app-uppercase", fly('app = "Web_App"\n'), "HOP009", "invalid Fly app name 'Web_App'", r"fly\.toml:1:1", row="14"),
    Case("app-option", fly('app = "-rf"\n'), "HOP009", "invalid Fly app name", r"fly\.toml:1:1", row="14"),
    Case("app-dotdot", fly('app = ".."\n'), "HOP009", "invalid Fly app name", r"fly\.toml:1:1", row="14"),
    Case("env-key-newline", fly('app = "web"\n[env]\n"A\\nB" = "x"\n'), "HOP009", "invalid environment variable name", r"fly\.toml:3:1", row="14"),
    Case("env-key-equals", fly('app = "web"\n[env]\n"A=B" = "x"\n'), "HOP009", "invalid environment variable name", r"fly\.toml:3:1", row="14"),
    # the Dockerfile
    Case("dockerfile-traversal", fly(BASE + '[build]\ndockerfile = "../outside.txt"\n'), "HOP002",
         r"\[build\] dockerfile '\.\./outside\.txt' resolves outside", r"fly\.toml:6:1", row="15"),
    # flyctl joins [build] dockerfile to the config's folder (Go's filepath.Join): a leading '/'
    # stays inside it, so '/etc/passwd' is <project>/etc/passwd (missing here: read without it).
    Case("dockerfile-absolute", fly(BASE + '[build]\ndockerfile = "/etc/passwd"\n'), None, row="15"),
    Case("dockerfile-absolute-climbing", fly(BASE + '[build]\ndockerfile = "/../outside.txt"\n'), "HOP002", "outside the project root", r"fly\.toml:6:1", row="15"),
    Case("dockerfile-named-symlink-out", fly(BASE + '[build]\ndockerfile = "Dockerfile"\n'), "HOP002", r"'Dockerfile' resolves outside",
         r"fly\.toml:6:1", symlinks=[("Dockerfile", "../outside.txt")], row="16"),
    Case("dockerfile-default-symlink-out", fly(), "HOP002", "Dockerfile is a link that resolves outside", r"fly\.toml",
         symlinks=[("Dockerfile", "../outside.txt")], row="16"),
    Case("dockerfile-nul", fly(BASE, Dockerfile=b"FROM node:20\x00\n"), "HOP003", "NUL", r"Dockerfile:1", row="8"),
    Case("dockerfile-invalid-utf8", fly(BASE, Dockerfile=b"FROM node:20\nENV A=\xff\n"), "HOP003", "UTF-8", r"Dockerfile:2", row="8"),
    Case("dockerfile-over-size-cap", fly(BASE, Dockerfile="FROM node:20\n#" + "x" * DEFAULT_LIMITS.max_file_bytes + "\n"), "HOP004", "size limit", r"Dockerfile", row="6"),
    # nginx
    Case("nginx-include-parent-glob", front(SERVER + "  include ../*.txt;\n}\n"), "HOP002", r"include '\.\./\*\.txt' resolves outside", r"nginx\.conf:4", row="17"),
    Case("nginx-include-absolute-host", front(SERVER + "  include /home/*.conf;\n}\n"), "HOP002", "absolute path outside the project root", r"nginx\.conf:4", row="17"),
    Case("nginx-include-symlink-out", front(SERVER + "  include conf.d/*.conf;\n}\n"), "HOP002", r"include 'conf\.d/\*\.conf' resolves outside",
         r"nginx\.conf:4", symlinks=[("conf.d/evil.conf", "../../outside/evil.conf")], row="16"),
    Case("nginx-top-symlink-out", fly(BASE, Dockerfile=NGINX_DOCKERFILE), "HOP002", r"COPY source 'nginx\.conf' resolves outside", r"Dockerfile:2",
         symlinks=[("nginx.conf", "../outside/evil.conf")], row="16"),
    Case("nginx-include-cycle", front(SERVER + "  include a.conf;\n}\n", **{"a.conf": "include b.conf;\n", "b.conf": "include a.conf;\n"}),
         "HOP202", r"include 'a\.conf' includes itself through nginx\.conf -> a\.conf -> b\.conf", r"b\.conf:1", row="7"),
    Case("nginx-self-include", front(SERVER + "  include nginx.conf;\n}\n"), "HOP202", "includes itself", r"nginx\.conf:4", row="7"),
    Case("nginx-missing-semicolon", front("server {\n  listen 8080\n  location / { root /x; }\n}\n"), "HOP201",
         r"directive \"listen\" is not terminated by \";\"", r"nginx\.conf:2", row="11"),
    Case("nginx-deep-blocks", front("server { listen 8080; " + "location / { " * 3000 + "}" * 3000 + "}\n"), "HOP006",
         "nested too deep", r"nginx\.conf(:\d+)?", row="5"),
    Case("nginx-deep-blocks-under-recursion", front("server { listen 8080; " + "location / { " * 200 + "}" * 200 + "}\n"), "HOP006",
         r"nested deeper than \d+", r"nginx\.conf:1", row="5"),
    Case("nginx-invalid-utf8", front(b"server { listen 8080; # \xff\n}\n"), "HOP003", "UTF-8", r"nginx\.conf:1", row="8"),
    Case("nginx-nul", front(b"server { listen 8080; }\x00\n"), "HOP003", "NUL", r"nginx\.conf:1", row="8"),
    Case("nginx-too-many-files", front(SERVER + "  include conf.d/*.conf;\n}\n", **{f"conf.d/{i:04}.conf": "" for i in range(2001)}),
         "HOP005", r"more than 2000 nginx files", r"conf\.d/\d+\.conf", row="7"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_fly_input(case: Case, tmp_path: Path) -> None:
    started = time.process_time()  # CPU time: a loaded runner does not count
    run_case(case, tmp_path, "fly", "compose")
    assert time.process_time() - started < 10


def test_stock_nginx_includes_are_not_read_from_the_host(tmp_path: Path) -> None:
    """Row 17: ``include /etc/nginx/...`` names a file of the nginx image; hopper never opens the
    machine's own /etc/nginx (nginx is installed on CI runners) and says so in an info note."""
    proj = build_tree(tmp_path, front(SERVER + "  include /etc/nginx/mime.types;\n  include /etc/nginx/conf.d/*.conf;\n}\n"))
    result = cli("--verbose", "inspect", proj)
    assert result.code == 0, result.stderr
    assert "not followed" in result.stderr
    assert "application/javascript" not in result.stdout + result.stderr  # mime.types content


def test_bom_and_crlf_in_fly_toml_and_dockerfile_are_accepted(tmp_path: Path) -> None:
    """Row 9."""
    proj = build_tree(tmp_path, {"fly.toml": b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode(),
                                 "Dockerfile": b"\xef\xbb\xbfFROM node:20\r\nCMD [\"node\", \"server.js\"]\r\n"})
    out = tmp_path / "out"
    result = cli("convert", proj, "--to", "compose", "--out", out)
    assert result.code == 0, result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert b"\r" not in path.read_bytes() and not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_workflow_on_key_is_found(tmp_path: Path) -> None:
    """Row 12: ``on: push`` is the trigger, not the boolean True: its branches are read."""
    from hopper.diagnostics import DEFAULT_LIMITS
    from hopper.formats.fly.read_workflows import find_deploy_steps

    proj = build_tree(tmp_path, fly(**{".github/workflows/deploy.yml":
        "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: flyctl deploy --remote-only\n"}))
    steps, diags = find_deploy_steps(proj, DEFAULT_LIMITS)
    assert not diags
    assert [s.branches for s in steps] == [("main",)]


@pytest.mark.parametrize("body", [
    pytest.param('a0: &a0 ["l","l","l","l","l","l","l","l","l"]\n' + "".join(
        f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 9)) + "on: push\njobs: {d: {steps: *a8}}\n# flyctl deploy\n",
        id="alias-bomb"),
    pytest.param("on: [push\n# flyctl deploy\n", id="syntax"),
    pytest.param("x: " + "[" * 2000 + "]" * 2000 + "\n# flyctl deploy\n", id="deep"),
    pytest.param(b"on: push\n# flyctl deploy \xff\n", id="invalid-utf8"),
])
def test_broken_workflow_is_skipped_with_a_warning(body: str | bytes, tmp_path: Path) -> None:
    """Workflows are discovered, not referenced: one hopper cannot read is skipped with a
    warning naming it (an error under --strict), quickly, and the rest is read."""
    proj = build_tree(tmp_path, fly(**{".github/workflows/deploy.yml": body}))
    started = time.process_time()  # CPU time: a loaded runner does not count
    result = cli("inspect", proj)
    assert time.process_time() - started < 2
    assert result.code == 0, result.stderr
    assert ".github/workflows/deploy.yml" in result.stderr and "[HOP370]" in result.stderr
    assert cli("inspect", "--strict", proj).code == 1
