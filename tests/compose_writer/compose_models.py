"""Hand-built models for the compose writer tests (the seed's shape and a few variations)."""

from __future__ import annotations

from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    CacheRule,
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


def seed_model() -> Architecture:
    """A static front proxying /api/ to a Node API, PostgreSQL and an S3 store, as on Fly."""
    front = Service(
        name="web",
        role=Role.FRONT,
        build=Build(context="front", dockerfile="front/Dockerfile", runtime="nginx"),
        runtime=Runtime(port=8080),
        static_site=StaticSite(spa_fallback=True, gzip=True,
                               cache_rules=(CacheRule(pattern="/assets/", max_age_s=31536000,
                                                      immutable=True),)),
        routes=(Route(path_prefix="/api/", target_service="api", strip_prefix=True,
                      body_size_limit="50m", request_buffering=False,
                      forwarded_headers=("Host", "X-Real-IP", "X-Forwarded-For")),),
        scaling=Scaling(memory_mb=256, cpus=1, cpu_kind="shared", autostop=Autostop.STOP,
                        autostart=True, min_running=1),
        public=True,
        force_https=True,
    )
    api = Service(
        name="api",
        role=Role.API,
        build=Build(context="api", dockerfile="api/Dockerfile", runtime="node",
                    runtime_version="22", package_manager="npm"),
        runtime=Runtime(
            port=3000,
            env={"NODE_ENV": "production", "LOG_LEVEL": "info"},
            secret_env=("JWT_SECRET",),
            health_check=HealthCheck(path="/health", interval_s=10, timeout_s=2, grace_s=5),
            release_command="npm run migrate",
        ),
        bindings=(
            Binding(variable="DATABASE_URL", resource="db", attribute="uri", secret=True),
            Binding(variable="AWS_ACCESS_KEY_ID", resource="media", attribute="access_key", secret=True),
            Binding(variable="AWS_SECRET_ACCESS_KEY", resource="media", attribute="secret_key", secret=True),
            Binding(variable="AWS_ENDPOINT_URL_S3", resource="media", attribute="endpoint"),
            Binding(variable="AWS_REGION", resource="media", attribute="region"),
            Binding(variable="BUCKET_NAME", resource="media", attribute="bucket"),
        ),
        scaling=Scaling(memory_mb=512, autostop=Autostop.STOP, min_running=0),
    )
    worker = Service(
        name="worker",
        role=Role.WORKER,
        build=Build(context="api", dockerfile="api/Dockerfile", runtime="node"),
        runtime=Runtime(command=("node", "worker.js"), secret_env=("JWT_SECRET",)),
        bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri", secret=True),),
        volumes=(Volume(name="scratch", target="/var/cache/worker", size_gb=1),),
    )
    return Architecture(
        name="webapp",
        source_format="fly",
        services=(api, front, worker),
        databases=(Database(name="db", version="16", database_name="app", user="app",
                            password_secret="POSTGRES_PASSWORD", high_availability=False),),
        object_stores=(ObjectStore(name="media", provider="tigris",
                                   buckets=(Bucket(name="public-assets", public=True), Bucket(name="uploads"))),),
        secrets=(
            Secret(name="POSTGRES_PASSWORD", source="platform", used_by=("db",)),
            Secret(name="JWT_SECRET", source="platform", used_by=("api", "worker")),
        ),
        placement=Placement(primary=Region(code="cdg", platform="fly", city="Paris", country="FR")),
    )


def tricky_values_model() -> Architecture:
    """Env values that YAML 1.1 / 1.2 or compose interpolation would misread if written plain."""
    values = {
        "YES": "yes", "ON": "on", "PORTS": "22:22", "NULL": "null", "TILDE": "~",
        "ALIAS": "*a", "ANCHOR": "&a", "TAG": "!tag", "DASH": "- item", "MULTI": "line1\nline2",
        "OCTAL": "0o17", "MODE": "0755", "VERSION": "3.10", "EMPTY": "", "DOLLAR": "$HOME ${X}",
        "QUOTES": "it's \"quoted\"", "HASH": "a #b", "UNICODE": "café ☕", "TAB": "a\tb",
        "BOOL": "True", "NUM": "12", "FLOAT": "1e3", "INF": ".inf",
    }
    api = Service(name="api", role=Role.API, image="node:22-slim",
                  runtime=Runtime(port=3000, env=values, command=("node", "-e", "console.log('$x')")))
    return Architecture(name="tricky", services=(api,))


def static_front_model() -> Architecture:
    """A Clever-style static front without a Dockerfile and a Node API without one either."""
    front = Service(
        name="front",
        role=Role.FRONT,
        build=Build(context="front", runtime="static", build_command="npm run build",
                    output_dir="dist"),
        static_site=StaticSite(spa_fallback=True),
        routes=(Route(path_prefix="/api/", target_service="api", strip_prefix=True),),
        public=True,
        domains=("www.example.org",),
    )
    api = Service(
        name="api",
        role=Role.API,
        build=Build(context="api", runtime="node", runtime_version="20", package_manager="pnpm",
                    build_command="pnpm build", start_command="node dist/server.js"),
        runtime=Runtime(port=8080),
        volumes=(Volume(name="tmp", target="/tmp/uploads", kind=VolumeKind.TMPFS, size_gb=1),),
    )
    return Architecture(name="Static Site", services=(api, front))
