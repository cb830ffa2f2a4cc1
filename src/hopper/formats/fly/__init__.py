"""Fly.io: read a folder of apps (fly.toml, Dockerfile, nginx, workflows), write a deployable setup."""

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
    ReadFlag,
    ReadOptions,
    ReadResult,
    ReleaseTiming,
    ScheduleRunner,
    WriteFlag,
    WriteOptions,
    WriteResult,
    format_table,
    matrix_column,
)

if TYPE_CHECKING:
    from hopper.cost import CostEstimate
    from hopper.diagnostics import Diagnostic, Limits
    from hopper.model import Architecture, Service


def detect_setup(path: Path) -> bool:
    """A fly config (``fly.toml``, ``fly.staging.toml``...) as the path, in the folder, or in a
    sub- or sub-subfolder (``web/fly.toml``, ``apps/web/fly.toml``)."""
    from hopper.formats.fly.config_names import is_config_name  # noqa: PLC0415

    if path.is_file():
        return (path.name.endswith(".toml") and path.name.startswith("fly")) or is_config_name(path.name)
    if (path / "fly.toml").is_file():
        return True
    folders = [path]
    for _depth in range(3):
        children: list[Path] = []
        for folder in folders:
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir():
                    if not entry.name.startswith(".") and entry.name not in _SKIP and not entry.is_symlink():
                        children.append(entry)
                elif entry.name.endswith(".toml") and is_config_name(entry.name):
                    return True
        folders = children[:200]
    return False


_SKIP = frozenset({"node_modules", "vendor", "dist", "build", "target", "__pycache__"})


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.fly.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.fly.writer import write  # noqa: PLC0415

    return write(arch, options)


def _validate(path: Path, limits: Limits, source: Path | None) -> tuple[Diagnostic, ...]:
    from hopper.formats.fly.validate import validate_path  # noqa: PLC0415

    return validate_path(path, limits, source=source)


def private_network(svc: Service) -> str | None:
    """How other apps reach ``svc``: ``extensions["fly"]["private_network"]`` is ``"flycast"``
    or ``"internal"``; ``flycast = true`` is accepted as a short form. Unknown: None."""
    fly = svc.extensions.get("fly")
    if isinstance(fly, dict):
        mode = fly.get("private_network")
        if mode in ("flycast", "internal"):
            return str(mode)
        if fly.get("flycast") is True:
            return "flycast"
    return None


def reach(svc: Service, arch: Architecture) -> str | None:
    """The .flycast or .internal name the front's nginx proxies to (as the reader recorded it)."""
    mode = private_network(svc)
    if mode in REACH_DETAIL:
        fly = svc.extensions.get("fly")
        app = fly.get("app") if isinstance(fly, dict) else None
        return f"{app or svc.name}.{mode} ({'Flycast' if mode == 'flycast' else '6PN'})"
    return mode


REACH_DETAIL = {
    "flycast": "Flycast goes through Fly's private proxy, which balances across the Machines and "
               "starts a stopped one",
    "internal": ".internal resolves to each Machine's private IPv6 address: the app must listen "
                "on IPv6 (::) and be running, as nothing starts a stopped Machine",
}


def _cost(arch: Architecture) -> CostEstimate | None:
    from hopper.formats.fly.cost import estimate  # noqa: PLC0415

    return estimate(arch)


# The writer's own flags (hopper convert --to fly; plan.py and writer.py read them).
FLY_FLAGS = (
    WriteFlag(name="--autostop", choices=("off", "stop", "suspend"), help="autostop for HTTP apps."),
    WriteFlag(name="--min-running", type="int", min=0, metavar="N",
              help="min_machines_running for HTTP apps."),
    WriteFlag(name="--postgres", choices=("managed", "unmanaged"), help="Postgres flavour."),
    WriteFlag(name="--redis", choices=("app", "upstash"),
              help="Redis as a private app (default) or Upstash Redis (flyctl redis create)."),
)

# The plan's remedies in Fly's terms (reference: flyio.md §1.4, §1.7, §1.10, §1.11, §5.5, §6,
# §7.1, §7.3, §8.1, §8.3). The nginx front hopper writes serves the SPA fallback (the neutral one).
HINTS = PlanHints(
    set_secrets="fly secrets set {name}=... --stage (fly secrets import --stage reads several "
                "NAME=VALUE lines from stdin)",
    build_secret="fly deploy --build-secret {name}=... (in CI from a repository secret), read in "
                 "the Dockerfile by a RUN --mount=type=secret,id={name}",
    build_arg="[build.args] in its fly.toml, or fly deploy --build-arg {name}=...",
    keep_private="deploy it with --flycast or --no-public-ips, then check fly ips list",
    add_domain="fly certs add {domain}",
    health_check="[[http_service.checks]] with path {path} in its fly.toml",
    release_command="[deploy] release_command in its fly.toml",
    schedule="a supercronic process group or a scheduled Machine (see MIGRATION.md)",
    instances="fly scale count 2, and keep min_machines_running >= 1",
    memory="memory in the [[vm]] section of its fly.toml",
    keep_running="min_machines_running = 1 or --min-running 1 (it counts only Machines in the "
                 "primary region), or autostop off with --autostop off",
    volume="[[mounts]] in its fly.toml with destination {target}",
    database_ha="Fly Managed Postgres (fly mpg), whose plans all include a replica",
    public_bucket="a Tigris bucket created with fly storage create --public",
    volume_scope="On Fly.io a volume belongs to one Machine in one region: run one Machine per "
                 "volume.",
    database_near_apps="With --postgres unmanaged the database is a Fly app in the apps' region.",
)

FORMAT = Format(
    name="fly",
    description="Fly.io apps (fly.toml per app, Dockerfiles, nginx front, GitHub Actions, setup script)",
    detect=detect_setup,
    read=_read,
    write=_write,
    platform=Platform(
        label="Fly.io",
        rank=30,
        detect_priority=10,
        secret_store="Fly secrets (fly secrets import)",
        tls_edge="platform edge (fly)",
        dockerfile_builds=True,
        build_sees_runtime_env=False,
        hosts_are_service_names=False,
        has_regions=True,
        write_flags=(REGION, ORG, APP_PREFIX, *FLY_FLAGS),
        read_flags=(ReadFlag(name="--variant", help="Fly: the environment to read (fly.NAME.toml; "
                                                     "default fly.toml, then fly.production.toml)."),),
        command_help={
            "validate": ("Check a Fly.io setup offline: flyctl's rules plus hopper's cross-checks.",
                         "A Fly setup: a folder of apps, or one fly.toml."),
            # hopper.runtime, the local Fly-like runtime, runs the sets this writer emits.
            "verify": ("Run a Fly set on a local Fly-like runtime (Linux, root or user namespaces) "
                       "and check it works (docs/verify.md).",
                       "A Fly set hopper wrote (convert --to fly --out OUT)."),
        },
        private_network=private_network,
        reach=reach,
        reach_detail=REACH_DETAIL,
        # Reference: flyio.md §7.3.
        schedules=ScheduleRunner(how="by supercronic in a process group of {service}'s Fly app",
                                 once="one Machine of the cron group"),
        release_timing=ReleaseTiming(
            when="once per deploy, before the new Machines start ([deploy] release_command)",
            consequence="It runs once, on a temporary Machine with the app's env and secrets, "
                        "before the new version starts; Machines started later (restarts, "
                        "autostart, scale-ups) do not run it, and whatever it leaves on disk is gone.",
            remedy="Keep only deploy-time steps (migrations) in it; move per-start work into the "
                   "start command."),
        cost=_cost,
        matrix=matrix_column(__name__),
        plan_keys=format_table(__name__, "plan_keys.toml"),
        findings_module="hopper.formats.fly.findings",
        doc_pages=((386, 389, "fly-output.md"), (300, 359, "validate.md"), (360, 369, "fly-input.md"),
                   (370, 373, "validate.md"), (374, 379, "fly-input.md"), (380, 399, "validate.md"),
                   (500, 599, "fly-output.md")),
        force_https_how="set force_https = true in the service's [http_service] (fly.toml)",
        hints=HINTS,
        validate=_validate,
    ),
)
