"""The shipped pre-commit hook is well formed and runs hopper the way pre-commit would."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import yaml

from support import GOLDEN, ROOT, run_cli


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
    for path in ("front/fly.toml", "fly.toml", "api/Dockerfile", ".github/workflows/fly-deploy-api.yml"):
        assert pattern.search(path), path
    assert not pattern.search("src/app.py")
    repo = shutil.copytree(GOLDEN / "fly" / "compose-webapp", tmp_path / "repo")
    argv = [*shlex.split(str(hook["entry"]))[1:], *[str(a) for a in hook.get("args", [])]]  # type: ignore[union-attr]
    argv = [a if a != "." else str(repo) for a in argv]
    result = run_cli(*argv)
    assert result.code == 0, result.stderr
