"""A Render web service that runs hopper's nginx front, read back as the front it serves.

The writer puts the front's Dockerfile and nginx.conf (``nginx.conf.template`` when it proxies)
under ``render/<name>/``; the reader finds the service by that ``dockerfilePath`` and reads the
configuration with the shared nginx parser (static root, SPA fallback, gzip, cache rules, routes
to the private services: ``http://${API_HOSTPORT}`` is the service the front's ``API_HOSTPORT``
takes its ``hostport`` from) and the Dockerfile's build stage (Node version, install and build
commands, output folder).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, HopperError, warning
from hopper.formats.render.codes import W_CHECKOUT_FILE, W_FRONT_CONFIG
from hopper.model import Build, NodeInstall, Route, StaticSite, Workspace
from hopper.shared.dockerfile import Stage, read_dockerfile
from hopper.shared.nginx.cache import to_model_cache_rule
from hopper.shared.nginx.carry import carry
from hopper.shared.nginx.read import parse_nginx
from hopper.shared.nodeproject import read_node_project
from hopper.shared.packagemanager import LOCKFILE_NAMES

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class FrontRead:
    site: StaticSite | None
    routes: tuple[Route, ...]
    build: Build | None
    nginx_extra: dict[str, Any]


def read_nginx_front(root: Path, raw: dict[str, Any], name: str,
                     diags: list[Diagnostic]) -> FrontRead | None:
    front_folder = is_hopper_front(raw)
    if front_folder is None:
        return None
    folder = root / "render" / front_folder
    conf = next((c for c in (folder / "nginx.conf.template", folder / "nginx.conf") if c.is_file()), None)
    if conf is None:
        return None
    upstreams = upstream_variables(raw)
    try:
        config = parse_nginx(conf, root)
    except HopperError as exc:
        diags.append(warning(W_FRONT_CONFIG, f"service '{name}': {exc.diagnostic.message}",
                             exc.diagnostic.location))
        return None
    diags.extend(d for d in config.diagnostics)
    if not config.servers:
        return None
    server = config.servers[0]
    site = None
    if server.root:
        site = StaticSite(root=server.root, index=server.index[0] if server.index else "index.html",
                          spa_fallback=server.spa_fallback, gzip=server.gzip,
                          gzip_types=tuple(server.gzip_types),
                          cache_rules=tuple(to_model_cache_rule(r) for r in server.cache_rules),
                          origin=server.location)
    routes = []
    for proxy in server.proxies:
        target = proxy.effective_target()
        if target.host is None or proxy.modifier not in (None, "^~"):
            continue
        variable = _VARIABLE.fullmatch(target.host)
        host = upstreams.get(variable.group(1), target.host) if variable else target.host
        routes.append(Route(
            path_prefix=proxy.path, target_service=host, target_port=target.port,
            strip_prefix=proxy.strip_prefix, body_size_limit=proxy.client_max_body_size,
            request_buffering=proxy.request_buffering, response_buffering=proxy.response_buffering,
            connect_timeout_s=proxy.connect_timeout_s, read_timeout_s=proxy.read_timeout_s,
            send_timeout_s=proxy.send_timeout_s,
            forwarded_headers=tuple(h for h in proxy.set_headers if h.lower() not in ("upgrade", "connection")),
            websocket=proxy.websocket, origin=proxy.location))
    routed = {r.path_prefix: p for r, p in zip(routes, [p for p in server.proxies
                                                         if p.effective_target().host
                                                         and p.modifier in (None, "^~")],
                                               strict=True)}
    extra, notes = carry(name, config, server, routed=routed, regex_routes={},
                         cache_patterns={r.pattern for r in server.cache_rules})
    diags.extend(notes)
    return FrontRead(site=site, routes=tuple(sorted(routes, key=lambda r: r.path_prefix)),
                     build=_build(root, front_folder, name, diags), nginx_extra=extra)


def upstream_variables(raw: dict[str, Any]) -> dict[str, str]:
    """{variable: service} for the front's ``fromService … property: hostport`` entries."""
    out = {}
    for e in raw.get("envVars") or []:
        ref = e.get("fromService") if isinstance(e, dict) else None
        if isinstance(ref, dict) and ref.get("property") == "hostport" and isinstance(e.get("key"), str):
            out[str(e["key"])] = str(ref.get("name", ""))
    return out


def is_hopper_front(raw: dict[str, Any]) -> str | None:
    """The folder under ``render/`` of the front hopper wrote for this service, if it is one."""
    if raw.get("runtime") != "docker" or not isinstance(raw.get("dockerfilePath"), str):
        return None
    match = re.fullmatch(r"\./render/([a-z0-9][a-z0-9-]*)/Dockerfile", raw["dockerfilePath"])
    return match.group(1) if match else None


def _build(root: Path, name: str, service: str, diags: list[Diagnostic]) -> Build | None:
    """The front's build as the model has it: hopper writes its Dockerfile again from this (as
    the Fly reader does with its own), so the Dockerfile itself is not kept (``dockerfile`` is
    None), and another writer builds the project from its folder."""
    try:
        df = read_dockerfile(root / "render" / name / "Dockerfile", root)
    except HopperError as exc:
        diags.append(unreadable(service, exc))
        return None
    stage = df.stage("build")
    if stage is None:
        copy = df.final.copies[0] if df.final.copies else None
        src = copy.sources[0].rstrip("/") if copy else "."
        return Build(context=src or ".", runtime="static")
    node = re.match(r"node:(\d+(?:\.\d+)*)", stage.image)
    setup = [r for r in stage.runs if r.startswith(_SETUP_WORDS)]
    runs = [r for r in stage.runs if r not in setup]
    workspace = None
    if stage.workdir and stage.workdir != "/app":
        workspace = stage.workdir.removeprefix("/app/")
    if workspace is not None:
        install, command = (runs[0] if runs else None), (runs[1] if len(runs) > 1 else None)
        context = workspace
    else:
        install, _, command = (runs[0] if runs else "").partition(" && ")
        context = next((c.sources[0].rstrip("/") or "." for c in stage.copies if c.sources), ".")
    final_copy = next((c for c in df.final.copies if c.from_stage == "build"), None)
    dist = final_copy.sources[0].rstrip("/") if final_copy else "/app"
    in_image = posixpath.relpath(dist, "/app")
    output = in_image if workspace is None else posixpath.relpath(in_image, workspace)
    pm = shlex.split(install)[0] if install else "npm"
    return Build(context=context, runtime="node",
                 runtime_version=node.group(1) if node else None, package_manager=pm,
                 install_command=install or None, build_command=command or None,
                 output_dir=output if output != "." else None,
                 workspace=_workspace(root, workspace, install or "", service, diags) if workspace else None,
                 node_install=_node_install(stage, pm, setup) if workspace else None)


def unreadable(service: str, exc: HopperError) -> Diagnostic:
    """A checkout file the service builds from that cannot be read: said, with where it broke,
    and the service read from render.yaml alone (a checkout may be mid-edit; nothing is refused)."""
    return warning(W_CHECKOUT_FILE, f"service '{service}': {exc.diagnostic.message}; read from "
                   "render.yaml alone", exc.diagnostic.location, hint="fix the file, or ignore this "
                   "if render.yaml's commands are what Render runs")


# The steps before the install that make the package manager available (packagemanager.setup).
_SETUP_WORDS = ("corepack ", "npm install -g ")


def _workspace(root: Path, path: str, install: str, service: str, diags: list[Diagnostic]) -> Workspace:
    """The monorepo package the front builds: its name from the install's filter (pnpm, npm),
    else from its package.json in the checkout, else its folder's name."""
    words = shlex.split(install)
    package = None
    for flag in ("--filter", "--workspace"):
        if flag in words[:-1]:
            package = words[words.index(flag) + 1].removesuffix("...")
    project = None
    if (root / path / "package.json").is_file():
        try:
            project = read_node_project(root / path, root)
        except HopperError as exc:
            diags.append(unreadable(service, exc))
    if project is not None and project.workspace is not None:
        return replace(project.workspace, package=package or project.workspace.package)
    return Workspace(root=".", package=package or posixpath.basename(path), path=path)


def _node_install(stage: Stage, manager: str, setup: list[str]) -> NodeInstall | None:
    """What the install reads, from the files the stage copies before it (the writer copies the
    lockfile, the manager's files and every workspace package's package.json), and the manager's
    version from the setup step (``corepack install -g pnpm@9.15.0``)."""
    inputs = [src for c in stage.copies if c.from_stage is None for src in c.sources
              if src not in (".", "./", "package.json")]
    if not inputs:
        return None
    lockfiles = {n for names in LOCKFILE_NAMES.values() for n in names}
    version = major = None
    for step in setup:
        match = re.search(rf"{re.escape(manager)}@(\d+)((?:\.\d+)*\S*)", step)
        if match:
            version = match.group(1) + match.group(2) if match.group(2) else None
            major = int(match.group(1))
    return NodeInstall(
        version=version, major=major,
        lockfile=next((p for p in inputs if posixpath.basename(p) in lockfiles), None),
        files=tuple(p for p in inputs if posixpath.basename(p) not in lockfiles
                    and not p.endswith("/package.json")),
        manifests=tuple(p for p in inputs if p.endswith("/package.json")))
