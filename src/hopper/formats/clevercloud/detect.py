"""Is this path a Clever Cloud setup? Cheap checks only: file names and a peek into ``*.tf``."""

from __future__ import annotations

import re
from pathlib import Path

_TF_MARK = re.compile(r'resource\s+"clevercloud_|source\s*=\s*"(?i:clevercloud/clevercloud)"')
_COMPOSE = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_PEEK_BYTES = 256 * 1024


def _tf_mentions_clever(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(_PEEK_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return bool(_TF_MARK.search(head))


def _tf_folder(folder: Path, depth: int) -> bool:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return False
    if any(p.suffix == ".tf" and p.is_file() and _tf_mentions_clever(p) for p in entries):
        return True
    if depth <= 0:
        return False
    return any(_tf_folder(p, depth - 1) for p in entries
               if p.is_dir() and not p.is_symlink() and p.name not in (".git", "node_modules", ".terraform"))


MANIFEST = "hopper-export.json"  # written by scripts/clever-export.sh at the root of a bundle


def is_bundle(folder: Path) -> bool:
    """A `clever` CLI export bundle: its manifest, or ``apps/<alias>/status.json``. Kept here,
    free of imports, because detection runs on every command that is not told the format."""
    if (folder / MANIFEST).is_file():
        return True
    apps = folder / "apps"
    return apps.is_dir() and any((d / "status.json").is_file() for d in sorted(apps.iterdir())
                                 if d.is_dir())


def detect(path: Path) -> bool:
    if path.is_file():
        if path.suffix == ".tf":
            return _tf_mentions_clever(path)
        if path.name == ".clever.json" or path.name == "hopper-export.json":
            return True
        return path.parent.name == "clevercloud" and path.suffix == ".json"
    if not path.is_dir():
        return False
    if is_bundle(path) or _tf_folder(path, 3):
        return True
    # Weak hints: only when no compose file claims the folder.
    if any((path / name).is_file() for name in _COMPOSE):
        return False
    return (path / ".clever.json").is_file() or (path / "clevercloud").is_dir()
