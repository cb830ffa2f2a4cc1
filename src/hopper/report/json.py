"""The JSON plan: one document, ``format_version`` "1.1", sorted keys, no secret values.

Minor versions only add fields; a major version changes or removes one. The JSON Schema is
``hopper/schemas/plan.schema.json`` (shipped in the package; see :func:`schema_path`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hopper.diagnostics import Location
from hopper.findings.types import Finding, Plan
from hopper.report.common import clean

FORMAT_VERSION = "1.1"  # 1.1 added source_notes


def schema_path() -> Path:
    return Path(__file__).parent.parent / "schemas" / "plan.schema.json"


def _loc(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"file": clean(loc.file), "line": loc.line, "col": loc.col,
            "key": clean(loc.key) if loc.key is not None else None}


def _opt(text: str | None) -> str | None:
    return clean(text) if text is not None else None


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code, "slug": f.slug, "category": f.category, "severity": f.severity,
        "change": f.change, "subject": clean(f.subject), "subject_kind": f.subject_kind,
        "title": clean(f.title), "before": _opt(f.before), "after": _opt(f.after),
        "why": clean(f.why), "action": clean(f.action),
        "evidence_before": _loc(f.evidence_before), "evidence_after": _loc(f.evidence_after),
        "acknowledged": f.acknowledged, "ack_reason": _opt(f.ack_reason),
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    counts = plan.counts()
    return {
        "format_version": FORMAT_VERSION,
        "before": {"name": clean(plan.before.name), "format": plan.before.format},
        "after": {"name": clean(plan.after.name), "format": plan.after.format},
        "has_changes": plan.has_changes,
        "summary": counts,
        "findings": [_finding(f) for f in plan.findings],
        "source_notes": [{"code": n.code, "message": clean(n.message), "location": _loc(n.location)}
                         for n in plan.source_notes],
        "stale_acknowledgements": [
            {"code": a.code, "service": _opt(a.service), "reason": clean(a.reason),
             "location": _loc(a.location)} for a in plan.stale_acks],
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_data(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
