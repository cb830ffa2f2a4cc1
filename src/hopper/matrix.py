"""The conversion matrix: for every field of the model, how each format's reader and writer carry it.

The table is data, one column per format, written by hand in ``formats/<name>/matrix.toml``
and declared by the format's registry entry: one row per ``Class.field`` reachable from
:class:`~hopper.model.Architecture`, one cell per format with the reader's and the writer's
support (``full``, ``partial`` or ``none``) and a short note. :func:`render_markdown` turns it into
``docs/conversion-matrix.md``; a test checks that every model field has a row (a new field
without a row fails) and that the committed document is the rendered one.

The round-trip property tests use :func:`carried_by` to decide which fields two formats must
agree on after a conversion: a field is compared when both formats read and write it (at least
partially); anything else must come with a diagnostic.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass

from hopper import model
from hopper.formats import format_names, get_format

FORMATS: tuple[str, ...] = format_names()
LEVELS: tuple[str, ...] = ("full", "partial", "none")


@dataclass(frozen=True, slots=True)
class Cell:
    read: str
    write: str
    note: str = ""


def _c(spec: str) -> Cell:
    """``"full/partial: why"`` → Cell(read="full", write="partial", note="why")."""
    levels, _, note = spec.partition(":")
    read, _, write = levels.strip().partition("/")
    cell = Cell(read.strip(), write.strip(), note.strip())
    if cell.read not in LEVELS or cell.write not in LEVELS:
        raise ValueError(f"bad matrix cell {spec!r}")
    return cell


def _columns() -> dict[str, dict[str, Cell]]:
    """Rows built from each format's declared column (``formats/<name>/matrix.toml``)."""
    rows: dict[str, dict[str, Cell]] = {}
    for fmt in FORMATS:
        load = get_format(fmt).platform.matrix
        column = load() if load is not None else {}
        for field, spec in column.items():
            rows.setdefault(field, {})[fmt] = _c(spec)
    return rows


MATRIX: dict[str, dict[str, Cell]] = _columns()


def model_fields() -> list[str]:
    """``Class.field`` for every field reachable from Architecture (the provenance fields
    ``origin`` and ``key_origins`` excluded), in the order a walk of the model meets them."""
    seen: list[type] = []
    out: list[str] = []

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.append(cls)
        hints = typing.get_type_hints(cls, vars(model))
        for f in dataclasses.fields(cls):
            if f.name in ("origin", "key_origins"):
                continue
            out.append(f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(cls):
            for inner in _dataclasses_in(hints[f.name]):
                walk(inner)

    walk(model.Architecture)
    return out


def _dataclasses_in(tp: object) -> list[type]:
    found: list[type] = []
    stack = [tp]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and dataclasses.is_dataclass(item) and item.__module__ == model.__name__:
            found.append(item)
        stack.extend(typing.get_args(item))
    return sorted(found, key=lambda c: c.__name__)


def carried_by(*formats: str) -> frozenset[str]:
    """Fields every one of ``formats`` reads and writes (at least partially)."""
    out = set()
    for name, row in MATRIX.items():
        cells = [row[f] for f in formats]
        if all(c.read != "none" and c.write != "none" for c in cells):
            out.add(name)
    return frozenset(out)


_SYMBOL = {"full": "✓", "partial": "~", "none": "✗"}


def render_markdown() -> str:
    lines = [
        "# Conversion matrix",
        "",
        "<!-- Generated from src/hopper/matrix.py by `python -m hopper.matrix`; do not edit. -->",
        "",
        "Every field of the model against each format: whether the format's reader fills it (R) and",
        "whether its writer expresses it (W). ✓ full, ~ partial, ✗ not at all. Whatever a writer",
        "cannot express is reported as a diagnostic when a model that has it is written.",
        "The round-trip tests compare two formats on the fields both carry (✓ or ~ in all four cells).",
        "",
    ]
    current = ""
    for name in model_fields():
        cls = name.split(".")[0]
        if cls != current:
            current = cls
            lines += ["", f"## {cls}", "",
                      "| field | " + " | ".join(f"{f} R/W" for f in FORMATS) + " | notes |",
                      "|---|" + "---|" * len(FORMATS) + "---|"]
        row = MATRIX[name]
        cells = [f"{_SYMBOL[row[f].read]} / {_SYMBOL[row[f].write]}" for f in FORMATS]
        notes = "; ".join(f"{f}: {row[f].note}" for f in FORMATS if row[f].note)
        lines.append(f"| `{name.split('.', 1)[1]}` | " + " | ".join(cells) + f" | {notes} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


if __name__ == "__main__":  # pragma: no cover - the generator
    import pathlib

    target = pathlib.Path(__file__).resolve().parents[2] / "docs" / "conversion-matrix.md"
    target.write_text(render_markdown(), encoding="utf-8")
