"""What every rule gets: the two models, components paired across them, and ``emit``.

Pairing is by name first. Platforms name things differently (compose ``api``, Fly
``webapp-api``), so names left over are paired again after removing each side's common prefix,
then by role (services) or engine/provider (resources) when exactly one is left on each side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hopper.diagnostics import Location
from hopper.findings.hints import hints_for, used_in
from hopper.findings.points import POINTS, locate
from hopper.findings.table import SPECS
from hopper.findings.types import Finding
from hopper.model import Architecture, Database, ObjectStore, Service

T = TypeVar("T", Service, Database, ObjectStore)


@dataclass(frozen=True, slots=True)
class Pair(Generic[T]):
    before: T | None
    after: T | None
    method: str = "name"  # "name", "prefix" or "role": how the two were matched
    name: str = field(init=False)  # the before side's name when there is one
    aliases: tuple[str, ...] = field(init=False)  # every name the pair goes by

    def __post_init__(self) -> None:
        names = [x.name for x in (self.before, self.after) if x is not None]
        object.__setattr__(self, "name", names[0])
        object.__setattr__(self, "aliases", tuple(dict.fromkeys(names)))


_SEPARATOR = re.compile(r"[-_.]")


def _strip_prefix(names: Sequence[str], arch_name: str) -> dict[str, str]:
    """Each name without the prefix all names share (cut at a separator), or the arch name."""
    out: dict[str, str] = {}
    common = ""
    if len(names) >= 2:
        first, last = min(names), max(names)
        i = 0
        while i < min(len(first), len(last)) and first[i] == last[i]:
            i += 1
        common = first[:i]
        cut = max((m.end() for m in _SEPARATOR.finditer(common)), default=0)
        common = common[:cut]
    for name in names:
        short = name
        for prefix in (common, f"{arch_name}-", f"{arch_name}_"):
            if prefix and short.startswith(prefix) and len(short) > len(prefix):
                short = short[len(prefix):]
                break
        out[name] = short
    return out


def pair_up(before: Sequence[T], after: Sequence[T], before_arch: str, after_arch: str,
            kind_of: Callable[[T], str]) -> list[Pair[T]]:
    """Pair components of two setups; the result is sorted by the pair's name."""
    pairs: list[Pair[T]] = []
    after_by_name = {x.name: x for x in after}
    left_b: list[T] = []
    for item in before:
        match = after_by_name.pop(item.name, None)
        if match is not None:
            pairs.append(Pair(item, match, "name"))
        else:
            left_b.append(item)
    left_a = sorted(after_by_name.values(), key=lambda x: x.name)

    if left_b and left_a:
        short_b = _strip_prefix([x.name for x in before], before_arch)
        short_a = _strip_prefix([x.name for x in after], after_arch)
        by_short: dict[str, list[T]] = {}
        for item in left_a:
            by_short.setdefault(short_a[item.name], []).append(item)
        still_b: list[T] = []
        for item in left_b:
            candidates = by_short.get(short_b[item.name], [])
            if len(candidates) == 1 and candidates[0] in left_a:
                pairs.append(Pair(item, candidates[0], "prefix"))
                left_a.remove(candidates[0])
            else:
                still_b.append(item)
        left_b = still_b

    if left_b and left_a:
        kinds_b: dict[str, list[T]] = {}
        kinds_a: dict[str, list[T]] = {}
        for item in left_b:
            kinds_b.setdefault(kind_of(item), []).append(item)
        for item in left_a:
            kinds_a.setdefault(kind_of(item), []).append(item)
        for kind, items in kinds_b.items():
            others = kinds_a.get(kind, [])
            if len(items) == 1 and len(others) == 1:
                pairs.append(Pair(items[0], others[0], "role"))
                left_b.remove(items[0])
                left_a.remove(others[0])

    pairs.extend(Pair(item, None, "name") for item in left_b)
    pairs.extend(Pair(None, item, "name") for item in left_a)
    pairs.sort(key=lambda p: p.name)
    return pairs


class _Params(dict[str, Any]):
    """Missing placeholders stay visible instead of raising: a text bug must not crash a plan."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def origin(obj: Any) -> Location | None:
    if isinstance(obj, Location):
        return obj
    loc = getattr(obj, "origin", None)
    return loc if isinstance(loc, Location) else None


def first_origin(*objs: Any) -> Location | None:
    for obj in objs:
        loc = origin(obj)
        if loc is not None:
            return loc
    return None


def evidence(value: Any, points: tuple[str, ...] = ()) -> Location | None:
    """Evidence as rules pass it: a Location, a component, or a tuple of candidates. With
    ``points`` (the model fields the finding is about, see :mod:`hopper.findings.points`), the
    key the user wrote for one of them wins; else the first candidate with a known origin.
    Resolved only when a finding is emitted, which keeps the rules cheap on large setups where
    most pairs have nothing to report."""
    candidates = value if isinstance(value, tuple) else (value,)
    if points:
        loc = locate(candidates, points)
        if loc is not None:
            return loc
    return first_origin(*candidates)


@dataclass
class Context:
    before: Architecture
    after: Architecture
    services: list[Pair[Service]] = field(default_factory=list)
    databases: list[Pair[Database]] = field(default_factory=list)
    stores: list[Pair[ObjectStore]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _after_names: dict[str, str] | None = None

    @classmethod
    def build(cls, before: Architecture, after: Architecture) -> Context:
        ctx = cls(before, after)
        ctx.services = pair_up(before.services, after.services, before.name, after.name,
                               lambda s: s.role.value)
        ctx.databases = pair_up(before.databases, after.databases, before.name, after.name,
                                lambda d: d.engine)
        ctx.stores = pair_up(before.object_stores, after.object_stores, before.name, after.name,
                             lambda o: "object_store")
        return ctx

    @property
    def before_platform(self) -> str:
        return self.before.source_format or "unknown"

    @property
    def after_platform(self) -> str:
        return self.after.source_format or "unknown"

    @property
    def platform_changes(self) -> bool:
        return self.before_platform != self.after_platform

    def after_name_of(self, before_name: str) -> str:
        """The after-side name of a service or resource named ``before_name`` on the before side."""
        if self._after_names is None:
            self._after_names = {}
            for pairs in (self.services, self.databases, self.stores):
                for p in pairs:
                    if p.before is not None and p.after is not None:
                        self._after_names.setdefault(p.before.name, p.after.name)
        return self._after_names.get(before_name, before_name)

    def paired_services(self) -> Iterable[tuple[Pair[Service], Service, Service]]:
        """Services present on both sides. A pair that is equal, paired by name, on the same
        platform with the same architecture-level secrets cannot differ in any per-service
        rule, so it is skipped (this keeps large, mostly unchanged setups fast)."""
        skip_equal = not self.platform_changes and self.before.secrets == self.after.secrets
        for p in self.services:
            if p.before is None or p.after is None:
                continue
            if skip_equal and p.method == "name" and p.before == p.after:
                continue
            yield p, p.before, p.after

    def withdraw(self, finding_code: str, subject: str) -> None:
        """Drop what a generic rule said about ``subject`` that a format's own finding says
        better (the format's rules run after the generic ones)."""
        self.findings = [f for f in self.findings
                         if not (f.code == finding_code and f.subject == subject)]

    def emit(self, finding_code: str, subject: str, /, *, before: str | None = None,
             after: str | None = None, evidence_before: Any = None,
             evidence_after: Any = None, aliases: tuple[str, ...] = (),
             kind: str = "service", **params: Any) -> None:
        spec = SPECS[finding_code]
        values = _Params(params)
        values.setdefault("before", before if before is not None else "(none)")
        values.setdefault("after", after if after is not None else "(none)")
        for key in used_in(spec.why + spec.action):
            # The target's own way of doing what the text asks (findings/hints.py).
            values.setdefault(key, hints_for(self.after_platform)[key].format_map(values))
        points = tuple(p.format_map(values) for p in POINTS.get(finding_code, ()))
        self.findings.append(Finding(
            code=finding_code, slug=spec.slug, category=spec.category, severity=spec.severity,
            change=spec.change, subject=subject, subject_kind=kind,
            title=spec.title.format_map(values), before=before, after=after,
            why=spec.why.format_map(values).rstrip(), action=spec.action.format_map(values).rstrip(),
            evidence_before=evidence(evidence_before, points),
            evidence_after=evidence(evidence_after, points),
            aliases=aliases or (subject,),
        ))
