"""Every decision the Fly writer makes, taken once, before any file is rendered.

:func:`make_plan` turns the model and the write options into a :class:`Plan`
(:mod:`plan_types`): one :class:`App` per deployable service (name, folder, port, autostop,
size, how its image is built, which secrets it needs, which names it reads that Fly does not
set...), the databases and buckets to create, and the order of deployment. The renderers
(``write_toml``, ``write_dockerfiles``, the workflow, setup script and runbook templates) only
format the plan, so every choice is taken and reported as a diagnostic here or in one of the
plan's parts, each a step of :func:`make_plan`:

- this module: which services become apps, and each app's name, port, autostop and size;
- :mod:`plan_builds`: how each image is built, and the paths that redeploy it;
- :mod:`plan_env`: env, secrets, private URLs, derived names, the front's upstreams;
- :mod:`plan_runtime`: volumes, health check, release command, process commands;
- :mod:`plan_backing`: databases and buckets, and which apps attach them.
"""

from __future__ import annotations

from dataclasses import replace

from hopper.diagnostics import Diagnostics, Severity, code, fail
from hopper.formats.base import WriteOptions
from hopper.formats.fly import names, placement
from hopper.formats.fly.plan_backing import plan_databases, plan_stores
from hopper.formats.fly.plan_builds import choose_build, deploy_paths, report_unwritten_build
from hopper.formats.fly.plan_env import (
    I_WORKER_GROUP,
    env_and_secrets,
    front_upstreams,
    plan_aliases,
    secrets_by_user,
    unstaged_secrets,
)
from hopper.formats.fly.plan_runtime import health_and_release, plan_volumes
from hopper.formats.fly.plan_types import App, Plan
from hopper.formats.fly.write_buildvars import place_public_values
from hopper.formats.fly.write_network import report_binds
from hopper.model import Architecture, Role, Service

I_AUTOSTOP = code("HOP514", Severity.INFO, "the autostop and minimum-running values hopper chose, and why")
W_SUSPEND = code("HOP515", Severity.WARNING, "autostop 'suspend' needs 2 GB of memory or less; 'stop' is used")
W_MAX_INSTANCES = code("HOP520", Severity.WARNING, "a scaling setting has no fly.toml equivalent")
W_PORT_GUESSED = code("HOP521", Severity.WARNING, "the service states no port; hopper chose one")
W_GENERIC = code("HOP527", Severity.WARNING, "a service of unknown role is carried as a plain Fly app")
E_OPTION = code("HOP529", Severity.ERROR, "a write option has a value the Fly writer does not accept")
W_NOT_DEPLOYABLE = code("HOP531", Severity.WARNING, "a service has neither a build nor an image and is not deployed")
W_DOMAIN_PRIVATE = code("HOP536", Severity.WARNING, "a private service has custom domains; Fly serves them only on public apps")

FRONT_DEFAULT_PORT = 8080
API_DEFAULT_PORT = 8080


def _option(value: str | None, allowed: tuple[str, ...], flag: str) -> str | None:
    if value is not None and value not in allowed:
        raise fail(E_OPTION, f"{flag} {value!r} is not one of {', '.join(allowed)}")
    return value


def make_plan(arch: Architecture, options: WriteOptions, diags: Diagnostics) -> Plan:
    autostop_flag = _option(options.autostop, ("off", "stop", "suspend"), "--autostop")
    postgres = _option(options.postgres, ("managed", "unmanaged"), "--postgres") or "managed"
    if options.min_running is not None and options.min_running < 0:
        raise fail(E_OPTION, "--min-running must be 0 or more")
    prefix = names.check_prefix(options.app_prefix)
    org = names.check_org(options.org)
    region = placement.choose_region(arch, options.region, diags, managed_postgres=postgres == "managed")

    deployable, groups = _deployable(arch, diags)
    app_names = names.app_names(arch.name, [(s.name, s.origin) for s in deployable], prefix, diags)
    project = names.slug(arch.name) or "app"
    routed = {r.target_service for s in arch.services for r in s.routes}

    apps: list[App] = []
    for svc in deployable:
        app = _app(svc, app_names[svc.name], routed, autostop_flag, options, diags)
        for group, worker in groups.get(svc.name, []):
            app.groups[group] = worker
        apps.append(app)
    # Deploy order: what others depend on first, the public front last.
    apps.sort(key=lambda a: (a.kind == "front", a.folder))

    by_name = {a.service.name: a for a in apps}
    by_user = secrets_by_user(arch)
    for app in apps:
        choose_build(app, diags)
        env_and_secrets(app, arch, by_name, diags, by_user=by_user)
        place_public_values(app, diags)
        plan_volumes(app, diags)
        health_and_release(app, diags)
    for app in apps:
        if app.kind == "front":
            front_upstreams(app, arch, by_name, diags)
    reached = routed | {b.resource for s in arch.services for b in s.bindings if b.attribute == "url"}
    for app in apps:
        report_binds(app, app.service.name in reached, diags)
    dbs = plan_databases(arch, apps, prefix, project, postgres == "managed", region, diags)
    stores = plan_stores(arch, apps, prefix, project, diags)
    unstaged_secrets(arch, apps, diags)
    for app in apps:
        plan_aliases(app, arch, dbs, diags)
        app.paths = deploy_paths(app)
        report_unwritten_build(app, diags)
    from hopper.formats.fly.release import release_for  # noqa: PLC0415

    for app in apps:
        app.release_command = release_for(app, postgres == "managed")
    return Plan(arch=arch, project=project, region=region, org=org,
                managed_postgres=postgres == "managed", apps=apps, databases=dbs, stores=stores)


# ---------------------------------------------------------------------------- services

def _deployable(arch: Architecture, diags: Diagnostics) -> tuple[list[Service], dict[str, list[tuple[str, Service]]]]:
    """The services that become apps, and the workers that join another app as a process group."""
    out: list[Service] = []
    groups: dict[str, list[tuple[str, Service]]] = {}
    hosts = [s for s in arch.services if s.role in (Role.API, Role.GENERIC) and (s.build or s.image)]
    for svc in arch.services:
        if svc.build is None and svc.image is None:
            diags.warning(W_NOT_DEPLOYABLE, f"service '{svc.name}' has neither a build nor an image; "
                          "hopper does not deploy it", svc.origin)
            continue
        if svc.role is Role.WORKER:
            host = next((h for h in hosts if _same_image(h, svc)), None)
            if host is not None:
                group = names.slug(svc.name).replace("-", "_") or "worker"
                groups.setdefault(host.name, []).append((group, svc))
                diags.info(I_WORKER_GROUP, f"worker '{svc.name}' runs as process group '{group}' of "
                           f"'{host.name}' (same image, separate Machines)", svc.origin)
                continue
        if svc.role is Role.GENERIC:
            diags.warning(W_GENERIC, f"service '{svc.name}' has no recognised role; it becomes a Fly "
                          "app with its own image and no Postgres or storage wiring", svc.origin,
                          hint="mark it with x-hopper role, or remove it from the output")
        out.append(svc)
    return out, groups


def _same_image(a: Service, b: Service) -> bool:
    if a.build is not None and b.build is not None:
        return (a.build.context, a.build.dockerfile, a.build.dockerfile_inline) == \
            (b.build.context, b.build.dockerfile, b.build.dockerfile_inline)
    return a.image is not None and a.image == b.image


def _app(svc: Service, name: str, routed: set[str], autostop_flag: str | None,
         options: WriteOptions, diags: Diagnostics) -> App:
    kind = {Role.FRONT: "front", Role.API: "api", Role.WORKER: "worker"}.get(svc.role, "generic")
    loc = svc.origin
    chosen: dict[str, str] = {}
    # A Fly setup hopper wrote, read back, lists the values hopper chose there: they are chosen
    # again (same value, same comment), not taken as the source's.
    chosen_before = set((svc.extensions.get("fly") or {}).get("chosen") or ())
    port = svc.runtime.port if "internal_port" not in chosen_before else None
    if port is None and "PORT" in svc.runtime.env and svc.runtime.env["PORT"].isdigit() and \
            "env.PORT" not in chosen_before:
        port = int(svc.runtime.env["PORT"])
    if kind == "front":
        if port is None:
            port = FRONT_DEFAULT_PORT
            chosen["internal_port"] = "the port hopper's nginx.conf listens on"
        http = True
    elif kind == "worker":
        http = False
    else:
        http = port is not None or kind == "api"
        if port is None and http:
            port = API_DEFAULT_PORT
            chosen["internal_port"] = "the source states no port; PORT is set to match"
            diags.warning(W_PORT_GUESSED, f"service '{svc.name}' states no port; hopper uses "
                          f"{API_DEFAULT_PORT} and sets PORT={API_DEFAULT_PORT}", loc,
                          hint="make sure the app listens on $PORT, or set the port in the source")
    public = kind == "front" or (svc.public and svc.name not in routed)
    vm = placement.choose_vm(svc if "vm.size" not in chosen_before else replace(
        svc, scaling=replace(svc.scaling, cpu_kind=None, cpus=None, memory_mb=None)), diags)

    # Autostop: --autostop, else the source's, else "stop". Minimum running: --min-running, else
    # the source's, else 1 for a public front (no cold start on the first page) and 0 for a
    # private API (Flycast starts it on the first request).
    source_autostop = svc.scaling.autostop.value if svc.scaling.autostop is not None and \
        "auto_stop_machines" not in chosen_before else None
    autostop = autostop_flag or source_autostop or "stop"
    why = "--autostop" if autostop_flag else ("the source" if source_autostop else "hopper's default")
    if autostop == "suspend" and vm.memory_mb > placement.suspend_max_memory_mb():
        diags.warning(W_SUSPEND, f"service '{svc.name}' has {vm.memory_mb} MB; Fly suspends only "
                      "Machines of 2 GB or less, so it uses autostop 'stop'", loc)
        autostop = "stop"
    if options.min_running is not None:
        min_running, why_min = options.min_running, "--min-running"
    elif svc.scaling.min_running is not None and "min_machines_running" not in chosen_before:
        min_running, why_min = svc.scaling.min_running, "the source"
    else:
        min_running = 1 if public else 0
        why_min = "hopper's default for a public app" if public else "hopper's default for a private app"
        chosen["min_machines_running"] = ("one Machine stays up so the first visitor gets no cold start"
                                          if public else "Flycast starts a Machine on the first request")
    if why == "hopper's default":
        chosen["auto_stop_machines"] = "idle Machines stop and start again on the next request"
    if autostop == "off":
        # min_machines_running only holds Machines back from autostop (validate's HOP337): with
        # autostop off every Machine runs, and 0 says so without a key that does nothing.
        if min_running > 0 and why_min in ("--min-running", "the source"):
            diags.info(I_AUTOSTOP, f"app '{name}': min_machines_running {min_running} ({why_min}) does "
                       "nothing while autostop is off; every Machine runs, and 0 is written", loc)
        min_running, why_min = 0, "autostop is off"
        chosen["min_machines_running"] = "autostop is off: every Machine runs"
    if http:
        diags.info(I_AUTOSTOP, f"app '{name}': auto_stop_machines '{autostop}' ({why}), "
                   f"min_machines_running {min_running} ({why_min})", loc,
                   hint="override with --autostop and --min-running")
    folder = names.slug(svc.name)
    return App(service=svc, name=name, folder=folder, kind=kind, http=http, public=public,
               port=port, autostop=autostop, min_running=min_running, vm=vm, build_mode="image",
               context=".", dockerfile=None, image=svc.image,
               token_secret=names.secret_env_name(folder), chosen=chosen,
               domains=_domains(svc, public, diags))


def _domains(svc: Service, public: bool, diags: Diagnostics) -> tuple[str, ...]:
    found = tuple(sorted({names.check_domain(d, svc.origin) for d in svc.domains}))
    if found and not public:
        diags.warning(W_DOMAIN_PRIVATE, f"service '{svc.name}' has custom domains "
                      f"({', '.join(found)}) but is private on Fly; no certificate is requested",
                      svc.origin, hint="route the domain to the front instead")
        return ()
    return found
