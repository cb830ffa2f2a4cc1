"""Scan application source for env var reads (the code half of a migration).

``scan_directory(root, context)`` lists every read in one build context; ``scan_architecture``
fills ``Service.env_reads`` for each service that has a build context; ``classify.env_findings``
explains each read for a target platform; ``rewrite.rewrite_project`` renames reads.

What is read stays inside the project root after resolving symlinks; vendored and generated
folders are skipped; the number of files and bytes read is bounded (docs/env-scan.md).
The language modules import their heavy dependency (libcst) only when a Python file is scanned.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_FILE_NOT_FOUND,
    E_OUTSIDE_ROOT,
    Diagnostic,
    InputError,
    Limits,
    Location,
    Severity,
    code,
    error,
)
from hopper.model import Architecture, EnvRead, Role, Service

W_SKIPPED_FILE = code("HOP620", Severity.WARNING,
                      "a source file was not scanned (not UTF-8, too large, or does not parse)")
W_SCAN_LIMIT = code("HOP621", Severity.WARNING,
                    "the code scan stopped at the file-count or byte limit")
W_BAD_CONTEXT = code("HOP622", Severity.WARNING,
                     "a service's build context is missing or outside the project root: not scanned")
I_DYNAMIC = code("HOP623", Severity.INFO, "the code reads an env var whose name is computed")
W_LINK_OUTSIDE = code("HOP624", Severity.WARNING,
                      "a symlink in the build context points outside the project root: not followed")

# Folders that hold dependencies, build output or tool caches, never the app's own code.
SKIP_DIRS = frozenset({
    "node_modules", ".git", ".hg", ".svn", "dist", "build", "vendor", ".venv", "venv",
    "__pycache__", ".next", ".nuxt", ".svelte-kit", ".turbo", ".cache", "coverage", ".tox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", "bower_components", "out",
})
JS_EXTENSIONS = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
                 ".jsx": "javascript", ".ts": "typescript", ".mts": "typescript",
                 ".cts": "typescript", ".tsx": "typescript"}
NO_JSX = frozenset({".ts", ".mts", ".cts"})  # `<T>x` is a type assertion there, not JSX
SHELL_EXTENSIONS = frozenset({".sh", ".bash"})
SHELL_SHEBANGS = (b"#!/bin/sh", b"#!/bin/bash", b"#!/usr/bin/env sh", b"#!/usr/bin/env bash",
                  b"#!/bin/dash", b"#!/bin/ash", b"#!/usr/bin/env dash")
MAX_SOURCE_BYTES = 1024 * 1024  # bigger "source" files are bundles or generated code
# Files hopper itself generates next to the app (the Fly entrypoint that derives the names the
# app reads): they read env vars on the app's behalf and are not the app's own code.
GENERATED_FILES = frozenset({"hopper-env.sh"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    reads: tuple[EnvRead, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(slots=True)
class _Budget:
    limits: Limits
    files: int = 0
    bytes: int = 0
    stopped: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)


def language_of(path: PurePosixPath, head: bytes = b"") -> str | None:
    """The scanner for a file: python, javascript, typescript, dockerfile, shell or None."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".py":
        return "python"
    if suffix in JS_EXTENSIONS:
        return None if name.endswith((".min.js", ".d.ts")) else JS_EXTENSIONS[suffix]
    lower = name.lower()
    if lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.") \
            or lower.endswith(".dockerfile"):
        return "dockerfile"
    if suffix in SHELL_EXTENSIONS:
        return "shell"
    if not suffix and head.startswith(SHELL_SHEBANGS):
        return "shell"
    return None


def _confined(root: Path, relative: str) -> Path:
    """``root/relative`` resolved; raises if it leaves the root or does not exist."""
    pure = PurePosixPath(relative.replace("\\", "/")) if relative else PurePosixPath(".")
    loc = Location(file=relative or ".")
    if pure.is_absolute():
        raise InputError(error(E_OUTSIDE_ROOT, f"'{relative}' is absolute; build contexts are "
                               "relative to the project root", loc))
    root_resolved = root.resolve()
    target = (root / Path(*pure.parts)).resolve() if pure.parts else root_resolved
    if not target.is_relative_to(root_resolved):
        raise InputError(error(E_OUTSIDE_ROOT, f"'{relative}' resolves outside the project root", loc))
    if not target.exists():
        raise InputError(error(E_FILE_NOT_FOUND, f"'{relative}' does not exist", loc))
    return target


@functools.cache
def _kept_hidden() -> frozenset[str]:
    """The dot-folders walked: Docker's, and those a platform keeps the app's files in."""
    from hopper.formats import format_names, get_format  # noqa: PLC0415

    return frozenset({".docker", *(d for n in format_names() for d in get_format(n).platform.hidden_folders)})


def _walk(start: Path) -> Iterator[Path]:
    """Files under ``start`` in a stable order, skipping SKIP_DIRS; directory links not followed."""
    if start.is_file():
        yield start
        return
    for folder, dirs, files in os.walk(start, followlinks=False):
        dirs[:] = sorted(d for d in dirs if (d not in SKIP_DIRS and not d.startswith("."))
                         or d in _kept_hidden())
        for name in sorted(files):
            if name not in GENERATED_FILES:
                yield Path(folder) / name


def _scan_file(path: Path, rel: str, budget: _Budget) -> list[EnvRead]:
    root_rel = Location(file=rel)
    try:
        size = path.stat().st_size
    except OSError:
        return []
    with path.open("rb") as handle:
        head = handle.read(32)
    language = language_of(PurePosixPath(rel), head)
    if language is None:
        return []
    if size > MAX_SOURCE_BYTES or size > budget.limits.max_file_bytes:
        budget.diagnostics.append(Diagnostic(
            code=W_SKIPPED_FILE, severity=Severity.WARNING, location=root_rel,
            message=f"{rel} is {size} bytes, over the {MAX_SOURCE_BYTES} byte limit for source; not scanned"))
        return []
    if budget.bytes + size > budget.limits.max_total_bytes:
        budget.stopped = True
        return []
    data = path.read_bytes()
    budget.files += 1
    budget.bytes += len(data)
    try:
        text = data.decode("utf-8-sig")
        if "\0" in text:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
    except UnicodeDecodeError:
        budget.diagnostics.append(Diagnostic(
            code=W_SKIPPED_FILE, severity=Severity.WARNING, location=root_rel,
            message=f"{rel} is not UTF-8 text; not scanned"))
        return []
    return scan_text(text, rel, language, budget.diagnostics)


def scan_text(text: str, rel: str, language: str, diagnostics: list[Diagnostic]) -> list[EnvRead]:
    """Reads in one file's text; problems (parse errors, computed names) go to ``diagnostics``."""
    reads: list[EnvRead] = []
    dynamic: tuple[int, ...] = ()
    if language == "python":
        from hopper.envscan.python import PythonSyntaxError, scan_python  # noqa: PLC0415

        try:
            scanned = scan_python(text)
        except PythonSyntaxError as exc:
            diagnostics.append(Diagnostic(
                code=W_SKIPPED_FILE, severity=Severity.WARNING,
                location=Location(file=rel, line=exc.line, col=exc.col),
                message=f"{rel} does not parse as Python ({exc}); not scanned"))
            return []
        reads = [EnvRead(name=r.name, file=rel, line=r.line, language="python")
                 for r in scanned.reads]
        dynamic = scanned.dynamic_lines
    elif language in ("javascript", "typescript"):
        from hopper.envscan.javascript import scan_js  # noqa: PLC0415

        js = scan_js(text, jsx=PurePosixPath(rel).suffix.lower() not in NO_JSX)
        # import.meta.env.MODE and friends are defined by the bundler, not the environment.
        reads = [EnvRead(name=r.name, file=rel, line=r.line, language=language,
                         build_time=r.build_time or _bundler_inlined(r.name))
                 for r in js.reads if not (r.build_time and _bundler_builtin(r.name))]
        dynamic = js.dynamic_lines
    elif language == "dockerfile":
        from hopper.envscan.shell import scan_dockerfile  # noqa: PLC0415

        reads = [EnvRead(name=r.name, file=rel, line=r.line, language="dockerfile",
                         build_time=r.build_time) for r in scan_dockerfile(text)]
    elif language == "shell":
        from hopper.envscan.shell import scan_shell  # noqa: PLC0415

        reads = [EnvRead(name=r.name, file=rel, line=r.line, language="shell")
                 for r in scan_shell(text)]
    diagnostics.extend(
        Diagnostic(code=I_DYNAMIC, severity=Severity.INFO, location=Location(file=rel, line=line),
                   message="reads an env var whose name is computed; hopper cannot tell which",
                   hint="check this read by hand")
        for line in dynamic)
    return reads


def _bundler_builtin(name: str) -> bool:
    from hopper.envscan.classify import is_bundler_builtin  # noqa: PLC0415

    return is_bundler_builtin(name)


def _bundler_inlined(name: str) -> bool:
    from hopper.envscan.classify import bundler_of  # noqa: PLC0415

    return bundler_of(name) is not None


def scan_paths(root: Path, relatives: tuple[str, ...], *,
               limits: Limits = DEFAULT_LIMITS) -> ScanResult:
    """Scan each of ``relatives`` (folders or files, relative to ``root``) once, confined to
    ``root``. Raises :class:`InputError` if one of them leaves the root or does not exist."""
    root_resolved = root.resolve()
    budget = _Budget(limits)
    reads: set[EnvRead] = set()
    seen: set[Path] = set()
    starts = [_confined(root, rel) for rel in relatives]
    for start in starts:
        for path in _walk(start):
            if budget.stopped:
                break
            resolved = path.resolve()
            if not resolved.is_relative_to(root_resolved):
                rel_link = path.absolute().relative_to(root.absolute()).as_posix() \
                    if path.absolute().is_relative_to(root.absolute()) else path.name
                budget.diagnostics.append(Diagnostic(
                    code=W_LINK_OUTSIDE, severity=Severity.WARNING, location=Location(file=rel_link),
                    message=f"{rel_link} links outside the project root; not followed"))
                continue
            if resolved in seen or not resolved.is_file():
                continue
            seen.add(resolved)
            rel = _relative(path, root)
            if language_of(PurePosixPath(rel), b"") is None and PurePosixPath(rel).suffix:
                continue  # cheap exit before reading: only extension-less files need a peek
            if budget.files >= limits.max_files:
                budget.stopped = True
                break
            reads.update(_scan_file(path, rel, budget))
    if budget.stopped:
        budget.diagnostics.append(Diagnostic(
            code=W_SCAN_LIMIT, severity=Severity.WARNING,
            message=f"code scan stopped after {budget.files} files / {budget.bytes} bytes "
                    f"(limits {limits.max_files} files, {limits.max_total_bytes} bytes); "
                    "later files were not scanned"))
    ordered = tuple(sorted(reads, key=lambda r: (r.file, r.line, r.name, r.language, r.build_time)))
    unique = tuple(sorted(set(budget.diagnostics), key=Diagnostic.sort_key))
    return ScanResult(ordered, unique)


def _relative(path: Path, root: Path) -> str:
    absolute = path.absolute()
    base = root.absolute()
    if absolute.is_relative_to(base):
        return absolute.relative_to(base).as_posix()
    return absolute.resolve().relative_to(base.resolve()).as_posix()


def scan_directory(root: Path, context: str) -> tuple[EnvRead, ...]:
    """Every env var read in the build context ``context`` (relative to the project ``root``).

    File paths in the result are relative to ``root``. Raises :class:`InputError` when the
    context leaves the root or does not exist; see :func:`scan_paths` for the diagnostics.
    """
    return scan_paths(root, (context,)).reads


def service_scan_paths(service: Service) -> tuple[str, ...]:
    """What to scan for a service: its package folder in a monorepo, else its build context,
    plus its Dockerfile when that lives elsewhere. Empty when it is built from no source."""
    build = service.build
    if build is None or build.context is None:
        return ()
    paths: list[str] = []
    if build.workspace is not None:
        # Workspace.root is relative to the project root, like the context (not to the context).
        paths.append(str(PurePosixPath(build.workspace.root, build.workspace.path)))
    else:
        paths.append(build.context)
    if build.dockerfile:
        paths.append(build.dockerfile)
    return tuple(_normalise(p) for p in paths)


def _normalise(rel: str) -> str:
    parts: list[str] = []
    for part in PurePosixPath(rel.replace("\\", "/")).parts:
        if part == "..":
            parts.append(part)  # kept: _confined refuses it if it leaves the root
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or "."


def scan_architecture(arch: Architecture, root: Path, *,
                      limits: Limits = DEFAULT_LIMITS) -> tuple[Architecture, tuple[Diagnostic, ...]]:
    """Fill ``env_reads`` of every service with a build context; return the new model and
    diagnostics (skipped contexts and files, computed names, limits).

    Reads in the code of a static front (role FRONT with a static site) are marked build-time:
    such a front has no server process, so whatever it reads is inlined when it is built.
    """
    diagnostics: list[Diagnostic] = []
    cache: dict[tuple[str, ...], ScanResult] = {}
    services: list[Service] = []
    for service in arch.services:
        paths = service_scan_paths(service)
        if not paths:
            services.append(service)
            continue
        if paths not in cache:
            try:
                cache[paths] = scan_paths(root, _existing(root, paths), limits=limits)
            except InputError as exc:
                diag = exc.diagnostic
                diagnostics.append(Diagnostic(
                    code=W_BAD_CONTEXT, severity=Severity.WARNING,
                    location=service.build.origin if service.build else None,
                    message=f"service '{service.name}': {diag.message}; its code was not scanned"))
                cache[paths] = ScanResult(())
            diagnostics.extend(cache[paths].diagnostics)
        reads = cache[paths].reads
        if service.role is Role.FRONT and service.static_site is not None:
            reads = tuple(replace(r, build_time=True) if r.language in ("javascript", "typescript")
                          else r for r in reads)
        services.append(replace(service, env_reads=reads))
    return replace(arch, services=tuple(services)), tuple(diagnostics)


def _existing(root: Path, paths: tuple[str, ...]) -> tuple[str, ...]:
    """The context is required; an extra Dockerfile path that does not exist is dropped."""
    kept = [paths[0]]
    for extra in paths[1:]:
        if (root / extra).exists() and not any(
                PurePosixPath(extra).is_relative_to(PurePosixPath(p)) for p in kept if p != "."):
            kept.append(extra)
    if "." in kept[:1]:
        kept = ["."]
    return tuple(kept)
