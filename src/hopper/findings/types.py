"""The records the differ produces: a :class:`Finding` per behaviour change, a :class:`Plan` of them.

A finding is always about one subject (a service, database, object store, secret or the whole
architecture) and carries display strings only: ``before``/``after`` never hold a secret value,
at most "(sensitive value changed)". Texts come from :mod:`hopper.findings.table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hopper.diagnostics import Diagnostic, Location

SeverityName = Literal["info", "warning", "breaking"]
ChangeKind = Literal["add", "change", "remove"]

SEVERITIES: tuple[SeverityName, ...] = ("info", "warning", "breaking")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "breaking": 2}

# Categories in report order, with the heading each renderer prints.
CATEGORIES: dict[str, str] = {
    "components": "services and resources",
    "placement": "placement",
    "scaling": "scaling",
    "secrets-env": "secrets and env",
    "networking": "networking",
    "routing": "routing",
    "data": "data",
    "build-deploy": "build and deploy",
    "cost": "cost",
}
CATEGORY_ORDER: dict[str, int] = {name: i for i, name in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing that behaves differently between the two setups."""

    code: str  # stable: "HD201"
    slug: str  # readable twin of the code: "autostop-enabled"
    category: str  # a key of CATEGORIES
    severity: SeverityName
    change: ChangeKind  # how the text renderer marks it: + add, ~ change, - remove
    subject: str  # the service/resource name as the user knows it (before side first)
    subject_kind: str  # "service", "database", "object_store", "secret", "schedule", "architecture"
    title: str
    before: str | None
    after: str | None
    why: str
    action: str
    evidence_before: Location | None = None
    evidence_after: Location | None = None
    # Every name the subject goes by (before and after), so an acknowledgement written with
    # either name matches.
    aliases: tuple[str, ...] = ()
    acknowledged: bool = False
    ack_reason: str | None = None

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return (CATEGORY_ORDER.get(self.category, 99), self.subject,
                -SEVERITY_RANK[self.severity], self.code, self.title)


@dataclass(frozen=True, slots=True, kw_only=True)
class Side:
    """What the plan says about one of the two setups."""

    name: str
    format: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StaleAck:
    """An acknowledgement that matched no finding (the change it accepted is gone)."""

    code: str
    service: str | None
    reason: str
    location: Location | None = None


# Reader warnings that change what the whole plan means (the source is a dev setup; a front's
# routing was not read): the plan shows them first, above every finding, not only on stderr.
SOURCE_NOTE_CODES = frozenset({"HOP155", "HOP188"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceNote:
    """A reader warning the plan repeats at the top (see :data:`SOURCE_NOTE_CODES`)."""

    code: str
    message: str
    location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    before: Side
    after: Side
    findings: tuple[Finding, ...] = ()
    stale_acks: tuple[StaleAck, ...] = ()
    source_notes: tuple[SourceNote, ...] = ()
    # The two models, for renderers that draw them (Mermaid). Not part of equality.
    before_model: Any = field(default=None, compare=False, repr=False)
    after_model: Any = field(default=None, compare=False, repr=False)
    # The diagnostics of the reads and the write the plan was made from (hopper.plan,
    # compare, conversion_plan), in order; the renderers do not print them (the CLI prints
    # them on stderr). Not part of equality.
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False, repr=False)

    @property
    def has_changes(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        """Totals for the summary line: by change kind, by severity, and acknowledged."""
        out = {"add": 0, "change": 0, "remove": 0, "info": 0, "warning": 0, "breaking": 0,
               "acknowledged": 0}
        for f in self.findings:
            out[f.change] += 1
            out[f.severity] += 1
            out["acknowledged"] += f.acknowledged
        return out
