"""Monthly cost estimates from the dated price tables in ``mappings/prices-<platform>.toml``.

An estimate is a range: the low end counts only what always runs (Machines kept running,
minimum instances), the high end counts every instance running all month. Usage-billed parts
(object storage, traffic, requests) are left out and listed as notes. compose has no price
table: it runs on hosts you pay for elsewhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from hopper import mappings
from hopper.diagnostics import HopperError
from hopper.model import Architecture, Autostop, Database, Role, Scaling, Service, VolumeKind


@dataclass(frozen=True, slots=True)
class CostLine:
    component: str
    detail: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class CostEstimate:
    platform: str
    currency: str
    date: str
    source: str
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...]

    @property
    def low(self) -> float:
        return round(sum(line.low for line in self.lines), 2)

    @property
    def high(self) -> float:
        return round(sum(line.high for line in self.lines), 2)

    def amount(self) -> str:
        if abs(self.high - self.low) < 0.005:
            return f"{self.currency} {self.low:.2f}/month"
        return f"{self.currency} {self.low:.2f}–{self.high:.2f}/month"

    def label(self) -> str:
        return f"{self.amount()} (estimate, prices of {self.date})"


def price_table(platform: str) -> dict[str, Any] | None:
    try:
        return mappings.table(f"prices-{platform}")
    except HopperError:
        return None


def estimate(arch: Architecture) -> CostEstimate | None:
    """The monthly estimate for ``arch`` on its own platform, or None when there is no table."""
    platform = arch.source_format or ""
    table = price_table(platform)
    if table is None:
        return None
    if platform == "fly":
        return _fly(arch, table)
    if platform == "clevercloud":
        return _clever(arch, table)
    return None


def _counts(s: Scaling, *, can_stop: bool) -> tuple[int, int]:
    """How many instances run all month at least and at most."""
    low = s.min_instances if s.min_instances is not None else (s.max_instances or 1)
    high = max(s.max_instances if s.max_instances is not None else low, low)
    if can_stop and s.autostop in (Autostop.STOP, Autostop.SUSPEND):
        low = min(s.min_running or 0, high)  # stopped Machines cost (almost) nothing
    return low, high


def _meta(table: dict[str, Any]) -> tuple[str, str, str]:
    meta = table["meta"]
    return str(meta.get("currency", "USD")), str(meta["date"]), str(meta["source"])


# ------------------------------------------------------------------------------------ Fly.io

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


def _fly(arch: Architecture, table: dict[str, Any]) -> CostEstimate:
    currency, date, source = _meta(table)
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
        low, high = _counts(s, can_stop=True)
        lines.append(CostLine(svc.name, f"{_n(low, high)} × {size}", low * each, high * each))
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


# ------------------------------------------------------------------------------- Clever Cloud

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


def _clever(arch: Architecture, table: dict[str, Any]) -> CostEstimate:
    currency, date, source = _meta(table)
    lines: list[CostLine] = []
    notes: list[str] = []
    for svc in arch.services:
        flavor, each, assumed = clever_flavor(table, svc)
        if assumed:
            notes.append(f"{svc.name}: flavor not stated, {flavor} assumed")
        low, high = _counts(svc.scaling, can_stop=False)
        lines.append(CostLine(svc.name, f"{_n(low, high)} × {flavor}", low * each, high * each))
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


def _n(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}..{high}"
