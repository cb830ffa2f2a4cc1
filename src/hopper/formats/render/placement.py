"""Where Render services run and on which plan, decided from the model and mappings/.

Regions are mapped by geography within the source's jurisdiction: an EU source goes to
``frankfurt`` (Render's only EU region), anything else to the nearest Render region. Plans come
from the source's CPU and memory through ``mappings/prices-render.toml``. Every decision is a
diagnostic, so the user sees what hopper read and what it chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics
from hopper.formats.render.codes import (
    E_REGION_UNKNOWN,
    E_SOURCE_REGION,
    I_PLAN,
    I_REGION,
    W_NO_REGION,
    W_PLAN_CLAMPED,
    W_REGION_JURISDICTION,
)
from hopper.model import Architecture, Database, Service
from hopper.shared import placement as shared_placement
from hopper.shared.placement import Message, Move, RegionPolicy, RegionTexts, latency_ms

# Render's own default when a Blueprint names no region (spec §1.4).
DEFAULT_REGION = "oregon"


def prices() -> dict[str, Any]:
    return mappings.table("prices-render")


def choose_region(arch: Architecture, requested: str | None, diags: Diagnostics) -> str:
    """--region, else the source's Render region, else the nearest Render region to the source
    in the same jurisdiction (EU/EEA stays in the EU), else the nearest one with a warning
    (``hopper.shared.placement``)."""
    render = mappings.regions("render")
    return shared_placement.choose_region(arch.placement.primary, requested, render,
                                          _policy(render), diags).code


# A nearest region farther than this is no longer "near the source": the plan says so.
FAR_KM = 1500


def _policy(render: dict[str, mappings.RegionInfo]) -> RegionPolicy:
    listed = ", ".join(render)  # from mappings/, as Render lists them

    def cost(m: Move) -> str:
        return f"{m.km} km away, about {latency_ms(m.km)} ms more per round trip for users near the source"

    def source(m: Move) -> str:
        return f"source region code '{m.source.code}' (platform {m.source.platform}, {m.place.city})"

    texts = RegionTexts(
        requested=Message(code=I_REGION, text=lambda r: f"region '{r.code}' from --region"),
        unknown_request=Message(
            code=E_REGION_UNKNOWN, text=lambda m: f"--region {m.requested!r} is not a Render region",
            hint=lambda m: f"did you mean '{m.close}'?" if m.close
            else f"Render regions: {', '.join(sorted(render))}"),
        retired_request=None,  # Render retires no region (mappings/regions.toml)
        default=Message(
            code=W_NO_REGION, text=lambda r: f"the source states no region; the services go to "
            f"'{r.code}' ({r.city}, US), Render's default",
            hint=lambda r: f"choose the region near your users and data with --region ({listed})"),
        unknown_place=Message(
            code=E_SOURCE_REGION, text=lambda s: f"the source region '{s.code}' ({s.platform}) is not "
            "a place hopper knows, so it cannot choose a Render region near it",
            hint=lambda s: f"name the region with --region ({listed})"),
        kept=Message(code=I_REGION, text=lambda m: f"region '{m.source.code}' kept from the source"),
        nearest=Message(
            code=I_REGION, text=lambda m: f"{source(m)} maps to Render region '{m.chosen.code}' "
            f"({m.chosen.city}), {m.km} km away, about {latency_ms(m.km)} ms more per round trip",
            hint=lambda m: "choose another with --region"),
        outside_jurisdiction=Message(
            code=W_REGION_JURISDICTION, text=lambda m: f"{source(m)} is in the EU and no Render region "
            f"is; the services go to '{m.chosen.code}' ({m.chosen.city}, {cost(m)})",
            hint=lambda m: "have the transfer approved, or choose a region with --region"),
        far=Message(
            code=W_REGION_JURISDICTION, text=lambda m: f"{source(m)} has no Render region near it; the "
            f"nearest in its jurisdiction is '{m.chosen.code}' ({m.chosen.city}, {cost(m)})",
            hint=lambda m: "choose another with --region"),
    )
    return RegionPolicy(platform="render", default=DEFAULT_REGION, texts=texts,
                        keep_jurisdiction=True, far_km=FAR_KM)


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
    cpus = needed_cpus(s.cpus, s.cpu_kind)
    fitting = [(name, p) for name, p in plans
               if float(p["cpus"]) >= (cpus or 0) and int(p["memory_mb"]) >= (s.memory_mb or 0)]
    if fitting:
        name, p = min(fitting, key=lambda item: (float(item[1]["month"]), item[0]))
        if float(p["cpus"]) != (s.cpus or float(p["cpus"])) or int(p["memory_mb"]) != (s.memory_mb or int(p["memory_mb"])):
            shared = (f", counted as {cpus:g} dedicated CPU (a shared vCPU is at most "
                      f"{shared_cpu_share():g} CPU)" if cpus != s.cpus else "")
            diags.info(I_PLAN, f"service '{service.name}' asks for {_size(s.cpus, s.memory_mb, s.cpu_kind)}"
                       f"{shared}; the smallest Render plan that fits is '{name}' ({p['cpus']} CPU, "
                       f"{p['memory_mb']} MB)", loc)
        return PlanChoice(name, float(p["cpus"]), int(p["memory_mb"]))
    name, p = max(plans, key=lambda item: (float(item[1]["month"]), item[0]))
    diags.warning(W_PLAN_CLAMPED, f"service '{service.name}' asks for {_size(s.cpus, s.memory_mb)}, "
                  f"more than any Render plan; hopper chose '{name}' ({p['cpus']} CPU, "
                  f"{p['memory_mb']} MB)", loc, hint="split the service, or measure the real peak")
    return PlanChoice(name, float(p["cpus"]), int(p["memory_mb"]))


def shared_cpu_share() -> float:
    return float(prices()["defaults"]["shared_cpu_share"])


def needed_cpus(cpus: float | None, cpu_kind: str | None) -> float | None:
    """The dedicated CPU a source's CPUs need on Render: a shared vCPU is not a full CPU
    (mappings/prices-render.toml, ``shared_cpu_share``); a fraction is already a share."""
    if cpus is None or cpu_kind != "shared":
        return cpus
    return cpus * shared_cpu_share()


def _size(cpus: float | None, memory_mb: int | None, cpu_kind: str | None = None) -> str:
    kind = "shared " if cpu_kind == "shared" else ""
    parts = [f"{cpus:g} {kind}CPU" if cpus is not None else "", f"{memory_mb} MB" if memory_mb else ""]
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
