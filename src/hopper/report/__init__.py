"""Rendering a :class:`~hopper.findings.types.Plan`, and the acknowledgement file.

Every renderer of what hopper reports lives in this package, one module per output format:
:mod:`.text`, :mod:`.markdown` (with :mod:`.mermaid` diagrams), :mod:`.json`, :mod:`.github`
(workflow annotations) and :mod:`.sarif` for a plan (SARIF also for diagnostics), plus
:mod:`.summary` (``hopper inspect``'s text) and :mod:`.common` (what several of them share).
Each is imported only when its format is asked for. This module is their entry point:

``render_plan(plan, fmt, color=...)`` for fmt in text | markdown | json | github | sarif;
``render_mermaid(arch)`` draws one architecture; ``apply_acks(plan, path)`` marks the findings a
``hopper.ack.yaml`` accepts; ``fails_on(plan, level)`` says whether CI should fail;
``with_source_notes(plan, diagnostics)`` puts the reader warnings that change what the whole plan
means (:data:`~hopper.findings.types.SOURCE_NOTE_CODES`) at its top.

The ack file (docs/diff.md)::

    acknowledgements:
      - code: HD201          # or the slug, "autostop-enabled"
        service: api         # optional; omitted or "*" matches every subject
        reason: Cold starts are fine for this internal API.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, fail
from hopper.findings.table import SPECS
from hopper.findings.types import (
    SEVERITY_RANK,
    SOURCE_NOTE_CODES,
    Finding,
    Plan,
    SourceNote,
    StaleAck,
)
from hopper.model import Architecture
from hopper.report.mermaid import render_mermaid as _render_mermaid

E_ACK_FILE = code("HOP850", Severity.ERROR, "the acknowledgement file cannot be read or is not valid YAML")
E_ACK_ENTRY = code("HOP851", Severity.ERROR, "an acknowledgement entry is malformed (code, service, reason)")
E_ACK_CODE = code("HOP852", Severity.ERROR, "an acknowledgement names a finding code hopper does not know")
E_REPORT_FORMAT = code("HOP853", Severity.ERROR, "unknown plan format or --fail-on level")

FORMATS = ("text", "markdown", "json", "github", "sarif")
MAX_ACK_BYTES = 1024 * 1024

__all__ = ["FORMATS", "apply_acks", "fails_on", "render_mermaid", "render_plan", "with_source_notes"]


def render_plan(plan: Plan, fmt: str, *, color: bool) -> str:
    if fmt == "text":
        from hopper.report.text import render_text  # noqa: PLC0415

        return render_text(plan, color=color)
    if fmt == "markdown":
        from hopper.report.markdown import render_markdown  # noqa: PLC0415

        return render_markdown(plan)
    if fmt == "json":
        from hopper.report.json import render_json  # noqa: PLC0415

        return render_json(plan)
    if fmt == "github":
        from hopper.report.github import render_github  # noqa: PLC0415

        return render_github(plan)
    if fmt == "sarif":
        from hopper.report.sarif import render_sarif  # noqa: PLC0415

        return render_sarif(plan)
    raise fail(E_REPORT_FORMAT, f"unknown plan format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def with_source_notes(plan: Plan, diagnostics: tuple[Diagnostic, ...]) -> Plan:
    """``plan`` with the reader warnings that change its meaning, in the readers' order."""
    notes = tuple(SourceNote(code=str(d.code), message=d.message, location=d.location)
                  for d in diagnostics if d.code in SOURCE_NOTE_CODES)
    return replace(plan, source_notes=notes)


def render_mermaid(arch: Architecture) -> str:
    return _render_mermaid(arch)


def fails_on(plan: Plan, level: str) -> bool:
    """True when an unacknowledged finding is at least as severe as ``level``."""
    if level not in ("warning", "breaking"):
        raise fail(E_REPORT_FORMAT, f"unknown --fail-on level {level!r}", hint="use warning or breaking")
    floor = SEVERITY_RANK[level]
    return any(SEVERITY_RANK[f.severity] >= floor and not f.acknowledged for f in plan.findings)


# ------------------------------------------------------------------------------ acknowledgements

def _node_loc(path: Path, node: Any, key: str | None = None) -> Location:
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return Location(file=str(path), key=key)
    return Location(file=str(path), line=mark.line + 1, col=mark.column + 1, key=key)


def _scalar(path: Path, node: Any, key: str) -> str:
    import yaml  # noqa: PLC0415

    if not isinstance(node, yaml.ScalarNode):
        raise fail(E_ACK_ENTRY, f"'{key}' must be a string", _node_loc(path, node, key))
    return str(node.value)


def load_acks(path: Path) -> list[StaleAck]:
    """The entries of an ack file (as StaleAck records: code, service, reason, location)."""
    import yaml  # noqa: PLC0415

    where = Location(file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(E_ACK_FILE, f"cannot read the acknowledgement file: {exc.strerror}", where) from None
    if len(data) > MAX_ACK_BYTES:
        raise fail(E_ACK_FILE, f"the acknowledgement file is over {MAX_ACK_BYTES} bytes", where)
    try:
        text = data.decode("utf-8-sig")
        # compose() builds nodes without constructing Python objects, so aliases are never
        # expanded; only scalars two levels down are read.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file=str(path), line=mark.line + 1, col=mark.column + 1) if mark else where
        raise fail(E_ACK_FILE, "the acknowledgement file is not valid UTF-8 YAML", loc) from None
    if root is None:
        return []
    items: Any = root
    if isinstance(root, yaml.MappingNode):
        found = [v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "acknowledgements"]
        unknown = [k for k, _ in root.value if not (isinstance(k, yaml.ScalarNode) and k.value in ("acknowledgements", "version"))]
        if unknown:
            raise fail(E_ACK_ENTRY, "unknown top-level key (expected 'acknowledgements')",
                       _node_loc(path, unknown[0]))
        if not found:
            return []
        items = found[0]
    if not isinstance(items, yaml.SequenceNode):
        raise fail(E_ACK_ENTRY, "'acknowledgements' must be a list", _node_loc(path, items))
    out = []
    for entry in items.value:
        if not isinstance(entry, yaml.MappingNode):
            raise fail(E_ACK_ENTRY, "each acknowledgement must be a mapping with code and reason",
                       _node_loc(path, entry))
        fields: dict[str, str] = {}
        for k, v in entry.value:
            key = _scalar(path, k, "key")
            if key not in ("code", "service", "reason"):
                raise fail(E_ACK_ENTRY, f"unknown key '{key}' (expected code, service, reason)",
                           _node_loc(path, k, key))
            fields[key] = _scalar(path, v, key)
        loc = _node_loc(path, entry)
        finding_code = _resolve_code(fields.get("code", "").strip(), loc)
        reason = fields.get("reason", "").strip()
        if not reason:
            raise fail(E_ACK_ENTRY, f"acknowledgement of {finding_code} has no reason", loc,
                       hint="say why the change is accepted; reviewers read it")
        service = fields.get("service", "").strip() or None
        out.append(StaleAck(code=finding_code, service=None if service == "*" else service,
                            reason=reason, location=loc))
    return out


def _resolve_code(value: str, loc: Location) -> str:
    if value in SPECS:
        return value
    for spec in SPECS.values():
        if spec.slug == value:
            return spec.code
    raise fail(E_ACK_CODE, f"unknown finding code {value!r}" if value else "acknowledgement without a code",
               loc, hint="see docs/findings.md for the codes")


def _matches(ack: StaleAck, f: Finding) -> bool:
    return ack.code == f.code and (ack.service is None or ack.service in f.aliases
                                   or ack.service == f.subject)


def apply_acks(plan: Plan, path: Path) -> Plan:
    """The plan with every finding an entry of ``path`` accepts marked acknowledged, and the
    entries that matched nothing listed as stale."""
    acks = load_acks(path)
    used: set[int] = set()
    findings = []
    for f in plan.findings:
        for i, ack in enumerate(acks):
            if _matches(ack, f):
                used.add(i)
                f = replace(f, acknowledged=True, ack_reason=ack.reason)
                break
        findings.append(f)
    stale = tuple(a for i, a in enumerate(acks) if i not in used)
    return replace(plan, findings=tuple(findings), stale_acks=stale)
