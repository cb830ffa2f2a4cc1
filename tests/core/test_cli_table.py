"""The lean dispatcher and the typer application read the command line the same way.

Both come from hopper.cli_table. These tests compare them on every command, option, choice and
default: the options click sees against the table, and the keyword values each parser hands to
the command for command lines generated from the table, in every form click accepts (before
and after the arguments, ``--opt=value``, repeated, the ``--no-`` form, global flags on either
side). A command line the lean dispatcher does not take goes to typer whole, so its errors are
click's own; a command line it takes must be one typer takes the same way.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from hopper import cli
from hopper.cli_parse import parse
from hopper.cli_table import COMMANDS, GLOBAL_PARAMS, HELP_FLAGS, Command, Param
from hopper.cli_typer import click_command, run_typer


def _click_params(command: Any) -> dict[str, Any]:
    return {p.name: p for p in command.params if p.name != "help"}


def test_the_same_commands_in_the_same_order() -> None:
    group = click_command()
    assert list(group.commands) == [c.name for c in COMMANDS]
    assert [p.opts for p in group.params if p.name != "help"] == [list(p.decls) for p in GLOBAL_PARAMS]
    context = group.make_context("hopper", ["formats"], resilient_parsing=True)
    assert sorted(group.get_help_option_names(context)) == sorted(HELP_FLAGS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_option_choice_and_default_agrees(command: Command) -> None:
    click_params = _click_params(click_command().commands[command.name])
    assert list(click_params) == [p.name for p in command.params]
    for param in command.params:
        seen = click_params[param.name]
        assert seen.required == param.required, param.name
        assert seen.multiple == param.multiple, param.name
        assert (seen.param_type_name == "argument") == param.is_argument, param.name
        if param.is_argument:
            continue
        assert seen.opts == list(param.decls), param.name
        assert seen.secondary_opts == list(param.secondary), param.name
        assert seen.is_flag == (param.type is bool), param.name
        if not param.required:
            assert seen.default == (param.default.value if hasattr(param.default, "value")
                                    else param.default), param.name
        choices = getattr(seen.type, "choices", None)
        if choices is not None:
            assert list(choices) == [m.value for m in param.type], param.name  # type: ignore[attr-defined]
        assert getattr(seen.type, "min", None) == param.min, param.name


# ------------------------------------------------------------------ the same values from both

def _samples(param: Param) -> list[list[str]]:
    """Ways to give ``param`` on a command line, as click accepts them."""
    if param.type is bool:
        forms = [[param.decls[0]], [param.decls[-1]]] + [[d] for d in param.secondary]
        return forms + [[param.decls[0], *param.secondary[:1]]]
    if isinstance(param.type, type) and hasattr(param.type, "__members__"):
        values = [m.value for m in param.type]  # type: ignore[attr-defined]
    elif param.type is int:
        values = [str(param.min or 0), "17"]
    else:
        values = ["some/where", "x y"]
    forms = [[param.decls[-1], v] for v in values] + [[f"{param.decls[0]}={values[0]}"]]
    if param.multiple:
        forms.append([param.decls[0], values[0], param.decls[-1], values[-1]])
    else:  # repeated: the last wins
        forms.append([param.decls[0], values[-1], param.decls[0], values[0]])
    return forms


def _command_lines(command: Command) -> list[list[str]]:
    positional = [f"arg-{p.name}" for p in command.params if p.is_argument]
    required = [x for p in command.params if p.required and not p.is_argument
                for x in _samples(p)[0]]
    lines = [[command.name, *positional, *required]]
    for param in command.params:
        if param.is_argument or param.required:
            continue
        for form in _samples(param):
            lines.append([command.name, *positional, *required, *form])
            lines.append([command.name, *form, *positional, *required])
    for flags in (["-q"], ["--debug", "-v"]):
        lines.append([*flags, *lines[0]])
        lines.append([*lines[0], *flags])
    if positional:
        lines.append([command.name, *required, "--", *positional])
    return lines


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str) -> Any:
        def record(**values: Any) -> int:
            self.calls.append((name, values))
            return 0
        return record


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_both_parsers_give_the_command_the_same_values(command: Command,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder()
    for name in cli.IMPLEMENTATIONS:
        monkeypatch.setitem(cli.IMPLEMENTATIONS, name, recorder(name))
    for argv in _command_lines(command):
        parsed = parse(argv)
        assert parsed is not None and not parsed.help, argv
        assert parsed.command is command
        assert run_typer(argv) == 0, argv
        (name, values), = recorder.calls
        recorder.calls.clear()
        assert name == command.name
        assert parsed.values == values, argv
        assert all(type(parsed.values[k]) is type(v) for k, v in values.items()), argv
        assert [(k, cli.STATE.debug, cli.STATE.verbose, cli.STATE.quiet) for k in ("flags",)] == \
            [("flags", parsed.flags["debug"], parsed.flags["verbose"], parsed.flags["quiet"])]


# ------------------------------------------------------------------ what the lean path leaves to typer

REFUSED = [
    [], ["-q"], ["no-such-command"], ["inspect"], ["inspect", "a", "b"], ["inspect", "--no-such-flag", "."],
    ["inspect", ".", "--format", "yml"], ["inspect", ".", "--format"], ["inspect", ".", "--strict=1"],
    ["convert", "."], ["convert", ".", "--to", "heroku"], ["convert", ".", "--to", "fly", "--min-running", "-1"],
    ["convert", ".", "--to", "fly", "--min-running", "x"], ["inspect", ".", "--max-files", "0"],
    ["inspect", ".", "-qv"], ["inspect", ".", "-fcompose.yaml"], ["inspect", ".", "--variant", "--x"],
    ["--no-such-global", "formats"], ["-h", "-V"], ["formats", "extra"], ["--", "formats"],
    ["inspect", ".", "--help=yes"],
]


@pytest.mark.parametrize("argv", REFUSED, ids=" ".join)
def test_what_the_lean_parser_does_not_take_goes_to_typer_unchanged(argv: list[str]) -> None:
    assert parse(argv) is None
    assert _run(cli.run, argv) == _run(run_typer, argv)


def _run(runner: Any, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = runner(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [
    ["convert", "samples/compose-webapp", "--to", "fly"],
    ["convert", "samples/compose-webapp", "--to", "compose", "--out", "o", "--autostop", "off"],
    ["convert", "samples/compose-webapp", "--to", "fly", "--out", "o", "--format", "json"],
])
def test_usage_errors_a_command_raises_read_as_clicks(argv: list[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    argv = [a if a != "o" else str(tmp_path / "o") for a in argv]
    lean = _run(cli.run, argv)
    assert lean[0] == 64 and lean[2].startswith("Usage: hopper convert [OPTIONS] PATH\n"), lean
    assert lean == _run(run_typer, argv)


def test_version_and_global_flags() -> None:
    assert _run(cli.run, ["formats", "-V"]) == _run(run_typer, ["formats", "-V"])
    assert _run(cli.run, ["-V"])[1].startswith("hopper ")
