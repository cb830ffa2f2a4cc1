"""Writing a generated file tree: all or nothing, only inside the output folder.

The rules (ecosystem-and-reliability §2.2-K):

* every path is relative, POSIX, without ``..``, and stays inside ``out`` after resolving links;
* an existing file is never replaced without ``force``; with ``force`` a symlink planted at an
  output path is replaced by a regular file, and the file it pointed to is left alone;
* each file is written to a temporary file in its final folder, flushed, then renamed over the
  target; if anything fails, the temporary files are removed and the files already renamed are
  put back as they were, so an interrupted or failed run leaves the folder as it found it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hopper.diagnostics import Location, OutputError, Severity, code, error

E_OUTPUT_EXISTS = code("HOP040", Severity.ERROR, "an output file exists and --force was not given")
E_OUTPUT_PATH = code("HOP041", Severity.ERROR, "an output path is unsafe (absolute, '..', or leaves --out)")
E_OUTPUT_WRITE = code("HOP042", Severity.ERROR, "writing an output file failed")

TEMP_PREFIX = ".hopper-"
TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True, slots=True)
class PlannedFile:
    relative: str
    target: Path
    exists: bool


def _check_relative(rel: str) -> PurePosixPath:
    pure = PurePosixPath(rel)
    if (not rel or pure.is_absolute() or "\\" in rel or any(p in ("..", "") for p in rel.split("/"))
            or "\0" in rel):
        raise OutputError(error(E_OUTPUT_PATH, f"refusing to write unsafe path '{rel}'"))
    return pure


def plan_tree(out: Path, files: Mapping[str, str], *, force: bool) -> list[PlannedFile]:
    """Check every output path and list what would be written. Raises before anything is written."""
    out_resolved = out.resolve()
    planned: list[PlannedFile] = []
    existing: list[str] = []
    for rel in sorted(files):
        pure = _check_relative(rel)
        target = out / Path(*pure.parts)
        # The folder the file lands in must resolve inside --out (no planted directory links).
        parent = target.parent
        probe = parent
        while not probe.exists() and probe != out:
            probe = probe.parent
        if not probe.resolve().is_relative_to(out_resolved):
            raise OutputError(error(E_OUTPUT_PATH, f"'{rel}' would be written outside {out}",
                                    Location(file=str(target))))
        exists = target.exists() or target.is_symlink()
        if exists and target.is_dir() and not target.is_symlink():
            raise OutputError(error(E_OUTPUT_PATH, f"'{rel}' is a folder in {out}",
                                    Location(file=str(target))))
        if exists:
            existing.append(rel)
        planned.append(PlannedFile(rel, target, exists))
    if existing and not force:
        first = out / existing[0]
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OutputError(error(E_OUTPUT_EXISTS, f"{first} exists{more}",
                                Location(file=str(first)), hint="use --force to replace, or --dry-run to review"))
    return planned


def _stage_file(parent: Path, text: str, *, executable: bool) -> Path:
    """Write ``text`` to a new temporary file in ``parent`` (the target's own folder, so the
    later rename stays on one file system) and return its path."""
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o755 if executable else 0o644)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def write_tree(out: Path, files: Mapping[str, str], *, force: bool = False) -> list[str]:
    """Write ``files`` (relative path -> text) under ``out``. Returns the relative paths written."""
    out.mkdir(parents=True, exist_ok=True)
    planned = plan_tree(out, files, force=force)
    staged: list[tuple[PlannedFile, Path]] = []
    created_dirs: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    done: list[PlannedFile] = []
    try:
        for item in planned:
            parent = item.target.parent
            missing: list[Path] = []
            probe = parent
            while not probe.exists():
                missing.append(probe)
                probe = probe.parent
            parent.mkdir(parents=True, exist_ok=True)
            created_dirs.extend(reversed(missing))
            staged.append((item, _stage_file(parent, files[item.relative],
                                             executable=item.relative.endswith(".sh"))))
        # One sync for the whole tree instead of an fsync per file (thousands of files at 1000
        # services cost seconds otherwise): every temporary file is on disk before any rename.
        if hasattr(os, "sync"):
            os.sync()
        for item, tmp in staged:
            if item.exists and not item.target.is_symlink():
                fd, backup_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".bak",
                                                   dir=item.target.parent)
                os.close(fd)
                os.replace(item.target, backup_name)
                backups.append((Path(backup_name), item.target))
            elif item.target.is_symlink():
                item.target.unlink()
            os.replace(tmp, item.target)
            done.append(item)
    except BaseException as exc:
        for _item, tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for item in done:
            with contextlib.suppress(OSError):
                item.target.unlink()
        for backup, target in backups:
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        for folder in reversed(created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            where = getattr(exc, "filename", None) or str(out)
            raise OutputError(error(E_OUTPUT_WRITE, f"cannot write output: {exc.strerror or exc}",
                                    Location(file=str(where)))) from None
        raise
    for backup, _target in backups:
        with contextlib.suppress(OSError):
            backup.unlink()
    return [item.relative for item in planned]
