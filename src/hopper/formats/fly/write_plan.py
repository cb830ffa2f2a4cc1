"""Every decision the Fly writer makes, taken once, before any file is rendered.

:func:`make_plan` turns the model and the write options into a :class:`Plan`: one :class:`App`
per deployable service (name, folder, port, autostop, size, how its image is built, which
secrets it needs, which names it reads that Fly does not set...), the databases and buckets to
create, and the order of deployment. The renderers (``write_toml``, ``write_dockerfiles``,
``write_workflows``, ``write_setup``, ``write_runbook``) only format the plan, so every choice
lives here and is reported here as a diagnostic.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field, replace

from hopper import mappings
from hopper.checkout import WORKSPACE_ROOT_FILES
from hopper.diagnostics import (
    E_INVALID_NAME,
    Diagnostics,
    Severity,
    code,
    fail,
)
from hopper.formats.base import WriteOptions
from hopper.formats.fly import names, placement
from hopper.formats.fly.setfiles import DOCKERFILE, NGINX_CONF
from hopper.formats.fly.write_buildvars import is_public_build_name, place_public_values
from hopper.formats.fly.write_network import report_binds, service_url, upstream_for
from hopper.model import (
    Architecture,
    Database,
    HealthCheck,
    NodeInstall,
    ObjectStore,
    Role,
    Service,
    VolumeKind,
    Workspace,
)
from hopper.nginx_build import Upstream
from hopper.secrets import exec_line, shell_line

W_VOLUME = code("HOP510", Severity.WARNING, "a volume becomes a Fly volume, which belongs to one Machine in one region")
W_VOLUME_LOST = code("HOP511", Severity.WARNING, "a bind mount or tmpfs cannot be carried to Fly")
W_CHECK_COMMAND = code("HOP512", Severity.WARNING, "a command health check has no fly.toml equivalent that gates traffic")
W_ONE_MOUNT = code("HOP513", Severity.WARNING, "a Fly process group can mount only one volume")
I_AUTOSTOP = code("HOP514", Severity.INFO, "the autostop and minimum-running values hopper chose, and why")
W_SUSPEND = code("HOP515", Severity.WARNING, "autostop 'suspend' needs 2 GB of memory or less; 'stop' is used")
I_ROUTE = code("HOP516", Severity.INFO, "how the front reaches a route's target over Fly's private network")
W_ENV_RESERVED = code("HOP517", Severity.WARNING, "an env var cannot be set in fly.toml and was left out")
I_ALIAS = code("HOP518", Severity.INFO, "a name the app reads is provided from what Fly sets")
W_ALIAS_DOCKERFILE = code("HOP519", Severity.WARNING, "the app's own Dockerfile must run hopper-env.sh for the names it reads")
W_MAX_INSTANCES = code("HOP520", Severity.WARNING, "a scaling setting has no fly.toml equivalent")
W_PORT_GUESSED = code("HOP521", Severity.WARNING, "the service states no port; hopper chose one")
W_RELEASE_VOLUME = code("HOP522", Severity.WARNING, "a release command runs without the app's volumes")
W_STORE_SHARED = code("HOP524", Severity.WARNING, "an object store is used by several apps or has several buckets")
W_DB_ENGINE = code("HOP525", Severity.WARNING, "a database engine other than PostgreSQL is not provisioned")
I_WORKER_GROUP = code("HOP526", Severity.INFO, "a worker runs as a process group of the app that shares its image")
W_GENERIC = code("HOP527", Severity.WARNING, "a service of unknown role is carried as a plain Fly app")
W_DB_VERSION = code("HOP528", Severity.WARNING, "the PostgreSQL version is not offered by Managed Postgres")
E_OPTION = code("HOP529", Severity.ERROR, "a write option has a value the Fly writer does not accept")
W_ROUTE_TARGET = code("HOP530", Severity.WARNING, "a route's target is not a deployable service")
W_NOT_DEPLOYABLE = code("HOP531", Severity.WARNING, "a service has neither a build nor an image and is not deployed")
W_FRONT_FILES = code("HOP532", Severity.WARNING, "the front keeps its own image; its nginx.conf is replaced at boot")
W_DOMAIN_PRIVATE = code("HOP536", Severity.WARNING, "a private service has custom domains; Fly serves them only on public apps")
I_BUILD_VAR = code("HOP535", Severity.INFO, "a variable the front's code reads while it is built becomes a build argument or build secret")
I_SECRET_MANAGED = code("HOP537", Severity.INFO, "a secret of a database or object store is replaced by the credentials Fly creates")
W_SECRET_UNUSED = code("HOP538", Severity.WARNING, "a secret no deployed app uses is not staged")
I_DB_CREDENTIALS = code("HOP542", Severity.INFO, "a database's name, user or backups setting is Fly's own")
W_BUILD_UNWRITTEN = code("HOP541", Severity.WARNING, "a build or command setting has no place in the Fly output")
I_BUCKET_NAME = code("HOP540", Severity.INFO, "a bucket name is changed to fit Fly's naming rules")
I_STATIC_COPY = code("HOP539", Severity.INFO, "a bind mount of the front's static files is copied into its image")

FRONT_DEFAULT_PORT = 8080
API_DEFAULT_PORT = 8080
DEFAULT_NODE_VERSION = "24"  # replaced by versions.node_major() for every build
# Where the Flycast proxy listens: the external port of [http_service] (flyio.md §7.1).
FLYCAST_PORT = 80
FLY_DNS = "[fdaa::3]"

# The Fly variable each attribute comes from, read from mappings/env-names.toml ([fly.*]).
_FLY_DB_SOURCE = "DATABASE_URL"


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


def _option(value: str | None, allowed: tuple[str, ...], flag: str) -> str | None:
    if value is not None and value not in allowed:
        raise fail(E_OPTION, f"{flag} {value!r} is not one of {', '.join(allowed)}")
    return value


def make_plan(arch: Architecture, options: WriteOptions, diags: Diagnostics) -> Plan:
    autostop_flag = _option(options.autostop, ("off", "stop", "suspend"), "--autostop")
    postgres = _option(options.postgres, ("managed", "unmanaged"), "--postgres") or "managed"
    if options.min_running is not None and options.min_running < 0:
        raise fail(E_OPTION, "--min-running must be 0 or more")
    prefix = names.check_prefix(options.app_prefix)
    org = names.check_org(options.org)
    region = placement.choose_region(arch, options.region, diags, managed_postgres=postgres == "managed")

    deployable, groups = _deployable(arch, diags)
    app_names = names.app_names(arch.name, [(s.name, s.origin) for s in deployable], prefix, diags)
    project = names.slug(arch.name) or "app"
    routed = {r.target_service for s in arch.services for r in s.routes}

    apps: list[App] = []
    for svc in deployable:
        app = _app(svc, app_names[svc.name], routed, autostop_flag, options, diags)
        for group, worker in groups.get(svc.name, []):
            app.groups[group] = worker
        apps.append(app)
    # Deploy order: what others depend on first, the public front last.
    apps.sort(key=lambda a: (a.kind == "front", a.folder))

    by_name = {a.service.name: a for a in apps}
    for app in apps:
        _build(app, diags)
        _env_and_secrets(app, arch, by_name, diags)
        place_public_values(app, diags)
        _volumes(app, diags)
        _health_and_release(app, diags)
    for app in apps:
        if app.kind == "front":
            _upstreams(app, arch, by_name, diags)
    reached = routed | {b.resource for s in arch.services for b in s.bindings if b.attribute == "url"}
    for app in apps:
        report_binds(app, app.service.name in reached, diags)
    dbs = _databases(arch, apps, prefix, project, postgres == "managed", region, diags)
    stores = _stores(arch, apps, prefix, project, diags)
    _unstaged_secrets(arch, apps, diags)
    for app in apps:
        _aliases(app, arch, dbs, diags)
        app.paths = _paths(app)
        _report_unwritten_build(app, diags)
    from hopper.formats.fly.release import release_for  # noqa: PLC0415

    for app in apps:
        app.release_command = release_for(app, postgres == "managed")
    return Plan(arch=arch, project=project, region=region, org=org,
                managed_postgres=postgres == "managed", apps=apps, databases=dbs, stores=stores)


# ---------------------------------------------------------------------------- services

def _deployable(arch: Architecture, diags: Diagnostics) -> tuple[list[Service], dict[str, list[tuple[str, Service]]]]:
    """The services that become apps, and the workers that join another app as a process group."""
    out: list[Service] = []
    groups: dict[str, list[tuple[str, Service]]] = {}
    hosts = [s for s in arch.services if s.role in (Role.API, Role.GENERIC) and (s.build or s.image)]
    for svc in arch.services:
        if svc.build is None and svc.image is None:
            diags.warning(W_NOT_DEPLOYABLE, f"service '{svc.name}' has neither a build nor an image; "
                          "hopper does not deploy it", svc.origin)
            continue
        if svc.role is Role.WORKER:
            host = next((h for h in hosts if _same_image(h, svc)), None)
            if host is not None:
                group = names.slug(svc.name).replace("-", "_") or "worker"
                groups.setdefault(host.name, []).append((group, svc))
                diags.info(I_WORKER_GROUP, f"worker '{svc.name}' runs as process group '{group}' of "
                           f"'{host.name}' (same image, separate Machines)", svc.origin)
                continue
        if svc.role is Role.GENERIC:
            diags.warning(W_GENERIC, f"service '{svc.name}' has no recognised role; it becomes a Fly "
                          "app with its own image and no Postgres or storage wiring", svc.origin,
                          hint="mark it with x-hopper role, or remove it from the output")
        out.append(svc)
    return out, groups


def _same_image(a: Service, b: Service) -> bool:
    if a.build is not None and b.build is not None:
        return (a.build.context, a.build.dockerfile, a.build.dockerfile_inline) == \
            (b.build.context, b.build.dockerfile, b.build.dockerfile_inline)
    return a.image is not None and a.image == b.image


def _app(svc: Service, name: str, routed: set[str], autostop_flag: str | None,
         options: WriteOptions, diags: Diagnostics) -> App:
    kind = {Role.FRONT: "front", Role.API: "api", Role.WORKER: "worker"}.get(svc.role, "generic")
    loc = svc.origin
    chosen: dict[str, str] = {}
    # A Fly setup hopper wrote, read back, lists the values hopper chose there: they are chosen
    # again (same value, same comment), not taken as the source's.
    chosen_before = set((svc.extensions.get("fly") or {}).get("chosen") or ())
    port = svc.runtime.port if "internal_port" not in chosen_before else None
    if port is None and "PORT" in svc.runtime.env and svc.runtime.env["PORT"].isdigit() and \
            "env.PORT" not in chosen_before:
        port = int(svc.runtime.env["PORT"])
    if kind == "front":
        if port is None:
            port = FRONT_DEFAULT_PORT
            chosen["internal_port"] = "the port hopper's nginx.conf listens on"
        http = True
    elif kind == "worker":
        http = False
    else:
        http = port is not None or kind == "api"
        if port is None and http:
            port = API_DEFAULT_PORT
            chosen["internal_port"] = "the source states no port; PORT is set to match"
            diags.warning(W_PORT_GUESSED, f"service '{svc.name}' states no port; hopper uses "
                          f"{API_DEFAULT_PORT} and sets PORT={API_DEFAULT_PORT}", loc,
                          hint="make sure the app listens on $PORT, or set the port in the source")
    public = kind == "front" or (svc.public and svc.name not in routed)
    vm = placement.choose_vm(svc if "vm.size" not in chosen_before else replace(
        svc, scaling=replace(svc.scaling, cpu_kind=None, cpus=None, memory_mb=None)), diags)

    # Autostop: --autostop, else the source's, else "stop". Minimum running: --min-running, else
    # the source's, else 1 for a public front (no cold start on the first page) and 0 for a
    # private API (Flycast starts it on the first request).
    source_autostop = svc.scaling.autostop.value if svc.scaling.autostop is not None and \
        "auto_stop_machines" not in chosen_before else None
    autostop = autostop_flag or source_autostop or "stop"
    why = "--autostop" if autostop_flag else ("the source" if source_autostop else "hopper's default")
    if autostop == "suspend" and vm.memory_mb > placement.suspend_max_memory_mb():
        diags.warning(W_SUSPEND, f"service '{svc.name}' has {vm.memory_mb} MB; Fly suspends only "
                      "Machines of 2 GB or less, so it uses autostop 'stop'", loc)
        autostop = "stop"
    if options.min_running is not None:
        min_running, why_min = options.min_running, "--min-running"
    elif svc.scaling.min_running is not None and "min_machines_running" not in chosen_before:
        min_running, why_min = svc.scaling.min_running, "the source"
    else:
        min_running = 1 if public else 0
        why_min = "hopper's default for a public app" if public else "hopper's default for a private app"
        chosen["min_machines_running"] = ("one Machine stays up so the first visitor gets no cold start"
                                          if public else "Flycast starts a Machine on the first request")
    if why == "hopper's default":
        chosen["auto_stop_machines"] = "idle Machines stop and start again on the next request"
    if autostop == "off":
        # min_machines_running only holds Machines back from autostop (validate's HOP337): with
        # autostop off every Machine runs, and 0 says so without a key that does nothing.
        if min_running > 0 and why_min in ("--min-running", "the source"):
            diags.info(I_AUTOSTOP, f"app '{name}': min_machines_running {min_running} ({why_min}) does "
                       "nothing while autostop is off; every Machine runs, and 0 is written", loc)
        min_running, why_min = 0, "autostop is off"
        chosen["min_machines_running"] = "autostop is off: every Machine runs"
    if http:
        diags.info(I_AUTOSTOP, f"app '{name}': auto_stop_machines '{autostop}' ({why}), "
                   f"min_machines_running {min_running} ({why_min})", loc,
                   hint="override with --autostop and --min-running")
    folder = names.slug(svc.name)
    return App(service=svc, name=name, folder=folder, kind=kind, http=http, public=public,
               port=port, autostop=autostop, min_running=min_running, vm=vm, build_mode="image",
               context=".", dockerfile=None, image=svc.image,
               token_secret=names.secret_env_name(folder), chosen=chosen,
               domains=_domains(svc, public, diags))


def _domains(svc: Service, public: bool, diags: Diagnostics) -> tuple[str, ...]:
    found = tuple(sorted({names.check_domain(d, svc.origin) for d in svc.domains}))
    if found and not public:
        diags.warning(W_DOMAIN_PRIVATE, f"service '{svc.name}' has custom domains "
                      f"({', '.join(found)}) but is private on Fly; no certificate is requested",
                      svc.origin, hint="route the domain to the front instead")
        return ()
    return found


# ---------------------------------------------------------------------------- builds

def _build_time_vars(app: App, diags: Diagnostics) -> None:
    """Names the service's code reads while it is built (Vite's ``import.meta.env.VITE_*``...).

    A bundler inlines them into the static files, so they must exist at build time: a name that
    looks secret becomes a build secret (mounted for the build step only), any other a build
    argument fed from a CI variable of the same name. Both sides use the same name.
    """
    from hopper.envscan.classify import build_time_vars  # noqa: PLC0415

    build = app.service.build
    assert build is not None
    given = set(build.args) | set(app.build_secrets)
    secrets = set(app.build_secrets)
    plain: set[str] = set()
    for var in build_time_vars(app.service):
        if var.name in given:
            continue
        name = names.check_gh_secret(var.name, build.origin)
        where = f"{var.read.file}:{var.read.line}"
        if var.secret and not is_public_build_name(name):
            secrets.add(name)
            diags.info(I_BUILD_VAR, f"service '{app.service.name}' reads {name} at {where} while it is "
                       f"built; it becomes a build secret fed from the GitHub secret {name}", build.origin)
        else:
            plain.add(name)
            diags.info(I_BUILD_VAR, f"service '{app.service.name}' reads {name} at {where} while it is "
                       f"built; it becomes a build argument fed from the GitHub variable {name}",
                       build.origin)
    app.build_secrets = tuple(sorted(secrets))
    app.build_vars = tuple(sorted(plain))


def _build(app: App, diags: Diagnostics) -> None:
    _build_inner(app, diags)


def _report_unwritten_build(app: App, diags: Diagnostics) -> None:
    """The build and runtime fields the chosen build mode has no place for, each named."""
    svc, build = app.service, app.service.build
    lost: list[str] = []
    if build is not None and app.build_mode in ("front", "node"):
        if build.dockerfile_inline:
            lost.append("its inline Dockerfile (hopper generates one)")
        unwritten = sorted(k for k in build.args if k not in app.build_args)
        if unwritten:
            lost.append(f"build args {', '.join(repr(k) for k in unwritten)}")
        if build.target:
            lost.append(f"build target '{build.target}'")
        if build.install_command and not _same_install(app, build.install_command):
            lost.append(f"install_command '{build.install_command}' (the generated Dockerfile installs "
                        "with the package manager)")
    if svc.runtime.user and app.build_mode in ("front", "node"):
        lost.append(f"user '{svc.runtime.user}' (the generated Dockerfile runs as 'node' or nginx's user)")
    check = svc.runtime.health_check
    if check is not None and app.health is not None and check.port not in (None, app.port):
        lost.append(f"health check port {check.port} (Fly checks the internal_port)")
    if check is not None and app.health is not None and check.retries is not None:
        lost.append(f"health check retries {check.retries} (a Fly check has none)")
    if svc.runtime.command and not app.processes and (
            app.build_mode != "node" or (build is not None and build.start_command)):
        lost.append(f"command '{shlex.join(svc.runtime.command)}' (the image's own CMD runs)")
    if lost:
        diags.warning(W_BUILD_UNWRITTEN, f"service '{svc.name}': {'; '.join(lost)} not written to Fly",
                      (build.origin if build else None) or svc.origin)


def _same_install(app: App, command: str) -> bool:
    """The source's install command is what the generated Dockerfile runs anyway (``npm ci``
    with a lockfile): nothing is lost, so nothing is reported."""
    from hopper.formats.fly.write_dockerfiles import generated_install  # noqa: PLC0415

    written = generated_install(app)
    return written is not None and command.split() == written.split()


def _build_inner(app: App, diags: Diagnostics) -> None:
    svc = app.service
    build = svc.build
    # What the checkout holds at the build context, observed at load time (hopper.checkout).
    found = build.context_files if build is not None else None
    node = found is not None and found.package_json
    if build is not None:
        app.build_secrets = tuple(sorted({names.check_gh_secret(n, build.origin) for n in build.secrets}))
        from hopper.formats.fly.versions import node_major  # noqa: PLC0415

        app.node_version = node_major(build.runtime_version, found.node_engines if found else None)
        # What installing needs comes from the model alone (read at read time), so that the
        # generated Dockerfile is the same with or without the source tree.
        app.package_manager = build.package_manager or "npm"
        app.node_install = build.node_install
        app.lockfile = build.node_install.lockfile if build.node_install else None
        # The reader may not have recorded the workspace (a front read from its nginx image);
        # the package.json next to the build context says it as well.
        app.workspace = build.workspace or (found.workspace if found else None)
        _build_time_vars(app, diags)
    if app.kind == "front":
        static_bind = next((v for v in svc.volumes if v.kind is VolumeKind.BIND and svc.static_site
                            and v.target.rstrip("/") == svc.static_site.root.rstrip("/") and v.source), None)
        if build is not None and (app.workspace or build.package_manager or build.build_command):
            app.build_mode = "front"
        elif static_bind is not None and static_bind.source is not None:
            app.build_mode = "front"
            app.static_copy = posixpath.normpath(static_bind.source.removeprefix("./"))
        elif build is not None and (build.dockerfile or build.context):
            app.build_mode = "front-files"
            app.files = (("/etc/nginx/nginx.conf", NGINX_CONF),)
            app.context = build.context or "."
            app.dockerfile = posixpath.relpath(build.dockerfile or posixpath.join(app.context, "Dockerfile"),
                                               app.folder)
            diags.warning(W_FRONT_FILES, f"front '{svc.name}' is built by its own Dockerfile, which hopper "
                          f"cannot change; the generated {NGINX_CONF} replaces /etc/nginx/nginx.conf at boot "
                          "through [[files]]", svc.origin,
                          hint="check that the image is nginx-based and serves the static root "
                          f"{svc.static_site.root if svc.static_site else '/usr/share/nginx/html'}")
        else:
            app.build_mode = "front-files"
            app.files = (("/etc/nginx/nginx.conf", NGINX_CONF),)
            diags.warning(W_FRONT_FILES, f"front '{svc.name}' runs the image '{svc.image}'; the generated "
                          f"{NGINX_CONF} replaces /etc/nginx/nginx.conf at boot through [[files]]", svc.origin)
        if app.build_mode == "front":
            app.dockerfile = DOCKERFILE
        return
    if build is None:
        app.build_mode = "image"
        return
    dockerfile = build.dockerfile
    if dockerfile is None and found is not None and build.context is not None \
            and found.dockerfile and not (build.package_manager or node):
        dockerfile = posixpath.join(build.context, "Dockerfile")
    if dockerfile is not None:
        app.build_mode = "source"
        app.context = build.context or "."
        app.dockerfile = posixpath.relpath(dockerfile, app.folder)
    else:
        app.build_mode = "node"
        app.dockerfile = DOCKERFILE


# ---------------------------------------------------------------------------- env and secrets

def _env_and_secrets(app: App, arch: Architecture, apps: dict[str, App], diags: Diagnostics) -> None:
    members = [app.service, *app.groups.values()]
    bound = {b.variable for s in members for b in s.bindings}
    env: dict[str, str] = {}
    secrets: set[str] = set()
    build_secrets = set(app.build_secrets)
    translated: set[str] = set()
    for svc in members:
        for key, value in sorted(svc.runtime.env.items()):
            loc = svc.runtime.origin or svc.origin
            names.plain_env_name(key, loc)
            if key.startswith("FLY_"):
                diags.warning(W_ENV_RESERVED, f"service '{svc.name}': env var '{key}' is left out: "
                              "names starting with FLY_ are Fly's own", loc)
                continue
            if key in bound or key == "PORT":
                continue
            if key in env and env[key] != value:
                diags.warning(W_ENV_RESERVED, f"service '{svc.name}': env var '{key}' differs between "
                              f"the processes of app '{app.name}'; the value of '{app.service.name}' is kept",
                              loc)
                continue
            env.setdefault(key, value)
        for name in svc.runtime.secret_env:
            if name not in bound:
                secrets.add(names.secret_name(name, svc.origin, diags, translated))
        for b in svc.bindings:
            target = apps.get(b.resource)
            if b.attribute == "url" and target is not None and b.secret:
                # A URL with a credential (redis://:${REDIS_PASSWORD}@cache:6379): the address
                # alone would drop it, so it stays a secret the user sets (write_tcp says to what).
                secrets.add(names.secret_name(b.variable, b.origin or svc.origin, diags, translated))
            elif b.attribute == "url" and target is not None:
                env[b.variable] = _service_url(target)
    for secret in arch.secrets:
        users = set(secret.used_by)
        if not users.intersection(s.name for s in members):
            continue
        secret_name = names.secret_name(secret.name, secret.origin, diags, translated)
        if secret.build_time:
            build_secrets.add(names.check_gh_secret(secret_name, secret.origin))
        elif secret.name not in bound:
            secrets.add(secret_name)
    if app.http and app.kind != "front" and app.port is not None:
        source_port = app.service.runtime.env.get("PORT")
        env["PORT"] = str(app.port)
        if source_port is not None and source_port != str(app.port):
            diags.warning(W_ENV_RESERVED, f"service '{app.service.name}': PORT={source_port} differs "
                          f"from the port it listens on ({app.port}); fly.toml sets PORT={app.port}",
                          app.service.runtime.origin)
    for fly_name in ("PRIMARY_REGION",):
        env.pop(fly_name, None)
    for name in sorted(secrets & set(env)):
        if name == "PORT" or any(b.variable == name and b.attribute == "url" for s in members for b in s.bindings):
            continue
        # One name has one value per app: the secret is kept, never replaced by a plain value.
        diags.warning(W_ENV_RESERVED, f"app '{app.name}': env var '{name}' is plain in one process group and "
                      "a secret in another; it stays a secret and the plain value is left out",
                      app.service.runtime.origin or app.service.origin)
        del env[name]
    app.env = dict(sorted(env.items()))
    app.runtime_secrets = tuple(sorted(secrets - set(env)))
    app.build_secrets = tuple(sorted(build_secrets))
    if app.groups:
        # Secrets are the app's, so every process group receives each of them.
        for svc in members:
            own = set(svc.runtime.secret_env) | {s.name for s in arch.secrets if svc.name in s.used_by}
            extra = [n for n in app.runtime_secrets if n not in own]
            if extra:
                diags.info(I_WORKER_GROUP, f"service '{svc.name}' shares the secrets of app '{app.name}' "
                           f"with its other process groups: it also receives "
                           f"{', '.join(repr(n) for n in extra)}", svc.origin)


def _service_url(target: App) -> str:
    return service_url(target)


def _upstreams(front: App, arch: Architecture, apps: dict[str, App], diags: Diagnostics) -> None:
    for route in front.service.routes:
        target = apps.get(route.target_service)
        if target is None or not target.http or target.port is None:
            diags.warning(W_ROUTE_TARGET, f"route {route.path_prefix} of '{front.service.name}' goes to "
                          f"'{route.target_service}', which is not deployed as an HTTP app; "
                          "the route is left out of nginx.conf", route.origin)
            continue
        # One rule for every source: Flycast (write_network explains why never .internal).
        front.upstreams[route.target_service] = upstream_for(target)
        diags.info(I_ROUTE, f"route {route.path_prefix} -> '{target.name}' over Flycast "
                   f"(http://{target.name}.flycast): the proxy starts a stopped API", route.origin)


# ---------------------------------------------------------------------------- volumes, checks

def _volumes(app: App, diags: Diagnostics) -> None:
    mounts: list[Mount] = []
    members: list[tuple[str | None, Service]] = [(None, app.service)]
    members += [(g, s) for g, s in sorted(app.groups.items())]
    if app.groups:
        members[0] = ("app", app.service)
    for group, svc in members:
        taken = False
        for vol in svc.volumes:
            loc = vol.origin or svc.origin
            if vol.kind is not VolumeKind.NAMED:
                if app.static_copy is not None and vol.source is not None and \
                        posixpath.normpath(vol.source.removeprefix("./")) == app.static_copy:
                    diags.info(I_STATIC_COPY, f"service '{svc.name}': bind mount '{vol.name}' of "
                               f"{vol.source} at {vol.target} is copied into the front's image", loc)
                    continue
                ro = " read-only" if vol.read_only else ""
                diags.warning(W_VOLUME_LOST, f"service '{svc.name}':{ro} {vol.kind.value} mount "
                              f"'{vol.name}' at {vol.target} cannot be carried to Fly", loc,
                              hint="copy the files into the image, or use a Fly volume")
                continue
            if taken:
                diags.warning(W_ONE_MOUNT, f"service '{svc.name}': volume '{vol.name}' at {vol.target} "
                              "is left out; a Fly process group mounts one volume", loc,
                              hint="put the data under one mount path")
                continue
            taken = True
            mount = Mount(source=names.volume_name(vol.name), destination=vol.target,
                          size_gb=vol.size_gb, process=group, volume=vol.name)
            mounts.append(mount)
            diags.warning(W_VOLUME, f"service '{svc.name}': volume '{vol.name}' becomes Fly volume "
                          f"'{mount.source}' at {vol.target}; a Fly volume belongs to one Machine in one "
                          "region and is not shared or replicated", loc,
                          hint="run one Machine for this group, or move shared files to object storage")
    app.mounts = tuple(mounts)


def _health_and_release(app: App, diags: Diagnostics) -> None:
    svc = app.service
    check = svc.runtime.health_check
    if check is not None:
        if check.path and app.http:
            app.health = check
        else:
            diags.warning(W_CHECK_COMMAND, f"service '{svc.name}': the health check "
                          f"{shlex.join(check.command) or check.path!r} has no fly.toml form that gates "
                          "traffic; it is left out", check.origin or svc.origin,
                          hint="add an HTTP health endpoint, or a [[http_service.machine_checks]]")
    release = svc.runtime.release_command
    if release:
        app.release_command = release  # release_for() wraps it in sh -c when it needs a shell
        if app.mounts:
            diags.warning(W_RELEASE_VOLUME, f"service '{svc.name}': the release command runs in a "
                          "temporary Machine without volumes", svc.runtime.origin or svc.origin)
    processes: dict[str, str] = {}
    if app.groups or (svc.runtime.command and app.build_mode in ("image", "source")):
        # A command of the source replaces the image's CMD: `[processes] app` is where fly.toml
        # says so (`redis-server --requirepass "$X"` would otherwise run as the image's default).
        processes["app"] = exec_line(shell_line(svc.runtime.command)) if svc.runtime.command else ""
        for group, worker in sorted(app.groups.items()):
            cmd = worker.runtime.command or ((worker.build.start_command,) if worker.build and
                                             worker.build.start_command else ())
            processes[group] = exec_line(shell_line(cmd) if len(cmd) > 1 else (cmd[0] if cmd else ""))
    app.processes = processes


# ---------------------------------------------------------------------------- backing services

def _users(resource: str, apps: list[App]) -> list[App]:
    out = []
    for app in apps:
        members = [app.service, *app.groups.values()]
        if any(b.resource == resource for s in members for b in s.bindings) or \
                any(resource in s.depends_on for s in members):
            out.append(app)
    return out


def _databases(arch: Architecture, apps: list[App], prefix: str, project: str, managed: bool,
               region: str, diags: Diagnostics) -> list[DbPlan]:
    out: list[DbPlan] = []
    pg = [d for d in arch.databases if d.engine == "postgresql"]
    for db in arch.databases:
        if db.engine != "postgresql":
            diags.warning(W_DB_ENGINE, f"database '{db.name}' ({db.engine}) is not provisioned: the Fly "
                          "writer creates PostgreSQL only", db.origin)
    linked_any = any(_users(d.name, apps) for d in pg)
    for index, db in enumerate(sorted(pg, key=lambda d: d.name)):
        users = _users(db.name, apps)
        if not users and not linked_any:
            users = [a for a in apps if a.kind in ("api", "generic")]
        variable = _FLY_DB_SOURCE if index == 0 else names.check_env_name(
            f"{names.slug(db.name).replace('-', '_').upper()}_DATABASE_URL", "variable", db.origin)
        name = f"{prefix}{project}-{names.slug(db.name) or 'db'}"
        if not names.APP_NAME_RE.match(name):
            raise fail(E_INVALID_NAME, f"database name {name!r} does not fit Fly's rules", db.origin)
        kept = [f"{what} '{value}'" for what, value in (("database", db.database_name), ("user", db.user))
                if value] + (["its backups setting"] if db.backups is not None else [])
        if kept:
            diags.info(I_DB_CREDENTIALS, f"database '{db.name}': {', '.join(kept)} not kept: the attach "
                       "creates its own database and user (named in DATABASE_URL), and Fly takes the "
                       "backups", db.origin)
        mpg = placement.choose_mpg(db, region, diags) if managed else None
        if managed and db.version and mpg is not None and mpg.major_version is None:
            diags.warning(W_DB_VERSION, f"database '{db.name}' runs PostgreSQL {db.version}; Managed "
                          f"Postgres offers {', '.join(placement.mpg_versions())}", db.origin,
                          hint="pg_restore into a newer major works; into an older one it may not")
        size = 1
        if not managed:
            size = 3 if db.high_availability else max(1, 1 + (db.replicas or 0))
            diags.info(placement.I_DB_PLAN, f"database '{db.name}' becomes Fly Postgres app '{name}' with "
                       f"{size} node(s)", db.origin)
        for app in users:
            app.databases = (*app.databases, (db.name, variable))
        out.append(DbPlan(database=db, name=name, managed=managed, mpg=mpg, cluster_size=size,
                          users=tuple((a.name, variable) for a in users)))
    return out


def _stores(arch: Architecture, apps: list[App], prefix: str, project: str,
            diags: Diagnostics) -> list[StorePlan]:
    out: list[StorePlan] = []
    credentialed: dict[str, str] = {}  # app name -> the store whose credentials it receives
    for store in sorted(arch.object_stores, key=lambda o: o.name):
        users = _users(store.name, apps)
        buckets = [b.name for b in store.buckets] or [store.name]
        bucket_names = []
        for bucket in buckets:
            slug = names.slug(bucket) or "media"
            # A bucket already named after the project (Clever's "webapp-media") keeps one prefix.
            own = slug if slug == project or slug.startswith(f"{project}-") else f"{project}-{slug}"
            name = f"{prefix}{own}"[:63].rstrip("-")
            if not names.APP_NAME_RE.match(name):
                raise fail(E_INVALID_NAME, f"bucket name {name!r} is not valid", store.origin)
            bucket_names.append(name)
            if name != f"{prefix}{project}-{bucket}":
                diags.info(I_BUCKET_NAME, f"bucket '{bucket}' of object store '{store.name}' becomes Tigris "
                           f"bucket '{name}'", store.origin)
        # One set of AWS_* names per app: an app that already has a store's credentials does
        # not get a second store's (`fly storage create --app` would set the same names again).
        for app in [a for a in users if a.name in credentialed]:
            diags.warning(W_STORE_SHARED, f"app '{app.name}' already receives the Tigris credentials of "
                          f"object store '{credentialed[app.name]}'; the buckets of object store "
                          f"'{store.name}' are created in the organization, and the app must name them "
                          "itself", store.origin,
                          hint="one Tigris key pair reaches every bucket of the organization it is scoped to")
        users = [a for a in users if a.name not in credentialed]
        for app in users:
            credentialed[app.name] = store.name
        owner = users[0] if users else None
        others = tuple(a.name for a in users[1:])
        if owner is not None:
            owner.stores = (*owner.stores, store.name)
        for other in users[1:]:
            other.runtime_secrets = tuple(sorted({*other.runtime_secrets, *_fly_store_names()}))
        if others:
            diags.warning(W_STORE_SHARED, f"object store '{store.name}' is used by {len(users)} apps; "
                          f"`fly storage create` gives credentials to '{owner.name if owner else ''}' only, "
                          f"so fly-setup.sh stages the same names for {', '.join(others)} from your "
                          "environment", store.origin)
        if len(bucket_names) > 1:
            diags.warning(W_STORE_SHARED, f"object store '{store.name}' has {len(bucket_names)} buckets; "
                          f"BUCKET_NAME names the first ('{bucket_names[0]}')", store.origin,
                          hint="the app must name the other buckets itself")
        out.append(StorePlan(store=store, buckets=tuple(bucket_names),
                             owner=owner.name if owner else None, others=others,
                             label=names.slug(store.name) or "storage",
                             public=frozenset(n for n, b in zip(bucket_names, store.buckets, strict=False)
                                              if b.public)))
    return out


def _unstaged_secrets(arch: Architecture, apps: list[App], diags: Diagnostics) -> None:
    """Report each secret of the model that no app receives: the backing services' own passwords
    (replaced by the credentials Fly creates) and secrets nothing deployed reads."""
    staged = {n for a in apps for n in (*a.runtime_secrets, *a.build_secrets)}
    for secret in arch.secrets:
        if secret.name in staged:
            continue
        owners = [d.name for d in arch.databases if d.name in secret.used_by or d.password_secret == secret.name]
        stores = [o.name for o in arch.object_stores if o.name in secret.used_by]
        carried = sorted({(svc.name, b.resource, b.attribute) for svc in arch.services
                          for b in svc.bindings if b.variable == secret.name
                          and (arch.database(b.resource) or arch.object_store(b.resource))})
        if carried and not owners and not stores:
            service, resource, attribute = carried[0]
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of '{service}' carries the {attribute} of "
                       f"'{resource}': on Fly it comes from the attached resource (the Postgres attachment or "
                       "`flyctl storage create`), under Fly's name or derived by hopper-env.sh", secret.origin)
        elif owners:
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of database '{owners[0]}' is not set on "
                       "Fly: the cluster has its own credentials, which reach the apps as DATABASE_URL "
                       "(`flyctl mpg attach` / `postgres attach`)", secret.origin)
        elif stores:
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of object store '{stores[0]}' is not set "
                       "on Fly: `flyctl storage create` makes Tigris keys (AWS_ACCESS_KEY_ID, "
                       "AWS_SECRET_ACCESS_KEY)", secret.origin)
        else:
            users = ", ".join(f"'{u}'" for u in secret.used_by) or "no service"
            diags.warning(W_SECRET_UNUSED, f"secret '{secret.name}' is used by {users}, which no Fly app "
                          "reads; it is not staged", secret.origin,
                          hint="set it with `flyctl secrets set` on the app that needs it")


def _fly_store_names() -> tuple[str, ...]:
    return tuple(sorted(mappings.table("env-names")["fly"]["object_store"]))


def _fly_source(kind: str, attribute: str) -> str | None:
    table = mappings.table("env-names")["fly"][kind]
    for name, row in sorted(table.items()):
        if row["attribute"] == attribute:
            return str(name)
    return None


def _aliases(app: App, arch: Architecture, dbs: list[DbPlan], diags: Diagnostics) -> None:
    members = [app.service, *app.groups.values()]
    db_vars = dict(app.databases)
    out: dict[str, Alias] = {}
    for svc in members:
        for b in svc.bindings:
            loc = b.origin or svc.origin
            names.check_env_name(b.variable, "binding variable", loc)
            if arch.database(b.resource) is not None:
                source = db_vars.get(b.resource)
                if source is None:
                    continue
                part = b.attribute
            elif arch.object_store(b.resource) is not None:
                source = _fly_source("object_store", b.attribute) or ""
                part = b.attribute
                if b.attribute == "endpoint" and b.variable.endswith("_HOST"):
                    part = "endpoint_host"
            else:
                continue
            if not source or source == b.variable:
                continue
            out[b.variable] = Alias(variable=b.variable, source=source, part=part, resource=b.resource)
    app.aliases = tuple(out[k] for k in sorted(out))
    for alias in app.aliases:
        diags.info(I_ALIAS, f"app '{app.name}' reads '{alias.variable}'; on Fly it is derived at boot "
                   f"from {alias.source} by hopper-env.sh", app.service.origin)
    if not app.aliases or app.build_mode == "node":
        return  # the generated Dockerfile makes hopper-env.sh its entrypoint
    if app.build_mode == "source" and _wrap_processes(app):
        return
    diags.warning(W_ALIAS_DOCKERFILE, f"app '{app.name}' reads "
                  f"{', '.join(a.variable for a in app.aliases)}, which Fly does not set, and its "
                  "start command or entrypoint is not known; run hopper-env.sh as its entrypoint "
                  "(see MIGRATION.md)", app.service.origin,
                  hint=f"COPY {app.folder}/hopper-env.sh into the image and make it the ENTRYPOINT")


SHIM_GUEST_PATH = "/etc/hopper/hopper-env.sh"


def _start_command(svc: Service) -> str | None:
    if svc.runtime.command:
        return exec_line(shell_line(svc.runtime.command))
    if svc.build is not None and svc.build.start_command:
        return exec_line(svc.build.start_command)
    return None


def _wrap_processes(app: App) -> bool:
    """Run each process through hopper-env.sh, shipped with [[files]], when the app keeps its own
    Dockerfile: a process command replaces the image's CMD and keeps its ENTRYPOINT, so the
    image's entrypoint runs ``/bin/sh hopper-env.sh <command>``, which execs the command."""
    members = {"app": app.service, **app.groups}
    if any(s.runtime.entrypoint for s in members.values()):
        return False
    commands: dict[str, str] = {}
    for group, svc in members.items():
        command = app.processes.get(group) or _start_command(svc)
        if not command:
            return False
        commands[group] = f"/bin/sh {SHIM_GUEST_PATH} {command}"
    app.processes = commands
    app.files = ((SHIM_GUEST_PATH, "hopper-env.sh"),)
    return True


def _paths(app: App) -> tuple[str, ...]:
    """The paths whose change redeploys the app (the workflow's path filter)."""
    build = app.service.build
    found = build.context_files if build is not None else None
    paths = {f"{app.folder}/**", f".github/workflows/fly-deploy-{app.folder}.yml"}
    if app.static_copy:
        paths.add(f"{app.static_copy}/**")
    if build is not None and app.workspace is not None:
        ws = app.workspace
        base = "" if ws.root in (".", "") else ws.root.rstrip("/") + "/"
        paths.add(f"{base}{ws.path}/**")
        # The workspace root's manifests that exist (seen at load time); without a checkout (a
        # model built in code), every one of them.
        paths.update(found.workspace_files if found is not None else
                     (f"{base}{manifest}" for manifest in WORKSPACE_ROOT_FILES))
    elif build is not None and build.context not in (None, ".", ""):
        paths.add(f"{posixpath.normpath(build.context)}/**")
    elif build is not None:
        return ()  # built from the whole repository: every change redeploys
    return tuple(sorted(paths))

