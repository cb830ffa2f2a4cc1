"""The compose writer: a model in, a compose project that runs the architecture locally out.

Files written (see docs/compose-output.md):

* ``compose.yaml``: one service per model service, a ``postgres`` container per database, a
  ``minio`` container per object store (plus a one-shot job creating its buckets), named volumes,
  healthchecks, ``depends_on`` with conditions, published ports for public services;
* ``nginx/<front>.conf``: for each nginx front, a whole nginx.conf built by
  :mod:`hopper.shared.nginx.build` whose upstreams are compose service names (``http://api:3000``),
  mounted over the image's ``/etc/nginx/nginx.conf``;
* ``.env.example``: every variable compose.yaml reads from ``.env``, with no values.

The writer is pure and deterministic: services sorted by name, keys in a fixed order, no
timestamps. Whatever compose cannot express becomes a HOP7xx diagnostic naming the component.

This module assembles each compose service; its parts are :mod:`.write_build` (how the image is
built), :mod:`.write_runtime` (what the container gets: env, ports, volumes, healthcheck,
limits, depends_on), :mod:`.write_backing` (database and object-store containers),
:mod:`.write_context` (the state of one write and the HOP7xx codes) and :mod:`.write_yaml`.
"""

from __future__ import annotations

import re
from typing import Any

from hopper.diagnostics import Location, fail
from hopper.formats.base import WriteOptions, WriteResult
from hopper.formats.compose import write_backing as backing
from hopper.formats.compose import write_build, write_runtime
from hopper.formats.compose.write_context import (
    E_NAME,
    I_NAME,
    I_PLACEMENT,
    I_RELEASE,
    W_EDGE,
    W_EXTENSION,
    W_NOT_RUNNABLE,
    W_PIPELINE,
    W_ROUTES,
    W_SCHEDULES,
    W_SECRET,
    WriteContext,
    check_service_name,
    literal,
)
from hopper.model import ARCHITECTURE_NOTES, Architecture, Role, Service
from hopper.secrets import exec_argv, secret_refs

NGINX_IMAGE = write_build.NGINX_IMAGE
_NGINX_IMAGES = ("nginx", "nginxinc/nginx-unprivileged", "bitnami/nginx", "openresty/openresty")


def write(arch: Architecture, options: WriteOptions) -> WriteResult:
    ctx = WriteContext(arch=arch, options=options)
    project = _project_name(ctx)
    _global_losses(ctx)

    services: dict[str, dict[str, Any]] = {}
    for svc in sorted(arch.services, key=lambda s: s.name):
        check_service_name(svc.name, svc.origin)
        ctx.taken.add(svc.name)
    # Another platform's data about a backing service (a Fly cluster's kind and name...) has no
    # place in a compose file.
    backing_data: list[tuple[str, str, Any, Location | None]] = [
        *(("database", d.name, d.extensions, d.origin) for d in arch.databases),
        *(("object store", o.name, o.extensions, o.origin) for o in arch.object_stores)]
    for kind, name, extensions, origin in backing_data:
        for fmt in sorted(f for f in extensions if f != "compose"):
            ctx.diagnostics.warning(W_EXTENSION, f"{kind} '{name}': {fmt}-specific data "
                                    "(extensions) is dropped", origin)
    for db in sorted(arch.databases, key=lambda d: d.name):
        _claim(ctx, db.name, db.origin)
        entry = backing.postgres_service(ctx, db)
        if entry is not None:
            services[db.name] = entry
    for store in sorted(arch.object_stores, key=lambda o: o.name):
        _claim(ctx, store.name, store.origin)
        for name, entry in backing.minio_services(ctx, store).items():
            if name != store.name:
                _claim(ctx, name, store.origin)
            services[name] = entry
    for svc in sorted(arch.services, key=lambda s: s.name):
        entry = _service(ctx, svc)
        if entry is not None:
            services[svc.name] = entry
    # depends_on needs to know which targets exist and which have healthchecks: do it last.
    for svc in arch.services:
        if svc.name in services:
            deps = write_runtime.depends_on(ctx, svc, services)
            if deps:
                services[svc.name] = _insert_after(services[svc.name], "depends_on", deps)
    _unused_secrets(ctx)

    document: dict[str, Any] = {"name": project, "services": dict(sorted(services.items()))}
    if ctx.volumes:
        document["volumes"] = dict(sorted(ctx.volumes.items()))
    if ctx.secrets:
        document["secrets"] = dict(sorted(ctx.secrets.items()))
    top_hints = _top_hints(arch)
    if top_hints:
        document["x-hopper"] = top_hints
    document.update(_extensions(ctx, arch.extensions, "the architecture", arch.origin))

    from hopper.formats.compose.write_yaml import dump  # noqa: PLC0415

    files = dict(ctx.files)
    files["compose.yaml"] = dump(document)
    files[".env.example"] = _env_example(ctx)
    return WriteResult(files=dict(sorted(files.items())),
                       diagnostics=tuple(sorted(ctx.diagnostics, key=lambda d: d.sort_key())))


# ---------------------------------------------------------------------------- names, losses

def _project_name(ctx: WriteContext) -> str:
    raw = ctx.arch.name
    name = re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_") or "app"
    if not name[0].isalnum():
        name = f"app-{name}"
    if name != raw:
        ctx.diagnostics.info(I_NAME, f"project name '{raw}' written as '{name}' "
                             "(compose project names are lower case)", ctx.arch.origin)
    return name


def _claim(ctx: WriteContext, name: str, where: Location | None) -> None:
    check_service_name(name, where)
    if name in ctx.taken:
        raise fail(E_NAME, f"two components would both be the compose service '{name}'", where,
                   hint="rename one of them")
    ctx.taken.add(name)


def _global_losses(ctx: WriteContext) -> None:
    arch = ctx.arch
    placement = arch.placement
    regions = ([placement.primary] if placement.primary else []) + list(placement.others)
    if regions:
        codes = ", ".join(f"{r.platform}:{r.code}" for r in regions)
        ctx.diagnostics.info(I_PLACEMENT, f"regions {codes} are kept under x-hopper; compose runs "
                             "everything on one machine", regions[0].origin)
    if arch.pipeline.workflows:
        names = ", ".join(w.name for w in arch.pipeline.workflows)
        ctx.diagnostics.warning(W_PIPELINE, f"deploy workflows ({names}) are not written: a local "
                                "compose project has no deploy pipeline",
                                arch.pipeline.workflows[0].origin)
    if arch.schedules:
        listed = ", ".join(f"'{s.cron} {s.command}'" for s in arch.schedules)
        ctx.diagnostics.warning(W_SCHEDULES, f"{len(arch.schedules)} schedule(s) are not written: compose "
                                f"has no scheduler ({listed})", arch.schedules[0].origin,
                                hint="run them from the host's cron with `docker compose exec`")


def _top_hints(arch: Architecture) -> dict[str, Any]:
    """Regions, for the next conversion: the compose reader resolves them back to places."""
    placement = arch.placement
    hints: dict[str, Any] = {}
    if placement.primary is not None:
        hints["region"] = literal(placement.primary.code)
    if placement.others:
        hints["regions"] = [literal(r.code) for r in placement.others]
    return hints


def _service_hints(svc: Service) -> dict[str, Any]:
    """What compose cannot express but the next conversion needs, as ``x-hopper`` hints that
    the compose reader reads back (docs/x-hopper.md)."""
    hints: dict[str, Any] = {}
    if svc.role is not Role.GENERIC:
        hints["role"] = svc.role.value
    hc = svc.runtime.health_check
    if hc is not None and hc.path is not None:
        hints["health_path"] = literal(hc.path)
    scaling = svc.scaling
    if scaling.autostop is not None:
        hints["autostop"] = scaling.autostop.value
    for key in ("autostart", "min_running", "min_instances", "max_instances"):
        value = getattr(scaling, key)
        if value is not None:
            hints[key] = value
    if svc.domains:
        hints["domains"] = [literal(d) for d in svc.domains]
    if svc.runtime.release_command:
        hints["release_command"] = literal(svc.runtime.release_command)
    return hints


def _extensions(ctx: WriteContext, extensions: Any, owner: str,
                where: Location | None) -> dict[str, Any]:
    """``x-*`` keys kept under ``extensions["compose"]`` come back; other formats' data is dropped."""
    out: dict[str, Any] = {}
    for fmt in sorted(extensions):
        data = extensions[fmt]
        if fmt == "compose" and isinstance(data, dict):
            kept = {k: v for k, v in sorted(data.items())
                    if str(k).startswith("x-") and k != "x-hopper"}
            out.update(kept)
            dropped = sorted(str(k) for k in data if not str(k).startswith("x-") and k != "x-hopper")
            if dropped:
                ctx.diagnostics.warning(W_EXTENSION, f"{owner}: compose data {', '.join(dropped)} "
                                        "is not written back", where)
        elif fmt == "nginx" or fmt in ARCHITECTURE_NOTES:
            continue  # the front's own nginx directives: written into its nginx.conf; notes
        else:
            ctx.diagnostics.warning(W_EXTENSION, f"{owner}: {fmt}-specific data is dropped", where)
    return out


# ---------------------------------------------------------------------------- services

def _is_nginx_image(image: str | None) -> bool:
    if not image:
        return False
    repo = image.split("@")[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: len(repo) - len(last)] + last.split(":")[0]
    repo = repo.removeprefix("docker.io/").removeprefix("library/")
    return repo in _NGINX_IMAGES


def is_nginx_front(svc: Service) -> bool:
    """Whether hopper writes this service's nginx.conf: it serves a site or proxies routes and
    runs nginx (or runs nothing yet, so hopper supplies the nginx image)."""
    if svc.static_site is None and not svc.routes:
        return False
    if _is_nginx_image(svc.image):
        return True
    if svc.image is not None:
        return False  # another web server (caddy, apache...): its configuration is its own
    build = svc.build
    if build is not None and build.runtime in ("nginx", "static"):
        return True
    # A front built from a Dockerfile whose build stage is Node (npm run build, then nginx).
    return svc.role is Role.FRONT


def _service(ctx: WriteContext, svc: Service) -> dict[str, Any] | None:
    front = is_nginx_front(svc)
    out: dict[str, Any] = {}
    build = svc.build
    static_bind: dict[str, Any] | None = None
    # An image-only service may carry a Build that only describes the runtime (read from the
    # image name); it has nothing to build from.
    buildable = build is not None and (
        write_build.has_dockerfile(build) or build.context is not None or svc.image is None)
    if build is not None and buildable and (write_build.has_dockerfile(build) or not front
                                            or write_build.builds_front(svc, build)):
        out["build"] = write_build.build_spec(ctx, svc, build)
    elif build is not None and front:
        static_bind = write_build.static_bind(ctx, svc, build)
    if svc.image is not None:
        out["image"] = literal(svc.image)
    elif front and "build" not in out:
        out["image"] = NGINX_IMAGE
    if "build" not in out and "image" not in out:
        ctx.diagnostics.warning(W_NOT_RUNNABLE, f"service '{svc.name}' has neither an image nor "
                                "a build; it is not written", svc.origin)
        return None
    runtime = svc.runtime
    entrypoint, command = runtime.entrypoint, runtime.command
    if secret_refs((*entrypoint, *command)):
        # A secret the command reads by name: compose runs `command:` without a shell, so it
        # goes through `sh -c`; literal() then doubles the `$`, so that compose's own
        # interpolation leaves "$NAME" for the container's shell instead of filling it from the host.
        if entrypoint:
            entrypoint, command = exec_argv((*entrypoint, *command)), ()
        else:
            command = exec_argv(command)
    if entrypoint:
        out["entrypoint"] = [literal(a) for a in entrypoint]
    if command:
        out["command"] = [literal(a) for a in command]
    if runtime.user is not None:
        out["user"] = literal(runtime.user)
    env = write_runtime.environment(ctx, svc)
    if env:
        out["environment"] = env
    port = runtime.port or (80 if front else None)
    if port is not None:
        if svc.public:
            out["ports"] = [f"{write_runtime.host_port(ctx, port)}:{port}"]
        else:
            out["expose"] = [str(port)]
    volumes = write_runtime.volumes(ctx, svc, front, static_bind)
    if volumes:
        out["volumes"] = volumes
    health = write_runtime.healthcheck(ctx, svc)
    if health is not None:
        out["healthcheck"] = health
        ctx.healthy.add(svc.name)
    limits = write_runtime.limits(ctx, svc)
    if limits:
        out["deploy"] = {"resources": {"limits": limits}}
    if svc.role is Role.WORKER or svc.runtime.port is not None or svc.public or front:
        out["restart"] = "unless-stopped"
    hints = _service_hints(svc)
    if hints:
        out["x-hopper"] = hints
    out.update(_extensions(ctx, svc.extensions, f"service '{svc.name}'", svc.origin))
    _service_losses(ctx, svc, front)
    return out


def _service_losses(ctx: WriteContext, svc: Service, front: bool) -> None:
    if svc.runtime.release_command:
        ctx.diagnostics.info(
            I_RELEASE, f"service '{svc.name}': the release command is kept under x-hopper; compose "
            f"does not run it: run it once with `docker compose run --rm {svc.name} <command>`",
            svc.runtime.origin or svc.origin)
    if svc.force_https:
        ctx.diagnostics.warning(W_EDGE, f"service '{svc.name}': HTTPS redirection is not expressed "
                                "(compose publishes plain HTTP on localhost)", svc.origin)
    if svc.routes and not front:
        ctx.diagnostics.warning(
            W_ROUTES, f"service '{svc.name}' has routes but does not run nginx; hopper does not "
            "write its proxy configuration", svc.routes[0].origin or svc.origin)


def _insert_after(entry: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Place ``depends_on`` right after the image/build lines, where readers look for it."""
    out: dict[str, Any] = {}
    placed = False
    for k, v in entry.items():
        if not placed and k not in ("build", "image"):
            out[key] = value
            placed = True
        out[k] = v
    if not placed:
        out[key] = value
    return out


def _unused_secrets(ctx: WriteContext) -> None:
    for secret in sorted(ctx.arch.secrets, key=lambda s: s.name):
        if secret.name not in ctx.variables:
            ctx.diagnostics.warning(W_SECRET, f"secret '{secret.name}' is not used by any written "
                                    "service; it is not in .env.example", secret.origin)


def _env_example(ctx: WriteContext) -> str:
    lines = [
        "# Variables compose.yaml reads from .env. Copy this file to .env and fill in the values;",
        "# hopper never writes secret values.",
    ]
    for name in sorted(ctx.variables):
        lines.append("")
        lines.append(f"# used by {', '.join(sorted(ctx.variables[name]))}")
        lines.append(f"{name}=")
    return "\n".join(lines) + "\n"

