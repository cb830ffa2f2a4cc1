"""Exit codes, usage errors and the error line format."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper import __version__
from support import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"hopper {__version__}"


@pytest.mark.parametrize("command", ["inspect", "convert", "validate", "diff", "rewrite-env", "formats"])
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Usage" in result.stdout
    assert "Exit codes" in result.stdout


def test_usage_errors_exit_64_not_2() -> None:
    assert run_cli("inspect", "--no-such-flag").code == 64
    assert run_cli("no-such-command").code == 64
    assert run_cli("convert", ".", "--to", "heroku").code == 64


def test_missing_input_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("inspect", tmp_path / "missing")
    assert result.code == 1
    assert result.stderr.strip().endswith("error: no such file or folder [HOP001]")
    assert "Traceback" not in result.stderr


def test_undetectable_format_hints_at_from(tmp_path: Path) -> None:
    result = run_cli("inspect", tmp_path)
    assert result.code == 1
    assert "[HOP007]" in result.stderr
    assert "--from" in result.stderr


def test_convert_requires_out_unless_dry_run(tmp_path: Path) -> None:
    result = run_cli("convert", tmp_path, "--to", "fly")
    assert result.code == 64
    assert "--out" in result.stderr
