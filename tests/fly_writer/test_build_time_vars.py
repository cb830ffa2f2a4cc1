"""Variables the front's code reads at build time reach the build under the same names on both
sides: Dockerfile ARG / secret mounts, and the workflow's --build-arg / --build-secret with the
GitHub variables and secrets that feed them."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from hopper import api
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.shared.dockerfile import parse_dockerfile
from support import SAMPLES


def _convert(scan: bool) -> dict[str, str]:
    result = api.convert(SAMPLES / "monorepo-webapp", "fly", read_options=ReadOptions(scan_code=scan),
                         write_options=WriteOptions())
    return dict(result.files)


def test_names_agree_between_dockerfile_and_workflow() -> None:
    files = _convert(scan=True)
    dockerfile = parse_dockerfile(files["front/Dockerfile.fly"], file="front/Dockerfile.fly")
    build_stage = next(s for s in dockerfile.stages if s.alias == "build")
    # VITE_SENTRY_DSN is public (inlined into the bundle): a build argument, not a secret.
    assert set(build_stage.args) == {"VITE_API_BASE", "VITE_SENTRY_DSN"}
    assert set(build_stage.secret_ids) == set()

    workflow = yaml.safe_load(files[".github/workflows/fly-deploy-front.yml"])
    step = next(s for s in workflow["jobs"]["deploy"]["steps"] if s.get("name") == "Deploy")
    argv = shlex.split(step["run"])
    build_args = {argv[i + 1].split("=", 1)[0] for i, a in enumerate(argv) if a == "--build-arg"}
    build_secrets = {argv[i + 1].split("=", 1)[0] for i, a in enumerate(argv) if a == "--build-secret"}
    assert build_args == {"VITE_API_BASE", "VITE_SENTRY_DSN"}
    assert build_secrets == set()
    env = step["env"]
    assert env["VITE_API_BASE"] == "${{ vars.VITE_API_BASE }}"
    assert env["VITE_SENTRY_DSN"] == "${{ vars.VITE_SENTRY_DSN }}"
    # Each value on the command line comes from the step's env, never inline.
    for token in argv:
        if "=" in token and token.split("=", 1)[0] in build_args | build_secrets:
            assert re.fullmatch(r"[A-Z_]+=\$[A-Z_]+", token)


def test_without_the_scan_the_build_gets_no_extra_inputs() -> None:
    files = _convert(scan=False)
    assert "VITE_" not in files["front/Dockerfile.fly"]
    assert "VITE_" not in files[".github/workflows/fly-deploy-front.yml"]


@pytest.mark.parametrize("flag", [[], ["--no-scan-code"]])
def test_cli_scans_by_default(tmp_path, flag: list[str]) -> None:  # type: ignore[no-untyped-def]
    from support import run_cli

    out = tmp_path / "out"
    result = run_cli("convert", SAMPLES / "monorepo-webapp", "--to", "fly", "--out", out, *flag)
    assert result.code == 0, result.stderr
    text = (out / "front" / "Dockerfile.fly").read_text()
    assert ("ARG VITE_API_BASE" in text) is (not flag)
