"""Scheduled jobs (cron) added, dropped or changed."""

from __future__ import annotations

from hopper.findings.context import Context
from hopper.model import Schedule


def label(job: Schedule) -> str:
    where = f" ({job.service})" if job.service else ""
    return f"{job.cron} {job.command}{where}"


def _pairs(before: tuple[Schedule, ...], after: tuple[Schedule, ...]
           ) -> list[tuple[Schedule | None, Schedule | None]]:
    """By name first, then by position among the jobs of the same service (a reader that names
    jobs differently)."""
    by_name = {j.name: j for j in after}
    pairs: list[tuple[Schedule | None, Schedule | None]] = []
    left: list[Schedule] = []
    used: set[str] = set()
    for job in before:
        match = by_name.get(job.name)
        if match is not None:
            pairs.append((job, match))
            used.add(match.name)
        else:
            left.append(job)
    rest = [j for j in after if j.name not in used]
    for job in left:
        match = next((j for j in rest if j.cron == job.cron and j.service == job.service), None)
        if match is not None:
            rest.remove(match)
        pairs.append((job, match))
    pairs.extend((None, j) for j in rest)
    return pairs


def check(ctx: Context) -> None:
    for b, a in _pairs(ctx.before.schedules, ctx.after.schedules):
        if b is not None and a is None:
            ctx.emit("HD720", b.name, kind="schedule", before=label(b), evidence_before=b)
        elif a is not None and b is None:
            ctx.emit("HD721", a.name, kind="schedule", after=label(a), evidence_after=a)
        elif a is not None and b is not None and (a.cron, a.command) != (b.cron, b.command):
            detail = "at other times" if a.cron != b.cron else "another command"
            ctx.emit("HD722", b.name, kind="schedule", before=label(b), after=label(a),
                     evidence_before=b, evidence_after=a, detail=detail)
