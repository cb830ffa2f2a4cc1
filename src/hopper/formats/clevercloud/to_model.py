"""A Clever Cloud :class:`~.setup.Setup` -> the neutral :class:`~hopper.model.Architecture`.

The Clever rules live here, once for all three readers: ``CC_*`` variables become typed fields
(as the Terraform provider itself does), hooks become build and release commands, flavors become
CPU and memory, vhosts sharing a domain become routes on the app serving ``/``, add-on variables
become bindings, zones become places. Whatever only Clever understands is kept under
``extensions["clevercloud"]`` so that writing Clever again loses nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from hopper import mappings
from hopper.diagnostics import E_INVALID_NAME, Diagnostics, Location, fail
from hopper.formats.clevercloud.addons import AddonKind
from hopper.formats.clevercloud.addons import kinds as addon_kinds
from hopper.formats.clevercloud.codes import (
    I_CLEVER_ONLY,
    W_AUTOSCALING,
    W_HINTS_ONLY,
    W_UNKNOWN_FLAVOR,
    W_UNKNOWN_ZONE,
    W_UNSUPPORTED_RUNTIME,
)
from hopper.formats.clevercloud.cron import schedules as cron_schedules
from hopper.formats.clevercloud.files import SourceFiles
from hopper.formats.clevercloud.provenance import backing_key_origins, with_key_origins
from hopper.formats.clevercloud.setup import (
    CELLAR,
    POSTGRESQL,
    WORKER_RESPONDER,
    AddonSpec,
    AppSpec,
    BoundRef,
    BucketSpec,
    EnvEntry,
    Setup,
)
from hopper.formats.clevercloud.to_model_build import HTTP_PORT, AppBuildReader
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
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
    Secret,
    Service,
    secret_digest,
    sorted_by_name,
)
from hopper.secrets import moved_secret_warning, scrub_command_line

_HOOK_VARS = {"CC_PRE_BUILD_HOOK": "pre_build", "CC_POST_BUILD_HOOK": "post_build",
              "CC_PRE_RUN_HOOK": "pre_run", "CC_RUN_SUCCEEDED_HOOK": "run_succeed",
              "CC_RUN_FAILED_HOOK": "run_failed"}
# CC_* variables read into typed fields (and so taken out of the env).
_TYPED = frozenset({"CC_RUN_COMMAND", "CC_NODE_BUILD_TOOL", "CC_CUSTOM_BUILD_TOOL",
                    "CC_NODE_VERSION", "CC_HEALTH_CHECK_PATH", "CC_WEBROOT", "CC_BUILD_COMMAND",
                    "APP_FOLDER", "CC_DOCKERFILE", "CC_DOCKER_EXPOSED_HTTP_PORT",
                    "CC_NODE_DEV_DEPENDENCIES", "SERVER_FALLBACK_PAGE", "CC_TASK", *_HOOK_VARS})
_KINDS_ROLE = {"node": Role.API, "docker": Role.API, "static-apache": Role.FRONT,
               "static": Role.FRONT}


def flavors() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = mappings.table("clevercloud-flavors")["flavors"]
    return table


def pg_plans() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = mappings.table("clevercloud-flavors")["postgresql"]["plans"]
    return table


def region(code: str, where: Location | None, diags: Diagnostics) -> Region:
    known = mappings.regions("clevercloud").get(code)
    if known is None:
        diags.warning(W_UNKNOWN_ZONE, f"'{code}' is not a Clever Cloud zone hopper knows", where,
                      hint=f"known zones: {', '.join(sorted(mappings.regions('clevercloud')))}")
        return Region(code=code, platform="clevercloud", origin=where)
    return Region(code=code, platform="clevercloud", city=known.city, country=known.country,
                  latitude=known.latitude, longitude=known.longitude, eu=known.eu,
                  retired=known.retired, origin=where)


def _norm_prefix(path: str) -> str:
    path = "/" + path.strip().lstrip("/")
    return path if path.endswith("/") else path + "/"


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class ModelBuilder(AppBuildReader):
    def __init__(self, setup: Setup, files: SourceFiles, diags: Diagnostics) -> None:
        self.setup = setup
        self.files = files
        self.diags = diags
        self.secrets: dict[str, Secret] = {}

    # ------------------------------------------------------------------ top
    def build(self) -> Architecture:
        setup = self.setup
        if setup.source == "terraform":
            setup.name = _project_prefix(setup) or setup.name
        databases = [backing_key_origins(self._database(a), a) for a in setup.addons if a.provider == POSTGRESQL]
        stores = [backing_key_origins(self._store(a), a) for a in setup.addons if a.provider == CELLAR]
        self._expose_published()
        services = [with_key_origins(self._service(app), app) for app in setup.apps]
        services = self._routes(services)
        services += [self._service_addon(a) for a in setup.addons if a.provider in _service_kinds()]
        self._binders_use_secrets(services)
        extensions: dict[str, Any] = {}
        timetable = cron_schedules(setup.cron, setup.cron_origin, services, self.diags) \
            if setup.cron else ()
        extensions["input"] = setup.source
        if setup.source == "hints":
            self.diags.warning(W_HINTS_ONLY, "only repo hints were found (.clever.json, "
                               "clevercloud/*.json, package.json, .htaccess, env files): types, "
                               "env, add-ons, scaling and domains live on the platform and are "
                               "missing", Location(file="."),
                               hint="capture the live apps with scripts/clever-export.sh and read "
                               "the bundle, or read your Terraform")
        return Architecture(
            name=setup.name,
            source_format="clevercloud",
            services=sorted_by_name(services),
            databases=sorted_by_name(databases),
            object_stores=sorted_by_name(stores),
            secrets=sorted_by_name(self.secrets.values()),
            schedules=sorted_by_name(timetable),
            placement=self._placement(),
            pipeline=DeployPipeline(provider="clever_git_push") if setup.apps else DeployPipeline(),
            extensions={"clevercloud": extensions},
        )

    def _service_addon(self, addon: AddonSpec) -> Service:
        """A Redis, MongoDB... add-on is the backing service a compose project runs as a
        container: a service with the add-on's image, so that a plan compares like with like
        and writing it again gives the add-on again."""
        kind = _service_kinds()[addon.provider]
        image = str(mappings.table("clevercloud-addons")["addons"][kind.key]["images"][0])
        ext: dict[str, Any] = {"addon": addon.provider}
        if addon.name and not self._default_name(addon.key, addon.name):
            ext["name"] = addon.name
        return Service(name=self._model_name(addon.key), role=Role.GENERIC, image=image,
                       extensions={"clevercloud": ext}, origin=addon.origin)

    def _placement(self) -> Placement:
        # Each region points at the first `region` key that names it (apps first).
        apps = [(a.region, a.locations.get("region") or a.origin) for a in self.setup.apps if a.region]
        zones = Counter(code for code, _ in apps)
        others_src = [(a.region, a.locations.get("region") or a.origin) for a in self.setup.addons if a.region]
        if not zones and not others_src:
            return Placement()
        ranked = sorted(zones.items(), key=lambda kv: (-kv[1], kv[0])) if zones else []
        primary_code = ranked[0][0] if ranked else sorted(c for c, _ in others_src if c)[0]
        where: dict[str, Location | None] = {}
        for code, loc in [*apps, *others_src]:
            where.setdefault(code, loc)
        primary = region(primary_code, where.get(primary_code), self.diags) if primary_code else None
        other_codes = sorted({c for c, _ in [*apps, *others_src] if c and c != primary_code})
        return Placement(primary=primary,
                         others=tuple(region(c, where.get(c), self.diags) for c in other_codes))

    # ------------------------------------------------------------------ add-ons
    def _database(self, addon: AddonSpec) -> Database:
        plan = pg_plans().get(addon.plan or "")
        if addon.plan and plan is None:
            self.diags.warning(W_UNKNOWN_FLAVOR, f"PostgreSQL plan '{addon.plan}' is not in "
                               "hopper's plan table; size unknown", addon.origin)
        ext: dict[str, Any] = {}
        if addon.name and not self._default_name(addon.key, addon.name):
            ext["name"] = addon.name
        if addon.region:
            ext["region"] = addon.region
        backups = addon.backup
        if backups is None and plan is not None and plan.get("backups") is False:
            backups = False
        return Database(
            name=addon.key, engine="postgresql", version=addon.version, plan=addon.plan,
            cpus=float(plan["cpus"]) if plan and plan["cpus"] else None,
            memory_mb=int(plan["memory_mb"]) if plan and plan["memory_mb"] else None,
            disk_gb=int(plan["disk_gb"]) if plan and plan["disk_gb"] >= 1 else None,
            backups=backups, extensions={"clevercloud": ext} if ext else {}, origin=addon.origin)

    def _store(self, addon: AddonSpec) -> ObjectStore:
        ext: dict[str, Any] = {}
        if addon.name and not self._default_name(addon.key, addon.name):
            ext["name"] = addon.name
        if addon.region:
            ext["region"] = addon.region
        buckets = {b.name: Bucket(name=b.name, public=self._public(b), origin=b.origin)
                   for b in addon.buckets}
        return ObjectStore(
            name=addon.key, provider="cellar",
            endpoint=f"https://{addon.host}" if addon.host else None,
            buckets=sorted_by_name(buckets.values()),
            extensions={"clevercloud": ext} if ext else {}, origin=addon.origin)

    def _public(self, bucket: BucketSpec) -> bool:
        """A public-read policy file names the bucket (and, for a Terraform bucket, is named
        after its resource label, as hopper writes it: two stores may hold equal names)."""
        return any(name == bucket.name and (bucket.label is None or stem == bucket.label)
                   for stem, name in self.setup.public_buckets)

    def _expose_published(self) -> None:
        """An app's exposed environment reaches the apps that depend on it."""
        for app in self.setup.apps:
            for linked in app.links:
                source = self.setup.app(linked)
                if source is None:
                    continue
                for name, entry in source.exposed_env.items():
                    if name in app.env:
                        continue
                    copy = EnvEntry(name=name, value=entry.value, secret=entry.secret,
                                    digest=entry.digest, bound=entry.bound,
                                    unresolved=entry.unresolved, origin=entry.origin)
                    if copy.bound is None and copy.value and copy.value.startswith(("http://", "https://")):
                        copy.bound = BoundRef(source.key, "url", False)
                    app.env[name] = copy

    # ------------------------------------------------------------------ services
    def _service(self, app: AppSpec) -> Service:
        for name, entry in sorted(app.env.items()):
            # Clever accepts letters, digits, '_', '-' and '.'; a newline or '=' in a name could
            # change the structure of whatever file the name is written into later.
            if not _ENV_NAME.match(name):
                raise fail(E_INVALID_NAME, f"app '{app.key}': invalid environment variable name "
                           f"{name!r}", entry.origin or app.origin)
        self._cellar_region(app)
        env = dict(app.env)
        typed: dict[str, str] = {}
        clever_env: dict[str, str] = {}
        for name in sorted(env):
            entry = env[name]
            if name in _TYPED or name.startswith("CC_HEALTH_CHECK_PATH_"):
                if entry.value is not None:
                    typed[name] = entry.value
                del env[name]
            elif name.startswith("CC_") and entry.bound is None and not entry.secret:
                if entry.value is not None:
                    clever_env[name] = entry.value
                del env[name]
        platform = set(mappings.table("env-names")["clevercloud"]["runtime"]["names"])
        for name in list(env):
            if name in platform:
                del env[name]
        hooks = {hook: typed[var] for var, hook in _HOOK_VARS.items() if var in typed}
        hooks.update(app.hooks)
        start = app.start_script or typed.get("CC_RUN_COMMAND")
        # A credential on a hook's or the run command's line becomes a secret it reads by name.
        taken: set[str] = set()
        for hook, var in sorted((h, v) for v, h in _HOOK_VARS.items() if h in hooks):
            hooks[hook] = self._move_command_secrets(app, var, hooks[hook], env, taken)
        if start:
            start = self._move_command_secrets(app, "CC_RUN_COMMAND", start, env, taken)
        for name in sorted(clever_env):
            if "COMMAND" in name or "HOOK" in name:
                clever_env[name] = self._move_command_secrets(app, name, clever_env[name], env, taken)
        release = self._release_from_hooks(app, hooks)
        build_tool = app.build_tool or typed.get("CC_NODE_BUILD_TOOL")
        folder = (app.app_folder or typed.get("APP_FOLDER") or "").strip("/") or None
        kind = app.kind
        role = _KINDS_ROLE.get(kind)
        ext: dict[str, Any] = {"kind": kind}
        if role is None:
            hint = app.extra.get("role_hint")
            role = Role.FRONT if hint == "front" else Role.API if hint == "api" else Role.GENERIC
            if kind != "unknown":
                self.diags.warning(W_UNSUPPORTED_RUNTIME, f"app '{app.key}' uses the '{kind}' "
                                   "runtime, outside hopper's model (static front, Node, Docker); "
                                   "read as a generic service", app.origin)
        if typed.get("CC_TASK", "").lower() == "true":
            role = Role.WORKER
            ext["task"] = True
        worker = start == WORKER_RESPONDER and "CC_WORKER_COMMAND" in clever_env
        if worker:
            # hopper's worker app: the process is CC_WORKER_COMMAND; the main one only answers
            # Clever's deploy check.
            role = Role.WORKER
            start = clever_env.pop("CC_WORKER_COMMAND")
            if clever_env.get("CC_WORKER_RESTART") == "always":
                del clever_env["CC_WORKER_RESTART"]
        if app.name and not self._default_name(app.key, app.name):
            ext["name"] = app.name
        for key in ("smallest_flavor", "biggest_flavor", "build_flavor"):
            if getattr(app, key):
                ext[key] = getattr(app, key)
        if app.sticky_sessions is not None:
            ext["sticky_sessions"] = app.sticky_sessions
        if clever_env:
            ext["env"] = clever_env
            self.diags.info(I_CLEVER_ONLY, f"app '{app.key}': Clever-only setting(s) "
                            f"{', '.join(sorted(clever_env))} kept for Clever only", app.origin)
        extra_health = sorted(v for k, v in typed.items() if k.startswith("CC_HEALTH_CHECK_PATH_"))
        if extra_health:
            ext["health_check_paths"] = extra_health
        for hook in ("run_succeed", "run_failed"):
            if hook in hooks:
                ext.setdefault("hooks", {})[hook] = hooks[hook]
        if app.exposed_env:
            ext["exposed_env"] = sorted(app.exposed_env)
        for key, value in sorted(app.extra.items()):
            if key not in ("role_hint",):
                ext[key] = value

        build, static_site, port = self._build(app, kind, role, hooks, typed, start, build_tool,
                                               folder, ext)
        if worker:
            port = None
        image: str | None = None
        entrypoint: tuple[str, ...] = ()
        command: tuple[str, ...] = ()
        as_is = self._image_as_is(build.dockerfile) if kind == "docker" and build else None
        if as_is is not None:
            build = None
            image, entrypoint, command = as_is
        health = None
        if typed.get("CC_HEALTH_CHECK_PATH"):
            loc = app.env["CC_HEALTH_CHECK_PATH"].origin if "CC_HEALTH_CHECK_PATH" in app.env else None
            health = HealthCheck(path=typed["CC_HEALTH_CHECK_PATH"], port=port, origin=loc)
        plain = {n: e.value for n, e in env.items()
                 if e.bound is None and not e.secret and e.value is not None}
        secret_names = tuple(sorted(n for n, e in env.items()
                                    if e.bound is None and (e.secret or e.value is None)))
        for name in secret_names:
            self._secret(env[name], app.key)
        bindings = self._bindings(app, env)
        scaling = self._scaling(app, ext)
        vhosts = app.vhosts
        domains: list[str] = []
        cleverapps: list[dict[str, str]] = []
        public = vhosts is None or any(v.path_begin in ("", "/") for v in vhosts)
        for vh in vhosts or []:
            if vh.fqdn is None:
                continue
            if vh.fqdn.endswith(".cleverapps.io"):
                cleverapps.append({"fqdn": vh.fqdn, "path_begin": vh.path_begin})
            elif vh.path_begin in ("", "/") and vh.fqdn not in domains:
                domains.append(vh.fqdn)
        if cleverapps:
            ext["cleverapps_vhosts"] = cleverapps
        if role in (Role.WORKER, Role.GENERIC) and vhosts is None:
            public = False
        depends = sorted({b.resource for b in bindings if b.resource != app.key}
                         | {self._model_name(k) for k in app.links if self._model_name(k) != app.key})
        return Service(
            name=app.key, role=role, image=image, build=build,
            runtime=Runtime(
                command=command, entrypoint=entrypoint, port=port, env=plain, secret_env=secret_names, health_check=health,
                release_command=release,
                origin=app.origin),
            static_site=static_site, scaling=scaling, depends_on=tuple(depends),
            bindings=tuple(sorted(bindings, key=lambda b: b.variable)), public=public,
            force_https=app.redirect_https, domains=tuple(sorted(domains)),
            extensions={"clevercloud": ext}, origin=app.origin)

    def _cellar_region(self, app: AppSpec) -> None:
        """Cellar injects no region variable: a plain variable with REGION in its name holding
        the region S3 clients use for Cellar, in an app linked to one Cellar add-on, carries
        that add-on's region (it is how hopper writes a region binding)."""
        cellars = [k for k in app.links
                   if (addon := self.setup.addon(k)) is not None and addon.provider == CELLAR]
        if len(cellars) != 1:
            return
        region = str(mappings.table("clevercloud-runtimes")["cellar"]["sdk_region"])
        for name, entry in app.env.items():
            if entry.bound is None and entry.value == region and "REGION" in name.upper():
                entry.bound = BoundRef(cellars[0], "region", False)

    def _model_name(self, key: str) -> str:
        return key

    def _default_name(self, key: str, name: str) -> bool:
        """The Clever name is what writing the component again gives: ``<project>-<key>``."""
        return name in (key, f"{self.setup.name}-{key}")

    def _move_command_secrets(self, app: AppSpec, var: str, line: str, env: dict[str, EnvEntry],
                              taken: set[str]) -> str:
        scrubbed, moved = scrub_command_line(line, app.key, taken)
        where = app.env[var].origin if var in app.env else app.origin
        for name, option, value in moved:
            self.diags.add(moved_secret_warning(f"app '{app.key}'", var, option, name, where))
            env[name] = EnvEntry(name=name, secret=True, digest=secret_digest(name, value), origin=where)
        return scrubbed

    def _secret(self, entry: EnvEntry, user: str) -> None:
        existing = self.secrets.get(entry.name)
        if existing is None:
            self.secrets[entry.name] = Secret(name=entry.name, source="env", used_by=(user,),
                                              digest=entry.digest, origin=entry.origin)
            return
        digest = existing.digest if existing.digest == entry.digest else None
        self.secrets[entry.name] = Secret(
            name=entry.name, source="env", used_by=tuple(sorted({*existing.used_by, user})),
            digest=digest, origin=existing.origin)

    def _binders_use_secrets(self, services: list[Service]) -> None:
        """An app whose variable of a secret's name carries an add-on's credential (the api's A0
        bound to the database's URL, beside the front's hand-set secret A0) is among that
        secret's users, as the compose reader reads the same setup: the name is a secret there
        too. The writers say where the binding sets it instead (HOP467 on Clever)."""
        for name, secret in list(self.secrets.items()):
            binders = {s.name for s in services for b in s.bindings if b.variable == name and b.secret}
            if binders - set(secret.used_by):
                self.secrets[name] = replace(secret, used_by=tuple(sorted({*secret.used_by, *binders})))

    def _bindings(self, app: AppSpec, env: dict[str, EnvEntry]) -> list[Binding]:
        out: dict[str, Binding] = {}
        for name, entry in sorted(app.env.items()):
            if entry.bound is None:
                continue
            resource = entry.bound.resource
            if self.setup.addon(resource) is None and self.setup.app(resource) is None:
                continue
            out[name] = Binding(variable=name, resource=self._model_name(resource),
                                attribute=entry.bound.attribute, secret=entry.bound.secret,
                                origin=entry.origin)
        names = mappings.table("env-names")["clevercloud"]
        for key in app.links:
            addon = self.setup.addon(key)
            if addon is None:
                continue
            # A link injects the add-on's variables; list those whose attribute the app does not
            # already receive under a name of its own (a URI carries every database attribute).
            covered = {b.attribute for b in out.values() if b.resource == key}
            if "uri" in covered:
                covered |= {"host", "port", "user", "password", "database"}
            table = names["database"] if addon.provider == POSTGRESQL else \
                names["object_store"] if addon.provider == CELLAR else {}
            if addon.provider in _service_kinds():
                kind = _service_kinds()[addon.provider]
                table = {}
                for attribute, var in kind.env.items():
                    table.setdefault(var, {"attribute": attribute, "secret": attribute == "password"})
            for var, spec in sorted(table.items()):
                if "_DIRECT_" in var or var in out or spec["attribute"] in covered:
                    continue
                out[var] = Binding(variable=var, resource=key, attribute=spec["attribute"],
                                   secret=bool(spec["secret"]), origin=app.origin)
        del env
        return list(out.values())

    def _scaling(self, app: AppSpec, ext: dict[str, Any]) -> Scaling:
        table = flavors()
        small = table.get(app.smallest_flavor or "")
        for attr in ("smallest_flavor", "biggest_flavor", "build_flavor"):
            name = getattr(app, attr)
            if name and name not in table:
                self.diags.warning(W_UNKNOWN_FLAVOR, f"app '{app.key}': flavor '{name}' is not a "
                                   "Clever flavor hopper knows", app.origin,
                                   hint=f"known flavors: {', '.join(table)}")
        if app.biggest_flavor and app.smallest_flavor and app.biggest_flavor != app.smallest_flavor:
            self.diags.warning(W_AUTOSCALING, f"app '{app.key}' scales vertically from "
                               f"{app.smallest_flavor} to {app.biggest_flavor}; the model keeps "
                               f"the smallest size", app.origin)
        return Scaling(
            min_instances=app.min_instances, max_instances=app.max_instances,
            cpu_kind=small.get("cpu_kind") if small else None,
            cpus=float(small["cpus"]) if small else None,
            memory_mb=int(small["memory_mb"]) if small else None,
            autostop=Autostop.OFF if app.kind != "unknown" else None,
            origin=app.origin)

    # ------------------------------------------------------------------ routes
    def _routes(self, services: list[Service]) -> list[Service]:
        """Apps sharing a domain: the one at ``/`` routes the others' path prefixes."""
        by_domain: dict[str, list[tuple[AppSpec, str, Location | None]]] = {}
        for app in self.setup.apps:
            for vh in app.vhosts or []:
                if vh.key:
                    by_domain.setdefault(vh.key, []).append((app, vh.path_begin or "/", vh.origin))
        routes: dict[str, list[Route]] = {}
        for _domain, entries in sorted(by_domain.items()):
            owners = [a for a, p, _ in entries if p in ("", "/")]
            if len({a.key for a in owners}) != 1:
                continue
            owner = owners[0]
            for app, path, origin in entries:
                if app.key == owner.key or path in ("", "/"):
                    continue
                port = HTTP_PORT if app.kind in ("node", "docker") else None
                route = Route(path_prefix=_norm_prefix(path), target_service=app.key,
                              target_port=port, origin=origin)
                if route not in routes.setdefault(owner.key, []):
                    routes[owner.key].append(route)
        if not routes:
            return services
        from dataclasses import replace  # noqa: PLC0415

        return [replace(s, routes=tuple(sorted(routes.get(s.name, []), key=lambda r: r.path_prefix)))
                if s.name in routes else s for s in services]


def _service_kinds() -> dict[str, AddonKind]:
    """Add-on provider slug -> the backing service it stands for (Redis, MongoDB...)."""
    return {k.provider: k for k in addon_kinds().values()}


def _project_prefix(setup: Setup) -> str | None:
    """The project name every app and add-on name starts with (``webapp`` for ``webapp-api``,
    ``webapp-db``): Clever has no project object, and that prefix is how a project is named (and
    how hopper's writer names what it creates). None unless every literal name agrees."""
    prefixes: set[str] = set()
    for key, name in [(a.key, a.name) for a in setup.apps] + [(a.key, a.name) for a in setup.addons]:
        if name is None:
            continue
        if not name.endswith(f"-{key}") or len(name) <= len(key) + 1:
            return None
        prefixes.add(name[:-len(key) - 1])
    return prefixes.pop() if len(prefixes) == 1 else None


def to_model(setup: Setup, files: SourceFiles, diags: Diagnostics) -> Architecture:
    return ModelBuilder(setup, files, diags).build()


def project_name(path: Path) -> str:
    return path.resolve().name or "app"
