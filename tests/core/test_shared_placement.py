"""The region choice every format with a regions table shares (hopper.shared.placement): each
branch, on a small made-up table so the geography is obvious."""

from __future__ import annotations

import pytest

from hopper.diagnostics import Diagnostics, HopperError, Location
from hopper.formats.render.codes import (
    E_REGION_UNKNOWN,
    E_SOURCE_REGION,
    I_REGION,
    W_NO_REGION,
    W_REGION_JURISDICTION,
)
from hopper.mappings import RegionInfo
from hopper.model import Region
from hopper.shared.placement import (
    Message,
    Move,
    Outcome,
    RegionChoice,
    RegionPolicy,
    RegionTexts,
    choose_region,
    latency_ms,
    source_place,
)


def _info(code: str, city: str, country: str, lat: float, lon: float, **extra: object) -> RegionInfo:
    return RegionInfo(platform="demo", code=code, city=city, country=country, latitude=lat,
                      longitude=lon, **extra)  # type: ignore[arg-type]


# London is nearer to Dublin than Frankfurt is, but London is not in the EU.
TABLE = {
    "lon": _info("lon", "London", "GB", 51.51, -0.13),
    "fra": _info("fra", "Frankfurt", "DE", 50.11, 8.68),
    "nyc": _info("nyc", "New York", "US", 40.71, -74.0),
    "mad": _info("mad", "Madrid", "ES", 40.42, -3.70, retired=True),
}
WHERE = Location(file="source.toml", line=2, col=1)


def _place(code: str, country: str, lat: float, lon: float, platform: str = "compose") -> Region:
    return Region(code=code, platform=platform, city=code.title(), country=country,
                  latitude=lat, longitude=lon, origin=WHERE)


DUBLIN = _place("dublin", "IE", 53.35, -6.26)
PARIS = _place("paris", "FR", 48.86, 2.35)
NAIROBI = _place("nairobi", "KE", -1.29, 36.82)


def _move(label: str) -> Message[Move]:
    return Message(code=I_REGION, text=lambda m: f"{label} {m.source.code}->{m.chosen.code} "
                   f"({m.km} km; nearest {m.nearest.code} {m.nearest_km} km)")


TEXTS = RegionTexts(
    requested=Message(code=I_REGION, text=lambda r: f"requested {r.code}"),
    unknown_request=Message(code=E_REGION_UNKNOWN, text=lambda m: f"unknown {m.requested}",
                            hint=lambda m: f"close: {m.close}"),
    retired_request=Message(code=E_REGION_UNKNOWN, text=lambda r: f"retired {r.code}",
                            hint=lambda r: f"replacement {r.replacement}"),
    default=Message(code=W_NO_REGION, text=lambda r: f"default {r.code} ({r.city})"),
    unknown_place=Message(code=E_SOURCE_REGION, text=lambda s: f"no place for {s.code}"),
    kept=_move("kept"),
    nearest=_move("nearest"),
    far=Message(code=W_REGION_JURISDICTION, text=lambda m: f"far {m.chosen.code} {m.km} km"),
    outside_jurisdiction=Message(code=W_REGION_JURISDICTION,
                                 text=lambda m: f"leaves the EU for {m.chosen.code}"),
    preferred=Message(code=W_REGION_JURISDICTION,
                      text=lambda m: f"preferred {m.chosen.code} over {m.nearest.code}"),
)
POLICY = RegionPolicy(platform="demo", default="nyc", texts=TEXTS, keep_jurisdiction=True)


def _choose(source: Region | None, requested: str | None = None, policy: RegionPolicy = POLICY,
            table: dict[str, RegionInfo] = TABLE) -> tuple[RegionChoice, list[tuple[str, str]]]:
    diags = Diagnostics()
    choice = choose_region(source, requested, table, policy, diags)
    return choice, [(d.code, d.message) for d in diags]


def test_region_from_the_command_line_wins() -> None:
    assert _choose(DUBLIN, "fra") == (RegionChoice("fra", Outcome.REQUESTED), [(I_REGION, "requested fra")])


def test_an_unknown_region_on_the_command_line_is_refused_with_the_closest_name() -> None:
    with pytest.raises(HopperError) as err:
        _choose(DUBLIN, "frq")
    assert err.value.diagnostic.message == "unknown frq"
    assert err.value.diagnostic.hint == "close: fra"
    assert err.value.diagnostic.location is None


def test_a_retired_region_is_never_suggested_for_a_misspelling() -> None:
    with pytest.raises(HopperError) as err:
        _choose(None, "mas")
    assert err.value.diagnostic.hint == "close: None"


def test_an_unknown_region_is_written_as_given_when_the_format_only_warns() -> None:
    lenient = RegionPolicy(platform="demo", default="nyc", texts=_texts(
        unknown_request=Message(code=W_NO_REGION, text=lambda m: f"{m.requested} written as given")))
    assert _choose(None, "zzz", lenient) == (RegionChoice("zzz", Outcome.UNKNOWN_REQUEST),
                                             [(W_NO_REGION, "zzz written as given")])


def test_a_retired_region_is_refused_or_accepted_as_the_format_says() -> None:
    with pytest.raises(HopperError) as err:
        _choose(None, "mad")
    assert err.value.diagnostic.message == "retired mad"
    accepting = RegionPolicy(platform="demo", default="nyc", texts=_texts(retired_request=None))
    assert _choose(None, "mad", accepting)[0] == RegionChoice("mad", Outcome.REQUESTED)


def test_a_source_without_a_region_gets_the_default_said_as_an_assumption() -> None:
    assert _choose(None) == (RegionChoice("nyc", Outcome.DEFAULT), [(W_NO_REGION, "default nyc (New York)")])
    silent = RegionPolicy(platform="demo", default="nyc", texts=_texts(default=None))
    assert _choose(None, policy=silent) == (RegionChoice("nyc", Outcome.DEFAULT), [])


def test_a_source_region_that_is_no_known_place_is_refused() -> None:
    nowhere = Region(code="x1", platform="no-such-platform", origin=WHERE)
    with pytest.raises(HopperError) as err:
        _choose(nowhere)
    assert err.value.diagnostic.message == "no place for x1"
    assert err.value.diagnostic.location == WHERE


def test_a_region_missing_from_the_table_of_its_own_platform_is_no_known_place() -> None:
    # "fly" has a table, but not this code; a region record without coordinates.
    missing = Region(code="atlantis", platform="fly", origin=WHERE)
    assert source_place(missing) is None
    with pytest.raises(HopperError):
        _choose(missing)
    lenient = RegionPolicy(platform="demo", default="nyc", texts=_texts(
        unknown_place=Message(code=I_REGION, text=lambda s: f"{s.code}: default")))
    assert _choose(missing, policy=lenient) == (RegionChoice("nyc", Outcome.UNKNOWN_PLACE),
                                                [(I_REGION, "atlantis: default")])


def test_a_source_region_without_coordinates_is_found_in_its_platform_table() -> None:
    place = source_place(Region(code="cdg", platform="fly"))
    assert place is not None and place.city == "Paris" and place.eu
    assert _choose(Region(code="cdg", platform="fly", origin=WHERE))[0] == RegionChoice("fra", Outcome.NEAREST)


def test_a_source_already_on_the_platform_keeps_its_region() -> None:
    here = _place("lon", "GB", 51.51, -0.13, platform="demo")
    assert _choose(here) == (RegionChoice("lon", Outcome.KEPT), [(I_REGION, "kept lon->lon (0 km; nearest lon 0 km)")])


def test_a_source_in_a_retired_region_moves_unless_the_platform_still_accepts_it() -> None:
    madrid = _place("mad", "ES", 40.42, -3.70, platform="demo")
    choice, _ = _choose(madrid)
    assert choice == RegionChoice("fra", Outcome.NEAREST)  # the retired region is never the nearest
    accepting = RegionPolicy(platform="demo", default="nyc", texts=_texts(retired_request=None))
    assert _choose(madrid, policy=accepting)[0] == RegionChoice("mad", Outcome.KEPT)


def test_the_nearest_region_is_chosen_and_its_distance_said() -> None:
    choice, said = _choose(PARIS)
    # London (343 km) is nearer to Paris than Frankfurt, but not in the EU.
    assert choice == RegionChoice("fra", Outcome.NEAREST)
    assert said == [(I_REGION, "nearest paris->fra (478 km; nearest fra 478 km)")]
    outside = RegionPolicy(platform="demo", default="nyc", texts=TEXTS)  # no jurisdiction rule
    assert _choose(PARIS, policy=outside)[0] == RegionChoice("lon", Outcome.NEAREST)


def test_an_eu_source_stays_in_the_eu_when_the_platform_keeps_jurisdiction() -> None:
    assert _choose(DUBLIN)[0] == RegionChoice("fra", Outcome.NEAREST)
    anywhere = RegionPolicy(platform="demo", default="nyc", texts=TEXTS, keep_jurisdiction=False)
    assert _choose(DUBLIN, policy=anywhere)[0] == RegionChoice("lon", Outcome.NEAREST)


def test_an_eu_source_leaves_the_eu_with_a_warning_when_no_region_is_there() -> None:
    no_eu = {k: v for k, v in TABLE.items() if k != "fra"}
    assert _choose(DUBLIN, table=no_eu) == (RegionChoice("lon", Outcome.OUTSIDE_JURISDICTION),
                                            [(W_REGION_JURISDICTION, "leaves the EU for lon")])


def test_a_far_nearest_region_is_a_warning() -> None:
    far = RegionPolicy(platform="demo", default="nyc", texts=TEXTS, keep_jurisdiction=True, far_km=1500)
    choice, said = _choose(NAIROBI, policy=far)
    assert choice == RegionChoice("fra", Outcome.FAR)
    assert said[0][0] == W_REGION_JURISDICTION and said[0][1].startswith("far fra ")
    assert _choose(PARIS, policy=far)[0].outcome is Outcome.NEAREST


def test_a_format_may_prefer_another_region_to_the_nearest() -> None:
    def not_frankfurt(nearest: RegionInfo) -> RegionInfo | None:
        return TABLE["lon"] if nearest.code == "fra" else None

    prefer = RegionPolicy(platform="demo", default="nyc", texts=TEXTS, keep_jurisdiction=True,
                          prefer=not_frankfurt)
    assert _choose(DUBLIN, policy=prefer) == (RegionChoice("lon", Outcome.PREFERRED),
                                              [(W_REGION_JURISDICTION, "preferred lon over fra")])
    assert _choose(NAIROBI, policy=prefer)[0] == RegionChoice("lon", Outcome.PREFERRED)
    assert _choose(_place("boston", "US", 42.36, -71.06), policy=prefer)[0] == RegionChoice("nyc", Outcome.NEAREST)


def test_latency_is_light_in_fibre_both_ways() -> None:
    assert latency_ms(0) == 1 and latency_ms(1000) == 10


def _texts(**changes: object) -> RegionTexts:
    import dataclasses  # noqa: PLC0415

    return dataclasses.replace(TEXTS, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ Clever Cloud

def _zone(source: Region | None, requested: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    from hopper.formats.base import WriteOptions  # noqa: PLC0415
    from hopper.formats.clevercloud.plan_base import PlannerBase  # noqa: PLC0415
    from hopper.model import Architecture, Placement  # noqa: PLC0415

    diags = Diagnostics()
    arch = Architecture(name="a", placement=Placement(primary=source))
    zone = PlannerBase(arch, WriteOptions(region=requested), diags).zone()
    return zone, [(d.code, d.message) for d in diags]


def test_clever_places_a_source_region_recorded_without_coordinates() -> None:
    """The Render reader records a region by its code alone: Clever's zone used to call that no
    known place and write 'par' (Oregon's services to Paris); the shared choice looks it up."""
    zone, said = _zone(Region(code="oregon", platform="render", origin=WHERE))
    assert zone == "mtl"
    assert said[0][1].startswith("primary region code 'oregon' (platform render) is written as the "
                                 "nearest Clever zone 'mtl' (Montreal, ")


def test_clever_is_lenient_where_it_always_was() -> None:
    assert _zone(None) == ("par", [])  # silent default
    assert _zone(None, "xyz")[0] == "xyz"  # an unknown zone is written as given, with a warning
    assert _zone(None, "jed") == ("jed", [])  # a retired zone named is kept
    nowhere = Region(code="x1", platform="no-such-platform", origin=WHERE)
    zone, said = _zone(nowhere)
    assert zone == "par" and "has no known place" in said[0][1]
