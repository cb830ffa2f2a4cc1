"""The parts of a compose service that map one to one onto the model: build, health check,
scaling, volumes, port. Role-specific parts (nginx front, backing services) live elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, info, warning
from hopper.formats.compose.detect import BuildFacts, parse_image
from hopper.formats.compose.hints import ServiceHints
from hopper.model import Build, HealthCheck, Scaling, Volume, VolumeKind
from hopper.secrets import shell_line
from hopper.shared.dockerfile import Dockerfile

I_PORT = code("HOP177", Severity.INFO, "the port hopper chose for a service, and where it came from")
I_NODE_BUILD = code("HOP178", Severity.INFO, "what hopper read about a Node service's build and start")
W_BIND_OUTSIDE = code("HOP179", Severity.WARNING, "a bind mount's source is outside the project root; it is not read and not carried")
W_REMOTE_CONTEXT = code("HOP185", Severity.WARNING, "a remote build context is recorded but never fetched")

Locate = Callable[..., Location | None]


def choose_port(name: str, svc: dict[str, Any], facts: BuildFacts, hints: ServiceHints, *,
                nginx_port: int | None, routed_port: int | None, locate: Locate,
                out: list[Diagnostic]) -> int | None:
    candidates: list[tuple[int | None, str]] = [(hints.port, "x-hopper.port"), (nginx_port, "nginx listen")]
    ports = [p for p in svc.get("ports") or [] if isinstance(p, dict)]
    if ports:
        candidates.append((_int(ports[0].get("target")), "ports"))
    expose = svc.get("expose") or []
    if expose:
        candidates.append((_int(str(expose[0]).split("/", 1)[0].split("-", 1)[0]), "expose"))
    env = svc.get("environment") or {}
    candidates.append((_int(env.get("PORT")), "environment PORT"))
    if facts.dockerfile is not None and facts.dockerfile.final.expose_ports:
        candidates.append((facts.dockerfile.final.expose_ports[0], "Dockerfile EXPOSE"))
    candidates.append((routed_port, "the port the front proxies to"))
    for port, source in candidates:
        if port is not None:
            out.append(info(I_PORT, f"{name}: port {port} (from {source})", locate("services", name)))
            return port
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def base_build(name: str, svc: dict[str, Any], root: Path, locate: Locate, out: list[Diagnostic],
               *, plain_args: dict[str, str], secret_ids: tuple[str, ...]) -> Build | None:
    build = svc.get("build")
    if not isinstance(build, dict):
        return None
    context = str(build.get("context") or ".")
    if "://" in context or context.startswith("git@"):
        out.append(warning(W_REMOTE_CONTEXT, f"{name}: build context '{context}' is remote; hopper does not fetch "
                           "it and cannot look inside", locate("services", name, "build", "context")))
    dockerfile = build.get("dockerfile")
    dockerfile_rel = None
    if isinstance(dockerfile, str) and "://" not in context:
        dockerfile_rel = (Path(context) / dockerfile).as_posix()
    elif build.get("dockerfile_inline") is None and "://" not in context and (root / context / "Dockerfile").is_file():
        dockerfile_rel = (Path(context) / "Dockerfile").as_posix()
    return Build(
        context=Path(context).as_posix() if "://" not in context else context,
        dockerfile=_normpath(dockerfile_rel) if dockerfile_rel else None,
        dockerfile_inline=build.get("dockerfile_inline"),
        target=build.get("target"),
        args=plain_args,
        secrets=secret_ids,
        origin=locate("services", name, "build"),
    )


def _normpath(text: str) -> str:
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        parts.append(part)
    return "/".join(parts) or "."


def node_build(name: str, svc: dict[str, Any], facts: BuildFacts, base: Build | None,
               locate: Locate, out: list[Diagnostic]) -> Build:
    """Runtime version, package manager and commands of a Node service."""
    version, version_from = _node_version(svc, facts)
    node = facts.node
    manager = node.package_manager if node else None
    build_command = node.run_command("build") if node is not None and node.build_script else None
    start, start_from = _start_command(svc, facts.dockerfile)
    if start is None and node is not None and node.start_script:
        start, start_from = node.run_command("start"), "package.json scripts.start"
    notes = [f"node {version} (from {version_from})" if version else "node version unknown"]
    if manager:
        notes.append(f"package manager {manager}" + (f" (from {node.lockfile})" if node and node.lockfile else ""))
    if build_command:
        notes.append(f"build '{build_command}'")
    if start:
        notes.append(f"start '{start}' (from {start_from})")
    out.append(info(I_NODE_BUILD, f"{name}: {', '.join(notes)}", locate("services", name)))
    fields: dict[str, Any] = {
        "runtime": "node", "runtime_version": version, "package_manager": manager,
        "install_command": node.install_command() if node is not None else None,
        "build_command": build_command, "start_command": start,
        "workspace": node.workspace if node is not None else None,
        "node_engines": node.engines_node if node is not None else None,
        "node_install": node.install if node is not None else None,
    }
    if node is not None and facts.dockerfile is None:
        out.extend(node.notes)  # hopper writes this install: say what it assumed
    if base is None:
        return Build(**fields, origin=locate("services", name))
    from dataclasses import replace  # noqa: PLC0415

    return replace(base, **fields)


def _node_version(svc: dict[str, Any], facts: BuildFacts) -> tuple[str | None, str]:
    image = svc.get("image")
    if isinstance(image, str) and facts.dockerfile is None:
        ref = parse_image(image)
        if ref.path.endswith("node") and ref.major:
            return ref.major, f"image {image}"
    if facts.dockerfile is not None:
        for stage in reversed(facts.dockerfile.stages):
            ref = parse_image(stage.image)
            if ref.path.endswith("node") and ref.major:
                return ref.major, f"{facts.dockerfile.file} FROM {stage.image}"
    if facts.node is not None and facts.node.node_major:
        return facts.node.node_major, f"package.json engines.node '{facts.node.engines_node}'"
    return None, ""


def _start_command(svc: dict[str, Any], dockerfile: Dockerfile | None) -> tuple[str | None, str]:
    command = svc.get("command")
    if isinstance(command, list) and command:
        return shell_line([str(c) for c in command]), "compose command"
    if dockerfile is not None:
        final = dockerfile.final
        parts = [spec.as_text() for spec in (final.entrypoint, final.cmd) if spec is not None]
        if parts:
            return " ".join(parts), f"{dockerfile.file} {'ENTRYPOINT' if final.entrypoint else 'CMD'}"
    return None, ""


_HEALTH_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(/[^\s'\"|;&)]*)?")


def health_check(name: str, svc: dict[str, Any], facts: BuildFacts, hints: ServiceHints,
                 locate: Locate) -> HealthCheck | None:
    spec = svc.get("healthcheck")
    command: tuple[str, ...] = ()
    interval = timeout = grace = None
    retries = None
    origin = locate("services", name, "healthcheck")
    if isinstance(spec, dict) and not spec.get("disable"):
        test = [str(t) for t in spec.get("test") or []]
        if test and test[0] == "CMD":
            command = tuple(test[1:])
        elif test and test[0] == "CMD-SHELL":
            command = ("sh", "-c", " ".join(test[1:]))
        elif test and test[0] != "NONE":
            command = ("sh", "-c", " ".join(test))
        interval, timeout, grace = spec.get("interval_s"), spec.get("timeout_s"), spec.get("start_period_s")
        retries = spec.get("retries")
    elif spec is None and facts.dockerfile is not None and facts.dockerfile.final.healthcheck is not None:
        hc = facts.dockerfile.final.healthcheck
        command = ("sh", "-c", hc.args[0]) if hc.shell else hc.args
        origin = hc.location
    if not command and hints.health_path is None:
        return None
    path, port = None, None
    m = _HEALTH_URL.search(" ".join(command))
    if m:
        port = int(m.group(1)) if m.group(1) else None
        path = m.group(2) or "/"
    if hints.health_path is not None:
        path = hints.health_path
    return HealthCheck(path=path, command=command, port=port, interval_s=_float(interval),
                       timeout_s=_float(timeout), grace_s=_float(grace),
                       retries=retries if isinstance(retries, int) else None, origin=origin)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def scaling(name: str, svc: dict[str, Any], hints: ServiceHints, *, default_autostop: Any,
            default_min_running: int | None, locate: Locate) -> Scaling:
    deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
    assert isinstance(deploy, dict)
    resources = deploy.get("resources") if isinstance(deploy.get("resources"), dict) else {}
    assert isinstance(resources, dict)
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    reservations = resources.get("reservations") if isinstance(resources.get("reservations"), dict) else {}
    assert isinstance(limits, dict) and isinstance(reservations, dict)
    cpus = limits.get("cpus", reservations.get("cpus"))
    memory = limits.get("memory", reservations.get("memory"))
    replicas = deploy.get("replicas")
    replicas = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else None
    return Scaling(
        min_instances=hints.min_instances if hints.min_instances is not None else replicas,
        max_instances=hints.max_instances if hints.max_instances is not None else replicas,
        cpus=hints.cpus if hints.cpus is not None else _float(cpus),
        memory_mb=hints.memory_mb if hints.memory_mb is not None else (
            int(memory) // (1024 * 1024) if isinstance(memory, int) and not isinstance(memory, bool) else None),
        autostop=hints.autostop if hints.autostop is not None else default_autostop,
        autostart=hints.autostart,
        min_running=hints.min_running if hints.min_running is not None else default_min_running,
        origin=locate("services", name, "deploy"),
    )


def volumes(name: str, svc: dict[str, Any], root: Path, consumed: set[str], locate: Locate,
            out: list[Diagnostic]) -> tuple[list[Volume], set[str]]:
    """The service's volumes, and the named volumes it uses. ``root`` is resolved already: a
    bind mount's source is resolved once and compared with it."""
    result: list[Volume] = []
    used: set[str] = set()
    for i, vol in enumerate(svc.get("volumes") or []):
        if not isinstance(vol, dict):
            continue
        target = str(vol.get("target") or "")
        if not target or target in consumed:
            continue
        kind = str(vol.get("type") or "volume")
        source = vol.get("source")
        loc = locate("services", name, "volumes", i)
        read_only = bool(vol.get("read_only"))
        if kind == "volume":
            if source:
                used.add(str(source))
                result.append(Volume(name=str(source), target=target, read_only=read_only, origin=loc))
            else:
                result.append(Volume(name=_volume_name(target), target=target, read_only=read_only, origin=loc))
        elif kind == "bind" and isinstance(source, str):
            given = Path(source)
            path = (given if given.is_absolute() else root / given).resolve()
            if not path.is_relative_to(root):
                out.append(warning(W_BIND_OUTSIDE, f"services.{name}.volumes[{i}]: bind mount source is outside "
                                   f"the project and is not carried", loc))
                continue
            rel = path.relative_to(root).as_posix() or "."
            result.append(Volume(name=_volume_name(target), target=target, kind=VolumeKind.BIND, source=rel,
                                 read_only=read_only, origin=loc))
        elif kind == "tmpfs":
            result.append(Volume(name=_volume_name(target), target=target, kind=VolumeKind.TMPFS, origin=loc))
    return sorted(result, key=lambda v: (v.name, v.target)), used


def _volume_name(target: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", target.lower()).strip("_") or "root"
