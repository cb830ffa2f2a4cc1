"""Issue 21: what a first `terraform apply` or `clever-setup.sh --apply` needs, one class per
test, each with the smallest model that shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopper.diagnostics import HopperError
from hopper.formats.base import WriteOptions
from hopper.formats.clevercloud.writer import write
from hopper.model import (
    Architecture,
    Binding,
    Bucket,
    Build,
    Database,
    ObjectStore,
    Role,
    Route,
    Runtime,
    Service,
    StaticSite,
)
from hopper.secrets import name_looks_secret

SCHEMA = json.loads((Path(__file__).parent / "provider-schema.json").read_text(encoding="utf-8"))


def _files(*services: Service, databases: tuple[Database, ...] = (),
           stores: tuple[ObjectStore, ...] = ()) -> tuple[dict[str, str], set[str], str]:
    result = write(Architecture(name="shop", services=services, databases=databases,
                                object_stores=stores), WriteOptions())
    files = dict(result.files)
    messages = "\n".join(d.message for d in result.diagnostics)
    return files, {d.code for d in result.diagnostics}, messages


def _plain(value: object) -> object:
    """python-hcl2 8 keeps string quotes and adds __...__ keys; drop both."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _resources(main_tf: str) -> dict[str, dict[str, object]]:
    import hcl2

    parsed = hcl2.loads(main_tf)
    out: dict[str, dict[str, object]] = {}
    for entry in parsed.get("resource", []):
        for rtype, bodies in entry.items():
            for label, body in bodies.items():
                out[f"{_plain(rtype)}.{_plain(label)}"] = _plain(body)  # type: ignore[assignment]
    return out


def _api(**kw: object) -> Service:
    base: dict[str, object] = {"name": "api", "role": Role.API, "public": True,
                               "build": Build(runtime="node", start_command="node server.js"),
                               "runtime": Runtime(port=8080)}
    base.update(kw)
    return Service(**base)  # type: ignore[arg-type]


# ---------------------------------------------------------------- 1. add-ons, not Docker apps

def test_redis_becomes_the_redis_addon_and_its_url_a_redis_url() -> None:
    api = _api(bindings=(Binding(variable="CACHE_URL", resource="redis", attribute="url"),
                         Binding(variable="REDIS_URL", resource="redis", attribute="url")))
    redis = Service(name="redis", image="redis:latest")
    files, codes, _ = _files(api, redis)
    res = _resources(files["terraform/main.tf"])
    assert "clevercloud_redis.redis" in res and "clevercloud_docker.redis" not in res
    env = res["clevercloud_nodejs.api"]["environment"]
    assert env["CACHE_URL"].startswith("redis://:${clevercloud_redis.redis.token}@")  # type: ignore[index]
    assert "REDIS_URL" not in env  # type: ignore[operator]  # linking injects it
    assert "https://" not in files["terraform/main.tf"].split("clevercloud_nodejs")[1]
    assert "HOP474" in codes
    assert "create_addon redis-addon shop-redis --plan s_mono" in files["clever-setup.sh"]


@pytest.mark.parametrize(("image", "rtype"), [("mongo:7", "clevercloud_mongodb"),
                                              ("mariadb:11", "clevercloud_mysql"),
                                              ("metabase/metabase:v0.53.3", "clevercloud_metabase"),
                                              ("quay.io/keycloak/keycloak:26.0", "clevercloud_keycloak")])
def test_managed_images_become_their_addons(image: str, rtype: str) -> None:
    files, _, _ = _files(_api(), Service(name="svc", image=image))
    assert f"{rtype}.svc" in _resources(files["terraform/main.tf"])


def test_a_private_app_without_http_gets_no_http_binding() -> None:
    api = _api(bindings=(Binding(variable="QUEUE_URL", resource="queue", attribute="url"),))
    queue = Service(name="queue", role=Role.WORKER, build=Build(runtime="node", start_command="node q.js"))
    files, codes, _ = _files(api, queue)
    assert "QUEUE_URL" not in files["terraform/main.tf"] and "HOP476" in codes


# ---------------------------------------------------------------- schema of every emitted resource

@pytest.mark.parametrize("image", ["redis:7", "mongo:7", "mysql:8", "metabase/metabase", "keycloak/keycloak"])
def test_emitted_attributes_are_in_the_provider_schema(image: str) -> None:
    front = Service(name="front", role=Role.FRONT, public=True,
                    build=Build(runtime="node", build_command="npm run build", output_dir="dist",
                                package_manager="pnpm", runtime_version="22"),
                    static_site=StaticSite(spa_fallback=True),
                    routes=(Route(path_prefix="/api/", target_service="api"),))
    files, _, _ = _files(front, _api(public=False), Service(name="dep", image=image),
                         databases=(Database(name="db"),),
                         stores=(ObjectStore(name="media", buckets=(Bucket(name="media"),)),))
    for key, body in _resources(files["terraform/main.tf"]).items():
        rtype = key.split(".")[0]
        spec = SCHEMA["resources"][rtype]
        allowed = set(spec["required"]) | set(spec["optional"])
        assert set(body) <= allowed, (key, set(body) - allowed)
        assert set(spec["required"]) <= set(body), (key, set(spec["required"]) - set(body))
        for block, attrs in spec.get("blocks", {}).items():
            for inner in body.get(block, []) if isinstance(body.get(block), list) else []:
                assert set(inner) <= set(attrs)


# ---------------------------------------------------------------- 2. Docker apps that build and start

def test_a_worker_running_another_services_image_is_built_from_that_source() -> None:
    server = Service(name="server", image="shop-server", public=True,
                     build=Build(context=".", dockerfile="Dockerfile"), runtime=Runtime(port=8000))
    worker = Service(name="worker", image="shop-server", role=Role.WORKER,
                     runtime=Runtime(command=("celery", "-A", "shop", "worker")))
    files, _, _ = _files(server, worker)
    assert not any(path.startswith("worker/") for path in files)  # no FROM shop-server
    res = _resources(files["terraform/main.tf"])
    assert "clevercloud_docker.worker" in res


def test_a_node_worker_runs_as_clever_worker_with_a_responder_on_port() -> None:
    worker = Service(name="jobs", role=Role.WORKER,
                     build=Build(runtime="node", start_command="node jobs.js"))
    files, codes, _ = _files(_api(), worker)
    body = _resources(files["terraform/main.tf"])["clevercloud_nodejs.jobs"]
    assert body["environment"]["CC_WORKER_COMMAND"] == "node jobs.js"  # type: ignore[index]
    assert "process.env.PORT" in str(body["start_script"]) and body["vhosts"] == []
    assert "HOP477" in codes


# ---------------------------------------------------------------- 4. paths relative to APP_FOLDER

def test_webroot_and_htaccess_copy_are_relative_to_app_folder() -> None:
    front = Service(name="front", role=Role.FRONT, public=True,
                    build=Build(context="apps/front", runtime="node", build_command="pnpm run build",
                                output_dir="apps/front/dist", package_manager="pnpm"),
                    static_site=StaticSite(spa_fallback=True))
    files, _, _ = _files(front)
    body = _resources(files["terraform/main.tf"])["clevercloud_static_apache.front"]
    assert body["environment"]["CC_WEBROOT"] == "/dist"  # type: ignore[index]
    hook = body["hooks"][0]["pre_build"]  # type: ignore[index]
    assert hook.endswith("cp clevercloud/front.htaccess dist/.htaccess")
    # The file the hook copies is where the hook runs: inside APP_FOLDER.
    assert "apps/front/clevercloud/front.htaccess" in files


# ---------------------------------------------------------------- 5. Node on Clever

def test_engines_node_wins_so_cc_node_version_is_not_promised() -> None:
    api = _api(build=Build(runtime="node", start_command="node .", runtime_version="20",
                           node_engines=">=20"))
    files, codes, messages = _files(api)
    assert "CC_NODE_VERSION" not in files["terraform/main.tf"] and "HOP480" in codes
    assert "engines.node '>=20'" in messages


def test_static_hooks_with_pnpm_enable_corepack_and_choose_node() -> None:
    front = Service(name="front", role=Role.FRONT, public=True,
                    build=Build(runtime="node", runtime_version="22", package_manager="pnpm",
                                install_command="pnpm install", build_command="pnpm run build",
                                output_dir="dist"),
                    static_site=StaticSite())
    files, codes, _ = _files(front)
    body = _resources(files["terraform/main.tf"])["clevercloud_static_apache.front"]
    assert body["hooks"][0]["pre_build"].startswith("corepack enable && pnpm install")  # type: ignore[index]
    assert body["environment"]["CC_NODE_VERSION"] == "22"  # type: ignore[index]
    assert "HOP469" not in codes


# ---------------------------------------------------------------- 6. Cellar bucket names

def test_bucket_names_get_the_project_prefix_and_s3cmd_the_cellar_host() -> None:
    api = _api(bindings=(Binding(variable="S3_BUCKET", resource="media", attribute="bucket"),))
    files, _, _ = _files(api, stores=(ObjectStore(name="media", buckets=(Bucket(name="media"),)),))
    assert _resources(files["terraform/main.tf"])["clevercloud_cellar_bucket.media"]["id"] == "shop-media"
    assert "s3cmd --host=cellar-c2.services.clever-cloud.com" in files["clever-setup.sh"]
    assert 'S3_BUCKET="shop-media"' in files["clever-env/api.env.example"]


# ---------------------------------------------------------------- 7. third-party credentials

def test_a_database_credential_set_comes_whole_from_the_addon() -> None:
    app = Service(name="bi", role=Role.API, public=True, build=Build(dockerfile="Dockerfile"),
                  runtime=Runtime(port=3000, env={"MB_DB_USER": "metabase", "MB_DB_DBNAME": "mb",
                                                  "MB_DB_PORT": "5432"},
                                  secret_env=("MB_DB_PASS",)),
                  bindings=(Binding(variable="MB_DB_HOST", resource="db", attribute="host"),))
    files, _, _ = _files(app, databases=(Database(name="db"),))
    env = _resources(files["terraform/main.tf"])["clevercloud_docker.bi"]["environment"]
    assert env == {"MB_DB_HOST": "${clevercloud_postgresql.db.host}",  # type: ignore[comparison-overlap]
                   "MB_DB_USER": "${clevercloud_postgresql.db.user}",
                   "MB_DB_PASS": "${clevercloud_postgresql.db.password}",
                   "MB_DB_DBNAME": "${clevercloud_postgresql.db.database}",
                   "MB_DB_PORT": "${tostring(clevercloud_postgresql.db.port)}"}


@pytest.mark.parametrize(("name", "secret"), [("MB_PASSWORD_COMPLEXITY", False),
                                              ("MB_PASSWORD_LENGTH", False),
                                              ("SESSION_TIMEOUT", False), ("MB_DB_PASS", True),
                                              ("PASSWORD", True), ("API_TOKEN", True)])
def test_password_policy_settings_are_not_secrets(name: str, secret: bool) -> None:
    assert name_looks_secret(name) is secret


# ---------------------------------------------------------------- 8. ports

def test_an_app_that_reads_port_gets_no_container_port() -> None:
    app = Service(name="web", role=Role.API, public=True, build=Build(dockerfile="Dockerfile"),
                  runtime=Runtime(port=3000, env={"PORT": "3000"}))
    files, codes, _ = _files(app)
    body = _resources(files["terraform/main.tf"])["clevercloud_docker.web"]
    assert "container_port" not in body and "HOP479" in codes
    fixed = Service(name="web", role=Role.API, public=True, build=Build(dockerfile="Dockerfile"),
                    runtime=Runtime(port=3000))
    files, _, _ = _files(fixed)
    assert _resources(files["terraform/main.tf"])["clevercloud_docker.web"]["container_port"] == 3000


# ---------------------------------------------------------------- 10. HTTPS, dev values, domains

def test_public_apps_redirect_to_https() -> None:
    files, _, _ = _files(_api())
    assert _resources(files["terraform/main.tf"])["clevercloud_nodejs.api"]["redirect_https"] is True
    assert "--enable-force-https" in files["clever-setup.sh"]


def test_development_values_are_warned() -> None:
    api = _api(runtime=Runtime(port=8080, env={"DEBUG": "True", "ALLOWED_HOSTS": "localhost",
                                               "LOG_LEVEL": "debug"}))
    _, codes, messages = _files(api)
    assert "HOP478" in codes and "DEBUG=True" in messages and "ALLOWED_HOSTS=localhost" in messages
    assert "LOG_LEVEL" not in messages


@pytest.mark.parametrize("domain", ["--help", "www.example.org\nevil.example.org",
                                    "a b.example.org", "$(id).example.org", "example"])
def test_a_domain_that_is_not_a_dns_name_never_reaches_the_script(domain: str) -> None:
    with pytest.raises(HopperError) as err:
        _files(_api(domains=(domain,)))
    assert err.value.code == "HOP009"


def test_a_valid_domain_reaches_terraform_and_the_script() -> None:
    files, _, _ = _files(_api(domains=("WWW.Example.org.",)))
    assert "add_domain www.example.org api" in files["clever-setup.sh"]


# ---------------------------------------------------------------- 9. a plan that speaks Clever

def test_findings_read_the_targets_edge() -> None:
    from hopper import diff as differ
    from hopper.model import Architecture as A

    route = Route(path_prefix="/api/", target_service="api", body_size_limit="20m",
                  read_timeout_s=300.0, forwarded_headers=("Host", "X-Forwarded-For", "X-Real-IP"))
    before = A(name="w", source_format="compose", services=(
        Service(name="front", role=Role.FRONT, routes=(route,)), _api()),
        object_stores=(ObjectStore(name="media", provider="minio"),))
    clever_route = Route(path_prefix="/api/", target_service="api")
    after = A(name="w", source_format="clevercloud", services=(
        Service(name="front", role=Role.FRONT, routes=(clever_route,)), _api()),
        object_stores=(ObjectStore(name="media", provider="cellar"),))
    plan = differ.diff_models(before, after)
    text = "\n".join(f"{f.code} {f.before} {f.after} {f.why} {f.action}" for f in plan.findings)
    for fly_or_nginx in ("client_max_body_size", "nginx default", "proxy_set_header", "Tigris"):
        assert fly_or_nginx not in text, fly_or_nginx
    codes = {f.code for f in plan.findings}
    assert "HD514" in codes and "HD505" not in codes and "HD507" not in codes
    # Clever's load balancers add Host and X-Forwarded-For; only X-Real-IP is lost.
    hd511 = next(f for f in plan.findings if f.code == "HD511")
    assert "X-Real-IP" in hd511.why and "X-Forwarded-For" not in hd511.why
    # The same routes to Fly keep the nginx comparison.
    fly = differ.diff_models(before, A(name="w", source_format="fly", services=after.services))
    assert "HD505" in {f.code for f in fly.findings}


# ---------------------------------------------------------------- the runbook

def test_a_clever_runbook_is_written() -> None:
    api = _api(bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri"),),
               domains=("www.example.org",))
    files, _, _ = _files(api, databases=(Database(name="db"),),
                         stores=(ObjectStore(name="media", buckets=(Bucket(name="media"),)),))
    book = files["MIGRATION.md"]
    for step in ("## 1. Provision", "pg_dump", "pg_restore", "rclone sync", "cellar:shop-media",
                 "clever deploy --alias api", "CNAME domain.par.clever-cloud.com.", "## 8. Rollback"):
        assert step in book, step


def test_a_docker_worker_that_cannot_be_deployed_is_said() -> None:
    worker = Service(name="worker", role=Role.WORKER, build=Build(dockerfile="Dockerfile"),
                     runtime=Runtime(command=("celery", "worker")))
    files, codes, messages = _files(_api(), worker)
    assert "HOP476" in codes and "answers on port 8080" in messages
    assert _resources(files["terraform/main.tf"])["clevercloud_docker.worker"]["vhosts"] == []


def test_a_redis_addon_reads_back_as_the_backing_service(tmp_path: Path) -> None:
    from hopper.formats.base import ReadOptions
    from hopper.formats.clevercloud.reader import read

    api = _api(bindings=(Binding(variable="REDIS_URL", resource="redis", attribute="url"),))
    files, _, _ = _files(api, Service(name="redis", image="redis:7"))
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    back = read(tmp_path, ReadOptions()).model
    redis = back.service("redis")
    assert redis is not None and redis.image == "redis" and redis.build is None
    api_back = back.service("api")
    assert api_back is not None
    assert ("REDIS_URL", "redis", "url") in {(b.variable, b.resource, b.attribute)
                                             for b in api_back.bindings}
