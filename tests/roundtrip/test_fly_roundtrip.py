"""Fly.io round trips (issue 5): the Fly writer is a fixed point through the Fly reader, and
fly → model → compose → model keeps every field both formats carry, or says what it loses.

1. ``write_fly(read_fly(write_fly(m))) == write_fly(m)`` byte for byte, the first write read
   back from a temporary folder: on the golden models of the compose and Fly writers, on the
   compose samples, and on generated architectures.
2. fly → model → compose → model on the complete Fly setups under ``tests/golden/fly`` and on
   the Fly corpus: equal on the fields both formats carry (:mod:`hopper.matrix`), each
   difference named by a diagnostic of the compose writer or reader on the way.
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
from hypothesis import Phase, given, settings
from strategies import PRINTABLE_VALUE, architectures

from hopper.diagnostics import Diagnostic, HopperError
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.compose.reader import read as read_compose
from hopper.formats.compose.writer import write as write_compose
from hopper.formats.fly.reader import read as read_fly
from hopper.formats.fly.writer import write as write_fly
from hopper.model import Architecture
from support import CORPUS, GOLDEN, SAMPLES, corpus_params

# As in test_roundtrip_properties.py: no example database, no shrinking phase (hypothesis
# 6.155's shrinker crashes on these strategies' strings); the unshrunk example and the printed
# diff say what changed.
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HypothesisHealthCheck.too_slow])


def _tree(files: dict[str, str]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hopper-fly-rt-"))
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


def _fly_fixed_point(arch: Architecture, options: WriteOptions | None = None) -> None:
    options = options or WriteOptions()
    first = write_fly(arch, options)
    again = _read_back(dict(first.files), read_fly)
    second = write_fly(again.model, options)
    diffs = ["".join(difflib.unified_diff(
        first.files.get(name, "").splitlines(True), second.files.get(name, "").splitlines(True),
        f"{name} (first write)", f"{name} (after read + write)"))
        for name in sorted(set(first.files) | set(second.files))
        if first.files.get(name) != second.files.get(name)]
    assert not diffs, "the second write differs:\n" + "\n".join(diffs)


# ---------------------------------------------------------------------------- fixed point

def _golden_models() -> dict[str, Callable[[], Architecture]]:
    import compose_models  # tests/compose_writer, on sys.path through conftest
    import fly_writer_models  # tests/fly_writer

    return {
        "compose-seed": compose_models.seed_model,
        "compose-static-front": compose_models.static_front_model,
        "compose-tricky-values": compose_models.tricky_values_model,
        "fly-api-postgres": fly_writer_models.api_postgres,
        "fly-full": fly_writer_models.full,
        "fly-front-api": fly_writer_models.front_api,
    }


@pytest.mark.parametrize("case", sorted(_golden_models()))
def test_fly_fixed_point_on_golden_models(case: str) -> None:
    _fly_fixed_point(_golden_models()[case]())


@pytest.mark.parametrize("options", [
    WriteOptions(app_prefix="acme-", region="ams", autostop="suspend", min_running=2),
    WriteOptions(postgres="unmanaged", org="acme"),
], ids=["prefix-region-autostop", "unmanaged-postgres"])
def test_fly_fixed_point_with_write_options(options: WriteOptions) -> None:
    import fly_writer_models

    _fly_fixed_point(fly_writer_models.full(), options)


@pytest.mark.parametrize("name", ["compose-webapp", "monorepo-webapp"])
def test_fly_fixed_point_on_the_samples(name: str) -> None:
    source = SAMPLES / name
    if not source.is_dir():
        pytest.skip(f"samples/{name} is not present")
    _fly_fixed_point(read_compose(source, ReadOptions()).model)


@SETTINGS
@given(architectures(values=PRINTABLE_VALUE))
def test_fly_fixed_point_generated(arch: Architecture) -> None:
    _fly_fixed_point(arch)


# ---------------------------------------------------------------------------- fly -> compose

def _fly_then_compose(source: Path) -> tuple[Architecture, Architecture, tuple[Diagnostic, ...]]:
    """fly → model (m1) → compose → model (m2), with every diagnostic on the way."""
    m1 = read_fly(source, ReadOptions())
    compose_files = write_compose(m1.model, WriteOptions())
    m2 = _read_back(dict(compose_files.files), read_compose)
    return m1.model, m2.model, compose_files.diagnostics + m2.diagnostics


def _assert_fly_to_compose(source: Path) -> None:
    m1, m2, diagnostics = _fly_then_compose(source)
    diffs = differences(m1, m2, carried("compose", "fly"))
    silent = explained(diffs, diagnostics)
    assert not silent, f"differences without a diagnostic: {silent}"


GOLDEN_SETUPS = sorted(p.name for p in (GOLDEN / "fly").iterdir() if (p / "fly-setup.sh").is_file())


@pytest.mark.parametrize("case", GOLDEN_SETUPS)
def test_fly_to_compose_on_golden_setups(case: str) -> None:
    _assert_fly_to_compose(GOLDEN / "fly" / case)


def _corpus_setups() -> list[str]:
    return sorted(p.name for p in (CORPUS / "fly").iterdir() if p.is_dir())


@pytest.mark.parametrize("name", corpus_params(_corpus_setups))
def test_fly_to_compose_on_the_corpus(name: str) -> None:
    try:
        _fly_then_compose(CORPUS / "fly" / name)
    except HopperError as exc:
        pytest.skip(f"the Fly reader refuses this setup: {exc.diagnostic.code}")
    _assert_fly_to_compose(CORPUS / "fly" / name)
