"""SARIF 2.1.0 (OASIS), the format GitHub code scanning reads: ``--format sarif``.

One run, tool ``hopper``. Each rule is a HOP code (``validate``) or an HD finding code (``diff``,
``convert --dry-run``) with its summary, help text and a link to its docs; each result names its
file relative to the repository root (``uriBaseId: %SRCROOT%``, which upload-sarif resolves to the
checkout) with line and column when known. Levels: error / warning / note (breaking / warning /
info for findings). An acknowledged finding is a result with an external suppression carrying
the acknowledgement's reason, so code scanning shows it as dismissed, not open.

Deterministic: rules sorted by id, results by location then rule, no timestamps, no absolute
paths for files inside the repository. The CLI moves locations to repository-root paths before
calling these renderers (:mod:`hopper.cli_locations`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hopper._project import REPOSITORY_URL, docs_url
from hopper._version import __version__
from hopper.diagnostics import CODES, Diagnostic, Location, Severity, code
from hopper.findings.table import SPECS
from hopper.findings.types import Finding, Plan
from hopper.report.common import clean

I_STALE_ACK = code("HOP870", Severity.INFO,
                   "an acknowledgement matches no finding of the plan (SARIF: a note on the ack file)")

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# Finding severities and diagnostic severities (Severity values) as SARIF levels.
_LEVEL = {"breaking": "error", "error": "error", "warning": "warning", "info": "note"}
_RANK = {"error": 0, "warning": 1, "note": 2}

# Which docs page lists each HOP code, by range (first, last, page): the codes of no format;
# each format declares the ranges of its own (``Platform.doc_pages``). Codes outside every range
# link to errors.md, which says where format-specific codes are listed. A test checks that each
# code's page lists it.
_DOC_PAGES: tuple[tuple[int, int, str], ...] = (
    (1, 99, "errors.md"),
    (200, 299, "detection.md"),
    (600, 699, "env-scan.md"),
    (850, 870, "diff.md"),
    (871, 879, "github-action.md"),
)


@functools.cache
def doc_pages() -> tuple[tuple[int, int, str], ...]:
    """Every code range with its docs page: hopper's own, then each registered format's."""
    from hopper.formats import format_names, get_format  # noqa: PLC0415

    return _DOC_PAGES + tuple(r for n in format_names() for r in get_format(n).platform.doc_pages)


def doc_page(code_name: str) -> str:
    """The docs page that lists ``code_name`` (``findings.md`` for HD codes)."""
    if code_name.startswith("HD"):
        return "findings.md"
    number = int(code_name[3:]) if code_name[3:].isdigit() else -1
    for first, last, page in doc_pages():
        if first <= number <= last:
            return page
    return "errors.md"


def help_uri(code_name: str) -> str:
    if code_name.startswith("HD"):
        return docs_url("findings.md", code_name.lower())  # "### HD201" -> #hd201
    return docs_url(doc_page(code_name))


@dataclass(frozen=True, slots=True)
class _Result:
    rule: str
    level: str
    message: str
    location: Location | None
    fingerprint: str
    suppression: str | None = None


def _placeholders(text: str) -> str:
    """Rule texts are the table's templates: ``{distance}`` reads as ``<distance>``."""
    return re.sub(r"\{([a-z_]+)\}", r"<\1>", text)


def _rule(code_name: str) -> dict[str, Any]:
    spec = SPECS.get(code_name)
    if spec is not None:
        short = _placeholders(spec.title)
        full = _placeholders(spec.why)
        help_text = f"{_placeholders(spec.action)} See {help_uri(code_name)}"
        rule: dict[str, Any] = {
            "id": code_name, "name": spec.slug,
            "shortDescription": {"text": short}, "fullDescription": {"text": full},
            "help": {"text": help_text}, "helpUri": help_uri(code_name),
            "defaultConfiguration": {"level": _LEVEL[spec.severity]},
            "properties": {"category": spec.category, "tags": ["hopper", "migration", spec.category]},
        }
        return rule
    info = CODES.get(code_name)
    summary = info.summary if info is not None else code_name
    level = _LEVEL.get(info.severity.value, "note") if info is not None else "warning"
    return {
        "id": code_name,
        "shortDescription": {"text": summary}, "fullDescription": {"text": summary},
        "help": {"text": f"{summary}. See {help_uri(code_name)}"}, "helpUri": help_uri(code_name),
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["hopper"]},
    }


def _uri(path: str) -> tuple[str, str | None]:
    """The artifact URI: repository-relative with %SRCROOT%, or a file: URI outside it."""
    posix = Path(path).as_posix()
    if os.path.isabs(path):
        return Path(path).as_uri(), None
    if posix == os.pardir or posix.startswith(os.pardir + "/"):
        return Path(os.path.abspath(path)).as_uri(), None
    posix = posix.removeprefix("./")
    return quote(posix, safe="/"), SRCROOT


def _location(loc: Location) -> dict[str, Any]:
    uri, base = _uri(clean(loc.file))
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line is not None and loc.line >= 1:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.col is not None and loc.col >= 1:
            region["startColumn"] = loc.col
        physical["region"] = region
    return {"physicalLocation": physical}


def _sort_key(r: _Result) -> tuple[str, int, int, str, int, str]:
    loc = r.location
    return (loc.file if loc else "", (loc.line or 0) if loc else 0, (loc.col or 0) if loc else 0,
            r.rule, _RANK[r.level], r.message)


def _fingerprint(*parts: str) -> str:
    """A stable identity for a result across pushes (code scanning matches alerts by it)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _document(results: Iterable[_Result]) -> str:
    ordered = sorted(results, key=_sort_key)
    rule_ids = sorted({r.rule for r in ordered})
    index = {rule: i for i, rule in enumerate(rule_ids)}
    out = []
    for r in ordered:
        item: dict[str, Any] = {
            "ruleId": r.rule, "ruleIndex": index[r.rule], "level": r.level,
            "message": {"text": clean(r.message)},
            "partialFingerprints": {"hopperResult/v1": r.fingerprint},
        }
        if r.location is not None:
            item["locations"] = [_location(r.location)]
        if r.suppression is not None:
            item["suppressions"] = [{"kind": "external", "status": "accepted",
                                     "justification": clean(r.suppression)}]
        out.append(item)
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hopper", "version": __version__, "semanticVersion": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [_rule(rule) for rule in rule_ids],
            }},
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _finding_result(f: Finding) -> _Result:
    before = f.before if f.before is not None else "(none)"
    after = f.after if f.after is not None else "(none)"
    message = f"{f.subject}: {f.title}. {before} -> {after}. {f.why} Do: {f.action}"
    return _Result(rule=f.code, level=_LEVEL[f.severity], message=message,
                   location=f.evidence_after or f.evidence_before,
                   fingerprint=_fingerprint(f.code, f.subject, f.title),
                   suppression=f.ack_reason if f.acknowledged else None)


def render_sarif(plan: Plan) -> str:
    """The plan's findings, its source notes, and its stale acknowledgements, as SARIF."""
    results = [_finding_result(f) for f in plan.findings]
    results += [_Result(rule=n.code, level="warning", message=n.message, location=n.location,
                        fingerprint=_fingerprint(n.code, n.message)) for n in plan.source_notes]
    results += [_Result(rule=I_STALE_ACK, level="note",
                        message=f"the acknowledgement of {a.code} for {a.service or 'every subject'} "
                                "matches no finding; remove it",
                        location=a.location, fingerprint=_fingerprint(I_STALE_ACK, a.code, a.service or "*"))
                for a in plan.stale_acks]
    return _document(results)


def render_diagnostics_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    """Diagnostics (``hopper validate``) as SARIF; the hint follows the message."""
    results = []
    for d in diagnostics:
        message = d.message + (f" Hint: {d.hint}" if d.hint else "")
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[d.severity]
        where = d.location.file if d.location is not None else ""
        results.append(_Result(rule=d.code, level=level, message=message, location=d.location,
                               fingerprint=_fingerprint(d.code, where, d.message)))
    return _document(results)
