"""The compose writer: a model in, a compose project that runs the architecture locally out.

Files written (see docs/compose-output.md):

* ``compose.yaml``: one service per model service, a ``postgres`` container per database, a
  ``minio`` container per object store (plus a one-shot job creating its buckets), named volumes,
  healthchecks, ``depends_on`` with conditions, published ports for public services;
* ``nginx/<front>.conf``: for each nginx front, a whole nginx.conf built by
  :mod:`hopper.nginx_build` whose upstreams are compose service names (``http://api:3000``),
  mounted over the image's ``/etc/nginx/nginx.conf``;
* ``.env.example``: every variable compose.yaml reads from ``.env``, with no values.

The writer is pure and deterministic: services sorted by name, keys in a fixed order, no
timestamps. Whatever compose cannot express becomes a HOP7xx diagnostic naming the component.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from hopper.diagnostics import Location, fail
from hopper.formats.base import WriteOptions, WriteResult
from hopper.formats.compose import write_backing as backing
from hopper.formats.compose.write_context import (
    E_NAME,
    E_VALUE,
    I_BUILD_SECRET,
    I_NAME,
    I_PLACEMENT,
    I_RELEASE,
    I_SCALING,
    I_STATIC,
    W_BUILD,
    W_CPU_KIND,
    W_EDGE,
    W_EXTENSION,
    W_HEALTH,
    W_NOT_RUNNABLE,
    W_PIPELINE,
    W_ROUTES,
    W_SCHEDULES,
    W_SECRET,
    W_VOLUME,
    WriteContext,
    check_env_key,
    check_service_name,
    check_volume_name,
    literal,
)
from hopper.model import (
    ARCHITECTURE_NOTES,
    Architecture,
    Build,
    HealthCheck,
    Role,
    Service,
    VolumeKind,
)
from hopper.secrets import exec_argv, secret_refs

NGINX_IMAGE = "nginx:1.27-alpine"
NGINX_CONF_TARGET = "/etc/nginx/nginx.conf"
_NGINX_IMAGES = ("nginx", "nginxinc/nginx-unprivileged", "bitnami/nginx", "openresty/openresty")
_SCALING_LOST = ("min_instances", "max_instances", "autostop", "autostart", "min_running")
_NODE_INSTALL = {
    "npm": "npm ci",
    "pnpm": "corepack enable && pnpm install --frozen-lockfile",
    "yarn": "corepack enable && yarn install --frozen-lockfile",
}


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
            deps = _depends_on(ctx, svc, services)
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


def _has_dockerfile(build: Build) -> bool:
    return build.dockerfile is not None or build.dockerfile_inline is not None


def _service(ctx: WriteContext, svc: Service) -> dict[str, Any] | None:
    front = is_nginx_front(svc)
    out: dict[str, Any] = {}
    build = svc.build
    static_bind: dict[str, Any] | None = None
    # An image-only service may carry a Build that only describes the runtime (read from the
    # image name); it has nothing to build from.
    buildable = build is not None and (
        _has_dockerfile(build) or build.context is not None or svc.image is None)
    if build is not None and buildable and (_has_dockerfile(build) or not front):
        out["build"] = _build(ctx, svc, build)
    elif build is not None and front:
        static_bind = _static_bind(ctx, svc, build)
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
    env = _environment(ctx, svc)
    if env:
        out["environment"] = env
    port = runtime.port or (80 if front else None)
    if port is not None:
        if svc.public:
            out["ports"] = [f"{_host_port(ctx, port)}:{port}"]
        else:
            out["expose"] = [str(port)]
    volumes = _volumes(ctx, svc, front, static_bind)
    if volumes:
        out["volumes"] = volumes
    health = _healthcheck(ctx, svc)
    if health is not None:
        out["healthcheck"] = health
        ctx.healthy.add(svc.name)
    limits = _limits(ctx, svc)
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


def _build(ctx: WriteContext, svc: Service, build: Build) -> dict[str, Any]:
    context = build.context or "."
    out: dict[str, Any] = {"context": literal(context)}
    if build.dockerfile is not None:
        # The model keeps the Dockerfile relative to the project root; compose wants it
        # relative to the context.
        out["dockerfile"] = literal(posixpath.relpath(build.dockerfile, context))
    elif build.dockerfile_inline is not None:
        out["dockerfile_inline"] = literal(build.dockerfile_inline)
    else:
        inline = _node_dockerfile(build)
        if inline is not None:
            out["dockerfile_inline"] = literal(inline)
            ctx.diagnostics.warning(W_BUILD, f"service '{svc.name}' has no Dockerfile; hopper wrote "
                                    "an inline one from its Node.js build settings", build.origin)
        else:
            ctx.diagnostics.warning(W_BUILD, f"service '{svc.name}' has no Dockerfile; compose "
                                    f"will look for {posixpath.join(context, 'Dockerfile')}",
                                    build.origin)
    if build.target is not None:
        out["target"] = literal(build.target)
    if build.args:
        out["args"] = {_env_key(k, build.origin): literal(v) for k, v in sorted(build.args.items())}
    names = set(build.secrets) | {
        s.name for s in ctx.arch.secrets if s.build_time and svc.name in s.used_by}
    if names:
        sources = {s.name: s for s in ctx.arch.secrets}
        for name in sorted(names):
            ctx.var(name, f"{svc.name} (build)", build.origin)
            ctx.secrets[name] = {"environment": name}
            secret = sources.get(name)
            if secret is not None and secret.source not in ("compose_secret", "env"):
                # A Fly --build-secret (source "build") or a platform's: compose reads it as
                # its own secret, from the variable of the same name.
                ctx.diagnostics.info(I_BUILD_SECRET, f"secret '{name}': the {secret.source} secret of "
                                     f"service '{svc.name}' is passed to its build as a Compose secret "
                                     f"read from the environment variable {name}", secret.origin)
        out["secrets"] = sorted(names)
    return out


def _node_dockerfile(build: Build) -> str | None:
    version = build.runtime_version or "22"
    if build.runtime != "node" or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", version):
        return None
    commands = [build.install_command, build.build_command, build.start_command]
    if any(c is not None and ("\n" in c or "\r" in c or not c.strip()) for c in commands):
        return None
    from hopper.templating import render  # noqa: PLC0415

    manager = build.package_manager or "npm"
    install = build.install_command or _NODE_INSTALL.get(manager, f"{manager} install")
    if build.install_command is None and build.node_install is not None:
        # What the checkout says (lockfile, version): the same commands as the Fly writer's.
        from hopper.packagemanager import install_command, setup  # noqa: PLC0415

        major = version.split(".")[0]
        steps = setup(manager, build.node_install, int(major) if major.isdigit() else None).steps
        install = " && ".join([*steps, install_command(manager, build.node_install)])
    return render(
        "compose/node.Dockerfile.j2",
        version=version,
        install=install,
        build=build.build_command,
        start=build.start_command or f"{manager} start",
    )


def _static_bind(ctx: WriteContext, svc: Service, build: Build) -> dict[str, Any] | None:
    """A front built without a Dockerfile (Clever static apps): serve the host's build output."""
    site = svc.static_site
    if site is None:
        return None
    source = posixpath.normpath(posixpath.join(build.context or ".", build.output_dir or "."))
    how = (f"run `{build.build_command}` in ./{build.context or '.'} first" if build.build_command
           else "build the files first")
    ctx.diagnostics.info(I_STATIC, f"service '{svc.name}' serves ./{source} from the host; {how}",
                         build.origin or svc.origin)
    return {"type": "bind", "source": literal(f"./{source}"), "target": literal(site.root),
            "read_only": True}


def _env_key(name: str, where: Location | None) -> str:
    check_env_key(name, where)
    return name


def _environment(ctx: WriteContext, svc: Service) -> dict[str, Any]:
    where = svc.runtime.origin or svc.origin
    env: dict[str, Any] = {}
    for key, value in svc.runtime.env.items():
        env[_env_key(key, where)] = literal(value)
    for binding in svc.bindings:
        bound = backing.binding_value(ctx, svc, binding)
        if bound is not None:
            env[_env_key(binding.variable, binding.origin or where)] = bound
    secret_names = set(svc.runtime.secret_env) | {
        s.name for s in ctx.arch.secrets if not s.build_time and svc.name in s.used_by}
    for name in sorted(secret_names - set(env)):
        ctx.passthrough(name, svc.name, where)
        env[name] = None  # no value: compose takes it from .env or the shell
    return dict(sorted(env.items()))


def _host_port(ctx: WriteContext, port: int) -> int:
    """Publish privileged ports above 8000 (80 → 8080); avoid clashes between services."""
    host = port if port >= 1024 else 8000 + port
    used = ctx.host_ports
    while host in used:
        host += 1
    used.add(host)
    return host


def _volumes(ctx: WriteContext, svc: Service, front: bool,
             static_bind: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    generated: list[dict[str, Any]] = []
    if front:
        conf = _nginx_conf(ctx, svc)
        if conf is not None:
            generated.append({"type": "bind", "source": f"./{conf}", "target": NGINX_CONF_TARGET,
                              "read_only": True})
    if static_bind is not None:
        generated.append(static_bind)
    taken = {v["target"] for v in generated}
    for vol in sorted(svc.volumes, key=lambda v: (v.target, v.name)):
        # A model read back from hopper's own output carries the mounts hopper generates.
        if literal(vol.target) in taken:
            continue
        where = vol.origin or svc.origin
        entry: dict[str, Any]
        if vol.kind is VolumeKind.NAMED:
            check_volume_name(vol.name, where)
            ctx.volumes[vol.name] = {}
            entry = {"type": "volume", "source": vol.name, "target": literal(vol.target)}
        elif vol.kind is VolumeKind.BIND:
            entry = {"type": "bind", "source": literal(_bind_source(vol.source or vol.name)),
                     "target": literal(vol.target)}
        else:
            entry = {"type": "tmpfs", "target": literal(vol.target)}
        if vol.read_only:
            entry["read_only"] = True
        if vol.size_gb is not None:
            ctx.diagnostics.warning(W_VOLUME, f"service '{svc.name}': the size of volume "
                                    f"'{vol.name}' ({vol.size_gb} GB) is not expressed; local "
                                    "volumes grow as needed", where)
        out.append(entry)
    return generated + out


def _bind_source(source: str) -> str:
    """Relative host paths as ``./path``: the form compose documents, and the same text whether
    the model kept the ``./`` or not."""
    if source.startswith(("/", "~", "./", "../")) or source in (".", ".."):
        return source
    return f"./{source}"


def _nginx_conf(ctx: WriteContext, svc: Service) -> str | None:
    from hopper.nginx_build import NginxBuildError, Upstream, build_nginx_conf  # noqa: PLC0415

    upstreams: dict[str, Upstream] = {}
    for route in svc.routes:
        target = ctx.arch.service(route.target_service)
        if target is None:
            continue  # reported by the builder as skipped
        port = route.target_port or target.runtime.port or 80
        upstreams[route.target_service] = Upstream(url=f"http://{target.name}:{port}")
    listen = svc.runtime.port or 80
    try:
        built = build_nginx_conf(svc, upstreams, listen)
    except NginxBuildError as exc:
        raise fail(E_VALUE, f"service '{svc.name}': {exc}", svc.origin) from None
    for note in built.skipped:
        ctx.diagnostics.warning(W_ROUTES, f"service '{svc.name}': {note}; not written", svc.origin)
    for note in built.clamped:
        ctx.diagnostics.warning(W_ROUTES, f"service '{svc.name}': {note}", svc.origin)
    path = f"nginx/{svc.name}.conf"
    ctx.files[path] = built.text
    return path


def _healthcheck(ctx: WriteContext, svc: Service) -> dict[str, Any] | None:
    hc = svc.runtime.health_check
    if hc is None:
        return None
    test = _health_test(svc, hc)
    if test is None:
        ctx.diagnostics.warning(W_HEALTH, f"service '{svc.name}': the health check has neither a "
                                "command nor a path and port", hc.origin or svc.origin)
        return None
    out: dict[str, Any] = {"test": test}
    for key, seconds in (("interval", hc.interval_s), ("timeout", hc.timeout_s),
                         ("start_period", hc.grace_s)):
        if seconds is not None:
            out[key] = duration(seconds)
    if hc.retries is not None:
        out["retries"] = hc.retries
    return out


def _health_test(svc: Service, hc: HealthCheck) -> list[str] | None:
    if hc.command:
        if hc.command[0] in ("CMD", "CMD-SHELL", "NONE"):
            return [literal(a) for a in hc.command]
        return ["CMD", *(literal(a) for a in hc.command)]
    port = hc.port or svc.runtime.port
    if hc.path is None or port is None:
        return None
    url = f"http://127.0.0.1:{port}{hc.path if hc.path.startswith('/') else '/' + hc.path}"
    node = (svc.build is not None and svc.build.runtime == "node") or (
        svc.image is not None and svc.image.split(":")[0].rsplit("/", 1)[-1] == "node")
    if node:
        # node images have no curl or wget; Node 18+ has fetch.
        script = (f"fetch({_js_string(url)}).then(r => process.exit(r.ok ? 0 : 1), "
                  "() => process.exit(1))")
        return ["CMD", "node", "-e", literal(script)]
    import shlex  # noqa: PLC0415

    quoted = shlex.quote(url)
    # ["CMD", "sh", "-c", ...] rather than CMD-SHELL: the same thing, and the form the compose
    # reader gives back as the check's command, so a second conversion writes the same bytes.
    probe = f"wget -q -O /dev/null {quoted} || curl -fsS -o /dev/null {quoted}"
    return ["CMD", "sh", "-c", literal(probe)]


def _js_string(text: str) -> str:
    import json  # noqa: PLC0415

    return json.dumps(text)


def duration(seconds: float) -> str:
    """A compose duration: whole seconds as ``10s``, anything else in milliseconds."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def _limits(ctx: WriteContext, svc: Service) -> dict[str, Any]:
    scaling = svc.scaling
    limits: dict[str, Any] = {}
    if scaling.cpus is not None:
        limits["cpus"] = int(scaling.cpus) if scaling.cpus == int(scaling.cpus) else scaling.cpus
    if scaling.memory_mb is not None:
        limits["memory"] = f"{scaling.memory_mb}M"
    if scaling.cpu_kind is not None:
        ctx.diagnostics.warning(W_CPU_KIND, f"service '{svc.name}': cpu_kind '{scaling.cpu_kind}' "
                                "is not expressed; compose limits CPUs only",
                                scaling.origin or svc.origin)
    lost = [name for name in _SCALING_LOST if getattr(scaling, name) is not None]
    if lost:
        ctx.diagnostics.info(I_SCALING, f"service '{svc.name}': {', '.join(lost)} kept under "
                             "x-hopper; compose runs one container per service",
                             scaling.origin or svc.origin)
    return limits


def _depends_on(ctx: WriteContext, svc: Service,
                services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    wanted = set(svc.depends_on)
    wanted.update(b.resource for b in svc.bindings)
    wanted.update(r.target_service for r in svc.routes)
    wanted.discard(svc.name)
    out: dict[str, Any] = {}
    for name in sorted(wanted):
        if name not in services:
            continue
        condition = "service_healthy" if name in ctx.healthy else "service_started"
        out[name] = {"condition": condition}
    return out


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

