"""Clever Cloud: read Terraform HCL, a `clever` CLI export bundle or repo hints; write Terraform,
a setup script and the repo files Clever needs."""

from __future__ import annotations

from pathlib import Path

from hopper.formats.base import Format, ReadOptions, ReadResult, WriteOptions, WriteResult
from hopper.model import Architecture


def detect_setup(path: Path) -> bool:
    from hopper.formats.clevercloud.detect import detect as _detect  # noqa: PLC0415

    return _detect(path)


def _read(path: Path, options: ReadOptions) -> ReadResult:
    from hopper.formats.clevercloud.reader import read  # noqa: PLC0415

    return read(path, options)


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    from hopper.formats.clevercloud.writer import write  # noqa: PLC0415

    return write(arch, options)


FORMAT = Format(
    name="clevercloud",
    description="Clever Cloud (Terraform clevercloud provider, `clever` CLI export bundle, repo hints)",
    detect=detect_setup,
    read=_read,
    write=_write,
)
