"""The monthly estimate of a Clever Cloud set: flavors and PostgreSQL plans from
mappings/prices-clevercloud.toml."""

from __future__ import annotations

from typing import Any

from hopper.cost import (
    CostEstimate,
    CostLine,
    count_label,
    instance_counts,
    price_table,
    table_meta,
)
from hopper.model import Architecture, Service


def clever_flavor(table: dict[str, Any], svc: Service) -> tuple[str, float, bool]:
    """The flavor of ``svc`` (stated, or the smallest that fits), its price, whether assumed."""
    flavors: dict[str, Any] = table["flavors"]
    ext = svc.extensions.get("clevercloud")
    stated = ext.get("flavor") if isinstance(ext, dict) else None
    if isinstance(stated, str) and stated in flavors:
        return stated, float(flavors[stated]["month"]), False
    s = svc.scaling
    if s.cpus is None and s.memory_mb is None:
        name = str(table["defaults"]["flavor"])
        return name, float(flavors[name]["month"]), True
    fitting = [(float(f["month"]), n) for n, f in flavors.items()
               if f["cpus"] >= (s.cpus or 0) and f["memory_mb"] >= (s.memory_mb or 0)]
    price, name = min(fitting) if fitting else max((float(f["month"]), n) for n, f in flavors.items())
    return name, price, False


def estimate(arch: Architecture) -> CostEstimate | None:
    table = price_table("clevercloud")
    if table is None:
        return None
    currency, date, source = table_meta(table)
    lines: list[CostLine] = []
    notes: list[str] = []
    for svc in arch.services:
        flavor, each, assumed = clever_flavor(table, svc)
        if assumed:
            notes.append(f"{svc.name}: flavor not stated, {flavor} assumed")
        low, high = instance_counts(svc.scaling, can_stop=False)
        lines.append(CostLine(svc.name, f"{count_label(low, high)} × {flavor}", low * each, high * each))
    plans = table["postgresql"]["plans"]
    for db in arch.databases:
        plan = db.plan if db.plan in plans else str(table["postgresql"]["default_plan"])
        if db.plan not in plans:
            notes.append(f"database {db.name}: plan not stated, {plan} assumed")
        price = float(plans[plan])
        lines.append(CostLine(db.name, f"PostgreSQL {plan}", price, price))
    if arch.object_stores:
        notes.append("object storage (Cellar) is billed by use: "
                     f"{currency} {table['object_storage']['storage_gb_month']}/GB-month")
    notes.append("traffic and build instances are not included")
    return CostEstimate("clevercloud", currency, date, source, tuple(lines), tuple(notes))
