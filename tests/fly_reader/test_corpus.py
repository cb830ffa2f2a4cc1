"""Every fly config of the corpus reads into a model or fails with a clean HopperError, and
``hopper validate`` never crashes on it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from hopper import native
from hopper.diagnostics import HopperError
from hopper.formats.base import ReadOptions
from hopper.formats.fly.reader import read
from hopper.formats.fly.validate import validate_path
from support import CORPUS, corpus_params, needs_corpus

FLY = CORPUS / "fly"
pytestmark = needs_corpus


def _configs() -> list[Path]:
    return sorted(p for p in FLY.rglob("*.toml"))


def _id(path: Path) -> str:
    return path.relative_to(FLY).as_posix()


CONFIGS = corpus_params(_configs, ids=_id)
FOLDERS = corpus_params(lambda: sorted(p for p in FLY.iterdir() if p.is_dir()), ids=_id)


@pytest.mark.parametrize("config", CONFIGS)
def test_corpus_config_reads_or_fails_cleanly(config: Path) -> None:
    try:
        result = read(config, ReadOptions())
    except HopperError as exc:
        assert exc.diagnostic.location is not None
        return
    native.dump_yaml(result.model)  # the model is complete enough to dump
    assert result.model.source_format == "fly"


@pytest.mark.parametrize("config", CONFIGS)
def test_corpus_config_validates_without_crashing(config: Path) -> None:
    for diag in validate_path(config):
        assert diag.code.startswith("HOP")


@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_folder_reads_or_fails_cleanly(folder: Path) -> None:
    with contextlib.suppress(HopperError):
        read(folder, ReadOptions())
    validate_path(folder)


def test_corpus_is_present() -> None:
    assert len(_configs()) >= 40


def test_always_invalid_fails_with_flyctl_message() -> None:
    with pytest.raises(HopperError) as info:
        read(FLY / "superfly__flyctl/internal/appconfig/testdata/always-invalid-v2.toml", ReadOptions())
    assert "Unknown type for service concurrency: int64" in str(info.value)
    assert info.value.line == 24


def test_full_reference_validates_with_flyctls_own_findings() -> None:
    found = {d.code for d in validate_path(FLY / "superfly__flyctl/internal/appconfig/testdata/full-reference.toml")}
    # strategy "rolling-eyes", sea is retired, several build strategies, 1m21s checks clamped
    assert {"HOP311", "HOP332", "HOP325", "HOP327"} <= found
    assert "HOP302" not in found  # every key of flyctl's own reference is known


def test_validate_mounts_fixture() -> None:
    found = [d for d in validate_path(FLY / "superfly__flyctl/internal/appconfig/testdata/validate-mounts.toml")]
    assert [d.location.line for d in found if d.code == "HOP321"] == [12, 18]
    assert any(d.code == "HOP322" for d in found)
