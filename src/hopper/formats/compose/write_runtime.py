"""What a running compose service gets: its environment (plain values, bindings, secret names
passed through from ``.env``), published ports, volumes and the mounted nginx.conf of a front,
the healthcheck, resource limits, and ``depends_on`` with conditions.

Separate from :mod:`.writer` (which assembles each service) and :mod:`.write_build` (how its
image is built).
"""

from __future__ import annotations

from typing import Any

from hopper.diagnostics import fail
from hopper.formats.compose import write_backing as backing
from hopper.formats.compose.write_context import (
    E_VALUE,
    I_SCALING,
    W_CPU_KIND,
    W_HEALTH,
    W_ROUTES,
    W_VOLUME,
    WriteContext,
    check_volume_name,
    env_key,
    literal,
)
from hopper.model import HealthCheck, Service, VolumeKind

NGINX_CONF_TARGET = "/etc/nginx/nginx.conf"


_SCALING_LOST = ("min_instances", "max_instances", "autostop", "autostart", "min_running")


def environment(ctx: WriteContext, svc: Service) -> dict[str, Any]:
    where = svc.runtime.origin or svc.origin
    env: dict[str, Any] = {}
    for key, value in svc.runtime.env.items():
        env[env_key(key, where)] = literal(value)
    for binding in svc.bindings:
        bound = backing.binding_value(ctx, svc, binding)
        if bound is not None:
            env[env_key(binding.variable, binding.origin or where)] = bound
    secret_names = set(svc.runtime.secret_env) | {
        s.name for s in ctx.arch.secrets if not s.build_time and svc.name in s.used_by}
    for name in sorted(secret_names - set(env)):
        ctx.passthrough(name, svc.name, where)
        env[name] = None  # no value: compose takes it from .env or the shell
    return dict(sorted(env.items()))


def host_port(ctx: WriteContext, port: int) -> int:
    """Publish privileged ports above 8000 (80 → 8080); avoid clashes between services."""
    host = port if port >= 1024 else 8000 + port
    used = ctx.host_ports
    while host in used:
        host += 1
    used.add(host)
    return host


def volumes(ctx: WriteContext, svc: Service, front: bool,
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
    from hopper.shared.nginx.build import NginxBuildError, Upstream, build_nginx_conf  # noqa: PLC0415

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


def healthcheck(ctx: WriteContext, svc: Service) -> dict[str, Any] | None:
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


def limits(ctx: WriteContext, svc: Service) -> dict[str, Any]:
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


def depends_on(ctx: WriteContext, svc: Service,
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
