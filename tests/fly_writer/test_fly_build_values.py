"""Issue 14, class 4 (public build-time values are build arguments), class 11 (the setup script
stops before deploying while values are missing) and issue 20 (print-only mode runs to the end
under `set -u` and lists what is missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hopper import api
from hopper.formats.base import ReadOptions
from hopper.formats.fly.validate import validate_path
from support import SAMPLES, copy_tree

STANDIN = Path(__file__).with_name("flyctl_standin.py")
BASH = shutil.which("bash")


def _convert(path: Path) -> api.ConvertResult:
    # As `hopper convert` does by default: the code scan finds what the front reads at build time.
    return api.convert(path, to="fly", read_options=ReadOptions(scan_code=True))


def _write(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def test_monorepo_sentry_dsn_is_a_build_argument_not_a_secret(tmp_path: Path) -> None:
    result = _convert(SAMPLES / "monorepo-webapp")
    files = dict(result.files)
    workflow = files[".github/workflows/fly-deploy-front.yml"]
    assert "--build-secret" not in workflow
    assert '--build-arg \\"VITE_SENTRY_DSN=$VITE_SENTRY_DSN\\"' in workflow
    assert "VITE_SENTRY_DSN: ${{ vars.VITE_SENTRY_DSN }}" in workflow
    dockerfile = files["front/Dockerfile.fly"]
    assert "ARG VITE_SENTRY_DSN" in dockerfile and "type=secret" not in dockerfile
    out = _write(files, tmp_path / "out")
    assert not [d for d in validate_path(out) if d.code in ("HOP383", "HOP384", "HOP345")]


def _compose_front(tmp_path: Path) -> Path:
    root = copy_tree(SAMPLES / "compose-webapp", tmp_path / "src")
    compose = root / "compose.yaml"
    compose.write_text(compose.read_text().replace(
        "  front:\n    build:\n      context: ./front\n",
        "  front:\n    build:\n      context: ./front\n      args:\n        NEXT_PUBLIC_SITE: https://shop.example\n"
        "      secrets: [NPM_TOKEN, VITE_SENTRY_DSN]\n"
        "    environment:\n      VITE_API_URL: /api\n      REACT_APP_FLAG: 'on'\n", 1)
        + "\nsecrets:\n  NPM_TOKEN:\n    environment: NPM_TOKEN\n  VITE_SENTRY_DSN:\n    environment: VITE_SENTRY_DSN\n")
    return root


def test_public_values_of_a_static_front_are_build_args(tmp_path: Path) -> None:
    root = _compose_front(tmp_path)
    result = _convert(root)
    files = dict(result.files)
    fly = tomllib.loads(files["front/fly.toml"])
    assert fly["build"]["args"] == {"NEXT_PUBLIC_SITE": "https://shop.example", "REACT_APP_FLAG": "on",
                                    "VITE_API_URL": "/api"}
    assert not any(k.startswith(("VITE_", "REACT_APP_", "NEXT_PUBLIC_")) for k in fly.get("env", {}))
    dockerfile = files["front/Dockerfile.fly"]
    for name in ("NEXT_PUBLIC_SITE", "REACT_APP_FLAG", "VITE_API_URL", "VITE_SENTRY_DSN"):
        assert f"ARG {name}\n" in dockerfile
    # Only the build-only token stays a build secret; the DSN (public) comes from a CI variable.
    assert "id=NPM_TOKEN" in dockerfile and "id=VITE_SENTRY_DSN" not in dockerfile
    workflow = files[".github/workflows/fly-deploy-front.yml"]
    assert "--build-secret \\\"NPM_TOKEN=$NPM_TOKEN\\\"" in workflow
    assert "VITE_SENTRY_DSN: ${{ vars.VITE_SENTRY_DSN }}" in workflow
    assert "stage_secrets webapp-front" not in files["fly-setup.sh"]
    assert "HOP552" in [d.code for d in result.diagnostics]
    out = _write(files, tmp_path / "out")
    assert not [d for d in validate_path(out) if d.code in ("HOP383", "HOP384")]


def test_validate_reports_public_values_in_env_and_as_build_secrets(tmp_path: Path) -> None:
    out = _write(dict(_convert(SAMPLES / "monorepo-webapp").files), tmp_path / "out")
    front = out / "front/fly.toml"
    front.write_text(front.read_text() + "\n[env]\nVITE_API_BASE = '/api'\n")
    api_toml = out / "api/fly.toml"
    api_toml.write_text(api_toml.read_text().replace("[env]\n", "[env]\nNEXT_PUBLIC_X = '1'\n", 1))
    workflow = out / ".github/workflows/fly-deploy-front.yml"
    workflow.write_text(workflow.read_text().replace('--build-arg \\"VITE_SENTRY_DSN', '--build-secret \\"VITE_SENTRY_DSN'))
    found = validate_path(out)
    (env_error,) = [d for d in found if d.code == "HOP383"]
    assert env_error.location is not None and env_error.location.file == "front/fly.toml"
    warnings = sorted(d.location.file for d in found if d.code == "HOP384" and d.location)
    assert warnings == [".github/workflows/fly-deploy-front.yml", "api/fly.toml"]


def _bin(tmp: Path) -> Path:
    folder = tmp / "bin"
    folder.mkdir(exist_ok=True)
    wrapper = folder / "flyctl"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDIN}" "$@"\n')
    wrapper.chmod(0o755)
    return folder


def _setup(out: Path, tmp: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], str]:
    assert BASH is not None
    log = tmp / "flyctl.log"
    log.write_text("")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VITE_", "SESSION_"))}
    proc = subprocess.run([BASH, "fly-setup.sh"], cwd=out, capture_output=True, text=True, timeout=120,
                          env={**base, "PATH": f"{_bin(tmp)}{os.pathsep}{os.environ['PATH']}",
                               "FLYCTL_STANDIN_LOG": str(log), "HOPPER_MPG_CLUSTER_ID": "c0ffee", **env},
                          check=False)
    return proc, log.read_text()


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_setup_script_print_only_runs_to_the_end_and_lists_what_is_missing(tmp_path: Path) -> None:
    repo = copy_tree(SAMPLES / "monorepo-webapp", tmp_path / "repo")
    out = _write(dict(_convert(SAMPLES / "monorepo-webapp").files), repo)
    proc, _ = _setup(out, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("VITE_API_BASE", "VITE_SENTRY_DSN"):
        assert f"missing build variable {name}" in proc.stderr
    assert "missing secret SESSION_SECRET" in proc.stderr
    assert "3 value(s) missing" in proc.stderr and "stops here" in proc.stderr
    assert proc.stderr.rstrip().endswith("done; next: MIGRATION.md, step 2 (copy the data)")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_setup_script_apply_stops_before_deploying_until_values_are_set(tmp_path: Path) -> None:
    repo = copy_tree(SAMPLES / "monorepo-webapp", tmp_path / "repo")
    out = _write(dict(_convert(SAMPLES / "monorepo-webapp").files), repo)
    proc, log = _setup(out, tmp_path, HOPPER_APPLY="1", VITE_API_BASE="/api")
    assert proc.returncode == 1
    assert "nothing is deployed until they are set" in proc.stderr
    assert "argv=apps create" in log and "argv=deploy" not in log
    proc, log = _setup(out, tmp_path, HOPPER_APPLY="1", VITE_API_BASE="/api", VITE_SENTRY_DSN="https://k@o0.ingest.example/1",
                       SESSION_SECRET="s")
    assert proc.returncode == 0, proc.stderr
    assert log.count("argv=deploy") == 2
    assert "VITE_SENTRY_DSN=https://k@o0.ingest.example/1" in log


def test_the_plan_says_the_value_moved_to_the_build(tmp_path: Path) -> None:
    from support import run_cli

    root = _compose_front(tmp_path)
    plan = run_cli("convert", root, "--to", "fly", "--dry-run").stdout
    assert "VITE_API_URL=/api (runtime env) -> VITE_API_URL=/api (build argument)" in plan
    assert "[HD317 info]" in plan
    assert "VITE_API_URL=/api -> (none)" not in plan  # not reported as dropped (HD308)
