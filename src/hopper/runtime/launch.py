"""Start one Machine's process: ``python -m hopper.runtime.launch SPEC``.

The runtime starts this from a thread that entered the Machine's network namespace, so it runs
there. Here it takes a private mount namespace (its mounts never reach the machine's own),
bind-mounts the Machine's ``/etc/resolv.conf`` and ``/etc/hosts`` and the files the image puts
at fixed places (``/etc/nginx/nginx.conf``, the static root) over the host's, gives the Machine
its own ``/tmp`` when asked, sets the working directory and the user, and replaces itself with
the command, so its pid is the Machine's main process. SPEC is a JSON file the runtime wrote
(:func:`write_spec`).

The user: as real root, setuid() as usual. Inside the user namespace an unprivileged
``hopper verify`` runs in, only root exists; a Machine that runs as another user (PostgreSQL,
which refuses root; an image's ``USER``) gets a user namespace of its own in which that user's
uid is the one mapped, so its files — owned by the run's root — are its own there.
"""

from __future__ import annotations

import ctypes
import json
import os
import pwd
import sys
from collections.abc import Sequence
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_BIND = 4096
MS_REC = 16384
MS_SLAVE = 1 << 19
MS_NOSUID, MS_NODEV = 2, 4


def write_spec(path: Path, *, argv: Sequence[str], env: dict[str, str], cwd: str,
               binds: Sequence[tuple[str, str]] = (), user: str | None = None,
               private_tmp: bool = False) -> Path:
    """Write a launch SPEC, readable only by its owner (it holds the Machine's secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"argv": list(argv), "env": env, "cwd": cwd, "binds": [list(b) for b in binds],
                   "user": user, "private_tmp": private_tmp}, fh)
    return path


class LaunchError(Exception):
    pass


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise LaunchError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(source.encode() if source else None, target.encode(),
                       fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                       data.encode() if data else None), f"cannot mount {source or fstype} on {target}")


def in_initial_user_namespace() -> bool:
    """Real root, not root of a user namespace: the whole uid range is mapped to itself."""
    try:
        return Path("/proc/self/uid_map").read_text().split() == ["0", "0", "4294967295"]
    except OSError:
        return True


def _become(user: str) -> None:
    entry = pwd.getpwnam(user)
    if in_initial_user_namespace():
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        return
    _check(_libc.unshare(CLONE_NEWUSER), f"cannot enter a user namespace to run as {user}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{entry.pw_uid} 0 1")
    Path("/proc/self/gid_map").write_text(f"{entry.pw_gid} 0 1")


def prepare(spec: dict[str, object]) -> None:
    """Everything before exec: mounts, directory, user."""
    _check(_libc.unshare(CLONE_NEWNS), "cannot make a private mount namespace")
    _mount(None, "/", None, MS_REC | MS_SLAVE)  # nothing propagates back to the host
    binds = spec.get("binds") or []
    assert isinstance(binds, list)
    for source, target in binds:
        _mount(str(source), os.path.realpath(str(target)), None, MS_BIND)
    if spec.get("private_tmp"):
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    os.chdir(str(spec["cwd"]))
    user = spec.get("user")
    if user:
        _become(str(user))


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    try:
        prepare(spec)
    except (LaunchError, OSError, KeyError) as exc:
        print(f"hopper launch: {exc}", file=sys.stderr)
        return 126
    try:
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    except OSError as exc:
        print(f"hopper launch: cannot run {spec['argv'][0]}: {exc.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
