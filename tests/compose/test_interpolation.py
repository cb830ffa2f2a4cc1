"""Compose interpolation rules (each case also checked against docker compose in test_oracle)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper._yaml import load_yaml
from hopper.diagnostics import Diagnostics
from hopper.formats.compose.interpolation import TemplateError, interpolate_tree, substitute

ENV = {"SET": "val", "EMPTY": ""}

CASES = [
    ("plain", "plain"),
    ("$SET", "val"),
    ("${SET}", "val"),
    ("$SET_x ${SET}_x", " val_x"),
    ("${UNSET:-def}", "def"),
    ("${EMPTY:-def}", "def"),
    ("${EMPTY-def}", ""),
    ("${UNSET-def}", "def"),
    ("${SET:+alt}", "alt"),
    ("${EMPTY:+alt}", ""),
    ("${EMPTY+alt}", "alt"),
    ("${UNSET+alt}", ""),
    ("${SET:-${UNSET}}", "val"),
    ("${UNSET:-${SET}x}y", "valxy"),
    ("${A-${B-${SET}}}", "val"),
    ("${UNSET-${SET}}z", "valz"),
    ("${VAR:-{a}}", "{a}"),
    ("${UNSET:-a}b}", "ab}"),
    ("${SET:-a:-b}", "val"),
    ("$$SET $${SET}", "$SET ${SET}"),
    ("pre$", "pre$"),
    ("$ x", "$ x"),
    ("$1", "$1"),
    ("a$}", "a$}"),
    ("${SET?}", "val"),
]


@pytest.mark.parametrize(("template", "expected"), CASES)
def test_substitute(template: str, expected: str) -> None:
    assert substitute(template, ENV.get) == expected


@pytest.mark.parametrize("template", ["${}", "${1}", "${A B}", "${A", "${A:x}", "${A:-x"])
def test_invalid_templates(template: str) -> None:
    with pytest.raises(TemplateError) as info:
        substitute(template, ENV.get)
    assert info.value.code == "HOP110"


@pytest.mark.parametrize(("template", "message"), [
    ("${UNSET:?must be set}", "UNSET: must be set"),
    ("${EMPTY:?no empty}", "EMPTY: no empty"),
    ("${UNSET?}", "UNSET: required variable is missing a value"),
    ("${SET:-${UNSET_C:?boom}}", "UNSET_C: boom"),  # eager, like Compose
])
def test_required(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        substitute(template, ENV.get)
    assert info.value.code == "HOP111" and info.value.message == message


def test_tree_keeps_keys_and_reports_locations() -> None:
    data, index = load_yaml("a:\n  $KEY: ${X}\n  b: [1, '$X', ok]\n", "c.yaml")
    diags = Diagnostics()
    out = interpolate_tree(data, index, {"X": "x"}.get, diags)
    assert out == {"a": {"$KEY": "x", "b": [1, "x", "ok"]}}
    assert len(diags) == 0


def test_tree_unset_warning_once_with_location() -> None:
    data, index = load_yaml("a: ${NOPE}\nb: $NOPE\n", "c.yaml")
    diags = Diagnostics()
    out = interpolate_tree(data, index, {}.get, diags)
    assert out == {"a": "", "b": ""}
    [warning] = list(diags)
    assert warning.code == "HOP112" and str(warning.location) == "c.yaml:1:1"


def test_tree_required_unset_is_a_warning_with_location() -> None:
    # Compose refuses the file; a checkout does not hold the operator's values, so hopper
    # keeps going: "" plus one warning naming the variable (HOP142), fatal under --strict.
    data, index = load_yaml("services:\n  web:\n    image: app:${TAG:?set TAG}\n"
                            "  w2:\n    image: w:${TAG:?set TAG}\n", "compose.yaml")
    diags = Diagnostics()
    out = interpolate_tree(data, index, {}.get, diags)
    assert out["services"]["web"]["image"] == "app:"
    [warning] = list(diags)
    assert warning.render() == ("compose.yaml:3:5: warning: required variable TAG is not set (TAG: set TAG); "
                                "hopper keeps it as a value the target must receive [HOP142]")


def test_tree_required_set_agrees_with_compose() -> None:
    data, index = load_yaml("a: ${TAG:?set TAG}\nb: ${E?x}\n", "c.yaml")
    diags = Diagnostics()
    assert interpolate_tree(data, index, {"TAG": "1.2", "E": ""}.get, diags) == {"a": "1.2", "b": ""}
    assert len(diags) == 0


@settings(max_examples=200)
@given(st.text(alphabet="$ab{}:-?+_ ", max_size=16))
def test_substitute_never_raises_anything_else(template: str) -> None:
    with contextlib.suppress(TemplateError):
        substitute(template, ENV.get)
