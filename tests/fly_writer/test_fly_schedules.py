"""Schedules (cron jobs) on Fly: a supercronic process group, or scheduled Machines for the four
coarse intervals of an app that runs a named image; read back from the written set."""

from __future__ import annotations

import dataclasses
import subprocess
import tomllib
from pathlib import Path

import pytest
from fly_writer_models import api_postgres
from fly_writer_tools import SHELLCHECK, materialise, run_writer

from hopper.checkout import observe
from hopper.diff import diff_models
from hopper.formats.base import ReadOptions
from hopper.formats.fly.reader import read
from hopper.model import Architecture, Role, Runtime, Schedule, Service
from hopper.shared.dockerfile import parse_dockerfile


def _with_jobs(arch: Architecture, *jobs: tuple[str, str, str | None]) -> Architecture:
    schedules = tuple(Schedule(name=f"job-{i}", cron=c, command=cmd, service=svc)
                      for i, (c, cmd, svc) in enumerate(jobs, 1))
    return dataclasses.replace(arch, schedules=schedules)


def _codes(diags: tuple[object, ...]) -> list[str]:
    return [d.code for d in diags]  # type: ignore[attr-defined]


def test_jobs_of_a_generated_node_image_run_in_a_supercronic_group(tmp_path: Path) -> None:
    arch = _with_jobs(api_postgres(), ("*/15 * * * *", "$ROOT/jobs/poll.sh --fast", "api"),
                      ("0 4 * * *", "node scripts/nightly.js", "api"))
    files, diags = run_writer(arch)
    toml = tomllib.loads(files["api/fly.toml"])
    assert toml["processes"] == {"app": "", "cron": "supercronic /etc/hopper/crontab"}
    assert toml["http_service"]["processes"] == ["app"]
    assert {"guest_path": "/etc/hopper/crontab", "local_path": "crontab.fly"} in toml["files"]
    crontab = files["api/crontab.fly"]
    assert "*/15 * * * * /app/jobs/poll.sh --fast\n" in crontab
    assert "0 4 * * * node scripts/nightly.js\n" in crontab
    docker = files["api/Dockerfile.fly"]
    assert "supercronic-linux-amd64" in docker and "sha1sum -c -" in docker
    assert parse_dockerfile(docker).stages  # still a valid Dockerfile
    assert "run flyctl scale count cron=1 --app ledger-api --yes" in files["fly-setup.sh"]
    assert "### Scheduled jobs" in files["MIGRATION.md"] and "`*/15 * * * *`" in files["MIGRATION.md"]
    assert "HOP560" in _codes(diags) and "HOP561" not in _codes(diags)

    out = materialise(files, tmp_path / "out")
    back = read(out, ReadOptions()).model
    assert [(j.name, j.cron, j.command, j.service) for j in back.schedules] == [
        ("job-1", "*/15 * * * *", "/app/jobs/poll.sh --fast", "api"),
        ("job-2", "0 4 * * *", "node scripts/nightly.js", "api"),
    ]
    assert [s.name for s in back.services] == ["api"]  # the cron group is not read as a worker
    codes = {f.code for f in diff_models(arch, back).findings}
    assert "HD720" not in codes and "HD722" in codes  # $ROOT became /app: said, not silent
    if SHELLCHECK:
        subprocess.run([SHELLCHECK, str(out / "fly-setup.sh")], check=True)


def test_coarse_jobs_of_an_image_app_become_scheduled_machines(tmp_path: Path) -> None:
    worker = Service(name="reports", role=Role.WORKER, image="ghcr.io/acme/reports:1.4",
                     runtime=Runtime(command=("node", "idle.js")))
    arch = dataclasses.replace(api_postgres(), services=(*api_postgres().services, worker))
    arch = _with_jobs(arch, ("0 3 * * *", "node report.js --daily", "reports"),
                      ("0 6 * * 1", "node report.js --weekly > /tmp/out 2>&1", "reports"))
    files, diags = run_writer(arch)
    assert "reports/crontab.fly" not in files
    setup = files["fly-setup.sh"]
    assert ("run flyctl machine run ghcr.io/acme/reports:1.4 node report.js --daily "
            "--app ledger-reports --schedule daily") in setup
    assert "/bin/sh -c 'node report.js --weekly > /tmp/out 2>&1' --app ledger-reports --schedule weekly" in setup
    assert _codes(diags).count("HOP562") == 2
    assert "not in fly.toml" in files["MIGRATION.md"]
    if SHELLCHECK:
        subprocess.run([SHELLCHECK, str(materialise(files, tmp_path) / "fly-setup.sh")], check=True)


def test_jobs_of_an_app_with_its_own_dockerfile_ask_for_supercronic(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "Dockerfile").write_text("FROM node:22-slim\nCMD [\"node\", \"main.js\"]\n")
    base = api_postgres()
    api = base.services[0]
    assert api.build is not None
    api = dataclasses.replace(api, build=dataclasses.replace(api.build, dockerfile="server/Dockerfile",
                                                                  package_manager=None))
    arch = _with_jobs(dataclasses.replace(base, services=(api,)), ("*/5 * * * *", "node poll.js", "api"))
    # What api.load records of a checkout (the server's own Dockerfile), for a model built here.
    files, diags = run_writer(observe(arch, tmp_path))
    assert "HOP561" in _codes(diags)
    assert tomllib.loads(files["api/fly.toml"])["processes"]["cron"] == "supercronic /etc/hopper/crontab"


@pytest.mark.parametrize("service", [None, "ghost"])
def test_a_job_without_a_deployed_app_is_reported(service: str | None) -> None:
    files, diags = run_writer(_with_jobs(api_postgres(), ("0 4 * * *", "sync.sh", service)))
    assert "HOP563" in _codes(diags)
    assert not any(path.endswith("crontab.fly") for path in files)
