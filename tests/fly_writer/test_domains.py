"""Custom domains: a certificate request per domain in fly-setup.sh, read back by the Fly reader."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from fly_writer_models import front_api
from fly_writer_tools import SHELLCHECK, materialise, run_writer

from hopper.diagnostics import HopperError
from hopper.formats.base import ReadOptions
from hopper.formats.fly.reader import read
from hopper.model import Architecture, Role


def _with_domains(front: tuple[str, ...], api: tuple[str, ...] = ()) -> Architecture:
    arch = front_api()
    services = tuple(
        dataclasses.replace(s, domains=front if s.role is Role.FRONT else api) for s in arch.services
    )
    return dataclasses.replace(arch, services=services)


def test_certificates_are_requested_and_read_back(tmp_path: Path) -> None:
    files, _ = run_writer(_with_domains(("www.example.org", "*.example.org")))
    script = files["fly-setup.sh"]
    assert "run flyctl certs add www.example.org --app" in script
    assert "run flyctl certs add '*.example.org' --app" in script
    folder = materialise(files, tmp_path / "out")
    if SHELLCHECK:
        subprocess.run([SHELLCHECK, str(folder / "fly-setup.sh")], check=True)
    model = read(folder, ReadOptions()).model
    front = next(s for s in model.services if s.role is Role.FRONT)
    assert set(front.domains) == {"www.example.org", "*.example.org"}


def test_no_domains_no_certificate_step() -> None:
    files, _ = run_writer(front_api())
    assert "certs" not in files["fly-setup.sh"]


def test_private_service_domains_are_reported_not_requested() -> None:
    files, diags = run_writer(_with_domains((), ("api.example.org",)))
    assert "certs add" not in files["fly-setup.sh"]
    assert any(d.code == "HOP536" for d in diags)


@pytest.mark.parametrize("bad", ["example.org; rm -rf /", "$(touch x).example.org", "-rf", "a..b", "exa mple.org"])
def test_hostile_domains_are_refused(bad: str) -> None:
    with pytest.raises(HopperError) as info:
        run_writer(_with_domains((bad,)))
    assert info.value.code == "HOP009"
