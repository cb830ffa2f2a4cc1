"""Where Fly apps run and how big their Machines are, decided from the model and mappings/.

Regions are mapped by geography: the nearest current Fly region to the source's placement
(``mappings.nearest_region``). Sizes come from the source's CPU and memory through
``mappings/fly-sizes.toml``. Every decision is reported as a diagnostic, so the user can see
what hopper read and what it chose.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, Severity, code, fail
from hopper.model import Architecture, Database, Region, Service

I_REGION = code("HOP501", Severity.INFO, "the Fly region hopper chose, and why")
E_REGION_RETIRED = code("HOP502", Severity.ERROR, "--region names a retired Fly region")
E_REGION_UNKNOWN = code("HOP503", Severity.ERROR, "--region is not a Fly region")
I_VM_SIZE = code("HOP504", Severity.INFO, "the Machine size hopper chose, and why")
W_VM_CLAMPED = code("HOP505", Severity.WARNING, "the source's CPU or memory does not fit any Fly Machine and was reduced")
W_DB_REGION = code("HOP506", Severity.WARNING, "Managed Postgres is not offered in the app region; the nearest MPG region is used")
I_DB_PLAN = code("HOP507", Severity.INFO, "the Postgres plan or cluster size hopper chose, and why")
E_SOURCE_REGION = code("HOP564", Severity.ERROR, "the source's region is not a place hopper knows, and no --region is given")
W_REGION_FOR_DB = code("HOP565", Severity.WARNING, "the apps go to the nearest region with Managed Postgres, not the nearest region")
W_NO_REGION = code("HOP567", Severity.WARNING, "the source states no region; hopper's default region is used")
W_CERTIFIED_ZONE = code("HOP566", Severity.WARNING, "the source runs in a certified zone (HDS); no Fly region has that certification")

# When the source says nothing about where it runs. iad (Ashburn) is Fly's largest region and
# the one most Fly documentation examples use.
DEFAULT_REGION = "iad"


def _sizes() -> dict[str, Any]:
    return mappings.table("fly-sizes")


def latency_ms(km: float) -> int:
    """Round-trip time light needs in fibre over ``km`` (about 200 km per ms each way): the least
    every query between two regions pays, before routing and queueing."""
    return max(1, round(2 * km / 200))


def mpg_regions() -> tuple[str, ...]:
    return tuple(_sizes()["mpg"]["regions"])


def nearest_mpg(here: mappings.RegionInfo) -> mappings.RegionInfo:
    """The nearest Managed Postgres region, inside the EU/EEA when ``here`` is: data stays in
    its jurisdiction (an EU source gets fra or ams, not lhr)."""
    fly = mappings.regions("fly")
    candidates = [fly[c] for c in mpg_regions() if c in fly]
    same = [r for r in candidates if r.eu] if here.eu else candidates
    return min(same or candidates, key=lambda r: (round(mappings.distance_km(here, r), 3), r.code))


def _certified(arch: Architecture, diags: Diagnostics) -> None:
    regions = [r for r in (arch.placement.primary, *arch.placement.others) if r is not None]
    for region in regions:
        place = _place(region)
        if place is not None and place.certified:
            diags.warning(W_CERTIFIED_ZONE, f"the source runs in '{region.code}', a zone certified "
                          f"{place.certified} (health data hosting); no Fly.io region is, so data that "
                          "needs it must not move there", region.origin,
                          hint="keep the regulated data on a certified host, or have the move approved")
            return


def choose_region(arch: Architecture, requested: str | None, diags: Diagnostics,
                  managed_postgres: bool = False) -> str:
    """The primary region: --region, else the source's Fly region, else the nearest Fly region
    to the source's place; when the architecture has PostgreSQL and that region has no Managed
    Postgres, the nearest region that has it (in the same jurisdiction), so apps sit next to
    their database."""
    fly = mappings.regions("fly")
    _certified(arch, diags)
    if requested is not None:
        info = fly.get(requested)
        if info is None:
            close = difflib.get_close_matches(requested, sorted(c for c, r in fly.items() if not r.retired), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see `fly platform regions`"
            raise fail(E_REGION_UNKNOWN, f"--region {requested!r} is not a Fly region", hint=hint)
        if info.retired:
            raise fail(E_REGION_RETIRED,
                       f"--region '{requested}' ({info.city}) is a retired Fly region: new Machines cannot be created there",
                       hint=f"use '{info.replacement}' (Fly's replacement)" if info.replacement else None)
        diags.info(I_REGION, f"primary_region '{requested}' from --region")
        return requested
    primary = arch.placement.primary
    if primary is None:
        # A checkout often does not say where it runs (compose never does): an assumption the
        # user must see, as it decides latency and the data's jurisdiction.
        diags.warning(W_NO_REGION, f"the source states no region; primary_region is '{DEFAULT_REGION}' "
                      f"({fly[DEFAULT_REGION].city}, US), hopper's default",
                      hint="choose the region near your users and data with --region (compose: "
                      "x-hopper: {region: <code>})")
        return DEFAULT_REGION
    place = _place(primary)
    loc = primary.origin
    if place is None:
        # Nothing sensible can be chosen for an unknown place: a default region could be an
        # ocean away from the users and move the data out of its jurisdiction.
        raise fail(E_SOURCE_REGION, f"the source region '{primary.code}' ({primary.platform}) is not a "
                   "place hopper knows, so it cannot choose a Fly region near it", loc,
                   hint="name the region with --region (`fly platform regions` lists them)")
    if primary.platform == "fly" and primary.code in fly and not fly[primary.code].retired:
        diags.info(I_REGION, f"primary_region '{primary.code}' kept from the source", loc)
        return primary.code
    nearest = mappings.nearest_region(place, "fly")
    km = round(mappings.distance_km(place, nearest))
    has_pg = any(d.engine == "postgresql" for d in arch.databases)
    if managed_postgres and has_pg and nearest.code not in mpg_regions():
        chosen = nearest_mpg(nearest)
        far = round(mappings.distance_km(place, chosen))
        diags.warning(W_REGION_FOR_DB, f"source region '{primary.code}' ({place.city}) is nearest to Fly "
                      f"region '{nearest.code}' ({nearest.city}, {km} km), which has no Managed Postgres; "
                      f"the apps and the database go to '{chosen.code}' ({chosen.city}, {far} km away, "
                      f"about {latency_ms(far)} ms more per round trip for users near the source)"
                      + (", the nearest MPG region in the EU" if place.eu else ""), loc,
                      hint=f"--postgres unmanaged keeps everything in '{nearest.code}'; --region "
                      "chooses another")
        return chosen.code
    diags.info(I_REGION, f"source region '{primary.code}' ({place.city}) maps to Fly region "
               f"'{nearest.code}' ({nearest.city}), {km} km away", loc,
               hint="choose another with --region")
    return nearest.code


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


# ---------------------------------------------------------------------------- machine sizes

@dataclass(frozen=True, slots=True)
class VmChoice:
    size: str
    memory_mb: int
    cpu_kind: str
    cpus: int
    from_source: bool


def _round_up(value: int, step: int) -> int:
    return int(math.ceil(value / step) * step)


def memory_string(mb: int) -> str:
    """A fly.toml memory value: whole gigabytes as 'Ngb', otherwise 'Nmb' (binary units)."""
    return f"{mb // 1024}gb" if mb % 1024 == 0 else f"{mb}mb"


def choose_vm(service: Service, diags: Diagnostics) -> VmChoice:
    table = _sizes()
    scaling = service.scaling
    loc = scaling.origin or service.origin
    if scaling.cpus is None and scaling.memory_mb is None and scaling.cpu_kind is None:
        default = table["defaults"][service.role.value]
        preset = _preset(default["size"])
        diags.info(I_VM_SIZE, f"service '{service.name}' states no CPU or memory; hopper chose "
                   f"{default['size']} with {memory_string(default['memory_mb'])}", loc,
                   hint="set the size in the source, or edit [[vm]] in fly.toml")
        return VmChoice(default["size"], int(default["memory_mb"]), preset["cpu_kind"],
                        int(preset["cpus"]), False)
    kind = scaling.cpu_kind if scaling.cpu_kind in ("shared", "performance") else "shared"
    want_cpus = max(1, math.ceil(scaling.cpus or 1))
    want_mem = scaling.memory_mb
    rules = table["memory"][kind]
    candidates = [p for p in table["presets"] if p["cpu_kind"] == kind]
    chosen = None
    for p in candidates:
        max_mem = rules["per_cpu_max_mb"] * p["cpus"]
        if p["cpus"] >= want_cpus and (want_mem is None or want_mem <= max_mem):
            chosen = p
            break
    clamped = False
    if chosen is None:
        chosen = candidates[-1]
        clamped = True
    cpus = int(chosen["cpus"])
    low = rules["per_cpu_min_mb"] * cpus
    high = rules["per_cpu_max_mb"] * cpus
    mem = int(chosen["memory_mb"]) if want_mem is None else _round_up(want_mem, rules["increment_mb"])
    if mem < low:
        mem = low
    if mem > high:
        mem = high
        clamped = True
    asked = []
    if scaling.cpus is not None:
        asked.append(f"{scaling.cpus:g} CPU")
    if want_mem is not None:
        asked.append(f"{want_mem} MB")
    asked_text = " and ".join(asked) if asked else f"{kind} CPU"
    if clamped:
        diags.warning(W_VM_CLAMPED, f"service '{service.name}' asks for {asked_text}; the largest "
                      f"{kind} Machine is {chosen['name']} with {memory_string(mem)}", loc)
    else:
        diags.info(I_VM_SIZE, f"service '{service.name}' ({asked_text}) runs on {chosen['name']} "
                   f"with {memory_string(mem)}", loc)
    return VmChoice(str(chosen["name"]), mem, kind, cpus, True)


def _preset(name: str) -> dict[str, Any]:
    for p in _sizes()["presets"]:
        if p["name"] == name:
            return dict(p)
    raise fail(mappings.E_MAPPING, f"fly-sizes.toml: unknown default preset '{name}'")


def suspend_max_memory_mb() -> int:
    return int(_sizes()["suspend"]["max_memory_mb"])


# ---------------------------------------------------------------------------- postgres

@dataclass(frozen=True, slots=True)
class MpgChoice:
    plan: str
    region: str
    volume_gb: int
    major_version: str | None


def choose_mpg(db: Database, app_region: str, diags: Diagnostics) -> MpgChoice:
    table = _sizes()
    mpg = table["mpg"]
    loc = db.origin
    region = app_region
    if app_region not in mpg["regions"]:
        fly = mappings.regions("fly")
        here = fly[app_region]
        region = nearest_mpg(here).code
        km = round(mappings.distance_km(here, fly[region]))
        diags.warning(W_DB_REGION, f"Managed Postgres is not offered in '{app_region}'; database "
                      f"'{db.name}' goes to '{region}' ({km} km away"
                      + (", the nearest in the EU" if here.eu else "") + f"), so every query crosses "
                      f"regions: about {latency_ms(km)} ms more per round trip", loc,
                      hint=f"use --region {region} to put the apps next to it, or --postgres unmanaged")
    plans = table["mpg_plans"]
    plan = plans[0]
    named = next((p for p in plans if p["name"] == db.plan), None)
    if named is not None:
        # A plan the source already states in Fly's terms (a Fly setup read back) is kept.
        plan = named
        diags.info(I_DB_PLAN, f"database '{db.name}' keeps the MPG plan '{plan['name']}'", loc)
    elif db.memory_mb is not None or db.cpus is not None:
        for p in plans:
            if (db.memory_mb or 0) <= p["memory_mb"] and (db.cpus or 0) <= p["cpus"]:
                plan = p
                break
        else:
            plan = plans[-1]
        diags.info(I_DB_PLAN, f"database '{db.name}' ({db.cpus or '?'} CPU, {db.memory_mb or '?'} MB) "
                   f"uses the MPG plan '{plan['name']}'", loc)
    else:
        diags.info(I_DB_PLAN, f"database '{db.name}' states no size; hopper chose the MPG plan "
                   f"'{plan['name']}', the smallest", loc, hint="change --plan in fly-setup.sh")
    version = None
    if db.version is not None:
        major = db.version.split(".")[0]
        version = major if major in mpg["major_versions"] else None
    return MpgChoice(str(plan["name"]), region, int(db.disk_gb or mpg["default_volume_gb"]), version)


def mpg_versions() -> tuple[str, ...]:
    return tuple(_sizes()["mpg"]["major_versions"])
