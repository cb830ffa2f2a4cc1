"""The Markdown plan, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

GitHub caps a comment at 65,536 characters, so the output is kept under
:data:`MARKDOWN_LIMIT` bytes: first the diagrams go, then the per-finding details, then the
least severe rows, each time with a note saying what was left out.

User text is escaped for Markdown: values go in code spans (no formatting, no @mentions, no
HTML), prose is backslash-escaped and @ is broken with a zero-width space.
"""

from __future__ import annotations

import re

from hopper.findings.types import CATEGORIES, SEVERITY_RANK, Finding, Plan
from hopper.report.common import clean, side_label, source_note_lines, summary_line, where
from hopper.report.mermaid import render_mermaid

MARKDOWN_LIMIT = 60_000  # bytes; GitHub comments hold 65,536 characters
MAX_DIAGRAM_SERVICES = 60
_ICON = {"breaking": "🛑 breaking", "warning": "⚠️ warning", "info": "ℹ️ info"}
_SYMBOL = {"add": "+", "change": "~", "remove": "-"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!&{}])")


def md_text(text: str) -> str:
    """Prose: every Markdown-active character backslash-escaped, @mentions broken."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text)).replace("@", "@&#8203;")


def md_code(text: str, *, in_table: bool = True) -> str:
    """A code span holding ``text`` verbatim (fence longer than any backtick run inside)."""
    value = clean(text)
    run = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (run + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    out = f"{fence}{pad}{value}{pad}{fence}"
    return out.replace("|", "\\|") if in_table else out


def _value(text: str | None) -> str:
    return md_code(text) if text is not None else "—"


def render_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    for diagrams, details in ((True, True), (False, True), (False, False)):
        text = _render(plan, diagrams=diagrams, details=details, rows=None)
        if len(text.encode()) <= limit:
            return text
    # Still too big: keep the most severe rows that fit.
    order = sorted(range(len(plan.findings)), key=lambda i: (
        plan.findings[i].acknowledged, -SEVERITY_RANK[plan.findings[i].severity], i))
    low, high = 0, len(order)
    while low < high:  # the largest prefix of ``order`` that fits
        mid = (low + high + 1) // 2
        if len(_render(plan, diagrams=False, details=False,
                       rows=frozenset(order[:mid])).encode()) <= limit:
            low = mid
        else:
            high = mid - 1
    return _render(plan, diagrams=False, details=False, rows=frozenset(order[:low]))


def _render(plan: Plan, *, diagrams: bool, details: bool, rows: frozenset[int] | None) -> str:
    out = [f"### hopper plan: {md_text(side_label(plan, True))} → {md_text(side_label(plan, False))}",
           ""]
    notes = source_note_lines(plan)
    if notes:
        out += ["> [!WARNING]", "> **Read this first** (what the source is, what was not read):"]
        out += [f"> - {md_text(note)}" for note in notes]
        out.append("")
    c = plan.counts()
    if not plan.findings:
        out.append(md_text(summary_line(plan)))
    else:
        open_breaking = sum(1 for f in plan.findings
                            if f.severity == "breaking" and not f.acknowledged)
        head = f"**{open_breaking} unacknowledged breaking**" if open_breaking else "no unacknowledged breaking change"
        out.append(f"{head} · {c['breaking']} breaking, {c['warning']} warning, {c['info']} info"
                   f" · {c['add']} to add, {c['change']} to change, {c['remove']} to remove"
                   + (f" · {c['acknowledged']} acknowledged" if c["acknowledged"] else ""))
    shown = [(i, f) for i, f in enumerate(plan.findings) if rows is None or i in rows]
    if shown:
        out += ["", "| | severity | category | subject | change | before | after | code |",
                "|---|---|---|---|---|---|---|---|"]
        for _, f in shown:
            ack = " (acknowledged)" if f.acknowledged else ""
            out.append(f"| {_SYMBOL[f.change]} | {_ICON[f.severity]}{ack} | "
                       f"{CATEGORIES[f.category]} | {md_code(f.subject)} | {md_text(f.title)} | "
                       f"{_value(f.before)} | {_value(f.after)} | `{f.code}` |")
    notes = []
    if rows is not None and len(shown) < len(plan.findings):
        notes.append(f"{len(plan.findings) - len(shown)} less severe findings are not shown "
                     "(size limit); run `hopper diff --format json` for all of them.")
    if details and shown:
        out += ["", "<details><summary>Why each change matters and what to do</summary>", ""]
        for _, f in shown:
            out += _details(f)
        out += ["</details>"]
    elif shown:
        notes.append("Details left out to fit the size limit; run `hopper diff` for them.")
    if plan.stale_acks:
        out += ["", "**Acknowledgements that matched nothing** (remove them from the ack file):", ""]
        out += [f"- `{a.code}` {md_code(a.service or '*', in_table=False)}" for a in plan.stale_acks]
    if diagrams:
        out += _diagrams(plan)
    elif plan.before_model is not None and plan.findings:
        notes.append("Architecture diagrams left out to fit the size limit.")
    if notes:
        out += [""] + [f"> {n}" for n in notes]
    return "\n".join(out) + "\n"


def _details(f: Finding) -> list[str]:
    lines = [f"#### `{f.code}` {md_text(f.title)}: {md_code(f.subject, in_table=False)}", ""]
    if f.before is not None or f.after is not None:
        lines.append(f"- **change:** {_value_prose(f.before)} → {_value_prose(f.after)}")
    lines.append(f"- **why:** {md_text(f.why)}")
    lines.append(f"- **do:** {md_text(f.action)}")
    for label, loc in (("before", f.evidence_before), ("after", f.evidence_after)):
        text = where(loc)
        if text:
            lines.append(f"- **{label}:** {md_code(text, in_table=False)}")
    if f.acknowledged:
        lines.append(f"- **acknowledged:** {md_text(f.ack_reason or '')}")
    lines.append("")
    return lines


def _value_prose(text: str | None) -> str:
    return md_code(text, in_table=False) if text is not None else "(none)"


def _diagrams(plan: Plan) -> list[str]:
    models = [(m, label) for m, label in ((plan.before_model, "before"), (plan.after_model, "after"))
              if m is not None]
    if not models:
        return []
    out = ["", "<details><summary>Architecture before and after</summary>", ""]
    for model, label in models:
        out.append(f"**{label}: {md_text(side_label(plan, label == 'before'))}**")
        out.append("")
        if len(model.services) > MAX_DIAGRAM_SERVICES:
            out += [f"({len(model.services)} services: too many to draw)", ""]
            continue
        out += ["```mermaid", render_mermaid(model, prefix=label[0]).rstrip("\n"), "```", ""]
    out.append("</details>")
    return out
