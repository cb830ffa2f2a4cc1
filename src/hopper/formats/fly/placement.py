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

# When the source says nothing about where it runs. iad (Ashburn) is Fly's largest region and
# the one most Fly documentation examples use.
DEFAULT_REGION = "iad"


def _sizes() -> dict[str, Any]:
    return mappings.table("fly-sizes")


def choose_region(arch: Architecture, requested: str | None, diags: Diagnostics) -> str:
    fly = mappings.regions("fly")
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
        diags.info(I_REGION, f"the source states no region; primary_region is '{DEFAULT_REGION}' "
                   f"({fly[DEFAULT_REGION].city}), hopper's default",
                   hint="choose another with --region")
        return DEFAULT_REGION
    place = _place(primary)
    loc = primary.origin
    if place is None:
        diags.info(I_REGION, f"the source region '{primary.code}' has no known location; primary_region is "
                   f"'{DEFAULT_REGION}', hopper's default", loc, hint="choose another with --region")
        return DEFAULT_REGION
    if primary.platform == "fly" and primary.code in fly and not fly[primary.code].retired:
        diags.info(I_REGION, f"primary_region '{primary.code}' kept from the source", loc)
        return primary.code
    nearest = mappings.nearest_region(place, "fly")
    km = round(mappings.distance_km(place, nearest))
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
        region = min(mpg["regions"], key=lambda r: (round(mappings.distance_km(here, fly[r]), 3), r))
        km = round(mappings.distance_km(here, fly[region]))
        diags.warning(W_DB_REGION, f"Managed Postgres is not offered in '{app_region}'; database "
                      f"'{db.name}' goes to '{region}' ({km} km away), so every query crosses regions",
                      loc, hint="use --region with an MPG region, or --postgres unmanaged")
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
