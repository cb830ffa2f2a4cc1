"""How each service of the model becomes a Render service: its type, runtime and commands.

A front with routes is either a Render static site whose rewrites reach the routed services as
public web services (``--option front=static``), or a web service running the emitted nginx that
proxies to private services over Render's private network (``front=nginx``, the default: the API
stays private, as in the source). A front without routes is always a static site.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass

from hopper.model import Architecture, Role, Service
from hopper.shared.nodebuild import workspace_of
from hopper.shared.packagemanager import install_command

KEYVALUE_IMAGES = ("redis", "valkey", "redis-stack-server", "keydb")
# Render sets PORT for web services, 10000 by default; the emitted nginx listens there.
NGINX_PORT = 10000


def image_name(image: str | None) -> str:
    """``docker.io/library/redis:7-alpine`` -> ``redis``."""
    if not image:
        return ""
    last = image.rsplit("/", 1)[-1]
    return last.split("@", 1)[0].split(":", 1)[0]


def is_keyvalue(svc: Service) -> bool:
    return svc.build is None and image_name(svc.image) in KEYVALUE_IMAGES


def has_front_routes(svc: Service) -> bool:
    return svc.static_site is not None and bool(svc.routes)


def is_static_site(svc: Service, front: str) -> bool:
    return svc.static_site is not None and svc.role is Role.FRONT and (
        not svc.routes or front == "static") and svc.build is not None


def service_types(arch: Architecture, front: str) -> dict[str, str]:
    """Service name -> ``static``, ``web``, ``pserv``, ``worker`` or ``keyvalue``."""
    static_targets = {r.target_service for s in arch.services if is_static_site(s, front)
                      for r in s.routes}
    out: dict[str, str] = {}
    for svc in arch.services:
        if is_keyvalue(svc):
            out[svc.name] = "keyvalue"
        elif is_static_site(svc, front):
            out[svc.name] = "static"
        elif svc.public or svc.name in static_targets or has_front_routes(svc):
            out[svc.name] = "web"
        elif svc.role is Role.WORKER or svc.runtime.port is None:
            out[svc.name] = "worker"
        else:
            out[svc.name] = "pserv"
    return out


@dataclass(frozen=True, slots=True)
class Commands:
    runtime: str  # "node" or "docker" or "image"
    root_dir: str | None = None
    build: str | None = None
    start: str | None = None
    dockerfile: str | None = None
    context: str | None = None
    docker_command: str | None = None
    image: str | None = None
    build_filter: tuple[str, ...] = ()


def _norm(path: str | None) -> str:
    clean = posixpath.normpath(path or ".")
    return "." if clean in ("", ".") else clean.removeprefix("./")


def _dot(path: str) -> str:
    return "./" if path == "." else f"./{path}"


def commands(svc: Service) -> Commands | None:
    """The runtime and commands of a non-static service; None when Render cannot build or pull it."""
    b = svc.build
    if b is not None and b.dockerfile:
        cmd = shlex.join(svc.runtime.command) if svc.runtime.command else None
        return Commands(runtime="docker", dockerfile=_dot(_norm(b.dockerfile)),
                        context=_dot(_norm(b.context)), docker_command=cmd)
    if b is not None and (b.runtime == "node" or b.package_manager):
        pm = b.package_manager or "npm"
        install = b.install_command or install_command(pm, b.node_install)
        steps = [install] + ([b.build_command] if b.build_command else [])
        start = b.start_command or (shlex.join(svc.runtime.command) if svc.runtime.command else None) \
            or ("npm start" if pm == "npm" else f"{pm} start")
        context = _norm(b.context)
        if b.workspace is not None:
            # A workspace package installs at the repository root; Render starts it from there.
            path = _norm(b.workspace.path)
            build = " && ".join(steps[:1] + [f"cd {shlex.quote(path)} && {s}" for s in steps[1:]])
            return Commands(runtime="node", build=build,
                            start=f"cd {shlex.quote(path)} && {start}" if path != "." else start,
                            build_filter=workspace_filter(path))
        return Commands(runtime="node", root_dir=None if context == "." else context,
                        build=" && ".join(steps), start=start)
    if b is None and svc.image:
        cmd = shlex.join(svc.runtime.command) if svc.runtime.command else None
        return Commands(runtime="image", image=svc.image, docker_command=cmd)
    return None


def workspace_filter(path: str) -> tuple[str, ...]:
    """Paths whose changes rebuild a workspace package: its folder and the root manifests.
    Changes to other workspace packages it depends on do not (the runbook says to add them)."""
    return (f"{path}/**", "package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml",
            "package-lock.json", "yarn.lock", "turbo.json")


@dataclass(frozen=True, slots=True)
class StaticBuild:
    build: str
    publish: str
    build_filter: tuple[str, ...] = ()


def static_build(svc: Service) -> StaticBuild:
    """A static site's build command and publish path (relative to the repository root: hopper
    does not set rootDir on static sites, as the spec does not say how it moves the publish path)."""
    b = svc.build
    assert b is not None
    context = _norm(b.context)
    out = _norm(b.output_dir) if b.output_dir else None
    if out is None:
        publish = context
    elif context != "." and (out == context or out.startswith(context + "/")):
        publish = out
    else:
        publish = _norm(posixpath.join(context, out))
    steps: list[str] = []
    if b.build_command:
        pm = b.package_manager or "npm"
        install = b.install_command or install_command(pm, b.node_install)
        ws = workspace_of(b)
        if ws is not None:
            path = _norm(ws.path)
            steps = [install, f"cd {shlex.quote(path)}", b.build_command]
            return StaticBuild(" && ".join(steps), _dot(publish), workspace_filter(path))
        steps = ([f"cd {shlex.quote(context)}"] if context != "." else []) + [install, b.build_command]
    build = " && ".join(steps) if steps else "true"
    return StaticBuild(build, _dot(publish), (f"{context}/**",) if context != "." else ())
