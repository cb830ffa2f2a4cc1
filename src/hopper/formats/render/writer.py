"""Model -> render.yaml (a Render Blueprint), RENDER.md, and for an nginx front its Dockerfile and
nginx.conf. Pure: model and options in, files and diagnostics out.

What Render cannot express is a warning naming the user's component (docs/render.md lists each).
Secrets are written as names only (``sync: false``); values never reach the files.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import yaml

from hopper import templating
from hopper.diagnostics import Diagnostics
from hopper.formats.base import WriteOptions, WriteResult
from hopper.formats.render import write_env
from hopper.formats.render.codes import (
    I_FRONT_NGINX,
    I_SECRET_PROVIDED,
    W_API_PUBLIC,
    W_AUTOSCALING,
    W_AUTOSTOP,
    W_COMPONENT,
    W_DB_HA_VERSION,
    W_DB_HA_WORKSPACE,
    W_DB_VERSION,
    W_DISK_SCALE,
    W_EXTENSION,
    W_GUESSED_URL,
    W_HEALTH_PRIVATE,
    W_KEYVALUE,
    W_NO_BUILD,
    W_OBJECT_STORE,
    W_ROUTE_OPTION,
    W_SCHEDULE,
    W_VOLUME,
)
from hopper.formats.render.front import nginx_front
from hopper.formats.render.names import apply_names, render_names
from hopper.formats.render.placement import choose_db_plan, choose_plan, choose_region
from hopper.formats.render.services import (
    Commands,
    commands,
    service_types,
    static_build,
)
from hopper.model import (
    Architecture,
    Autostop,
    Database,
    Role,
    Route,
    Schedule,
    Service,
    VolumeKind,
)

POSTGRES_VERSIONS = ("10", "11", "12", "13", "14", "15", "16", "17")
# highAvailability needs PostgreSQL 13 or newer (reference render.md §1.7).
HA_MIN_POSTGRES = 13
# Render's autoscaling needs a target; 70 % CPU is hopper's assumption (docs/render.md).
TARGET_CPU_PERCENT = 70
_SHORTHANDS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
               "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
               "@annually": "0 0 1 1 *"}


def write(arch: Architecture, options: WriteOptions) -> WriteResult:
    diags = Diagnostics()
    front = options.extra.get("front", "nginx")
    region = choose_region(arch, options.region, diags)
    types = service_types(arch, front)
    names = render_names(arch, diags)
    files: dict[str, str] = {}
    services: list[dict[str, Any]] = []
    for svc in arch.services:
        kind = types[svc.name]
        _extensions(svc, diags)
        if kind == "keyvalue":
            services.append(_keyvalue(svc, region, diags))
        elif kind == "static":
            services.append(_static(svc, arch, types, names, diags))
        elif svc.static_site is not None and svc.routes and svc.role is Role.FRONT and kind == "web":
            entry, front_files = _nginx_front(svc, arch, types, region, diags)
            services.append(entry)
            files.update(front_files)
        else:
            entry_or_none = _service(svc, arch, types, kind, region, diags)
            if entry_or_none is not None:
                services.append(entry_or_none)
    for sched in arch.schedules:
        cron = _cron(sched, arch, types, region, diags)
        if cron is not None:
            services.append(cron)
    databases = [d for d in (_database(db, region, diags) for db in arch.databases) if d is not None]
    for store in arch.object_stores:
        users = sorted(s.name for s in arch.services if any(b.resource == store.name for b in s.bindings))
        diags.warning(W_OBJECT_STORE, f"object store '{store.name}' ({store.provider}) has no Render "
                      "equivalent: the bucket stays where it is, and "
                      + (f"{', '.join(users)} keep{'s' if len(users) == 1 else ''} its variables (the "
                         "bucket name as its value, the others as secrets to set in the dashboard)"
                         if users else "nothing reads it"),
                      store.origin, hint="point the variables at the current bucket, or at a provider "
                      "you choose (S3, R2...); RENDER.md lists them")
    _provided_secrets(arch, services, diags)
    apply_names(services, databases, names)
    groups = write_env.shared_groups(arch.name, services)
    blueprint: dict[str, Any] = {"services": services}
    if databases:
        blueprint["databases"] = databases
    if groups:
        blueprint["envVarGroups"] = groups
    files["render.yaml"] = _dump(arch.name, blueprint)
    files["RENDER.md"] = templating.render(
        "render/RENDER.md.j2", arch=arch, region=region, front=front, services=services,
        databases=databases, secrets=write_env.prompted(services),
        guesses=[(str(e["name"]), r["source"], r["destination"]) for e in services
                 for r in e.get("routes", []) if r["destination"].startswith("https://")],
        stores=[(s, sorted(v for svc in arch.services for b in svc.bindings if b.resource == s.name
                           for v in [b.variable])) for s in arch.object_stores])
    return WriteResult(files=dict(sorted(files.items())), diagnostics=diags.as_tuple())


def _provided_secrets(arch: Architecture, services: list[dict[str, Any]], diags: Diagnostics) -> None:
    """Secrets of the source that are no Render secret: bound from a database, or a database's
    own password, which Render generates."""
    prompted = {v["key"] for s in services for v in s.get("envVars", []) if "sync" in v or "generateValue" in v}
    passwords = {db.password_secret: db.name for db in arch.databases if db.password_secret}
    bound = {b.variable: b.resource for s in arch.services for b in s.bindings
             if arch.database(b.resource) is not None}
    for secret in arch.secrets:
        if secret.name in prompted:
            continue
        if secret.name in passwords:
            diags.info(I_SECRET_PROVIDED, f"secret '{secret.name}' (the password of database "
                       f"'{passwords[secret.name]}') is not written: Render generates the database's "
                       "credentials", secret.origin)
        elif secret.name in bound:
            diags.info(I_SECRET_PROVIDED, f"secret '{secret.name}' is not written: Render provides it "
                       f"from database '{bound[secret.name]}' (fromDatabase)", secret.origin)


def _dump(name: str, blueprint: dict[str, Any]) -> str:
    text = yaml.safe_dump(blueprint, sort_keys=False, default_flow_style=False, allow_unicode=True,
                          width=10_000)
    # The project's name has no place in a Blueprint: the first line carries it for the reader.
    return (f"# Render Blueprint for {json.dumps(name, ensure_ascii=True)}, written by hopper "
            "(https://render.com/docs/blueprint-spec).\n"
            "# Secrets are names only (sync: false): Render asks for their values when the "
            "Blueprint is created.\n" + text)


def _extensions(svc: Service, diags: Diagnostics) -> None:
    dropped = sorted(k for k in svc.extensions if k not in ("render", "nginx"))
    if dropped:
        diags.warning(W_EXTENSION, f"service '{svc.name}': {', '.join(dropped)}-specific settings "
                      "have no Render form and are dropped", svc.origin)


def _keyvalue(svc: Service, region: str, diags: Diagnostics) -> dict[str, Any]:
    kept = {"redis", "valkey"}
    if (svc.image and (":" in svc.image or svc.image not in kept)) or svc.runtime.command:
        diags.warning(W_KEYVALUE, f"service '{svc.name}' ({svc.image}) becomes Render Key Value: "
                      "Render runs its own Redis-compatible server, so the image tag"
                      + (" and the command" if svc.runtime.command else "") + " are not kept",
                      svc.origin, hint="check that the app works with Render's Key Value version")
    # ipAllowList [] = private network only (the source's service had no public port).
    return {"type": "keyvalue", "name": svc.name, "region": region, "ipAllowList": []}


def _static(svc: Service, arch: Architecture, types: dict[str, str], names: dict[str, str],
            diags: Diagnostics) -> dict[str, Any]:
    built = static_build(svc)
    entry: dict[str, Any] = {"type": "web", "name": svc.name, "runtime": "static",
                             "buildCommand": built.build, "staticPublishPath": built.publish}
    if built.build_filter:
        entry["buildFilter"] = {"paths": list(built.build_filter)}
    routes: list[dict[str, str]] = []
    for route in sorted(svc.routes, key=lambda r: (-len(r.path_prefix), r.path_prefix)):
        routes.append(_rewrite(svc, route, names.get(route.target_service, route.target_service), diags))
    site = svc.static_site
    if site is not None and site.spa_fallback:
        routes.append({"type": "rewrite", "source": "/*", "destination": f"/{site.index}"})
    if routes:
        entry["routes"] = routes
    env = write_env.env_vars(svc, arch, types, diags, static=True)
    if env:
        entry["envVars"] = env
    if svc.domains:
        entry["domains"] = list(svc.domains)
    return entry


def _rewrite(svc: Service, route: Route, render_name: str, diags: Diagnostics) -> dict[str, str]:
    prefix = route.path_prefix if route.path_prefix.endswith("/") else route.path_prefix + "/"
    target = f"https://{render_name}.onrender.com"
    dest = f"{target}/*" if route.strip_prefix else f"{target}{prefix}*"
    diags.warning(W_API_PUBLIC, f"front '{svc.name}' is a static site: its rewrite {prefix}* can reach "
                  f"only a public URL, so '{route.target_service}' becomes a public web service "
                  "(it was reached privately)", route.origin,
                  hint="--option front=nginx keeps it private behind an nginx web service")
    # No Blueprint property carries a service's public URL (reference render.md §2.2), and Render
    # may add a suffix to the name: the destination is a guess until read in the dashboard.
    diags.warning(W_GUESSED_URL, f"front '{svc.name}': the rewrite {prefix}* goes to {target}, a guess "
                  f"of the public URL Render will give '{render_name}' (no Blueprint property carries "
                  "it, and Render adds a suffix when the name is taken)", route.origin,
                  hint="before the first deploy, read the API's URL in the dashboard and fix the "
                  "destination in render.yaml; a Blueprint sync keeps route rules removed from the "
                  "file, so also delete a wrong rule in the dashboard (RENDER.md says how)")
    lost = [name for name, value in (
        ("body size limit", route.body_size_limit), ("connect timeout", route.connect_timeout_s),
        ("read timeout", route.read_timeout_s), ("send timeout", route.send_timeout_s),
        ("request buffering", route.request_buffering), ("response buffering", route.response_buffering),
        ("forwarded headers", route.forwarded_headers or None), ("websocket", route.websocket or None))
        if value is not None]
    if lost:
        diags.warning(W_ROUTE_OPTION, f"front '{svc.name}', route {route.path_prefix}: "
                      f"{', '.join(lost)} cannot be set on a static site's rewrite (Render's CDN "
                      "applies its own, undocumented limits)", route.origin,
                      hint="--option front=nginx writes them into the emitted nginx.conf")
    return {"type": "rewrite", "source": f"{prefix}*", "destination": dest}


def _nginx_front(svc: Service, arch: Architecture, types: dict[str, str], region: str,
                 diags: Diagnostics) -> tuple[dict[str, Any], dict[str, str]]:
    front = nginx_front(svc, arch, diags)
    targets = sorted({r.target_service for r in svc.routes})
    diags.info(I_FRONT_NGINX, f"front '{svc.name}' runs the emitted nginx as a web service; "
               f"{', '.join(targets)} stay{'s' if len(targets) == 1 else ''} private (pserv), "
               "reached over Render's private network", svc.origin,
               hint="--option front=static makes it a free static site with a public API instead")
    entry: dict[str, Any] = {"type": "web", "name": svc.name, "runtime": "docker", "region": region,
                             "plan": choose_plan(svc, diags).plan,
                             "dockerfilePath": f"./render/{svc.name}/Dockerfile", "dockerContext": "."}
    hc = svc.runtime.health_check
    if hc is not None and hc.path:
        entry["healthCheckPath"] = hc.path
    _scaling(svc, entry, diags)
    env = write_env.env_vars(svc, arch, types, diags, port=front.port)
    # The private address of each upstream, which the front's nginx.conf takes at start.
    env += [{"key": var, "fromService": {"type": types[target], "name": target, "property": "hostport"}}
            for var, target in front.upstreams.items() if not any(e.get("key") == var for e in env)]
    if env:
        entry["envVars"] = sorted(env, key=lambda e: str(e.get("key", "")))
    if svc.domains:
        entry["domains"] = list(svc.domains)
    return entry, front.files


def _service(svc: Service, arch: Architecture, types: dict[str, str], kind: str, region: str,
             diags: Diagnostics) -> dict[str, Any] | None:
    cmds = commands(svc)
    if cmds is None:
        diags.warning(W_NO_BUILD, f"service '{svc.name}' has no Dockerfile, Node.js build or image "
                      "Render can use; it is left out", svc.origin,
                      hint="give it a Dockerfile or a package.json, then add it to render.yaml")
        return None
    entry: dict[str, Any] = {"type": kind, "name": svc.name, "runtime": cmds.runtime,
                             "region": region, "plan": choose_plan(svc, diags).plan}
    _commands(entry, cmds)
    if svc.runtime.release_command:
        entry["preDeployCommand"] = svc.runtime.release_command
    hc = svc.runtime.health_check
    if hc is not None and (hc.path or hc.command):
        if kind == "web" and hc.path:
            entry["healthCheckPath"] = hc.path
        else:
            diags.warning(W_HEALTH_PRIVATE, f"service '{svc.name}' ({kind}) has a health check; Render "
                          "checks only web services (healthCheckPath), so it is dropped", hc.origin,
                          hint="Render restarts a crashed process, but does not probe it")
    _scaling(svc, entry, diags)
    _disk(svc, entry, diags)
    env = write_env.env_vars(svc, arch, types, diags, port=svc.runtime.port if kind in ("web", "pserv") else None)
    if env:
        entry["envVars"] = env
    if svc.domains and kind == "web":
        entry["domains"] = list(svc.domains)
    return entry


def _commands(entry: dict[str, Any], cmds: Commands) -> None:
    if cmds.runtime == "docker":
        entry["dockerfilePath"] = cmds.dockerfile
        entry["dockerContext"] = cmds.context
        if cmds.docker_command:
            entry["dockerCommand"] = cmds.docker_command
    elif cmds.runtime == "image":
        entry["image"] = {"url": cmds.image}
        if cmds.docker_command:
            entry["dockerCommand"] = cmds.docker_command
    else:
        if cmds.root_dir:
            entry["rootDir"] = cmds.root_dir
        entry["buildCommand"] = cmds.build
        entry["startCommand"] = cmds.start
    if cmds.build_filter:
        entry["buildFilter"] = {"paths": list(cmds.build_filter)}


def _scaling(svc: Service, entry: dict[str, Any], diags: Diagnostics) -> None:
    s = svc.scaling
    if s.autostop in (Autostop.STOP, Autostop.SUSPEND):
        diags.warning(W_AUTOSTOP, f"service '{svc.name}' stops when idle on the source; paid Render "
                      "services run all the time (only free web services spin down, after 15 idle "
                      "minutes)", s.origin, hint="expect a steady monthly cost, and no cold starts")
    has_disk = any(v.kind is VolumeKind.NAMED for v in svc.volumes)
    low, high = s.min_instances, s.max_instances
    if has_disk:
        if (high or low or 1) > 1:
            diags.warning(W_DISK_SCALE, f"service '{svc.name}' has a disk, so Render runs one instance "
                          f"(the source runs up to {high or low}); deploys stop the old instance first",
                          s.origin, hint="move the data to the database or object storage to scale out")
        entry["numInstances"] = 1
        return
    if low is not None and high is not None and high > low:
        entry["scaling"] = {"minInstances": max(low, 1), "maxInstances": high,
                            "targetCPUPercent": TARGET_CPU_PERCENT}
        diags.warning(W_AUTOSCALING, f"service '{svc.name}' scales from {low} to {high} instances: Render "
                      f"autoscaling needs a Professional workspace; hopper assumed a {TARGET_CPU_PERCENT}% "
                      "CPU target", s.origin, hint="on a Hobby workspace use numInstances instead")
    elif low is not None or high is not None:
        entry["numInstances"] = max(low or high or 1, 1)


def _disk(svc: Service, entry: dict[str, Any], diags: Diagnostics) -> None:
    named = [v for v in svc.volumes if v.kind is VolumeKind.NAMED]
    others = [v for v in svc.volumes if v.kind is not VolumeKind.NAMED] + named[1:]
    if named:
        vol = named[0]
        entry["disk"] = {"name": vol.name, "mountPath": vol.target, "sizeGB": vol.size_gb or 10}
    for vol in others:
        diags.warning(W_VOLUME, f"service '{svc.name}': volume '{vol.name}' at {vol.target} "
                      f"({vol.kind.value}) has no Render form (one disk per service) and is left out",
                      vol.origin, hint="keep the data in the database, object storage or the one disk")


def _cron(sched: Schedule, arch: Architecture, types: dict[str, str], region: str,
          diags: Diagnostics) -> dict[str, Any] | None:
    svc = arch.service(sched.service) if sched.service else None
    if svc is None or (cmds := commands(svc)) is None:
        diags.warning(W_COMPONENT, f"schedule '{sched.name}' runs in no service Render can build; "
                      "it is left out", sched.origin, hint="add a cron job to render.yaml by hand")
        return None
    cron = _SHORTHANDS.get(sched.cron.strip(), sched.cron.strip())
    if cron != sched.cron.strip():
        diags.warning(W_SCHEDULE, f"schedule '{sched.name}': {sched.cron} is written {cron!r} "
                      "(Render takes five-field expressions, in UTC)", sched.origin)
    entry: dict[str, Any] = {"type": "cron", "name": sched.name, "runtime": cmds.runtime,
                             "region": region, "plan": choose_plan(svc, Diagnostics()).plan,
                             "schedule": cron}
    if cmds.runtime == "node":
        cmds = Commands(runtime="node", root_dir=cmds.root_dir, build=cmds.build,
                        start=sched.command, build_filter=cmds.build_filter)
    else:
        cmds = Commands(runtime=cmds.runtime, dockerfile=cmds.dockerfile, context=cmds.context,
                        image=cmds.image, docker_command=sched.command, build_filter=cmds.build_filter)
    _commands(entry, cmds)
    env = write_env.env_vars(svc, arch, types, Diagnostics())
    if env:
        entry["envVars"] = env
    return entry


def _database(db: Database, region: str, diags: Diagnostics) -> dict[str, Any] | None:
    if db.engine != "postgresql":
        diags.warning(W_COMPONENT, f"database '{db.name}' ({db.engine}): Render hosts PostgreSQL only; "
                      "it is left out", db.origin, hint="keep it where it is, or run it as a private "
                      "service with a disk")
        return None
    major = db.version.split(".", 1)[0] if db.version else None
    written = major if major in POSTGRES_VERSIONS else None
    ha = bool(db.high_availability)
    if ha and written is not None and int(written) < HA_MIN_POSTGRES:
        # highAvailability.enabled needs PostgreSQL >= 13 (reference render.md §1.7): Render
        # would refuse the Blueprint, so the database is written without it.
        diags.warning(W_DB_HA_VERSION, f"database '{db.name}' has high availability on the source, but "
                      f"Render offers it only from PostgreSQL {HA_MIN_POSTGRES}; with PostgreSQL "
                      f"{db.version} it is written without highAvailability", db.origin,
                      hint=f"upgrade to PostgreSQL {HA_MIN_POSTGRES} or newer (postgresMajorVersion), "
                      "then add highAvailability: {enabled: true}")
        ha = False
        db = dataclasses.replace(db, high_availability=False)
    entry: dict[str, Any] = {"name": db.name, "region": region, "plan": choose_db_plan(db, diags)}
    if db.version:
        if written is not None:
            entry["postgresMajorVersion"] = written
        else:
            diags.warning(W_DB_VERSION, f"database '{db.name}': PostgreSQL {db.version} is not a version "
                          "Render's Blueprint accepts (10-17); Render's newest is used", db.origin)
    if db.database_name:
        entry["databaseName"] = db.database_name
    if db.user:
        entry["user"] = db.user
    if db.disk_gb:
        size = db.disk_gb if db.disk_gb == 1 or db.disk_gb % 5 == 0 else (db.disk_gb // 5 + 1) * 5
        if size != db.disk_gb:
            diags.warning(W_DB_VERSION, f"database '{db.name}': a {db.disk_gb} GB disk is written "
                          f"{size} GB (Render takes 1 or a multiple of 5)", db.origin)
        entry["diskSizeGB"] = size
    if ha:
        entry["highAvailability"] = {"enabled": True}
        # Kept, as the source has it; but only a Professional workspace (or higher) on a Pro-family
        # plan can create it (reference render.md §1.7, §4.3), as HOP935 says of autoscaling.
        diags.warning(W_DB_HA_WORKSPACE, f"database '{db.name}' keeps high availability: Render's "
                      f"highAvailability needs a Professional workspace and a Pro plan ('{entry['plan']}'"
                      f"{'' if str(entry['plan']).startswith(('pro-', 'accelerated-')) else ', not a Pro plan'}); "
                      "a Hobby workspace cannot create it", db.origin,
                      hint="on a Hobby workspace remove highAvailability from render.yaml (a basic-* "
                      "plan is then enough); RENDER.md says so")
    if db.replicas:
        entry["readReplicas"] = [{"name": f"{db.name}-replica-{i}"} for i in range(1, db.replicas + 1)]
    # [] = reachable from the private network only; omitted, Render accepts any source with the
    # password (render.md §7.12).
    entry["ipAllowList"] = []
    return entry
