"""``python -m hopper`` and the ``hopper`` command.

Help is answered here, before anything else is imported: the CLI's own output (typer's), rendered
ahead of time into ``hopper/_cli_help.py`` for the program and for every command; a test checks
it still equals what typer prints. It is used only when the terminal is at least as wide as the
text was rendered for (click wraps help to ``min(columns, 80) - 2``) and the format folders are
those it was rendered for; otherwise typer renders it. Commands run through ``hopper.cli.run``,
whose lean dispatcher does not import typer either.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from hopper._version import __version__

        sys.stdout.write(f"hopper {__version__}\n")
        raise SystemExit(0)
    if "--help" in args or "-h" in args:
        text = _prerendered_help(args)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            raise SystemExit(0)
    sys.unraisablehook = _interrupt_again
    try:
        from hopper.cli import run

        code = run(args)
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still being set up: no traceback either
        sys.stderr.write("interrupted\n")
        code = 130
    raise SystemExit(code)


def _interrupt_again(unraisable: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C that lands in a callback Python cannot raise from (the import system's module
    locks, a finalizer) would be printed as "Exception ignored ... Traceback" and then lost;
    send it again so that it arrives where the CLI handles it (exit 130, one line)."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        import signal

        signal.raise_signal(signal.SIGINT)
        return
    sys.__unraisablehook__(unraisable)


def _prerendered_help(args: list[str]) -> str | None:
    """The stored help the command line asks for, when click would wrap it at the width it was
    rendered for; None otherwise (typer then renders it)."""
    from hopper import _cli_help
    from hopper.cli_parse import parse

    parsed = parse(args)
    if parsed is None or not parsed.help:
        return None
    if _terminal_columns() < _cli_help.MIN_COLUMNS:
        return None
    # Rendered for these format folders (the choices of --to and --from, who reads each flag): a
    # format added or removed since then gets typer's rendering, never a stale text. Free: the
    # parser has listed the folders already.
    from hopper.formats import format_names

    if format_names() != _cli_help.FORMATS:
        return None
    if parsed.command is None:
        return _cli_help.TEXT
    return _cli_help.COMMANDS.get(parsed.command.name)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (what click wraps help to), without importing
    shutil, which imports the compression modules: a third of the pre-rendered help's time."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


if __name__ == "__main__":
    main()
