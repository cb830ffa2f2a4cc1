"""The target platform's region: the one decision every format with a regions table makes.

In this order:

1. ``--region`` given: it must be one of the platform's regions (a misspelling gets the closest
   current name as a hint; a retired region is refused where the platform creates nothing there);
2. the source states no region: the platform's default, said as an assumption;
3. the source's region is no place hopper knows: refused, since a default could be an ocean away
   from the users and move the data out of its jurisdiction (or, for a format whose text says so
   with a non-error code, the default);
4. the source already runs on the platform, in a region it still offers: kept;
5. otherwise the nearest current region to the source's place (``mappings/regions.toml``), inside
   the EU/EEA when the source is there and the platform keeps jurisdiction; a format may prefer
   another region to the nearest one (Fly.io: the nearest with Managed Postgres).

Each format passes its own codes and texts (:class:`RegionTexts`): the words are the platform's,
the decision is here, so the platforms cannot drift apart. Pure: the regions table comes in, the
choice comes out, its explanation goes to the given :class:`Diagnostics`.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from hopper import mappings
from hopper.diagnostics import CODES, Diagnostics, Location, Severity, fail
from hopper.mappings import RegionInfo
from hopper.model import Region

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Generic[T]):
    """One outcome's diagnostic, in the format's words. A code declared as an ERROR refuses (the
    helper raises); any other severity is reported and the choice goes on."""

    code: str
    text: Callable[[T], str]
    hint: Callable[[T], str | None] | None = None


@dataclass(frozen=True, slots=True)
class Misspelt:
    """A ``--region`` the platform does not have."""

    requested: str
    close: str | None  # the current region closest in spelling, if any is close


@dataclass(frozen=True, slots=True)
class Move:
    """Where the source runs and the region chosen for it."""

    source: Region  # the source's primary region, as read
    place: RegionInfo  # where it is
    nearest: RegionInfo  # the nearest current region (in the jurisdiction, when kept)
    chosen: RegionInfo  # the region written (the nearest, or the one the format preferred)
    km: int  # place to chosen, rounded
    nearest_km: int  # place to nearest, rounded


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionTexts:
    """A format's messages for each outcome; None: the outcome is silent (or, for
    ``retired_request``, a retired region stays usable when named)."""

    requested: Message[RegionInfo] | None  # --region names one of the regions
    unknown_request: Message[Misspelt]  # an ERROR refuses; otherwise --region is written as given
    # --region names a retired region. None: the platform still accepts a retired region when it
    # is named (by --region, or by a source already there); it is never chosen as the nearest.
    retired_request: Message[RegionInfo] | None
    default: Message[RegionInfo] | None  # the source states no region
    unknown_place: Message[Region]  # an ERROR refuses; otherwise the default
    kept: Message[Move] | None  # the source is already in one of the platform's regions
    nearest: Message[Move]
    far: Message[Move] | None = None  # the nearest is farther than RegionPolicy.far_km
    outside_jurisdiction: Message[Move] | None = None  # no region in the source's jurisdiction
    preferred: Message[Move] | None = None  # RegionPolicy.prefer chose another region


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionPolicy:
    platform: str  # the format's name: its section of mappings/regions.toml, and Region.platform
    default: str  # the region when the source states none
    texts: RegionTexts
    # An EU/EEA source goes to the nearest EU/EEA region, when the platform has one.
    keep_jurisdiction: bool = False
    # Beyond this distance the nearest region is reported with ``texts.far``, not ``texts.nearest``.
    far_km: float | None = None
    # Another region the format prefers to the nearest one, or None to keep the nearest.
    prefer: Callable[[RegionInfo], RegionInfo | None] | None = None


class Outcome(enum.Enum):
    REQUESTED = "requested"
    UNKNOWN_REQUEST = "unknown request"
    DEFAULT = "default"
    UNKNOWN_PLACE = "unknown place"
    KEPT = "kept"
    NEAREST = "nearest"
    FAR = "far"
    OUTSIDE_JURISDICTION = "outside jurisdiction"
    PREFERRED = "preferred"


@dataclass(frozen=True, slots=True)
class RegionChoice:
    code: str
    outcome: Outcome


def latency_ms(km: float) -> int:
    """Round-trip time light needs in fibre over ``km`` (about 200 km per ms each way): the least
    every query between two regions pays, before routing and queueing."""
    return max(1, round(2 * km / 200))


def source_place(region: Region) -> RegionInfo | None:
    """Where a source region is: its own coordinates, else its platform's regions table; None
    when hopper knows neither."""
    if region.latitude is not None and region.longitude is not None:
        return RegionInfo(platform=region.platform, code=region.code,
                          city=region.city or region.code, country=region.country or "",
                          latitude=region.latitude, longitude=region.longitude)
    try:
        known = mappings.regions(region.platform)
    except Exception:  # a platform hopper has no table for: no place  # noqa: BLE001
        return None
    return known.get(region.code)


def choose_region(source: Region | None, requested: str | None,
                  regions: Mapping[str, RegionInfo], policy: RegionPolicy,
                  diags: Diagnostics) -> RegionChoice:
    """The region to write, from ``--region`` (``requested``), the source's primary region and
    the platform's ``regions`` table; every outcome is reported with the policy's texts."""
    texts = policy.texts
    if requested is not None:
        return _requested(requested, regions, texts, diags)
    if source is None:
        _say(texts.default, regions[policy.default], diags, None)
        return RegionChoice(policy.default, Outcome.DEFAULT)
    place = source_place(source)
    if place is None:
        _say(texts.unknown_place, source, diags, source.origin)
        return RegionChoice(policy.default, Outcome.UNKNOWN_PLACE)
    usable_retired = texts.retired_request is None
    if source.platform == policy.platform and source.code in regions \
            and (usable_retired or not regions[source.code].retired):
        here = regions[source.code]
        _say(texts.kept, Move(source, place, here, here, 0, 0), diags, source.origin)
        return RegionChoice(source.code, Outcome.KEPT)
    return _nearest(source, place, regions, policy, diags)


def _requested(requested: str, regions: Mapping[str, RegionInfo], texts: RegionTexts,
               diags: Diagnostics) -> RegionChoice:
    info = regions.get(requested)
    if info is None:
        current = sorted(code for code, r in regions.items() if not r.retired)
        close = difflib.get_close_matches(requested, current, n=1)
        _say(texts.unknown_request, Misspelt(requested, close[0] if close else None), diags, None)
        return RegionChoice(requested, Outcome.UNKNOWN_REQUEST)
    if info.retired and texts.retired_request is not None:
        _say(texts.retired_request, info, diags, None)  # an ERROR: refused
    _say(texts.requested, info, diags, None)
    return RegionChoice(requested, Outcome.REQUESTED)


def _nearest(source: Region, place: RegionInfo, regions: Mapping[str, RegionInfo],
             policy: RegionPolicy, diags: Diagnostics) -> RegionChoice:
    texts = policy.texts
    candidates = sorted((r for r in regions.values() if not r.retired and r.apps),
                        key=lambda r: (round(mappings.distance_km(place, r), 3), r.code))
    same = [r for r in candidates if r.eu] if policy.keep_jurisdiction and place.eu else candidates
    nearest = same[0] if same else candidates[0]
    preferred = policy.prefer(nearest) if policy.prefer is not None else None
    chosen = preferred or nearest
    move = Move(source, place, nearest, chosen, round(mappings.distance_km(place, chosen)),
                round(mappings.distance_km(place, nearest)))
    if preferred is not None and texts.preferred is not None:
        outcome, message = Outcome.PREFERRED, texts.preferred
    elif not same and texts.outside_jurisdiction is not None:
        outcome, message = Outcome.OUTSIDE_JURISDICTION, texts.outside_jurisdiction
    elif policy.far_km is not None and move.km > policy.far_km and texts.far is not None:
        outcome, message = Outcome.FAR, texts.far
    else:
        outcome, message = Outcome.NEAREST, texts.nearest
    _say(message, move, diags, source.origin)
    return RegionChoice(chosen.code, outcome)


def _say(message: Message[T] | None, facts: T, diags: Diagnostics, where: Location | None) -> None:
    if message is None:
        return
    text = message.text(facts)
    hint = message.hint(facts) if message.hint is not None else None
    severity = CODES[message.code].severity  # the format declared it (diagnostics.code)
    if severity is Severity.ERROR:
        raise fail(message.code, text, where, hint)
    if severity is Severity.WARNING:
        diags.warning(message.code, text, where, hint)
    else:
        diags.info(message.code, text, where, hint)
