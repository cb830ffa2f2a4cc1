"""Render: read and write render.yaml Blueprints (web and private services, static sites, crons,
Key Value, Render Postgres), with a runbook and, for an nginx front, its Dockerfile and nginx.conf."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hopper.formats.base import (
    REGION,
    Format,
    PlanHints,
    Platform,
    ReadOptions,
    ReadResult,
    ReleaseTiming,
    ScheduleRunner,
    TargetOption,
    WriteOptions,
    WriteResult,
    matrix_column,
)

if TYPE_CHECKING:
    from hopper.cost import CostEstimate
    from hopper.model import Architecture, Service

BLUEPRINT_NAMES = ("render.yaml", "render.yml")


def detect_setup(path: Path) -> bool:
    """A Blueprint as the path, or at the root of the folder (where Render looks for it)."""
    if path.is_file():
        return path.name in BLUEPRINT_NAMES
    return any((path / name).is_file() for name in BLUEPRINT_NAMES)


def private_network(svc: Service) -> str | None:
    """Render reaches a web or private service by its internal host name (the service name) on
    the region's private network; static sites (no port) are not on it."""
    if svc.runtime.port:
        return f"{_render_name(svc)}:{svc.runtime.port} (Render private network)"
    return None


def _render_name(svc: Service) -> str:
    """The service's name on Render (a Blueprint read back keeps it: names are prefixed)."""
    from hopper.formats.render.names import render_name  # noqa: PLC0415

    return render_name(svc.extensions, svc.name)


def reach(svc: Service, arch: Architecture) -> str | None:
    """A static site's rewrite reaches ``svc`` through its public onrender.com URL; an nginx
    front, over the private network."""
    for owner in arch.services:
        if owner.static_site is not None and owner.runtime.port is None \
                and any(r.target_service == svc.name for r in owner.routes):
            return f"https://{_render_name(svc)}.onrender.com (public; the static site's rewrite)"
    return private_network(svc)


def describe_build(svc: Service) -> str | None:
    """A front served by nginx on a web service is a Docker build of the Dockerfile the writer
    puts in render/<service>/ (its build stage is the Node build the model records); a static
    site and a node service build from source as the record says."""
    b = svc.build
    if svc.static_site is None or svc.runtime.port is None or b is None or b.dockerfile:
        return None
    stage = " ".join(x for x in (b.runtime, b.runtime_version) if x)
    manager = f" with {b.package_manager}" if b.package_manager else ""
    then = f"{stage}{manager}, then nginx" if stage else "nginx"
    return f"Dockerfile render/{svc.name}/Dockerfile, written by hopper ({then})"


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.render.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.render.writer import write  # noqa: PLC0415

    return write(arch, options)


def _cost(arch: Architecture) -> CostEstimate | None:
    from hopper.formats.render.cost import estimate  # noqa: PLC0415

    return estimate(arch)


FRONT_OPTION = TargetOption(
    name="front",
    choices=("nginx", "static"),
    default="nginx",
    help="nginx: the front is a web service running the emitted nginx, and the API stays a "
         "private service; static: a Render static site whose /api/ rewrite reaches the API as a "
         "public web service",
)

# The plan's remedies in Render's terms (reference: render.md §1.3-1.5, §1.7, §2.1, §2.4, §2.5,
# §4.2, §4.4, §7). Render has no object storage: a bucket's remedy is its provider's (neutral).
HINTS = PlanHints(
    set_secrets="give it sync: false in render.yaml and enter the value in the Render dashboard "
                "(Render asks for it only when the Blueprint is first created: set one added "
                "later by hand)",
    # Render builds with the service's env vars set (build_sees_runtime_env).
    build_secret="an env var of the service with sync: false (Render's builds see the service's "
                 "env vars)",
    build_arg="an env var of the service (Render's builds see the service's env vars)",
    keep_private="a private service (type: pserv) has no public URL; --option front=nginx, the "
                 "default, keeps the API one behind the nginx front",
    add_domain="domains: in the service's entry of render.yaml",
    health_check="healthCheckPath: {path}, which Render reads on web services only: a private "
                 "service (pserv) or a worker cannot have one",
    release_command="preDeployCommand in render.yaml",
    schedule="a cron job service (type: cron; its schedule is in UTC)",
    instances="numInstances: 2 in render.yaml (a service with a disk runs one instance)",
    memory="a plan with that much memory: starter 512 MB, standard 2 GB, pro 4 GB, pro plus 8 GB",
    keep_running="a paid plan (only free web services spin down when idle)",
    volume="a disk with mountPath {target} in render.yaml (paid plans only)",
    spa_fallback="a rewrite route of /* to /index.html on the static site, after the /api/* one "
                 "(an nginx front: try_files $uri /index.html)",
    database_ha="a Pro plan with highAvailability.enabled (a Professional workspace, PostgreSQL "
                "13 or later)",
    volume_scope="On Render a service with a disk runs one instance and deploys with a short "
                 "downtime, and the disk is not mounted during the build or the pre-deploy command.",
)

FORMAT = Format(
    name="render",
    description="Render Blueprints (render.yaml: services, static sites, crons, Key Value, Postgres)",
    detect=detect_setup,
    read=_read,
    write=_write,
    platform=Platform(
        label="Render",
        rank=40,
        detect_priority=30,
        secret_store="Render env vars set in the dashboard (sync: false)",
        tls_edge="platform edge (render)",
        # runtime: node builds from the source with Render's tools; docker names its Dockerfile.
        dockerfile_builds=False,
        # Service env vars, linked ones included, are set while Render builds (render.md §2.4,
        # marked uncertain there): a static site's variables matter only then.
        build_sees_runtime_env=True,
        # Render's internal host names are the service names, but hopper does not rely on it for
        # values it reads (a suffix is added when the name is taken): conservative.
        hosts_are_service_names=False,
        has_regions=True,
        write_flags=(REGION,),
        options=(FRONT_OPTION,),
        private_network=private_network,
        reach=reach,
        # A cron job is a service of its own, built like the service it came from (render.md).
        schedules=ScheduleRunner(how="as a Render cron job (type: cron) built like {service}",
                                 once="one run of the cron job"),
        release_timing=ReleaseTiming(
            when="once per deploy, after the build and before the new version starts (preDeployCommand)",
            consequence="It runs once per deploy on separate compute, without the service's disk; "
                        "instances started later (restarts, scale-ups) do not run it, and a failure "
                        "stops the deploy.",
            remedy="Keep only deploy-time steps (migrations) in it; move per-start work into the "
                   "start command."),
        cost=_cost,
        matrix=matrix_column(__name__),
        findings_module="hopper.formats.render.findings",
        doc_pages=((900, 954, "render.md"),),
        # render.md does not say whether Render's edge redirects plain HTTP to HTTPS, nor names a
        # setting for it (§3.3 only: TLS terminates at the edge): force_https_how stays None.
        # Git-based services deploy on each commit by default (autoDeployTrigger: commit, §1.4).
        describe_build=describe_build,
        push_deploys="each push to the linked branch deploys the Git-based services (Render's "
                     "default autoDeployTrigger: commit), without a token",
        hints=HINTS,
    ),
)
