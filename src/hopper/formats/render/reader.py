"""render.yaml (a Render Blueprint) -> the model.

Services, static sites, crons, Key Value and Render Postgres are read back with their bindings:
``fromDatabase`` and ``fromService`` become :class:`~hopper.model.Binding` s, ``sync: false`` and
``generateValue`` become secret names, ``fromGroup`` brings in the group's plain values. A web
service hopper wrote to run nginx (``render/<name>/Dockerfile`` next to an ``nginx.conf``) is read
as the front it serves: static files plus routes.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from hopper import mappings
from hopper._yaml import LocationIndex, decode_bytes, load_yaml
from hopper.diagnostics import Diagnostic, HopperError, Location, fail, info, warning
from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.render import BLUEPRINT_NAMES
from hopper.formats.render.codes import (
    E_BLUEPRINT_SHAPE,
    E_NO_BLUEPRINT,
    I_DEPRECATED_KEY,
    W_UNKNOWN_KEY,
    W_UNKNOWN_PLAN,
    W_UNRESOLVED_REFERENCE,
)
from hopper.formats.render.names import RENDER_NAME, local_names
from hopper.formats.render.placement import db_plan_memory, plan_size
from hopper.formats.render.read_front import is_hopper_front, read_nginx_front, unreadable
from hopper.model import (
    Architecture,
    Binding,
    Build,
    Database,
    HealthCheck,
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
    Workspace,
    sorted_by_name,
)
from hopper.shared.nodeproject import NodeProject, read_node_project

DB_ATTRIBUTES = {"connectionString": "uri", "host": "host", "port": "port", "user": "user",
                 "password": "password", "database": "database"}
SECRET_PROPERTIES = frozenset({"connectionString", "password"})
INSTALL_WORDS = ("npm ci", "npm install", "pnpm install", "yarn install", "yarn", "bun install")
_Path = tuple[str | int, ...]
_Component = TypeVar("_Component", Service, Database)
# The first line hopper writes: the project's name, which a Blueprint has no key for.
_NAME_LINE = re.compile(r'# Render Blueprint for ("(?:[^"\\]|\\.)*"), written by hopper')


def read(path: Path, options: ReadOptions) -> ReadResult:
    file = path if path.is_file() else next(
        (path / n for n in BLUEPRINT_NAMES if (path / n).is_file()), None)
    if file is None:
        raise fail(E_NO_BLUEPRINT, f"no render.yaml in {path}", Location(file=str(path)),
                   hint="name the Blueprint file, or read another format with --from")
    root = file.parent
    if file.stat().st_size > options.limits.max_file_bytes:
        raise fail(E_BLUEPRINT_SHAPE, "render.yaml is over the size limit", Location(file=file.name))
    text = decode_bytes(file.read_bytes(), file.name)
    data, index = load_yaml(text, file.name, options.limits)
    if not isinstance(data, dict):
        raise fail(E_BLUEPRINT_SHAPE, "render.yaml is not a mapping of services, databases and "
                   "envVarGroups", index.nearest(()))
    named = _NAME_LINE.match(text)
    name = json.loads(named.group(1)) if named else (root.resolve().name or "app")
    renamed = local_names(data, name) if named else {}  # the project prefix hopper's writer added
    return _Reader(data, index, root, options, name, renamed).build()


class _Reader:
    def __init__(self, data: dict[str, Any], index: LocationIndex, root: Path,
                 options: ReadOptions, name: str, renamed: dict[str, str]) -> None:
        self.data, self.index, self.root, self.options, self.name = data, index, root, options, name
        self.renamed = renamed  # {model name: the Render name it had in the Blueprint}
        self.diags: list[Diagnostic] = []
        self.secrets: dict[str, tuple[set[str], bool]] = {}
        self.regions: list[tuple[str, Location | None]] = []

    def loc(self, *path: str | int) -> Location:
        return self.index.nearest(tuple(path))

    def _list(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise fail(E_BLUEPRINT_SHAPE, f"`{key}` must be a list", self.loc(key))
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise fail(E_BLUEPRINT_SHAPE, f"`{key}[{i}]` must be a mapping with a `name`",
                           self.loc(key, i))
        return value

    def build(self) -> ReadResult:
        for key in sorted(set(self.data) - {"services", "databases", "envVarGroups"}):
            self.diags.append(warning(W_UNKNOWN_KEY, f"render.yaml: `{key}` is not read",
                                      self.loc(key)))
        groups = {g["name"]: {str(v["key"]): str(v.get("value", "")) for v in g.get("envVars", [])
                              if isinstance(v, dict) and "key" in v and "value" in v}
                  for g in self._list("envVarGroups")}
        self.groups = groups
        raw_services = self._list("services")
        self.kinds = {s["name"]: _kind(s) for s in raw_services}
        databases = [self._database(i, d) for i, d in enumerate(self._list("databases"))]
        self.db_names = {d.name for d in databases}
        services: list[Service] = []
        schedules: list[Schedule] = []
        for i, raw in enumerate(raw_services):
            for old, new in (("env", "runtime"), ("autoDeploy", "autoDeployTrigger")):
                if old in raw:
                    self.diags.append(info(I_DEPRECATED_KEY, f"service '{raw['name']}': deprecated "
                                           f"`{old}` read as `{new}`", self.loc("services", i, old)))
            if raw.get("type") == "redis":
                self.diags.append(info(I_DEPRECATED_KEY, f"service '{raw['name']}': type `redis` "
                                       "read as `keyvalue`", self.loc("services", i, "type")))
            kind = self.kinds[raw["name"]]
            if kind == "cron":
                schedules.append(self._cron(i, raw))
            else:
                services.append(self._service(i, raw, kind))
        names = {s.name for s in services}
        schedules = [s if s.service is None or s.service in names else
                     Schedule(name=s.name, cron=s.cron, command=s.command, origin=s.origin)
                     for s in schedules]
        secrets = tuple(Secret(name=n, source="generated" if gen else "env",
                               used_by=tuple(sorted(users)))
                        for n, (users, gen) in sorted(self.secrets.items()))
        # The Render name each component had, for what reports name it on Render (HD903) and
        # for writing it back under that name.
        services = [self._named(s) for s in services]
        databases = [self._named(d) for d in databases]
        arch = Architecture(
            name=self.name, source_format="render",
            services=sorted_by_name(services), databases=sorted_by_name(databases),
            secrets=secrets, schedules=sorted_by_name(schedules),
            placement=self._placement(), origin=Location(file=self.index.file))
        return ReadResult(model=arch, diagnostics=tuple(self.diags))

    def _named(self, component: _Component) -> _Component:
        render = self.renamed.get(component.name)
        if render is None:
            return component
        return replace(component, extensions={**component.extensions, "render": {RENDER_NAME: render}})

    # ------------------------------------------------------------------ placement
    def _region(self, raw: dict[str, Any], path: _Path) -> None:
        code = raw.get("region", "oregon")
        if isinstance(code, str):
            self.regions.append((code, self.index.get((*path, "region"))))

    def _placement(self) -> Placement:
        if not self.regions:
            return Placement()
        table = mappings.regions("render")
        codes = sorted({c for c, _ in self.regions})
        first = next(c for c, _ in self.regions)
        out = []
        for code in [first, *[c for c in codes if c != first]]:
            where = next(loc for c, loc in self.regions if c == code)
            known = table.get(code)
            if known is None:
                self.diags.append(warning(W_UNKNOWN_PLAN, f"'{code}' is not a Render region", where))
            out.append(Region(code=code, platform="render", city=known.city if known else None,
                              country=known.country if known else None, origin=where))
        return Placement(primary=out[0], others=tuple(out[1:]))

    # ------------------------------------------------------------------ databases
    def _database(self, i: int, raw: dict[str, Any]) -> Database:
        path: _Path = ("databases", i)
        self._region(raw, path)
        plan = raw.get("plan")
        memory = db_plan_memory(plan) if isinstance(plan, str) else None
        if isinstance(plan, str) and memory is None and plan != "free":
            self.diags.append(warning(W_UNKNOWN_PLAN, f"database '{raw['name']}': unknown plan "
                                      f"'{plan}'", self.loc(*path, "plan")))
        ha = raw.get("highAvailability")
        replicas = raw.get("readReplicas")
        return Database(
            name=raw["name"], version=_str(raw.get("postgresMajorVersion")),
            database_name=_str(raw.get("databaseName")), user=_str(raw.get("user")),
            plan=_str(plan), memory_mb=memory, disk_gb=_int(raw.get("diskSizeGB")),
            high_availability=True if isinstance(ha, dict) and ha.get("enabled") is True else None,
            replicas=len(replicas) if isinstance(replicas, list) and replicas else None,
            origin=self.loc(*path))

    # ------------------------------------------------------------------ services
    def _service(self, i: int, raw: dict[str, Any], kind: str) -> Service:
        path: _Path = ("services", i)
        name = raw["name"]
        origin = self.loc(*path)
        if kind == "keyvalue":
            self._region(raw, path)
            return Service(name=name, image="redis", runtime=Runtime(port=6379), origin=origin)
        env, secret_env, bindings = self._env(name, raw, path)
        if kind == "static":
            return self._static(raw, path, env, secret_env, origin)
        self._region(raw, path)
        scaling = self._scaling(raw, path)
        port = _int(env.get("PORT"))
        hc = raw.get("healthCheckPath")
        health = HealthCheck(path=hc, port=port, origin=self.loc(*path, "healthCheckPath")) \
            if isinstance(hc, str) else None
        build, command, image = self._build(raw, path)
        runtime = Runtime(command=command, port=port, env=env, secret_env=secret_env,
                          health_check=health, release_command=_str(raw.get("preDeployCommand")),
                          origin=origin)
        disk = raw.get("disk")
        volumes = (Volume(name=str(disk.get("name", "data")), target=str(disk.get("mountPath", "/data")),
                          size_gb=_int(disk.get("sizeGB")), origin=self.loc(*path, "disk")),) \
            if isinstance(disk, dict) else ()
        front = read_nginx_front(self.root, raw, name, self.diags) if kind == "web" else None
        role = Role.WORKER if kind == "worker" else Role.API
        svc_routes: tuple[Route, ...] = ()
        site = None
        extensions: dict[str, Any] = {}
        if front is not None:
            role, site, svc_routes, build = Role.FRONT, front.site, front.routes, front.build
            if front.nginx_extra:
                extensions["nginx"] = front.nginx_extra
            runtime = Runtime(port=port, env={k: v for k, v in env.items()}, secret_env=secret_env,
                              health_check=health, origin=origin)
        depends = sorted({b.resource for b in bindings} | {r.target_service for r in svc_routes})
        domains = tuple(str(d) for d in raw.get("domains", []) if isinstance(d, str))
        return Service(name=name, role=role, image=image, build=build, runtime=runtime,
                       static_site=site, routes=svc_routes, scaling=scaling, volumes=volumes,
                       depends_on=tuple(depends), bindings=tuple(sorted(bindings, key=lambda b: b.variable)),
                       public=kind == "web", domains=domains, extensions=extensions,
                       origin=origin)

    def _static(self, raw: dict[str, Any], path: _Path, env: dict[str, str],
                secret_env: tuple[str, ...], origin: Location) -> Service:
        name = raw["name"]
        routes: list[Route] = []
        spa = False
        for j, r in enumerate(raw.get("routes", []) or []):
            if not isinstance(r, dict) or r.get("type") != "rewrite":
                self.diags.append(warning(W_UNKNOWN_KEY, f"static site '{name}': route {j} is not a "
                                          "rewrite and is not read", self.loc(*path, "routes", j)))
                continue
            source, dest = str(r.get("source", "")), str(r.get("destination", ""))
            if source == "/*" and dest.startswith("/"):
                spa = True
                continue
            target = _onrender_target(dest)
            if target is None or not source.endswith("*"):
                self.diags.append(warning(W_UNKNOWN_KEY, f"static site '{name}': rewrite {source} -> "
                                          f"{dest} does not reach a service of the Blueprint",
                                          self.loc(*path, "routes", j)))
                continue
            prefix = source[:-1]
            strip = dest.endswith(".onrender.com/*")
            routes.append(Route(path_prefix=prefix, target_service=target, strip_prefix=strip,
                                origin=self.loc(*path, "routes", j)))
        context, install, build_cmd, workspace = _split_static(str(raw.get("buildCommand", "")))
        publish = str(raw.get("staticPublishPath", ".")).removeprefix("./") or "."
        base = workspace or context
        output = publish[len(base) + 1:] if base != "." and publish.startswith(base + "/") else publish
        build = Build(context=workspace or context, runtime="node" if build_cmd else "static",
                      package_manager=_manager(install) if install else None,
                      install_command=install, build_command=build_cmd,
                      output_dir=None if output == publish and base != "." and publish == base else output,
                      workspace=Workspace(root=".", package=workspace, path=workspace) if workspace else None,
                      origin=self.loc(*path, "buildCommand"))
        site = StaticSite(spa_fallback=spa, origin=self.loc(*path, "routes"))
        domains = tuple(str(d) for d in raw.get("domains", []) if isinstance(d, str))
        return Service(name=name, role=Role.FRONT, build=build,
                       runtime=Runtime(env=env, secret_env=secret_env, origin=origin),
                       static_site=site, routes=tuple(sorted(routes, key=lambda r: r.path_prefix)),
                       depends_on=tuple(sorted({r.target_service for r in routes})), public=True,
                       domains=domains, origin=origin)

    def _build(self, raw: dict[str, Any], path: _Path) -> tuple[Build | None, tuple[str, ...], str | None]:
        runtime = raw.get("runtime", raw.get("env"))
        if runtime == "docker":
            cmd = tuple(shlex.split(raw["dockerCommand"])) if isinstance(raw.get("dockerCommand"), str) else ()
            return Build(context=_rel(raw.get("dockerContext", ".")),
                         dockerfile=_rel(raw.get("dockerfilePath", "./Dockerfile")),
                         origin=self.loc(*path, "dockerfilePath")), cmd, None
        if runtime == "image":
            image = raw.get("image", {})
            cmd = tuple(shlex.split(raw["dockerCommand"])) if isinstance(raw.get("dockerCommand"), str) else ()
            return None, cmd, str(image.get("url")) if isinstance(image, dict) else None
        build_cmd = str(raw.get("buildCommand", ""))
        start = str(raw.get("startCommand", "")) or None
        steps = [s.strip() for s in build_cmd.split(" && ") if s.strip()]
        install = steps[0] if steps and steps[0].startswith(INSTALL_WORDS) else None
        rest = steps[1:] if install else steps
        workspace = None
        if start and start.startswith("cd ") and " && " in start:
            first, start = start.split(" && ", 1)
            workspace = shlex.split(first)[1]
            rest = [s for s in rest if not s.startswith("cd ")]
        context = _rel(raw.get("rootDir", ".")) if raw.get("rootDir") else (workspace or ".")
        # What the Blueprint does not say (the package's name, its lockfile, the workspace's
        # manifests, the manager's version) is in the checkout, read as the other readers do.
        project = self._node_project(context, str(raw.get("name", context)))
        ws = None
        if workspace:
            ws = project.workspace if project is not None and project.workspace is not None \
                and project.workspace.path == workspace else Workspace(root=".", package=workspace, path=workspace)
        return Build(context=context, runtime=str(runtime) if runtime else None,
                     package_manager=_manager(install) if install else None,
                     install_command=install, build_command=" && ".join(rest) or None,
                     start_command=start, workspace=ws,
                     node_install=project.install if project is not None else None,
                     origin=self.loc(*path, "buildCommand")), (), None

    def _node_project(self, folder: str, service: str) -> NodeProject | None:
        if not (self.root / folder / "package.json").is_file():
            return None
        try:
            return read_node_project(self.root / folder, self.root, self.options.limits)
        except HopperError as exc:
            # The Blueprint's commands stay as they are; the user hears which file broke.
            self.diags.append(unreadable(service, exc))
            return None

    def _scaling(self, raw: dict[str, Any], path: _Path) -> Scaling:
        plan = raw.get("plan", "starter")
        size = plan_size(plan) if isinstance(plan, str) else None
        if size is None:
            self.diags.append(warning(W_UNKNOWN_PLAN, f"service '{raw['name']}': unknown plan '{plan}'",
                                      self.loc(*path, "plan")))
        auto = raw.get("scaling")
        low = high = _int(raw.get("numInstances"))
        if isinstance(auto, dict):
            low, high = _int(auto.get("minInstances")), _int(auto.get("maxInstances"))
        return Scaling(min_instances=low, max_instances=high,
                       cpus=size[0] if size else None, memory_mb=size[1] if size else None,
                       origin=self.loc(*path, "plan"))

    def _cron(self, i: int, raw: dict[str, Any]) -> Schedule:
        path: _Path = ("services", i)
        self._region(raw, path)
        name = raw["name"]
        command = str(raw.get("dockerCommand") or raw.get("startCommand") or "")
        owner = name.split("-cron-", 1)[0] if "-cron-" in name else None
        return Schedule(name=name, cron=str(raw.get("schedule", "")), command=command,
                        service=owner, origin=self.loc(*path))

    # ------------------------------------------------------------------ env
    def _env(self, svc: str, raw: dict[str, Any], path: _Path
             ) -> tuple[dict[str, str], tuple[str, ...], list[Binding]]:
        env: dict[str, str] = {}
        secrets: set[str] = set()
        bindings: list[Binding] = []
        entries = raw.get("envVars", []) or []
        if not isinstance(entries, list):
            raise fail(E_BLUEPRINT_SHAPE, f"service '{svc}': `envVars` must be a list",
                       self.loc(*path, "envVars"))
        for j, e in enumerate(entries):
            where = self.loc(*path, "envVars", j)
            if not isinstance(e, dict):
                raise fail(E_BLUEPRINT_SHAPE, f"service '{svc}': envVars[{j}] must be a mapping", where)
            if "fromGroup" in e:
                group = self.groups.get(str(e["fromGroup"]))
                if group is None:
                    self.diags.append(warning(W_UNRESOLVED_REFERENCE, f"service '{svc}': group "
                                              f"'{e['fromGroup']}' is not in the Blueprint", where))
                else:
                    for k, v in group.items():
                        env.setdefault(k, v)
                continue
            key = e.get("key")
            if not isinstance(key, str):
                raise fail(E_BLUEPRINT_SHAPE, f"service '{svc}': envVars[{j}] has no `key`", where)
            if "value" in e:
                env[key] = str(e["value"])
            elif e.get("generateValue") is True or e.get("sync") is False:
                secrets.add(key)
                users, gen = self.secrets.get(key, (set(), False))
                users.add(svc)
                self.secrets[key] = (users, gen or e.get("generateValue") is True)
            elif isinstance(e.get("fromDatabase"), dict):
                ref = e["fromDatabase"]
                prop = str(ref.get("property", ""))
                if ref.get("name") not in self.db_names or prop not in DB_ATTRIBUTES:
                    self.diags.append(warning(W_UNRESOLVED_REFERENCE, f"service '{svc}': {key} names "
                                              f"database '{ref.get('name')}' {prop}, which is not in "
                                              "the Blueprint", where))
                    continue
                bindings.append(Binding(variable=key, resource=str(ref["name"]),
                                        attribute=DB_ATTRIBUTES[prop],
                                        secret=prop in SECRET_PROPERTIES, origin=where))
            elif isinstance(e.get("fromService"), dict):
                ref = e["fromService"]
                target, prop = str(ref.get("name", "")), str(ref.get("property", ""))
                if prop == "hostport" and is_hopper_front(raw) and target in self.kinds:
                    continue  # the upstream of hopper's nginx front: read with its nginx.conf
                kind = self.kinds.get(target)
                attribute = {"connectionString": "uri", "host": "host", "port": "port"}.get(prop)
                if kind is None or attribute is None:
                    self.diags.append(warning(W_UNRESOLVED_REFERENCE, f"service '{svc}': {key} names "
                                              f"service '{target}' {prop or ref.get('envVarKey')}, "
                                              "which hopper cannot bind", where))
                    continue
                bindings.append(Binding(variable=key, resource=target, attribute=attribute,
                                        secret=prop == "connectionString", origin=where))
            else:
                self.diags.append(warning(W_UNKNOWN_KEY, f"service '{svc}': {key} has no value, "
                                          "reference or sync: false", where))
        return env, tuple(sorted(secrets)), bindings


def _kind(raw: dict[str, Any]) -> str:
    t = raw.get("type")
    runtime = raw.get("runtime", raw.get("env"))
    if t in ("keyvalue", "redis"):
        return "keyvalue"
    if t == "web" and runtime == "static":
        return "static"
    return str(t) if t in ("web", "pserv", "worker", "cron") else "worker"


def _onrender_target(dest: str) -> str | None:
    if not dest.startswith("https://"):
        return None
    host = dest[len("https://"):].split("/", 1)[0]
    return host[: -len(".onrender.com")] if host.endswith(".onrender.com") else None


def _split_static(command: str) -> tuple[str, str | None, str | None, str | None]:
    """``cd front && npm ci && npm run build`` -> (context, install, build, workspace path)."""
    steps = [s.strip() for s in command.split(" && ") if s.strip()]
    if steps == ["true"]:
        return ".", None, None, None
    context, workspace = ".", None
    if steps and steps[0].startswith("cd "):
        context = shlex.split(steps.pop(0))[1]
    install = steps.pop(0) if steps and steps[0].startswith(INSTALL_WORDS) else None
    if steps and steps[0].startswith("cd "):
        workspace = shlex.split(steps.pop(0))[1]
    return context, install, " && ".join(steps) or None, workspace


def _manager(install: str) -> str:
    return install.split()[0]


def _rel(value: Any) -> str:
    text = str(value).removeprefix("./")
    return text or "."


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
