"""What every format provides, and the option and result records passed in and out.

A reader turns files into a model plus diagnostics and never writes. A writer is pure: model in,
``{relative POSIX path: text}`` plus diagnostics out. Neither prints nor exits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hopper.diagnostics import DEFAULT_LIMITS, Diagnostic, Limits

if TYPE_CHECKING:
    from hopper.cost import CostEstimate
    from hopper.model import Architecture, Service


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadOptions:
    files: tuple[str, ...] = ()  # explicit files (compose -f), relative to the cwd or absolute
    profiles: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    # The process environment used for interpolation. None means "none at all" (the library is
    # hermetic by default); the CLI passes os.environ.
    environ: Mapping[str, str] | None = None
    interpolate: bool = True
    limits: Limits = DEFAULT_LIMITS
    scan_code: bool = False  # also scan application source for env var reads
    variant: str | None = None  # Fly: the environment variant to read (fly.<variant>.toml)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadResult:
    model: Architecture
    diagnostics: tuple[Diagnostic, ...] = ()
    # The folder the model's relative paths start from, when the reader chose another one than
    # the folder given (a compose file in docker/ building `../api` reads from the repository).
    root: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteOptions:
    region: str | None = None  # the target platform's region code
    org: str | None = None
    app_prefix: str | None = None
    # One writer's flags (each format's ``Platform.write_flags`` says which it reads and their
    # values); a flag declared later by a format goes to ``extra`` instead of a field here.
    autostop: str | None = None
    min_running: int | None = None
    postgres: str | None = None
    redis: str | None = None
    # The values of the target's ``--option NAME=VALUE`` (``Platform.options``), and of its
    # write flags that have no field above.
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteResult:
    files: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...] = ()


class Reader(Protocol):
    def __call__(self, path: Path, options: ReadOptions) -> ReadResult: ...


class Writer(Protocol):
    def __call__(self, arch: Architecture, options: WriteOptions) -> WriteResult: ...


class Validator(Protocol):
    """An offline check of a setup in the format's own terms (``hopper validate``)."""

    def __call__(self, path: Path, limits: Limits, source: Path | None) -> tuple[Diagnostic, ...]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteFlag:
    """A ``hopper convert`` option the format's writer reads (``--autostop``).

    The CLI builds the option from the registry (its help says which platforms read it) and
    refuses it with a target that does not. Its value reaches the writer in the ``WriteOptions``
    field named after it (``--app-prefix``: ``app_prefix``), or, for a flag ``WriteOptions``
    has no field for, in ``WriteOptions.extra`` under that name, as text. Formats that read the
    same flag declare the same record (the shared ones are below; tests/core/test_registry.py).
    """

    name: str  # "--min-running"
    help: str  # what it sets, without the platforms ("autostop for HTTP apps.")
    choices: tuple[str, ...] = ()  # the values it takes; () any value of ``type``
    type: str = "str"  # "str" or "int"
    metavar: str | None = None  # the value's placeholder in help ("REGION"), without choices
    min: int | None = None  # the least value of an "int" flag

    @property
    def field(self) -> str:
        """The ``WriteOptions`` field (or ``extra`` key) the value goes to."""
        return self.name.removeprefix("--").replace("-", "_")


# The flags several writers read.
REGION = WriteFlag(name="--region", metavar="REGION",
                   help="target region code (default: nearest to the source).")
ORG = WriteFlag(name="--org", metavar="ORG", help="target organisation.")
APP_PREFIX = WriteFlag(name="--app-prefix", metavar="PREFIX", help="prefix for app names.")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadFlag:
    """A command-line option only this format's reader reads (``--variant``): the CLI shows
    ``help`` for it (the option itself, its value and its ``ReadOptions`` field are the CLI's)."""

    name: str  # "--profile"
    help: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetOption:
    """An option only this format's writer reads, given as ``--option NAME=VALUE``; the value
    reaches the writer in ``WriteOptions.extra[NAME]`` (the default when not given)."""

    name: str
    choices: tuple[str, ...]
    default: str
    help: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseTiming:
    """When the platform runs a service's release command, what that means for a command
    written for another platform's moment, and what to do (``{service}``, ``{command}``)."""

    when: str
    consequence: str
    remedy: str
    # When the reader found the command inside the service's own start command instead.
    in_command: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleRunner:
    """How the platform runs a scheduled job (``{service}``: the job's service), for the plan."""

    how: str
    # Each instance of the service runs the job (so N instances run it N times each time).
    every_instance: bool = False
    # What runs it exactly once, when the platform does ("one Machine of the cron group").
    once: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanHints:
    """How to do, on this platform and in its own terms, what a plan finding asks for: each is
    the clause the finding's "what to do" ends with when the platform is the target (it may use
    the finding's placeholders: ``{name}``, ``{path}``, ``{domain}``). None: hopper knows no way
    of the platform's own, and the finding says only what holds anywhere
    (``hopper.findings.hints``)."""

    set_secrets: str | None = None  # set secret values before the first deploy (HD301-304)
    build_secret: str | None = None  # hand a secret to the build (HD311, HD312)
    build_arg: str | None = None  # hand a plain value to the build (HD315)
    keep_private: str | None = None  # keep a service off the internet (HD401)
    add_domain: str | None = None  # serve a custom domain (HD409)
    health_check: str | None = None  # check that a service answers (HD706)
    release_command: str | None = None  # run a command on each deploy (HD704)
    schedule: str | None = None  # run a cron job (HD720)
    instances: str | None = None  # run two or more instances (HD206)
    memory: str | None = None  # give an instance more memory (HD208)
    keep_running: str | None = None  # keep an instance running when idle (HD201, HD202, HD204)
    volume: str | None = None  # keep a folder across restarts (HD619; ``{target}``: its path)
    spa_fallback: str | None = None  # serve the index for unknown paths (HD512)
    database_ha: str | None = None  # a standby database (HD607)
    public_bucket: str | None = None  # make a bucket readable by anyone (HD615)
    # Whole sentences added after the text, where the platform has something to say:
    volume_scope: str | None = None  # what a volume is tied to (HD620)
    database_near_apps: str | None = None  # keep the database next to the apps (HD424, HD427)


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    """What the rest of hopper needs to know about a format's platform.

    The differ, the code scan, the cost estimate, the conversion matrix and the CLI read these
    facts from the registry instead of naming platforms; tests/test_registry.py fails when a
    registered format leaves one out.
    """

    label: str  # how users name the platform ("Fly.io")
    rank: int  # listing order (CLI choices, matrix columns)
    detect_priority: int  # detection order: lower first; compose last (others carry one for dev)
    secret_store: str  # where secret values live on the platform
    tls_edge: str | None  # who terminates HTTPS ("platform edge (fly)"); None: nobody by default
    dockerfile_builds: bool  # a build without a named Dockerfile still uses "Dockerfile"
    build_sees_runtime_env: bool  # the build runs with the app's runtime env vars set
    hosts_are_service_names: bool  # a service's private host name is its bare name (compose)
    has_regions: bool  # mappings/regions.toml has a section for it
    # The ``convert`` flags the writer reads, in help order (REGION, ORG... and its own).
    write_flags: tuple[WriteFlag, ...] = ()
    options: tuple[TargetOption, ...] = ()
    read_flags: tuple[ReadFlag, ...] = ()  # the reader's own options (compose's --profile)
    # Dot-folders of a checkout holding the app's own files for the platform (hooks, scripts):
    # the code scan walks them, as it skips every other hidden folder.
    hidden_folders: tuple[str, ...] = ()
    # The help of a command only this platform serves: ``{"validate": (the command's help,
    # its PATH's help)}``; "validate" with ``validate``, "verify" for the local runtime's sets.
    command_help: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # How other services reach ``svc`` privately, as a short label; None when unknown.
    private_network: Callable[[Service], str | None] | None = None
    # How the services that proxy to ``svc`` reach it, when it is not just the private label
    # (Clever Cloud: the public domain its edge routes); and what each private mode means.
    reach: Callable[[Service, Architecture], str | None] | None = None
    reach_detail: Mapping[str, str] = field(default_factory=dict)
    release_timing: ReleaseTiming | None = None
    schedules: ScheduleRunner | None = None  # None: no runner of its own to name in the plan
    # The monthly estimate of a model read from this platform; None: not priced.
    cost: Callable[[Architecture], CostEstimate | None] | None = None
    cost_note: str | None = None  # said instead of an estimate when ``cost`` is None
    # The conversion matrix column: ``{"Class.field": "read/write: note"}``.
    matrix: Callable[[], Mapping[str, str]] | None = None
    # Where the reader finds each model field the plan's findings point at, for
    # docs/findings.md: ``{"scaling.autostop": "`auto_stop_machines`"}`` (``plan_keys.toml``).
    # None: the reader records no key locations, so findings point at the component.
    plan_keys: Callable[[], Mapping[str, str]] | None = None
    # The format's own offline checks of a setup (``hopper validate``); None: it has none.
    validate: Validator | None = None
    # A module of the format with plan findings about its platform: ``SPECS`` (rows of the
    # findings table, in the format's code range) and ``check(ctx)``, run when either side of a
    # diff is this platform.
    findings_module: str | None = None
    # The HOP code ranges of the format's own diagnostics and the docs page listing each:
    # ``(first, last, "page.md")``, the first that holds a code wins (SARIF's helpUri).
    doc_pages: tuple[tuple[int, int, str], ...] = ()
    # How to make the platform's edge redirect plain HTTP to HTTPS (the HD407 remedy), in its own
    # terms; None: hopper knows no such setting, so the remedy says to redirect in the app.
    force_https_how: str | None = None
    # What a push does when the platform itself deploys on each commit (the HD711 text), e.g.
    # Render's Git-based services (autoDeployTrigger: commit); None: only a pipeline deploys.
    push_deploys: str | None = None
    # How the platform builds ``svc`` when the build record alone would say otherwise (a front
    # the writer runs from a Dockerfile of its own on a platform that otherwise builds from
    # source), for the plan's "built differently" finding; None, or a None answer: the record says.
    describe_build: Callable[[Service], str | None] | None = None
    # How to do, in its own terms, what the plan's findings ask for on it as the target.
    hints: PlanHints = PlanHints()


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    detect: Callable[[Path], bool]
    read: Reader | None
    write: Writer | None
    platform: Platform


def process_environ() -> Mapping[str, str]:
    """A snapshot of the process environment, for callers that want Compose's behaviour."""
    return dict(os.environ)


def matrix_column(package: str) -> Callable[[], Mapping[str, str]]:
    """A loader for the ``matrix.toml`` next to a format's ``__init__`` (its matrix column)."""
    return format_table(package, "matrix.toml")


def format_table(package: str, filename: str) -> Callable[[], Mapping[str, str]]:
    """A loader for a flat TOML table of strings in a format's folder (``matrix.toml``,
    ``plan_keys.toml``): read when first asked for, not when the registry loads."""

    def load() -> Mapping[str, str]:
        import importlib.resources  # noqa: PLC0415
        import tomllib  # noqa: PLC0415

        text = importlib.resources.files(package).joinpath(filename).read_text(encoding="utf-8")
        data = tomllib.loads(text)
        return {str(k): str(v) for k, v in data.items() if k != "meta"}

    return load
