"""Monthly cost before and after, from the dated price tables (an estimate, labelled so)."""

from __future__ import annotations

from hopper.cost import CostEstimate, estimate
from hopper.findings.context import Context
from hopper.formats import format_names, get_format

# Warn when the estimate grows by more than half and by more than this much a month.
INCREASE_RATIO = 1.5
INCREASE_MIN = 5.0


def _label(est: CostEstimate | None, platform: str) -> str:
    if est is not None:
        return est.label()
    note = get_format(platform).platform.cost_note if platform in format_names() else None
    if note:
        return f"not estimated ({note})"
    return f"not estimated (no price table for {platform})"


def check(ctx: Context) -> None:
    eb, ea = estimate(ctx.before), estimate(ctx.after)
    if eb is None and ea is None:
        return
    before, after = _label(eb, ctx.before_platform), _label(ea, ctx.after_platform)
    if before == after:
        return
    dates = ", ".join(sorted({f"{e.platform} {e.date}" for e in (eb, ea) if e is not None}))
    ctx.emit("HD801", "architecture", kind="architecture", before=before, after=after,
             dates=dates)
    if eb is not None and ea is not None and eb.currency == ea.currency \
            and ea.high > eb.high * INCREASE_RATIO and ea.high - eb.high > INCREASE_MIN:
        percent = round((ea.high / eb.high - 1) * 100) if eb.high else 100
        ctx.emit("HD802", "architecture", kind="architecture", before=eb.amount(),
                 after=ea.amount(), percent=percent, dates=dates)
