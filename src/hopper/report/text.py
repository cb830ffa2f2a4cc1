"""The text plan, in the style of ``terraform plan``: one block per finding, grouped by category,
``+`` added, ``~`` changed, ``-`` removed, and a summary line. ANSI colour only when asked
(the CLI asks on a terminal without NO_COLOR)."""

from __future__ import annotations

from collections.abc import Callable

from hopper.findings.types import CATEGORIES, Finding, Plan
from hopper.report.common import clean, side_label, source_note_lines, summary_line, where

_RESET = "\x1b[0m"
_STYLES = {
    "add": "\x1b[32m", "change": "\x1b[33m", "remove": "\x1b[31m",
    "breaking": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m",
    "heading": "\x1b[1m", "dim": "\x1b[2m",
}
_SYMBOL = {"add": "+", "change": "~", "remove": "-"}


def render_text(plan: Plan, *, color: bool) -> str:
    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    lines = [f"hopper plan: {side_label(plan, True)} -> {side_label(plan, False)}", ""]
    notes = source_note_lines(plan)
    if notes:
        lines.append(paint("warning", "Read this first (what the source is, what was not read):"))
        lines.extend(f"  ! {note}" for note in notes)
        lines.append("")
    if not plan.findings:
        lines.append(summary_line(plan))
        lines.extend(_stale(plan))
        return "\n".join(lines) + "\n"
    lines.append("Symbols: + added, ~ changed, - removed. Severity: breaking, warning, info.")
    current = None
    for f in plan.findings:
        if f.category != current:
            current = f.category
            lines.append("")
            lines.append(paint("heading", CATEGORIES[f.category]))
        lines.extend(_block(f, paint))
    lines.extend(_stale(plan))
    lines.append("")
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def _block(f: Finding, paint: Callable[[str, str], str]) -> list[str]:
    symbol = paint(f.change, _SYMBOL[f.change])
    severity = paint(f.severity, f.severity)
    ack = f" (acknowledged: {clean(f.ack_reason or '')})" if f.acknowledged else ""
    out = [f"  {symbol} {clean(f.subject)}: {clean(f.title)}  [{f.code} {severity}]{ack}"]
    if f.before is not None or f.after is not None:
        before = clean(f.before) if f.before is not None else "(none)"
        after = clean(f.after) if f.after is not None else "(none)"
        out.append(f"      {before} -> {after}")
    out.append(f"      why: {clean(f.why)}")
    out.append(f"      do:  {clean(f.action)}")
    evidence = [f"before {w}" for w in (where(f.evidence_before),) if w] + \
               [f"after {w}" for w in (where(f.evidence_after),) if w]
    if evidence:
        out.append(paint("dim", "      at:  " + ", ".join(evidence)))
    return out


def _stale(plan: Plan) -> list[str]:
    if not plan.stale_acks:
        return []
    lines = ["", "Acknowledgements that matched nothing (remove them from the ack file):"]
    for ack in plan.stale_acks:
        service = f" {clean(ack.service)}" if ack.service else ""
        at = f" ({where(ack.location)})" if ack.location else ""
        lines.append(f"  {ack.code}{service}{at}")
    return lines
