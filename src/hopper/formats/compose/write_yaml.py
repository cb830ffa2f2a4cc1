"""Serialise plain data as compose YAML, quoting every string that any YAML reader could misread.

PyYAML quotes what *YAML 1.1* would resolve to another type (``yes``, ``22:22``, ``null``), but
compose itself is read by Go's YAML 1.2 parser, which also turns ``0o17`` into 15 and reads a few
other spellings differently. Rather than chase both resolvers, a string is written plain only
when it is made of "boring" characters and is not a keyword of either YAML version; everything
else is single-quoted, or double-quoted (with escapes) when it holds line breaks or characters
that single quotes cannot carry. Keys go through the same rule.

The caller builds the document as dicts in the order it wants them written (``sort_keys`` is
off) and this module never folds long lines, so the output is byte-stable.
"""

from __future__ import annotations

import re
from typing import Any

# Plain only when the string starts with a letter, "/" or "." and continues with letters,
# digits and "._/-"; no ":" (ports, times), no "#", no leading "-", "*", "&", "!", "~", digits.
_PLAIN = re.compile(r"[A-Za-z_/.][A-Za-z0-9_./-]*\Z")
# Words that YAML 1.1 or 1.2 resolves to booleans, null or special floats.
_KEYWORDS = frozenset({
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
})
# Characters that force double quotes: line breaks and anything that is not printable.
_NEEDS_DOUBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# Multi-line text (an inline Dockerfile, a script) reads best as a literal block; allowed when the
# only control character is the line feed and no line ends in a space (PyYAML falls back to
# double quotes by itself when a block cannot carry the text exactly).
_BLOCK_OK = re.compile(r"[^\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]*\Z")


# Durations and sizes ("10s", "512M") cannot be read as numbers by either YAML version.
_UNIT = re.compile(r"[0-9]+(?:ms|s|m|h|k|K|M|G)\Z")


def needs_quotes(text: str) -> bool:
    if _UNIT.match(text):
        return False
    if not _PLAIN.match(text):
        return True
    word = text.lower().lstrip(".")
    return word in _KEYWORDS or (text.startswith(".") and word in ("inf", "nan"))


def dump(data: Any) -> str:
    """``data`` (dicts, lists, str, int, bool, None) as a YAML document ending in one newline."""
    import yaml  # noqa: PLC0415 - format modules import their libraries lazily

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class _ComposeDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # the same dict used twice is written twice, never as &anchor/*alias

    def represent_str(dumper: Any, text: str) -> Any:
        if not needs_quotes(text):
            style = None
        elif ("\n" in text and _BLOCK_OK.match(text) and " \n" not in text
              and text[:1] not in (" ", "\n") and not text.endswith(" ")):
            style = "|"
        elif _NEEDS_DOUBLE.search(text):
            style = '"'
        else:
            style = "'"
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    _ComposeDumper.add_representer(str, represent_str)
    text: str = yaml.dump(
        data,
        Dumper=_ComposeDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,  # never fold: a folded scalar is equal but not byte-stable across edits
        indent=2,
    )
    return text
