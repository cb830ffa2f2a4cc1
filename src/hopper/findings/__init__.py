"""The differ's rules, one module per category, and the records they produce.

Each rule module has ``check(ctx)``; :mod:`hopper.diff` runs them in category order.
"""

from __future__ import annotations

from hopper.findings.types import (
    CATEGORIES,
    SEVERITIES,
    SEVERITY_RANK,
    Finding,
    Plan,
    Side,
    StaleAck,
)

__all__ = ["CATEGORIES", "SEVERITIES", "SEVERITY_RANK", "Finding", "Plan", "Side", "StaleAck"]
