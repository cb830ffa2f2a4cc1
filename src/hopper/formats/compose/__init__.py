"""docker-compose: read compose projects, write a compose.yaml that runs the architecture locally."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hopper.formats.base import (
    Format,
    PlanHints,
    Platform,
    ReadFlag,
    ReadOptions,
    ReadResult,
    ReleaseTiming,
    WriteOptions,
    WriteResult,
    format_table,
    matrix_column,
)

if TYPE_CHECKING:
    from hopper.model import Architecture, Service

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def detect_setup(path: Path) -> bool:
    if path.is_file():
        return path.suffix in (".yaml", ".yml")
    return any((path / name).is_file() for name in DEFAULT_FILES)


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.compose.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.compose.writer import write  # noqa: PLC0415

    return write(arch, options)


def private_network(svc: Service) -> str:
    """Every service is reached by its name on the compose network."""
    port = f":{svc.runtime.port}" if svc.runtime.port else ""
    return f"{svc.name}{port} (compose network)"


# The plan's remedies in compose's terms (the keys hopper's compose writer and reader use).
HINTS = PlanHints(
    set_secrets="put it in the .env file compose.yaml reads, which is never committed",
    build_secret="build.secrets in compose.yaml, from a top-level secret read from the environment",
    build_arg="build.args in compose.yaml",
    keep_private="publish no ports for it: expose keeps it on the compose network",
    add_domain="in the TLS proxy you run in front of the compose services",
    health_check="a healthcheck whose test requests {path}",
    release_command="docker compose run --rm <service> <command> before each docker compose up "
                    "(compose has no release step)",
    instances="deploy.replicas: 2",
    memory="deploy.resources.limits.memory",
    volume="a named volume mounted at {target}",
)

FORMAT = Format(
    name="compose",
    description="docker-compose projects (compose.yaml, -f files, include, extends, profiles)",
    detect=detect_setup,
    read=_read,
    write=_write,
    platform=Platform(
        label="docker-compose",
        rank=10,
        # Last: a project on a platform often carries a compose file for local development.
        detect_priority=90,
        secret_store="an untracked .env file or compose secrets",
        tls_edge=None,
        # No edge: compose publishes plain HTTP (the writer's W_EDGE warning says so).
        force_https_how="compose has no edge of its own; the TLS proxy you run in front of it "
                        "must redirect",
        dockerfile_builds=True,
        build_sees_runtime_env=False,
        hosts_are_service_names=True,
        has_regions=False,
        private_network=private_network,
        release_timing=ReleaseTiming(
            when="never by compose itself (kept under x-hopper.release_command)",
            consequence="compose does not run it: nothing applies it before the new version starts.",
            remedy="Run it by hand before starting the new version: docker compose run --rm "
                   "{service} {command}.",
            in_command="at every container start (inside the service's command)"),
        cost_note="compose runs on hosts priced elsewhere",
        hints=HINTS,
        matrix=matrix_column(__name__),
        read_flags=(
            ReadFlag(name="--file", help="A compose file (repeatable; merged in order)."),
            ReadFlag(name="--profile", help="Enable a compose profile (repeatable)."),
            ReadFlag(name="--env-file", help="An env file for interpolation (repeatable)."),
        ),
        doc_pages=((100, 159, "compose-input.md"), (160, 189, "detection.md"), (190, 192, "x-hopper.md"),
                   (193, 199, "detection.md"), (700, 799, "compose-output.md")),
        plan_keys=format_table(__name__, "plan_keys.toml"),
    ),
)
