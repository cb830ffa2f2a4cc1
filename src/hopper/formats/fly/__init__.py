"""Fly.io: read a folder of apps (fly.toml, Dockerfile, nginx, workflows), write a deployable setup."""

from __future__ import annotations

from pathlib import Path

from hopper.formats.base import Format, ReadOptions, ReadResult, WriteOptions, WriteResult
from hopper.model import Architecture


def detect_setup(path: Path) -> bool:
    if path.is_file():
        return path.name.endswith(".toml") and path.name.startswith("fly")
    if (path / "fly.toml").is_file():
        return True
    try:
        return any(child.is_dir() and (child / "fly.toml").is_file() for child in sorted(path.iterdir()))
    except OSError:
        return False


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.fly.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.fly.writer import write  # noqa: PLC0415

    return write(arch, options)


FORMAT = Format(
    name="fly",
    description="Fly.io apps (fly.toml per app, Dockerfiles, nginx front, GitHub Actions, setup script)",
    detect=detect_setup,
    read=_read,
    write=_write,
)
