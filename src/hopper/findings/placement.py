"""Regions: how far the setup moves, whether data leaves the EU, retired and unknown codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.diagnostics import HopperError
from hopper.findings.context import Context
from hopper.model import Region

# Below this distance a region change is "nearby" (same metro area or neighbouring city):
# par -> cdg is about 2 km, rbx -> cdg about 210 km, par -> ams about 430 km.
NEARBY_KM = 500.0


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    platform: str
    info: mappings.RegionInfo | None  # None: not in hopper's table and no coordinates given
    retired: bool
    replacement: str | None
    eu: bool | None

    def label(self) -> str:
        if self.info is None:
            return f"{self.code} (unknown)"
        retired = "; retired" if self.retired else ""
        return f"{self.code} ({self.info.city}, {self.info.country}{retired})"


def resolve(region: Region) -> Place:
    """A model region resolved through the platform's table; the region's own facts win."""
    table: dict[str, mappings.RegionInfo] = {}
    try:
        table = mappings.regions(region.platform)
    except HopperError:  # a platform without a table ("compose") is not an error here
        table = {}
    known = table.get(region.code)
    info = known
    if region.latitude is not None and region.longitude is not None:
        info = mappings.RegionInfo(
            platform=region.platform, code=region.code,
            city=region.city or (known.city if known else region.code),
            country=region.country or (known.country if known else "??"),
            latitude=region.latitude, longitude=region.longitude,
            retired=region.retired or (known.retired if known else False),
            replacement=known.replacement if known else None)
    retired = region.retired or (known.retired if known else False)
    eu = region.eu if region.eu is not None else (info.eu if info is not None else None)
    return Place(region.code, region.platform, info, retired,
                 known.replacement if known else None, eu)


def check(ctx: Context) -> None:
    rb, ra = ctx.before.placement.primary, ctx.after.placement.primary
    if rb is None and ra is None:
        return
    if rb is None or ra is None:
        stated = ra if ra is not None else rb
        assert stated is not None
        place = resolve(stated)
        ctx.emit("HD107", "architecture", kind="architecture",
                 before=resolve(rb).label() if rb else "(not stated)",
                 after=place.label() if ra else "(not stated)",
                 evidence_before=rb, evidence_after=ra, region=place.label())
        if ra is not None and place.retired:
            _retired(ctx, place, ra)
        return
    pb, pa = resolve(rb), resolve(ra)
    same = rb.code == ra.code and rb.platform == ra.platform
    if not same:
        ev: dict[str, Any] = {"evidence_before": rb, "evidence_after": ra}
        if pa.info is None or pb.info is None:
            unknown = pa if pa.info is None else pb
            ctx.emit("HD106", "architecture", kind="architecture", before=pb.label(),
                     after=pa.label(), code=unknown.code, platform=unknown.platform, **ev)
        else:
            km = mappings.distance_km(pb.info, pa.info)
            code = "HD101" if km < NEARBY_KM else "HD102"
            ctx.emit(code, "architecture", kind="architecture", before=pb.label(),
                     after=pa.label(), distance=f"{km:,.0f}", **ev)
        if pb.eu is True and pa.eu is False:
            ctx.emit("HD103", "architecture", kind="architecture", before=pb.label(),
                     after=pa.label(), eu_regions=eu_regions(pa.platform), **ev)
        if pb.retired and not pa.retired:
            ctx.emit("HD105", "architecture", kind="architecture", before=pb.label(),
                     after=pa.label(), **ev)
    if pa.retired and not (same and pb.retired):
        _retired(ctx, pa, ra, before=pb.label(), evidence_before=rb)
    _certified(ctx, rb, ra)
    others_b = sorted(r.code for r in ctx.before.placement.others)
    others_a = sorted(r.code for r in ctx.after.placement.others)
    if others_b != others_a:
        ctx.emit("HD108", "architecture", kind="architecture",
                 before=", ".join(others_b) or "(none)", after=", ".join(others_a) or "(none)")


def eu_regions(platform: str) -> str:
    """The current EU/EEA regions of ``platform`` that can run apps, from its regions table."""
    try:
        table = mappings.regions(platform)
    except HopperError:
        table = {}
    codes = sorted(r.code for r in table.values() if r.eu and r.apps and not r.retired)
    return ", ".join(codes) if codes else "hopper's table lists none for this platform"


def _retired(ctx: Context, place: Place, region: Region, *, before: str | None = None,
             evidence_before: Region | None = None) -> None:
    replacement = place.replacement or "a current region"
    ctx.emit("HD104", "architecture", kind="architecture", before=before, after=place.label(),
             evidence_before=evidence_before,
             evidence_after=region, code=place.code, replacement=replacement)


def certification(region: Region) -> str | None:
    try:
        known = mappings.regions(region.platform).get(region.code)
    except HopperError:
        return None
    return known.certified if known is not None else None


def _certified(ctx: Context, rb: Region, ra: Region) -> None:
    """A zone certified for regulated data (Clever Cloud's HDS zones) left for one that is not."""
    before = certification(rb)
    if before is not None and certification(ra) != before:
        ctx.emit("HD109", "architecture", kind="architecture", before=resolve(rb).label(),
                 after=resolve(ra).label(), evidence_before=rb, evidence_after=ra,
                 certification=before)
