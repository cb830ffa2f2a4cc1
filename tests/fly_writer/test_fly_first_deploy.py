"""What the first `fly deploy` of a written set does, class by class (issue 14: 5, 6, 7, 10, 13),
and the warnings hopper gives on its own quick start (issue 16)."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from fly_writer_models import api_postgres
from fly_writer_tools import materialise, run_writer

from hopper import api
from hopper.diagnostics import Severity
from hopper.formats.base import WriteOptions
from hopper.formats.fly.validate import validate_path
from hopper.model import Architecture, Autostop, Scaling
from support import SAMPLES, copy_tree


def _validate_laid_over(files: dict[str, str], tmp_path: Path, source: Path | None = None) -> list[str]:
    root = tmp_path / "repo"
    if source is not None:
        copy_tree(source, root)
    materialise(files, root)
    found: list[str] = []
    for rel in sorted(files):
        if rel.endswith("fly.toml"):
            found += [d.render() for d in validate_path(root / rel) if d.severity is not Severity.INFO]
    return found


def _api(arch: Architecture, **scaling: object) -> Architecture:
    svc = arch.services[0]
    return dataclasses.replace(arch, services=(
        dataclasses.replace(svc, scaling=dataclasses.replace(svc.scaling, **scaling)),))


# ---------------------------------------------------------------------------- issue 16: quick start

def test_quick_start_does_not_warn_that_npm_ci_is_not_written() -> None:
    result = api.convert(SAMPLES / "compose-webapp", "fly", write_options=WriteOptions())
    assert "RUN npm ci\n" in result.files["front/Dockerfile"]
    lost = [d.message for d in result.diagnostics if d.code == "HOP541"]
    assert not [m for m in lost if "npm ci" in m], lost


def test_an_install_command_the_dockerfile_does_not_run_is_still_reported() -> None:
    arch = api_postgres()
    svc = arch.services[0]
    assert svc.build is not None
    build = dataclasses.replace(svc.build, install_command="npm ci --omit=dev")
    _files, diags = run_writer(dataclasses.replace(arch, services=(dataclasses.replace(svc, build=build),)))
    assert any(d.code == "HOP541" and "npm ci --omit=dev" in d.message for d in diags)


# ---------------------------------------------------------------------------- class 13: HOP337

def test_autostop_off_never_writes_a_min_machines_running_that_does_nothing(tmp_path: Path) -> None:
    arch = _api(api_postgres(), autostop=Autostop.OFF, min_running=2)
    files, diags = run_writer(arch)
    service = tomllib.loads(files["api/fly.toml"])["http_service"]
    assert service["auto_stop_machines"] == "off" and service["min_machines_running"] == 0
    assert any(d.code == "HOP514" and "does nothing while autostop is off" in d.message for d in diags)
    assert not [f for f in _validate_laid_over(files, tmp_path) if "HOP337" in f]


def test_validate_still_reports_min_running_with_autostop_off_in_a_hand_written_file(tmp_path: Path) -> None:
    files, _ = run_writer(_api(api_postgres(), autostop=Autostop.OFF))
    broken = files["api/fly.toml"].replace("min_machines_running = 0", "min_machines_running = 1")
    assert broken != files["api/fly.toml"]
    found = _validate_laid_over({**files, "api/fly.toml": broken}, tmp_path)
    assert [f for f in found if "HOP337" in f]


def test_every_sample_converts_to_a_set_validate_passes(tmp_path: Path) -> None:
    for sample in ("clevercloud-webapp", "compose-webapp", "monorepo-webapp"):
        files = dict(api.convert(SAMPLES / sample, "fly", write_options=WriteOptions()).files)
        assert _validate_laid_over(files, tmp_path / sample, SAMPLES / sample) == [], sample


def test_scaling_without_min_running_keeps_hopper_defaults() -> None:
    files, _ = run_writer(_api(api_postgres(), autostop=Autostop.STOP, min_running=None))
    assert tomllib.loads(files["api/fly.toml"])["http_service"]["min_machines_running"] == 1
    assert Scaling().min_running is None
