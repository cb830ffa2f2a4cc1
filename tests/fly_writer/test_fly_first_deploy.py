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
    return [d.render() for d in validate_path(root) if d.severity is not Severity.INFO]


def _api(arch: Architecture, **scaling: object) -> Architecture:
    svc = arch.services[0]
    return dataclasses.replace(arch, services=(
        dataclasses.replace(svc, scaling=dataclasses.replace(svc.scaling, **scaling)),))


# ---------------------------------------------------------------------------- issue 16: quick start

def test_quick_start_does_not_warn_that_npm_ci_is_not_written() -> None:
    result = api.convert(SAMPLES / "compose-webapp", "fly", write_options=WriteOptions())
    assert "RUN npm ci\n" in result.files["front/Dockerfile.fly"]
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


# ---------------------------------------------------------------------------- class 10: regions

def _placed(code: str, platform: str = "clevercloud") -> Architecture:
    from hopper.model import Placement, Region  # noqa: PLC0415

    return dataclasses.replace(api_postgres(), placement=Placement(primary=Region(code=code, platform=platform)))


def test_an_eu_source_with_postgres_goes_to_an_eu_region_with_managed_postgres() -> None:
    files, diags = run_writer(_placed("par"))
    assert tomllib.loads(files["api/fly.toml"])["primary_region"] == "ams"
    moved = [d for d in diags if d.code == "HOP565"]
    assert len(moved) == 1 and "'cdg'" in moved[0].message and "in the EU" in moved[0].message
    assert "--region 'ams'" in files["fly-setup.sh"] or "--region ams" in files["fly-setup.sh"]
    assert "- `pg` moves to `ams` (Managed Postgres), the apps' region." in files["MIGRATION.md"]


def test_postgres_unmanaged_stays_in_the_nearest_region() -> None:
    files, diags = run_writer(_placed("par"), postgres="unmanaged")
    assert tomllib.loads(files["api/fly.toml"])["primary_region"] == "cdg"
    assert "HOP565" not in [d.code for d in diags]


def test_an_explicit_region_without_mpg_keeps_the_database_in_the_eu_and_says_what_it_costs() -> None:
    files, diags = run_writer(_placed("par"), region="cdg")
    far = [d for d in diags if d.code == "HOP506"]
    assert len(far) == 1 and "'ams'" in far[0].message and "lhr" not in far[0].message
    assert "ms more per round trip" in far[0].message
    assert "while the apps run in `cdg`: every query crosses regions" in files["MIGRATION.md"]


def test_an_unknown_source_zone_without_region_is_an_error_with_a_hint() -> None:
    import pytest  # noqa: PLC0415

    from hopper.diagnostics import HopperError  # noqa: PLC0415

    with pytest.raises(HopperError) as err:
        run_writer(_placed("atlantis"))
    assert err.value.diagnostic.code == "HOP564" and "--region" in (err.value.diagnostic.hint or "")
    files, _ = run_writer(_placed("atlantis"), region="fra")
    assert tomllib.loads(files["api/fly.toml"])["primary_region"] == "fra"


def test_no_region_at_all_is_a_warning_naming_the_default() -> None:
    from hopper.model import Placement  # noqa: PLC0415

    _files, diags = run_writer(dataclasses.replace(api_postgres(), placement=Placement()))
    found = [d for d in diags if d.code == "HOP567"]
    assert len(found) == 1 and "'iad'" in found[0].message


def test_leaving_an_hds_zone_is_reported_by_the_writer_and_the_plan() -> None:
    from hopper.diff import diff_models  # noqa: PLC0415
    from hopper.model import Placement, Region  # noqa: PLC0415

    _files, diags = run_writer(_placed("parhds"))
    assert any(d.code == "HOP566" and "HDS" in d.message for d in diags)
    before = _placed("parhds")
    after = dataclasses.replace(before, placement=Placement(primary=Region(code="ams", platform="fly")))
    assert "HD109" in {f.code for f in diff_models(before, after).findings}
    plain = dataclasses.replace(before, placement=Placement(primary=Region(code="par", platform="clevercloud")))
    assert "HD109" not in {f.code for f in diff_models(plain, after).findings}


# ---------------------------------------------------------------------------- class 7: TCP services

def _redis_rabbit() -> Architecture:
    from hopper.model import Binding, Role, Runtime, Service  # noqa: PLC0415

    base = api_postgres()
    api_svc = base.services[0]
    api_svc = dataclasses.replace(
        api_svc, runtime=dataclasses.replace(api_svc.runtime, env={
            **api_svc.runtime.env, "REDIS_URL": "redis://cache:6379/0", "AMQP_URL": "amqp://queue:5672"}),
        bindings=(*api_svc.bindings, Binding(variable="REDIS_URL", resource="cache", attribute="url"),
                  Binding(variable="AMQP_URL", resource="queue", attribute="url")))
    cache = Service(name="cache", image="redis:7-alpine", runtime=Runtime(port=6379), public=True)
    queue = Service(name="queue", role=Role.GENERIC, image="rabbitmq:3-management")
    return dataclasses.replace(base, services=(api_svc, cache, queue))


def test_redis_and_rabbitmq_become_private_tcp_services_over_flycast(tmp_path: Path) -> None:
    files, diags = run_writer(_redis_rabbit())
    cache = tomllib.loads(files["cache/fly.toml"])
    assert "http_service" not in cache
    service = cache["services"][0]
    assert (service["internal_port"], service["protocol"]) == (6379, "tcp")
    assert service["ports"] == [{"port": 6379, "handlers": []}]
    assert service["auto_stop_machines"] == "off" and "force_https" not in str(service)
    assert tomllib.loads(files["queue/fly.toml"])["services"][0]["internal_port"] == 5672
    env = tomllib.loads(files["api/fly.toml"])["env"]
    assert env["REDIS_URL"] == "redis://ledger-cache.flycast:6379/0"
    assert env["AMQP_URL"] == "amqp://ledger-queue.flycast:5672"
    setup = files["fly-setup.sh"]
    assert "flyctl deploy . --config cache/fly.toml --remote-only --flycast" in setup
    assert "ledger-cache.flycast:6379 (private TCP)" in files["MIGRATION.md"]
    assert [d for d in diags if d.code == "HOP568"]
    assert _validate_laid_over(files, tmp_path) == []


def test_validate_reports_a_tcp_port_behind_http_service(tmp_path: Path) -> None:
    files, _ = run_writer(_redis_rabbit())
    broken = files["api/fly.toml"].replace("internal_port = 4000", "internal_port = 6379")
    assert broken != files["api/fly.toml"]
    found = _validate_laid_over({**files, "api/fly.toml": broken}, tmp_path)
    assert [f for f in found if "HOP390" in f and "Redis" in f]


# ---------------------------------------------------------------------------- validate: mounts

def test_validate_refuses_a_mount_over_the_installed_dependencies(tmp_path: Path) -> None:
    files, _ = run_writer(api_postgres())
    assert "RUN npm install" in files["api/Dockerfile.fly"]
    for destination in ("/app", "/app/node_modules"):
        broken = files["api/fly.toml"] + f'\n[[mounts]]\nsource = "data"\ndestination = "{destination}"\n'
        found = _validate_laid_over({**files, "api/fly.toml": broken}, tmp_path / destination.strip("/").replace("/", "_"))
        assert [f for f in found if "HOP391" in f], destination
    fine = files["api/fly.toml"] + '\n[[mounts]]\nsource = "data"\ndestination = "/data"\n'
    assert not [f for f in _validate_laid_over({**files, "api/fly.toml": fine}, tmp_path / "fine") if "HOP391" in f]


# ---------------------------------------------------------------------------- validate: nginx -t

def test_validate_runs_nginx_t_with_the_private_names_mapped(tmp_path: Path) -> None:
    import pytest  # noqa: PLC0415

    from hopper.formats.fly.validate_first_deploy import nginx_binary  # noqa: PLC0415

    if nginx_binary() is None:
        pytest.skip("needs nginx (apt-get install nginx-light)")
    files = dict(api.convert(SAMPLES / "compose-webapp", "fly", write_options=WriteOptions()).files)
    assert ".flycast" in files["front/nginx.fly.conf"]
    assert _validate_laid_over(files, tmp_path / "ok", SAMPLES / "compose-webapp") == []
    broken = files["front/nginx.fly.conf"].replace("server_tokens off;", "server_tokens off;\n    gzip_level 9;")
    assert broken != files["front/nginx.fly.conf"]
    found = _validate_laid_over({**files, "front/nginx.fly.conf": broken}, tmp_path / "bad", SAMPLES / "compose-webapp")
    assert [f for f in found if "HOP392" in f and "gzip_level" in f and "nginx.fly.conf:" in f]


# ---------------------------------------------------------------------------- class 6: Machine counts

def test_replicas_become_machines_of_one_app(tmp_path: Path) -> None:
    from hopper.formats.base import ReadOptions  # noqa: PLC0415
    from hopper.formats.fly.reader import read  # noqa: PLC0415

    three = _api(api_postgres(), min_instances=3, max_instances=3)
    files, diags = run_writer(three)
    assert "run flyctl scale count 3 --app ledger-api --yes" in files["fly-setup.sh"]
    assert "--ha=false" not in files["fly-setup.sh"]
    assert any(d.code == "HOP569" and "3 Machine(s)" in d.message for d in diags)
    back = read(materialise(files, tmp_path / "three"), ReadOptions()).model
    assert (back.services[0].scaling.min_instances, back.services[0].scaling.max_instances) == (3, 3)

    one, _ = run_writer(api_postgres())  # a compose service runs one container
    assert "flyctl deploy . --config api/fly.toml --remote-only --ha=false" in one["fly-setup.sh"]
    assert "--ha=false" in one[".github/workflows/fly-deploy-api.yml"]
    back = read(materialise(one, tmp_path / "one"), ReadOptions()).model
    assert back.services[0].scaling.min_instances == 1


def test_a_clever_range_with_autostop_creates_the_maximum() -> None:
    files, _diags = run_writer(_api(api_postgres(), min_instances=1, max_instances=4, autostop=Autostop.STOP))
    assert "run flyctl scale count 4 --app ledger-api --yes" in files["fly-setup.sh"]
    assert "--ha=false" not in files["fly-setup.sh"]


def test_cost_counts_flyctl_first_deploy_machines_when_the_set_states_none() -> None:
    from hopper.cost import estimate  # noqa: PLC0415

    fly = dataclasses.replace(api_postgres(), source_format="fly")
    api_svc = fly.services[0]
    unstated = estimate(fly)
    stated = estimate(_api(fly, min_instances=1, max_instances=1))
    assert unstated is not None and stated is not None
    line = next(x for x in unstated.lines if x.component == api_svc.name)
    assert line.detail.startswith("2 ×")
    assert next(x for x in stated.lines if x.component == api_svc.name).detail.startswith("1 ×")


# ---------------------------------------------------------------------------- class 13: DNS steps

def test_dns_steps_put_the_acme_challenge_first_and_the_address_switch_as_the_cut_over() -> None:
    arch = api_postgres()
    svc = dataclasses.replace(arch.services[0], domains=("api.example.com",))
    runbook = run_writer(dataclasses.replace(arch, services=(svc,)))[0]["MIGRATION.md"]
    challenge = runbook.index("`_acme-challenge.<domain>` CNAME")
    switch = runbook.index("The cut-over: when")
    assert challenge < switch and "A and AAAA records" in runbook[switch:]
    plain = run_writer(api_postgres())[0]["MIGRATION.md"]
    assert "`_acme-challenge.<your domain>` CNAME" in plain


def test_a_bucket_named_after_the_project_gets_no_second_prefix() -> None:
    files = dict(api.convert(SAMPLES / "clevercloud-webapp", "fly", write_options=WriteOptions()).files)
    assert "--name webapp-media" in files["fly-setup.sh"]
    assert "webapp-webapp-media" not in "".join(files.values())
