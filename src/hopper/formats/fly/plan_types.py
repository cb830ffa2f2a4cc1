"""What the Fly writer decides, as records: one :class:`App` per deployable service, the
databases and buckets to create (:class:`DbPlan`, :class:`StorePlan`), all in a :class:`Plan`.

:mod:`plan` and its parts (``plan_*``) fill them; the renderers (``write_toml``,
``write_dockerfiles``, the workflow, setup script and runbook templates) only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hopper.formats.fly import names, placement
from hopper.model import (
    Architecture,
    Database,
    HealthCheck,
    NodeInstall,
    ObjectStore,
    Service,
    Workspace,
)
from hopper.shared.nginx.build import Upstream

DEFAULT_NODE_VERSION = "24"  # replaced by versions.node_major() for every build
# Where the Flycast proxy listens: the external port of [http_service] (flyio.md §7.1).
FLYCAST_PORT = 80
FLY_DNS = "[fdaa::3]"


@dataclass(frozen=True, slots=True)
class Alias:
    """A variable the app reads, derived at boot from a variable Fly sets."""

    variable: str
    source: str  # the Fly variable: DATABASE_URL, AWS_ENDPOINT_URL_S3...
    part: str  # uri, host, port, user, password, database, endpoint, endpoint_host, access_key...
    resource: str


@dataclass(frozen=True, slots=True)
class Mount:
    source: str
    destination: str
    size_gb: int | None
    process: str | None
    volume: str  # the model's volume name


@dataclass(slots=True)
class App:
    service: Service
    name: str
    folder: str
    kind: str  # front, api, worker, generic
    http: bool
    public: bool
    port: int | None
    autostop: str
    min_running: int
    vm: placement.VmChoice
    build_mode: str  # front, front-files, node, source, image
    context: str  # the build context passed to `flyctl deploy`, relative to the repo root
    dockerfile: str | None  # relative to the fly.toml folder
    image: str | None
    processes: dict[str, str] = field(default_factory=dict)
    groups: dict[str, Service] = field(default_factory=dict)  # process group -> worker service
    build_secrets: tuple[str, ...] = ()
    build_vars: tuple[str, ...] = ()  # non-secret build-time inputs: CI variables passed as --build-arg
    build_args: dict[str, str] = field(default_factory=dict)  # public build-time values: [build.args]
    domains: tuple[str, ...] = ()  # custom domains: a certificate each (flyctl certs add)
    runtime_secrets: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    aliases: tuple[Alias, ...] = ()
    databases: tuple[tuple[str, str], ...] = ()  # (database name, variable name)
    stores: tuple[str, ...] = ()  # stores whose first bucket is created with this app
    release_command: str | None = None
    mounts: tuple[Mount, ...] = ()
    health: HealthCheck | None = None
    upstreams: dict[str, Upstream] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    token_secret: str = ""
    node_version: str = DEFAULT_NODE_VERSION
    package_manager: str = "npm"
    lockfile: str | None = None
    node_install: NodeInstall | None = None  # the model's (Build.node_install): version, lockfile, files
    static_copy: str | None = None  # front: a folder of ready files to copy
    files: tuple[tuple[str, str], ...] = ()  # [[files]]: (guest path, local path)
    workspace: Workspace | None = None  # the monorepo package this app builds, if any
    chosen: dict[str, str] = field(default_factory=dict)  # fly.toml key -> why hopper chose it
    tcp_port: int | None = None  # a private non-HTTP service (write_tcp): [[services]] over Flycast
    machines: int | None = None  # Machines of the app's own group (write_scale); None: flyctl's default

    @property
    def needs_shim(self) -> bool:
        return bool(self.aliases)


@dataclass(frozen=True, slots=True)
class DbPlan:
    database: Database
    name: str  # MPG cluster name or Postgres app name
    managed: bool
    mpg: placement.MpgChoice | None
    cluster_size: int
    users: tuple[tuple[str, str], ...]  # (app name, variable name)


@dataclass(frozen=True, slots=True)
class StorePlan:
    store: ObjectStore
    buckets: tuple[str, ...]
    owner: str | None  # the app `fly storage create` attaches the first bucket to
    others: tuple[str, ...]  # other apps that need the same credentials
    label: str = ""  # the store's name as a slug, for the setup script's comment (read back)
    public: frozenset[str] = frozenset()  # buckets created with --public (anonymous reads)


@dataclass(slots=True)
class Plan:
    arch: Architecture
    project: str
    region: str
    org: str | None
    managed_postgres: bool
    apps: list[App]
    databases: list[DbPlan]
    stores: list[StorePlan]

    @property
    def source(self) -> str:
        """The platform the migration starts from, for the runbook and the setup script. A Fly
        setup hopper wrote from another platform keeps naming that platform when it is read
        back (the reader records it as ``extensions.fly.written_from``)."""
        found = self.arch.source_format
        written_from = (self.arch.extensions.get("fly") or {}).get("written_from")
        if found in (None, "fly") and isinstance(written_from, str):
            found = written_from
        return found if found and names.slug(found) == found else "source"

    def app_for(self, service: str) -> App | None:
        for app in self.apps:
            if app.service.name == service or service in app.groups:
                return app
        return None


SHIM_GUEST_PATH = "/etc/hopper/hopper-env.sh"
