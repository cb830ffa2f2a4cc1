"""The registry of formats: every package under ``hopper/formats/`` that defines ``FORMAT``.

A format is one folder: adding ``formats/<name>/`` (plus its ``mappings/`` data) registers it;
nothing outside the folder names it. Names are found without importing the packages, and a
package is imported on first use so ``import hopper`` stays light.
"""

from __future__ import annotations

import functools
import importlib
import os

from hopper.formats._order import ORDER

TYPE_CHECKING = False  # not typing's: importing typing costs every --help a few ms
if TYPE_CHECKING:
    from pathlib import Path

    from hopper.formats.base import Format


@functools.cache
def _discovered() -> tuple[str, ...]:
    # The sub-packages: folders with an __init__.py. Not pkgutil.iter_modules, whose import
    # (inspect, typing, ast, tokenize) cost every command and --help more than the rest of
    # the format registry; pkgutil only when hopper is not installed as plain folders.
    try:
        return tuple(sorted(name for folder in __path__ for name in os.listdir(folder)
                            if name.isidentifier()
                            and os.path.isfile(os.path.join(folder, name, "__init__.py"))))
    except OSError:
        import pkgutil  # noqa: PLC0415

        return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


@functools.cache
def _ordered() -> tuple[str, ...]:
    # Every command and every --help needs the names in order (cli_table's choices); importing
    # each format package to read its Platform's rank cost every one of them ~40 ms. _order.py
    # holds that order, used while it names exactly the packages found here (a new format is
    # ordered by importing until _order.py lists it; tests/core/test_format_order.py says so).
    if sorted(ORDER) == list(_discovered()):
        return ORDER
    return ordered_by_platform()


def ordered_by_platform() -> tuple[str, ...]:
    """The formats ordered by their Platform's rank: what _order.ORDER must equal."""
    return tuple(sorted(_discovered(), key=lambda n: (get_format(n).platform.rank, n)))


def format_names() -> tuple[str, ...]:
    """Every registered format, in the order users see them (CLI choices, matrix columns)."""
    return _ordered()


def get_format(name: str) -> Format:
    known = _discovered()
    if name not in known:
        import difflib  # noqa: PLC0415

        from hopper.diagnostics import E_UNKNOWN_FORMAT, UnknownFormatError, error  # noqa: PLC0415

        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known formats: {', '.join(known)}"
        raise UnknownFormatError(error(E_UNKNOWN_FORMAT, f"unknown format '{name}'", hint=hint))
    return _load(name)


@functools.cache
def _load(name: str) -> Format:
    from hopper.formats.base import Format  # noqa: PLC0415

    module = importlib.import_module(f"hopper.formats.{name}")
    fmt = module.FORMAT
    assert isinstance(fmt, Format) and fmt.name == name
    return fmt


def label(name: str | None) -> str:
    """How users name a platform ("Fly.io"); the name itself when it is not a format."""
    if name and name in _discovered():
        return get_format(name).platform.label
    return name or "the source"


def detect_format(path: Path) -> str:
    """The name of the first format whose detector accepts ``path``.

    Order is each format's ``detect_priority``: platforms look for their own marker files first;
    compose last, because a project on a platform may also carry a compose file for local
    development.
    """
    order = sorted(_discovered(), key=lambda n: (get_format(n).platform.detect_priority, n))
    for name in order:
        try:
            if get_format(name).detect(path):
                return name
        except ImportError:  # a format whose detector is not available in this build
            continue
    from hopper.diagnostics import E_UNKNOWN_FORMAT, Location, UnknownFormatError, error  # noqa: PLC0415

    raise UnknownFormatError(error(
        E_UNKNOWN_FORMAT,
        "cannot tell which format this is",
        Location(file=str(path)),
        hint=f"name it with --from {'|'.join(format_names())}",
    ))


FORMAT_NAMES: tuple[str, ...] = format_names()
