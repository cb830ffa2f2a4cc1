"""The native dump is the canonical text of the model: it must round-trip exactly."""

from __future__ import annotations

import json

import pytest

from hopper import native
from hopper.diagnostics import HopperError, Location
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    Database,
    HealthCheck,
    ObjectStore,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Secret,
    Service,
    StaticSite,
    Volume,
    VolumeKind,
)


def sample_model() -> Architecture:
    return Architecture(
        name="webapp",
        source_format="compose",
        services=(
            Service(
                name="api",
                role=Role.API,
                build=Build(context="api", runtime="node", runtime_version="20",
                            package_manager="npm", start_command="node server.js",
                            args={"NODE_ENV": "production"}),
                runtime=Runtime(port=3000, env={"NODE_ENV": "production", "MODE": "22:22"},
                                secret_env=("DATABASE_URL",),
                                health_check=HealthCheck(path="/health", interval_s=10.0)),
                scaling=Scaling(cpus=0.5, memory_mb=512, autostop=Autostop.STOP),
                bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri", secret=True),),
                volumes=(Volume(name="uploads", target="/data", kind=VolumeKind.NAMED, size_gb=1),),
                origin=Location(file="compose.yaml", line=3, col=3),
            ),
            Service(
                name="front",
                role=Role.FRONT,
                image="nginx:1.27",
                static_site=StaticSite(spa_fallback=True, gzip=True, gzip_types=("text/css",)),
                routes=(Route(path_prefix="/api/", target_service="api", target_port=3000,
                              strip_prefix=True, body_size_limit="50m",
                              forwarded_headers=("Host", "X-Forwarded-For")),),
                public=True,
            ),
        ),
        databases=(Database(name="db", version="16", database_name="app", user="app",
                            password_secret="POSTGRES_PASSWORD"),),
        object_stores=(ObjectStore(name="minio", provider="minio",
                                   buckets=(Bucket(name="media", public=False),)),),
        secrets=(Secret(name="DATABASE_URL", used_by=("api",), digest="0123456789abcdef"),),
        placement=Placement(primary=Region(code="cdg", platform="fly", city="Paris", country="FR",
                                           latitude=48.86, longitude=2.35, eu=True)),
        extensions={"compose": {"x-note": ["a", "b"]}},
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_is_exact(fmt: str) -> None:
    model = sample_model()
    text = native.dump(model, fmt)
    again = native.load(text)
    assert again == model
    assert native.dump(again, fmt) == text


def test_origin_is_not_part_of_equality_but_can_be_dumped() -> None:
    model = sample_model()
    text = native.dump(model, "json", with_origin=True)
    assert '"origin"' in text
    plain = native.dump(model, "json")
    assert '"origin"' not in plain
    assert native.load(text) == model


def test_defaults_are_left_out_and_version_is_first() -> None:
    data = json.loads(native.dump(Architecture(name="x"), "json"))
    assert data == {"hopper_model_version": 1, "name": "x"}


def test_yaml_keeps_strings_that_look_like_other_types() -> None:
    model = sample_model()
    text = native.dump(model, "yaml")
    assert native.load(text).services[0].runtime.env["MODE"] == "22:22"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hopper_model_version: 99\nname: x\n", "version"),
        ("- a\n", "mapping"),
        ("hopper_model_version: 1\nname: x\nbogus: 1\n", "unknown field 'bogus'"),
        ("hopper_model_version: 1\nname: 3\n", "expected str"),
        ("hopper_model_version: 1\nname: x\nservices:\n- name: a\n  role: wizard\n", "not one of"),
        ("hopper_model_version: 1\nname: [x\n", "not a valid native model"),
    ],
)
def test_malformed_native_documents_are_clean_errors(text: str, fragment: str) -> None:
    with pytest.raises(HopperError) as info:
        native.load(text, filename="m.yaml")
    assert fragment in str(info.value)
    assert info.value.code == "HOP020"


# ------------------------------------------------------------------ the JSON writer is json's

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6) | st.integers() | st.booleans() | st.none(), children, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON_DATA)
def test_json_writer_equals_json_dumps(data: object) -> None:
    import json

    from hopper.native import _json_chunks

    chunks: list[str] = []
    _json_chunks(data, "\n", chunks)
    assert "".join(chunks) == json.dumps(data, indent=2, ensure_ascii=False)
