"""The registry of formats: one hand-written table, the same name as the package and CLI value.

Format modules are imported on first use so ``import hopper`` stays light.
"""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path

from hopper.diagnostics import E_UNKNOWN_FORMAT, Location, UnknownFormatError, error
from hopper.formats.base import Format

FORMAT_NAMES: tuple[str, ...] = ("compose", "clevercloud", "fly")


def get_format(name: str) -> Format:
    if name not in FORMAT_NAMES:
        close = difflib.get_close_matches(name, FORMAT_NAMES, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known formats: {', '.join(FORMAT_NAMES)}"
        raise UnknownFormatError(error(E_UNKNOWN_FORMAT, f"unknown format '{name}'", hint=hint))
    module = importlib.import_module(f"hopper.formats.{name}")
    fmt = module.FORMAT
    assert isinstance(fmt, Format)
    return fmt


def detect_format(path: Path) -> str:
    """The name of the first format whose detector accepts ``path``.

    Order matters: fly and clevercloud look for their own marker files first; compose last,
    because a Fly or Clever project may also carry a compose file for local development.
    """
    for name in ("fly", "clevercloud", "compose"):
        try:
            if get_format(name).detect(path):
                return name
        except ImportError:  # a format whose detector is not available in this build
            continue
    raise UnknownFormatError(error(
        E_UNKNOWN_FORMAT,
        "cannot tell which format this is",
        Location(file=str(path)),
        hint="name it with --from compose|clevercloud|fly",
    ))
