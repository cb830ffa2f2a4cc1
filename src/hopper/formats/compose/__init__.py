"""docker-compose: read compose projects, write a compose.yaml that runs the architecture locally."""

from __future__ import annotations

from pathlib import Path

from hopper.formats.base import Format, ReadOptions, ReadResult, WriteOptions, WriteResult
from hopper.model import Architecture

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


FORMAT = Format(
    name="compose",
    description="docker-compose projects (compose.yaml, -f files, include, extends, profiles)",
    detect=detect_setup,
    read=_read,
    write=_write,
)
