"""Instances, size, autostop (scale to zero) and the Machines kept running."""

from __future__ import annotations

from typing import Any

from hopper.findings.context import Context
from hopper.model import Autostop, Role, Scaling, Service


def autostop_label(s: Scaling) -> str:
    # No autostop stated means always on: compose containers and Clever Cloud instances run
    # until stopped, and a fly.toml without auto_stop_machines does not stop Machines.
    if s.autostop in (None, Autostop.OFF):
        return "always on"
    kept = s.min_running or 0
    return f"{s.autostop.value} (scale to zero, {kept} kept running)" if kept == 0 else \
        f"{s.autostop.value} ({kept} kept running)"


def stops_when_idle(s: Scaling) -> bool:
    return s.autostop in (Autostop.STOP, Autostop.SUSPEND)


def instance_range(s: Scaling) -> tuple[int, int]:
    low = s.min_instances if s.min_instances is not None else (s.max_instances or 1)
    high = s.max_instances if s.max_instances is not None else max(low, 1)
    return low, max(high, low)


def _range_label(r: tuple[int, int]) -> str:
    return str(r[0]) if r[0] == r[1] else f"{r[0]}..{r[1]}"


def size_label(s: Scaling) -> str:
    parts = []
    if s.cpus is not None:
        cpus = f"{s.cpus:g}"
        kind = f" {s.cpu_kind}" if s.cpu_kind else ""
        parts.append(f"{cpus}{kind} CPU" + ("s" if s.cpus != 1 else ""))
    parts.append(f"{s.memory_mb} MB" if s.memory_mb is not None else "memory not limited")
    return ", ".join(parts)


def check(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        _check_service(ctx, pair.name, pair.aliases, b, a)


def _check_service(ctx: Context, name: str, aliases: tuple[str, ...], b: Service,
                   a: Service) -> None:
    sb, sa = b.scaling, a.scaling
    ev: dict[str, Any] = {"evidence_before": (sb, b), "evidence_after": (sa, a),
          "aliases": aliases}
    stop_b, stop_a = stops_when_idle(sb), stops_when_idle(sa)
    if not stop_b and stop_a and not sa.min_running:
        assert sa.autostop is not None
        code = "HD202" if a.role is Role.WORKER else "HD201"
        ctx.emit(code, name, before=autostop_label(sb), after=autostop_label(sa),
                 autostop=sa.autostop.value, **ev)
    elif stop_b and not stop_a:
        ctx.emit("HD203", name, before=autostop_label(sb), after=autostop_label(sa), **ev)
    elif stop_a and (not stop_b or (sb.min_running or 0) != (sa.min_running or 0)):
        ctx.emit("HD204", name, before=autostop_label(sb), after=autostop_label(sa), **ev)

    rb, ra = instance_range(sb), instance_range(sa)
    if rb != ra:
        code = "HD206" if rb[0] >= 2 and ra[0] <= 1 else "HD205"
        ctx.emit(code, name, before=_range_label(rb), after=_range_label(ra), **ev)

    if (sb.cpus, sb.cpu_kind, sb.memory_mb) != (sa.cpus, sa.cpu_kind, sa.memory_mb):
        # A side that does not state a size is only compared where the other does.
        if sb.memory_mb is not None and sa.memory_mb is not None and sa.memory_mb < sb.memory_mb:
            ctx.emit("HD208", name, before=size_label(sb), after=size_label(sa),
                     before_mb=sb.memory_mb, after_mb=sa.memory_mb, **ev)
        elif _stated(sb) or _stated(sa):
            ctx.emit("HD207", name, before=size_label(sb), after=size_label(sa), **ev)


def _stated(s: Scaling) -> bool:
    return s.cpus is not None or s.memory_mb is not None
