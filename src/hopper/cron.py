"""Cron lines, shared by the readers that find schedules and the writers that emit them.

A schedule is kept as its source wrote it: five fields (minute hour day-of-month month
day-of-week, UTC) or an ``@hourly``-style shorthand, then the command. Nothing here evaluates a
schedule; the writers only need to split a line, check its shape, and know whether it is one of
the four coarse intervals Fly's scheduled Machines offer (flyio.md §7.3).
"""

from __future__ import annotations

import re

SHORTHANDS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
# One field: numbers, ranges, steps, lists, '*', and the three-letter month and day names.
_FIELD = re.compile(r"^[0-9A-Za-z*,/\-?]+$")


def split_line(line: str) -> tuple[str, str] | None:
    """``"0 4 * * * cmd arg"`` → ``("0 4 * * *", "cmd arg")``; None when the line is not a
    schedule followed by a command."""
    tokens = line.strip().split(None, 1)
    if not tokens:
        return None
    if tokens[0].startswith("@"):
        if tokens[0].lower() not in SHORTHANDS or len(tokens) < 2 or not tokens[1].strip():
            return None
        return tokens[0].lower(), tokens[1].strip()
    parts = line.strip().split(None, 5)
    if len(parts) < 6 or not all(_FIELD.match(p) for p in parts[:5]):
        return None
    return " ".join(parts[:5]), parts[5].strip()


def is_cron(expr: str) -> bool:
    """A five-field expression or a shorthand (the shape only)."""
    if expr.lower() in SHORTHANDS:
        return True
    parts = expr.split()
    return len(parts) == 5 and all(_FIELD.match(p) for p in parts)


def coarse_interval(expr: str) -> str | None:
    """``hourly``, ``daily``, ``weekly`` or ``monthly`` when the schedule runs once per such
    period (at any fixed minute, hour or day: Fly's scheduled Machines pick their own time), else
    None."""
    lowered = expr.lower()
    if lowered in ("@hourly",):
        return "hourly"
    if lowered in ("@daily", "@midnight"):
        return "daily"
    if lowered == "@weekly":
        return "weekly"
    if lowered == "@monthly":
        return "monthly"
    parts = expr.split()
    if len(parts) != 5:
        return None
    minute, hour, dom, month, dow = parts
    single = re.compile(r"^[0-9]+$")
    if not single.match(minute) or month != "*":
        return None
    if hour == "*" and dom == "*" and dow == "*":
        return "hourly"
    if not single.match(hour):
        return None
    if dom == "*" and dow == "*":
        return "daily"
    if dom == "*" and re.match(r"^([0-7]|[A-Za-z]{3})$", dow):
        return "weekly"
    if dow == "*" and single.match(dom):
        return "monthly"
    return None
