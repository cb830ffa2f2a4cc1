"""Issue 14, class 2: every `flyctl deploy` hopper writes finds its config, Dockerfile, ignore
file and build context the way flyctl resolves them (it changes into the working-directory
argument before it reads --config). Run against a stand-in flyctl on PATH, from the root of a
repository into which the set was copied; `hopper validate` reports the misread form."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hopper import api
from hopper.formats.fly.validate import validate_path
from support import SAMPLES, copy_tree

STANDIN = Path(__file__).with_name("flyctl_standin.py")
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def _bin(tmp: Path) -> Path:
    folder = tmp / "bin"
    folder.mkdir()
    wrapper = folder / "flyctl"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDIN}" "$@"\n')
    wrapper.chmod(0o755)
    return folder


def _repo_with_set(sample: str, tmp: Path) -> tuple[Path, dict[str, str]]:
    """The sample's source tree with the Fly set copied over it, as MIGRATION.md says."""
    repo = copy_tree(SAMPLES / sample, tmp / "repo")
    files = dict(api.convert(SAMPLES / sample, to="fly").files)
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    return repo, files


def _run(command: str, repo: Path, tmp: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    log = tmp / "flyctl.log"
    folder = tmp / "bin" if (tmp / "bin").exists() else _bin(tmp)
    full = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
            "FLYCTL_STANDIN_LOG": str(log), **(env or {})}
    assert BASH is not None
    return subprocess.run([BASH, "-c", command], cwd=repo, env=full, capture_output=True, text=True,
                          timeout=120, check=False)


def _deploys(text: str) -> list[str]:
    return re.findall(r"flyctl deploy [^\n\"`]*", text)


@pytest.mark.parametrize("sample", ["compose-webapp", "clevercloud-webapp", "monorepo-webapp"])
def test_workflow_and_runbook_deploys_resolve_like_flyctl(sample: str, tmp_path: Path) -> None:
    repo, files = _repo_with_set(sample, tmp_path)
    commands = [c for rel, text in files.items() if rel.startswith(".github/workflows/")
                for c in _deploys(text)]
    commands += [c for c in _deploys(files["MIGRATION.md"]) if "<" not in c]
    assert commands
    env = {name: "x" for c in commands for name in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", c)}
    for command in commands:
        proc = _run(command, repo, tmp_path, env)
        assert proc.returncode == 0, f"{command}: {proc.stderr}"
    log = (tmp_path / "flyctl.log").read_text()
    assert log.count("dockerfile=") == len(commands)


@pytest.mark.parametrize("sample", ["compose-webapp", "clevercloud-webapp", "monorepo-webapp"])
def test_setup_script_deploys_resolve_like_flyctl(sample: str, tmp_path: Path) -> None:
    repo, files = _repo_with_set(sample, tmp_path)
    env = {"HOPPER_APPLY": "1", "HOPPER_MPG_CLUSTER_ID": "c0ffee"}
    env.update({name: "x" for c in _deploys(files["fly-setup.sh"])
                for name in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", c)})
    for line in files["fly-setup.sh"].splitlines():
        if line.startswith("stage_secrets "):
            env.update({name: "x" for name in line.split()[3:]})
    proc = _run("bash ./fly-setup.sh", repo, tmp_path, {**env, "HOPPER_SET_GITHUB_SECRETS": "0"})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    log = (tmp_path / "flyctl.log").read_text()
    deploys = [line for line in log.splitlines() if line.startswith("argv=deploy")]
    direct = [line for line in files["fly-setup.sh"].splitlines() if line.startswith("run flyctl deploy")]
    assert len(deploys) == len(direct) > 0


def test_standin_refuses_the_config_path_read_inside_the_directory(tmp_path: Path) -> None:
    # The form hopper used to write: flyctl reads api/api/fly.toml.
    repo, _ = _repo_with_set("compose-webapp", tmp_path)
    proc = _run("flyctl deploy api --config api/fly.toml --remote-only", repo, tmp_path)
    assert proc.returncode == 1 and "api/fly.toml: no such file" in proc.stderr


def test_validate_reports_a_config_flyctl_would_not_find(tmp_path: Path) -> None:
    repo, _ = _repo_with_set("compose-webapp", tmp_path)
    workflow = repo / ".github/workflows/fly-deploy-api.yml"
    workflow.write_text(workflow.read_text().replace("deploy api --config fly.toml", "deploy api --config api/fly.toml"))
    setup = repo / "fly-setup.sh"
    setup.write_text(setup.read_text().replace("deploy api --config fly.toml", "deploy api --config api/fly.toml"))
    found = [d for d in validate_path(repo) if d.code == "HOP381"]
    assert sorted(d.location.file for d in found if d.location) == [".github/workflows/fly-deploy-api.yml", "fly-setup.sh"]
    assert all("read as 'api/api/fly.toml'" in d.message for d in found)
    assert all(d.hint and "--config fly.toml" in d.hint for d in found)


def test_validate_is_clean_on_the_resolved_form(tmp_path: Path) -> None:
    repo, _ = _repo_with_set("compose-webapp", tmp_path)
    assert not [d for d in validate_path(repo) if d.code in ("HOP371", "HOP381")]
