"""A service the target runs in another form than the source: identical services the source
load-balanced in one nginx upstream, run as one service with instances (the compose reader's
``upstreams.py`` records them as ``extensions.merged``). A Redis service that becomes a managed
Upstash Redis (HD419) is the Fly format's own finding (``hopper.formats.fly.findings``)."""

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
