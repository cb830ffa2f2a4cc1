"""Read a Fly.io setup into the model: ``read(path, options) -> ReadResult``.

A setup is a folder with one or more apps (a ``fly.toml`` per app, at the root or in
subfolders, plus any config a workflow deploys with ``--config``), or a single config file. For
each app hopper reads the config (:mod:`flytoml`), the Dockerfile it builds, the nginx
configuration that Dockerfile copies in, the GitHub workflow steps that deploy it and, when
present, the ``fly-setup.sh`` hopper writes.

Backing resources are not in fly.toml. They are inferred from the best evidence available, in
this order: the setup script (``fly postgres create``/``attach``, ``fly mpg create``/``attach``,
``fly storage create``), then secret and env names an app receives (``DATABASE_URL``,
``AWS_ENDPOINT_URL_S3``, ``BUCKET_NAME``), then a config that is itself a Postgres app. Each
inference is reported as an INFO diagnostic naming the evidence it rests on.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from hopper import mappings
from hopper.diagnostics import (
    E_INVALID_NAME,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_DEEP,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    E_TOO_MANY_ITEMS,
    Diagnostic,
    Diagnostics,
    InputError,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    error,
)
from hopper.dockerfile import E_DOCKERFILE_SYNTAX
from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.fly.config_names import FLY_CONFIG_NAMES
from hopper.formats.fly.flytoml_config import E_NO_APP, FlyConfig, key_name
from hopper.formats.fly.read_apps import NGINX_NOT_CARRIED, W_NGINX_UNREADABLE, FlyApp, load_apps
from hopper.formats.fly.read_generated import GENERATED, generated_build, hopper_note
from hopper.formats.fly.read_layout import Layout, config_relative, find_layout, fly_host_app
from hopper.formats.fly.read_scale import stated_counts
from hopper.formats.fly.read_schedules import cron_group
from hopper.formats.fly.read_secrets import move_config_secrets
from hopper.formats.fly.read_setup_script import SetupScript, has_flag, option, secret_names
from hopper.formats.fly.read_units import volume_gb
from hopper.formats.fly.read_upstash import upstash_services
from hopper.formats.fly.read_variants import environment_like
from hopper.formats.fly.read_workflows import setup_deploy_step
from hopper.formats.fly.validate_machines import vm_memory
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    CacheRule,
    Database,
    DeployPipeline,
    HealthCheck,
    ObjectStore,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Schedule,
    Secret,
    Service,
    StaticSite,
    Volume,
    Workflow,
    key_origins,
    sorted_by_name,
)
from hopper.nginx import E_NGINX_INCLUDE_CYCLE, E_NGINX_SYNTAX
from hopper.nginx_carry import carry, literal_prefix
from hopper.secrets import looks_secret

I_INFERRED = code("HOP360", Severity.INFO, "a component or setting hopper inferred, with its evidence")
W_NOT_CARRIED = code("HOP361", Severity.WARNING, "a fly.toml setting the model cannot carry")
W_UPSTREAM = code("HOP362", Severity.WARNING, "an nginx upstream that is not a known Fly app")
W_NO_APP_NAME = code("HOP363", Severity.WARNING, "a config without an app name; hopper named it after its file or folder")
W_ENV_SECRET = code("HOP365", Severity.WARNING, "an [env] value looks like a secret; only its name is kept")
W_DOCKERFILE_ASSUMED = code("HOP378", Severity.WARNING, "no [build] and no Dockerfile: hopper assumes flyctl's default Dockerfile")
W_REGION = code("HOP366", Severity.WARNING, "a region code hopper does not know, or a retired one")

_POSTGRES_CHECK_PATHS = ("/flycheck/pg",)
_TIGRIS_NAMES = ("AWS_ENDPOINT_URL_S3", "BUCKET_NAME")


def read(path: Path, options: ReadOptions) -> ReadResult:
    limits = options.limits
    layout = find_layout(path, limits, options.variant)
    if not layout.configs:
        terraform = _fly_terraform(path) if path.is_dir() else None
        raise InputError(error(
            E_NO_APP, "no fly.toml found" + (f"; {terraform} describes the apps with the Fly Terraform provider, "
                                             "which hopper does not read" if terraform else ""),
            Location(file="." if path.is_dir() else (path.name or ".")),
            hint="give a folder with fly.toml files (one per app) or a fly.toml"))
    apps, app_diags, failures = load_apps(layout, limits)
    if failures and not apps:
        raise _input_error([d for f in failures for d in f.diagnostics])
    # A reference that leads out of the project, an include cycle and a limit are refused
    # outright, never downgraded to warnings: in CI the project is untrusted, what hopper reads
    # may be published, and the limits are promises.
    escaping = [d for d in (*app_diags, *(d for f in failures for d in f.diagnostics))
                if d.code in _FATAL and d.severity is Severity.ERROR]
    if escaping:
        raise _input_error(escaping)
    if len(apps) > limits.max_services:
        raise LimitError(error(E_TOO_MANY_ITEMS, f"more than {limits.max_services} apps",
                               Location(file=path.name or ".")))
    _check_identifiers(apps)
    _check_total_bytes(layout, apps, limits)
    diags = Diagnostics()
    for failure in failures:
        diags.extend(_as_warnings(failure.diagnostics))
    diags.extend(layout.diagnostics)
    diags.extend(_as_warnings(app_diags))
    if layout.setup is not None:
        diags.extend(layout.setup.diagnostics)
    return ReadResult(model=_Builder(layout, apps, diags, path).build(),
                      diagnostics=tuple(diags))


_FATAL = frozenset({E_OUTSIDE_ROOT, E_TOO_LARGE, E_TOO_MANY_FILES, E_TOO_MANY_ITEMS, E_TOO_DEEP, E_NOT_UTF8,
                    E_NGINX_INCLUDE_CYCLE, E_NGINX_SYNTAX, E_DOCKERFILE_SYNTAX})
_APP_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _fly_terraform(folder: Path) -> str | None:
    """The first ``*.tf`` of ``folder`` that uses the Fly Terraform provider, for the error."""
    for tf in sorted(folder.glob("*.tf")):
        try:
            if tf.is_file() and tf.stat().st_size < 1_000_000 and re.search(
                    r'source\s*=\s*"(?:fly-apps|superfly)/fly"', tf.read_text(encoding="utf-8", errors="replace")):
                return tf.name
        except OSError:
            continue
    return None


def _check_total_bytes(layout: Layout, apps: list[FlyApp], limits: Limits) -> None:
    """Every file the setup was read from, added up, stays under ``max_total_bytes``.

    Each file was already held to ``max_file_bytes`` as it was read; this is the running total
    over fly configs, Dockerfiles, nginx files, workflows and the setup script, in reading order.
    """
    seen: list[Path] = list(layout.configs)
    for app in apps:
        if app.dockerfile is not None:
            seen.append(layout.root / app.dockerfile.file)
        if app.nginx is not None:
            seen.extend(layout.root / f for f in app.nginx.files)
    seen.extend(layout.root / step.workflow for step in layout.workflows)
    if layout.setup is not None:
        seen.append(layout.root / layout.setup.file)
    total = 0
    counted: set[Path] = set()
    for path in seen:
        if path in counted or not path.is_file():
            continue
        counted.add(path)
        total += path.stat().st_size
        if total > limits.max_total_bytes:
            shown = path.relative_to(layout.root).as_posix() if path.is_relative_to(layout.root) else path.name
            raise LimitError(error(E_TOO_LARGE, f"reading {shown} takes the setup over the limit of "
                                   f"{limits.max_total_bytes} bytes in all", Location(file=shown),
                                   hint="raise it with --max-total-bytes"))


def _input_error(diagnostics: list[Diagnostic]) -> InputError:
    """A LimitError when a limit was hit (library callers catch that class), else InputError."""
    limit_codes = (E_TOO_LARGE, E_TOO_MANY_FILES, E_TOO_MANY_ITEMS, E_TOO_DEEP)
    cls = LimitError if any(d.code in limit_codes for d in diagnostics) else InputError
    return cls(diagnostics)


def _check_identifiers(apps: list[FlyApp]) -> None:
    """App names and env names become folder names, TOML keys and shell words downstream:
    refuse the ones Fly itself would refuse before anything is built from them."""
    for app in apps:
        name = app.name
        if name is not None and not _APP_NAME.match(name):
            raise InputError(error(E_INVALID_NAME, f"invalid Fly app name {name!r}",
                                   app.config.location("app"),
                                   hint="Fly app names use lowercase letters, digits and hyphens"))
        for key in (app.config.data.get("env") or {}):
            if not _ENV_NAME.match(str(key)):
                raise InputError(error(E_INVALID_NAME, f"invalid environment variable name {key!r}",
                                       app.config.location("env", key),
                                       hint="names must match [A-Za-z_][A-Za-z0-9_]*"))


def _as_warnings(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors in files around a config (a broken nginx.conf, a Dockerfile) do not stop reading."""
    out = []
    for item in items:
        if item.severity is Severity.ERROR:
            nginx = "nginx" in item.message.lower()
            lost = f"; {NGINX_NOT_CARRIED}" if nginx else ""
            out.append(Diagnostic(code=W_NGINX_UNREADABLE if nginx else W_NOT_CARRIED,
                                  severity=Severity.WARNING,
                                  message=f"skipped: {item.message} [{item.code}]{lost}",
                                  location=item.location, hint=item.hint))
        else:
            out.append(item)
    return out


@dataclass
class _Evidence:
    """What the setup says about one app's secrets and attachments."""

    secrets: dict[str, Location] = field(default_factory=dict)  # name -> where it was seen
    databases: dict[str, tuple[str, Location]] = field(default_factory=dict)  # var -> (db, where)
    stores: dict[str, tuple[str, Location]] = field(default_factory=dict)  # var -> (store, where)
    private: Location | None = None  # evidence the app has no public IPs
    domains: list[str] = field(default_factory=list)
    domain_origins: dict[str, Location] = field(default_factory=dict)  # the certs command


class _Builder:
    def __init__(self, layout: Layout, apps: list[FlyApp], diags: Diagnostics, given: Path) -> None:
        self.layout = layout
        self.schedules: list[Schedule] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.count_origins: dict[str, dict[str, Location]] = {}
        self.apps = apps
        self.diags = diags
        self.given = given
        self.names: dict[int, str] = {}  # id(app) -> service name
        self.app_to_service: dict[str, str] = {}
        self.evidence: dict[str, _Evidence] = {}  # by Fly app name
        self.databases: dict[str, Database] = {}
        self.stores: dict[str, ObjectStore] = {}
        self.secrets: dict[str, Secret] = {}
        # service name -> "flycast" or "internal": how the fronts' nginx reaches it (the plan
        # compares it with how the source reached the same service).
        self.reached_as: dict[str, str] = {}
        # hopper's own layout: apps are named <prefix><project>-<folder> (the project is in
        # the header of fly-setup.sh), and so are databases and buckets.
        self.project = layout.setup.project if layout.setup is not None else None
        self.prefix = ""
        # Credentials in commands and secret-named build args, moved to named secrets before
        # anything reads the config.
        self.moved = {id(app): move_config_secrets(app.config, diags) for app in apps}

    def info(self, message: str, location: Location | None) -> None:
        self.diags.info(I_INFERRED, message, location)

    # -- naming

    def name_services(self) -> None:
        used: set[str] = set()
        for app in self.apps:
            fly_name = app.name
            folder = PurePosixPath(app.folder).name if app.folder != "." else ""
            # fly.toml, or an environment's config of the app (fly.production.toml): the
            # folder names the app. fly.api.toml names an app of its own.
            variant = self.layout.variants.get(app.config.path)
            plain = app.config_path.name in FLY_CONFIG_NAMES or (variant is not None and environment_like(variant))
            if fly_name is None:
                stem = app.config_path.name
                if plain:
                    fly_name = folder or self.layout.root.resolve().name or "app"
                else:
                    fly_name = re.sub(r"^fly[.-]|[.-]fly$", "", Path(stem).stem).replace(".", "-") or "app"
                if app.placeholder_name is not None:
                    self.diags.warning(W_NO_APP_NAME, f"the app name {app.placeholder_name!r} in {app.config.path} "
                                       f"is a template placeholder; using '{fly_name}'", app.config.location("app"),
                                       hint="fill in the template (or pass the app name to flyctl with -a)")
                else:
                    self.diags.warning(W_NO_APP_NAME, f"no app name in {app.config.path}; using '{fly_name}'",
                                       Location(file=app.config.path),
                                       hint="add app = '<name>' (flyctl needs it, or -a)")
            own = self.project is not None and folder and fly_name.endswith(f"{self.project}-{folder}")
            if own:
                self.prefix = fly_name[: -len(f"{self.project}-{folder}")]
            candidate = folder if (folder and plain and (len(self.apps) > 1 or own)) else fly_name
            if candidate == fly_name and variant is not None and plain and fly_name.endswith(f"-{variant}"):
                candidate = fly_name[: -len(variant) - 1]  # wdcc-uabc-staging -> wdcc-uabc
            if candidate in used:
                candidate = fly_name
            base, n = candidate, 2
            while candidate in used:
                candidate = f"{base}-{n}"
                n += 1
            used.add(candidate)
            self.names[id(app)] = candidate
            self.app_to_service.setdefault(fly_name, candidate)

    def unprefixed(self, fly_name: str) -> str:
        """``pg`` for ``<prefix><project>-pg`` in hopper's own layout; other names unchanged."""
        stem = f"{self.prefix}{self.project}-"
        if self.project is not None and fly_name.startswith(stem) and len(fly_name) > len(stem):
            return fly_name[len(stem):]
        return fly_name

    def fly_name(self, app: FlyApp) -> str:
        return app.name or self.names[id(app)]

    def arch_name(self) -> str:
        if self.project is not None:
            return self.project
        fly_names = [self.fly_name(a) for a in self.apps]
        services = [self.names[id(a)] for a in self.apps]
        prefixes = {f[: -len(s) - 1] for f, s in zip(fly_names, services, strict=True)
                    if f.endswith("-" + s) and len(f) > len(s) + 1}
        if len(prefixes) == 1 and len(self.apps) > 1:
            return prefixes.pop()
        if len(self.apps) == 1:
            variant = self.layout.variants.get(self.apps[0].config.path)
            if variant is not None and environment_like(variant) and fly_names[0].endswith(f"-{variant}"):
                return fly_names[0][: -len(variant) - 1]
            return fly_names[0]
        root = self.layout.root.resolve().name
        return root or "fly-app"

    # -- evidence from the setup script and configs

    def gather_evidence(self) -> None:
        self.counts = stated_counts(self.layout, self.apps, self.count_origins)
        for app in self.apps:
            self.evidence[self.fly_name(app)] = _Evidence()
        setup = self.layout.setup
        if setup is not None:
            self.read_setup(setup)

    def ev(self, app: str | None) -> _Evidence | None:
        if app is None:
            if len(self.apps) == 1:
                return self.evidence[self.fly_name(self.apps[0])]
            return None
        return self.evidence.get(app)

    def read_setup(self, setup: SetupScript) -> None:
        for cmd in setup.commands:
            words = cmd.words
            app = option(words, "-a", "--app")
            if words[:2] == ("postgres", "create") or words[:2] == ("pg", "create"):
                fly_db = option(words, "-n", "--name") or "db"
                name = self.unprefixed(fly_db)
                size = option(words, "--initial-cluster-size")
                disk = option(words, "--volume-size")
                self.databases[name] = Database(
                    name=name, plan=option(words, "--vm-size"),
                    disk_gb=int(disk) if disk and disk.isdigit() else None,
                    high_availability=(int(size) > 1) if size and size.isdigit() else None,
                    replicas=(int(size) - 1) if size and size.isdigit() and int(size) > 1 else None,
                    extensions={"fly": _db_extension("unmanaged", fly_db, words)}, origin=cmd.location)
                self.info(f"database '{name}': Fly Postgres app created by the setup script", cmd.location)
            elif words[:2] == ("mpg", "create"):
                fly_db = option(words, "-n", "--name") or "db"
                name = self.unprefixed(fly_db)
                disk = option(words, "--volume-size")
                self.databases[name] = Database(
                    name=name, plan=option(words, "--plan"), version=option(words, "--pg-major-version"),
                    disk_gb=int(disk) if disk and disk.isdigit() else None, high_availability=True,
                    extensions={"fly": _db_extension("managed", fly_db, words)}, origin=cmd.location)
                self.info(f"database '{name}': Managed Postgres cluster created by the setup script", cmd.location)
            elif words[:2] in (("postgres", "attach"), ("pg", "attach"), ("mpg", "attach")):
                target = next((w for w in words[2:] if not w.startswith("-") and w != app
                               and words[words.index(w) - 1] not in ("-a", "--app", "--variable-name",
                                                                      "--database-name", "--database-user",
                                                                      "-d", "-u", "--database", "--username")), None)
                variable = option(words, "--variable-name") or "DATABASE_URL"
                ev = self.ev(app)
                if ev is not None:
                    if target is not None and self.unprefixed(target) in self.databases:
                        target = self.unprefixed(target)
                    # An attach by cluster id follows the create of its cluster in the script.
                    db = target if target in self.databases else (
                        next(reversed(self.databases), None) or target or "db")
                    ev.databases[variable] = (db, cmd.location)
                    ev.secrets[variable] = cmd.location
            elif words[:2] in (("storage", "create"), ("tigris", "create"), ("ext", "tigris")):
                bucket = option(words, "-n", "--name") or "storage"
                public = has_flag(words, "-p", "--public")
                label = next((lbl for lbl, line in reversed(setup.store_labels)
                              if cmd.location.line is not None and line < cmd.location.line), None)
                name = label or bucket
                if label is not None:
                    bucket = self.unprefixed(bucket)
                    if name in self.stores:
                        store = self.stores[name]
                        self.stores[name] = replace(store, buckets=(*store.buckets, Bucket(name=bucket, public=public)))
                    else:
                        self.stores[name] = ObjectStore(name=name, provider="tigris",
                                                        endpoint="https://fly.storage.tigris.dev",
                                                        buckets=(Bucket(name=bucket, public=public),),
                                                        origin=cmd.location)
                        self.info(f"object store '{name}': Tigris bucket created by the setup script", cmd.location)
                else:
                    self.stores[name] = ObjectStore(
                        name=name, provider="tigris", endpoint="https://fly.storage.tigris.dev",
                        buckets=(Bucket(name=name, public=public),), origin=cmd.location)
                    self.info(f"object store '{name}': Tigris bucket created by the setup script", cmd.location)
                ev = self.ev(app)
                if ev is not None:
                    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3",
                                     "AWS_REGION", "BUCKET_NAME"):
                        ev.stores[variable] = (name, cmd.location)
                        ev.secrets[variable] = cmd.location
            elif words[:2] in (("secrets", "set"), ("secrets", "import")):
                ev = self.ev(app)
                if ev is not None:
                    for name in secret_names(words[2:]):
                        ev.secrets.setdefault(name, cmd.location)
            elif words[:2] == ("ips", "allocate-v6") and has_flag(words, "--private"):
                ev = self.ev(app)
                if ev is not None:
                    ev.private = cmd.location
            elif words[:1] == ("deploy",) and has_flag(words, "--flycast", "--no-public-ips"):
                config = setup_deploy_step(words, cmd.location).config  # as flyctl resolves it
                target_app = app or self.app_for_config(config)
                ev = self.ev(target_app)
                if ev is not None:
                    ev.private = cmd.location
            elif words[:2] == ("certs", "add") or words[:2] == ("certs", "create"):
                domain = next((w for w in words[2:] if not w.startswith("-") and w != app), None)
                ev = self.ev(app)
                if ev is not None and domain:
                    ev.domains.append(domain)
                    ev.domain_origins.setdefault(domain, cmd.location)

    def app_for_config(self, config: str | None) -> str | None:
        if config is None:
            return None
        clean = PurePosixPath(config.lstrip("./") if config.startswith("./") else config).as_posix()
        for app in self.apps:
            if app.config.path == clean:
                return self.fly_name(app)
        return None

    # -- building

    def build(self) -> Architecture:
        self.name_services()
        self.gather_evidence()
        services: list[Service] = []
        for app in self.apps:
            if self.is_postgres_app(app):
                name = self.names[id(app)]
                self.databases.setdefault(name, Database(
                    name=name, extensions={"fly": {"kind": "unmanaged", "app": self.fly_name(app)}},
                    origin=app.config.location("app")))
                self.info(f"database '{name}': {app.config.path} is a Fly Postgres app "
                          "(checks on /flycheck/pg or a postgres image)", app.config.location())
                continue
            host = self.service(app)
            cron = cron_group(app.config, app.config_path.parent, app.folder, host.name)
            if cron is not None:
                self.schedules.extend(cron.schedules)
            groups = self.process_groups(app, host, {s.name for s in services} | set(self.names.values()),
                                         skip=cron.group if cron else None)
            if groups:
                host = self.only_default_group(app, host)
            services.append(host)
            services.extend(groups)
        services = self.resolve_routes(services)
        services += upstash_services(self.layout.setup, f"{self.prefix}{self.project}-" if self.project else "",
                                     {s.name for s in services})
        placement = self.placement()
        return Architecture(
            name=self.arch_name(), source_format="fly",
            services=sorted_by_name(services),
            databases=sorted_by_name(self.databases.values()),
            object_stores=sorted_by_name(self.stores.values()),
            secrets=sorted_by_name(self.secrets.values()),
            schedules=sorted_by_name(self.schedules),
            placement=placement, pipeline=self.pipeline(),
            extensions={"fly": {"written_from": self.layout.setup.written_from}}
            if self.layout.setup is not None and self.layout.setup.written_from else {},
            origin=Location(file=self.layout.configs[0].name if self.given.is_file() else "."),
        )

    def is_postgres_app(self, app: FlyApp) -> bool:
        checks = app.config.data.get("checks") or {}
        if any(c.get("path") in _POSTGRES_CHECK_PATHS for c in checks.values()):
            return True
        image = (app.config.get("build", "image") or "").lower()
        return "postgres" in image.split("/")[-1].split(":")[0]

    def service(self, app: FlyApp) -> Service:
        cfg = app.config
        name = self.names[id(app)]
        fly_name = self.fly_name(app)
        ev = self.evidence.get(fly_name, _Evidence())
        http = cfg.data.get("http_service")
        services = cfg.data.get("services") or []
        primary = http if isinstance(http, dict) else (services[0] if services else None)
        port = primary.get("internal_port") if primary else None

        env: dict[str, str] = {}
        secret_env: set[str] = set()
        for key, value in sorted((cfg.data.get("env") or {}).items()):
            if looks_secret(key, value):
                self.diags.warning(W_ENV_SECRET, f"[env] {key} looks like a secret; hopper keeps only "
                                   "its name", cfg.location("env", key),
                                   hint=f"move it out of fly.toml: fly secrets set {key}=...")
                secret_env.add(key)
                self.add_secret(key, name, "env", cfg.location("env", key))
            else:
                env[key] = value
        for key, where in sorted(ev.secrets.items()):
            secret_env.add(key)
            self.add_secret(key, name, "platform", where)
        for moved in self.moved.get(id(app), ()):
            if not moved.build_time:
                secret_env.add(moved.name)
                self.add_secret(moved.name, name, "env", moved.where)

        build, docker_cmd, docker_entry = self.build_of(app, name)
        extra_volumes: tuple[Volume, ...] = ()
        user = app.dockerfile.final.user if app.dockerfile and app.dockerfile.stages else None
        if build is not None and app.dockerfile is not None and app.dockerfile.stages and \
                hopper_note(cfg, app.config_path, "build", "dockerfile") == GENERATED:
            # hopper's own Dockerfile: the build fields it was rendered from, not a file to keep.
            build, extra_volumes = generated_build(app.dockerfile, build)
            docker_cmd, docker_entry, user = (), (), None
            self.info(f"service '{name}': {app.dockerfile.file} was generated by hopper; its build "
                      "settings are read from it", cfg.location("build", "dockerfile"))
        shim_path, derived = self.env_shim(app)
        command = _strip_shim(self.command_of(cfg) or docker_cmd, shim_path)
        entrypoint = tuple(cfg.get("experimental", "entrypoint") or ()) or docker_entry
        exec_ = tuple(cfg.get("experimental", "exec") or ())
        if exec_:
            # flyctl: exec replaces both ENTRYPOINT and CMD; the Machine runs exactly it. As an
            # entrypoint with no command it means the same to Docker (an entrypoint override
            # clears the image's CMD).
            entrypoint, command = exec_, ()
            self.exec_overrides(cfg, name)

        edge = ("http_service",) if isinstance(http, dict) else (("services", 0) if services else ())
        secret_at = {key: where for key, where in ev.secrets.items()}
        secret_at.update({m.name: m.where for m in self.moved.get(id(app), ()) if not m.build_time})
        runtime = Runtime(
            command=command, entrypoint=entrypoint, port=port, env=env,
            secret_env=tuple(sorted(secret_env)), health_check=self.health_check(cfg),
            release_command=_release(cfg.get("deploy", "release_command")),
            user=user, origin=cfg.location("http_service") if http else cfg.location(),
            key_origins=key_origins(
                ("port", _key_at(cfg, *edge, "internal_port") if edge else None),
                ("env", _key_at(cfg, "env")),
                *((f"env.{k}", _key_at(cfg, "env", k)) for k in env),
                *((f"secret_env.{k}", _key_at(cfg, "env", k) or secret_at.get(k)) for k in secret_env),
                ("release_command", _key_at(cfg, "deploy", "release_command")),
                ("command", _key_at(cfg, "processes") or _key_at(cfg, "experimental", "cmd")),
                ("entrypoint", _key_at(cfg, "experimental", "entrypoint"))),
        )
        role, static_site = self.role_of(app, primary)
        public = bool(primary) and ev.private is None
        if ev.private is not None:
            self.info(f"service '{name}': private (no public IPs), from {ev.private}", ev.private)
        crontab = cron_group(cfg, app.config_path.parent, app.folder, name)
        self.carry_losses(cfg, shim_path, nginx=app.nginx is not None,
                          crontab=crontab.guest_path if crontab else None)
        bindings = self.bindings_of(name, ev, env, cfg, derived)
        return Service(
            name=name, role=role, image=cfg.get("build", "image"), build=build, runtime=runtime,
            static_site=static_site, scaling=self.counted(fly_name, "app", self.scaling(cfg, primary)),
            volumes=tuple(sorted((*self.volumes(cfg), *extra_volumes), key=lambda v: (v.name, v.target))),
            bindings=bindings, public=public,
            force_https=primary.get("force_https") if primary else None,
            domains=tuple(sorted(set(ev.domains))),
            extensions={"fly": self.extension(app, fly_name)},
            origin=cfg.location("app"),
            key_origins=key_origins(
                ("force_https", _key_at(cfg, *edge, "force_https") if edge else None),
                ("public", ev.private or (_key_at(cfg, *edge) if edge else None)),
                ("image", _key_at(cfg, "build", "image")),
                *((f"domains.{d}", where) for d, where in sorted(ev.domain_origins.items()))),
        )

    def process_groups(self, app: FlyApp, host: Service, taken: set[str],
                       skip: str | None = None) -> list[Service]:
        """A worker service per [processes] group other than the default one.

        The groups of an app share its image, [env], secrets and attachments and run on their
        own Machines, which is what a worker next to its API is; hopper's writer puts a worker
        that shares the API's image in such a group."""
        from dataclasses import replace  # noqa: PLC0415

        cfg = app.config
        processes = cfg.data.get("processes") or {}
        default = _default_group(processes)
        shim_path = next((f.get("guest_path") for f in cfg.data.get("files") or []
                          if str(f.get("local_path") or "").endswith("hopper-env.sh")), None)
        out: list[Service] = []
        for group, command in sorted(processes.items()):
            if group in (default, skip):
                continue
            name = group.replace("_", "-")
            base, n = name, 2
            while name in taken:
                name = f"{base}-{n}"
                n += 1
            taken.add(name)
            where = cfg.location("processes", group)
            try:
                words = tuple(shlex.split(command)) if command else ()
            except ValueError:
                words = (command,)
            if cfg.get("experimental", "exec"):
                words = ()  # exec replaces every group's command (reported with the host)
            env = {k: v for k, v in host.runtime.env.items() if k != "PORT"}
            runtime = Runtime(command=_strip_shim(words, shim_path), entrypoint=host.runtime.entrypoint,
                              env=env, secret_env=host.runtime.secret_env, user=host.runtime.user,
                              origin=where, key_origins={
                                  **{k: v for k, v in host.runtime.key_origins.items()
                                     if k.startswith(("env", "secret_env"))},
                                  "command": where})
            for secret in host.runtime.secret_env:
                if secret in self.secrets:
                    self.add_secret(secret, name, "platform", where)
            out.append(Service(
                name=name, role=Role.WORKER, image=host.image, build=host.build, runtime=runtime,
                scaling=self.counted(self.fly_name(app), group, replace(
                    self.scaling(cfg, None, group), autostop=None, autostart=None, min_running=None)),
                volumes=self.volumes(cfg, group), bindings=host.bindings,
                extensions={"fly": {"app": self.fly_name(app), "process_group": group}}, origin=where))
            self.info(f"service '{name}': process group '{group}' of {cfg.path}, a worker that shares the "
                      "app's image, env, secrets and attachments", where)
        return out

    def only_default_group(self, app: FlyApp, host: Service) -> Service:
        """The host service keeps the default group's mounts only."""
        from dataclasses import replace  # noqa: PLC0415

        group = _default_group(app.config.data.get("processes") or {})
        return replace(host, volumes=self.volumes(app.config, group))

    def extension(self, app: FlyApp, fly_name: str) -> dict[str, Any]:
        """Fly-only settings carried through unchanged (another Fly writer can use them)."""
        data = app.config.data
        out: dict[str, Any] = {"app": fly_name}
        chosen = self.chosen_by_hopper(app)
        if chosen:
            out["chosen"] = chosen
        ignorefile = _own_ignorefile(app)
        if ignorefile is not None:
            out["ignorefile"] = ignorefile
        for key in ("kill_signal", "kill_timeout", "swap_size_mb", "console_command"):
            if key in data:
                out[key] = data[key]
        if data.get("processes"):
            out["processes"] = dict(sorted(data["processes"].items()))
        strategy = app.config.get("deploy", "strategy")
        if strategy:
            out["deploy_strategy"] = strategy
        concurrency = app.config.get("http_service", "concurrency")
        if concurrency:
            out["concurrency"] = dict(sorted(concurrency.items()))
        if data.get("statics"):
            out["statics"] = [dict(sorted(s.items())) for s in data["statics"]]
        return out

    def chosen_by_hopper(self, app: FlyApp) -> list[str]:
        """The fly.toml values hopper's writer chose rather than read (its end-of-line comment
        says so): they are in the model, as they are what runs, and a Fly writer reading this
        list chooses them again, with the same comment."""
        cfg = app.config
        out = []
        for key, path in (("internal_port", ("http_service", "internal_port")),
                          ("auto_stop_machines", ("http_service", "auto_stop_machines")),
                          ("min_machines_running", ("http_service", "min_machines_running")),
                          ("env.PORT", ("env", "PORT")), ("vm.size", ("vm", 0, "size"))):
            if hopper_note(cfg, app.config_path, *path):
                out.append(key)
        return out

    def add_secret(self, key: str, service: str, source: str, where: Location, build_time: bool = False) -> None:
        existing = self.secrets.get(key)
        used = tuple(sorted({*(existing.used_by if existing else ()), service}))
        self.secrets[key] = Secret(name=key, source=existing.source if existing else source,
                                   used_by=used, build_time=build_time or bool(existing and existing.build_time),
                                   origin=existing.origin if existing else where)

    def command_of(self, cfg: FlyConfig) -> tuple[str, ...]:
        processes = cfg.data.get("processes") or {}
        command = None
        if processes:
            command = processes[_default_group(processes)]
        if command:
            try:
                return tuple(shlex.split(command))
            except ValueError:
                return (command,)
        return tuple(cfg.get("experimental", "cmd") or ())

    def exec_overrides(self, cfg: FlyConfig, service: str) -> None:
        """What ``experimental.exec`` makes dead: Fly never runs these, so they are not in the
        model, and the user hears about it rather than losing them silently."""
        for key in ("cmd", "entrypoint"):
            if cfg.get("experimental", key):
                self.diags.warning(W_NOT_CARRIED, f"service '{service}': experimental.{key} is not run: "
                                   "experimental.exec replaces both the command and the entrypoint on Fly",
                                   cfg.location("experimental", key), hint=f"remove experimental.{key}")
        if any(cfg.data.get("processes") or {}):
            self.diags.warning(W_NOT_CARRIED, f"service '{service}': the [processes] commands are not run: "
                               "experimental.exec replaces the command of every process group",
                               cfg.location("processes"), hint="remove experimental.exec or the [processes] commands")

    def build_of(self, app: FlyApp, service: str) -> tuple[Build | None, tuple[str, ...], tuple[str, ...]]:
        cfg = app.config
        build_cfg = cfg.data.get("build") or {}
        docker = app.dockerfile
        if docker is None and not build_cfg:
            # flyctl builds the Dockerfile of the build context; the checkout lacks it (a
            # generated or git-ignored file): assume it rather than leave the app unbuildable.
            dockerfile = "Dockerfile" if app.context == "." else f"{app.context}/Dockerfile"
            self.diags.warning(W_DOCKERFILE_ASSUMED, f"service '{service}': no [build] in {cfg.path} and no "
                               f"{dockerfile} in the project; hopper assumes flyctl's default, {dockerfile}",
                               cfg.location(), hint=f"add {dockerfile}, or [build] image = '...' to {cfg.path}")
            return Build(context=app.context, dockerfile=dockerfile, origin=cfg.location()), (), ()
        if docker is None and build_cfg.get("image") and len(build_cfg) == 1:
            return None, (), ()
        secrets = set(docker.secret_ids) if docker else set()
        for step in app.deploys:
            secrets.update(step.build_secrets)
            # A public build-time value (VITE_*...) passed from a CI variable has no value in
            # the set: it is kept as a build-time input by name, as a build secret is.
            from hopper.formats.fly.write_buildvars import is_public_build_name  # noqa: PLC0415

            secrets.update(n for n in step.build_args
                           if is_public_build_name(n) and n not in (build_cfg.get("args") or {}))
        secrets.update(m.name for m in self.moved.get(id(app), ()) if m.build_time)
        for secret in sorted(secrets):
            self.add_secret(secret, service, "build", app.deploys[0].location if app.deploys else
                            (docker.final.location if docker and docker.stages else cfg.location("build")), True)
        runtime = version = None
        cmd: tuple[str, ...] = ()
        entry: tuple[str, ...] = ()
        if docker is not None and docker.stages:
            final = docker.final
            runtime, version = _runtime_of(final.image)
            if runtime == "nginx" or runtime is None:
                # A multi-stage front: the build stage's image says what builds it.
                for stage in docker.stages[:-1]:
                    r, v = _runtime_of(stage.image)
                    if r == "node":
                        runtime, version = ("static", None) if runtime == "nginx" else (r, v)
                        break
            if final.cmd is not None:
                cmd = tuple(final.cmd.args) if not final.cmd.shell else ("sh", "-c", final.cmd.args[0])
            if final.entrypoint is not None:
                entry = tuple(final.entrypoint.args) if not final.entrypoint.shell else (
                    "sh", "-c", final.entrypoint.args[0])
        builder = build_cfg.get("builder")
        if builder and runtime is None:
            runtime = "buildpacks"
        dockerfile_path = docker.file if docker else None
        written = build_cfg.get("dockerfile")
        if dockerfile_path is None and isinstance(written, str) and "://" not in written:
            # Named in fly.toml but not in this folder (hopper's writer keeps the project's own).
            written = config_relative(written)
            dockerfile_path = str(PurePosixPath(app.folder) / written) if app.folder != "." else written
        build = Build(
            context=app.context, dockerfile=dockerfile_path,
            target=build_cfg.get("build-target"),
            args=dict(sorted((build_cfg.get("args") or {}).items())),
            secrets=tuple(sorted(secrets)), runtime=runtime, runtime_version=version,
            origin=cfg.location("build") if build_cfg else (docker.final.location if docker and docker.stages else None),
        )
        return build, cmd, entry

    def health_check(self, cfg: FlyConfig) -> HealthCheck | None:
        candidates: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
        for index, check in enumerate(cfg.get("http_service", "checks") or []):
            candidates.append((("http_service", "checks", index), check))
        for s_index, service in enumerate(cfg.data.get("services") or []):
            for index, check in enumerate(service.get("http_checks") or []):
                candidates.append((("services", s_index, "http_checks", index), check))
        for name, check in sorted((cfg.data.get("checks") or {}).items()):
            if check.get("type") == "http":
                candidates.append((("checks", name), check))
        for path, check in candidates:
            return HealthCheck(path=check.get("path") or "/", port=check.get("port"),
                               interval_s=check.get("interval"), timeout_s=check.get("timeout"),
                               grace_s=check.get("grace_period"), origin=cfg.location(*path))
        return None

    def role_of(self, app: FlyApp, primary: dict[str, Any] | None) -> tuple[Role, StaticSite | None]:
        cfg = app.config
        if app.nginx is not None and app.nginx.servers:
            server = app.nginx.servers[0]
            static = None
            if server.root:
                static = StaticSite(
                    root=server.root, index=server.index[0] if server.index else "index.html",
                    spa_fallback=server.spa_fallback, gzip=server.gzip,
                    gzip_types=tuple(server.gzip_types),
                    cache_rules=tuple(_cache_rule(r) for r in server.cache_rules),
                    origin=server.location)
            self.info(f"service '{self.names[id(app)]}': front, from the nginx configuration "
                      f"{app.nginx.files[0] if app.nginx.files else ''} its Dockerfile copies in",
                      server.location)
            return Role.FRONT, static
        statics = cfg.data.get("statics") or []
        root_static = next((s for s in statics if s.get("url_prefix") == "/"), None)
        if root_static is not None:
            return Role.FRONT, StaticSite(root=root_static.get("guest_path") or "/",
                                          index=root_static.get("index_document") or "index.html",
                                          origin=cfg.location("statics"))
        if primary is None:
            return Role.WORKER, None
        return Role.API, None

    def scaling(self, cfg: FlyConfig, primary: dict[str, Any] | None, group: str | None = None) -> Scaling:
        vms = cfg.data.get("vm") or []
        default_group = group or _default_group(cfg.data.get("processes") or {})
        chosen = next((v for v in vms if default_group in (v.get("processes") or [])), None)
        chosen = chosen or next((v for v in vms if not v.get("processes")), None)
        cpu_kind = cpus = memory = None
        vm_at: tuple[str | int, ...] = ("vm", vms.index(chosen)) if chosen is not None else ()
        if chosen is not None:
            try:
                _size, cpu_kind, cpus_i, memory = vm_memory(chosen)
                cpus = float(cpus_i)
            except ValueError:
                pass
        autostop = autostart = min_running = None
        if primary is not None:
            if "auto_stop_machines" in primary:
                autostop = Autostop(primary["auto_stop_machines"])
            autostart = primary.get("auto_start_machines")
            min_running = primary.get("min_machines_running")

        edge: tuple[str | int, ...] = ()
        if primary is not None:
            edge = ("http_service",) if primary is cfg.data.get("http_service") else ("services", 0)
        size_at = (_key_at(cfg, *vm_at, "size") or _key_at(cfg, *vm_at)) if vm_at else None
        return Scaling(cpu_kind=cpu_kind, cpus=cpus, memory_mb=memory, autostop=autostop,
                       autostart=autostart, min_running=min_running,
                       origin=cfg.location("vm", 0) if chosen is not None else None,
                       key_origins=key_origins(
                           ("autostop", _key_at(cfg, *edge, "auto_stop_machines") if edge else None),
                           ("autostart", _key_at(cfg, *edge, "auto_start_machines") if edge else None),
                           ("min_running", _key_at(cfg, *edge, "min_machines_running") if edge else None),
                           ("memory_mb", (_key_at(cfg, *vm_at, "memory") or size_at) if vm_at else None),
                           ("cpus", (_key_at(cfg, *vm_at, "cpus") or size_at) if vm_at else None),
                           ("cpu_kind", (_key_at(cfg, *vm_at, "cpu_kind") or size_at) if vm_at else None)))

    def counted(self, fly_name: str, group: str, scaling: Scaling) -> Scaling:
        """The Machines fly-setup.sh creates for a group, as the source's instance count."""
        count = self.counts.get(fly_name, {}).get(group)
        if count is None:
            return scaling
        where = self.count_origins.get(fly_name, {}).get(group)
        return replace(scaling, min_instances=count, max_instances=count, key_origins={
            **scaling.key_origins, **key_origins(("min_instances", where), ("max_instances", where))})

    def volumes(self, cfg: FlyConfig, group: str | None = None) -> tuple[Volume, ...]:
        """The mounts of the app, or of one process group (a mount without ``processes`` is
        every group's)."""
        out = []
        for index, mount in enumerate(cfg.data.get("mounts") or []):
            if group is not None and mount.get("processes") and group not in mount["processes"]:
                continue
            size = None
            if "initial_size" in mount:
                try:
                    size = volume_gb(mount["initial_size"])
                except ValueError:
                    size = None
            if not mount.get("source") or not mount.get("destination"):
                continue
            out.append(Volume(name=mount["source"], target=mount["destination"], size_gb=size,
                              origin=cfg.location("mounts", index)))
        return tuple(sorted(out, key=lambda v: (v.name, v.target)))

    def carry_losses(self, cfg: FlyConfig, shim_path: str | None, nginx: bool = False,
                     crontab: str | None = None) -> None:
        # The env shim, an nginx.conf read as the front's configuration and a crontab read as
        # the schedules are carried.
        carried = {shim_path, "/etc/nginx/nginx.conf" if nginx else None, crontab} - {None}
        for key, what in (("files", "[[files]]"), ("metrics", "[[metrics]]"), ("restart", "[[restart]]"),
                          ("machine_checks", "[[machine_checks]]")):
            items = [i for i in cfg.data.get(key) or [] if key != "files" or i.get("guest_path") not in carried]
            if items:
                self.diags.warning(W_NOT_CARRIED, f"{what} is Fly-specific and not part of the model; "
                                   "it is not converted", cfg.location(key))
        if len(cfg.data.get("services") or []) + bool(cfg.data.get("http_service")) > 1:
            self.diags.warning(W_NOT_CARRIED, "only the first service of this app is read (its "
                               "internal_port, autostop and checks); the others are not converted",
                               cfg.location("services"))

    def bindings_of(self, service: str, ev: _Evidence, env: dict[str, str], cfg: FlyConfig,
                    derived: dict[str, tuple[str, str | None, Location]]) -> tuple[Binding, ...]:
        env_names = mappings.table("env-names")["fly"]
        out: dict[str, Binding] = {}
        for variable, (db, where) in sorted(ev.databases.items()):
            out[variable] = Binding(variable=variable, resource=db, attribute="uri", secret=True, origin=where)
        for variable, (store, where) in sorted(ev.stores.items()):
            row = env_names["object_store"].get(variable)
            if row is not None:
                out[variable] = Binding(variable=variable, resource=store, attribute=row["attribute"],
                                        secret=bool(row["secret"]), origin=where)
        names = set(ev.secrets) | set(env)
        if "DATABASE_URL" in names and "DATABASE_URL" not in out:
            value = env.get("DATABASE_URL", "")
            if not value.startswith(("file:", "sqlite")):
                db = self.db_from_url(value) or next(iter(sorted(self.databases)), None) or "db"
                if db not in self.databases:
                    self.databases[db] = Database(name=db, origin=ev.secrets.get("DATABASE_URL") or cfg.location("env", "DATABASE_URL"))
                where = ev.secrets.get("DATABASE_URL") or cfg.location("env", "DATABASE_URL")
                self.info(f"database '{db}': service '{service}' receives DATABASE_URL", where)
                out["DATABASE_URL"] = Binding(variable="DATABASE_URL", resource=db, attribute="uri",
                                              secret=True, origin=where)
        if any(n in names for n in _TIGRIS_NAMES) and not any(b.attribute == "endpoint" for b in out.values()):
            endpoint = env.get("AWS_ENDPOINT_URL_S3", "")
            store = next(iter(sorted(self.stores)), None) or "storage"
            if store not in self.stores:
                provider = "tigris" if not endpoint or "tigris" in endpoint or "storage.dev" in endpoint else "s3"
                bucket = env.get("BUCKET_NAME")
                self.stores[store] = ObjectStore(
                    name=store, provider=provider, endpoint=endpoint or None,
                    buckets=(Bucket(name=bucket),) if bucket else ())
            evidence = sorted(n for n in names if n in env_names["object_store"])
            where = next((ev.secrets[n] for n in evidence if n in ev.secrets), None) or cfg.location("env")
            self.info(f"object store '{store}': service '{service}' receives {', '.join(evidence)}", where)
            for variable in evidence:
                row = env_names["object_store"][variable]
                out[variable] = Binding(variable=variable, resource=store, attribute=row["attribute"],
                                        secret=bool(row["secret"]), origin=where)
        # Names hopper's env shim derives from what Fly sets (S3_ENDPOINT from AWS_ENDPOINT_URL_S3).
        for variable, (source, part, where) in sorted(derived.items()):
            base = out.get(source)
            if base is None or variable in out:
                continue
            attribute = part if part is not None else base.attribute
            if base.attribute == "endpoint" and part == "host":
                attribute = "endpoint"  # the host of the object store's endpoint (S3_HOST...)
            out[variable] = Binding(variable=variable, resource=base.resource, attribute=attribute,
                                    secret=base.secret if part is None else part == "password",
                                    origin=where)
        return tuple(out[k] for k in sorted(out))

    def env_shim(self, app: FlyApp) -> tuple[str | None, dict[str, tuple[str, str | None, Location]]]:
        """The env shim hopper's Fly writer ships: its guest path and the names it derives
        (``NAME -> (source name, URL part or None, where)``).

        It arrives either as a ``[[files]]`` entry (an app that keeps its own Dockerfile; process
        commands are prefixed with it) or copied by a generated Dockerfile and run as its
        ENTRYPOINT (then the command needs no prefix, and no guest path is returned)."""
        for entry in app.config.data.get("files") or []:
            local = entry.get("local_path")
            if not isinstance(local, str) or not local.endswith("hopper-env.sh"):
                continue
            path = app.config_path.parent / local
            shown = f"{app.folder}/{local}" if app.folder != "." else local
            return entry.get("guest_path"), self._shim_names(app, path, shown)
        final = app.dockerfile.stages[-1] if app.dockerfile is not None and app.dockerfile.stages else None
        if final is not None and final.entrypoint is not None:
            for copy in final.copies:
                source = next((s for s in copy.sources if s.endswith("hopper-env.sh")), None)
                if source is None or copy.from_stage is not None:
                    continue
                if not any(copy.destination in arg for arg in final.entrypoint.args):
                    continue
                root = self.layout.root.resolve()
                path = (self.layout.root / app.context / source).resolve()
                if not path.is_relative_to(root):
                    continue  # only files inside the project are read
                return None, self._shim_names(app, path, path.relative_to(root).as_posix())
        # Written next to fly.toml for an app whose own Dockerfile must run it (MIGRATION.md
        # says how): the names it derives are what the app reads.
        beside = app.config_path.parent / "hopper-env.sh"
        if beside.is_file() and not beside.is_symlink():
            shown = f"{app.folder}/hopper-env.sh" if app.folder != "." else "hopper-env.sh"
            return None, self._shim_names(app, beside, shown)
        return None, {}

    def _shim_names(self, app: FlyApp, path: Path, shown: str) -> dict[str, tuple[str, str | None, Location]]:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return {}
        derived: dict[str, tuple[str, str | None, Location]] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            match = _SHIM_COPY.match(line) or _SHIM_PART.match(line)
            if match is None:
                continue
            groups = match.groupdict()
            derived.setdefault(groups["name"], (groups["source"], groups.get("part"),
                                                Location(file=shown, line=number)))
        if derived:
            self.info(f"service '{self.names[id(app)]}': reads {', '.join(sorted(derived))}, "
                      "derived by hopper's env shim from what Fly sets", Location(file=shown))
        return derived

    def db_from_url(self, value: str) -> str | None:
        match = re.search(r"@([^/:@]+)", value)
        if not match:
            return None
        resolved = fly_host_app(match.group(1))
        return resolved[0] if resolved else None

    def resolve_routes(self, services: list[Service]) -> list[Service]:
        from dataclasses import replace  # noqa: PLC0415

        by_service = {s.name: s for s in services}
        out: list[Service] = []
        for app in self.apps:
            name = self.names[id(app)]
            service = by_service.get(name)
            if service is None:
                continue
            if app.nginx is None:
                out.append(service)
                continue
            routes: list[Route] = []
            extensions = dict(service.extensions)
            for server in app.nginx.servers[:1]:
                routed: dict[str, Any] = {}
                regex_routes: dict[str, Any] = {}
                for proxy in server.proxies:
                    route = self.route_of(proxy)
                    if route is None:
                        continue
                    if proxy.modifier in ("~", "~*"):
                        # A regex location routes by its fixed prefix; the regex rides along.
                        prefix = literal_prefix(proxy.path)
                        if prefix is None or prefix in regex_routes or prefix in routed:
                            continue
                        route = replace(route, path_prefix=prefix)
                        regex_routes[prefix] = proxy
                    else:
                        routed[route.path_prefix] = proxy
                    routes.append(route)
                carried, notes = carry(name, app.nginx, server, routed=routed, regex_routes=regex_routes,
                                       cache_patterns={r.pattern for r in server.cache_rules})
                self.diags.extend(notes)
                if carried:
                    extensions["nginx"] = carried
            depends = tuple(sorted({r.target_service for r in routes} & set(by_service)))
            out.append(replace(service, routes=tuple(routes), depends_on=depends, extensions=extensions))
        done = {s.name for s in out}
        out.extend(s for s in services if s.name not in done)  # process groups
        # A service reached only through Flycast and without force_https is private.
        targets = {r.target_service for s in out for r in s.routes}
        final: list[Service] = []
        for service in out:
            fly_app = service.extensions.get("fly", {}).get("app")
            ev = self.evidence.get(fly_app or "", _Evidence())
            if service.name in targets and service.public and not service.force_https and ev.private is None:
                self.info(f"service '{service.name}': private, as it is reached through Flycast from "
                          "the front and does not force HTTPS", service.origin)
                service = replace(service, public=False)
            mode = self.reached_as.get(service.name)
            fly_ext = service.extensions.get("fly")
            if mode is not None and isinstance(fly_ext, dict) and "private_network" not in fly_ext:
                service = replace(service, extensions={**service.extensions,
                                                       "fly": {**fly_ext, "private_network": mode}})
            final.append(service)
        return final

    def route_of(self, proxy: Any) -> Route | None:
        target = proxy.effective_target()
        host = target.host
        if proxy.upstream is not None and proxy.upstream.servers:
            host = proxy.upstream.servers[0].host
        if host is None:
            return None
        resolved = fly_host_app(host)
        app_name = resolved[0] if resolved else host
        service = self.app_to_service.get(app_name)
        if service is None:
            self.diags.warning(W_UPSTREAM, f"nginx location {proxy.path} proxies to {host}, which is "
                               "not an app of this setup; the route is not converted", proxy.location,
                               hint="add the app's fly.toml to the folder")
            return None
        port = target.port
        if resolved:
            self.reached_as.setdefault(service, resolved[1])
        if resolved and resolved[1] == "flycast" and port in (None, 80):
            target_app = next((a for a in self.apps if self.names[id(a)] == service), None)
            port = target_app.config.get("http_service", "internal_port") if target_app else None
        return Route(
            path_prefix=proxy.path, target_service=service, target_port=port,
            strip_prefix=proxy.strip_prefix, body_size_limit=proxy.client_max_body_size,
            request_buffering=proxy.request_buffering, response_buffering=proxy.response_buffering,
            connect_timeout_s=proxy.connect_timeout_s, read_timeout_s=proxy.read_timeout_s,
            send_timeout_s=proxy.send_timeout_s, forwarded_headers=tuple(proxy.set_headers),
            websocket=proxy.websocket, origin=proxy.location)

    def placement(self) -> Placement:
        known = mappings.regions("fly")
        primary: Region | None = None
        others: dict[str, Region] = {}
        ordered = sorted(self.apps, key=lambda a: (a.nginx is None, a.config.path))
        for app in ordered:
            code_ = app.config.data.get("primary_region")
            if not isinstance(code_, str) or not code_:
                continue
            info = known.get(code_)
            where = app.config.location("primary_region")
            if info is None:
                self.diags.warning(W_REGION, f"primary_region '{code_}' is not a Fly region hopper "
                                   "knows; it is ignored", where)
                continue
            if info.retired:
                self.diags.warning(W_REGION, f"primary_region '{code_}' is retired; Fly will not "
                                   "create Machines there", where,
                                   hint=f"use {info.replacement}" if info.replacement else None)
            region = Region(code=code_, platform="fly", city=info.city, country=info.country,
                            latitude=info.latitude, longitude=info.longitude, eu=info.eu,
                            retired=info.retired, origin=where)
            if primary is None:
                primary = region
            elif code_ != primary.code:
                others.setdefault(code_, region)
        return Placement(primary=primary, others=tuple(others[k] for k in sorted(others)))

    def pipeline(self) -> DeployPipeline:
        workflows: dict[str, Workflow] = {}
        for app in self.apps:
            for step in app.deploys:
                name = f"{step.workflow_name}/{step.job}"
                key = f"{name}/{self.names[id(app)]}"
                workflows[key] = Workflow(
                    name=name, service=self.names[id(app)], path=step.workflow,
                    branches=step.branches, build_secrets=step.build_secrets,
                    token_secret=step.token_secret, origin=step.location)
        if not workflows:
            return DeployPipeline()
        return DeployPipeline(provider="github_actions",
                              workflows=tuple(workflows[k] for k in sorted(workflows)))


def _release(text: str | None) -> str | None:
    """The source's release command, without the wrapping hopper's writer adds (release.py)."""
    from hopper.formats.fly.release import unwrap  # noqa: PLC0415

    return unwrap(text) if text else text


_SHIM_COPY = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)=\$\{(?P<source>[A-Za-z_][A-Za-z0-9_]*)\}\s*$")
_SHIM_PART = re.compile(r'^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)=\$\(hopper_url_part (?P<part>\w+) '
                        r'"\$\{?(?P<source>[A-Za-z_][A-Za-z0-9_]*)\}?"\)\s*$')


def _default_group(processes: dict[str, Any]) -> str:
    """The group [http_service] serves when it names none: ``app``, else the first."""
    return "app" if "app" in processes or not processes else sorted(processes)[0]


def _strip_shim(command: tuple[str, ...], shim: str | None) -> tuple[str, ...]:
    """``node server.js`` for ``/bin/sh /etc/hopper/hopper-env.sh node server.js``."""
    if shim is None:
        return command
    for prefix in ((shim,), ("/bin/sh", shim), ("sh", shim)):
        if command[:len(prefix)] == prefix:
            return command[len(prefix):]
    return command


def _cache_rule(rule: Any) -> CacheRule:
    max_age = None
    immutable = False
    if rule.cache_control:
        match = re.search(r"max-age=(\d+)", rule.cache_control)
        max_age = int(match.group(1)) if match else None
        immutable = "immutable" in rule.cache_control
    if max_age is None and rule.expires:
        max_age = _expires_seconds(rule.expires)
    return CacheRule(pattern=rule.pattern, max_age_s=max_age, immutable=immutable)


def _expires_seconds(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)([smhdwMy]?)", text.strip())
    if not match:
        return None
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
    return int(match.group(1)) * unit[match.group(2)]


def _runtime_of(image: str) -> tuple[str | None, str | None]:
    """``("node", "20")`` for ``node:20-alpine``; ``("nginx", None)`` for ``nginx:1.27``."""
    repo, _, tag = image.partition("@")[0].rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    last = repo.split("/")[-1].lower()
    for runtime in ("node", "nginx", "python", "ruby", "golang", "elixir", "bun", "deno", "php", "caddy"):
        if last == runtime or last.startswith(runtime + "-"):
            version = re.match(r"\d+(?:\.\d+)*", tag) if runtime not in ("nginx", "caddy") else None
            return runtime, version.group(0) if version else None
    return None, None


def _db_extension(kind: str, fly_db: str, words: tuple[str, ...]) -> dict[str, Any]:
    """The database's Fly facts; ``region`` is where the setup script creates it (it may differ
    from the apps' primary_region: Managed Postgres is offered in fewer regions)."""
    out: dict[str, Any] = {"kind": kind, "name": fly_db}
    region = option(words, "-r", "--region")
    if region and re.fullmatch(r"[a-z]{3}", region):  # not a "$REGION" the script sets
        out["region"] = region
    return out


def _key_at(cfg: FlyConfig, *path: str | int) -> Location | None:
    """Where the key at ``path`` is written, only when it is (no fallback to its section)."""
    source = cfg.source_path(tuple(path))
    pos = cfg.locations.get(source)
    if pos is None:
        return None
    return Location(file=cfg.path, line=pos[0], col=pos[1], key=key_name(source) or None)


def _own_ignorefile(app: FlyApp) -> str | None:
    """``[build] ignorefile`` of an app built from the project's own Dockerfile, from the
    repository root (flyctl resolves it relative to the fly.toml folder), so a Fly writer names
    it again from wherever it puts fly.toml. hopper's own ignore file, beside a Dockerfile it
    generated, is written again with that Dockerfile and is not carried."""
    written = app.config.get("build", "ignorefile")
    if not isinstance(written, str) or not written or "://" in written:
        return None
    if hopper_note(app.config, app.config_path, "build", "dockerfile") == GENERATED:
        return None
    path = posixpath.normpath(posixpath.join(app.folder, config_relative(written)))
    return None if path.startswith("..") else path
