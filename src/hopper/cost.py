"""Monthly cost estimates from the dated price tables in ``mappings/prices-<platform>.toml``.

Each format declares its estimator (``Platform.cost``, in ``formats/<name>/cost.py``); this
module holds what they share.

An estimate is a range: the low end counts only what always runs (Machines kept running,
minimum instances), the high end counts every instance running all month. Usage-billed parts
(object storage, traffic, requests) are left out and listed as notes. compose has no price
table: it runs on hosts you pay for elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import HopperError
from hopper.model import Architecture, Autostop, Scaling


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
    """The monthly estimate for ``arch`` on its own platform (the format's declared estimator),
    or None when the platform is not priced."""
    from hopper.formats import format_names, get_format  # noqa: PLC0415

    platform = arch.source_format or ""
    if platform not in format_names():
        return None
    estimator = get_format(platform).platform.cost
    return estimator(arch) if estimator is not None else None


def instance_counts(s: Scaling, *, can_stop: bool) -> tuple[int, int]:
    """How many instances run all month at least and at most."""
    low = s.min_instances if s.min_instances is not None else (s.max_instances or 1)
    high = max(s.max_instances if s.max_instances is not None else low, low)
    if can_stop and s.autostop in (Autostop.STOP, Autostop.SUSPEND):
        low = min(s.min_running or 0, high)  # stopped Machines cost (almost) nothing
    return low, high


def table_meta(table: dict[str, Any]) -> tuple[str, str, str]:
    meta = table["meta"]
    return str(meta.get("currency", "USD")), str(meta["date"]), str(meta["source"])


def count_label(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}..{high}"
