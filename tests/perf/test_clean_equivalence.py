"""The CLI's control-character escaping was rewritten for speed; it must behave as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hopper.cli import _clean


def _reference(text: str) -> str:
    """The original per-character loop."""
    out = []
    for ch in text:
        if ch == "\n" or ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F and not 0x80 <= ord(ch) < 0xA0):
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}")
    return "".join(out)


def test_every_code_point_below_0x100_is_escaped_as_before() -> None:
    text = "".join(chr(i) for i in range(0x100))
    assert _clean(text) == _reference(text)
    assert "\x1b" not in _clean("\x1b[31mred\x1b[0m")


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=200))
def test_same_as_the_reference(text: str) -> None:
    assert _clean(text) == _reference(text)
