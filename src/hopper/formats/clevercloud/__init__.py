"""Clever Cloud: read Terraform HCL, a `clever` CLI export bundle or repo hints; write Terraform,
a setup script and the repo files Clever needs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hopper.formats.base import (
    APP_PREFIX,
    ORG,
    REGION,
    Format,
    PlanHints,
    Platform,
    ReadOptions,
    ReadResult,
    ReleaseTiming,
    ScheduleRunner,
    WriteOptions,
    WriteResult,
    format_table,
    matrix_column,
)

if TYPE_CHECKING:
    from hopper.cost import CostEstimate
    from hopper.model import Architecture, Service


def detect_setup(path: Path) -> bool:
    from hopper.formats.clevercloud.detect import detect as _detect  # noqa: PLC0415

    return _detect(path)


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.clevercloud.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.clevercloud.writer import write  # noqa: PLC0415

    return write(arch, options)


def reach(svc: Service, arch: Architecture) -> str | None:
    """Apps have no private network: the front's routes reach ``svc`` through the public domain
    whose path prefix Clever's edge routes to it."""
    for owner in arch.services:
        for route in owner.routes:
            if route.target_service == svc.name:
                domain = owner.domains[0] if owner.domains else f"{owner.name}'s domain"
                return (f"{domain}{route.path_prefix.rstrip('/')} "
                        "(public; Clever Cloud's edge routes it)")
    return None


def _cost(arch: Architecture) -> CostEstimate | None:
    from hopper.formats.clevercloud.cost import estimate  # noqa: PLC0415

    return estimate(arch)


# The plan's remedies in Clever Cloud's terms (reference: clevercloud.md §1.3, §1.5, §1.7, §2.3,
# §2.4, §2.5, §4.1, §4.2, §5.1, §7.1, §7.3). It has no scale to zero (nothing to keep running)
# and no private apps of its own to offer (the neutral clause).
HINTS = PlanHints(
    set_secrets="clever env set {name} ..., an env var kept out of the repository",
    # Clever Cloud builds with the app's env vars set (build_sees_runtime_env).
    build_secret="an env var of the app (clever env set {name} ...), which its build sees",
    build_arg="an env var of the app, which its build sees",
    add_domain="clever domain add {domain}",
    health_check="CC_HEALTH_CHECK_PATH={path}, which must answer 200 before a deployment is "
                 "declared OK",
    release_command="CC_PRE_RUN_HOOK, which runs before every instance start",
    schedule="a line of clevercloud/cron.json (UTC; it runs on every instance)",
    instances="clever scale --min-instances 2",
    memory="a flavor with that much memory, set with clever scale --flavor: nano 512 MiB, "
           "XS 1 GiB, S 2 GiB, M 4 GiB",
    volume="an FS Bucket add-on mounted at {target} with CC_FS_BUCKET (not on Docker apps)",
    spa_fallback="an .htaccess in the webroot that rewrites unknown paths to /index.html "
                 "(static-apache)",
    database_ha="replicas, which Clever Cloud sets up on request (up to 2, PostgreSQL 12 or later)",
    public_bucket="a Cellar bucket policy allowing s3:GetObject to everyone, or public-read ACLs",
)

FORMAT = Format(
    name="clevercloud",
    description="Clever Cloud (Terraform clevercloud provider, `clever` CLI export bundle, repo hints)",
    detect=detect_setup,
    read=_read,
    write=_write,
    platform=Platform(
        label="Clever Cloud",
        rank=20,
        detect_priority=20,
        secret_store="Clever Cloud env vars kept out of the repository",
        tls_edge="platform edge (clevercloud)",
        # Clever Cloud builds from the source with its runtime's tools, on the instance, with
        # the app's env vars already set.
        dockerfile_builds=False,
        build_sees_runtime_env=True,
        hosts_are_service_names=False,
        has_regions=True,
        write_flags=(REGION, ORG, APP_PREFIX),
        hidden_folders=(".clevercloud",),  # its hooks and per-runtime settings
        reach=reach,
        # Reference: clevercloud.md §1.7.
        schedules=ScheduleRunner(how="from clevercloud/cron.json on every instance of {service}",
                                 every_instance=True),
        release_timing=ReleaseTiming(
            when="before every instance start (CC_PRE_RUN_HOOK)",
            consequence="It runs again at every start of every instance (restarts and scale-ups "
                        "included), possibly on several instances at once.",
            remedy="Make it idempotent and safe to run concurrently (a migration tool's lock), or "
                   "move one-off steps out of CC_PRE_RUN_HOOK."),
        cost=_cost,
        matrix=matrix_column(__name__),
        doc_pages=((400, 499, "clevercloud.md"),),
        plan_keys=format_table(__name__, "plan_keys.toml"),
        # clevercloud.md §1.9: an app setting, not an env var.
        force_https_how="turn on the app's Force HTTPS setting (clever config id force-https)",
        hints=HINTS,
    ),
)
