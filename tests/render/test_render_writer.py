"""The Render writer: golden trees for the samples, schema validation of every render.yaml, the
front choice, nginx -t on the emitted nginx.conf, regions, and what Render cannot express.

Regenerate the golden trees on purpose with ``HOPPER_UPDATE_GOLDEN=1`` and read the diff.
"""

from __future__ import annotations

import pytest
import yaml
from render_tools import (
    ENVSUBST,
    SOURCES,
    can_nginx_t,
    convert,
    nginx_t,
    read_back,
    schema_errors,
    start_front,
    tree,
)

from hopper import api
from hopper.diagnostics import HopperError
from hopper.formats.base import WriteOptions
from hopper.formats.render.writer import write
from hopper.model import (
    Architecture,
    Binding,
    Build,
    Database,
    ObjectStore,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Schedule,
    Service,
    StaticSite,
    Volume,
)
from support import GOLDEN, assert_golden_tree

CASES = [(name, front) for name in sorted(SOURCES) for front in ("nginx", "static")]


def _codes(result: object) -> set[str]:
    return {d.code for d in result.diagnostics}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "front"), CASES)
def test_golden_samples(name: str, front: str) -> None:
    assert_golden_tree(GOLDEN / "render" / f"{name}-{front}", dict(convert(name, front=front).files))


@pytest.mark.parametrize(("name", "front"), CASES)
def test_every_render_yaml_validates_against_renders_schema(name: str, front: str) -> None:
    assert schema_errors(convert(name, front=front).files["render.yaml"]) == []


def test_the_schema_check_is_real() -> None:
    """The broken forms the writer avoids are refused by the vendored schema."""
    good = convert("compose-webapp").files["render.yaml"]
    data = yaml.safe_load(good)
    data["envVarGroups"] = [{"name": "g", "envVars": [
        {"key": "DATABASE_URL", "fromDatabase": {"name": "db", "property": "connectionString"}}]}]
    assert schema_errors(yaml.safe_dump(data))  # a group cannot hold a binding
    data = yaml.safe_load(good)
    data["services"][0]["region"] = "paris"
    assert schema_errors(yaml.safe_dump(data))
    data = yaml.safe_load(good)
    kv = {"type": "keyvalue", "name": "cache"}  # ipAllowList is required
    data["services"].append(kv)
    assert schema_errors(yaml.safe_dump(data))


def _services(text: str) -> dict[str, dict[str, object]]:
    return {s["name"]: s for s in yaml.safe_load(text)["services"]}


def test_default_front_keeps_the_api_private_behind_nginx() -> None:
    result = convert("compose-webapp")
    services = _services(result.files["render.yaml"])
    assert services["webapp-front"]["runtime"] == "docker"
    assert services["webapp-front"]["dockerfilePath"] == "./render/front/Dockerfile"
    assert services["webapp-api"]["type"] == "pserv"
    # Render's private host name may carry a suffix: the address comes from the Blueprint.
    assert "proxy_pass http://${API_HOSTPORT}" in result.files["render/front/nginx.conf.template"]
    assert "render/front/nginx.conf" not in result.files
    assert {"key": "API_HOSTPORT", "fromService": {"type": "pserv", "name": "webapp-api", "property": "hostport"}} \
        in services["webapp-front"]["envVars"]
    dockerfile = result.files["render/front/Dockerfile"]
    assert 'COPY ["render/front/nginx.conf.template", "/etc/nginx/templates/nginx.conf.template"]' in dockerfile
    assert 'ENV NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx NGINX_ENVSUBST_FILTER="^(API_HOSTPORT)"' in dockerfile
    assert "HOP929" in _codes(result) and "HOP928" not in _codes(result)


def test_static_front_makes_the_api_public_and_says_so() -> None:
    result = convert("compose-webapp", front="static")
    services = _services(result.files["render.yaml"])
    front, api_ = services["webapp-front"], services["webapp-api"]
    assert front["runtime"] == "static" and api_["type"] == "web"
    assert front["routes"] == [
        {"type": "rewrite", "source": "/api/*", "destination": "https://webapp-api.onrender.com/*"},
        {"type": "rewrite", "source": "/*", "destination": "/index.html"}]
    assert {"HOP928", "HOP930"} <= _codes(result)
    assert not any(p.startswith("render/") for p in result.files)
    # The public URL is a guess: a finding says so and the runbook makes confirming it step one.
    guess = next(d for d in result.diagnostics if d.code == "HOP949")
    assert "https://webapp-api.onrender.com" in guess.message and "dashboard" in (guess.hint or "")
    runbook = result.files["RENDER.md"]
    before = runbook[runbook.index("## Before the first deploy"):]
    assert before.index("Confirm the API's URL") < before.index("Render asks for these values")
    assert "`/api/*` → `https://webapp-api.onrender.com/*`" in before
    assert "delete the wrong rule" in before


@pytest.mark.skipif(not can_nginx_t() or ENVSUBST is None, reason="needs nginx, envsubst and unshare (root)")
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_emitted_nginx_conf_passes_nginx_t(name: str) -> None:
    files = dict(convert(name).files)
    folder = tree(files)
    templates = sorted(folder.glob("render/*/nginx.conf.template"))
    assert templates, "the default front is an nginx web service that proxies"
    for template in templates:
        front = template.parent.name
        entry = next(s for s in _services(files["render.yaml"]).values()
                     if s.get("dockerfilePath") == f"./render/{front}/Dockerfile")
        variables = {e["key"]: e["fromService"]["name"] for e in entry["envVars"]
                     if e.get("fromService", {}).get("property") == "hostport"}
        assert variables
        # What Render would put in: the service's name with a suffix, and its port.
        given = {k: f"{v}-x7q2:3000" for k, v in variables.items()}
        conf = start_front(folder, front, given)
        expected = template.read_text(encoding="utf-8")
        for key, value in given.items():
            expected = expected.replace("${" + key + "}", value)
        # Only the upstreams are substituted: nginx's own $variables are left as they are.
        assert conf.read_text(encoding="utf-8") == expected and "${" not in expected
        proc = nginx_t(conf)
        assert proc.returncode == 0, proc.stderr


def test_bindings_secrets_and_object_storage() -> None:
    result = convert("compose-webapp")
    api_env = {e["key"]: e for e in _services(result.files["render.yaml"])["webapp-api"]["envVars"]}
    assert api_env["DATABASE_URL"] == {"key": "DATABASE_URL",
                                       "fromDatabase": {"name": "webapp-db", "property": "connectionString"}}
    # A bucket name is plain in the source and stays right on Render: a value, not a prompt.
    assert api_env["S3_BUCKET"] == {"key": "S3_BUCKET", "value": "media"}
    for name in ("S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_ENDPOINT"):
        assert api_env[name] == {"key": name, "sync": False}, name
    assert "HOP927" in _codes(result)
    assert "minio" in result.files["RENDER.md"]


def test_clever_parts_bind_to_database_properties() -> None:
    text = convert("clevercloud-webapp").files["render.yaml"]
    env = {e["key"]: e for e in _services(text)["webapp-api"]["envVars"]}
    assert env["CELLAR_BUCKET"] == {"key": "CELLAR_BUCKET", "value": "webapp-media"}
    assert env["POSTGRESQL_ADDON_HOST"]["fromDatabase"] == {"name": "webapp-db", "property": "host"}
    assert env["POSTGRESQL_ADDON_PASSWORD"]["fromDatabase"] == {"name": "webapp-db", "property": "password"}
    assert env["SESSION_SECRET"] == {"key": "SESSION_SECRET", "sync": False}


def test_no_secret_value_reaches_the_files() -> None:
    source, _fmt = SOURCES["compose-webapp"]
    env = (source / ".env")
    values = [line.split("=", 1)[1] for line in env.read_text(encoding="utf-8").splitlines()
              if "=" in line and not line.startswith("#")] if env.is_file() else []
    files = convert("compose-webapp").files
    for value in values:
        if len(value) >= 8:
            assert not any(value in text for text in files.values()), "a secret value leaked"


def _arch(*services: Service, **kw: object) -> Architecture:
    return Architecture(name="shop", source_format="compose", services=services, **kw)  # type: ignore[arg-type]


def test_eu_source_goes_to_frankfurt_and_says_how_far() -> None:
    arch = _arch(Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=3000)),
                 placement=Placement(primary=Region(code="par", platform="clevercloud")))
    result = write(arch, WriteOptions())
    assert yaml.safe_load(result.files["render.yaml"])["services"][0]["region"] == "frankfurt"
    note = next(d for d in result.diagnostics if d.code == "HOP920")
    assert "km away" in note.message


def test_unknown_zone_without_region_is_an_error_with_a_hint() -> None:
    arch = _arch(Service(name="api", image="node:22", runtime=Runtime(port=3000)),
                 placement=Placement(primary=Region(code="mars-1", platform="clevercloud")))
    with pytest.raises(HopperError) as err:
        write(arch, WriteOptions())
    assert err.value.code == "HOP922" and "--region" in (err.value.diagnostic.hint or "")
    assert write(arch, WriteOptions(region="ohio")).files


def test_unknown_region_option_is_refused() -> None:
    with pytest.raises(HopperError) as err:
        write(_arch(Service(name="api", image="node:22")), WriteOptions(region="fra"))
    assert err.value.code == "HOP921" and "frankfurt" in (err.value.diagnostic.hint or "")


def test_disk_pins_one_instance_and_migrations_become_pre_deploy() -> None:
    svc = Service(name="api", role=Role.API,
                  build=Build(context="api", runtime="node", package_manager="npm",
                              start_command="node server.js"),
                  runtime=Runtime(port=3000, release_command="npm run migrate"),
                  scaling=Scaling(min_instances=2, max_instances=3, cpus=1, memory_mb=1024),
                  volumes=(Volume(name="uploads", target="/data", size_gb=5),))
    result = write(_arch(svc), WriteOptions(region="oregon"))
    entry = _services(result.files["render.yaml"])["shop-api"]
    assert entry["numInstances"] == 1 and "scaling" not in entry
    assert entry["disk"] == {"name": "uploads", "mountPath": "/data", "sizeGB": 5}
    assert entry["preDeployCommand"] == "npm run migrate"
    assert entry["plan"] == "standard" and entry["rootDir"] == "api"
    assert "HOP931" in _codes(result)
    assert schema_errors(result.files["render.yaml"]) == []


def test_cron_keyvalue_and_shared_group() -> None:
    api_ = Service(name="api", role=Role.API,
                   build=Build(context="api", dockerfile="api/Dockerfile"),
                   runtime=Runtime(port=3000, env={"NODE_ENV": "production"}),
                   bindings=(Binding(variable="REDIS_URL", resource="cache", attribute="uri", secret=True),
                             Binding(variable="DATABASE_URL", resource="db", attribute="uri", secret=True)))
    worker = Service(name="worker", role=Role.WORKER, build=Build(context="api", dockerfile="api/Dockerfile"),
                     runtime=Runtime(command=("node", "worker.js"), env={"NODE_ENV": "production"}))
    cache = Service(name="cache", image="redis:7-alpine", runtime=Runtime(port=6379))
    arch = _arch(api_, cache, worker, databases=(Database(name="db", version="16"),),
                 schedules=(Schedule(name="api-cron-1", cron="@daily", command="node cleanup.js",
                                     service="api"),))
    result = write(arch, WriteOptions(region="virginia"))
    data = yaml.safe_load(result.files["render.yaml"])
    services = {s["name"]: s for s in data["services"]}
    assert services["shop-cache"] == {"type": "keyvalue", "name": "shop-cache", "region": "virginia",
                                 "ipAllowList": []}
    assert {"key": "REDIS_URL", "fromService": {"type": "keyvalue", "name": "shop-cache",
                                                "property": "connectionString"}} in services["shop-api"]["envVars"]
    cron = services["shop-api-cron-1"]
    assert cron["type"] == "cron" and cron["schedule"] == "0 0 * * *"
    assert cron["dockerCommand"] == "node cleanup.js"
    assert data["envVarGroups"] == [{"name": "shop-shared",
                                     "envVars": [{"key": "NODE_ENV", "value": "production"}]}]
    assert services["shop-worker"]["envVars"][0] == {"fromGroup": "shop-shared"}
    assert {"HOP939", "HOP940"} <= _codes(result)
    assert schema_errors(result.files["render.yaml"]) == []


def test_static_site_without_routes_is_always_a_static_site() -> None:
    front = Service(name="web", role=Role.FRONT, public=True,
                    build=Build(context="web", runtime="node", package_manager="npm",
                                install_command="npm ci", build_command="npm run build",
                                output_dir="dist"),
                    static_site=StaticSite(spa_fallback=True))
    text = write(_arch(front), WriteOptions(region="oregon")).files["render.yaml"]
    web = _services(text)["shop-web"]
    assert web["runtime"] == "static" and web["staticPublishPath"] == "./web/dist"
    assert web["buildCommand"] == "cd web && npm ci && npm run build"


def test_other_components_are_left_out_with_a_warning() -> None:
    arch = _arch(Service(name="api", image="node:22", runtime=Runtime(port=3000)),
                 databases=(Database(name="mysql", engine="mysql"),),
                 object_stores=(ObjectStore(name="media", provider="minio"),))
    result = write(arch, WriteOptions(region="oregon"))
    assert {"HOP934", "HOP927"} <= _codes(result)
    assert "databases" not in yaml.safe_load(result.files["render.yaml"])


def test_write_is_deterministic_and_equals_convert() -> None:
    source, fmt = SOURCES["compose-webapp"]
    model = api.load(source, fmt=fmt).model
    assert dict(api.write(model, "render").files) == dict(convert("compose-webapp").files)


def test_front_route_from_the_model_is_proxied() -> None:
    api_ = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=8080))
    front = Service(name="front", role=Role.FRONT, public=True, static_site=StaticSite(),
                    build=Build(context="front", runtime="node", build_command="npm run build",
                                output_dir="dist"),
                    routes=(Route(path_prefix="/api/", target_service="api"),))
    files = write(_arch(api_, front), WriteOptions(region="oregon")).files
    assert "http://${API_HOSTPORT}" in files["render/front/nginx.conf.template"]
    assert 'COPY --from=build ["/app/dist/", "/usr/share/nginx/html/"]' in files["render/front/Dockerfile"]


def test_route_to_another_port_than_the_one_render_gives_is_a_warning() -> None:
    api_ = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=8080))
    front = Service(name="front", role=Role.FRONT, public=True, static_site=StaticSite(),
                    routes=(Route(path_prefix="/api/", target_service="api", target_port=9000),))
    result = write(_arch(api_, front), WriteOptions(region="oregon"))
    assert any(d.code == "HOP930" and "9000" in d.message for d in result.diagnostics)
    assert "http://${API_HOSTPORT}" in result.files["render/front/nginx.conf.template"]


def test_names_carry_the_project_so_no_existing_resource_is_adopted() -> None:
    result = convert("compose-webapp")
    data = yaml.safe_load(result.files["render.yaml"])
    assert sorted(s["name"] for s in data["services"]) == ["webapp-api", "webapp-front"]
    assert [d["name"] for d in data["databases"]] == ["webapp-db"]
    assert "HOP948" not in _codes(result)
    # Read back, the model's names are the source's again.
    model = read_back(dict(result.files)).model
    assert sorted(s.name for s in model.services) == ["api", "front"]
    assert [d.name for d in model.databases] == ["db"]
    assert {r.target_service for s in model.services for r in s.routes} == {"api"}


def test_the_sources_own_name_is_kept() -> None:
    api_ = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=8080),
                   extensions={"clevercloud": {"name": "acme-prod-api"}})
    files = write(_arch(api_), WriteOptions(region="oregon")).files
    assert [s["name"] for s in yaml.safe_load(files["render.yaml"])["services"]] == ["acme-prod-api"]


def test_a_name_without_project_is_a_warning() -> None:
    api_ = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=8080))
    result = write(Architecture(name="", source_format="compose", services=(api_,)),
                   WriteOptions(region="oregon"))
    assert [s["name"] for s in yaml.safe_load(result.files["render.yaml"])["services"]] == ["api"]
    assert any(d.code == "HOP948" and "'api'" in d.message for d in result.diagnostics)


def _ha_db(version: str) -> tuple[object, dict[str, object]]:
    api_ = Service(name="api", image="node:22", runtime=Runtime(port=3000))
    arch = _arch(api_, databases=(Database(name="db", version=version, memory_mb=4096,
                                           high_availability=True),))
    result = write(arch, WriteOptions(region="oregon"))
    return result, yaml.safe_load(result.files["render.yaml"])["databases"][0]


def test_high_availability_is_kept_but_a_hobby_workspace_is_warned() -> None:
    result, db = _ha_db("16")
    assert db["highAvailability"] == {"enabled": True} and db["plan"].startswith("pro-")
    warning = next(d for d in result.diagnostics if d.code == "HOP950")
    assert "'db'" in warning.message and "Professional workspace" in warning.message
    assert "Hobby" in warning.message and "remove highAvailability" in (warning.hint or "")
    runbook = result.files["RENDER.md"]
    assert "shop-db keeps high availability" in runbook
    assert "Professional workspace" in runbook and "delete `highAvailability`" in runbook
    assert schema_errors(result.files["render.yaml"]) == []


def test_high_availability_before_postgres_13_is_not_written() -> None:
    result, db = _ha_db("12")
    assert "highAvailability" not in db and db["postgresMajorVersion"] == "12"
    assert "HOP951" in _codes(result) and "HOP950" not in _codes(result)
    assert "keeps high availability" not in result.files["RENDER.md"]


@pytest.mark.parametrize(("kind", "cpus", "memory_mb", "plan"), [
    ("shared", 1, 256, "starter"),     # Fly shared-cpu-1x 256 MB
    ("shared", 1, 512, "starter"),     # Fly shared-cpu-1x 512 MB, Clever nano
    ("shared", 2, 512, "standard"),    # shared-cpu-2x: up to 1 CPU
    ("shared", 1, 1024, "standard"),   # memory beyond starter's 512 MB
    (None, 1, 512, "standard"),        # a dedicated CPU stays a full CPU
    ("performance", 1, 2048, "standard"),
    (None, 0.5, 512, "starter"),       # a fraction is already a share
])
def test_a_shared_cpu_is_not_a_full_dedicated_cpu(kind: str | None, cpus: float, memory_mb: int,
                                                  plan: str) -> None:
    svc = Service(name="api", role=Role.API, image="node:22", runtime=Runtime(port=3000),
                  scaling=Scaling(cpu_kind=kind, cpus=cpus, memory_mb=memory_mb))
    result = write(_arch(svc), WriteOptions(region="oregon"))
    assert _services(result.files["render.yaml"])["shop-api"]["plan"] == plan


def test_fly_shared_machines_and_clever_nano_become_starter() -> None:
    fly = _services(convert("fly-webapp").files["render.yaml"])
    assert (fly["webapp-api"]["plan"], fly["webapp-front"]["plan"]) == ("starter", "starter")
    clever = _services(convert("clevercloud-webapp").files["render.yaml"])
    # The front is nano (shared, 512 MiB); the API is XS, whose 1 GiB does not fit starter.
    assert (clever["webapp-front"]["plan"], clever["webapp-api"]["plan"]) == ("starter", "standard")


def test_the_data_copy_step_opens_the_private_database_for_the_copy_only() -> None:
    result = convert("compose-webapp")
    assert yaml.safe_load(result.files["render.yaml"])["databases"][0]["ipAllowList"] == []
    step = result.files["RENDER.md"].split("Copy the data", 1)[1]
    # ipAllowList: [] refuses the external URL: the runbook must open it for the user's IP.
    assert "ipAllowList: []" in step and "your own IP" in step and "CIDR" in step
    assert "remove that entry" in step and "Shell" in step
