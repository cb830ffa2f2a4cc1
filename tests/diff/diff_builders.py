"""Hand-built models for the differ's tests: a small builder and named before/after cases.

Each case exercises one category (or one drift) so its golden reports stay readable.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hopper.diagnostics import Location
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    Database,
    DeployPipeline,
    EnvRead,
    HealthCheck,
    ObjectStore,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Secret,
    Service,
    StaticSite,
    Volume,
    Workflow,
    secret_digest,
)
from support import CANARY


def at(file: str, line: int) -> Location:
    return Location(file=file, line=line)


def svc(name: str, role: Role = Role.API, **kw: Any) -> Service:
    kw.setdefault("origin", at("setup.yaml", 1))
    return Service(name=name, role=role, **kw)


def arch(name: str, fmt: str, *services: Service, **kw: Any) -> Architecture:
    return Architecture(name=name, source_format=fmt, services=tuple(services), **kw)


def region(code: str, platform: str, line: int = 2) -> Region:
    return Region(code=code, platform=platform, origin=at("setup.yaml", line))


def webapp_clever() -> Architecture:
    """The reference app on Clever Cloud: static front + Node API + PostgreSQL + Cellar."""
    front = svc("front", Role.FRONT, public=True, force_https=True, domains=("www.example.com",),
                build=Build(runtime="static", build_command="npm run build"),
                static_site=StaticSite(root="dist", spa_fallback=True, gzip=True),
                routes=(Route(path_prefix="/api/", target_service="api", target_port=8080,
                              strip_prefix=True, body_size_limit="20m",
                              origin=at("clevercloud/setup.json", 12)),),
                scaling=Scaling(min_instances=1, max_instances=1, cpus=1, memory_mb=512),
                origin=at("clevercloud/setup.json", 3))
    api = svc("api", Role.API, public=False,
              build=Build(runtime="node", runtime_version="20", package_manager="npm",
                          start_command="npm start"),
              runtime=Runtime(port=8080, env={"NODE_ENV": "production", "LOG_LEVEL": "info"},
                              secret_env=("JWT_SECRET",),
                              health_check=HealthCheck(path="/health"),
                              release_command="npm run migrate",
                              origin=at("clevercloud/setup.json", 30)),
              scaling=Scaling(min_instances=2, max_instances=4, cpus=1, memory_mb=1024,
                              origin=at("clevercloud/setup.json", 25)),
              bindings=(Binding(variable="POSTGRESQL_ADDON_URI", resource="db", attribute="uri",
                                secret=True, origin=at("clevercloud/setup.json", 40)),
                        Binding(variable="CELLAR_ADDON_HOST", resource="media",
                                attribute="endpoint", origin=at("clevercloud/setup.json", 41)),
                        Binding(variable="CELLAR_ADDON_KEY_SECRET", resource="media",
                                attribute="secret_key", secret=True,
                                origin=at("clevercloud/setup.json", 42))),
              env_reads=(EnvRead(name="POSTGRESQL_ADDON_URI", file="api/src/db.js", line=3,
                                 language="javascript"),
                         EnvRead(name="PORT", file="api/src/server.js", line=9,
                                 language="javascript")),
              origin=at("clevercloud/setup.json", 20))
    return arch("webapp", "clevercloud", api, front,
                databases=(Database(name="db", version="15", plan="xs_sml", backups=True,
                                    origin=at("clevercloud/setup.json", 50)),),
                object_stores=(ObjectStore(name="media", provider="cellar",
                                           endpoint="cellar-c2.services.clever-cloud.com",
                                           buckets=(Bucket(name="media", public=True),),
                                           origin=at("clevercloud/setup.json", 60)),),
                secrets=(Secret(name="JWT_SECRET", source="env", used_by=("api",),
                                digest=secret_digest("JWT_SECRET", CANARY)),),
                placement=Placement(primary=region("par", "clevercloud")),
                pipeline=DeployPipeline(provider="clever_git_push"))


def webapp_fly() -> Architecture:
    """The same app as a Fly setup, with the differences a migration brings."""
    front = svc("webapp-front", Role.FRONT, public=True, force_https=True,
                domains=("www.example.com",),
                build=Build(context="front", dockerfile="front/Dockerfile", runtime="static"),
                static_site=StaticSite(root="/usr/share/nginx/html", spa_fallback=True, gzip=True),
                routes=(Route(path_prefix="/api/", target_service="webapp-api", target_port=3000,
                              strip_prefix=True, body_size_limit="20m",
                              origin=at("fly/front/nginx.conf", 14)),),
                scaling=Scaling(cpu_kind="shared", cpus=1, memory_mb=256,
                                autostop=Autostop.STOP, min_running=1,
                                origin=at("fly/front/fly.toml", 20)),
                origin=at("fly/front/fly.toml", 1))
    api = svc("webapp-api", Role.API, public=False,
              build=Build(context="api", dockerfile="api/Dockerfile", runtime="node",
                          runtime_version="22", package_manager="npm"),
              runtime=Runtime(port=3000, command=("node", "server.js"),
                              env={"NODE_ENV": "production", "PORT": "3000"},
                              secret_env=("JWT_SECRET",),
                              health_check=HealthCheck(path="/health", interval_s=10, grace_s=10),
                              release_command="npm run migrate",
                              origin=at("fly/api/fly.toml", 8)),
              scaling=Scaling(cpu_kind="shared", cpus=1, memory_mb=512, autostop=Autostop.STOP,
                              min_running=0, origin=at("fly/api/fly.toml", 30)),
              bindings=(Binding(variable="DATABASE_URL", resource="webapp-db", attribute="uri",
                                secret=True),
                        Binding(variable="AWS_ENDPOINT_URL_S3", resource="webapp-media",
                                attribute="endpoint"),
                        Binding(variable="AWS_SECRET_ACCESS_KEY", resource="webapp-media",
                                attribute="secret_key", secret=True)),
              extensions={"fly": {"private_network": "flycast"}},
              origin=at("fly/api/fly.toml", 1))
    return arch("webapp", "fly", api, front,
                databases=(Database(name="webapp-db", version="16", plan="basic", disk_gb=10,
                                    high_availability=True, backups=True,
                                    origin=at("fly/fly-setup.sh", 20)),),
                object_stores=(ObjectStore(name="webapp-media", provider="tigris",
                                           endpoint="https://fly.storage.tigris.dev",
                                           buckets=(Bucket(name="webapp-media"),),
                                           origin=at("fly/fly-setup.sh", 30)),),
                secrets=(Secret(name="JWT_SECRET", source="platform", used_by=("webapp-api",),
                                digest=secret_digest("JWT_SECRET", CANARY + "-rotated")),),
                placement=Placement(primary=region("cdg", "fly")),
                pipeline=DeployPipeline(provider="github_actions", workflows=(
                    Workflow(name="deploy-api", service="webapp-api",
                             path=".github/workflows/fly-deploy-api.yml",
                             token_secret="FLY_API_TOKEN_API"),)))


def drift_pair() -> tuple[Architecture, Architecture]:
    """The committed fly setup (before) against what hopper would generate now (after)."""
    generated = webapp_fly()
    api = generated.service("webapp-api")
    front = generated.service("webapp-front")
    assert api is not None and front is not None
    committed_api = replace(
        api, runtime=replace(api.runtime, env={**api.runtime.env, "LOG_LEVEL": "debug",
                                               "API_TOKEN": CANARY}),
        scaling=replace(api.scaling, autostop=Autostop.OFF, memory_mb=1024),
        extensions={"fly": {"private_network": "internal"}})
    committed_front = replace(front, routes=(replace(front.routes[0], read_timeout_s=300,
                                                     body_size_limit="50m"),))
    committed = replace(generated, services=(committed_api, committed_front),
                        placement=Placement(primary=region("mad", "fly", 3)))
    return committed, generated


def category_cases() -> dict[str, tuple[Architecture, Architecture]]:
    """One small pair per category, so each golden report shows that category alone."""
    base_api = svc("api", runtime=Runtime(port=3000))
    cases: dict[str, tuple[Architecture, Architecture]] = {}

    cases["components"] = (
        arch("app", "compose", base_api, svc("worker", Role.WORKER)),
        arch("app", "compose", svc("api", Role.WORKER, runtime=Runtime(port=3000)),
             svc("admin", Role.API)))

    cases["placement"] = (
        arch("app", "clevercloud", placement=Placement(primary=region("par", "clevercloud"))),
        arch("app", "fly", placement=Placement(primary=region("atl", "fly"))))

    cases["scaling"] = (
        arch("app", "clevercloud",
             svc("api", scaling=Scaling(min_instances=2, max_instances=2, memory_mb=1024)),
             svc("worker", Role.WORKER)),
        arch("app", "clevercloud",
             svc("api", scaling=Scaling(min_instances=1, max_instances=1, memory_mb=256,
                                        autostop=Autostop.SUSPEND)),
             svc("worker", Role.WORKER, scaling=Scaling(autostop=Autostop.STOP))))

    cases["secrets-env"] = (
        arch("app", "compose",
             svc("api", runtime=Runtime(env={"LOG_LEVEL": "debug", "API_URL": "http://api:3000",
                                             "SENTRY_DSN_PUBLIC": "https://k@sentry.example/1"},
                                        secret_env=("JWT_SECRET", "SMTP_PASSWORD")),
                 build=Build(secrets=("NPM_TOKEN",)),
                 bindings=(Binding(variable="DB_URL", resource="db", attribute="uri",
                                   secret=True),),
                 env_reads=(EnvRead(name="DB_URL", file="src/db.js", line=4,
                                    language="javascript"),
                            EnvRead(name="VITE_API_URL", file="src/main.ts", line=2,
                                    language="typescript", build_time=True))),
             databases=(Database(name="db"),),
             secrets=(Secret(name="JWT_SECRET", used_by=("api",),
                             digest=secret_digest("JWT_SECRET", CANARY)),
                      Secret(name="SMTP_PASSWORD", used_by=("api",)))),
        arch("app", "compose",
             svc("api", runtime=Runtime(env={"API_URL": "http://api.internal:3000",
                                             "SMTP_PASSWORD": CANARY,
                                             "SESSION_KEY": CANARY},
                                        secret_env=("JWT_SECRET", "SENTRY_DSN_PUBLIC")),
                 build=Build(secrets=("SENTRY_AUTH_TOKEN",)),
                 env_reads=(EnvRead(name="DB_URL", file="src/db.js", line=4,
                                    language="javascript"),)),
             databases=(Database(name="db"),),
             secrets=(Secret(name="JWT_SECRET", used_by=("api",),
                             digest=secret_digest("JWT_SECRET", CANARY + "x")),
                      Secret(name="STRIPE_KEY", used_by=("api",)))))
    # VITE_API_URL: the before build received it as a build arg.
    b_api = cases["secrets-env"][0].services[0]
    cases["secrets-env"] = (
        replace(cases["secrets-env"][0], services=(replace(b_api, build=replace(
            b_api.build, args={"VITE_API_URL": "/api"})),)),  # type: ignore[arg-type]
        cases["secrets-env"][1])

    cases["networking"] = (
        arch("app", "fly",
             svc("front", Role.FRONT, public=True, force_https=True,
                 domains=("example.com", "www.example.com"),
                 routes=(Route(path_prefix="/api/", target_service="api"),)),
             svc("api", runtime=Runtime(port=8080), scaling=Scaling(autostop=Autostop.OFF)),
             svc("admin", public=False)),
        arch("app", "fly",
             svc("front", Role.FRONT, public=True, force_https=False,
                 domains=("www.example.com", "app.example.com"),
                 routes=(Route(path_prefix="/api/", target_service="api"),)),
             svc("api", runtime=Runtime(port=3000), scaling=Scaling(autostop=Autostop.STOP),
                 extensions={"fly": {"private_network": "internal"}}),
             svc("admin", public=True, force_https=True,
                 extensions={"fly": {"flycast": True}})))

    cases["routing"] = (
        arch("app", "compose",
             svc("front", Role.FRONT,
                 static_site=StaticSite(spa_fallback=True, gzip=True),
                 routes=(Route(path_prefix="/api/", target_service="api", target_port=3000,
                               strip_prefix=True, body_size_limit="50m", read_timeout_s=300,
                               forwarded_headers=("Host", "X-Forwarded-For")),
                         Route(path_prefix="/ws/", target_service="api", websocket=True),
                         Route(path_prefix="/admin/", target_service="api"))),
             base_api),
        arch("app", "compose",
             svc("front", Role.FRONT,
                 static_site=StaticSite(spa_fallback=False, gzip=False),
                 routes=(Route(path_prefix="/api/", target_service="api", target_port=8080,
                               strip_prefix=False, connect_timeout_s=5,
                               request_buffering=False, forwarded_headers=("Host",)),
                         Route(path_prefix="/ws/", target_service="api", websocket=False,
                               body_size_limit="0"),
                         Route(path_prefix="/static/", target_service="api"))),
             base_api))

    cases["data"] = (
        arch("app", "clevercloud",
             svc("api", volumes=(Volume(name="uploads", target="/app/uploads"),)),
             databases=(Database(name="db", version="17", plan="s_sml", disk_gb=20,
                                 high_availability=True, backups=True),
                        Database(name="analytics", version="15")),
             object_stores=(ObjectStore(name="media", provider="cellar",
                                        buckets=(Bucket(name="avatars", public=True),
                                                 Bucket(name="exports"))),)),
        arch("app", "fly",
             svc("api", volumes=(Volume(name="cache", target="/app/cache"),)),
             databases=(Database(name="db", version="16", plan="basic", disk_gb=10,
                                 high_availability=False, backups=False),),
             object_stores=(ObjectStore(name="media", provider="tigris",
                                        buckets=(Bucket(name="avatars", public=False),
                                                 Bucket(name="reports", public=True))),
                            ObjectStore(name="backups", provider="tigris"))))

    cases["build-deploy"] = (
        arch("app", "clevercloud",
             svc("api", build=Build(runtime="node", runtime_version="20",
                                    package_manager="npm", start_command="npm start"),
                 runtime=Runtime(release_command="npm run migrate",
                                 health_check=HealthCheck(path="/health", interval_s=10))),
             svc("front", Role.FRONT, image="nginx:1.25-alpine",
                 runtime=Runtime(health_check=HealthCheck(path="/"))),
             svc("worker", Role.WORKER, runtime=Runtime(release_command="node seed.js")),
             pipeline=DeployPipeline(provider="clever_git_push")),
        arch("app", "fly",
             svc("api", build=Build(dockerfile="api/Dockerfile", runtime="node",
                                    runtime_version="22", package_manager="pnpm"),
                 runtime=Runtime(command=("node", "dist/server.js"),
                                 health_check=HealthCheck(path="/healthz", interval_s=15))),
             svc("front", Role.FRONT, image="nginx:1.27-alpine"),
             svc("worker", Role.WORKER, runtime=Runtime(release_command="node seed.js --all",
                                                        health_check=HealthCheck(path="/up"))),
             pipeline=DeployPipeline(provider="github_actions", workflows=(
                 Workflow(name="deploy-api", service="api",
                          path=".github/workflows/deploy-api.yml",
                          token_secret="FLY_API_TOKEN"),))))

    cases["cost"] = (
        arch("app", "fly", svc("api", scaling=Scaling(cpu_kind="shared", cpus=1, memory_mb=512)),
             databases=(Database(name="db", plan="basic"),)),
        arch("app", "fly", svc("api", scaling=Scaling(cpu_kind="performance", cpus=2,
                                                       memory_mb=4096, min_instances=2)),
             databases=(Database(name="db", plan="launch"),)))
    return cases


def all_cases() -> dict[str, tuple[Architecture, Architecture]]:
    cases = {f"category-{k}": v for k, v in category_cases().items()}
    cases["clevercloud-to-fly-handmade"] = (webapp_clever(), webapp_fly())
    cases["drift-fly-committed-vs-generated"] = drift_pair()
    return cases
