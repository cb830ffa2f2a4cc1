"""Plan findings about Render itself (HD900-929): what behaves differently once the setup runs
there. The differ runs :func:`check` when either side is a Render setup; the generic rules
(public/private, health checks, regions...) still apply and are not repeated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hopper.formats.render.names import render_name
from hopper.model import Architecture, Autostop, Service

if TYPE_CHECKING:
    from hopper.findings.context import Context

# (code, slug, category, severity, change, title, why, action, example): rows of the findings
# table (hopper.findings.table), documented in docs/findings.md.
SPECS = (
    ("HD901", "render-no-idle-stop", "scaling", "warning", "change",
     "Render keeps paid services running",
     "The service stopped when idle on the source. Paid Render services run all the time; only "
     "free web services spin down, after 15 idle minutes, and then answer their first request "
     "late (a cold start of up to about a minute).",
     "Expect a steady monthly cost on a paid plan, or accept cold starts on the free plan (web "
     "services only, no private traffic, no disk).",
     ("api", "stops when idle", "always running (starter)")),
    ("HD902", "render-static-build-env", "secrets-env", "warning", "change",
     "a static site's variables exist only while it is built",
     "A Render static site has no runtime: {names} are set while Render builds it and nowhere "
     "else. A value the site reads in the browser must be inlined by the build.",
     "Keep only build-time variables on the static site (VITE_* and the like); read anything "
     "else from the API.",
     ("front", "runtime env", "build-time env")),
    ("HD903", "render-front-public-api", "networking", "warning", "change",
     "the static front reaches {target} through its public URL, a guess to confirm",
     "A Render static site is not on the private network: its rewrite of {prefix}* goes to "
     "https://{target}.onrender.com, so {target} answers the internet directly, and the "
     "route's limits and timeouts are Render's CDN's, not yours. That URL is a guess: no "
     "Blueprint property carries a service's public URL, and Render adds a suffix to a name "
     "that is taken.",
     "Before the first deploy, read {target}'s URL in the dashboard and fix the rewrite in "
     "render.yaml; a Blueprint sync keeps route rules removed from the file, so delete a wrong "
     "rule in the dashboard too. Protect the API (authentication, CORS), or convert with "
     "--option front=nginx to keep it private behind an nginx web service.",
     ("front", "/api/ -> api (private)", "/api/* -> https://webapp-api.onrender.com (public)")),
    ("HD904", "render-front-nginx", "cost", "info", "change",
     "the front is a paid web service running nginx",
     "To keep {targets} private, the front runs the emitted nginx as a web service and proxies "
     "over Render's private network; a static site would be free but would need a public API.",
     "Keep it, or convert with --option front=static for a free static site and a public API.",
     ("front", "nginx", "web service (docker, nginx)")),
    ("HD905", "render-regions-split", "placement", "warning", "change",
     "components in several Render regions",
     "Render's private network does not span regions: services in {regions} cannot reach each "
     "other or each other's databases privately.",
     "Put every service and database that talk to each other in one region.",
     ("architecture", "one region", "oregon, frankfurt")),
    ("HD906", "render-secrets-at-creation", "secrets-env", "info", "change",
     "Render asks for secret values only when the Blueprint is created",
     "{names} are written as names (sync: false). Render prompts for them once, when the "
     "Blueprint is first created; a secret added to render.yaml later is not prompted for.",
     "Have the values ready for the Blueprint creation; set later additions in the dashboard.",
     ("api", "secrets in the source", "sync: false")),
)

# Where each finding points (hopper.findings.points): the component, as a whole.
FILE_LEVEL = {
    "HD901": "the service (its plan decides whether it spins down)",
    "HD902": "the static site's envVars",
    "HD903": "the static site's rewrite route",
    "HD904": "the front's service entry",
    "HD905": "none (the whole setup)",
    "HD906": "the service's envVars",
}


def check(ctx: Context) -> None:
    if ctx.after_platform != "render":
        return
    after = ctx.after
    for pair, b, a in ctx.paired_services():
        name = pair.name
        if b.scaling.autostop in (Autostop.STOP, Autostop.SUSPEND) and a.runtime.port is not None:
            ctx.emit("HD901", name, before="stops when idle", after="always running",
                     evidence_before=b, evidence_after=a)
        if _is_static(a):
            names = sorted(set(a.runtime.env) | set(a.runtime.secret_env))
            if names:
                ctx.emit("HD902", name, before="runtime env", after="build-time env",
                         names=", ".join(names), evidence_after=a)
            for route in a.routes:
                # The URL is the one the Blueprint names: the target's Render name (project prefix).
                target = after.service(route.target_service)
                render = render_name(target.extensions, target.name) if target else route.target_service
                ctx.emit("HD903", name, before=f"{route.path_prefix} -> {route.target_service} (private)"
                         if not _public(ctx.before, route.target_service) else
                         f"{route.path_prefix} -> {route.target_service}",
                         after=f"{route.path_prefix}* -> https://{render}.onrender.com (public)",
                         target=render, prefix=route.path_prefix, evidence_after=a)
        elif a.static_site is not None and a.routes and a.runtime.port is not None:
            targets = ", ".join(sorted({r.target_service for r in a.routes}))
            ctx.emit("HD904", name, before="nginx" if b.static_site else "(none)",
                     after="web service (docker, nginx)", targets=targets, evidence_after=a)
        if a.runtime.secret_env:
            ctx.emit("HD906", name, before="secrets in the source", after="sync: false",
                     names=", ".join(a.runtime.secret_env), evidence_after=a)
    regions = sorted({r.code for r in (after.placement.primary, *after.placement.others) if r})
    if len(regions) > 1:
        ctx.emit("HD905", "architecture", kind="architecture", before="one region",
                 after=", ".join(regions), regions=", ".join(regions))


def _is_static(svc: Service) -> bool:
    return svc.static_site is not None and svc.runtime.port is None and svc.build is not None


def _public(arch: Architecture, name: str) -> bool:
    svc = arch.service(name)
    return svc is not None and svc.public
