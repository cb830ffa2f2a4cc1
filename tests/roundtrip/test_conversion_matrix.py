"""The conversion matrix covers every model field, and docs/conversion-matrix.md is its rendering."""

from __future__ import annotations

from hopper import matrix
from support import ROOT


def test_every_model_field_has_a_row() -> None:
    fields = matrix.model_fields()
    missing = sorted(set(fields) - set(matrix.MATRIX))
    stale = sorted(set(matrix.MATRIX) - set(fields))
    assert not missing, f"model fields without a row in src/hopper/matrix.py: {missing}"
    assert not stale, f"rows for fields the model no longer has: {stale}"


def test_every_row_names_each_format() -> None:
    for name, row in matrix.MATRIX.items():
        assert set(row) == set(matrix.FORMATS), name


def test_committed_document_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "conversion-matrix.md").read_text(encoding="utf-8")
    assert committed == matrix.render_markdown(), \
        "docs/conversion-matrix.md is stale: run `python -m hopper.matrix`"


def test_codes_named_in_notes_exist() -> None:
    import importlib
    import re

    # Codes are registered when the module defining them is imported: import every format's
    # reader and writer, so the test does not depend on what other tests imported before it.
    for fmt in matrix.FORMATS:
        for part in ("reader", "writer"):
            importlib.import_module(f"hopper.formats.{fmt}.{part}")
    from hopper.diagnostics import CODES

    for row in matrix.MATRIX.values():
        for cell in row.values():
            for code in re.findall(r"HOP\d{3}", cell.note):
                assert code in CODES, code
