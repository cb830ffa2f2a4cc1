"""The shipped pre-commit hook is well formed and runs hopper the way pre-commit would."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from support import GOLDEN, ROOT, SAMPLES, run_cli


def _hooks() -> list[dict[str, object]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_hooks_have_the_keys_pre_commit_requires() -> None:
    for hook in _hooks():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        re.compile(str(hook["files"]))


def test_validate_hook_matches_fly_files_and_runs_clean_on_a_hopper_setup(tmp_path: Path) -> None:
    hook = next(h for h in _hooks() if h["id"] == "hopper-validate")
    pattern = re.compile(str(hook["files"]))
    for path in ("front/fly.toml", "fly.toml", "api/Dockerfile", ".github/workflows/fly-deploy-api.yml",
                 "front/Dockerfile.fly", "front/nginx.fly.conf", "front/Dockerfile.fly.dockerignore", "nginx.conf"):
        assert pattern.search(path), path
    assert not pattern.search("src/app.py")
    repo = shutil.copytree(GOLDEN / "fly" / "compose-webapp", tmp_path / "repo")
    argv = [*shlex.split(str(hook["entry"]))[1:], *[str(a) for a in hook.get("args", [])]]  # type: ignore[union-attr]
    argv = [a if a != "." else str(repo) for a in argv]
    result = run_cli(*argv)
    assert result.code == 0, result.stderr


def test_plan_hook_fails_on_an_unacknowledged_breaking_change_only(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook as docs/validate.md configures it (args: the two setups), from the repository
    root as pre-commit runs it: a clean plan passes, a removed service fails, and passes again
    once hopper.ack.yaml accepts it."""
    hook = next(h for h in _hooks() if h["id"] == "hopper-plan")
    pattern = re.compile(str(hook["files"]))
    for path in ("compose.yaml", "deploy/fly/api/fly.toml", "api/Dockerfile", "hopper.ack.yaml",
                 "api/server.js", "clevercloud/cron.json", "terraform/main.tf"):
        assert pattern.search(path), path
    assert not pattern.search("README.md")
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLES / "compose-webapp", repo)
    monkeypatch.chdir(repo)
    assert run_cli("-q", "convert", ".", "--to", "fly", "--out", "deploy/fly").code == 0
    argv = [*shlex.split(str(hook["entry"]))[1:], ".", "deploy/fly"]
    assert run_cli(*argv).code == 0
    shutil.rmtree(repo / "deploy" / "fly" / "front")
    failed = run_cli(*argv)
    assert failed.code == 1 and "HD002" in failed.stdout
    (repo / "hopper.ack.yaml").write_text(
        "acknowledgements:\n  - code: HD002\n    service: front\n    reason: The front moves to a CDN.\n",
        encoding="utf-8")
    assert run_cli(*argv).code == 0
