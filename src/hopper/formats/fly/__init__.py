"""Fly.io: read a folder of apps (fly.toml, Dockerfile, nginx, workflows), write a deployable setup."""

from __future__ import annotations

from pathlib import Path

from hopper.formats.base import Format, ReadOptions, ReadResult, WriteOptions, WriteResult
from hopper.model import Architecture


def detect_setup(path: Path) -> bool:
    """A fly config (``fly.toml``, ``fly.staging.toml``...) as the path, in the folder, or in a
    sub- or sub-subfolder (``web/fly.toml``, ``apps/web/fly.toml``)."""
    from hopper.formats.fly.config_names import is_config_name  # noqa: PLC0415

    if path.is_file():
        return (path.name.endswith(".toml") and path.name.startswith("fly")) or is_config_name(path.name)
    if (path / "fly.toml").is_file():
        return True
    folders = [path]
    for _depth in range(3):
        children: list[Path] = []
        for folder in folders:
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir():
                    if not entry.name.startswith(".") and entry.name not in _SKIP and not entry.is_symlink():
                        children.append(entry)
                elif entry.name.endswith(".toml") and is_config_name(entry.name):
                    return True
        folders = children[:200]
    return False


_SKIP = frozenset({"node_modules", "vendor", "dist", "build", "target", "__pycache__"})


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
