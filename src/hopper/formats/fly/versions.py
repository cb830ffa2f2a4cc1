"""The versions the Fly writer pins, from the dated entries of ``mappings/fly-versions.toml``:
the nginx image tag, the Node.js major of generated Dockerfiles, the GitHub Actions and flyctl
of the deploy workflows. Nothing is looked up at run time, so output stays deterministic.

The Node major is the newest long-term-support release that ``engines.node`` allows (``>=18``
gets the newest LTS; ``20.x`` gets 20); a version the source states outright (a base image tag,
``CC_NODE_VERSION``) is kept; with neither, the table's default LTS.
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings


def _table() -> dict[str, Any]:
    return mappings.table("fly-versions")


def nginx_tag() -> str:
    return str(_table()["nginx"]["tag"])


def actions() -> dict[str, str]:
    entry = _table()["actions"]
    return {"checkout": str(entry["checkout"]), "setup_flyctl": str(entry["setup_flyctl"]),
            "flyctl": str(entry["flyctl"])}


def lts_majors() -> tuple[int, ...]:
    return tuple(sorted(int(m) for m in _table()["node"]["lts"]))


def default_node() -> str:
    return str(_table()["node"]["default"])


def corepack_until() -> int | None:
    """The newest Node.js major whose images bundle corepack (None: every one does)."""
    value = _table()["node"].get("corepack_until")
    return int(value) if value is not None else None


_COMPARATOR = re.compile(r"^(>=|<=|>|<|=|\^|~)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?")


def _allows(alternative: str, major: int) -> bool:
    """Whether one space-separated set of comparators admits some version of ``major``."""
    text = alternative.strip()
    hyphen = re.match(r"^v?(\d+)\S*\s+-\s+v?(\d+)", text)
    if hyphen:
        return int(hyphen.group(1)) <= major <= int(hyphen.group(2))
    for token in re.findall(r"(?:>=|<=|>|<|=|\^|~)?\s*v?[\dxX*][\w.*-]*", text):
        m = _COMPARATOR.match(token.replace(" ", ""))
        if m is None:
            continue
        op, first, minor, patch = m.group(1) or "", m.group(2), m.group(3), m.group(4)
        if not first.isdigit():
            continue  # "*", "x": anything
        x = int(first)
        exact_zero = (minor in (None, "0")) and (patch in (None, "0"))
        ok = {
            ">=": major >= x,
            ">": major > x if minor is None else major >= x,
            "<=": major <= x,
            "<": major < x if exact_zero else major <= x,
        }.get(op, major == x)
        if not ok:
            return False
    return True


def node_major(stated: str | None, engines: str | None) -> str:
    """The Node.js major for a generated Dockerfile (see the module docstring)."""
    if stated:
        head = stated.split(".")[0]
        if head.isdigit():
            return head
    if engines and engines.strip():
        alternatives = engines.split("||")
        allowed = [m for m in lts_majors() if any(_allows(a, m) for a in alternatives)]
        if allowed:
            return str(allowed[-1])
        numbers = [int(n) for n in re.findall(r"(?<![\d.])(\d+)", engines)]
        if numbers:
            return str(max(numbers))
    return default_node()
