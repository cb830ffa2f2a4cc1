"""Every mappings table loads, says where it comes from, and agrees with the others."""

from __future__ import annotations

import tomllib

import pytest

from hopper import mappings


@pytest.mark.parametrize("name", mappings.available_tables())
def test_every_table_has_source_and_date(name: str) -> None:
    meta = mappings.table(name)["meta"]
    assert meta["source"]
    assert len(str(meta["date"])) >= 7


def test_mappings_ship_inside_the_package_data_path() -> None:
    # The wheel force-includes mappings/ as hopper/mappings; the loader finds either location.
    assert (mappings.search_path()[-1] / "regions.toml").is_file()


def test_retired_fly_regions_have_current_replacements() -> None:
    fly = mappings.regions("fly")
    for region in fly.values():
        if region.retired:
            assert region.replacement in fly
            assert not fly[region.replacement].retired


def test_nearest_region_never_returns_a_retired_one() -> None:
    fly = mappings.regions("fly")
    for region in fly.values():
        assert not mappings.nearest_region(region, "fly").retired
    paris = mappings.regions("clevercloud")["par"]
    assert mappings.nearest_region(paris, "fly").code == "cdg"
    warsaw = mappings.regions("clevercloud")["wsw"]
    assert mappings.nearest_region(warsaw, "fly").code not in ("waw",)


def test_distance_is_plausible() -> None:
    fly = mappings.regions("fly")
    assert 330 < mappings.distance_km(fly["cdg"], fly["lhr"]) < 360


def test_user_override_directory_wins(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "regions.toml").write_text(
        '[meta]\nsource = "test"\ndate = "2026-01-01"\n[eu_countries]\ncodes = []\n'
        '[fly]\nxyz = { city = "Nowhere", country = "ZZ", lat = 0, lon = 0 }\n')
    monkeypatch.setenv("HOPPER_MAPPINGS_DIR", str(tmp_path))
    mappings.table.cache_clear()
    mappings.regions.cache_clear()
    try:
        assert list(mappings.regions("fly")) == ["xyz"]
    finally:
        monkeypatch.delenv("HOPPER_MAPPINGS_DIR")
        mappings.table.cache_clear()
        mappings.regions.cache_clear()
        mappings.eu_countries.cache_clear()


def test_every_toml_file_parses() -> None:
    for folder in mappings.search_path():
        for path in folder.glob("*.toml"):
            tomllib.loads(path.read_text(encoding="utf-8"))
