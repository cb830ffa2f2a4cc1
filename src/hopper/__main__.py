"""``python -m hopper`` and the ``hopper`` command.

``--version`` is answered here, before the CLI framework is imported, so it stays fast.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from hopper._version import __version__

        sys.stdout.write(f"hopper {__version__}\n")
        raise SystemExit(0)
    from hopper.cli import run

    raise SystemExit(run(args))


if __name__ == "__main__":
    main()
