"""Every documented limit (hopper.diagnostics.Limits) for every reader: going over it is a clean
LimitError naming the file and the limit, raised fast; staying under it reads normally.

The CLI flags that set the limits are not wired yet (see docs/security.md); their tests are
strict xfails that start passing when the flags land.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from security_support import build_tree, cli

from hopper import api
from hopper.diagnostics import DEFAULT_LIMITS, LimitError, Limits
from hopper.formats.base import ReadOptions
from support import SAMPLES

FLY_BASE = 'app = "web"\nprimary_region = "cdg"\n[http_service]\ninternal_port = 8080\n'
NGINX_DOCKERFILE = "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n"
CC = SAMPLES / "clevercloud-webapp"


def _cc_tree(sub: str) -> dict[str, str | bytes]:
    folder = CC / sub
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _nginx_front(conf: str, **extra: str) -> dict[str, str | bytes]:
    return {"fly.toml": FLY_BASE, "Dockerfile": NGINX_DOCKERFILE, "nginx.conf": conf, **extra}


COMPOSE_WEB = "services:\n  web:\n    image: nginx:1.27\n"
SMALL_BOMB = ('a0: &a0 ["l","l","l","l"]\n' + "".join(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 4) + "]\n" for n in range(1, 7))
              + COMPOSE_WEB + "    labels: {x: y}\n")

# (id, format, files, limits, expected code, text the message must contain, file named)
CASES = [
    ("compose-file-bytes", "compose", {"compose.yaml": COMPOSE_WEB + "#" + "x" * 2000 + "\n"}, Limits(max_file_bytes=1000),
     "HOP004", "1000", "compose.yaml"),
    ("compose-total-bytes", "compose", {"compose.yaml": COMPOSE_WEB + "    env_file: [a.env, b.env]\n", "a.env": "A=" + "x" * 600 + "\n",
                                        "b.env": "B=" + "x" * 600 + "\n"}, Limits(max_total_bytes=1000), "HOP004", "1000", ".env"),
    ("compose-files", "compose", {"compose.yaml": "include: [a.yaml, b.yaml]\n" + COMPOSE_WEB, "a.yaml": "services: {a: {image: x}}\n",
                                  "b.yaml": "services: {b: {image: x}}\n"}, Limits(max_files=2), "HOP005", "2", ".yaml"),
    ("compose-depth", "compose", {"compose.yaml": "x-deep: {a: {b: {c: {d: {e: f}}}}}\n" + COMPOSE_WEB}, Limits(max_depth=5),
     "HOP006", "5", "compose.yaml"),
    ("compose-alias-nodes", "compose", {"compose.yaml": SMALL_BOMB}, Limits(max_alias_nodes=1000), "HOP103", "nodes", "compose.yaml"),
    ("compose-services", "compose", {"compose.yaml": "services:\n" + "".join(f"  s{i}:\n    image: a\n" for i in range(6))},
     Limits(max_services=5), "HOP010", "5", "compose.yaml"),
    ("fly-file-bytes", "fly", {"fly.toml": FLY_BASE + "#" + "x" * 2000 + "\n"}, Limits(max_file_bytes=1000), "HOP004", "1000", "fly.toml"),
    ("fly-depth", "fly", {"fly.toml": FLY_BASE + "x = [[[[[[1]]]]]]\n"}, Limits(max_depth=4), "HOP006", "4", "fly.toml"),
    ("fly-services", "fly", {f"a{i}/fly.toml": f'app = "a{i}"\n' for i in range(6)}, Limits(max_services=5), "HOP010", "5", ""),
    ("nginx-files", "fly", _nginx_front("server { listen 8080; include conf.d/*.conf; }\n",
                                        **{f"conf.d/{i}.conf": "" for i in range(5)}), Limits(max_files=3), "HOP005", "3", ".conf"),
    ("nginx-depth", "fly", _nginx_front("server { listen 8080; " + "location / { " * 6 + "}" * 6 + "}\n"), Limits(max_depth=4),
     "HOP006", "4", "nginx.conf"),
    ("nginx-routes", "fly", _nginx_front("server { listen 8080; " + "".join(f"location /r{i} {{ return 200; }} " for i in range(6)) + "}\n"),
     Limits(max_routes=5), "HOP010", "5", "nginx.conf"),
    ("nginx-total-bytes", "fly", _nginx_front("server { listen 8080; include conf.d/*.conf; }\n",
                                              **{f"conf.d/{i}.conf": "#" + "x" * 400 + "\n" for i in range(3)}),
     Limits(max_total_bytes=1000), "HOP004", "limit", ".conf"),
    ("dockerfile-bytes", "fly", {"fly.toml": FLY_BASE, "Dockerfile": "FROM node:20\n#" + "x" * 2000 + "\n"}, Limits(max_file_bytes=1000),
     "HOP004", "limit", "Dockerfile"),
    pytest.param("clevercloud", _cc_tree("terraform"), Limits(max_file_bytes=1000), "HOP004", "1000", ".tf", id="clevercloud-file-bytes"),
    ("clevercloud-total-bytes", "clevercloud", _cc_tree("export"), Limits(max_total_bytes=2000), "HOP004", "limit", ".json"),
    ("clevercloud-files", "clevercloud", _cc_tree("export"), Limits(max_files=3), "HOP005", "", ".json"),
]


@pytest.mark.parametrize(("fmt", "files", "limits", "code", "text", "named"),
                         [c if isinstance(c, type(pytest.param())) else pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_going_over_a_limit_is_a_clean_fast_error(fmt: str, files: dict[str, str | bytes], limits: Limits, code: str,
                                                  text: str, named: str, tmp_path: Path) -> None:
    proj = build_tree(tmp_path, files)
    started = time.process_time()  # CPU time: a loaded runner does not count
    with pytest.raises(LimitError) as info:
        api.load(proj, fmt=fmt, options=ReadOptions(limits=limits))
    assert time.process_time() - started < 2
    assert info.value.code == code, info.value
    assert text in info.value.diagnostic.message
    assert info.value.path is not None and named in info.value.path
    # The same project reads under the default limits.
    api.load(proj, fmt=fmt, options=ReadOptions(limits=DEFAULT_LIMITS))


def test_fly_total_bytes_across_files(tmp_path: Path) -> None:
    proj = build_tree(tmp_path, {"fly.toml": FLY_BASE + "#" + "x" * 600 + "\n", "Dockerfile": "FROM node:20\n#" + "x" * 600 + "\n"})
    with pytest.raises(LimitError):
        api.load(proj, fmt="fly", options=ReadOptions(limits=Limits(max_total_bytes=1000)))


def test_default_limits_are_the_documented_ones() -> None:
    """docs/security.md states these numbers; change both together."""
    assert Limits(max_file_bytes=8 * 1024 * 1024, max_total_bytes=32 * 1024 * 1024, max_files=2000,
                                    max_depth=64, max_alias_nodes=100_000, max_services=10_000, max_routes=1000) == DEFAULT_LIMITS
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    for number in ("8 MiB", "32 MiB", "2000", "64", "100000", "10000", "1000"):
        assert number in doc, number


# The limit flags of every reading command (inspect, convert, diff, validate).
FLAGS = [
    ("--max-input-bytes", "1000", {"compose.yaml": COMPOSE_WEB + "#" + "x" * 2000 + "\n"}, "HOP004"),
    ("--max-total-bytes", "1000", {"compose.yaml": COMPOSE_WEB + "    env_file: [a.env, b.env]\n", "a.env": "A=" + "x" * 600 + "\n",
                                   "b.env": "B=" + "x" * 600 + "\n"}, "HOP004"),
    ("--max-files", "1", {"compose.yaml": "include: [a.yaml]\n" + COMPOSE_WEB, "a.yaml": "services: {a: {image: x}}\n"}, "HOP005"),
    ("--max-depth", "3", {"compose.yaml": "x-deep: {a: {b: {c: d}}}\n" + COMPOSE_WEB}, "HOP006"),
    ("--max-alias-nodes", "1000", {"compose.yaml": SMALL_BOMB}, "HOP103"),
    ("--max-services", "1", {"compose.yaml": "services: {a: {image: x}, b: {image: y}}\n"}, "HOP010"),
    ("--max-routes", "1", _nginx_front("server { listen 8080; location /a { return 200; } location /b { return 200; } }\n"), "HOP010"),
]


@pytest.mark.parametrize(("flag", "value", "files", "code"), [pytest.param(*f, id=f[0]) for f in FLAGS])
def test_cli_flag_sets_the_limit(flag: str, value: str, files: dict[str, str | bytes], code: str, tmp_path: Path) -> None:
    proj = build_tree(tmp_path, files)
    assert cli("inspect", proj).code == 0
    result = cli("inspect", flag, value, proj)
    assert result.code == 1, result.stderr
    assert f"[{code}]" in result.stderr.splitlines()[0]


def test_limits_are_frozen_and_replaceable() -> None:
    smaller = replace(DEFAULT_LIMITS, max_file_bytes=10)
    assert smaller.max_file_bytes == 10 and DEFAULT_LIMITS.max_file_bytes == 8 * 1024 * 1024


@pytest.mark.parametrize("command", ["convert", "diff", "validate"])
def test_every_reading_command_takes_the_limit_flags(command: str, tmp_path: Path) -> None:
    from support import GOLDEN

    fly_setup = GOLDEN / "fly" / "compose-webapp"
    args = {
        "convert": ["convert", "--max-input-bytes", "100", fly_setup, "--to", "compose", "--dry-run"],
        "diff": ["diff", "--max-input-bytes", "100", fly_setup, fly_setup],
        "validate": ["validate", "--max-input-bytes", "100", fly_setup],
    }[command]
    result = cli(*args)
    assert result.code == 1, result.stderr
    assert "[HOP004]" in result.stderr
