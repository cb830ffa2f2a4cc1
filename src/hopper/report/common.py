"""Helpers every plan renderer shares: escaping user text, summary counts, evidence labels."""

from __future__ import annotations

from hopper.diagnostics import Location
from hopper.findings.types import Plan

# Unicode characters that reorder or hide text (Trojan Source) are escaped like control chars.
_INVISIBLE = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200E, 0x200F}


def clean(text: str) -> str:
    """Escape every control character (newlines too: plan fields are one line each)."""
    out = []
    for ch in text:
        n = ord(ch)
        if n < 0x20 or n == 0x7F or 0x80 <= n < 0xA0:
            out.append(f"\\x{n:02x}")
        elif n in _INVISIBLE:
            out.append(f"\\u{n:04x}")
        else:
            out.append(ch)
    return "".join(out)


def where(loc: Location | None) -> str | None:
    return clean(str(loc)) if loc is not None else None


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to add, 4 to change, 1 to remove. 1 breaking, 2 warnings, 3 info.``"""
    c = plan.counts()
    if not plan.findings:
        return "No changes. The two setups behave the same as far as hopper can tell."
    text = (f"Plan: {c['add']} to add, {c['change']} to change, {c['remove']} to remove. "
            f"{c['breaking']} breaking, {c['warning']} warning{'s' if c['warning'] != 1 else ''}, "
            f"{c['info']} info.")
    if c["acknowledged"]:
        text += f" {c['acknowledged']} acknowledged."
    return text


def side_label(plan: Plan, before: bool) -> str:
    side = plan.before if before else plan.after
    fmt = side.format or "unknown format"
    return clean(f"{fmt} ({side.name})")


def unacknowledged(plan: Plan, severity: str) -> int:
    return sum(1 for f in plan.findings if f.severity == severity and not f.acknowledged)


def source_note_lines(plan: Plan) -> list[str]:
    """One line per source note: ``file:line:col: message [CODE]`` (no location, no prefix)."""
    out = []
    for note in plan.source_notes:
        at = f"{where(note.location)}: " if note.location is not None else ""
        out.append(clean(f"{at}{note.message} [{note.code}]"))
    return out
