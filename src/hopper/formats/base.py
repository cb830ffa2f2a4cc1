"""What every format provides, and the option and result records passed in and out.

A reader turns files into a model plus diagnostics and never writes. A writer is pure: model in,
``{relative POSIX path: text}`` plus diagnostics out. Neither prints nor exits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hopper.diagnostics import DEFAULT_LIMITS, Diagnostic, Limits
from hopper.model import Architecture


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
    autostop: str | None = None  # "off", "stop", "suspend"
    min_running: int | None = None
    postgres: str | None = None  # Fly: "managed" or "unmanaged"
    redis: str | None = None  # Fly: "app" (a private TCP app, the default) or "upstash"
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteResult:
    files: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...] = ()


class Reader(Protocol):
    def __call__(self, path: Path, options: ReadOptions) -> ReadResult: ...


class Writer(Protocol):
    def __call__(self, arch: Architecture, options: WriteOptions) -> WriteResult: ...


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    detect: Callable[[Path], bool]
    read: Reader | None
    write: Writer | None


def process_environ() -> Mapping[str, str]:
    """A snapshot of the process environment, for callers that want Compose's behaviour."""
    return dict(os.environ)
