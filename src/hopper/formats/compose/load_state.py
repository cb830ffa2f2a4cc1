"""What one load of a compose project shares between its steps (see :mod:`.project`).

The codes of loading (HOP120-131), confined and budgeted file access, the load context (options,
diagnostics, caches), one parsed file, and env-file reading. It is separate so that the steps of
the pipeline -- finding and parsing files (:mod:`.project`), canonical shapes
(:mod:`.normalize`) and finishing (:mod:`.finish`) -- each import it rather than each other.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper._yaml import LocationIndex
from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_NOT_A_FILE,
    E_OUTSIDE_ROOT,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    Diagnostic,
    Diagnostics,
    LimitError,
    Location,
    ReadBudget,
    Severity,
    code,
    fail,
)
from hopper.formats.base import ReadOptions
from hopper.formats.compose import envfile
from hopper.formats.compose.interpolation import EnvRefs

E_TOP_LEVEL = code("HOP120", Severity.ERROR, "a compose file's top level is not a mapping")
E_NO_SERVICES = code("HOP121", Severity.ERROR, "the compose project defines no services")
E_ALL_PROFILES = code("HOP131", Severity.ERROR,
                      "every service is under a profile that is not enabled: nothing to read")
E_BAD_VALUE = code("HOP122", Severity.ERROR, "a compose value has the wrong type or syntax")
W_UNKNOWN_KEY = code("HOP123", Severity.WARNING, "a compose key is unknown and ignored")
E_UNKNOWN_DEPENDENCY = code("HOP124", Severity.ERROR, "depends_on names a service that is not defined or not enabled")
E_EXTENDS = code("HOP125", Severity.ERROR, "extends names a missing service or forms a cycle")
E_INCLUDE_CONFLICT = code("HOP126", Severity.ERROR, "an included project defines a resource that already exists")
W_REMOTE_CONTEXT = code("HOP127", Severity.WARNING, "a remote build context is recorded but never fetched")
W_OBSOLETE_VERSION = code("HOP128", Severity.WARNING, "the top-level 'version' key is obsolete and ignored")
W_MULTIPLE_FILES = code("HOP129", Severity.WARNING, "several default compose files exist; only the first is read")
W_PATH_OUTSIDE_ROOT = code("HOP130", Severity.WARNING, "a build context points outside the project root; it is recorded, never read")
Key = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeProject:
    root: Path  # resolved project folder
    name: str  # top-level `name:`, else the folder name normalised like compose does
    files: tuple[str, ...]  # compose files read, relative to root, in merge order
    services: dict[str, dict[str, Any]]  # merged, interpolated, normalised, sorted by name
    volumes: dict[str, dict[str, Any]]
    networks: dict[str, dict[str, Any]]
    secrets: dict[str, dict[str, Any]]
    configs: dict[str, dict[str, Any]]
    extensions: dict[str, Any]  # top-level x-* keys
    locations: dict[tuple[str | int, ...], Location]
    diagnostics: tuple[Diagnostic, ...]
    # service -> env name -> the variables its raw value references (names, never values), for
    # the env names whose final value was written in `environment` with a `$` reference.
    env_refs: dict[str, dict[str, EnvRefs]] = field(default_factory=dict)


class RefText(str):
    """An interpolated env value that remembers the references of its raw text.

    It rides through merges, overrides, ``extends`` and ``include`` exactly as the value does
    (those copy values, never rebuild them), and :mod:`.finish` turns it back into a plain
    ``str`` plus an entry of ``ComposeProject.env_refs``."""

    refs: EnvRefs

    def __new__(cls, value: str, refs: EnvRefs) -> RefText:
        self = super().__new__(cls, value)
        self.refs = refs
        return self


class Widen(Exception):  # noqa: N818 - a signal, not an error
    """A reference leaves the project folder but stays inside the repository: load again from
    a root that holds both (see :func:`.project._load_project`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass
class Files:
    """Confined, budgeted file access for one load."""

    root: Path
    budget: ReadBudget
    read_order: list[str] = field(default_factory=list)
    cache: dict[Path, tuple[str, str]] = field(default_factory=dict)
    boundary: Path | None = None  # the repository: nothing outside it is read; None = root

    def confine(self, ref: str, base: Path, referrer: Location | None, what: str) -> Path:
        """Resolve ``ref`` (as written, relative to ``base``) and require it inside the root."""
        if "\0" in ref:  # the OS cannot name it; refuse before any path call raises ValueError
            raise fail(E_BAD_VALUE, f"{what} path contains a NUL character", referrer)
        candidate = Path(os.path.expanduser(ref)) if ref.startswith("~") else Path(ref)
        if not candidate.is_absolute():
            candidate = base / candidate
        resolved = candidate.resolve(strict=False)
        if not resolved.is_relative_to(self.root):
            self.widen(resolved)
            raise fail(E_OUTSIDE_ROOT, f"{what} '{ref}' resolves outside the project root",
                       referrer, "hopper reads only files inside the repository (the folder holding "
                       ".git), or the folder given when there is none")
        return resolved

    def widen(self, resolved: Path) -> None:
        """Raise :class:`Widen` when ``resolved`` is outside the root but inside the repository."""
        if self.boundary is not None and resolved.is_relative_to(self.boundary) \
                and not resolved.is_relative_to(self.root):
            raise Widen(resolved)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read(self, ref: str, base: Path, referrer: Location | None, what: str) -> tuple[str, str]:
        """Read a referenced text file; returns ``(text, path relative to root)``."""
        from hopper._yaml import decode_bytes  # noqa: PLC0415

        path = self.confine(ref, base, referrer, what)
        cached = self.cache.get(path)
        if cached is not None:
            return cached
        limits = self.budget.limits
        if not path.exists():
            raise fail(E_FILE_NOT_FOUND, f"{what} '{ref}' does not exist", referrer)
        if not path.is_file():
            raise fail(E_NOT_A_FILE, f"{what} '{ref}' is not a regular file", referrer)
        rel = self.rel(path)
        self.budget.files_read += 1
        if self.budget.files_read > limits.max_files:
            raise fail(E_TOO_MANY_FILES, f"more than {limits.max_files} files read",
                       referrer, cls=LimitError)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            raise fail(E_TOO_LARGE, f"{rel} is larger than {limits.max_file_bytes} bytes",
                       Location(file=rel), "raise the limit with --max-input-bytes",
                       cls=LimitError)
        self.budget.bytes_read += len(data)
        if self.budget.bytes_read > limits.max_total_bytes:
            raise fail(E_TOO_LARGE, f"input is larger than {limits.max_total_bytes} bytes in total",
                       Location(file=rel), cls=LimitError)
        text = decode_bytes(data, rel)
        self.cache[path] = (text, rel)
        return text, rel


@dataclass
class LoadContext:
    files: Files
    options: ReadOptions
    diagnostics: Diagnostics
    warned: set[str] = field(default_factory=set)
    env_cache: dict[tuple[str, str], envfile.EnvFile] = field(default_factory=dict)
    # Where each env_file reference was written, for errors raised when it is finally read.
    env_refs: dict[str, Location] = field(default_factory=dict)
    # The references of each service's env values (ComposeProject.env_refs), filled at the end.
    value_refs: dict[str, dict[str, EnvRefs]] = field(default_factory=dict)
    tagged: bool = False  # a file used !reset or !override (else no tag stripping is needed)
    missing_env_files: set[str] = field(default_factory=set)  # reported once each (HOP141)
    # (file, key path) of each value that used an unset variable -> those variables (HOP143).
    partial: dict[tuple[str, Key], tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class Doc:
    """One compose file after parsing, interpolation and canonicalisation."""

    rel: str
    folder: Path
    data: dict[str, Any]
    index: LocationIndex
    locations: dict[Key, Location]


def read_env(ref: str, base: Path, referrer: Location | None, what: str, ctx: LoadContext,
              fallback: dict[str, str]) -> envfile.EnvFile:
    text, rel = ctx.files.read(ref, base, referrer, what)
    key = (rel, repr(sorted(fallback.items())) if fallback else "")
    cached = ctx.env_cache.get(key)
    if cached is None:
        cached = envfile.parse_env(text, rel, ctx.diagnostics, fallback, ctx.warned)
        ctx.env_cache[key] = cached
    return cached


def kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def warn_unknown_key(key: str, known: frozenset[str], where: Location, ctx: LoadContext, what: str) -> None:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else None
    ctx.diagnostics.warning(W_UNKNOWN_KEY, f"unknown {what} '{key}' is ignored", where, hint)
