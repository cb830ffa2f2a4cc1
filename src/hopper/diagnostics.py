"""Locations, diagnostics and the error classes every part of hopper raises.

A diagnostic is the only way a reader, writer or the differ talks to the user: it carries a
stable code, a severity, a message, where it comes from and an optional hint. Codes are declared
next to the code that emits them with :func:`code`, so each module owns its own codes and the
documentation test can collect them all from :data:`CODES`.

This module imports nothing outside the standard library.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where something was read: a file (relative to the project root where possible), a line and
    column (1-based), and the key path inside the document."""

    file: str
    line: int | None = None
    col: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.col is not None:
                text += f":{self.col}"
        return text

    def with_key(self, key: str) -> Location:
        return Location(file=self.file, line=self.line, col=self.col, key=key)


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A registered diagnostic code: its default severity and a one-line summary for the docs."""

    code: str
    severity: Severity
    summary: str


CODES: dict[str, CodeInfo] = {}


def code(name: str, severity: Severity, summary: str) -> str:
    """Register a diagnostic code (idempotent for identical declarations) and return its name.

    Modules declare their codes at import time: ``E_DUPLICATE_KEY = code("HOP101", ...)``.
    """
    info = CodeInfo(name, severity, summary)
    existing = CODES.get(name)
    if existing is not None and existing != info:
        raise ValueError(f"diagnostic code {name} declared twice with different meanings")
    CODES[name] = info
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None

    def render(self) -> str:
        """The one-line form: ``file:line:col: severity: message [CODE]``."""
        where = f"{self.location}: " if self.location is not None else ""
        return f"{where}{self.severity.value}: {self.message} [{self.code}]"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (
            loc.file if loc else "",
            (loc.line or 0) if loc else 0,
            (loc.col or 0) if loc else 0,
            self.code,
            self.message,
        )


def info(code_name: str, message: str, location: Location | None = None,
         hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code_name, severity=Severity.INFO, message=message,
                      location=location, hint=hint)


def warning(code_name: str, message: str, location: Location | None = None,
            hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code_name, severity=Severity.WARNING, message=message,
                      location=location, hint=hint)


def error(code_name: str, message: str, location: Location | None = None,
          hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code_name, severity=Severity.ERROR, message=message,
                      location=location, hint=hint)


class Diagnostics:
    """An ordered collector. Readers and writers append to one and return its contents."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def info(self, code_name: str, message: str, location: Location | None = None,
             hint: str | None = None) -> None:
        self.add(info(code_name, message, location, hint))

    def warning(self, code_name: str, message: str, location: Location | None = None,
                hint: str | None = None) -> None:
        self.add(warning(code_name, message, location, hint))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def as_tuple(self) -> tuple[Diagnostic, ...]:
        return tuple(self._items)


class HopperError(Exception):
    """Base class of every error hopper raises on purpose. Carries one or more diagnostics.

    The message of the first diagnostic is the exception's text; ``.path``, ``.line`` and
    ``.col`` expose its location for library callers.
    """

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]) -> None:
        items = (diagnostics,) if isinstance(diagnostics, Diagnostic) else tuple(diagnostics)
        if not items:
            raise ValueError("HopperError needs at least one diagnostic")
        self.diagnostics: tuple[Diagnostic, ...] = items
        super().__init__(items[0].render())

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def path(self) -> str | None:
        loc = self.diagnostic.location
        return loc.file if loc else None

    @property
    def line(self) -> int | None:
        loc = self.diagnostic.location
        return loc.line if loc else None

    @property
    def col(self) -> int | None:
        loc = self.diagnostic.location
        return loc.col if loc else None


class InputError(HopperError):
    """The input is malformed, unsafe or inconsistent."""


class LimitError(InputError):
    """An input went over one of the documented size, depth or count limits."""


class UnsupportedError(HopperError):
    """The target cannot express something and the caller asked for strictness."""


class UnknownFormatError(HopperError):
    """No reader or writer recognises the input or the requested format."""


class OutputError(HopperError):
    """Writing the result failed or was refused (existing files, unsafe paths)."""


def fail(code_name: str, message: str, location: Location | None = None,
         hint: str | None = None, *, cls: type[HopperError] = InputError) -> HopperError:
    """Build an error to ``raise``: ``raise fail(E_X, "...", loc)``."""
    return cls(error(code_name, message, location, hint))


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what hopper reads. Every reader checks these; going over one is a LimitError."""

    # 8 MiB: a compose file of ~7500 realistic services (the 5000-service benchmark is 5.2 MB).
    max_file_bytes: int = 8 * 1024 * 1024
    max_total_bytes: int = 32 * 1024 * 1024
    max_files: int = 2000
    max_depth: int = 64
    max_alias_nodes: int = 100_000
    max_services: int = 10_000
    max_routes: int = 1000


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class ReadBudget:
    """Tracks total bytes and files read in one run against :class:`Limits`."""

    limits: Limits = field(default_factory=Limits)
    bytes_read: int = 0
    files_read: int = 0


# Codes shared by every reader (file access, encoding, limits).
E_FILE_NOT_FOUND = code("HOP001", Severity.ERROR, "a file or folder given or referenced does not exist")
E_OUTSIDE_ROOT = code("HOP002", Severity.ERROR, "a referenced path resolves outside the project root")
E_NOT_UTF8 = code("HOP003", Severity.ERROR, "a file is not valid UTF-8 or contains a NUL byte")
E_TOO_LARGE = code("HOP004", Severity.ERROR, "a file or the whole input is over the size limit")
E_TOO_MANY_FILES = code("HOP005", Severity.ERROR, "more files than the file-count limit")
E_TOO_DEEP = code("HOP006", Severity.ERROR, "nesting deeper than the depth limit")
E_UNKNOWN_FORMAT = code("HOP007", Severity.ERROR, "the input format could not be detected or is unknown")
E_NOT_A_FILE = code("HOP008", Severity.ERROR, "a path that must be a regular file is something else")
E_INVALID_NAME = code("HOP009", Severity.ERROR, "a name cannot be used safely as an identifier")
E_TOO_MANY_ITEMS = code("HOP010", Severity.ERROR, "more services or routes than the limit")
