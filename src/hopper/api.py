"""The library entry points: read a setup, convert it, write it, plan a migration (compare two
setups, or a setup with what a conversion would write), render the plan, rename env var reads.

Nothing here prints or exits; every function returns results and diagnostics, or raises a
:class:`~hopper.diagnostics.HopperError`. The CLI (``hopper.cli``) is a thin layer over these.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    Diagnostic,
    InputError,
    Location,
    Severity,
    UnsupportedError,
    code,
    error,
)
from hopper.formats import detect_format, get_format
from hopper.formats.base import ReadOptions, ReadResult, WriteOptions, WriteResult
from hopper.model import Architecture

if TYPE_CHECKING:
    from hopper.envscan.rewrite import RewriteResult
    from hopper.findings.types import Plan

E_STRICT = code("HOP050", Severity.ERROR, "--strict: a warning was raised")
E_NO_READER = code("HOP051", Severity.ERROR, "the format has no reader or no writer")


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a reader or writer builds its objects.

    They allocate tens of thousands of small containers and make no cycles worth collecting
    mid-way; with the collector on, each allocation burst triggers a scan of everything alive
    (the CLI's imported modules included). Inputs are bounded by ``Limits``, so the garbage
    left for the next collection is bounded too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(path: str | Path, *, fmt: str | None = None,
         options: ReadOptions | None = None) -> ReadResult:
    """Read a setup (a folder or a file) into the model. ``fmt`` is detected when omitted."""
    # Absolute from here on: a reader joins a file's own path to its folder, and a relative path
    # joined twice looked for samples/app/samples/app/compose.yaml.
    source = Path(path).absolute()
    if not source.exists():
        raise InputError(error(E_FILE_NOT_FOUND, "no such file or folder", Location(file=str(source))))
    name = fmt or detect_format(source)
    reader = get_format(name).read
    if reader is None:
        raise InputError(error(E_NO_READER, f"hopper cannot read {name} setups yet"))
    opts = options or ReadOptions()
    with _bulk():
        result = reader(source, opts)
    from hopper.checkout import observe  # noqa: PLC0415

    # What writers need from the source tree goes into the model here, for every format alike,
    # so that writers stay pure: write(load(x).model) gives what convert(x) gives.
    root = result.root or (source if source.is_dir() else source.parent)
    result = ReadResult(model=observe(result.model, root, opts.limits), diagnostics=result.diagnostics,
                        root=result.root)
    if opts.scan_code:
        from hopper.envscan import scan_architecture  # noqa: PLC0415

        scanned, notes = scan_architecture(result.model, root)
        result = ReadResult(model=scanned, diagnostics=result.diagnostics + notes, root=result.root)
    return result


def write(arch: Architecture, to: str, options: WriteOptions | None = None) -> WriteResult:
    """Render ``arch`` for the format ``to``: ``{relative path: text}`` plus diagnostics."""
    writer = get_format(to).write
    if writer is None:
        raise InputError(error(E_NO_READER, f"hopper cannot write {to} setups yet"))
    with _bulk():
        return writer(arch, options or WriteOptions())


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertResult:
    source: Architecture
    files: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...]


def convert(path: str | Path, to: str, *, fmt: str | None = None,
            read_options: ReadOptions | None = None,
            write_options: WriteOptions | None = None,
            strict: bool = False) -> ConvertResult:
    """Read ``path`` and render it for ``to``. With ``strict``, any warning raises."""
    read = load(path, fmt=fmt, options=read_options)
    written = write(read.model, to, write_options)
    diagnostics = read.diagnostics + written.diagnostics
    if strict:
        raise_if_warnings(diagnostics)
    return ConvertResult(source=read.model, files=written.files, diagnostics=diagnostics)


def raise_if_warnings(diagnostics: tuple[Diagnostic, ...]) -> None:
    warnings = [d for d in diagnostics if d.severity is not Severity.INFO]
    if warnings:
        raise UnsupportedError(
            [error(E_STRICT, f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''} under --strict; the first: "
                   f"{warnings[0].message} [{warnings[0].code}]", warnings[0].location)]
            + warnings
        )


# ------------------------------------------------------------------------------ plans

# The formats :func:`render_plan` writes (``--format`` of ``diff`` and ``convert --dry-run``).
PLAN_FORMATS: tuple[str, ...] = ("text", "markdown", "json", "github", "sarif")


def plan(source: str | Path, target: str | Path, *, fmt: str | None = None,
         target_fmt: str | None = None, read_options: ReadOptions | None = None,
         write_options: WriteOptions | None = None, acks: str | Path | None = None,
         strict: bool = False) -> Plan:
    """The migration plan from the setup at ``source`` to ``target``: what behaves differently,
    and what to do (a :class:`~hopper.findings.types.Plan`; render it with :func:`render_plan`).

    ``target`` is either a format name (``"fly"``): hopper converts ``source`` for it (with
    ``write_options``) and reads what it would write back, as ``hopper convert --dry-run``
    does; or a setup (a folder or file; pass a ``Path`` for a folder named like a format),
    compared with ``source`` as ``hopper diff`` does (``target_fmt`` is detected when omitted).
    ``read_options`` read both sides (``ReadOptions(scan_code=True)`` is the CLI's default);
    ``acks`` is a ``hopper.ack.yaml`` whose entries mark findings acknowledged. The readers'
    warnings that change what the whole plan means are its ``source_notes``; all the
    diagnostics of the reads and the write are its ``diagnostics`` (what ``convert`` or ``load``
    would return); with ``strict``, any reader or writer warning raises
    :class:`~hopper.diagnostics.UnsupportedError`.
    """
    from hopper.formats import format_names  # noqa: PLC0415

    if isinstance(target, str) and target in format_names():
        if target_fmt is not None:
            raise ValueError("target_fmt applies to a target setup, not to a target format")
        options = read_options or ReadOptions()
        converted = convert(source, target, fmt=fmt, read_options=options,
                            write_options=write_options, strict=strict)
        result = conversion_plan(converted, target, scan_code=options.scan_code)
    else:
        if write_options is not None:
            raise ValueError("write_options apply to a target format, not to a target setup")
        before = load(source, fmt=fmt, options=read_options)
        after = load(target, fmt=target_fmt, options=read_options)
        if strict:
            raise_if_warnings(before.diagnostics + after.diagnostics)
        result = compare(before, after)
    if acks is not None:
        from hopper.report import apply_acks  # noqa: PLC0415

        result = apply_acks(result, Path(acks))
    return result


def compare(before: ReadResult, after: ReadResult) -> Plan:
    """The plan between two setups already read (``hopper diff``): the differ's findings, with
    the readers' warnings that change what the whole plan means at its top, and all their
    diagnostics (``before``'s, then ``after``'s) in ``diagnostics``."""
    from hopper.diff import diff_models  # noqa: PLC0415
    from hopper.report import with_source_notes  # noqa: PLC0415

    diagnostics = before.diagnostics + after.diagnostics
    return replace(with_source_notes(diff_models(before.model, after.model), diagnostics),
                   diagnostics=diagnostics)


def conversion_plan(result: ConvertResult, target: str, *, scan_code: bool = False) -> Plan:
    """The plan of a conversion (``hopper convert --dry-run``): ``result.files`` are read back as
    ``target`` from a temporary folder, as ``hopper diff`` reads its AFTER side, and compared
    with the source, so both commands print the same plan. ``scan_code`` as the source was read
    (the read-back code is the source's own). The plan's ``diagnostics`` are the conversion's
    (``result.diagnostics``: the read's and the write's). Raises
    :class:`~hopper.diagnostics.HopperError` when the files cannot be read back."""
    import tempfile  # noqa: PLC0415

    from hopper import output  # noqa: PLC0415
    from hopper.diff import diff_models  # noqa: PLC0415
    from hopper.report import with_source_notes  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="hopper-dry-run-") as tmp:
        output.write_tree(Path(tmp), result.files, force=True)
        after = load(tmp, fmt=target, options=ReadOptions(scan_code=scan_code))
    # The read-back's own diagnostics are about hopper's output in a temporary folder: not kept.
    return replace(with_source_notes(diff_models(result.source, after.model), result.diagnostics),
                   diagnostics=result.diagnostics)


def render_plan(plan: Plan, fmt: str = "text", *, color: bool = False) -> str:
    """``plan`` as text (ANSI colours with ``color``), markdown, json, github (workflow
    annotations) or sarif (:data:`PLAN_FORMATS`); an unknown ``fmt`` raises
    :class:`~hopper.diagnostics.InputError` (HOP853). Locations are printed as the plan holds
    them: relative to each side's folder (``api/fly.toml:3:1``)."""
    from hopper.report import render_plan as render  # noqa: PLC0415

    return render(plan, fmt, color=color)


def fails_on(plan: Plan, level: str) -> bool:
    """Whether ``plan`` has an unacknowledged finding at ``level`` (``warning`` or
    ``breaking``) or above: ``hopper diff --fail-on``."""
    from hopper.report import fails_on as failing  # noqa: PLC0415

    return failing(plan, level)


def render_summary(result: ReadResult) -> str:
    """The architecture hopper understood, as ``hopper inspect`` prints it."""
    from hopper.report.summary import render_summary as summary  # noqa: PLC0415

    return summary(result.model, result.diagnostics)


def render_mermaid(arch: Architecture) -> str:
    """``arch`` as a Mermaid flowchart (``hopper inspect --format mermaid``)."""
    from hopper.report import render_mermaid as mermaid  # noqa: PLC0415

    return mermaid(arch)


# ------------------------------------------------------------------------------ rewrite-env

def rewrite_env(path: str | Path, to: str, *, fmt: str | None = None,
                apply: bool = False) -> RewriteResult:
    """Rename the env var reads of the application code under ``path`` to the names the ``to``
    platform provides (``hopper rewrite-env``): a unified diff, the files it changes, and with
    ``apply`` the Python files actually rewritten in place (JavaScript is left to the diff).
    ``fmt`` is the source format, detected (or inferred from the names the code reads) when
    omitted."""
    from hopper.envscan.rewrite import rewrite_project  # noqa: PLC0415

    return rewrite_project(Path(path), to, fmt=fmt, apply=apply)
