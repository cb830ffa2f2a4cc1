"""Where a key or an entry is in a JSON file of the Clever export, for the plan's locations.

The standard library's JSON parser keeps no positions, and the export files are small, flat and
written by the Clever CLI; so a finding's key is found again in the text: a path of keys in
order (``scalability`` → ``horizontal`` → ``min``), or an entry of a flat object found by one of
its values (``"name": "NODE_ENV"`` in env.json, ``"name": "webapp-db"`` in addons.json).
"""

from __future__ import annotations

import re

from hopper.diagnostics import Location


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def key_path(text: str, file: str, *keys: str) -> Location | None:
    """The last of ``keys``, each looked for after the previous one; None when one is missing."""
    pos = 0
    found = None
    for key in keys:
        found = re.compile(rf'"{re.escape(key)}"\s*:').search(text, pos)
        if found is None:
            return None
        pos = found.end()
    if found is None:
        return None
    line, col = _position(text, found.start())
    return Location(file=file, line=line, col=col, key=".".join(keys))


def entry(text: str, file: str, field: str, value: str, key: str | None = None) -> Location | None:
    """The flat object whose ``field`` is ``value``: where that pair is, or where its ``key``
    is when given (looked for inside the same object)."""
    anchor = re.compile(rf'"{re.escape(field)}"\s*:\s*"{re.escape(value)}"').search(text)
    if anchor is None:
        return None
    offset = anchor.start()
    if key is not None:
        start = text.rfind("{", 0, anchor.start())
        end = text.find("}", anchor.end())
        inner = re.compile(rf'"{re.escape(key)}"\s*:').search(text, start + 1, end if end >= 0 else len(text))
        if inner is None:
            return None
        offset = inner.start()
    line, col = _position(text, offset)
    return Location(file=file, line=line, col=col, key=key or value)
