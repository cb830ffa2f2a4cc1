"""Scheduled jobs (cron) added, dropped or changed."""

from __future__ import annotations

from hopper.findings.context import Context
from hopper.formats import format_names, get_format
from hopper.formats.base import ScheduleRunner
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


def _runner(platform: str) -> ScheduleRunner | None:
    """How the platform runs a cron job, as its format declares (None: it runs none)."""
    return get_format(platform).platform.schedules if platform in format_names() else None


def _how(runner: ScheduleRunner | None, job: Schedule) -> str | None:
    return runner.how.format(service=job.service or "the app") if runner else None


def _instances(ctx: Context, job: Schedule) -> int:
    """How many instances of the job's service the source runs: each runs the job."""
    svc = ctx.before.service(job.service) if job.service else None
    if svc is None:
        return 1
    low = svc.scaling.min_instances or svc.scaling.max_instances or 1
    return max(1, low)


def check(ctx: Context) -> None:
    for b, a in _pairs(ctx.before.schedules, ctx.after.schedules):
        if b is not None and a is not None and ctx.platform_changes:
            runner_b, runner_a = _runner(ctx.before_platform), _runner(ctx.after_platform)
            rb, ra = _how(runner_b, b), _how(runner_a, a)
            if rb and ra and runner_b and runner_a:
                n = _instances(ctx, b) if runner_b.every_instance else 1
                detail = (f" With {n} instances the source ran it {n} times each time it was due; "
                          f"the target runs it once ({runner_a.once})."
                          if n > 1 and runner_a.once and not runner_a.every_instance else "")
                ctx.emit("HD428", b.name, kind="schedule", before=rb, after=ra,
                         evidence_before=b, evidence_after=a, job=label(b), detail=detail)
        if b is not None and a is None:
            ctx.emit("HD720", b.name, kind="schedule", before=label(b), evidence_before=b)
        elif a is not None and b is None:
            ctx.emit("HD721", a.name, kind="schedule", after=label(a), evidence_after=a)
        elif a is not None and b is not None and (a.cron, a.command) != (b.cron, b.command):
            detail = "at other times" if a.cron != b.cron else "another command"
            ctx.emit("HD722", b.name, kind="schedule", before=label(b), after=label(a),
                     evidence_before=b, evidence_after=a, detail=detail)
