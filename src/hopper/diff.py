"""The differ: two architectures in, a :class:`Plan` of findings out.

It pairs components by name (then by name without the platform's prefix, then by role), runs
each category's rules (:mod:`hopper.findings`) over the pairs, and sorts the findings so every
rendering is deterministic. It works on the model only: any two setups in any formats compare.
"""

from __future__ import annotations

import importlib
from typing import Any

from hopper.findings import (
    build_deploy,
    components,
    cost,
    data,
    db_placement,
    merged,
    networking,
    placement,
    routing,
    scaling,
    schedules,
    secrets_env,
)
from hopper.findings.context import Context
from hopper.findings.types import Finding, Plan, Side
from hopper.formats import format_names, get_format
from hopper.model import Architecture

RULES = (components, placement, db_placement, scaling, secrets_env, networking, merged, routing, data,
         build_deploy, schedules, cost)

__all__ = ["Finding", "Plan", "diff_models"]


def diff_models(before: Architecture, after: Architecture) -> Plan:
    """Every behaviour change from ``before`` to ``after``; no findings when they are equal."""
    if before == after:
        # Equal models (origins are outside equality) behave the same: nothing to report.
        return _plan(before, after, ())
    ctx = Context.build(before, after)
    for rule in RULES:
        rule.check(ctx)
    for module in _format_rules(ctx.before_platform, ctx.after_platform):
        module.check(ctx)
    findings = tuple(sorted(_dedupe(ctx.findings), key=Finding.sort_key))
    return _plan(before, after, findings)


def _format_rules(*platforms: str) -> list[Any]:
    """The plan rules a format declares about its platform, for the platforms of a diff."""
    out = []
    for name in sorted(set(platforms) & set(format_names())):
        module = get_format(name).platform.findings_module
        if module:
            out.append(importlib.import_module(module))
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str | None, str | None]] = set()
    out = []
    for f in findings:
        key = (f.code, f.subject, f.before, f.after)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _plan(before: Architecture, after: Architecture, findings: tuple[Finding, ...]) -> Plan:
    return Plan(before=Side(name=before.name, format=before.source_format),
                after=Side(name=after.name, format=after.source_format),
                findings=findings, before_model=before, after_model=after)
