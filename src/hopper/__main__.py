"""``python -m hopper`` and the ``hopper`` command.

Two answers are given here, before the CLI framework (typer, click) is imported, so they stay
fast: ``--version`` and the top-level ``--help``. The help text is the CLI's own output,
rendered ahead of time into ``hopper/_cli_help.py``; a test checks it still equals what typer
prints. It is used only when the terminal is at least as wide as the text was rendered for
(click wraps help to ``min(columns, 80) - 2``); narrower terminals get typer's own rendering.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from hopper._version import __version__

        sys.stdout.write(f"hopper {__version__}\n")
        raise SystemExit(0)
    if args in (["--help"], ["-h"]) and _prerendered_help_fits():
        from hopper._cli_help import TEXT

        sys.stdout.write(TEXT)
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


def _prerendered_help_fits() -> bool:
    """True when click would wrap help at the width the stored text was rendered for."""
    import shutil

    from hopper._cli_help import MIN_COLUMNS

    return shutil.get_terminal_size().columns >= MIN_COLUMNS


if __name__ == "__main__":
    main()
