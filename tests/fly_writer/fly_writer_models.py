"""Hand-built models for the Fly writer tests: the shapes a reader would produce."""

from __future__ import annotations

from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    Database,
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
    VolumeKind,
)


def api_postgres() -> Architecture:
    """An API and its PostgreSQL database, nothing else (no front, no storage)."""
    api = Service(
        name="api", role=Role.API, public=True,
        build=Build(context="server", runtime="node", runtime_version="20", package_manager="npm",
                    build_command="npm run build", start_command="node dist/main.js"),
        runtime=Runtime(port=4000, env={"NODE_ENV": "production", "LOG_LEVEL": "info"},
                        secret_env=("SESSION_SECRET",),
                        health_check=HealthCheck(path="/healthz", interval_s=15, timeout_s=2, grace_s=20),
                        release_command="npx prisma migrate deploy"),
        scaling=Scaling(cpus=2, memory_mb=1000),
        depends_on=("pg",),
        bindings=(Binding(variable="DATABASE_URL", resource="pg", attribute="uri", secret=True),),
    )
    return Architecture(
        name="Ledger", source_format="compose", services=(api,),
        databases=(Database(name="pg", version="17", memory_mb=2048),),
        secrets=(Secret(name="SESSION_SECRET", used_by=("api",)),),
        placement=Placement(primary=Region(code="fra", platform="fly")),
    )


def full() -> Architecture:
    """Front + API + Postgres + object storage + a worker with a volume, from Clever Cloud: the
    API reads the Clever add-on names, which Fly does not set."""
    front = Service(
        name="web", role=Role.FRONT, public=True,
        build=Build(context="web", runtime="node", runtime_version="22", package_manager="pnpm",
                    build_command="pnpm run build", output_dir="build",
                    secrets=("SENTRY_AUTH_TOKEN", "VITE_SENTRY_DSN")),
        static_site=StaticSite(spa_fallback=True, gzip=True, gzip_types=("text/css", "application/javascript")),
        routes=(
            Route(path_prefix="/api/", target_service="api", target_port=8080, strip_prefix=True,
                  body_size_limit="50m", request_buffering=False, read_timeout_s=120,
                  forwarded_headers=("Host", "X-Forwarded-For", "X-Forwarded-Proto")),
            Route(path_prefix="/ws/", target_service="api", target_port=8080, websocket=True),
        ),
    )
    api = Service(
        name="api", role=Role.API,
        build=Build(context="api", runtime="node", runtime_version="22", package_manager="npm",
                    start_command="node src/index.js"),
        runtime=Runtime(port=8080, env={"NODE_ENV": "production", "POSTGRESQL_ADDON_HOST": "db"},
                        secret_env=("JWT_SECRET", "POSTGRESQL_ADDON_URI"),
                        health_check=HealthCheck(path="/api/health")),
        scaling=Scaling(memory_mb=1024, cpus=1, max_instances=4),
        bindings=(
            Binding(variable="POSTGRESQL_ADDON_URI", resource="pg", attribute="uri", secret=True),
            Binding(variable="POSTGRESQL_ADDON_HOST", resource="pg", attribute="host"),
            Binding(variable="POSTGRESQL_ADDON_PORT", resource="pg", attribute="port"),
            Binding(variable="POSTGRESQL_ADDON_PASSWORD", resource="pg", attribute="password", secret=True),
            Binding(variable="CELLAR_ADDON_HOST", resource="cellar", attribute="endpoint"),
            Binding(variable="CELLAR_ADDON_KEY_ID", resource="cellar", attribute="access_key"),
            Binding(variable="CELLAR_ADDON_KEY_SECRET", resource="cellar", attribute="secret_key", secret=True),
        ),
    )
    worker = Service(
        name="thumbnailer", role=Role.WORKER,
        build=Build(context="api", runtime="node", runtime_version="22", package_manager="npm",
                    start_command="node src/index.js"),
        runtime=Runtime(command=("node", "src/worker.js"), env={"NODE_ENV": "production"}),
        volumes=(Volume(name="thumb-cache", target="/var/cache/thumbs", size_gb=3),
                 Volume(name="scratch", target="/scratch", kind=VolumeKind.TMPFS)),
        bindings=(Binding(variable="CELLAR_ADDON_HOST", resource="cellar", attribute="endpoint"),),
    )
    return Architecture(
        name="photo-share", source_format="clevercloud", services=(api, worker, front),
        databases=(Database(name="pg", version="15", high_availability=True),),
        object_stores=(ObjectStore(name="cellar", provider="cellar", buckets=(Bucket(name="photos"),)),),
        secrets=(Secret(name="JWT_SECRET", used_by=("api",)),
                 Secret(name="SENTRY_AUTH_TOKEN", used_by=("web",), build_time=True),
                 Secret(name="VITE_SENTRY_DSN", used_by=("web",), build_time=True)),
        placement=Placement(primary=Region(code="par", platform="clevercloud", city="Paris",
                                           country="FR", latitude=48.8566, longitude=2.3522)),
    )


def front_api(port: int = 8080, api_port: int = 3000, autostop: Autostop | None = None) -> Architecture:
    """The loopback e2e shape: a front proxying /api/ (prefix stripped) to a Node API."""
    front = Service(
        name="front", role=Role.FRONT, public=True,
        build=Build(context="front", package_manager="npm", build_command="npm run build"),
        runtime=Runtime(port=port),
        static_site=StaticSite(spa_fallback=True, gzip=True),
        routes=(Route(path_prefix="/api/", target_service="api", strip_prefix=True,
                      forwarded_headers=("Host", "X-Forwarded-For")),),
    )
    api = Service(name="api", role=Role.API,
                  build=Build(context="api", package_manager="npm", start_command="node server.js"),
                  runtime=Runtime(port=api_port, health_check=HealthCheck(path="/health")),
                  scaling=Scaling(autostop=autostop))
    return Architecture(name="shop", source_format="compose", services=(api, front))


def database_only() -> Architecture:
    """A setup with a database and no deployable app (a compose file that only runs PostgreSQL)."""
    return Architecture(
        name="Ledger", source_format="compose",
        databases=(Database(name="pg", version="17", memory_mb=2048),),
        placement=Placement(primary=Region(code="fra", platform="fly")),
    )
