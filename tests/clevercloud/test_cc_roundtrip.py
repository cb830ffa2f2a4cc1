"""Across formats: compose -> Clever -> compose, and Clever -> Fly, on the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper import api
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.model import Architecture
from support import CANARY, SAMPLES


def _materialise(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


def _shape(model: Architecture) -> dict[str, object]:
    """What must survive a conversion: roles, routes, bindings, secret names."""
    return {
        "roles": {s.name: s.role.value for s in model.services},
        "routes": sorted((s.name, r.path_prefix, r.target_service) for s in model.services
                         for r in s.routes),
        "bindings": sorted((s.name, b.variable, b.resource, b.attribute) for s in model.services
                           for b in s.bindings),
        "databases": sorted(d.name for d in model.databases),
        "stores": sorted(o.name for o in model.object_stores),
    }


def _secret_names(model: Architecture) -> set[str]:
    bound = {b.variable for s in model.services for b in s.bindings}
    return {n for s in model.services for n in s.runtime.secret_env if n not in bound}


def test_compose_to_clever_keeps_the_architecture(tmp_path: Path) -> None:
    source = api.load(SAMPLES / "compose-webapp").model
    written = api.write(source, "clevercloud", WriteOptions())
    back = api.load(_materialise(dict(written.files), tmp_path), fmt="clevercloud").model
    assert _shape(back) == _shape(source) | {"roles": _shape(source)["roles"]}
    assert _secret_names(back) == _secret_names(source)
    front = back.service("front")
    assert front is not None and front.static_site is not None and front.static_site.spa_fallback


def test_compose_to_clever_to_compose(tmp_path: Path) -> None:
    source = api.load(SAMPLES / "compose-webapp").model
    clever = _materialise(dict(api.write(source, "clevercloud", WriteOptions()).files),
                          tmp_path / "clever")
    middle = api.load(clever, fmt="clevercloud").model
    compose = _materialise(dict(api.write(middle, "compose", WriteOptions()).files),
                           tmp_path / "compose")
    back = api.load(compose, fmt="compose").model
    assert {s.name: s.role for s in back.services if s.name in ("api", "front")} == \
        {s.name: s.role for s in source.services if s.name in ("api", "front")}
    assert sorted((r.path_prefix, r.target_service) for s in back.services for r in s.routes) == \
        sorted((r.path_prefix, r.target_service) for s in source.services for r in s.routes)
    api_back, api_src = back.service("api"), source.service("api")
    assert api_back is not None and api_src is not None
    assert {b.variable: b.attribute for b in api_back.bindings} == \
        {b.variable: b.attribute for b in api_src.bindings}
    assert _secret_names(back) >= _secret_names(source)


@pytest.mark.parametrize("sample", ["clevercloud-webapp", "clevercloud-webapp/export"])
def test_clever_to_fly(sample: str, tmp_path: Path) -> None:
    source = api.load(SAMPLES / sample, fmt="clevercloud").model
    written = api.write(source, "fly")
    assert all(CANARY not in text for text in written.files.values())
    assert any(path.endswith("fly.toml") for path in written.files)
    back = api.load(_materialise(dict(written.files), tmp_path), fmt="fly",
                    options=ReadOptions()).model
    roles = {s.role for s in back.services}
    assert {r.value for r in roles} >= {"front", "api"}
    # Fly keeps secrets out of fly.toml: their names travel in the setup script.
    assert source.secrets and all(s.name in written.files["fly-setup.sh"] for s in source.secrets)
    api_back = back.service("api")
    assert api_back is not None and api_back.runtime.health_check is not None
    assert api_back.runtime.health_check.path == "/api/health"
    front = back.service("front")
    assert front is not None and [(r.path_prefix, r.target_service) for r in front.routes] == [
        ("/api/", "api")]
    # Every variable the Clever apps read still carries the same attribute of the same resource
    # (Fly adds its own names beside them), and every secret name survives.
    assert set(_shape(source)["bindings"]) <= set(_shape(back)["bindings"])  # type: ignore[arg-type]
    assert {s.name for s in source.secrets} <= {s.name for s in back.secrets}
