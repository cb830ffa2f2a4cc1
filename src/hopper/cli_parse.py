"""The lean dispatcher: reads an ordinary command line from ``hopper.cli_table`` without typer.

Importing typer and click costs ~130 ms of CPU, more than reading a small project does. This
parser accepts the command lines people type, with click's own rules (options and arguments in
any order, ``--opt=value``, ``--`` ending the options, the last of a repeated option wins,
global flags before or after the command), and returns ``None`` for anything else: an unknown
command or option, a missing or invalid value, a short-option cluster, a value that starts
with a dash. The CLI then hands the command line to typer, which accepts or refuses it exactly
as before, with the same messages. So this module never has to word an error.

tests/core/test_cli_table.py checks that both give every command the same keyword values.
"""

from __future__ import annotations

from enum import StrEnum

from hopper.cli_table import BY_NAME, GLOBAL_PARAMS, HELP_FLAGS, Command, FsPath, Param


class Parsed:
    """What the command line asks for: help, the version, or a command with its values."""

    __slots__ = ("command", "flags", "help", "values", "version")

    def __init__(self, command: Command | None, values: dict[str, object], flags: dict[str, bool],
                 *, help: bool = False, version: bool = False) -> None:  # noqa: A002
        self.command = command
        self.values = values
        self.flags = flags
        self.help = help
        self.version = version


# Options of the whole program, accepted after the command too (``hopper convert ... -q``).
GLOBAL_FLAGS = frozenset(decl for p in GLOBAL_PARAMS for decl in p.decls)
_GLOBAL_BY_DECL = {decl: p for p in GLOBAL_PARAMS for decl in p.decls}


def globals_first(argv: list[str]) -> list[str]:
    """Move global flags given after the command name in front of it, where click parses them.
    They take no value, so no option's value can be mistaken for one; ``--`` ends the search."""
    command_at = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if command_at is None:
        return argv
    tail = argv[command_at:]
    end = command_at + tail.index("--") if "--" in tail else len(argv)
    moved = [a for a in argv[command_at + 1:end] if a in GLOBAL_FLAGS]
    rest = [a for a in argv[command_at + 1:end] if a not in GLOBAL_FLAGS]
    return argv[:command_at] + moved + [argv[command_at]] + rest + argv[end:]


def parse(argv: list[str]) -> Parsed | None:
    """The parsed command line, or ``None`` when typer must decide (see the module's doc)."""
    argv = globals_first(argv)
    flags = {p.name: False for p in GLOBAL_PARAMS}
    at = 0
    wants_help = False
    while at < len(argv) and argv[at].startswith("-") and argv[at] != "-":
        param = _GLOBAL_BY_DECL.get(argv[at])
        if argv[at] in HELP_FLAGS:
            wants_help = True
        elif param is None:
            return None
        else:
            flags[param.name] = True
        at += 1
    if wants_help or flags["version"]:
        # Both eager: click answers the first one given; leave that rare case to it.
        if wants_help and flags["version"]:
            return None
        return Parsed(None, {}, flags, help=wants_help, version=flags["version"])
    command = BY_NAME.get(argv[at]) if at < len(argv) else None
    if command is None:
        return None
    values = _parse_command(command, argv[at + 1:])
    if values is None:
        return None
    if values is _HELP:
        return Parsed(command, {}, flags, help=True)
    return Parsed(command, values, flags)


_HELP: dict[str, object] = {}


def _lookup(command: Command) -> dict[str, tuple[Param, object]]:
    table: dict[str, tuple[Param, object]] = {}
    for param in command.params:
        for decl in param.decls:
            table[decl] = (param, True)
        for decl in param.secondary:
            table[decl] = (param, False)
    return table


def _parse_command(command: Command, args: list[str]) -> dict[str, object] | None:
    options = _lookup(command)
    given: dict[str, object] = {}
    positional: list[str] = []
    wants_help = False
    only_positional = False
    at = 0
    while at < len(args):
        arg = args[at]
        at += 1
        if only_positional or arg == "-" or not arg.startswith("-"):
            positional.append(arg)
            continue
        if arg == "--":
            only_positional = True
            continue
        if arg.startswith("--"):
            name, equals, value = arg.partition("=")
        elif len(arg) == 2:
            name, equals, value = arg, "", ""
        else:  # -fFILE, -qv: click reads them; so does typer, when we hand over
            return None
        if name in HELP_FLAGS:
            if equals:
                return None
            wants_help = True
            continue
        hit = options.get(name)
        if hit is None:
            return None
        param, flag_value = hit
        if not param.takes_value:
            if equals:
                return None
            given[param.name] = flag_value
            continue
        if not equals:
            if at >= len(args) or args[at].startswith("-"):
                return None
            value = args[at]
            at += 1
        converted = _convert(param, value)
        if converted is None:
            return None
        if param.multiple:
            collected = given.setdefault(param.name, [])
            assert isinstance(collected, list)
            collected.append(converted)
        else:
            given[param.name] = converted
    if wants_help:
        return _HELP
    arguments = [p for p in command.params if p.is_argument]
    if len(positional) != len(arguments):
        return None
    values: dict[str, object] = {}
    for param, text in zip(arguments, positional, strict=True):
        converted = _convert(param, text)
        if converted is None:
            return None
        values[param.name] = converted
    for param in command.params:
        if param.is_argument:
            continue
        if param.name in given:
            values[param.name] = given[param.name]
        elif param.required:
            return None
        else:
            values[param.name] = param.default
    return values


def _convert(param: Param, text: str) -> object | None:
    kind = param.type
    if kind is str:
        return text
    if kind is FsPath:
        from pathlib import Path  # noqa: PLC0415 - not on the --help path

        return Path(text)
    if kind is int:
        try:
            number = int(text)
        except ValueError:
            return None
        if param.min is not None and number < param.min:
            return None
        return number
    if issubclass(kind, StrEnum):
        return kind(text) if text in kind._value2member_map_ else None
    return None
