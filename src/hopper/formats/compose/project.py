"""Load a Compose project: files on disk -> one merged, interpolated, normalised document.

This is the loading layer only; ``reader.py`` turns a :class:`ComposeProject` into the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, Location
from hopper.formats.base import ReadOptions


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


def load_project(path: Path, options: ReadOptions) -> ComposeProject:
    """Read ``path`` (a project folder or a compose file) into a :class:`ComposeProject`."""
    raise NotImplementedError("compose loading is being written")
