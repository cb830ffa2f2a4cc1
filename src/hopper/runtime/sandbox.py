"""The namespaces a run's Machines live in, and that die with the run.

After the images are built (on the machine's own network: a build downloads packages),
``hopper verify`` deploys and checks the set in a child process tree:

- the *keeper* (a fork of ``hopper verify``) unshares a mount, network and PID namespace — and
  first a user namespace, mapping the user to root in it, when ``hopper verify`` does not run
  as root — then forks
- the *runner*, process 1 of the new PID namespace: it mounts its own ``/proc``, brings up its
  network namespace's loopback (where the public edge listens) and runs the deployment and the
  checks, then sends the report back through a pipe.

Everything the runner starts (the Machines, PostgreSQL, the S3 server) is in that PID
namespace, so when the runner ends — normally, on an error, on Ctrl-C or killed — the kernel
kills whatever is left, and the network namespaces, which only these processes hold, go with
them. The keeper and the runner die when their parent dies (``PR_SET_PDEATHSIG``), so a
``kill -9`` of ``hopper verify`` takes the whole tree down too. Signals ``hopper verify``
receives (SIGINT, SIGTERM, SIGHUP) are passed down; the runner acts on the first one only,
cleans up, and says it was interrupted.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TypeVar, cast

from hopper.runtime.launch import MS_NODEV, MS_NOSUID, MS_REC, MS_SLAVE
from hopper.runtime.netns import RuntimeProblem

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOEXEC = 8
PR_SET_PDEATHSIG = 1
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_SETUP = 70
T = TypeVar("T")

_libc = ctypes.CDLL(None, use_errno=True)


class Interrupted(Exception):
    """SIGTERM, SIGHUP or SIGINT arrived; clean-up follows."""


class _Failed(Exception):
    def __init__(self, step: str) -> None:
        super().__init__(f"{step}: {os.strerror(ctypes.get_errno())}")
        self.errno = ctypes.get_errno()


def _call(result: int, step: str) -> None:
    if result != 0:
        raise _Failed(step)


def _mount(source: str | None, target: str, fstype: str | None, flags: int) -> None:
    _call(_libc.mount(source.encode() if source else None, target.encode(),
                      fstype.encode() if fstype else None, ctypes.c_ulong(flags), None),
          f"mount {fstype or source or ''} on {target}")


def _enter(userns: bool, uid: int, gid: int) -> None:
    """Unshare the namespaces (user first, when not root) and map the user to root."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if userns:
        _call(_libc.unshare(CLONE_NEWUSER | flags), "unshare(CLONE_NEWUSER)")
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
            Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        except OSError as exc:
            ctypes.set_errno(exc.errno or 0)
            raise _Failed("mapping the user to root in the user namespace") from None
    else:
        _call(_libc.unshare(flags), "unshare(mount, network and PID namespaces)")
    _mount(None, "/", None, MS_REC | MS_SLAVE)  # nothing mounted here reaches the machine's


def _as_process_one() -> None:
    """In the new PID namespace: die with the keeper, own /proc, loopback up."""
    # (Its parent is outside the PID namespace: getppid() says 0, so a keeper that died this
    # early cannot be told from here; the keeper's pipe closing tells hopper verify instead.)
    _call(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    done = subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True, text=True,
                          timeout=30, check=False)
    if done.returncode != 0:
        raise RuntimeProblem(f"cannot bring up the loopback of the run's network namespace: {done.stderr.strip()}")


def _read_sysctl(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _reason(failure: _Failed) -> str:
    """What on this machine forbids user namespaces, as far as it can be told."""
    if _read_sysctl("/proc/sys/user/max_user_namespaces") == "0":
        return "user namespaces are switched off (sysctl user.max_user_namespaces = 0)"
    if _read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == "0":
        return "unprivileged user namespaces are switched off (sysctl kernel.unprivileged_userns_clone = 0)"
    if _read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        return ("AppArmor gives unprivileged user namespaces no capabilities "
                "(sysctl kernel.apparmor_restrict_unprivileged_userns = 1)")
    import errno  # noqa: PLC0415

    if failure.errno == errno.ENOSPC:
        return "the limit of user namespaces is reached (sysctl user.max_user_namespaces)"
    return "a seccomp filter (a container's, for one) or a security module forbids it"


@functools.cache
def userns_problem() -> str | None:
    """Why an unprivileged run cannot make its namespaces here, or None when it can.

    Tried for real in a throw-away child: the user, mount, network and PID namespaces, the
    user mapped to root, and ``/proc`` mounted by process 1 of the new PID namespace."""
    uid, gid = os.geteuid(), os.getegid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        message = b""
        try:
            os.close(r)
            _enter(True, uid, gid)
            inner = os.fork()
            if inner == 0:
                try:
                    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                except _Failed:
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(inner, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                message = b"mounting /proc in a new PID namespace is not allowed"
        except _Failed as exc:
            message = f"{exc}; {_reason(exc)}".encode()
        except BaseException as exc:
            message = f"{exc}".encode()
        with contextlib.suppress(OSError):
            os.write(w, message)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        text = pipe.read().decode(errors="replace")
    os.waitpid(pid, 0)
    if not text:
        return None
    return ("hopper verify needs root, or unprivileged user namespaces (it makes network "
            f"namespaces, veth pairs and a bridge in one), and this machine refuses them: {text}. "
            "Run it as root, or allow user namespaces (docs/verify.md says how)")


def check_capabilities() -> None:
    """Say which capability is missing, before anything is created."""
    import shutil  # noqa: PLC0415

    if shutil.which("ip") is None:
        raise RuntimeProblem("the 'ip' command (iproute2) is not installed: apt-get install iproute2")
    if not Path("/proc/self/ns/net").exists():
        raise RuntimeProblem("this kernel has no network namespaces")
    if os.geteuid() != 0:
        problem = userns_problem()
        if problem:
            raise RuntimeProblem(problem)


def _forward(pid: int) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    return handler


@contextlib.contextmanager
def _blocked() -> Iterator[None]:
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def isolated(body: Callable[[], T]) -> T:
    """Run ``body`` as process 1 of fresh namespaces (see the module's docstring); its result
    comes back pickled. Raises :class:`Interrupted` when a signal stopped it and
    :class:`RuntimeProblem` when it could not run."""
    userns = os.geteuid() != 0
    uid, gid, parent = os.geteuid(), os.getegid(), os.getpid()
    main = threading.current_thread() is threading.main_thread()
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    previous: dict[int, object] = {}
    with _blocked():  # a signal now waits until the handlers below are in place
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the keeper
            _keeper(r, w, body, userns, uid, gid, parent)
        os.close(w)
        if main:
            previous = {s: signal.signal(s, _forward(pid)) for s in SIGNALS}
    try:
        with os.fdopen(r, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
    return cast(T, _outcome(data, status))


def _outcome(data: bytes, status: int) -> object:
    if not data:
        code = os.waitstatus_to_exitcode(status)
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
        raise RuntimeProblem(f"the runtime's process ended without a report ({how}); its "
                             "Machines and namespaces ended with it")
    kind, value = pickle.loads(data)  # noqa: S301 - our own child's report
    if kind == "report":
        return value
    if kind == "interrupted":
        raise Interrupted(value)
    if kind == "problem":
        raise RuntimeProblem(value)
    raise RuntimeError(f"the runtime failed (a bug in hopper):\n{value}")


def _keeper(r: int, w: int, body: Callable[[], T], userns: bool, uid: int, gid: int,
            parent: int) -> None:  # pragma: no cover - runs in the child
    code = EXIT_SETUP
    try:
        os.close(r)
        _call(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
        if os.getppid() != parent:
            os._exit(code)
        try:
            _enter(userns, uid, gid)
        except _Failed as exc:
            _send(w, ("problem", f"cannot make the run's namespaces: {exc}"
                      + (f"; {_reason(exc)}" if userns else "")))
            os._exit(code)
        runner = os.fork()
        if runner == 0:
            _runner(w, body)
        os.close(w)
        for sig in SIGNALS:
            signal.signal(sig, _forward(runner))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        _, status = os.waitpid(runner, 0)
        code = max(0, os.waitstatus_to_exitcode(status))
    except BaseException:
        with contextlib.suppress(OSError):  # the runner was not started: say why
            _send(w, ("crash", traceback.format_exc()))
        code = EXIT_SETUP
    os._exit(code)


def _runner(w: int, body: Callable[[], T]) -> None:  # pragma: no cover - the child
    result: tuple[str, object] = ("crash", "")
    state = {"interrupted": False}

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if state["interrupted"]:
            return  # a second signal (a terminal sends Ctrl-C to every process) changes nothing
        state["interrupted"] = True
        raise Interrupted(signal.Signals(signum).name)

    try:
        for sig in SIGNALS:
            signal.signal(sig, interrupt)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        _as_process_one()
        result = ("report", body())
    except (Interrupted, KeyboardInterrupt) as exc:
        result = ("interrupted", str(exc) or "SIGINT")
    except RuntimeProblem as exc:
        result = ("problem", str(exc))
    except _Failed as exc:
        result = ("problem", f"cannot set up the run's namespaces: {exc}")
    except BaseException:
        result = ("crash", traceback.format_exc())
    finally:
        for sig in SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
    _send(w, result)
    os._exit(0)


def _send(w: int, result: tuple[str, object]) -> None:
    data = pickle.dumps(result)
    with contextlib.suppress(OSError):
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
