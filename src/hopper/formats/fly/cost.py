"""The monthly estimate of a Fly set: Machines, volumes and Postgres from mappings/prices-fly.toml."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from hopper.cost import (
    CostEstimate,
    CostLine,
    count_label,
    instance_counts,
    price_table,
    table_meta,
)
from hopper.model import Architecture, Database, Role, Service, VolumeKind


def fly_machine_price(table: dict[str, Any], cpu_kind: str | None, cpus: float | None,
                      memory_mb: int | None) -> tuple[str, float]:
    """The preset that fits, and its monthly price with extra memory."""
    return _fly_machine_price(id(table), _Frozen(table), cpu_kind, cpus, memory_mb)


class _Frozen:
    """Carries a price table through functools.cache, keyed by the table's identity (tables are
    loaded once per process and never mutated)."""

    __slots__ = ("table",)

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table

    def __hash__(self) -> int:
        return id(self.table)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and other.table is self.table


@functools.lru_cache(maxsize=256)
def _fly_machine_price(_table_id: int, frozen: _Frozen, cpu_kind: str | None,
                       cpus: float | None, memory_mb: int | None) -> tuple[str, float]:
    table = frozen.table
    kind = cpu_kind or "shared"
    want = cpus or 1
    presets = sorted(((name, p) for name, p in table["machines"].items()
                      if p["cpu_kind"] == kind and p["cpus"] >= want),
                     key=lambda item: item[1]["cpus"])
    if not presets:
        presets = sorted(table["machines"].items(), key=lambda item: -item[1]["cpus"])[:1]
    name, preset = presets[0]
    memory = memory_mb if memory_mb is not None else int(preset["memory_mb"])
    extra_gb = max(0, memory - int(preset["memory_mb"])) / 1024
    price = float(preset["month"]) + extra_gb * float(table["memory"]["extra_gb_month"])
    return f"{name}, {memory} MB", price


def estimate(arch: Architecture) -> CostEstimate | None:
    table = price_table("fly")
    if table is None:
        return None
    currency, date, source = table_meta(table)
    lines: list[CostLine] = []
    notes: list[str] = []
    for svc in arch.services:
        s = svc.scaling
        size, each = fly_machine_price(table, s.cpu_kind, s.cpus, s.memory_mb)
        if s.min_instances is None and s.max_instances is None:
            # The set states no count: flyctl's first deploy decides (flyio.md §1.22): two
            # Machines for a group with services, one for a group with a mount or without services.
            serves = svc.runtime.port is not None and svc.role is not Role.WORKER
            first = 2 if serves and not any(v.kind is VolumeKind.NAMED for v in svc.volumes) else 1
            s = replace(s, min_instances=first, max_instances=first)
        low, high = instance_counts(s, can_stop=True)
        lines.append(CostLine(svc.name, f"{count_label(low, high)} × {size}", low * each, high * each))
        lines.extend(_fly_volumes(svc, table, high))
    for db in arch.databases:
        lines.append(_fly_db(db, table, notes))
    if arch.object_stores:
        notes.append("object storage (Tigris) is billed by use: "
                     f"{currency} {table['object_storage']['storage_gb_month']}/GB-month")
    notes.append("traffic, TLS certificates beyond 10 and the regional markup are not included")
    return CostEstimate("fly", currency, date, source, tuple(lines), tuple(notes))


def _fly_volumes(svc: Service, table: dict[str, Any], machines: int) -> list[CostLine]:
    out = []
    for vol in svc.volumes:
        if vol.kind is not VolumeKind.NAMED:
            continue
        gb = vol.size_gb or int(table["volumes"]["default_gb"])
        price = gb * float(table["volumes"]["gb_month"]) * max(machines, 1)
        out.append(CostLine(f"{svc.name}/{vol.name}", f"volume {gb} GB", price, price))
    return out


def _fly_db(db: Database, table: dict[str, Any], notes: list[str]) -> CostLine:
    pg = table["postgres"]
    plans = pg["plans"]
    disk = db.disk_gb or int(pg["default_disk_gb"])
    storage = disk * float(pg["storage_gb_month"])
    if db.plan in plans:
        price = float(plans[db.plan]["month"]) + storage
        return CostLine(db.name, f"Managed Postgres {db.plan}, {disk} GB", price, price)
    if db.cpus is not None or db.memory_mb is not None:
        # Unmanaged Fly Postgres: ordinary Machines plus volumes, one per node.
        size, each = fly_machine_price(table, None, db.cpus, db.memory_mb)
        nodes = 1 + (db.replicas or (2 if db.high_availability else 0))
        price = nodes * (each + disk * float(table["volumes"]["gb_month"]))
        return CostLine(db.name, f"Fly Postgres {nodes} × {size}, {disk} GB", price, price)
    plan = str(pg["default_plan"])
    notes.append(f"database {db.name}: plan not stated, Managed Postgres {plan} assumed")
    price = float(plans[plan]["month"]) + storage
    return CostLine(db.name, f"Managed Postgres {plan} (assumed), {disk} GB", price, price)
