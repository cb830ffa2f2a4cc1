"""A service the target runs in another form than the source: identical services the source
load-balanced in one nginx upstream, run as one service with instances (the compose reader's
``upstreams.py`` records them as ``extensions.merged``), and a Redis service that becomes a
managed Upstash Redis (the Fly reader's ``read_upstash.py``)."""

from __future__ import annotations

from hopper.findings.context import Context


def check(ctx: Context) -> None:
    for svc in ctx.before.services:
        merged = svc.extensions.get("merged")
        if not isinstance(merged, dict) or not merged.get("services"):
            continue
        members = [str(m) for m in merged["services"]]
        upstream = str(merged.get("upstream") or "")
        after = ctx.after.service(ctx.after_name_of(svc.name))
        scaling = after.scaling if after is not None else svc.scaling
        count = scaling.min_instances or scaling.max_instances or len(members)
        ctx.emit("HD418", svc.name, before=f"{', '.join(members)} (nginx upstream {upstream})",
                 after=f"{after.name if after is not None else svc.name} x{count}",
                 evidence_before=svc, evidence_after=after, members=", ".join(members),
                 upstream=upstream, count=count)
    for pair, b, a in ctx.paired_services():
        fly = a.extensions.get("fly")
        upstash = fly.get("upstash") if isinstance(fly, dict) else None
        before_fly = b.extensions.get("fly")
        if not upstash or (isinstance(before_fly, dict) and before_fly.get("upstash")):
            continue
        ctx.emit("HD419", pair.name, before=f"{b.image or b.name} (service)", after=f"Upstash Redis {upstash}",
                 evidence_before=b, evidence_after=a, aliases=pair.aliases, platform=ctx.after_platform)
