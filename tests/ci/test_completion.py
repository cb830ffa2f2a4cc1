"""Shell completion as README.md documents it: the scripts typer writes for bash, zsh and fish,
and completions of commands and choices (hopper runs with add_completion off, so it registers
typer's shells itself when _HOPPER_COMPLETE is set)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _hopper(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hopper"], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o default -F _hopper_completion hopper"),
                                               ("zsh", "#compdef hopper"),
                                               ("fish", "complete --command hopper")])
def test_completion_scripts(shell: str, marker: str) -> None:
    result = _hopper({"_HOPPER_COMPLETE": f"source_{shell}"})
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("hopper dif", 1, ["diff"]),
    ("hopper validate . --format ", 4, ["text", "sarif"]),
    ("hopper diff a b --format ", 5, ["text", "markdown", "json", "github", "sarif"]),
])
def test_bash_completes_commands_and_choices(words: str, cword: int, expected: list[str]) -> None:
    result = _hopper({"_HOPPER_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_readme_gives_these_commands() -> None:
    from support import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_HOPPER_COMPLETE=source_{shell} hopper" in readme, shell
