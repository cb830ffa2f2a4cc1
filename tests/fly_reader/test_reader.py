"""The Fly reader: hopper's own layout, hand-written setups, evidence and golden models."""

from __future__ import annotations

from pathlib import Path

import pytest
from fly_read_fixtures import FRONT_NGINX, write_setup

from hopper import native
from hopper.diagnostics import HopperError
from hopper.formats import detect_format
from hopper.formats.base import ReadOptions
from hopper.formats.fly.reader import read
from hopper.model import Autostop, Role
from support import CORPUS, GOLDEN, assert_golden, needs_corpus

GOLDEN_READ = GOLDEN / "fly" / "read"


def read_model(path: Path):
    return read(path, ReadOptions())


def test_hopper_layout_golden(tmp_path: Path) -> None:
    result = read_model(write_setup(tmp_path / "shop"))
    assert_golden(GOLDEN_READ / "hopper-layout" / "model.yaml", native.dump_yaml(result.model))


def test_hopper_layout_model(tmp_path: Path) -> None:
    arch = read_model(write_setup(tmp_path / "shop")).model
    assert arch.name == "shop"
    front, api = arch.service("front"), arch.service("api")
    assert front is not None and api is not None
    assert front.role is Role.FRONT and api.role is Role.API
    (route,) = front.routes
    assert (route.path_prefix, route.target_service, route.target_port, route.strip_prefix) == ("/api/", "api", 3000, True)
    assert front.static_site is not None and front.static_site.spa_fallback
    assert api.public is False and front.public is True
    assert api.scaling.autostop is Autostop.STOP and api.scaling.memory_mb == 512
    assert {b.variable: b.resource for b in api.bindings}["DATABASE_URL"] == "shop-db"
    assert arch.database("shop-db") is not None and arch.object_store("shop-media") is not None
    assert arch.object_store("shop-media").provider == "tigris"
    assert "SESSION_SECRET" in api.runtime.secret_env
    assert front.build is not None and front.build.secrets == ("SENTRY_AUTH_TOKEN",)
    assert [w.service for w in arch.pipeline.workflows] == ["api", "front"]
    assert arch.placement.primary is not None and arch.placement.primary.code == "cdg"


def test_every_inference_names_its_evidence(tmp_path: Path) -> None:
    result = read_model(write_setup(tmp_path / "shop"))
    infos = [d for d in result.diagnostics if d.code == "HOP360"]
    assert any("shop-db" in d.message and d.location.file == "fly-setup.sh" for d in infos)
    assert any("front" in d.message and d.location.file == "front/nginx.conf" for d in infos)


def test_without_setup_script_bindings_come_from_env_names(tmp_path: Path) -> None:
    from fly_read_fixtures import API_TOML
    api = API_TOML.replace("  PORT = '3000'\n", "  PORT = '3000'\n  AWS_ENDPOINT_URL_S3 = 'https://fly.storage.tigris.dev'\n  BUCKET_NAME = 'media'\n")
    arch = read_model(write_setup(tmp_path / "shop", setup=False, api_toml=api)).model
    store = arch.object_stores[0]
    assert store.provider == "tigris" and store.buckets[0].name == "media"
    # Without the setup script the API is private only because it is reached through Flycast.
    assert arch.service("api").public is False


def test_internal_upstream_resolves_to_the_app(tmp_path: Path) -> None:
    nginx = FRONT_NGINX.replace("http://shop-api.flycast/", "http://top1.nearest.of.shop-api.internal:3000")
    arch = read_model(write_setup(tmp_path / "shop", nginx=nginx)).model
    (route,) = arch.service("front").routes
    assert route.target_service == "api" and route.target_port == 3000 and not route.strip_prefix


def test_unknown_upstream_is_a_warning(tmp_path: Path) -> None:
    nginx = FRONT_NGINX.replace("http://shop-api.flycast/", "http://elsewhere.example.com/")
    result = read_model(write_setup(tmp_path / "shop", nginx=nginx))
    assert result.model.service("front").routes == ()
    assert any(d.code == "HOP362" for d in result.diagnostics)


def test_detected_automatically(tmp_path: Path) -> None:
    assert detect_format(write_setup(tmp_path / "shop")) == "fly"


def test_single_file(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'solo'\nprimary_region = 'ams'\n[http_service]\ninternal_port = 8080\n")
    arch = read_model(tmp_path / "fly.toml").model
    assert arch.name == "solo" and arch.services[0].runtime.port == 8080


def test_missing_app_name_is_named_after_the_folder(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "fly.toml").write_text("[http_service]\ninternal_port = 80\n")
    result = read_model(tmp_path / "web" / "fly.toml")
    assert result.model.services[0].name == "web"
    assert any(d.code == "HOP363" for d in result.diagnostics)


def test_no_config_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(HopperError) as info:
        read_model(tmp_path)
    assert info.value.code == "HOP306"


def test_every_config_broken_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'a'\n[http_service]\ninternal_port = 'x'\n")
    with pytest.raises(HopperError) as info:
        read_model(tmp_path)
    assert info.value.line == 3


def test_secret_looking_env_value_is_kept_by_name_only(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'a'\n[env]\nAPI_TOKEN = 'canary-7f3c9e1d-secret-value'\n")
    result = read_model(tmp_path)
    text = native.dump_yaml(result.model) + "".join(d.render() for d in result.diagnostics)
    assert "canary-7f3c9e1d-secret-value" not in text
    assert "API_TOKEN" in result.model.services[0].runtime.secret_env


CORPUS_CASES = {
    "blues-stack": CORPUS / "fly" / "remix-run__blues-stack",
    "full-reference": CORPUS / "fly" / "superfly__flyctl/internal/appconfig/testdata/full-reference.toml",
    "old-format": CORPUS / "fly" / "superfly__flyctl/internal/appconfig/testdata/old-format.toml",
    "postgres-flex": CORPUS / "fly" / "fly-apps__postgres-flex",
}


@needs_corpus
@pytest.mark.parametrize("case", sorted(CORPUS_CASES))
def test_corpus_golden(case: str) -> None:
    result = read_model(CORPUS_CASES[case])
    assert_golden(GOLDEN_READ / case / "model.yaml", native.dump_yaml(result.model))


def test_deterministic(tmp_path: Path) -> None:
    a = native.dump_yaml(read_model(write_setup(tmp_path / "a" / "shop")).model)
    b = native.dump_yaml(read_model(write_setup(tmp_path / "b" / "shop")).model)
    assert a == b


def test_hopper_env_shim_is_read_back(tmp_path: Path) -> None:
    from fly_read_fixtures import API_TOML
    api = API_TOML.replace("[http_service]", "[processes]\n  app = '/bin/sh /etc/hopper/hopper-env.sh node server.js'\n\n"
                           "[[files]]\n  guest_path = '/etc/hopper/hopper-env.sh'\n  local_path = 'hopper-env.sh'\n\n[http_service]")
    root = write_setup(tmp_path / "shop", api_toml=api)
    (root / "api" / "hopper-env.sh").write_text(
        '#!/bin/sh\nif [ -z "${S3_ENDPOINT+x}" ]; then\n  S3_ENDPOINT=${AWS_ENDPOINT_URL_S3}\n  export S3_ENDPOINT\nfi\n'
        '  PGHOST=$(hopper_url_part host "${DATABASE_URL}")\nexec "$@"\n')
    result = read_model(root)
    service = result.model.service("api")
    assert service.runtime.command == ("node", "server.js")
    bindings = {b.variable: (b.resource, b.attribute) for b in service.bindings}
    assert bindings["S3_ENDPOINT"] == ("shop-media", "endpoint")
    assert bindings["PGHOST"] == ("shop-db", "host")
    assert not any(d.code == "HOP361" and "files" in d.message for d in result.diagnostics)
