"""Where each database runs, on each side: its move, its jurisdiction, a certified zone it
leaves, and its distance from the apps that query it.

A database's region comes from the model: ``Database.extensions[<platform>]["region"]`` when
the reader found one (a Clever add-on's zone, the ``--region`` of Fly's ``mpg create``), else
the architecture's primary region (a database runs where the setup runs unless it says
otherwise). Nothing here looks at what a writer chose.
"""

from __future__ import annotations

from typing import Any

from hopper import mappings
from hopper.findings.context import Context
from hopper.findings.placement import NEARBY_KM, Place, certification, resolve
from hopper.model import Architecture, Database, Region

# Below this distance the database and its apps count as together (same metro area).
TOGETHER_KM = 100.0


def database_region(db: Database, arch: Architecture, platform: str) -> Region | None:
    ext = db.extensions.get(platform)
    code = ext.get("region") if isinstance(ext, dict) else None
    if isinstance(code, str) and code:
        return Region(code=code, platform=platform, origin=db.origin)
    return arch.placement.primary


def jurisdiction(place: Place) -> str | None:
    """The legal area data stored at ``place`` falls under: the EU/EEA, or its country."""
    if place.eu:
        return "the EU/EEA"
    return place.info.country if place.info is not None else None


def relation(pb: Place, pa: Place) -> str:
    """``same country``, ``same jurisdiction`` or ``different jurisdiction`` for a move."""
    if pb.info is not None and pa.info is not None and pb.info.country == pa.info.country:
        return f"same country ({pa.info.country})"
    jb, ja = jurisdiction(pb), jurisdiction(pa)
    if jb is not None and jb == ja:
        return f"same jurisdiction ({ja})"
    return f"different jurisdiction ({jb or 'unknown'} -> {ja or 'unknown'})"


def latency_ms(km: float) -> int:
    """Round-trip time light needs in fibre over ``km`` (about 200 km per ms each way)."""
    return max(1, round(2 * km / 200))


def check(ctx: Context) -> None:
    for pair in ctx.databases:
        b, a = pair.before, pair.after
        rb = database_region(b, ctx.before, ctx.before_platform) if b is not None else None
        ra = database_region(a, ctx.after, ctx.after_platform) if a is not None else None
        ev: dict[str, Any] = {"evidence_before": (rb, b), "evidence_after": (ra, a),
                              "aliases": pair.aliases, "kind": "database"}
        if rb is not None and ra is not None and (rb.code, rb.platform) != (ra.code, ra.platform):
            _move(ctx, pair.name, rb, ra, ev)
        if a is not None and ra is not None:
            _far_from_apps(ctx, pair.name, ra, ev)


def _move(ctx: Context, name: str, rb: Region, ra: Region, ev: dict[str, Any]) -> None:
    pb, pa = resolve(rb), resolve(ra)
    if pb.info is None or pa.info is None:
        return  # an unknown place: HD106 already says hopper cannot place it
    km = mappings.distance_km(pb.info, pa.info)
    rel = relation(pb, pa)
    if rel.startswith("different"):
        ctx.emit("HD425", name, before=pb.label(), after=pa.label(),
                 source=jurisdiction(pb) or pb.info.country,
                 target=jurisdiction(pa) or pa.info.country, **ev)
    else:
        ctx.emit("HD424", name, before=pb.label(), after=pa.label(), relation=rel,
                 distance=f"{km:,.0f}", **ev)
    cert = certification(rb)
    if cert is not None and certification(ra) != cert:
        ctx.emit("HD426", name, before=pb.label(), after=pa.label(), certification=cert, **ev)


def _far_from_apps(ctx: Context, name: str, ra: Region, ev: dict[str, Any]) -> None:
    apps = ctx.after.placement.primary
    if apps is None or (apps.code, apps.platform) == (ra.code, ra.platform):
        return
    pa, pd = resolve(apps), resolve(ra)
    if pa.info is None or pd.info is None:
        return
    km = mappings.distance_km(pa.info, pd.info)
    if km < TOGETHER_KM:
        return
    ctx.emit("HD427", name, before=None, after=f"{pd.label()}; apps in {pa.label()}",
             distance=f"{km:,.0f}", latency=latency_ms(km), apps=pa.code, db=pd.code,
             nearby="nearby" if km < NEARBY_KM else "far away",
             evidence_before=None, evidence_after=ev["evidence_after"],
             aliases=ev["aliases"], kind="database")
