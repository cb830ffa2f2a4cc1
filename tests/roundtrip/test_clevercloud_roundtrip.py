"""Clever Cloud round trips (issue 5): the writer is a fixed point through the Terraform reader,
and conversions through Clever keep every field both formats carry, or say what they lose.

1. ``write_cc(read_cc(write_cc(m))) == write_cc(m)`` byte for byte, the first write read back
   from a temporary folder by the Terraform reader: on the golden models of the compose and Fly
   writers, on the samples, and on generated architectures.
2. compose → model → clevercloud → model, and clevercloud → model → compose → model: equal on
   the fields both formats carry (:mod:`hopper.matrix`), each difference named by a diagnostic
   of the writer or the reader on the way.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crossformat import carried, differences, explained
from hypothesis import HealthCheck as HypothesisHealthCheck
from hypothesis import Phase, example, given, settings
from strategies import PRINTABLE_VALUE, VALUE, architectures

from hopper import api
from hopper.diagnostics import Diagnostic
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.clevercloud.reader import read as read_cc
from hopper.formats.clevercloud.writer import write as write_cc
from hopper.formats.compose.reader import read as read_compose
from hopper.formats.compose.writer import write as write_compose
from hopper.model import (
    Architecture,
    Binding,
    Build,
    Database,
    Role,
    Route,
    Runtime,
    Secret,
    Service,
    StaticSite,
)
from support import SAMPLES

# As in test_roundtrip_properties.py: no example database, no shrinking phase (hypothesis
# 6.155's shrinker crashes on these strategies' strings); the unshrunk example and the printed
# diff say what changed.
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HypothesisHealthCheck.too_slow])
CROSS_SETTINGS = settings(SETTINGS, max_examples=25)


def _tree(files: dict[str, str]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hopper-cc-rt-"))
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def _read_back(files: dict[str, str], reader: Callable[[Path, ReadOptions], Any]) -> Any:
    folder = _tree(files)
    try:
        return reader(folder, ReadOptions())
    finally:
        shutil.rmtree(folder)


def _assert_same_files(first: dict[str, str], second: dict[str, str]) -> None:
    assert sorted(second) == sorted(first), "the second write has other files"
    diffs = ["".join(difflib.unified_diff(text.splitlines(True), second[name].splitlines(True),
                                          f"{name} (first write)", f"{name} (after read + write)"))
             for name, text in sorted(first.items()) if second[name] != text]
    assert not diffs, "the second write differs:\n" + "\n".join(diffs)


def clever_fixed_point(arch: Architecture) -> None:
    first = write_cc(arch, WriteOptions())
    again = _read_back(dict(first.files), read_cc)
    second = write_cc(again.model, WriteOptions())
    _assert_same_files(dict(first.files), dict(second.files))


# ---------------------------------------------------------------------------- fixed point

def _golden_models() -> dict[str, Callable[[], Architecture]]:
    import compose_models  # tests/compose_writer, on sys.path through tests/conftest.py
    import fly_writer_models  # tests/fly_writer

    return {
        "compose-seed": compose_models.seed_model,
        "compose-static-front": compose_models.static_front_model,
        "compose-tricky-values": compose_models.tricky_values_model,
        "fly-api-postgres": fly_writer_models.api_postgres,
        "fly-full": fly_writer_models.full,
        "fly-front-api": fly_writer_models.front_api,
    }


GOLDEN_CASES = ["compose-seed", "compose-static-front", "compose-tricky-values",
                "fly-api-postgres", "fly-full", "fly-front-api"]


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_clever_fixed_point_on_golden_models(case: str) -> None:
    clever_fixed_point(_golden_models()[case]())


SAMPLE_CASES = {
    "compose-webapp": (SAMPLES / "compose-webapp", "compose"),
    "clevercloud-webapp": (SAMPLES / "clevercloud-webapp", "clevercloud"),
    "clevercloud-webapp-export": (SAMPLES / "clevercloud-webapp" / "export", "clevercloud"),
}


@pytest.mark.parametrize("case", sorted(SAMPLE_CASES))
def test_clever_fixed_point_on_samples(case: str) -> None:
    path, fmt = SAMPLE_CASES[case]
    clever_fixed_point(api.load(path, fmt=fmt).model)


@SETTINGS
@given(architectures(values=VALUE))
def test_clever_fixed_point_generated(arch: Architecture) -> None:
    clever_fixed_point(arch)


# ---------------------------------------------------------------------------- cross-format

def compose_then_clever(arch: Architecture) -> tuple[Architecture, Architecture, tuple[Diagnostic, ...]]:
    """compose → model (m1) → clevercloud → model (m2), with the Clever writer's and reader's
    diagnostics."""
    m1 = _read_back(dict(write_compose(arch, WriteOptions()).files), read_compose).model
    written = write_cc(m1, WriteOptions())
    m2 = _read_back(dict(written.files), read_cc)
    return m1, m2.model, written.diagnostics + m2.diagnostics


def clever_then_compose(m1: Architecture) -> tuple[Architecture, tuple[Diagnostic, ...]]:
    """A Clever model (m1) → compose → model (m2), with the compose writer's and reader's
    diagnostics."""
    written = write_compose(m1, WriteOptions())
    m2 = _read_back(dict(written.files), read_compose)
    return m2.model, written.diagnostics + m2.diagnostics


def assert_explained(m1: Architecture, m2: Architecture, diagnostics: tuple[Diagnostic, ...]) -> None:
    diffs = differences(m1, m2, carried("compose", "clevercloud"))
    silent = explained(diffs, diagnostics)
    assert not silent, f"differences without a diagnostic: {silent}"


# Into Clever, a difference must be explained by the code that reports that loss (not just by any
# message naming the component): the field a difference is on -> the Clever codes that say it.
CLEVER_WHY: dict[str, tuple[str, ...]] = {
    "name": ("HOP461",), "services": ("HOP455",), "databases": ("HOP455",),
    "secrets": ("HOP467",), "code": ("HOP460", "HOP466"), "platform": ("HOP466",),
    "others": ("HOP460",), "extensions": ("HOP468",), "role": ("HOP455",),
    "image": ("HOP469", "HOP471"), "dockerfile": ("HOP469",), "depends_on": ("HOP469",),
    "command": ("HOP469", "HOP472"), "entrypoint": ("HOP469",), "port": ("HOP453", "HOP477", "HOP479"),
    "buckets": ("HOP470",), "start_command": ("HOP472", "HOP477"),
    "env": ("HOP469", "HOP473"), "secret_env": ("HOP467",), "routes": ("HOP451", "HOP452"),
    "autostop": ("HOP450",), "min_instances": ("HOP450",), "max_instances": ("HOP459",),
    "cpus": ("HOP459",), "memory_mb": ("HOP459",), "health_check": ("HOP457",),
    "provider": ("HOP470",), "bindings": ("HOP455", "HOP469"), "engine": ("HOP455",),
    "strip_prefix": ("HOP451",), "attribute": ("HOP469",), "used_by": ("HOP467",),
    "runtime": ("HOP469",), "runtime_version": ("HOP469",), "package_manager": ("HOP469",),
    "install_command": ("HOP469",), "build_command": ("HOP469",),
}


def assert_explained_by_code(m1: Architecture, m2: Architecture,
                             diagnostics: tuple[Diagnostic, ...]) -> None:
    unexplained = []
    for path, owner in differences(m1, m2, carried("compose", "clevercloud"), keyed=True):
        last = path.rsplit(".", 1)[-1]
        field = path.split("[", 1)[0] if last.startswith(("secrets[", "services[", "databases[")) \
            else last.split("[", 1)[0]
        codes = CLEVER_WHY.get(field, ())
        top = "[" not in path  # an architecture-level field: no component name to look for
        if not any(d.code in codes and (top or f"'{owner}'" in d.message) for d in diagnostics):
            unexplained.append(f"{path} (expected {', '.join(codes) or 'a mapped code'})")
    assert not unexplained, f"differences without the diagnostic that reports them: {unexplained}"


@pytest.mark.parametrize("case", ["compose-seed", "compose-static-front", "compose-tricky-values"])
def test_compose_to_clever_on_golden_models(case: str) -> None:
    result = compose_then_clever(_golden_models()[case]())
    assert_explained(*result)
    assert_explained_by_code(*result)


def test_compose_to_clever_on_the_sample() -> None:
    source = api.load(SAMPLES / "compose-webapp", fmt="compose").model
    written = write_cc(source, WriteOptions())
    back = _read_back(dict(written.files), read_cc)
    assert_explained(source, back.model, written.diagnostics + back.diagnostics)
    assert_explained_by_code(source, back.model, written.diagnostics + back.diagnostics)


@CROSS_SETTINGS
@given(architectures(bare_credentials=False, values=PRINTABLE_VALUE))
def test_compose_to_clever_generated(arch: Architecture) -> None:
    result = compose_then_clever(arch)
    assert_explained(*result)
    assert_explained_by_code(*result)


@pytest.mark.parametrize("sample", ["clevercloud-webapp", "clevercloud-webapp/export"])
def test_clever_to_compose_on_the_samples(sample: str) -> None:
    source = api.load(SAMPLES / sample, fmt="clevercloud").model
    back, diagnostics = clever_then_compose(source)
    assert_explained(source, back, diagnostics)


# Found with --hypothesis-seed=3 (dev profile): the front's secret A0 beside the api's A0
# bound to the database's URL. Read back from compose, the api was among the secret's users;
# the Clever reader had left it out.
SHARED_NAME = Architecture(
    name="aftybl",
    services=(
        Service(name="front", role=Role.FRONT,
                build=Build(context="front", dockerfile="front/Dockerfile", runtime="node"),
                runtime=Runtime(port=80, secret_env=("A0",)), static_site=StaticSite(),
                routes=(Route(path_prefix="/api/", target_service="api"),), public=True),
        Service(name="api", role=Role.API,
                build=Build(context="api", dockerfile="api/Dockerfile", runtime="node"),
                runtime=Runtime(port=1024),
                bindings=(Binding(variable="A0", resource="db", attribute="uri", secret=True),)),
    ),
    databases=(Database(name="db", password_secret="POSTGRES_PASSWORD"),),
    secrets=(Secret(name="A0", used_by=("api", "front")),),
)


@CROSS_SETTINGS
@given(architectures(bare_credentials=False, values=PRINTABLE_VALUE))
@example(SHARED_NAME)
def test_clever_to_compose_generated(arch: Architecture) -> None:
    first = write_cc(arch, WriteOptions())
    m1 = _read_back(dict(first.files), read_cc).model
    back, diagnostics = clever_then_compose(m1)
    assert_explained(m1, back, diagnostics)
