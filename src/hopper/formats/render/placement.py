"""Where Render services run and on which plan, decided from the model and mappings/.

Regions are mapped by geography within the source's jurisdiction: an EU source goes to
``frankfurt`` (Render's only EU region), anything else to the nearest Render region. Plans come
from the source's CPU and memory through ``mappings/prices-render.toml``. Every decision is a
diagnostic, so the user sees what hopper read and what it chose.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, fail
from hopper.formats.render.codes import (
    E_REGION_UNKNOWN,
    E_SOURCE_REGION,
    I_PLAN,
    I_REGION,
    W_NO_REGION,
    W_PLAN_CLAMPED,
    W_REGION_JURISDICTION,
)
from hopper.model import Architecture, Database, Region, Service

# Render's own default when a Blueprint names no region (spec §1.4).
DEFAULT_REGION = "oregon"


def prices() -> dict[str, Any]:
    return mappings.table("prices-render")


def latency_ms(km: float) -> int:
    """Round-trip time light needs in fibre over ``km`` (about 200 km per ms each way)."""
    return max(1, round(2 * km / 200))


def _place(region: Region) -> mappings.RegionInfo | None:
    if region.latitude is not None and region.longitude is not None:
        return mappings.RegionInfo(platform=region.platform, code=region.code,
                                   city=region.city or region.code, country=region.country or "",
                                   latitude=region.latitude, longitude=region.longitude)
    try:
        known = mappings.regions(region.platform)
    except Exception:  # a platform hopper has no table for: no place  # noqa: BLE001
        return None
    return known.get(region.code)


def choose_region(arch: Architecture, requested: str | None, diags: Diagnostics) -> str:
    """--region, else the source's Render region, else the nearest Render region to the source
    in the same jurisdiction (EU/EEA stays in the EU), else the nearest one with a warning."""
    render = mappings.regions("render")
    listed = ", ".join(render)  # from mappings/, as Render lists them
    if requested is not None:
        if requested not in render:
            close = difflib.get_close_matches(requested, sorted(render), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"Render regions: {', '.join(sorted(render))}"
            raise fail(E_REGION_UNKNOWN, f"--region {requested!r} is not a Render region", hint=hint)
        diags.info(I_REGION, f"region '{requested}' from --region")
        return requested
    primary = arch.placement.primary
    if primary is None:
        diags.warning(W_NO_REGION, f"the source states no region; the services go to "
                      f"'{DEFAULT_REGION}' ({render[DEFAULT_REGION].city}, US), Render's default",
                      hint=f"choose the region near your users and data with --region ({listed})")
        return DEFAULT_REGION
    place = _place(primary)
    loc = primary.origin
    if place is None:
        raise fail(E_SOURCE_REGION, f"the source region '{primary.code}' ({primary.platform}) is not a "
                   "place hopper knows, so it cannot choose a Render region near it", loc,
                   hint=f"name the region with --region ({listed})")
    if primary.platform == "render" and primary.code in render:
        diags.info(I_REGION, f"region '{primary.code}' kept from the source", loc)
        return primary.code
    candidates = sorted(render.values(), key=lambda r: (round(mappings.distance_km(place, r), 3), r.code))
    same = [r for r in candidates if r.eu == place.eu] if place.eu else candidates
    chosen = same[0] if same else candidates[0]
    km = round(mappings.distance_km(place, chosen))
    cost = f"{km} km away, about {latency_ms(km)} ms more per round trip for users near the source"
    if not same:
        diags.warning(W_REGION_JURISDICTION, f"source region code '{primary.code}' (platform "
                      f"{primary.platform}, {place.city}) is in the EU "
                      f"and no Render region is; the services go to '{chosen.code}' ({chosen.city}, {cost})",
                      loc, hint="have the transfer approved, or choose a region with --region")
    elif km > 1500:
        diags.warning(W_REGION_JURISDICTION, f"source region code '{primary.code}' (platform "
                      f"{primary.platform}, {place.city}) has no Render "
                      f"region near it; the nearest in its jurisdiction is '{chosen.code}' ({chosen.city}, "
                      f"{cost})", loc, hint="choose another with --region")
    else:
        diags.info(I_REGION, f"source region code '{primary.code}' (platform {primary.platform}, "
                   f"{place.city}) maps to Render region '{chosen.code}' ({chosen.city}), {km} km "
                   f"away, about {latency_ms(km)} ms more per round trip", loc,
                   hint="choose another with --region")
    return chosen.code


@dataclass(frozen=True, slots=True)
class PlanChoice:
    plan: str
    cpus: float
    memory_mb: int


def choose_plan(service: Service, diags: Diagnostics, *, allow_free: bool = False) -> PlanChoice:
    """The smallest compute plan with at least the source's CPU and memory; Render's default
    (starter) when the source states neither."""
    table = prices()
    plans = [(name, p) for name, p in table["plans"].items()
             if allow_free or not p.get("web_only", False)]
    s = service.scaling
    loc = s.origin or service.origin
    if s.cpus is None and s.memory_mb is None:
        name = str(table["defaults"]["plan"])
        p = table["plans"][name]
        diags.info(I_PLAN, f"service '{service.name}' states no CPU or memory; hopper chose Render's "
                   f"default plan '{name}' ({p['cpus']} CPU, {p['memory_mb']} MB)", loc,
                   hint="set the size in the source, or edit `plan` in render.yaml")
        return PlanChoice(name, float(p["cpus"]), int(p["memory_mb"]))
    fitting = [(name, p) for name, p in plans
               if float(p["cpus"]) >= (s.cpus or 0) and int(p["memory_mb"]) >= (s.memory_mb or 0)]
    if fitting:
        name, p = min(fitting, key=lambda item: (float(item[1]["month"]), item[0]))
        if float(p["cpus"]) != (s.cpus or float(p["cpus"])) or int(p["memory_mb"]) != (s.memory_mb or int(p["memory_mb"])):
            diags.info(I_PLAN, f"service '{service.name}' asks for {_size(s.cpus, s.memory_mb)}; "
                       f"the smallest Render plan that fits is '{name}' ({p['cpus']} CPU, "
                       f"{p['memory_mb']} MB)", loc)
        return PlanChoice(name, float(p["cpus"]), int(p["memory_mb"]))
    name, p = max(plans, key=lambda item: (float(item[1]["month"]), item[0]))
    diags.warning(W_PLAN_CLAMPED, f"service '{service.name}' asks for {_size(s.cpus, s.memory_mb)}, "
                  f"more than any Render plan; hopper chose '{name}' ({p['cpus']} CPU, "
                  f"{p['memory_mb']} MB)", loc, hint="split the service, or measure the real peak")
    return PlanChoice(name, float(p["cpus"]), int(p["memory_mb"]))


def _size(cpus: float | None, memory_mb: int | None) -> str:
    parts = [f"{cpus:g} CPU" if cpus is not None else "", f"{memory_mb} MB" if memory_mb else ""]
    return ", ".join(p for p in parts if p) or "no stated size"


def plan_size(plan: str) -> tuple[float, int] | None:
    """CPU and memory of a compute plan, for the reader."""
    row = prices()["plans"].get(plan)
    return (float(row["cpus"]), int(row["memory_mb"])) if row else None


def postgres_plans() -> list[dict[str, Any]]:
    return list(prices()["postgres"]["plans"])


def choose_db_plan(db: Database, diags: Diagnostics) -> str:
    """The source's Render plan, else the smallest Postgres plan with the source's memory (a
    pro-* plan when it has high availability); Render's default (basic-256mb) otherwise."""
    plans = postgres_plans()
    names = {str(p["name"]) for p in plans}
    if db.plan in names:
        return str(db.plan)
    ha = bool(db.high_availability) or bool(db.replicas)
    fitting = [p for p in plans if (not ha or p["ha"]) and int(p["memory_mb"]) >= (db.memory_mb or 0)]
    if db.memory_mb is None and not ha:
        name = str(prices()["defaults"]["postgres_plan"])
        diags.info(I_PLAN, f"database '{db.name}' states no size; hopper chose Render's default "
                   f"plan '{name}'", db.origin, hint="edit `plan` in render.yaml")
        return name
    chosen = fitting[0] if fitting else plans[-1]
    why = " with high availability" if ha else ""
    diags.info(I_PLAN, f"database '{db.name}' ({db.memory_mb or '?'} MB{why}) gets Render Postgres "
               f"plan '{chosen['name']}'", db.origin, hint="edit `plan` in render.yaml")
    return str(chosen["name"])


def db_plan_memory(plan: str) -> int | None:
    for p in postgres_plans():
        if p["name"] == plan:
            return int(p["memory_mb"])
    return None
