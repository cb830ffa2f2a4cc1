"""Run a command as an unprivileged user who can reach this Python: ``as_user.py UID DIR -- CMD``.

Run as root under ``unshare --mount``: in that private mount namespace, every folder on the way
to this interpreter and its packages that other users cannot enter (a checkout cloned into a
private folder, a Python installed under /root) is covered with a world-readable tmpfs in which
only the needed subfolder is mounted back, at the same path, so that the user sees the same
paths as root does. Then it becomes UID (groups too, no capabilities) and runs CMD. The machine's
own mounts are untouched: everything happens in the private mount namespace.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path


def _blocking_ancestor(path: Path) -> Path | None:
    """The first folder from / down to ``path`` that other users cannot enter."""
    current = Path("/")
    for part in path.parts[1:]:
        current = current / part
        if current.is_dir() and not os.stat(current).st_mode & 0o001:
            return current
    return None


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def reveal(paths: list[Path], scratch: Path) -> None:
    for path in paths:
        while (blocked := _blocking_ancestor(path)) is not None:
            stash = Path(tempfile.mkdtemp(dir=scratch))
            _mount("--bind", str(blocked), str(stash))
            _mount("-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(blocked))
            inner = path.relative_to(blocked).parts[0]
            source, target = stash / inner, blocked / inner
            if source.is_dir():
                target.mkdir()
            else:
                target.touch()
            _mount("--bind", str(source), str(target))


def main(argv: list[str]) -> int:
    uid, scratch, command = argv[1], Path(argv[2]), argv[argv.index("--") + 1:]  # DIR: for mount points
    needed = [Path(sys.executable).resolve(), Path(sys.executable).absolute(), Path(sys.prefix),
              Path(sys.base_prefix).resolve(), Path(sysconfig.get_paths()["purelib"]),
              Path(sysconfig.get_paths()["platlib"])]
    reveal([p for p in needed if p.exists()], scratch)
    os.execvp("setpriv", ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *command])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
