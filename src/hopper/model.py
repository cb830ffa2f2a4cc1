"""The neutral architecture model.

Every reader produces an :class:`Architecture`; every writer consumes one; the differ compares
two. The classes are frozen, slotted, keyword-only dataclasses. Collections are tuples sorted by
name, so output and diffs are deterministic. Mappings (env, build args, extensions) are plain
dicts that the native dump writes with sorted keys.

Provenance (``origin``) is kept out of equality: two models read from different files but
describing the same architecture compare equal. ``key_origins`` refines it per field: on a
Service, Runtime, Scaling, Build, Database or ObjectStore it maps a field name (``autostop``,
``force_https``) or a field's entry (``env.NODE_ENV``, ``args.VITE_API_URL``) to where the user
wrote the key that set it, so a plan finding points at that key. Readers fill it; it is out of
equality and hash, and dumped only with ``--with-origin``.

Secret values never live here. A :class:`Secret` has a name and at most a digest, so that a diff
can say "changed" without showing what it changed to.

This module imports nothing but the standard library and :mod:`hopper.diagnostics`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hopper.diagnostics import Location

MODEL_VERSION = 1


def _origin() -> Any:
    return field(default=None, compare=False, repr=False)


def _key_origins() -> Any:
    return field(default_factory=dict, compare=False, repr=False)


class Role(enum.Enum):
    """What a service is for. Backing services (PostgreSQL, object storage) are not services:
    they become :class:`Database` and :class:`ObjectStore` components."""

    FRONT = "front"  # static files, usually served by nginx, usually also the reverse proxy
    API = "api"  # an HTTP application server (Node.js in the architecture hopper moves)
    WORKER = "worker"  # a process without inbound HTTP
    GENERIC = "generic"  # something hopper did not recognise; carried through with a warning


class Autostop(enum.Enum):
    OFF = "off"
    STOP = "stop"
    SUSPEND = "suspend"


class VolumeKind(enum.Enum):
    NAMED = "named"  # persistent storage owned by the platform
    BIND = "bind"  # a host path mounted in (compose only)
    TMPFS = "tmpfs"  # memory-backed scratch space


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthCheck:
    """An HTTP path check, or a command run inside the container."""

    path: str | None = None
    command: tuple[str, ...] = ()
    port: int | None = None
    interval_s: float | None = None
    timeout_s: float | None = None
    grace_s: float | None = None
    retries: int | None = None
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """The service is one package of a JavaScript monorepo."""

    root: str  # the repository root, relative to the project root ("." usually)
    package: str  # the package name in its package.json ("@example/front")
    path: str  # the package folder relative to the root ("apps/front")
    tool: str | None = None  # "turbo" when the repository uses turbo to prune and build


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeInstall:
    """How a Node.js build installs its dependencies, as the checkout says (read at read time, so
    that writers need not look at the source tree). The manager itself is ``Build.package_manager``."""

    version: str | None = None  # package.json "packageManager" version ("4.1.0"): corepack runs it
    major: int | None = None  # the manager's major, from packageManager or the lockfile's format
    lockfile: str | None = None  # relative to the project root; None: the checkout has none
    # Other install inputs, relative to the project root, a folder ending in "/": .npmrc,
    # .yarnrc.yml, .yarn/releases/, pnpm-workspace.yaml, patches/...
    files: tuple[str, ...] = ()
    manifests: tuple[str, ...] = ()  # package.json of every workspace package (monorepo installs)
    origin: Location | None = _origin()


def _observed() -> Any:
    # What hopper saw in the checkout is not the architecture: two models of one architecture
    # read from different checkouts compare equal, as with ``origin``. It is dumped, though, so
    # a model read back from its native form writes the same files.
    return field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextFiles:
    """What the checkout holds at a build's context, seen once at load time (:mod:`hopper.checkout`)
    so that writers never read the source tree. Independent of what the reader recorded: a reader
    may not have looked (a front read from its nginx image still has a package.json there)."""

    dockerfile: bool = False  # a file named Dockerfile in the context
    package_json: bool = False  # a readable package.json in the context: a Node.js project
    node_engines: str | None = None  # that package.json's engines.node, as written
    workspace: Workspace | None = None  # the monorepo package that package.json is, if any
    # Which root manifests of the build's workspace (Build.workspace, else the one above) exist,
    # relative to the project root: package.json, the lockfiles, pnpm-workspace.yaml, turbo.json.
    workspace_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Build:
    """How the service's image or artifact is built."""

    context: str | None = None  # relative to the project root, POSIX separators
    dockerfile: str | None = None  # relative to the project root
    dockerfile_inline: str | None = None
    target: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()  # names of build-time secrets
    runtime: str | None = None  # "node", "static", "nginx", "python"...
    runtime_version: str | None = None  # "20", "22.3"
    # package.json engines.node as written (">=20"); Clever's Node runtime honours it over
    # CC_NODE_VERSION, so a writer must know it is there.
    node_engines: str | None = None
    package_manager: str | None = None  # "npm", "pnpm", "yarn", "bun"
    install_command: str | None = None
    build_command: str | None = None
    start_command: str | None = None
    output_dir: str | None = None  # where the build leaves static files ("dist")
    workspace: Workspace | None = None
    node_install: NodeInstall | None = None
    context_files: ContextFiles | None = _observed()  # None: the checkout was not looked at
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheRule:
    pattern: str  # nginx location or path glob, e.g. "~* \\.(js|css)$" or "/assets/"
    max_age_s: int | None = None
    immutable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticSite:
    root: str = "/usr/share/nginx/html"  # where the files are served from inside the runtime
    index: str = "index.html"
    spa_fallback: bool = False  # unknown paths fall back to the index
    gzip: bool = False
    gzip_types: tuple[str, ...] = ()
    cache_rules: tuple[CacheRule, ...] = ()
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A path prefix the service proxies to another service."""

    path_prefix: str  # "/api/"
    target_service: str  # a Service.name
    target_port: int | None = None
    strip_prefix: bool = False  # the target sees "/health" for "/api/health"
    body_size_limit: str | None = None  # nginx-style size, e.g. "50m"; None means the default
    request_buffering: bool | None = None
    response_buffering: bool | None = None
    connect_timeout_s: float | None = None
    read_timeout_s: float | None = None
    send_timeout_s: float | None = None
    forwarded_headers: tuple[str, ...] = ()  # "Host", "X-Real-IP", "X-Forwarded-For"...
    websocket: bool = False
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    command: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    port: int | None = None  # the port the process listens on
    env: Mapping[str, str] = field(default_factory=dict)  # plain, non-secret values only
    secret_env: tuple[str, ...] = ()  # names of env vars whose values are secrets
    health_check: HealthCheck | None = None
    release_command: str | None = None  # runs once per deploy, before the new version (migrations)
    user: str | None = None
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scaling:
    min_instances: int | None = None
    max_instances: int | None = None
    cpu_kind: str | None = None  # "shared" or "performance"
    cpus: float | None = None
    memory_mb: int | None = None
    autostop: Autostop | None = None  # None: the source did not say
    autostart: bool | None = None
    min_running: int | None = None
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    name: str
    target: str  # the mount path inside the service
    kind: VolumeKind = VolumeKind.NAMED
    source: str | None = None  # the host path of a bind mount
    size_gb: int | None = None
    read_only: bool = False
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    """One env var of a service that carries one attribute of a backing resource.

    ``POSTGRESQL_ADDON_URI`` carries the ``uri`` of database ``db``; ``S3_ENDPOINT`` carries the
    ``endpoint`` of object store ``media``; ``API_URL`` carries the ``url`` of service ``api``.
    """

    variable: str
    resource: str  # the name of a Database, ObjectStore or Service
    attribute: str  # see BINDING_ATTRIBUTES
    secret: bool = False  # the value is (or contains) a credential
    origin: Location | None = _origin()


BINDING_ATTRIBUTES = (
    "uri", "host", "port", "user", "password", "database",  # databases
    "endpoint", "access_key", "secret_key", "bucket", "region",  # object stores
    "url",  # services
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvRead:
    """A place in the application's own code that reads an environment variable."""

    name: str
    file: str  # relative to the project root, POSIX separators
    line: int
    language: str  # "python", "javascript", "typescript", "dockerfile", "shell"
    build_time: bool = False  # read at build time (Vite import.meta.env, Dockerfile ARG)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenAddress:
    """A place in the application's own code that picks the address it listens on."""

    host: str  # "0.0.0.0", "127.0.0.1", "localhost", "::"
    file: str  # relative to the project root, POSIX separators
    line: int
    from_env: str | None = None  # the variable that overrides it (HOST), when it is only a default


# Service extension keys that describe the architecture, not one format's private data: a reader
# records what it merged or replaced, every writer may read them, and none reports them dropped.
# "merged": identical services one nginx upstream balanced, kept as this one with instances
# ({"services": [...], "upstream": name}); "cron": the service's command was a cron daemon, now
# its schedules ({"replaces": "crond"}).
ARCHITECTURE_NOTES = frozenset({"merged", "cron"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    name: str
    role: Role = Role.GENERIC
    image: str | None = None
    build: Build | None = None
    runtime: Runtime = field(default_factory=Runtime)
    static_site: StaticSite | None = None
    routes: tuple[Route, ...] = ()
    scaling: Scaling = field(default_factory=Scaling)
    volumes: tuple[Volume, ...] = ()
    depends_on: tuple[str, ...] = ()
    bindings: tuple[Binding, ...] = ()
    public: bool = False  # reachable from the internet
    force_https: bool | None = None
    domains: tuple[str, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()  # filled when the application code is scanned
    # Filled at load time from the code of every service built from source (hopper.checkout).
    listen_addresses: tuple[ListenAddress, ...] = field(default=(), compare=False)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class Database:
    name: str
    engine: str = "postgresql"
    version: str | None = None  # major version, "16"
    image: str | None = None  # where it came from a container image
    database_name: str | None = None
    user: str | None = None
    password_secret: str | None = None  # the name of the Secret holding the password
    plan: str | None = None
    cpus: float | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None
    high_availability: bool | None = None
    replicas: int | None = None
    backups: bool | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict)
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket:
    name: str
    public: bool = False
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectStore:
    name: str
    provider: str = "s3"  # "minio", "cellar", "tigris", "s3", "garage", "localstack"...
    image: str | None = None
    endpoint: str | None = None  # the endpoint clients use, when known and not secret
    buckets: tuple[Bucket, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)
    origin: Location | None = _origin()
    key_origins: Mapping[str, Location] = _key_origins()


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    name: str
    source: str = "env"  # "env", "compose_secret", "platform", "file", "build"
    used_by: tuple[str, ...] = ()  # service names
    build_time: bool = False
    digest: str | None = None  # see secret_digest(); never the value
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """A command run on a timetable (a cron job), in the image and environment of one service.

    ``cron`` is a five-field cron expression (minute hour day-of-month month day-of-week, UTC, as
    Clever Cloud's cron.json and crontab write it) or one of the ``@hourly``-style shorthands.
    ``command`` is kept as the source wrote it (``$ROOT/...`` on Clever Cloud).
    """

    name: str  # unique in the architecture: "<service>-cron-<n>"
    cron: str
    command: str
    service: str | None = None  # the Service whose image and environment the command runs in
    origin: Location | None = _origin()


def key_origins(*pairs: tuple[str, Location | None]) -> dict[str, Location]:
    """A ``key_origins`` map from (field, location) pairs; unknown locations are left out."""
    return {key: loc for key, loc in pairs if loc is not None}


def secret_digest(name: str, value: str) -> str:
    """A short, stable digest of a secret value, so a diff can say "changed" without the value.

    The name is mixed in so equal values under different names do not look alike.
    """
    import hashlib  # noqa: PLC0415 - here, not at import: OpenSSL's loading costs ~2-3 ms at start-up

    return hashlib.sha256(f"hopper-secret\0{name}\0{value}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """A platform's region code resolved to a place, so regions can be mapped by geography."""

    code: str
    platform: str  # "fly", "clevercloud", "compose" (a user-stated location)
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None
    eu: bool | None = None  # inside the European Union / EEA
    retired: bool = False
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    primary: Region | None = None
    others: tuple[Region, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """One CI job that deploys a service."""

    name: str
    service: str | None = None
    path: str | None = None  # the workflow file, relative to the project root
    branches: tuple[str, ...] = ()
    build_secrets: tuple[str, ...] = ()  # build secret names passed to the deploy
    token_secret: str | None = None  # the CI secret holding the deploy token
    origin: Location | None = _origin()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployPipeline:
    provider: str | None = None  # "github_actions", "clever_git_push"...
    workflows: tuple[Workflow, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkout:
    """The files at the top of the checkout the setup was read from, seen once at load time, so
    that a writer can say which of its files replace or sit beside the repository's own without
    reading the tree: files at the root, one folder down (hidden and dependency folders aside),
    and in .github/workflows, relative to the project root, sorted."""

    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Architecture:
    name: str
    source_format: str | None = None
    services: tuple[Service, ...] = ()
    databases: tuple[Database, ...] = ()
    object_stores: tuple[ObjectStore, ...] = ()
    secrets: tuple[Secret, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    placement: Placement = field(default_factory=Placement)
    pipeline: DeployPipeline = field(default_factory=DeployPipeline)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    checkout: Checkout | None = _observed()  # None: built in code, or read without a checkout
    origin: Location | None = _origin()

    def service(self, name: str) -> Service | None:
        for svc in self.services:
            if svc.name == name:
                return svc
        return None

    def database(self, name: str) -> Database | None:
        for db in self.databases:
            if db.name == name:
                return db
        return None

    def object_store(self, name: str) -> ObjectStore | None:
        for store in self.object_stores:
            if store.name == name:
                return store
        return None

    def services_with_role(self, role: Role) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.role is role)

    def resource_names(self) -> frozenset[str]:
        return frozenset(
            [s.name for s in self.services]
            + [d.name for d in self.databases]
            + [o.name for o in self.object_stores]
        )


def sorted_by_name(items: Any) -> tuple[Any, ...]:
    """Sort components by their ``name`` for deterministic collections."""
    return tuple(sorted(items, key=lambda item: item.name))
