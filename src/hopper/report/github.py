"""GitHub Actions workflow annotations (``::error file=…,line=…,title=…::message``).

breaking → error, warning → warning, info → notice; most severe first. GitHub shows at most 10
annotations of each level per step, so hopper prints 10 of each and then one notice counting
the rest. Acknowledged findings are not annotated. Data is escaped as the runner requires
(``%``, CR, LF; in properties also ``:`` and ``,``), so no value can start a workflow command.
"""

from __future__ import annotations

from hopper.diagnostics import Location
from hopper.findings.types import SEVERITY_RANK, Finding, Plan, SourceNote
from hopper.report.common import clean, summary_line

MAX_PER_LEVEL = 10
_LEVEL = {"breaking": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _where(loc: Location | None) -> list[str]:
    if loc is None:
        return []
    props = [f"file={escape_property(clean(loc.file))}"]
    if loc.line is not None:
        props.append(f"line={loc.line}")
        if loc.col is not None:
            props.append(f"col={loc.col}")
    return props


def _annotation(f: Finding) -> str:
    props = _where(f.evidence_after or f.evidence_before)
    props.append(f"title={escape_property(clean(f'{f.code} {f.subject}: {f.title}'))}")
    before = f.before if f.before is not None else "(none)"
    after = f.after if f.after is not None else "(none)"
    message = f"{before} -> {after}. {f.why} Do: {f.action}"
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{escape_data(clean(message))}"


def _note_annotation(note: SourceNote) -> str:
    """A source note (docs/diff.md) is a warning annotation, printed before every finding."""
    props = _where(note.location)
    props.append(f"title={escape_property(f'{note.code} read this first')}")
    return f"::warning {','.join(props)}::{escape_data(clean(note.message))}"


def render_github(plan: Plan) -> str:
    open_findings = sorted((f for f in plan.findings if not f.acknowledged),
                           key=lambda f: -SEVERITY_RANK[f.severity])
    lines = [_note_annotation(n) for n in plan.source_notes]
    left: dict[str, int] = {}
    shown: dict[str, int] = {}
    for f in open_findings:
        level = _LEVEL[f.severity]
        if shown.get(level, 0) < MAX_PER_LEVEL:
            shown[level] = shown.get(level, 0) + 1
            lines.append(_annotation(f))
        else:
            left[f.severity] = left.get(f.severity, 0) + 1
    if left:
        parts = ", ".join(f"{n} {sev}" for sev, n in sorted(left.items(),
                                                          key=lambda kv: -SEVERITY_RANK[kv[0]]))
        lines.append(f"::notice title=hopper::{escape_data(f'{parts} more findings are not annotated (GitHub shows 10 per level); see the job summary from hopper diff --format markdown.')}")
    lines.append(f"hopper: {summary_line(plan)}")
    return "\n".join(lines) + "\n"
