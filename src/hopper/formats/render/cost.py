"""The monthly estimate of a Render Blueprint: compute plans and Postgres plans from
mappings/prices-render.toml. Static sites are free; Key Value and storage are not priced."""

from __future__ import annotations

from hopper.cost import (
    CostEstimate,
    CostLine,
    count_label,
    instance_counts,
    price_table,
    table_meta,
)
from hopper.model import Architecture


def estimate(arch: Architecture) -> CostEstimate | None:
    table = price_table("render")
    if table is None:
        return None
    currency, date, source = table_meta(table)
    plans = table["plans"]
    lines: list[CostLine] = []
    notes: list[str] = []
    uncertain: set[str] = set()
    for svc in arch.services:
        if svc.build is not None and svc.build.runtime in ("static", "node") and svc.static_site \
                and svc.runtime.port is None:
            lines.append(CostLine(svc.name, "static site", 0.0, 0.0))
            continue
        if svc.image == "redis" and svc.build is None:
            notes.append(f"{svc.name}: Key Value is not priced here")
            continue
        plan = next((n for n, p in plans.items() if float(p["cpus"]) == (svc.scaling.cpus or -1)
                     and int(p["memory_mb"]) == (svc.scaling.memory_mb or -1)),
                    str(table["defaults"]["plan"]))
        each = float(plans[plan]["month"])
        if plans[plan].get("uncertain"):
            uncertain.add(plan)
        low, high = instance_counts(svc.scaling, can_stop=False)
        lines.append(CostLine(svc.name, f"{count_label(low, high)} × {plan}", low * each, high * each))
    for sched in arch.schedules:
        notes.append(f"{sched.name}: cron jobs are billed per second of run time")
    pg = {p["name"]: p for p in table["postgres"]["plans"]}
    for db in arch.databases:
        name = db.plan if db.plan is not None and db.plan in pg else str(table["defaults"]["postgres_plan"])
        row = pg[name]
        if "month" not in row:
            notes.append(f"database {db.name}: plan {name} is not priced here")
            continue
        if row.get("uncertain"):
            uncertain.add(name)
        price = float(row["month"])
        lines.append(CostLine(db.name, f"Render Postgres {name}", price, price))
    if uncertain:
        notes.append(f"prices of {', '.join(sorted(uncertain))} are unconfirmed (see mappings)")
    notes.append("database storage, bandwidth and build minutes are not included")
    return CostEstimate("render", currency, date, source, tuple(lines), tuple(notes))
