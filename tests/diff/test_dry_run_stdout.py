"""`convert --dry-run --format json|markdown|github`: standard output is the plan alone, so a
pipeline can feed it to jq, a PR comment or the runner; the file list goes to standard error."""

from __future__ import annotations

import json

import pytest

from support import SAMPLES, run_cli


def test_json_plan_is_the_whole_of_stdout() -> None:
    done = run_cli("convert", SAMPLES / "compose-webapp", "--to", "fly", "--dry-run", "--format", "json")
    assert done.code == 0, done.stderr
    plan = json.loads(done.stdout)  # fails if anything but the plan is on stdout
    assert plan["format_version"]
    assert "Files hopper would write:" in done.stderr and "  + api/fly.toml" in done.stderr


@pytest.mark.parametrize("fmt", ["markdown", "github"])
def test_machine_formats_keep_the_file_list_off_stdout(fmt: str) -> None:
    done = run_cli("convert", SAMPLES / "compose-webapp", "--to", "fly", "--dry-run", "--format", fmt)
    assert done.code == 0, done.stderr
    assert "Files hopper would write:" not in done.stdout and "  + api/fly.toml" not in done.stdout
    assert "Files hopper would write:" in done.stderr


def test_text_plan_lists_the_files_first() -> None:
    done = run_cli("convert", SAMPLES / "compose-webapp", "--to", "fly", "--dry-run")
    assert done.code == 0, done.stderr
    assert done.stdout.startswith("Files hopper would write:\n")
