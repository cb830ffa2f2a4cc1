"""The library entry points: read a setup, convert it, write it, compare two setups.

Nothing here prints or exits; every function returns results and diagnostics, or raises a
:class:`~hopper.diagnostics.HopperError`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

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
