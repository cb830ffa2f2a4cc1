"""The human-readable summary printed by ``hopper inspect`` (text format)."""

from __future__ import annotations

from hopper.diagnostics import Diagnostic, Severity
from hopper.model import Architecture, Service


def _service_line(svc: Service) -> list[str]:
    lines = [f"  {svc.name} [{svc.role.value}]"]
    if svc.image:
        lines.append(f"    image: {svc.image}")
    if svc.build is not None:
        b = svc.build
        parts = [f"context {b.context}" if b.context else None,
                 f"dockerfile {b.dockerfile}" if b.dockerfile else None,
                 f"{b.runtime} {b.runtime_version or ''}".strip() if b.runtime else None,
                 f"package manager {b.package_manager}" if b.package_manager else None]
        lines.append("    build: " + ", ".join(p for p in parts if p))
        if b.build_command:
            lines.append(f"    build command: {b.build_command}")
        if b.start_command:
            lines.append(f"    start command: {b.start_command}")
        if b.secrets:
            lines.append(f"    build secrets: {', '.join(b.secrets)}")
    if svc.runtime.port is not None:
        lines.append(f"    port: {svc.runtime.port}")
    if svc.runtime.health_check is not None:
        hc = svc.runtime.health_check
        lines.append(f"    health check: {hc.path or ' '.join(hc.command)}")
    if svc.runtime.release_command:
        lines.append(f"    release command: {svc.runtime.release_command}")
    if svc.static_site is not None:
        site = svc.static_site
        extra = ", SPA fallback" if site.spa_fallback else ""
        extra += ", gzip" if site.gzip else ""
        where = site.root
        default_root = type(site)().root
        if site.root == default_root and svc.build is not None and svc.build.output_dir \
                and svc.image is None and (svc.build.dockerfile is None or svc.build.runtime == "static"):
            # Served as built by the platform (a Clever static app's CC_WEBROOT): the folder of
            # the build output, not an nginx path no container has.
            where = f"{svc.build.output_dir}/ (the build output)"
        lines.append(f"    static site: {where} (index {site.index}{extra})")
    for route in svc.routes:
        target = route.target_service + (f":{route.target_port}" if route.target_port else "")
        notes = []
        if route.strip_prefix:
            notes.append("prefix stripped")
        if route.body_size_limit:
            notes.append(f"body ≤ {route.body_size_limit}")
        if route.websocket:
            notes.append("websocket")
        suffix = f" ({', '.join(notes)})" if notes else ""
        lines.append(f"    route: {route.path_prefix} -> {target}{suffix}")
    for binding in svc.bindings:
        secret = " (secret)" if binding.secret else ""
        lines.append(f"    binding: {binding.variable} = {binding.resource}.{binding.attribute}{secret}")
    if svc.runtime.env:
        lines.append(f"    env: {', '.join(sorted(svc.runtime.env))}")
    if svc.runtime.secret_env:
        lines.append(f"    secret env: {', '.join(svc.runtime.secret_env)}")
    for vol in svc.volumes:
        lines.append(f"    volume: {vol.name} -> {vol.target} ({vol.kind.value})")
    scaling = svc.scaling
    bits = []
    if scaling.min_instances is not None or scaling.max_instances is not None:
        bits.append(f"instances {scaling.min_instances or 0}..{scaling.max_instances or '?'}")
    if scaling.cpus is not None:
        bits.append(f"{scaling.cpus:g} cpu")
    if scaling.memory_mb is not None:
        bits.append(f"{scaling.memory_mb} MB")
    if scaling.autostop is not None:
        bits.append(f"autostop {scaling.autostop.value}")
    if bits:
        lines.append("    scaling: " + ", ".join(bits))
    if svc.depends_on:
        lines.append(f"    depends on: {', '.join(svc.depends_on)}")
    return lines


def render_summary(arch: Architecture, diagnostics: tuple[Diagnostic, ...] = ()) -> str:
    lines = [f"{arch.name} ({arch.source_format or 'unknown format'})"]
    if arch.placement.primary is not None:
        r = arch.placement.primary
        where = ", ".join(p for p in (r.city, r.country) if p)
        lines.append(f"region: {r.code}" + (f" ({where})" if where else ""))
    lines.append("")
    lines.append(f"services ({len(arch.services)}):")
    for svc in arch.services:
        lines.extend(_service_line(svc))
    if arch.databases:
        lines.append("")
        lines.append(f"databases ({len(arch.databases)}):")
        for db in arch.databases:
            version = f" {db.version}" if db.version else ""
            lines.append(f"  {db.name} [{db.engine}{version}]")
            if db.database_name or db.user:
                lines.append(f"    database: {db.database_name or '?'}, user: {db.user or '?'}")
            if db.password_secret:
                lines.append(f"    password: secret {db.password_secret}")
    if arch.object_stores:
        lines.append("")
        lines.append(f"object stores ({len(arch.object_stores)}):")
        for store in arch.object_stores:
            lines.append(f"  {store.name} [{store.provider}]")
            for bucket in store.buckets:
                lines.append(f"    bucket: {bucket.name}" + (" (public)" if bucket.public else ""))
    if arch.secrets:
        lines.append("")
        lines.append(f"secrets ({len(arch.secrets)}, names only):")
        for secret in arch.secrets:
            users = f" used by {', '.join(secret.used_by)}" if secret.used_by else ""
            kind = " build-time" if secret.build_time else ""
            lines.append(f"  {secret.name} ({secret.source}{kind}){users}")
    if arch.schedules:
        lines.append("")
        lines.append(f"schedules ({len(arch.schedules)}):")
        for job in arch.schedules:
            where = f" in {job.service}" if job.service else ""
            lines.append(f"  {job.cron}  {job.command}{where}")
    warnings = [d for d in diagnostics if d.severity is not Severity.INFO]
    if warnings:
        lines.append("")
        lines.append(f"warnings ({len(warnings)}): see stderr")
    return "\n".join(lines) + "\n"
