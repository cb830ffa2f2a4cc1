"""Writing a generated file tree: all or nothing, only inside the output folder.

The rules (ecosystem-and-reliability §2.2-K):

* every path is relative, POSIX, without ``..``, and stays inside ``out`` after resolving links;
* an existing file is never replaced without ``force``; with ``force`` a symlink planted at an
  output path is replaced by a regular file, and the file it pointed to is left alone;
* with ``force``, a file that already holds its text (a regular file, with the mode hopper
  gives it) is left untouched: re-running into an unchanged tree writes, backs up and renames
  nothing;
* ``out`` is claimed before anything is written: created with ``mkdir`` when missing (the
  atomic claim a lock inside a not-yet-existing folder cannot give), then locked with ``flock``
  on the folder itself, so a second run on the same ``out`` is refused (HOP043) instead of
  replacing or mixing files, and a killed run leaves no stale lock;
* each file is written to a temporary file in its final folder, the output's file system is
  synced once (``syncfs``, not every file system on the machine), then each is renamed over its
  target; if anything fails, the temporary files are removed, the files already renamed are put
  back, and the folders this run created (``out`` itself included) are removed, so a failed or
  interrupted run leaves the disk as it found it;
* Ctrl-C is held while files move and acted on between two files, so the clean-up above is
  never itself cut short.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

if sys.platform != "win32":
    import fcntl

from hopper.diagnostics import Location, OutputError, Severity, code, error

E_OUTPUT_EXISTS = code("HOP040", Severity.ERROR, "an output file exists and --force was not given")
E_OUTPUT_PATH = code("HOP041", Severity.ERROR, "an output path is unsafe (absolute, '..', or leaves --out)")
E_OUTPUT_WRITE = code("HOP042", Severity.ERROR, "writing an output file failed")
E_OUTPUT_BUSY = code("HOP043", Severity.ERROR, "another hopper run is writing to the same --out")

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
    inside: dict[Path, bool] = {}  # per folder, checked once for all the files it receives
    for rel in sorted(files):
        pure = _check_relative(rel)
        target = out / Path(*pure.parts)
        # The folder the file lands in must resolve inside --out (no planted directory links).
        parent = target.parent
        if parent not in inside:
            probe = parent
            while not probe.exists() and probe != out:
                probe = probe.parent
            inside[parent] = probe.resolve().is_relative_to(out_resolved)
        if not inside[parent]:
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


class _HeldInterrupts:
    """Ctrl-C held at the OS level while files move; :meth:`check` turns a pending one into
    ``KeyboardInterrupt`` at a point where the run knows exactly what to undo."""

    def __init__(self, active: bool) -> None:
        self.active = active

    def _take_pending(self) -> bool:
        if self.active and signal.SIGINT in signal.sigpending():
            signal.sigtimedwait({signal.SIGINT}, 0)
            return True
        return False

    def check(self) -> None:
        if self._take_pending():
            raise KeyboardInterrupt


@contextlib.contextmanager
def _interrupts_held() -> Iterator[_HeldInterrupts]:
    # Only the main thread receives Python's SIGINT; elsewhere (a library caller's worker
    # thread) there is nothing to hold, and the clean-up relies on ``except BaseException``.
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask") or not hasattr(signal, "sigtimedwait")):
        yield _HeldInterrupts(active=False)
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    held = _HeldInterrupts(active=signal.SIGINT not in previous)
    try:
        yield held
    except BaseException:
        held._take_pending()  # the run is already failing and undoing; one report is enough
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass(frozen=True, slots=True)
class _Claim:
    fd: int  # the locked --out folder
    created: tuple[Path, ...]  # folders this run made to reach --out (outermost first), out included


def _make_folders(out: Path) -> list[Path]:
    """Create ``out`` and its missing parents; return the ones this call made, outermost first.
    A folder another process makes at the same moment is not ours to remove later."""
    missing: list[Path] = []
    probe = out
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            try:
                os.mkdir(folder)
            except FileExistsError:
                continue
            made.append(folder)
    except BaseException:
        _remove_folders(made)
        raise
    return made


def _remove_folders(made: list[Path] | tuple[Path, ...]) -> None:
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _busy(out: Path) -> OutputError:
    return OutputError(error(E_OUTPUT_BUSY, f"another hopper run is writing to {out}",
                             Location(file=str(out)),
                             hint="wait for it to finish and run again (its files need --force to be replaced)"))


def _claim(out: Path) -> _Claim:
    """Create or open ``out`` and hold an exclusive lock on the folder itself (released by the
    kernel if the process dies, so no stale lock survives a kill)."""
    made: list[Path] = []
    for _attempt in range(5):
        try:
            info = os.stat(out)
        except FileNotFoundError:
            made.extend(_make_folders(out))
        else:
            if not stat.S_ISDIR(info.st_mode):
                raise OutputError(error(E_OUTPUT_PATH, f"--out {out} exists and is not a folder",
                                        Location(file=str(out)),
                                        hint="give a folder for --out (hopper creates it when missing)"))
        try:
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue  # another run removed the folder it had created; claim it afresh
        except BaseException:
            _remove_folders(made)
            raise
        try:
            if _flock is not None:
                _flock(fd)
            now, held = os.stat(out), os.fstat(fd)
        except BlockingIOError:
            os.close(fd)
            raise _busy(out) from None
        except FileNotFoundError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            _remove_folders(made)
            raise
        if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            return _Claim(fd, tuple(made))
        os.close(fd)  # the name now points at another folder: start again
    raise _busy(out)


def _lock_exclusive(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


_flock = _lock_exclusive if sys.platform != "win32" else None


@functools.cache
def _libc_syncfs() -> Callable[[int], int] | None:
    import ctypes  # noqa: PLC0415 - only when a tree is really written

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int
    syncfs: Callable[[int], int] = func
    return syncfs


def _sync_file_system(fd: int) -> None:
    """Flush the file system ``fd`` lives on -- not every file system on the machine, whose
    other writers would otherwise set the pace -- and not file by file either."""
    syncfs = _libc_syncfs()
    if syncfs is None:
        if hasattr(os, "sync"):
            os.sync()
        return
    if syncfs(fd) != 0:
        import ctypes  # noqa: PLC0415

        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


_WRITE_HINTS = {
    errno.ENAMETOOLONG: "a file or folder name is longer than the file system allows (usually 255 bytes); "
                        "shorten the service or app name",
    errno.EROFS: "the file system is read-only; choose another --out",
    errno.EACCES: "no permission to write there; choose another --out",
    errno.EPERM: "no permission to write there; choose another --out",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.ENOENT: "that folder cannot be created there; choose another --out",
    errno.ENOTDIR: "a file stands where a folder is needed; choose another --out",
}


def _write_error(exc: OSError, out: Path) -> OutputError:
    where = exc.filename if isinstance(exc.filename, str) and exc.filename else str(out)
    return OutputError(error(E_OUTPUT_WRITE, f"cannot write output: {exc.strerror or type(exc).__name__}",
                             Location(file=where), hint=_WRITE_HINTS.get(exc.errno or 0)))


def _unchanged(target: Path, text: str, *, executable: bool) -> bool:
    """True when ``target`` is a regular file (not a link) that already holds ``text`` with the
    mode hopper gives it: rewriting it would change nothing on disk."""
    try:
        info = os.lstat(target)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != (0o755 if executable else 0o644):
        return False
    data = text.encode("utf-8")
    if info.st_size != len(data):
        return False
    try:
        with open(target, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def write_scratch_tree(scratch: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` into ``scratch``, a fresh private folder the caller removes afterwards
    (the dry run reads back what it would write): the paths are checked as for ``write_tree``,
    but nothing is claimed, staged, flushed or renamed -- no other run can see the folder, and
    its files are thrown away, so none of that protects anything there."""
    for item in plan_tree(scratch, files, force=False):
        item.target.parent.mkdir(parents=True, exist_ok=True)
        with open(item.target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[item.relative])
        os.chmod(item.target, 0o755 if item.relative.endswith(".sh") else 0o644)


def write_tree(out: Path, files: Mapping[str, str], *, force: bool = False) -> list[str]:
    """Write ``files`` (relative path -> text) under ``out``. Returns the relative paths that now
    hold their text: with ``force``, a file that already holds it is left as it is (not
    rewritten, backed up or renamed), so re-running into an unchanged tree writes nothing."""
    with _interrupts_held() as interrupts:
        try:
            claim = _claim(out)
        except OSError as exc:
            raise _write_error(exc, out) from None
        try:
            return _write_claimed(out, files, force=force, claim=claim, interrupts=interrupts)
        finally:
            os.close(claim.fd)


def _write_claimed(out: Path, files: Mapping[str, str], *, force: bool, claim: _Claim,
                   interrupts: _HeldInterrupts) -> list[str]:
    staged: list[tuple[PlannedFile, Path]] = []
    created_dirs: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    unlinked: list[tuple[Path, str]] = []  # planted links replaced, with what they pointed to
    done: list[PlannedFile] = []
    try:
        planned = plan_tree(out, files, force=force)
        present: set[Path] = set()  # folders known to exist
        for item in planned:
            interrupts.check()
            executable = item.relative.endswith(".sh")
            if item.exists and _unchanged(item.target, files[item.relative], executable=executable):
                continue  # --force into the same tree: nothing to write, back up or rename
            parent = item.target.parent
            missing: list[Path] = []
            probe = parent
            while probe not in present and not probe.exists():
                missing.append(probe)
                probe = probe.parent
            for folder in reversed(missing):
                os.mkdir(folder)
                created_dirs.append(folder)
            present.add(parent)
            staged.append((item, _stage_file(parent, files[item.relative], executable=executable)))
        interrupts.check()
        # One flush for the whole tree instead of an fsync per file (thousands of files at 1000
        # services cost seconds otherwise): every temporary file is on disk before any rename.
        if staged:
            _sync_file_system(claim.fd)
        for item, tmp in staged:
            interrupts.check()
            if item.target.is_symlink():
                unlinked.append((item.target, os.readlink(item.target)))
                item.target.unlink()
            elif item.exists:
                fd, backup_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".bak",
                                                   dir=item.target.parent)
                os.close(fd)
                os.replace(item.target, backup_name)
                backups.append((Path(backup_name), item.target))
            os.replace(tmp, item.target)
            done.append(item)
        interrupts.check()
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
        for link, pointed in unlinked:
            with contextlib.suppress(OSError):
                os.symlink(pointed, link)
        _remove_folders(created_dirs)
        _remove_folders(claim.created)
        if isinstance(exc, OSError):
            raise _write_error(exc, out) from None
        raise
    for backup, _target in backups:
        with contextlib.suppress(OSError):
            backup.unlink()
    return [item.relative for item in planned]
