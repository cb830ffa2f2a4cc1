"""Loads the data tables in ``mappings/`` once, with their source and date.

The tables are TOML files shipped inside the wheel (``hopper/mappings``). In a source checkout
(editable install) they are read from the top-level ``mappings/`` folder. A user can put files of
the same names in a folder named by ``HOPPER_MAPPINGS_DIR``; those win, table by table.

Each file has a ``[meta]`` table with ``source`` and ``date``. Typed accessors for the tables
that several modules need live here; format-specific tables are read by their format with
:func:`table`.
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopper.diagnostics import Severity, code, fail

E_MAPPING = code("HOP030", Severity.ERROR, "a mappings table is missing or malformed")


def _builtin_dir() -> Path:
    packaged = Path(__file__).parent / "mappings"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "mappings"


def search_path() -> tuple[Path, ...]:
    dirs: list[Path] = []
    override = os.environ.get("HOPPER_MAPPINGS_DIR")
    if override:
        dirs.append(Path(override))
    dirs.append(_builtin_dir())
    return tuple(dirs)


@functools.cache
def table(name: str) -> dict[str, Any]:
    """The parsed TOML table ``<name>.toml`` from the first folder that has it."""
    for folder in search_path():
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise fail(E_MAPPING, f"mappings table {candidate} is not valid TOML: {exc}") from None
            meta = data.get("meta")
            if not isinstance(meta, dict) or "source" not in meta or "date" not in meta:
                raise fail(E_MAPPING, f"mappings table {candidate} has no [meta] source and date")
            return data
    raise fail(E_MAPPING, f"no mappings table named '{name}'",
               hint=f"searched: {', '.join(str(p) for p in search_path())}")


def available_tables() -> tuple[str, ...]:
    names: set[str] = set()
    for folder in search_path():
        if folder.is_dir():
            names.update(p.stem for p in folder.glob("*.toml"))
    return tuple(sorted(names))


# ---------------------------------------------------------------------------- regions

@dataclass(frozen=True, slots=True)
class RegionInfo:
    platform: str
    code: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    retired: bool = False
    replacement: str | None = None  # for retired regions: the platform's own suggested successor
    apps: bool = True  # can host applications (some Clever zones are storage-only)
    certified: str | None = None  # a compliance certification of the zone ("HDS")

    @property
    def eu(self) -> bool:
        return self.country in eu_countries()


@functools.cache
def eu_countries() -> frozenset[str]:
    return frozenset(table("regions")["eu_countries"]["codes"])


@functools.cache
def regions(platform: str) -> dict[str, RegionInfo]:
    data = table("regions").get(platform)
    if not isinstance(data, dict):
        raise fail(E_MAPPING, f"regions table has no platform '{platform}'")
    out: dict[str, RegionInfo] = {}
    for region_code, row in data.items():
        out[region_code] = RegionInfo(
            platform=platform,
            code=region_code,
            city=row["city"],
            country=row["country"],
            latitude=float(row["lat"]),
            longitude=float(row["lon"]),
            retired=bool(row.get("retired", False)),
            replacement=row.get("replacement"),
            apps=bool(row.get("apps", True)),
            certified=row.get("certified"),
        )
    return out


def distance_km(a: RegionInfo, b: RegionInfo) -> float:
    """Great-circle distance between two places (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_region(place: RegionInfo, platform: str) -> RegionInfo:
    """The nearest current (not retired) application region of ``platform`` to ``place``.

    Ties are broken by region code so the answer is deterministic.
    """
    candidates = [r for r in regions(platform).values() if not r.retired and r.apps]
    return min(candidates, key=lambda r: (round(distance_km(place, r), 3), r.code))
