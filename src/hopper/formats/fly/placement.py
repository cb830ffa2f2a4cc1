"""Where Fly apps run and how big their Machines are, decided from the model and mappings/.

Regions are mapped by geography: the nearest current Fly region to the source's placement
(``mappings.nearest_region``). Sizes come from the source's CPU and memory through
``mappings/fly-sizes.toml``. Every decision is reported as a diagnostic, so the user can see
what hopper read and what it chose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, Severity, code, fail
from hopper.model import Architecture, Database, Service
from hopper.shared import placement as shared_placement
from hopper.shared.placement import (
    Message,
    Move,
    RegionPolicy,
    RegionTexts,
    latency_ms,
    source_place,
)

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
        place = source_place(region)
        if place is not None and place.certified:
            diags.warning(W_CERTIFIED_ZONE, f"the source runs in '{region.code}', a zone certified "
                          f"{place.certified} (health data hosting); no Fly.io region is, so data that "
                          "needs it must not move there", region.origin,
                          hint="keep the regulated data on a certified host, or have the move approved")
            return


def choose_region(arch: Architecture, requested: str | None, diags: Diagnostics,
                  managed_postgres: bool = False) -> str:
    """The primary region: --region, else the source's Fly region, else the nearest Fly region
    to the source's place (``hopper.shared.placement``); when the architecture has PostgreSQL and
    that region has no Managed Postgres, the nearest region that has it (in the same
    jurisdiction), so apps sit next to their database."""
    _certified(arch, diags)
    has_pg = any(d.engine == "postgresql" for d in arch.databases)

    def next_to_postgres(nearest: mappings.RegionInfo) -> mappings.RegionInfo | None:
        if managed_postgres and has_pg and nearest.code not in mpg_regions():
            return nearest_mpg(nearest)
        return None

    policy = RegionPolicy(platform="fly", default=DEFAULT_REGION, texts=_TEXTS, prefer=next_to_postgres)
    return shared_placement.choose_region(arch.placement.primary, requested, mappings.regions("fly"),
                                          policy, diags).code


def _retired_hint(info: mappings.RegionInfo) -> str | None:
    return f"use '{info.replacement}' (Fly's replacement)" if info.replacement else None


def _preferred(m: Move) -> str:
    return (f"source region '{m.source.code}' ({m.place.city}) is nearest to Fly region "
            f"'{m.nearest.code}' ({m.nearest.city}, {m.nearest_km} km), which has no Managed Postgres; "
            f"the apps and the database go to '{m.chosen.code}' ({m.chosen.city}, {m.km} km away, "
            f"about {latency_ms(m.km)} ms more per round trip for users near the source)"
            + (", the nearest MPG region in the EU" if m.place.eu else ""))


_TEXTS = RegionTexts(
    requested=Message(code=I_REGION, text=lambda r: f"primary_region '{r.code}' from --region"),
    unknown_request=Message(
        code=E_REGION_UNKNOWN, text=lambda m: f"--region {m.requested!r} is not a Fly region",
        hint=lambda m: f"did you mean '{m.close}'?" if m.close else "see `fly platform regions`"),
    retired_request=Message(
        code=E_REGION_RETIRED, text=lambda r: f"--region '{r.code}' ({r.city}) is a retired Fly region: "
        "new Machines cannot be created there", hint=_retired_hint),
    # A checkout often does not say where it runs (compose never does): an assumption the user
    # must see, as it decides latency and the data's jurisdiction.
    default=Message(
        code=W_NO_REGION, text=lambda r: f"the source states no region; primary_region is '{r.code}' "
        f"({r.city}, US), hopper's default",
        hint=lambda r: "choose the region near your users and data with --region (compose: "
        "x-hopper: {region: <code>})"),
    unknown_place=Message(
        code=E_SOURCE_REGION, text=lambda s: f"the source region '{s.code}' ({s.platform}) is not a "
        "place hopper knows, so it cannot choose a Fly region near it",
        hint=lambda s: "name the region with --region (`fly platform regions` lists them)"),
    kept=Message(code=I_REGION, text=lambda m: f"primary_region '{m.source.code}' kept from the source"),
    nearest=Message(
        code=I_REGION, text=lambda m: f"source region '{m.source.code}' ({m.place.city}) maps to Fly "
        f"region '{m.chosen.code}' ({m.chosen.city}), {m.km} km away",
        hint=lambda m: "choose another with --region"),
    preferred=Message(code=W_REGION_FOR_DB, text=_preferred,
                      hint=lambda m: f"--postgres unmanaged keeps everything in '{m.nearest.code}'; "
                      "--region chooses another"),
)


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
