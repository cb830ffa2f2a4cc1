"""The Fly.io writer: model in, ``{relative path: text}`` plus diagnostics out.

What it writes (docs/fly-output.md has the details):

* ``<folder>/fly.toml`` per deployable service, ``<folder>/Dockerfile.fly`` when hopper builds
  the image, ``<folder>/Dockerfile.fly.dockerignore`` next to it, ``<folder>/nginx.fly.conf`` for
  the front, ``<folder>/hopper-env.sh`` when the app reads names Fly does not set (the names sit
  beside the source's own files, which keep working until the cut-over: :mod:`setfiles`);
* ``.github/workflows/fly-deploy-<folder>.yml`` per app;
* ``fly-setup.sh`` (one-time provisioning) and ``MIGRATION.md`` (the runbook).

All decisions are taken in :mod:`plan`; this module only renders. Nothing is written
here: the caller writes the tree atomically.
"""

from __future__ import annotations

import posixpath
import shlex

from hopper import mappings
from hopper.diagnostics import Diagnostics, InputError, Severity, code, error
from hopper.formats.base import WriteOptions, WriteResult
from hopper.formats.fly.plan import E_OPTION, make_plan
from hopper.formats.fly.plan_types import SHIM_GUEST_PATH, App, Plan
from hopper.formats.fly.release import direct_url_variable
from hopper.formats.fly.setfiles import DOCKERFILE, IGNOREFILE, NGINX_CONF, RUNBOOK, placements
from hopper.formats.fly.versions import actions
from hopper.formats.fly.write_dockerfiles import (
    render_dockerignore,
    render_front_dockerfile,
    render_node_dockerfile,
)
from hopper.formats.fly.write_scale import plan_scale, scale_command
from hopper.formats.fly.write_schedules import CRONTAB_FILE, AppSchedules, plan_schedules
from hopper.formats.fly.write_store_env import bind_store_names
from hopper.formats.fly.write_tcp import plan_tcp
from hopper.formats.fly.write_toml import render_fly_toml
from hopper.formats.fly.write_upstash import CHOICES as REDIS_CHOICES
from hopper.formats.fly.write_upstash import UpstashRedis, plan_upstash, without_app_reports
from hopper.model import Architecture
from hopper.shared.nginx.build import NginxBuildError, build_nginx_conf
from hopper.templating import render

E_NGINX_VALUE = code("HOP533", Severity.ERROR, "a value of the front cannot be written into nginx.conf safely")
W_NGINX_SKIPPED = code("HOP534", Severity.WARNING, "part of a route could not be written into nginx.conf")

# Fly's edge terminates TLS and tells the app the original scheme and client address.
FLY_HEADER_VALUES = {"X-Forwarded-Proto": "$http_x_forwarded_proto", "X-Real-IP": "$http_fly_client_ip"}


def write(arch: Architecture, options: WriteOptions) -> WriteResult:
    diags = Diagnostics()
    arch = bind_store_names(arch, diags)
    if options.redis is not None and options.redis not in REDIS_CHOICES:
        raise InputError(error(E_OPTION, f"--redis {options.redis!r} is not one of {', '.join(REDIS_CHOICES)}"))
    plan = make_plan(arch, options, diags)
    upstash = plan_upstash(plan, options.redis, diags)
    diags = without_app_reports(diags, upstash)
    plan_tcp(plan, diags)
    schedules = plan_schedules(plan, diags)
    plan_scale(plan, diags)
    files: dict[str, str] = {}
    for entry in schedules:
        if entry.crontab is not None:
            files[f"{entry.folder}/{CRONTAB_FILE}"] = entry.crontab
    for app in plan.apps:
        files[f"{app.folder}/fly.toml"] = render_fly_toml(app, plan)
        if app.build_mode == "front":
            files[f"{app.folder}/{DOCKERFILE}"] = render_front_dockerfile(app, plan)
        elif app.build_mode == "node":
            files[f"{app.folder}/{DOCKERFILE}"] = render_node_dockerfile(app, plan)
        if app.build_mode in ("front", "node"):
            files[f"{app.folder}/{IGNOREFILE}"] = render_dockerignore()
        if app.kind == "front":
            files[f"{app.folder}/{NGINX_CONF}"] = _nginx(app, diags)
        if app.needs_shim:
            files[f"{app.folder}/hopper-env.sh"] = render(
                "fly/hopper-env.sh.j2", app=app.name, aliases=app.aliases,
                sources=sorted({a.source for a in app.aliases}),
                direct_url=direct_url_variable(app, plan.managed_postgres))
        files[f".github/workflows/fly-deploy-{app.folder}.yml"] = _workflow(app, plan)
    deploy = {app.name: deploy_command(app) for app in plan.apps}
    files["fly-setup.sh"] = render(
        "fly/fly-setup.sh.j2", project=plan.project, source=plan.source, org=plan.org or "personal",
        region=plan.region,
        apps=plan.apps, private_apps=[a for a in plan.apps if (a.http and not a.public) or a.tcp_port is not None],
        databases=plan.databases, stores=plan.stores,
        deploy_commands={app.name: deploy_command(app, unset_ok=True) for app in plan.apps},
        build_vars=sorted({v for app in plan.apps if not app.build_secrets for v in app.build_vars}),
        db_volumes={d.name: d.database.disk_gb or 10 for d in plan.databases},
        scheduled_machines=[m for entry in schedules for m in entry.machines], upstash=upstash,
        scale_commands=[c for c in (*(scale_command(a) for a in plan.apps),
                                    *(entry.scale_command() for entry in schedules)) if c])
    own_dockerfiles = {f"{app.folder}/fly.toml": posixpath.normpath(posixpath.join(app.folder, app.dockerfile))
                       for app in plan.apps if app.build_mode in ("source", "front-files") and app.dockerfile}
    files[RUNBOOK] = _runbook(plan, deploy, schedules, placements(files, arch.checkout, own_dockerfiles),
                              arch.checkout is not None, upstash)
    return WriteResult(files=dict(sorted(files.items())), diagnostics=diags.as_tuple())


def deploy_command(app: App, *, unset_ok: bool = False) -> str:
    """``flyctl deploy`` for one app, every token shell-quoted, run from the repository root.

    flyctl changes into its working-directory argument (the build context) before it reads
    ``--config``, so the config path is written relative to the context. With ``unset_ok``
    (fly-setup.sh, which runs under ``set -u``) a build argument not exported expands to
    nothing instead of stopping the script; the script checks them before it deploys."""
    config = posixpath.relpath(f"{app.folder}/fly.toml", app.context)
    args = ["flyctl", "deploy", app.context, "--config", config, "--remote-only"]
    if (app.http and not app.public) or app.tcp_port is not None:
        args.append("--flycast")
    if app.machines == 1:
        args.append("--ha=false")  # the source runs one: flyctl would start two (flyio.md §1.22)
    text = shlex.join(args)
    for name in app.build_secrets:
        text += f' --build-secret "{name}=${name}"'
    for name in app.build_vars:
        text += f' --build-arg "{name}=${{{name}:-}}"' if unset_ok else f' --build-arg "{name}=${name}"'
    return text


def _nginx(app: App, diags: Diagnostics) -> str:
    assert app.port is not None
    try:
        built = build_nginx_conf(app.service, app.upstreams, app.port, header_values=FLY_HEADER_VALUES)
    except NginxBuildError as exc:
        raise InputError(error(E_NGINX_VALUE, f"front '{app.service.name}': {exc}",
                               app.service.origin)) from None
    for note in (*built.skipped, *built.clamped):
        if "no upstream" in note:
            continue  # already reported by the plan (HOP530)
        diags.warning(W_NGINX_SKIPPED, f"front '{app.service.name}': {note}", app.service.origin)
    return built.text


def _branches(plan: Plan, app: App) -> list[str]:
    for wf in plan.arch.pipeline.workflows:
        if wf.service == app.service.name and wf.branches:
            return sorted(wf.branches)
    return ["main"]


def _workflow(app: App, plan: Plan) -> str:
    # Actions pinned to a release tag or a commit, flyctl to a release: mappings/fly-versions.toml.
    pinned = actions()
    return render("fly/workflow.yml.j2", app=app.name, folder=app.folder, branches=_branches(plan, app),
                  paths=list(app.paths), token_secret=app.token_secret,
                  build_secrets=list(app.build_secrets), build_vars=list(app.build_vars),
                  command=deploy_command(app),
                  checkout_ref=pinned["checkout"], flyctl_action_ref=pinned["setup_flyctl"],
                  flyctl_action_note=" # a commit of 2026-04-08 (mappings/fly-versions.toml)"
                  if len(pinned["setup_flyctl"]) == 40 else "",
                  flyctl_version=pinned["flyctl"])


def _runbook(plan: Plan, deploy: dict[str, str], schedules: list[AppSchedules],
             placed: list[tuple[str, str]], checked: bool,
             upstash: list[UpstashRedis]) -> str:
    store_names = sorted(mappings.table("env-names")["fly"]["object_store"])
    fly_set: dict[str, list[str]] = {}
    for app in plan.apps:
        names = [variable for _db, variable in app.databases]
        if app.stores:
            names += store_names
        fly_set[app.name] = sorted(set(names)) if names else []
    renamed = [(app.name, alias) for app in plan.apps for alias in app.aliases]
    own_image = [f"`{a.name}`" for a in plan.apps
                 if a.aliases and a.build_mode != "node" and (SHIM_GUEST_PATH, "hopper-env.sh") not in a.files]
    front = next((a.name for a in plan.apps if a.kind == "front"), "<app>")
    branches = sorted({b for a in plan.apps for b in _branches(plan, a)})
    smoke: list[str] = []
    for app in plan.apps:
        if not app.public:
            continue
        smoke.append(f"https://{app.name}.fly.dev/")
        for route in app.service.routes:
            target = plan.app_for(route.target_service)
            check = target.health if target is not None else None
            if check is not None and check.path:
                path = route.path_prefix.rstrip("/") + check.path if route.strip_prefix else check.path
                smoke.append(f"https://{app.name}.fly.dev{path}")
    return render("fly/MIGRATION.md.j2", project=plan.project, source=plan.source,
                  apps=plan.apps, region=plan.region, databases=plan.databases, stores=plan.stores,
                  managed=plan.managed_postgres,
                  private=[f"`{a.name}`" for a in plan.apps if (a.http and not a.public) or a.tcp_port is not None],
                  fly_set=fly_set, renamed=renamed, own_image=own_image, front=front,
                  branches=branches, deploy_commands=deploy, smoke_urls=smoke, schedules=schedules,
                  placements=placed, replaced=[path for path, note in placed if note.startswith("**replaces**")],
                  checked=checked,
                  upstash=upstash,
                  turbo_apps=[a.name for a in plan.apps
                              if (a.build_vars or a.build_secrets) and a.workspace is not None
                              and a.workspace.tool == "turbo"])
