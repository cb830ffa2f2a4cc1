"""The CLI's messages and flags as a newcomer meets them, run from another folder than the
project with relative and absolute paths: --strict names HOP050 and the first warning, flags a
target does not use are refused, global flags go anywhere, help speaks one placeholder style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import ROOT, SAMPLES, copy_tree, run_cli

COMMANDS = ("inspect", "convert", "validate", "diff", "rewrite-env", "formats")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_tree(SAMPLES / "compose-webapp", tmp_path / "samples" / "compose-webapp")
    copy_tree(SAMPLES / "monorepo-webapp", tmp_path / "samples" / "monorepo-webapp")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return tmp_path


def _path(work: Path, rel: str, absolute: bool) -> str:
    return str(work / rel) if absolute else f"../{rel}"


# ------------------------------------------------------------------ --strict

@pytest.mark.parametrize("absolute", [False, True])
def test_strict_names_hop050_and_the_first_warning(work: Path, absolute: bool) -> None:
    path = _path(work, "samples/monorepo-webapp", absolute)
    result = run_cli("inspect", path, "--strict")
    assert result.code == 1
    last = [line for line in result.stderr.splitlines() if "error:" in line][-1]
    assert last == (f"{path}/compose.yaml:9:7: error: 2 warnings under --strict; the first: "
                    "services.front.build.additional_contexts is not carried into the model "
                    "[HOP174] [HOP050]")


@pytest.mark.parametrize("absolute", [False, True])
def test_strict_convert_says_nothing_was_written(work: Path, absolute: bool) -> None:
    path = _path(work, "samples/monorepo-webapp", absolute)
    out = work / "out"
    result = run_cli("convert", path, "--to", "fly", "--out", out, "--strict")
    assert result.code == 1 and not out.exists()
    assert re.search(r"error: \d+ warnings? under --strict; nothing written; the first: .+ \[HOP\d{3}\] \[HOP050\]$",
                     result.stderr.splitlines()[-2]), result.stderr


def test_strict_validate_and_the_valid_line(work: Path) -> None:
    out = work / "fly"
    assert run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--out", out).code == 0
    result = run_cli("validate", "../fly")
    assert result.code == 0
    count = result.stderr.count(": warning:")
    expected = {0: "no warnings", 1: "1 warning"}.get(count, f"{count} warnings")
    assert result.stderr.splitlines()[-1] == f"../fly: valid, {expected}"
    assert "(s)" not in result.stderr
    if count:
        strict = run_cli("validate", str(out), "--strict")
        assert strict.code == 1
        assert re.search(rf"^{re.escape(str(out))}/\S+: error: {count} warnings? under --strict; the first: .+ \[HOP050\]$",
                         strict.stderr, re.M), strict.stderr


# ------------------------------------------------------------------ flags a target does not use

@pytest.mark.parametrize(("target", "flags", "named"), [
    ("compose", ["--autostop", "stop"], "--autostop (--to fly only)"),
    ("compose", ["--min-running", "1"], "--min-running (--to fly only)"),
    ("compose", ["--postgres", "managed"], "--postgres (--to fly only)"),
    ("compose", ["--region", "par"], "--region (--to render or fly or clevercloud only)"),
    ("compose", ["--org", "acme"], "--org (--to fly or clevercloud only)"),
    ("clevercloud", ["--autostop", "off"], "--autostop (--to fly only)"),
    ("clevercloud", ["--min-running", "0"], "--min-running (--to fly only)"),
    ("clevercloud", ["--postgres", "unmanaged"], "--postgres (--to fly only)"),
])
def test_flags_the_target_does_not_use_are_a_usage_error(work: Path, target: str, flags: list[str],
                                                         named: str) -> None:
    out = work / "out"
    result = run_cli("convert", "../samples/compose-webapp", "--to", target, "--out", out, *flags)
    assert result.code == 64, result.stderr
    assert f"--to {target} does not use {named}; remove it" in result.stderr
    assert not out.exists()


def test_flags_the_target_uses_are_accepted(work: Path) -> None:
    fly = run_cli("-q", "convert", str(work / "samples/compose-webapp"), "--to", "fly", "--dry-run",
                  "--autostop", "stop", "--min-running", "1", "--postgres", "managed", "--region", "cdg")
    assert fly.code == 0, fly.stderr
    clever = run_cli("-q", "convert", "../samples/compose-webapp", "--to", "clevercloud", "--dry-run",
                     "--region", "par")
    assert clever.code == 0, clever.stderr


def test_format_without_dry_run_is_a_usage_error(work: Path) -> None:
    result = run_cli("convert", "../samples/compose-webapp", "--to", "fly", "--out", work / "o",
                     "--format", "json")
    assert result.code == 64 and "only --dry-run prints" in result.stderr


# ------------------------------------------------------------------ global flags anywhere

@pytest.mark.parametrize("absolute", [False, True])
def test_global_flags_after_the_command(work: Path, absolute: bool) -> None:
    path = _path(work, "samples/monorepo-webapp", absolute)
    loud = run_cli("inspect", path)
    assert "warning:" in loud.stderr
    for flags in (["-q"], ["--quiet"]):
        quiet = run_cli("inspect", path, *flags)
        assert quiet.code == 0, quiet.stderr
        assert quiet.stderr == "" and quiet.stdout == loud.stdout
        assert run_cli(*flags, "inspect", path).stderr == ""
    verbose = run_cli("convert", path, "--to", "fly", "--dry-run", "-v")
    assert verbose.code == 0 and ": info:" in verbose.stderr
    assert run_cli("formats", "--debug").code == 0
    assert run_cli("formats", "-V").stdout.startswith("hopper ")


def test_global_flags_do_not_swallow_values(work: Path) -> None:
    # '-q' after '--' is an argument, not the flag.
    result = run_cli("inspect", "--", "-q")
    assert result.code == 1 and "-q: error: no such file or folder [HOP001]" in result.stderr


# ------------------------------------------------------------------ help texts

@pytest.mark.parametrize("command", COMMANDS)
def test_help_uses_one_placeholder_style(command: str) -> None:
    text = run_cli(command, "--help").stdout
    assert not re.search(r"<[a-z ]+>|(?<!\$)\{[A-Z]+\}", text), text
    assert not re.search(r"<[a-z|]+>", text), text
    strict_options = "--strict" in re.findall(r"^\s+(--[a-z-]+)", text, re.M)
    # The exit-code line names --strict only on commands that have it.
    assert ("--strict" in text) == strict_options, command


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 2)[1]
    for command in COMMANDS:
        assert f"`hopper {command}" in table, command
