"""Paths inside the project root, as the Fly reader and ``hopper validate`` show and confine them.
"""

from __future__ import annotations

from pathlib import Path


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
