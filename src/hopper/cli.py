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
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from hopper._version import __version__
from hopper.cli_locations import TypedRoot
from hopper.cli_table import (  # noqa: F401 - the choices, importable from here as before
    WRITE_FLAGS,
    FailOn,
    InspectFormat,
    ReportFormat,
    SourceFormat,
    ValidateFormat,
)
from hopper.diagnostics import DEFAULT_LIMITS, Diagnostic, HopperError, Limits, Severity
from hopper.formats import FORMAT_NAMES
from hopper.formats.base import ReadOptions, Validator, WriteOptions, process_environ

# Not `from typing import TYPE_CHECKING` (see hopper/__init__.py): type checkers take any
# TYPE_CHECKING name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hopper.api import ConvertResult

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_CHANGES = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


class UsageProblem(Exception):
    """A command line the parser accepted but the command refuses (exit 64, click's layout)."""


class _State:
    debug = False
    verbose = False
    quiet = False
    # The project path as typed: printed locations are prefixed with it (hopper.cli_locations).
    root: TypedRoot | None = None


STATE = _State()


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


# ------------------------------------------------------------------------------ global flags

def print_version() -> None:
    _out(f"hopper {__version__}")


def print_error(line: str) -> None:
    _err(line)


def set_global_flags(*, debug: bool, verbose: bool, quiet: bool) -> None:
    STATE.debug = debug
    STATE.verbose = verbose
    STATE.quiet = quiet
    STATE.root = None


# ------------------------------------------------------------------------------ inspect

# Limit options (hopper.cli_table.LIMITS) and the fields of Limits they override.
_LIMIT_FIELDS = {
    "max_input_bytes": "max_file_bytes", "max_total_bytes": "max_total_bytes",
    "max_files": "max_files", "max_depth": "max_depth", "max_alias_nodes": "max_alias_nodes",
    "max_services": "max_services", "max_routes": "max_routes",
}


def _limits(given: dict[str, int | None]) -> Limits:
    return replace(DEFAULT_LIMITS, **{_LIMIT_FIELDS[k]: v for k, v in given.items() if v is not None})


def inspect(*, path: Path, from_: SourceFormat | None, file: list[str] | None,
            profile: list[str] | None, env_file: list[str] | None, variant: str | None,
            fmt: InspectFormat, with_origin: bool, no_interpolate: bool, scan_code: bool,
            strict: bool, **limits: int | None) -> int:
    """Read a setup and show the architecture hopper understood."""
    from hopper import api  # noqa: PLC0415

    STATE.root = TypedRoot(path)
    result = api.load(path, fmt=from_.value if from_ else None,
                      options=_read_options(file, profile, env_file, interpolate=not no_interpolate,
                                            scan_code=scan_code, limits=_limits(limits),
                                            variant=variant))
    _report(result.diagnostics)
    if strict and _strict_failure(result.diagnostics):
        _strict_error(result.diagnostics)
        return EXIT_INPUT
    if fmt is InspectFormat.text:
        _out(api.render_summary(result))
    elif fmt is InspectFormat.mermaid:
        _out(api.render_mermaid(result.model))
    else:
        from hopper import native  # noqa: PLC0415

        _out(native.dump(result.model, fmt.value, with_origin=with_origin))
    return EXIT_OK


# ------------------------------------------------------------------------------ convert

def convert(*, path: Path, to: SourceFormat, out: Path | None, from_: SourceFormat | None,
            file: list[str] | None, profile: list[str] | None, env_file: list[str] | None,
            variant: str | None, dry_run: bool, force: bool, option: list[str] | None,
            report: ReportFormat, scan_code: bool, strict: bool,
            **given: str | int | None) -> int:
    """Write the equivalent setup for another platform. ``given``: the writers' flags
    (``cli_table.WRITE_FLAGS``, declared by the formats) and the limits."""
    from hopper import api, output  # noqa: PLC0415

    flags = {p.name: given.pop(p.name, None) for p in WRITE_FLAGS}
    limits: dict[str, int | None] = {k: v for k, v in given.items() if not isinstance(v, str)}
    if out is None and not dry_run:
        raise UsageProblem("--out is required (or use --dry-run)")
    _refuse_flags_without_effect(to.value, {p.decls[0]: flags[p.name] for p in WRITE_FLAGS})
    if report is not ReportFormat.text and not dry_run:
        raise UsageProblem("--format chooses the plan's format, which only --dry-run prints")
    STATE.root = TypedRoot(path)
    options = _write_options(flags, _target_options(to.value, option or []))
    result = api.convert(path, to.value, fmt=from_.value if from_ else None,
                         read_options=_read_options(file, profile, env_file, scan_code=scan_code,
                                                    limits=_limits(limits),
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
        _out(_dry_run_plan(result, to.value, report, scan_code=scan_code, source=path))
        return EXIT_OK
    assert out is not None
    written = output.write_tree(out, result.files, force=force)
    if not STATE.quiet:
        _err(f"wrote {len(written)} files to {out}")
    return EXIT_OK


def _write_options(flags: Mapping[str, str | int | None], extra: dict[str, str]) -> WriteOptions:
    """The writer flags given, in the ``WriteOptions`` field of each flag's name, or in ``extra``
    for a flag declared by a format that WriteOptions has no field for."""
    from dataclasses import fields  # noqa: PLC0415

    known = {f.name for f in fields(WriteOptions)} - {"extra"}
    # A choice arrives as its StrEnum member: the writer gets the plain value.
    values: dict[str, Any] = {n: str(v) if isinstance(v, str) else v for n, v in flags.items() if v is not None}
    extra = {**extra, **{name: str(v) for name, v in values.items() if name not in known}}
    return replace(WriteOptions(extra=extra), **{n: v for n, v in values.items() if n in known})


def _option_targets(flag: str) -> tuple[str, ...]:
    """The targets whose writer reads ``flag`` (each format declares its flags); anywhere else
    the option would be silently ignored. Newest format first, as the messages always listed them."""
    from hopper.formats import get_format  # noqa: PLC0415

    return tuple(n for n in reversed(FORMAT_NAMES)
                 if any(f.name == flag for f in get_format(n).platform.write_flags))


def _target_options(target: str, given: list[str]) -> dict[str, str]:
    """``--option NAME=VALUE`` checked against the options the target's format declares; the
    declared defaults fill the rest."""
    from hopper.formats import get_format  # noqa: PLC0415

    declared = {o.name: o for o in get_format(target).platform.options}
    values = {name: o.default for name, o in declared.items()}
    for item in given:
        name, sep, value = item.partition("=")
        known = ", ".join(f"{n}={'|'.join(o.choices)}" for n, o in sorted(declared.items()))
        if not sep or name not in declared:
            raise UsageProblem(f"--to {target} has no option '{name}' (it has: {known or 'none'})")
        if value not in declared[name].choices:
            raise UsageProblem(f"--option {name} takes {'|'.join(declared[name].choices)}, not '{value}'")
        values[name] = value
    return values


def _refuse_flags_without_effect(target: str, given: dict[str, object]) -> None:
    unused = [flag for flag, value in given.items()
              if value is not None and target not in _option_targets(flag)]
    if unused:
        which = " or ".join(f"{flag} (--to {' or '.join(_option_targets(flag))} only)" for flag in unused)
        raise UsageProblem(f"--to {target} does not use {which}; remove {'it' if len(unused) == 1 else 'them'}")


def _dry_run_plan(result: ConvertResult, target: str, fmt: ReportFormat, *, scan_code: bool,
                  source: Path) -> str:
    """The plan of the conversion (built by ``hopper.conversion_plan``), rendered."""
    from hopper import api  # noqa: PLC0415

    try:
        plan = api.conversion_plan(result, target, scan_code=scan_code)
    except HopperError as exc:
        return f"(plan unavailable: the output could not be read back: {exc})"
    if fmt in (ReportFormat.github, ReportFormat.sarif):
        from hopper.cli_locations import repository_paths  # noqa: PLC0415

        # The files the dry run would write do not exist: annotations and SARIF results are
        # placed on the source's files, named from the repository root.
        plan = replace(plan, findings=tuple(replace(f, evidence_after=None) for f in plan.findings))
        plan = repository_paths(plan, source, source, None)
    return api.render_plan(plan, fmt.value, color=_use_color())


def _use_color() -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


# ------------------------------------------------------------------------------ validate

def validate(*, path: Path, source: Path | None, strict: bool, fmt: ValidateFormat,
             path_prefix: str | None, **limits: int | None) -> int:
    """Check a Fly.io setup offline: flyctl's rules plus hopper's cross-checks."""
    STATE.root = TypedRoot(path)
    diagnostics = _validator()(path, _limits(limits), source)
    _report(diagnostics)
    if fmt is ValidateFormat.sarif:
        from hopper.cli_locations import repository_diagnostics  # noqa: PLC0415
        from hopper.report.sarif import render_diagnostics_sarif  # noqa: PLC0415

        _out(render_diagnostics_sarif(repository_diagnostics(STATE.root.relocate(diagnostics), path_prefix)))
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


def _validator() -> Validator:
    """The offline checks a format declares (``Platform.validate``): Fly.io's, today the only
    one, so ``hopper validate`` needs no --from."""
    from hopper.formats import get_format  # noqa: PLC0415

    found = [check for name in FORMAT_NAMES if (check := get_format(name).platform.validate) is not None]
    assert len(found) == 1, "hopper validate expects exactly one format with offline checks"
    return found[0]


# ------------------------------------------------------------------------------ verify

def verify(*, out: Path, source: Path | None, hold: bool) -> int:
    """Run a Fly set on a local Fly-like runtime (Linux, root or user namespaces) and check it works (docs/verify.md)."""
    from hopper.runtime.netns import RuntimeProblem  # noqa: PLC0415
    from hopper.runtime.run import Interrupted  # noqa: PLC0415
    from hopper.runtime.run import verify as run_verify  # noqa: PLC0415

    try:
        for folder in (out, source):
            if folder is not None and not folder.is_dir():
                _err(f"{folder}: error: no such folder")
                return EXIT_INPUT
        # --hold prints where the apps answer even with --quiet: it is what the user asked for.
        report = run_verify(out, source, _err if hold or not STATE.quiet else None, hold=hold)
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

def diff(*, before: Path, after: Path, from_before: SourceFormat | None,
         from_after: SourceFormat | None, fmt: ReportFormat, detailed_exitcode: bool,
         fail_on: FailOn | None, ack: Path | None, scan_code: bool, path_prefix: str | None,
         variant: str | None, **limits: int | None) -> int:
    """Show the migration plan between two setups: what behaves differently, and what to do."""
    from hopper import api  # noqa: PLC0415

    read_limits = _limits(limits)
    STATE.root = TypedRoot(before)
    a = api.load(before, fmt=from_before.value if from_before else None,
                 options=_read_options(None, None, None, scan_code=scan_code, limits=read_limits, variant=variant))
    a = replace(a, diagnostics=STATE.root.relocate(a.diagnostics))
    STATE.root = TypedRoot(after)
    b = api.load(after, fmt=from_after.value if from_after else None,
                 options=_read_options(None, None, None, scan_code=scan_code, limits=read_limits, variant=variant))
    b = replace(b, diagnostics=STATE.root.relocate(b.diagnostics))
    STATE.root = None
    _report(a.diagnostics + b.diagnostics)
    plan = api.compare(a, b)
    ack_path = ack if ack is not None else (Path("hopper.ack.yaml") if Path("hopper.ack.yaml").is_file() else None)
    if ack_path is not None:
        from hopper.report import apply_acks  # noqa: PLC0415

        plan = apply_acks(plan, ack_path)
    if fmt in (ReportFormat.github, ReportFormat.sarif):
        from hopper.cli_locations import repository_paths  # noqa: PLC0415

        plan = repository_paths(plan, before, after, path_prefix)
    _out(api.render_plan(plan, fmt.value, color=_use_color()))
    if fail_on is not None and api.fails_on(plan, fail_on.value):
        return EXIT_INPUT
    if detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


# ------------------------------------------------------------------------------ rewrite-env

def rewrite_env(*, path: Path, to: SourceFormat, from_: SourceFormat | None, write: bool) -> int:
    """Rename env var reads in application code to the target platform's names."""
    from hopper import api  # noqa: PLC0415

    STATE.root = TypedRoot(path)
    result = api.rewrite_env(path, to.value, fmt=from_.value if from_ else None, apply=write)
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

def formats() -> int:
    """List the formats hopper reads and writes, with the flags and options each writer reads."""
    from hopper.formats import get_format  # noqa: PLC0415

    for name in FORMAT_NAMES:
        try:
            fmt = get_format(name)
        except ImportError:
            continue
        modes = "+".join(m for m, f in (("read", fmt.read), ("write", fmt.write)) if f is not None)
        _out(f"{name:12} {modes:11} {fmt.description}")
        for read_flag in fmt.platform.read_flags:
            _out(f"{'':24} {read_flag.name} (reading): {read_flag.help}")
        for flag in fmt.platform.write_flags:
            value = f"[{'|'.join(flag.choices)}]" if flag.choices else flag.metavar or "VALUE"
            _out(f"{'':24} {flag.name} {value}: {flag.help}")
        for opt in fmt.platform.options:
            _out(f"{'':24} --option {opt.name}={'|'.join(opt.choices)} (default {opt.default}): {opt.help}")
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




IMPLEMENTATIONS: dict[str, Callable[..., int]] = {
    "inspect": inspect, "convert": convert, "validate": validate, "verify": verify, "diff": diff,
    "rewrite-env": rewrite_env, "formats": formats,
}


def run(argv: list[str]) -> int:
    """Run the CLI and return the exit code; maps every failure to a documented code.

    Ordinary command lines are read by the lean dispatcher (``hopper.cli_parse``); help, and
    whatever it does not recognise, go to the typer application, which prints click's help and
    click's usage errors as before."""
    from hopper.cli_parse import parse  # noqa: PLC0415

    parsed = parse(argv)
    if parsed is None or parsed.help:
        from hopper.cli_typer import run_typer  # noqa: PLC0415

        return run_typer(argv)
    if parsed.version:
        print_version()
        return EXIT_OK
    assert parsed.command is not None
    set_global_flags(debug=parsed.flags["debug"], verbose=parsed.flags["verbose"],
                     quiet=parsed.flags["quiet"])
    try:
        return IMPLEMENTATIONS[parsed.command.name](**parsed.values)
    except UsageProblem as exc:
        from hopper.cli_typer import show_usage_error  # noqa: PLC0415

        show_usage_error(parsed.command.name, str(exc))
        return EXIT_USAGE
    except BaseException as exc:
        code = exit_code_for(exc)
        if code is None:
            raise
        return code


def exit_code_for(exc: BaseException) -> int | None:
    """Report a failure of a command and return its exit code (None: not ours to handle)."""
    if isinstance(exc, HopperError):
        for diag in exc.diagnostics[:20]:
            _print_diagnostic(diag)
        return EXIT_INPUT
    if isinstance(exc, KeyboardInterrupt):
        _err("interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return EXIT_OK
    if isinstance(exc, Exception):  # a bug: say so plainly, traceback only on request
        if STATE.debug:
            _print_traceback(exc)
        _err(f"internal error: {type(exc).__name__} (this is a bug in hopper; rerun with --debug "
             "and report it)")
        return EXIT_INTERNAL
    return None
