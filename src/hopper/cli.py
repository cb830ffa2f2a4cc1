"""The command line: the only module that prints, colours or chooses an exit code.

Exit codes (also in ``hopper --help`` and docs/cli.md):

* 0: success (for ``diff --detailed-exitcode``: no changes)
* 1: bad input, refused operation, or warnings under ``--strict``
* 2: changes present (only with ``diff --detailed-exitcode``)
* 3: internal error (a bug in hopper: please report it)
* 64: command-line usage error
* 130: interrupted
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import traceback
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from hopper._version import __version__
from hopper.cli_locations import TypedRoot
from hopper.diagnostics import DEFAULT_LIMITS, Diagnostic, HopperError, Limits, Severity
from hopper.formats import FORMAT_NAMES
from hopper.formats.base import ReadOptions, WriteOptions, process_environ

# Typer 0.29 vendors click; reach its exception classes through a public class's bases so this
# works with both the vendored and the standalone click.
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_CHANGES = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130

EPILOG = ("Exit codes: 0 ok; 1 bad input or warnings under --strict; 2 changes present "
          "(diff --detailed-exitcode); 3 internal error; 64 usage error; 130 interrupted.")
# Each command's help names only the exit codes it can return (and --strict only where it exists).
_EXIT_TAIL = "3 internal error; 64 usage error; 130 interrupted."
EPILOG_STRICT = f"Exit codes: 0 ok; 1 bad input or warnings under --strict; {_EXIT_TAIL}"
EPILOG_CONVERT = ("Exit codes: 0 ok; 1 bad input, refused write (existing files without --force) "
                  f"or warnings under --strict; {_EXIT_TAIL}")
EPILOG_DIFF = ("Exit codes: 0 ok (no changes, with --detailed-exitcode); 1 bad input, or "
               "unacknowledged findings at --fail-on; 2 changes present (with --detailed-exitcode); "
               f"{_EXIT_TAIL}")
EPILOG_REWRITE = f"Exit codes: 0 ok; 1 bad input or refused write; {_EXIT_TAIL}"
EPILOG_PLAIN = f"Exit codes: 0 ok; {_EXIT_TAIL}"

app = typer.Typer(
    name="hopper",
    help="Move a web application's deployment between docker-compose, Clever Cloud and Fly.io, "
         "and show what changes before anything is deployed. The options below may also follow "
         "the command.",
    epilog=EPILOG,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    debug = False
    verbose = False
    quiet = False
    # The project path as typed: printed locations are prefixed with it (hopper.cli_locations).
    root: TypedRoot | None = None


STATE = _State()


class SourceFormat(StrEnum):
    compose = "compose"
    clevercloud = "clevercloud"
    fly = "fly"


class InspectFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"
    mermaid = "mermaid"


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"


class AutostopChoice(StrEnum):
    off = "off"
    stop = "stop"
    suspend = "suspend"


class PostgresChoice(StrEnum):
    managed = "managed"
    unmanaged = "unmanaged"


class FailOn(StrEnum):
    warning = "warning"
    breaking = "breaking"


def _choices(enum: type[StrEnum]) -> str:
    """One placeholder style in help: UPPER-CASE names for values, [a|b] for a choice."""
    return "[" + "|".join(m.value for m in enum) + "]"


class _Command(typer.core.TyperCommand):
    """Usage lines name arguments as the options' placeholders do (``PATH``, not typer's
    ``{PATH}``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # click's Context (vendored or not)
        return [re.sub(r"\{([A-Z_]+)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]


# ------------------------------------------------------------------------------ output helpers

# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    """Escape control characters so input values cannot drive the terminal (keeps newlines).

    A regular expression, not a loop over characters: ``inspect`` of 1000 services prints
    1.3 MB, which a per-character loop took ~130 ms to scan.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _err(line: str) -> None:
    sys.stderr.write(_clean(line) + "\n")


def _out(text: str) -> None:
    sys.stdout.write(_clean(text))
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def _print_diagnostic(diag: Diagnostic) -> None:
    if STATE.root is not None:
        (diag,) = STATE.root.relocate((diag,))
    _err(diag.render())
    if diag.hint:
        _err(f"  hint: {diag.hint}")


def _report(diagnostics: tuple[Diagnostic, ...]) -> None:
    """Warnings always go to stderr; info notes with --verbose; nothing with --quiet but errors."""
    for diag in sorted(diagnostics, key=lambda d: d.sort_key()):
        if diag.severity is Severity.INFO and not STATE.verbose:
            continue
        if diag.severity is Severity.WARNING and STATE.quiet:
            continue
        _print_diagnostic(diag)


def _strict_failure(diagnostics: tuple[Diagnostic, ...]) -> bool:
    return any(d.severity is not Severity.INFO for d in diagnostics)


def _strict_error(diagnostics: tuple[Diagnostic, ...], outcome: str = "") -> None:
    """The HOP050 line docs/errors.md promises: how many warnings, the first one and where."""
    from hopper.api import E_STRICT  # noqa: PLC0415

    warnings = sorted((d for d in diagnostics if d.severity is not Severity.INFO),
                      key=lambda d: d.sort_key())
    first = warnings[0]
    _print_diagnostic(Diagnostic(
        code=E_STRICT, severity=Severity.ERROR, location=first.location,
        message=f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''} under --strict{outcome}; the first: {first.message} "
                f"[{first.code}]",
        hint="fix what the warnings name, or run without --strict to accept them"))


def _read_options(files: list[str] | None, profiles: list[str] | None,
                  env_files: list[str] | None, *, interpolate: bool = True,
                  scan_code: bool = False, limits: Limits = DEFAULT_LIMITS,
                  variant: str | None = None) -> ReadOptions:
    return ReadOptions(
        limits=limits,
        files=tuple(files or ()),
        profiles=tuple(profiles or ()),
        env_files=tuple(env_files or ()),
        environ=process_environ(),
        interpolate=interpolate,
        scan_code=scan_code,
        variant=variant,
    )


# ------------------------------------------------------------------------------ callbacks

def _version_callback(value: bool) -> None:
    if value:
        _out(f"hopper {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version_callback,
                                          is_eager=True, help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for internal errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print info notes (how hopper decided).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors on stderr.")] = False,
) -> None:
    STATE.debug = debug
    STATE.verbose = verbose
    STATE.quiet = quiet
    STATE.root = None


# ------------------------------------------------------------------------------ inspect

# Limits on what is read (docs/security.md). Each flag overrides one field of Limits.
MaxInputBytes = Annotated[int | None, typer.Option("--max-input-bytes", min=1, metavar="N", help="Largest file read, in bytes (default 4 MiB).")]
MaxTotalBytes = Annotated[int | None, typer.Option("--max-total-bytes", min=1, metavar="N", help="Most bytes read in all (default 32 MiB).")]
MaxFiles = Annotated[int | None, typer.Option("--max-files", min=1, metavar="N", help="Most files read (default 2000).")]
MaxDepth = Annotated[int | None, typer.Option("--max-depth", min=1, metavar="N", help="Deepest nesting accepted (default 64).")]
MaxAliasNodes = Annotated[int | None, typer.Option("--max-alias-nodes", min=1, metavar="N", help="Most YAML nodes aliases may expand to (default 100000).")]
MaxServices = Annotated[int | None, typer.Option("--max-services", min=1, metavar="N", help="Most services or apps (default 10000).")]
MaxRoutes = Annotated[int | None, typer.Option("--max-routes", min=1, metavar="N", help="Most nginx locations or routes (default 1000).")]


def _limits(max_input_bytes: int | None, max_total_bytes: int | None, max_files: int | None,
            max_depth: int | None, max_alias_nodes: int | None, max_services: int | None,
            max_routes: int | None) -> Limits:
    given = {
        "max_file_bytes": max_input_bytes, "max_total_bytes": max_total_bytes,
        "max_files": max_files, "max_depth": max_depth, "max_alias_nodes": max_alias_nodes,
        "max_services": max_services, "max_routes": max_routes,
    }
    return replace(DEFAULT_LIMITS, **{k: v for k, v in given.items() if v is not None})


FilesOpt = Annotated[list[str] | None, typer.Option("--file", "-f", metavar="FILE", help="A compose file (repeatable; merged in order).")]
ProfileOpt = Annotated[list[str] | None, typer.Option("--profile", metavar="NAME", help="Enable a compose profile (repeatable).")]
EnvFileOpt = Annotated[list[str] | None, typer.Option("--env-file", metavar="FILE", help="An env file for interpolation (repeatable).")]
FromOpt = Annotated[SourceFormat | None, typer.Option("--from", metavar=_choices(SourceFormat), help="The source format (detected when omitted).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors: exit 1 with HOP050, naming the first.")]
VariantOpt = Annotated[str | None, typer.Option("--variant", metavar="NAME", help="Fly: the environment to read (fly.NAME.toml; default fly.toml, then fly.production.toml).")]


@app.command(cls=_Command, epilog=EPILOG_STRICT)
def inspect(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A project folder or a setup file.")],
    from_: FromOpt = None,
    file: FilesOpt = None,
    profile: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    variant: VariantOpt = None,
    fmt: Annotated[InspectFormat, typer.Option("--format", metavar=_choices(InspectFormat), help="text summary, the native model as yaml/json, or a mermaid diagram.")] = InspectFormat.text,
    with_origin: Annotated[bool, typer.Option("--with-origin", help="Include file:line provenance in yaml/json.")] = False,
    no_interpolate: Annotated[bool, typer.Option("--no-interpolate", help="Do not substitute ${VARS}.")] = False,
    scan_code: Annotated[bool, typer.Option("--scan-code", help="Also scan application code for env var reads.")] = False,
    strict: StrictOpt = False,
    max_input_bytes: MaxInputBytes = None,
    max_total_bytes: MaxTotalBytes = None,
    max_files: MaxFiles = None,
    max_depth: MaxDepth = None,
    max_alias_nodes: MaxAliasNodes = None,
    max_services: MaxServices = None,
    max_routes: MaxRoutes = None,
) -> int:
    """Read a setup and show the architecture hopper understood."""
    from hopper import api  # noqa: PLC0415

    STATE.root = TypedRoot(path)
    result = api.load(path, fmt=from_.value if from_ else None,
                      options=_read_options(file, profile, env_file, interpolate=not no_interpolate,
                                            scan_code=scan_code, limits=_limits(max_input_bytes, max_total_bytes, max_files, max_depth, max_alias_nodes, max_services, max_routes),
                                            variant=variant))
    _report(result.diagnostics)
    if strict and _strict_failure(result.diagnostics):
        _strict_error(result.diagnostics)
        return EXIT_INPUT
    if fmt is InspectFormat.text:
        from hopper.summary import render_summary  # noqa: PLC0415

        _out(render_summary(result.model, result.diagnostics))
    elif fmt is InspectFormat.mermaid:
        from hopper.report import render_mermaid  # noqa: PLC0415

        _out(render_mermaid(result.model))
    else:
        from hopper import native  # noqa: PLC0415

        _out(native.dump(result.model, fmt.value, with_origin=with_origin))
    return EXIT_OK


# ------------------------------------------------------------------------------ convert

@app.command(cls=_Command, epilog=EPILOG_CONVERT)
def convert(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A project folder or a setup file.")],
    to: Annotated[SourceFormat, typer.Option("--to", metavar=_choices(SourceFormat), help="The target platform.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="DIR", help="Folder to write into (required unless --dry-run).")] = None,
    from_: FromOpt = None,
    file: FilesOpt = None,
    profile: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    variant: VariantOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; list the files and print the migration plan.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files in --out.")] = False,
    region: Annotated[str | None, typer.Option("--region", metavar="REGION", help="fly, clevercloud: target region code (default: nearest to the source).")] = None,
    org: Annotated[str | None, typer.Option("--org", metavar="ORG", help="fly, clevercloud: target organisation.")] = None,
    app_prefix: Annotated[str | None, typer.Option("--app-prefix", metavar="PREFIX", help="fly, clevercloud: prefix for app names.")] = None,
    autostop: Annotated[AutostopChoice | None, typer.Option("--autostop", metavar=_choices(AutostopChoice), help="fly only: autostop for HTTP apps.")] = None,
    min_running: Annotated[int | None, typer.Option("--min-running", min=0, metavar="N", help="fly only: min_machines_running for HTTP apps.")] = None,
    postgres: Annotated[PostgresChoice | None, typer.Option("--postgres", metavar=_choices(PostgresChoice), help="fly only: Postgres flavour.")] = None,
    report: Annotated[ReportFormat, typer.Option("--format", metavar=_choices(ReportFormat), help="Plan format for --dry-run.")] = ReportFormat.text,
    scan_code: Annotated[bool, typer.Option("--scan-code/--no-scan-code", help="Scan application code for the env vars it reads (build-time variables, names the target must provide).")] = True,
    strict: StrictOpt = False,
    max_input_bytes: MaxInputBytes = None,
    max_total_bytes: MaxTotalBytes = None,
    max_files: MaxFiles = None,
    max_depth: MaxDepth = None,
    max_alias_nodes: MaxAliasNodes = None,
    max_services: MaxServices = None,
    max_routes: MaxRoutes = None,
) -> int:
    """Write the equivalent setup for another platform."""
    from hopper import api, output  # noqa: PLC0415

    if out is None and not dry_run:
        raise _UsageError("--out is required (or use --dry-run)")
    _refuse_flags_without_effect(to.value, {
        "--region": region, "--org": org, "--app-prefix": app_prefix, "--autostop": autostop,
        "--min-running": min_running, "--postgres": postgres})
    if report is not ReportFormat.text and not dry_run:
        raise _UsageError("--format chooses the plan's format, which only --dry-run prints")
    STATE.root = TypedRoot(path)
    options = WriteOptions(
        region=region, org=org, app_prefix=app_prefix,
        autostop=autostop.value if autostop else None, min_running=min_running,
        postgres=postgres.value if postgres else None,
    )
    result = api.convert(path, to.value, fmt=from_.value if from_ else None,
                         read_options=_read_options(file, profile, env_file, scan_code=scan_code,
                                                    limits=_limits(max_input_bytes, max_total_bytes, max_files, max_depth, max_alias_nodes, max_services, max_routes),
                                                    variant=variant),
                         write_options=options, strict=False)
    _report(result.diagnostics)
    if strict and _strict_failure(result.diagnostics):
        _strict_error(result.diagnostics, "; nothing written")
        return EXIT_INPUT
    if dry_run:
        # Only the text plan shares stdout with the file list: JSON, Markdown and GitHub
        # annotations are read by programs (jq, a PR comment, the runner), so the list goes to stderr.
        listing = _out if report is ReportFormat.text else _err
        if report is ReportFormat.text or not STATE.quiet:
            listing("Files hopper would write:")
            for rel in sorted(result.files):
                listing(f"  + {rel}")
        plan_text = _dry_run_plan(result, to.value, report, scan_code=scan_code)
        if plan_text:
            _out(plan_text)
        return EXIT_OK
    assert out is not None
    written = output.write_tree(out, result.files, force=force)
    if not STATE.quiet:
        _err(f"wrote {len(written)} files to {out}")
    return EXIT_OK


# The targets whose writer reads each option; anywhere else the option would be silently ignored.
_OPTION_TARGETS = {
    "--region": ("fly", "clevercloud"), "--org": ("fly", "clevercloud"),
    "--app-prefix": ("fly", "clevercloud"), "--autostop": ("fly",), "--min-running": ("fly",),
    "--postgres": ("fly",),
}


def _refuse_flags_without_effect(target: str, given: dict[str, object]) -> None:
    unused = [flag for flag, value in given.items()
              if value is not None and target not in _OPTION_TARGETS[flag]]
    if unused:
        which = " or ".join(f"{flag} (--to {' or '.join(_OPTION_TARGETS[flag])} only)" for flag in unused)
        raise _UsageError(f"--to {target} does not use {which}; remove {'it' if len(unused) == 1 else 'them'}")


def _dry_run_plan(result: object, target: str, fmt: ReportFormat, *, scan_code: bool) -> str | None:
    """Read back what would be written and diff it against the source."""
    try:
        from hopper import diff as differ  # noqa: PLC0415
        from hopper import report as reporter  # noqa: PLC0415
    except ImportError:
        return None
    from hopper import api, output  # noqa: PLC0415

    assert isinstance(result, api.ConvertResult)
    with tempfile.TemporaryDirectory(prefix="hopper-dry-run-") as tmp:
        output.write_tree(Path(tmp), result.files, force=True)
        try:
            # Read back as `diff` reads its AFTER side, so both print the same plan.
            after = api.load(tmp, fmt=target, options=ReadOptions(scan_code=scan_code))
        except HopperError as exc:
            return f"(plan unavailable: the output could not be read back: {exc})"
    plan = reporter.with_source_notes(differ.diff_models(result.source, after.model), result.diagnostics)
    return reporter.render_plan(plan, fmt.value, color=_use_color())


def _use_color() -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


# ------------------------------------------------------------------------------ validate

@app.command(cls=_Command, epilog=EPILOG_STRICT)
def validate(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A Fly setup: a folder of apps, or one fly.toml.")],
    source: Annotated[Path | None, typer.Option("--source", metavar="DIR", help="The repository the set is for: files it refers to but does not carry (your Dockerfiles, your code) are read from there.")] = None,
    strict: StrictOpt = False,
    max_input_bytes: MaxInputBytes = None,
    max_total_bytes: MaxTotalBytes = None,
    max_files: MaxFiles = None,
    max_depth: MaxDepth = None,
    max_alias_nodes: MaxAliasNodes = None,
    max_services: MaxServices = None,
    max_routes: MaxRoutes = None,
) -> int:
    """Check a Fly.io setup offline: flyctl's rules plus hopper's cross-checks."""
    from hopper.formats.fly.validate import validate_path  # noqa: PLC0415

    STATE.root = TypedRoot(path)
    diagnostics = validate_path(path, _limits(max_input_bytes, max_total_bytes, max_files, max_depth, max_alias_nodes, max_services, max_routes), source=source)
    _report(diagnostics)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        return EXIT_INPUT
    if strict and _strict_failure(diagnostics):
        _strict_error(diagnostics)
        return EXIT_INPUT
    if not STATE.quiet:
        count = sum(d.severity is Severity.WARNING for d in diagnostics)
        _err(f"{path}: valid, " + ("no warnings" if count == 0 else
                                   "1 warning" if count == 1 else f"{count} warnings"))
    return EXIT_OK


# ------------------------------------------------------------------------------ verify

@app.command(epilog=EPILOG)
def verify(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="A Fly set hopper wrote (convert --to fly --out OUT).")],
    source: Annotated[Path | None, typer.Option("--source", metavar="DIR", help="The repository the set was converted from (default: OUT, when the set was copied into it).")] = None,
) -> int:
    """Run a Fly set on a local Fly-like runtime (Linux, root) and check it works (docs/verify.md)."""
    from hopper.runtime.netns import RuntimeProblem  # noqa: PLC0415
    from hopper.runtime.run import Interrupted  # noqa: PLC0415
    from hopper.runtime.run import verify as run_verify  # noqa: PLC0415

    try:
        for folder in (out, source):
            if folder is not None and not folder.is_dir():
                _err(f"{folder}: error: no such folder")
                return EXIT_INPUT
        report = run_verify(out, source, None if STATE.quiet else _err)
    except RuntimeProblem as exc:
        _err(f"hopper verify: {exc}")
        return EXIT_INPUT
    except OSError as exc:  # an unreadable file or folder of the set or the source
        _err(f"hopper verify: {exc.filename or ''}: {exc.strerror or exc}")
        return EXIT_INPUT
    except Interrupted:
        _err("interrupted (cleaned up)")
        return EXIT_INTERRUPTED
    _out(report.text())
    return EXIT_OK if report.ok else EXIT_INPUT


# ------------------------------------------------------------------------------ diff

@app.command(cls=_Command, epilog=EPILOG_DIFF)
def diff(
    before: Annotated[Path, typer.Argument(metavar="BEFORE", help="The current setup (any format).")],
    after: Annotated[Path, typer.Argument(metavar="AFTER", help="The setup to compare with (any format).")],
    from_before: Annotated[SourceFormat | None, typer.Option("--from-before", metavar=_choices(SourceFormat), help="Format of BEFORE.")] = None,
    from_after: Annotated[SourceFormat | None, typer.Option("--from-after", metavar=_choices(SourceFormat), help="Format of AFTER.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", metavar=_choices(ReportFormat), help="Report format.")] = ReportFormat.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when there are changes, 0 when none.")] = False,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", metavar=_choices(FailOn), help="Exit 1 on unacknowledged findings of this severity or worse.")] = None,
    ack: Annotated[Path | None, typer.Option("--ack", metavar="FILE", help="Acknowledgement file (default: hopper.ack.yaml if present).")] = None,
    # The same default as convert's, so `diff SOURCE OUT` and `convert --dry-run` give one plan.
    scan_code: Annotated[bool, typer.Option("--scan-code/--no-scan-code", help="Scan application code for the env vars it reads (as convert does).")] = True,
    path_prefix: Annotated[str | None, typer.Option("--path-prefix", metavar="PREFIX", help="--format github: put PREFIX before each file's path as seen from the current folder (default: paths from the root of the git repository holding the current folder).")] = None,
    variant: VariantOpt = None,
    max_input_bytes: MaxInputBytes = None,
    max_total_bytes: MaxTotalBytes = None,
    max_files: MaxFiles = None,
    max_depth: MaxDepth = None,
    max_alias_nodes: MaxAliasNodes = None,
    max_services: MaxServices = None,
    max_routes: MaxRoutes = None,
) -> int:
    """Show the migration plan between two setups: what behaves differently, and what to do."""
    from hopper import api  # noqa: PLC0415
    from hopper import diff as differ  # noqa: PLC0415
    from hopper import report as reporter  # noqa: PLC0415

    limits = _limits(max_input_bytes, max_total_bytes, max_files, max_depth, max_alias_nodes, max_services, max_routes)
    STATE.root = TypedRoot(before)
    a = api.load(before, fmt=from_before.value if from_before else None,
                 options=_read_options(None, None, None, scan_code=scan_code, limits=limits, variant=variant))
    a_diagnostics = STATE.root.relocate(a.diagnostics)
    STATE.root = TypedRoot(after)
    b = api.load(after, fmt=from_after.value if from_after else None,
                 options=_read_options(None, None, None, scan_code=scan_code, limits=limits, variant=variant))
    b_diagnostics = STATE.root.relocate(b.diagnostics)
    STATE.root = None
    _report(a_diagnostics + b_diagnostics)
    plan = reporter.with_source_notes(differ.diff_models(a.model, b.model), a_diagnostics + b_diagnostics)
    ack_path = ack if ack is not None else (Path("hopper.ack.yaml") if Path("hopper.ack.yaml").is_file() else None)
    if ack_path is not None:
        plan = reporter.apply_acks(plan, ack_path)
    if fmt is ReportFormat.github:
        from hopper.cli_locations import repository_paths  # noqa: PLC0415

        plan = repository_paths(plan, before, after, path_prefix)
    _out(reporter.render_plan(plan, fmt.value, color=_use_color()))
    if fail_on is not None and reporter.fails_on(plan, fail_on.value):
        return EXIT_INPUT
    if detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


# ------------------------------------------------------------------------------ rewrite-env

@app.command("rewrite-env", cls=_Command, epilog=EPILOG_REWRITE)
def rewrite_env(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A project folder (its services' source is scanned).")],
    to: Annotated[SourceFormat, typer.Option("--to", metavar=_choices(SourceFormat), help="The target platform whose env names to use.")],
    from_: FromOpt = None,
    write: Annotated[bool, typer.Option("--write", help="Edit the files in place (atomically); without it, only print the diff.")] = False,
) -> int:
    """Rename env var reads in application code to the target platform's names."""
    from hopper.envscan.rewrite import rewrite_project  # noqa: PLC0415

    STATE.root = TypedRoot(path)
    result = rewrite_project(path, to.value, fmt=from_.value if from_ else None, apply=write)
    _report(result.diagnostics)
    if result.diff:
        _out(result.diff)
    elif not STATE.quiet:
        unscanned = sum(d.code == "HOP622" for d in result.diagnostics)
        # Not an all-clear when some code was never looked at.
        _err(f"nothing to rewrite in the code scanned; {unscanned} service(s) were not scanned "
             "(HOP622 above)" if unscanned else "nothing to rewrite")
    return EXIT_OK


# ------------------------------------------------------------------------------ formats

@app.command(cls=_Command, epilog=EPILOG_PLAIN)
def formats() -> int:
    """List the formats hopper reads and writes."""
    from hopper.formats import get_format  # noqa: PLC0415

    for name in FORMAT_NAMES:
        try:
            fmt = get_format(name)
        except ImportError:
            continue
        modes = "+".join(m for m, f in (("read", fmt.read), ("write", fmt.write)) if f is not None)
        _out(f"{name:12} {modes:11} {fmt.description}")
    return EXIT_OK


# ------------------------------------------------------------------------------ entry point

def _print_traceback(exc: BaseException) -> None:
    """The frames of an internal error, without the exception's message: a message can carry an
    input value (``int('p4ssw0rd')``), and --debug output gets pasted into public issues."""
    sys.stderr.write("Traceback (most recent call last; the message is withheld because it may "
                     "contain input values):\n")
    for frame in traceback.format_tb(exc.__traceback__):
        sys.stderr.write(_clean(frame))
    sys.stderr.write(f"{type(exc).__module__}.{type(exc).__qualname__}\n")



# Options of the whole program, accepted after the command too (``hopper convert ... -q``).
_GLOBAL_FLAGS = frozenset({"--debug", "--verbose", "-v", "--quiet", "-q", "--version", "-V"})


def _globals_first(argv: list[str]) -> list[str]:
    """Move global flags given after the command name in front of it, where click parses them.
    They take no value, so no option's value can be mistaken for one; ``--`` ends the search."""
    command_at = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if command_at is None:
        return argv
    tail = argv[command_at:]
    end = command_at + tail.index("--") if "--" in tail else len(argv)
    moved = [a for a in argv[command_at + 1:end] if a in _GLOBAL_FLAGS]
    rest = [a for a in argv[command_at + 1:end] if a not in _GLOBAL_FLAGS]
    return argv[:command_at] + moved + [argv[command_at]] + rest + argv[end:]


def run(argv: list[str]) -> int:
    """Run the CLI and return the exit code; maps every failure to a documented code."""
    command = typer.main.get_command(app)
    argv = _globals_first(argv)
    try:
        rv = command.main(args=argv, prog_name="hopper", standalone_mode=False)
    except _UsageError as exc:
        exc.show(file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_USAGE
    except typer.Abort:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except _ClickException as exc:
        exc.show(file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_USAGE
    except HopperError as exc:
        for diag in exc.diagnostics[:20]:
            _print_diagnostic(diag)
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if STATE.debug:
            _print_traceback(exc)
        _err(f"internal error: {type(exc).__name__} (this is a bug in hopper; rerun with --debug "
             "and report it)")
        return EXIT_INTERNAL
    return int(rv or 0)
