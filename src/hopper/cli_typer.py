"""The typer application, built from ``hopper.cli_table``: help, docs/cli.md, usage errors.

The lean dispatcher (``hopper.cli_parse``) runs ordinary command lines; everything else comes
here: help in a terminal narrower than the pre-rendered text, anything the lean dispatcher does
not recognise (typer then accepts it, or refuses it with click's message and exit 64), and the
rendering of usage errors a command raises. Importing this module imports typer and click.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from hopper import cli
from hopper.cli_parse import globals_first
from hopper.cli_table import (
    COMMANDS,
    EPILOG,
    GLOBAL_PARAMS,
    HELP_FLAGS,
    PROGRAM_HELP,
    Command,
    FsPath,
    Param,
)

# Typer 0.29 vendors click; reach its exception classes through a public class's bases so this
# works with both the vendored and the standalone click.
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Command(typer.core.TyperCommand):
    """Usage lines name arguments as the options' placeholders do (``PATH``, not typer's
    ``{PATH}``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # click's Context (vendored or not)
        return [re.sub(r"\{([A-Z_]+)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]


def _annotation(param: Param) -> Any:
    kind: Any = Path if param.type is FsPath else param.type
    base: Any = list[kind] if param.multiple else kind
    if param.default is None and not param.required and param.type is not bool:
        base = base | None
    if param.is_argument:
        info: Any = typer.Argument(metavar=param.metavar, help=param.help)
    else:
        decls = list(param.decls)
        if param.secondary:
            decls = [f"{decls[0]}/{'/'.join(param.secondary)}", *decls[1:]]
        extra: dict[str, Any] = {}
        if param.metavar is not None:
            extra["metavar"] = param.metavar
        if param.min is not None:
            extra["min"] = param.min
        info = typer.Option(*decls, help=param.help, **extra)
    return Annotated[base, info]


def _signature(params: tuple[Param, ...]) -> inspect.Signature:
    return inspect.Signature([
        inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=_annotation(p),
                          default=inspect.Parameter.empty if p.required else p.default)
        for p in params])


def _callback(command: Command) -> Callable[..., int]:
    def call(**values: Any) -> int:
        try:
            return cli.IMPLEMENTATIONS[command.name](**values)
        except cli.UsageProblem as exc:  # shown by click as before: usage line, hint, message
            raise _UsageError(str(exc)) from None

    call.__name__ = command.name.replace("-", "_")
    call.__doc__ = command.help
    sig = _signature(command.params)
    call.__signature__ = sig  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()}
    return call


def _version_callback(value: bool) -> None:
    if value:
        cli.print_version()
        raise typer.Exit(0)


def _main_callback(**flags: bool) -> None:
    cli.set_global_flags(debug=flags["debug"], verbose=flags["verbose"], quiet=flags["quiet"])


def _build() -> typer.Typer:
    application = typer.Typer(
        name="hopper",
        help=PROGRAM_HELP,
        epilog=EPILOG,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    group_params = []
    for p in GLOBAL_PARAMS:
        extra: dict[str, Any] = {"callback": _version_callback, "is_eager": True} if p.name == "version" else {}
        group_params.append(inspect.Parameter(
            p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=p.default,
            annotation=Annotated[bool, typer.Option(*p.decls, help=p.help, **extra)]))
    main = _main_callback
    main.__signature__ = inspect.Signature(group_params)  # type: ignore[attr-defined]
    main.__annotations__ = {p.name: p.annotation for p in group_params}
    application.callback()(main)
    for command in COMMANDS:
        cls = None if command.plain_usage else _Command
        application.command(command.name, cls=cls, epilog=command.epilog)(_callback(command))
    return application


app = _build()


def click_command() -> Any:
    return typer.main.get_command(app)


def show_usage_error(command_name: str, message: str) -> None:
    """Print a usage error a command raised, as click prints it (usage line, hint, message)."""
    group = click_command()
    parent = group.make_context("hopper", [command_name], resilient_parsing=True)
    sub = group.commands[command_name]
    context = sub.make_context(command_name, [], parent=parent, resilient_parsing=True)
    error = _UsageError(message, context)
    error.show(file=sys.stderr)  # type: ignore[attr-defined]


def run_typer(argv: list[str]) -> int:
    """Run the command line through typer and return the exit code (see ``hopper.cli.run``)."""
    if "_HOPPER_COMPLETE" in os.environ:
        # Shell completion (README.md): typer registers its shells only with add_completion,
        # which would also add --install-completion and --show-completion to the help.
        from typer._completion_classes import completion_init  # noqa: PLC0415

        completion_init()
    command = click_command()
    argv = globals_first(argv)
    try:
        rv = command.main(args=argv, prog_name="hopper", standalone_mode=False)
    except _UsageError as exc:
        exc.show(file=sys.stderr)  # type: ignore[attr-defined]
        return cli.EXIT_USAGE
    except typer.Abort:
        cli.print_error("interrupted")
        return cli.EXIT_INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except _ClickException as exc:
        exc.show(file=sys.stderr)  # type: ignore[attr-defined]
        return cli.EXIT_USAGE
    except BaseException as exc:  # noqa: BLE001 - the same mapping as the lean path
        code = cli.exit_code_for(exc)
        if code is None:
            raise
        return code
    return int(rv or 0)

