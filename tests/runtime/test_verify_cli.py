"""`hopper verify` as a user runs it: exit codes, missing capabilities, clean-up on Ctrl-C."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "clevercloud-webapp"
T = TypeVar("T")


def convert(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(SAMPLE), "--to", "fly",
                    "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


AS_USER = str(Path(__file__).with_name("as_user.py"))
NOBODY = "65534"


@contextlib.contextmanager
def readable_copy() -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """The converted sample and its source in a folder any user can read, with a readable copy
    of hopper on PYTHONPATH: CI clones into a folder other users cannot read."""
    base = Path(tempfile.mkdtemp(dir="/var/tmp"))
    try:
        os.chmod(base, 0o755)
        out = convert(base / "out")
        shutil.copytree(SAMPLE, base / "source", ignore=shutil.ignore_patterns("node_modules"))
        shutil.copytree(ROOT / "src" / "hopper", base / "src" / "hopper",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "mappings", base / "src" / "hopper" / "mappings")  # as in the wheel
        (base / "mnt").mkdir()
        subprocess.run(["chmod", "-R", "a+rX", str(base)], check=True)
        yield out, base, {**os.environ, "PYTHONPATH": str(base / "src"), "HOME": str(base)}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _user_namespaces_allowed() -> bool:
    """Whether this kernel lets an unprivileged user make user namespaces (asked with
    util-linux's own tools, independently of hopper's check)."""
    for path, refused in (("/proc/sys/user/max_user_namespaces", "0"),
                          ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
                          ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1")):
        with contextlib.suppress(OSError):
            if Path(path).read_text().strip() == refused:
                return False
    try:  # a container's seccomp filter, for one, says no only when asked
        done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                               "unshare", "--user", "--map-root-user", "--mount", "--net", "true"],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.skipif(not _user_namespaces_allowed(), reason="this kernel refuses unprivileged user namespaces")
def test_an_unprivileged_user_verifies_a_sample_and_nothing_is_left() -> None:
    with readable_copy() as (out, base, env):
        # as_user.py: as nobody, in a private mount namespace where this Python is reachable
        proc = subprocess.Popen(["unshare", "--mount", sys.executable, AS_USER, NOBODY, str(base / "mnt"), "--",
                                 sys.executable, "-m", "hopper", "verify", str(out), "--source", str(base / "source")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=base, env=env)
        lines, reader = _collect(proc)
        seen_tree: set[int] = set()
        namespaces: set[str] = set()
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline:  # what ran, for the checks below
            tree = _descendants(proc.pid)
            seen_tree.update(tree)
            namespaces.update(ns for pid in tree if (ns := _netns(pid)))
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        assert proc.stdout is not None
        report = proc.stdout.read()
        assert proc.wait(60) == 0, "".join(lines) + report
        reader.join(30)
        stderr = "".join(lines)
    assert "Traceback" not in stderr, stderr
    assert "verified:" in report and " 0 failed" in report and "FAIL" not in report, report
    assert "pass  attachment webapp-api DATABASE_URL" in report  # PostgreSQL ran (as a non-root user)
    assert "pass  route" in report and "pass  health" in report
    # Processes, namespaces, files: nothing of the run is left.
    namespaces.discard(_netns(os.getpid()) or "")
    assert len(namespaces) >= 4, "the run and each Machine had a network namespace of its own"
    _wait_for(lambda: not [pid for pid in seen_tree if _running(pid)], 60,
              lambda: f"processes left running: {[pid for pid in seen_tree if _running(pid)]}")
    _wait_for(lambda: not (namespaces & _all_netns()), 60,
              lambda: f"network namespaces left: {namespaces & _all_netns()}")
    assert not [*Path("/var/tmp").glob(f"hopper-verify-{proc.pid}-*"),
                *Path("/dev/shm").glob(f"hopper-verify-{proc.pid}-*")], "temporary files left behind"


@pytest.mark.skipif(not _user_namespaces_allowed(), reason="this kernel refuses unprivileged user namespaces")
def test_killing_an_unprivileged_run_takes_its_machines_and_namespaces_with_it() -> None:
    # A crash that skips every clean-up: SIGKILL. The runner dies with hopper verify
    # (PR_SET_PDEATHSIG), the Machines with the runner (process 1 of their PID namespace), the
    # namespaces with the last process in them; the next run removes the work folder.
    with readable_copy() as (out, base, env):
        # --hold: the run waits, every Machine up, until it is told to end (here: killed).
        command = [sys.executable, "-m", "hopper", "verify", str(out), "--source", str(base / "source"), "--hold"]
        proc = subprocess.Popen(["unshare", "--mount", sys.executable, AS_USER, NOBODY, str(base / "mnt"), "--",
                                 *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                cwd=base, env=env)
        lines, reader = _collect(proc)
        try:
            tree = _wait_for(lambda: _holding(proc, lines), 420, lambda: "no hold:\n" + "".join(lines))
            namespaces = {ns for pid in tree if (ns := _netns(pid))} - {_netns(os.getpid())}
            assert len(namespaces) >= 4
        finally:
            proc.kill()
        proc.wait(60)
        reader.join(30)
        _wait_for(lambda: not [pid for pid in tree if _running(pid)], 60,
                  lambda: f"processes left running: {[pid for pid in tree if _running(pid)]}")
        _wait_for(lambda: not (namespaces & _all_netns()), 60,
                  lambda: f"network namespaces left: {namespaces & _all_netns()}")
        left = [*Path("/dev/shm").glob(f"hopper-verify-{proc.pid}-*"), *Path("/var/tmp").glob(f"hopper-verify-{proc.pid}-*")]
        assert left, "SIGKILL leaves the work folder"
        # The next run by the same user removes it (it fails at once here: no such set).
        subprocess.run(["unshare", "--mount", sys.executable, AS_USER, NOBODY, str(base / "mnt"), "--",
                        sys.executable, "-m", "hopper", "verify", str(base / "mnt")],
                       capture_output=True, text=True, cwd=base, env=env, timeout=120, check=False)
        assert not [p for p in left if p.exists()], "the next run did not remove the killed run's folder"


def test_without_user_namespaces_the_missing_capability_is_named() -> None:
    # A user namespace of the test's own, with every uid below 65536 mapped to itself, in which
    # user.max_user_namespaces (a per-namespace limit) is 0: in there, nobody cannot make one.
    script = ('read go; exec sh -c \'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"\' sh "$@"')
    with readable_copy() as (out, base, env):
        proc = subprocess.Popen(["unshare", "--user", "--mount", "sh", "-c", script, "sh",
                                 sys.executable, AS_USER, NOBODY, str(base / "mnt"), "--",
                                 sys.executable, "-m", "hopper", "verify", str(out), "--source", str(base / "source")],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=base, env=env)
        own = _userns(os.getpid())
        _wait_for(lambda: _userns(proc.pid) not in (None, own), 60, lambda: "unshare --user did not start")
        for name in ("uid_map", "gid_map"):
            Path(f"/proc/{proc.pid}/{name}").write_text("0 0 65536")
        stdout, stderr = proc.communicate("go\n", timeout=300)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert "needs root, or unprivileged user namespaces" in stderr, stderr
    assert "user.max_user_namespaces = 0" in stderr, stderr
    assert not stdout


def _userns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/user")
    except OSError:
        return None


def test_not_a_folder_is_an_input_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hopper", "verify", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "no such folder" in done.stderr


def test_hold_serves_the_set_on_loopback_until_ctrl_c(tmp_path: Path) -> None:
    out = convert(tmp_path / "out")
    proc = subprocess.Popen([sys.executable, "-m", "hopper", "--quiet", "verify", str(out), "--source", str(SAMPLE),
                             "--hold"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines, reader = _collect(proc)
    try:
        # The deadline only bounds a hang (the machine may be shared and slow).
        tree = _wait_for(lambda: _holding(proc, lines), 420, lambda: "no hold:\n" + "".join(lines))
        published = [line for line in lines if line.startswith("  webapp-front: ")]
        front = next(line.split()[1] for line in published if "port 443" in line)
        plain = next(line.split()[1] for line in published if "port 80 " in line)
        assert _status(plain) == 301  # force_https, as on Fly's edge
        with urllib.request.urlopen(front, timeout=30) as page:  # the front, through the edge
            assert b"<title>webapp</title>" in page.read()
        with urllib.request.urlopen(front + "api/health", timeout=30) as health:  # nginx -> the API
            assert b'"POSTGRESQL_ADDON_URI":true' in health.read()
        assert not any(line.startswith("  webapp-api: ") for line in lines), "a private app is not published"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    namespaces = {ns for pid in tree if (ns := _netns(pid)) and ns != _netns(os.getpid())}
    assert namespaces, "the Machines run in namespaces of their own"
    assert proc.stdout is not None
    stdout = proc.stdout.read()  # not communicate(): the reader thread owns stderr
    proc.wait(300)
    reader.join(30)
    text = "".join(lines)
    assert proc.returncode == 0, text  # Ctrl-C is how a hold ends: the checks decide the status
    assert "== hold ended" in text and "== clean up" in text and "Traceback" not in text, text
    assert "verified:" in stdout and " 0 failed" in stdout, stdout
    _assert_nothing_left(proc.pid, tree, namespaces)


def test_ctrl_c_while_a_machine_starts_cleans_up(tmp_path: Path) -> None:
    # An API that never listens: the run waits for it (as Fly's health checks do), Machines up,
    # and Ctrl-C comes in the middle of the deploy.
    out = convert(tmp_path / "out")
    source = tmp_path / "source"
    shutil.copytree(SAMPLE, source, ignore=shutil.ignore_patterns("node_modules"))
    (source / "api" / "server.js").write_text("setInterval(() => {}, 1000);  // never listens\n")
    proc = subprocess.Popen([sys.executable, "-m", "hopper", "verify", str(out), "--source", str(source)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines, reader = _collect(proc)
    try:
        tree = _wait_for(lambda: _api_waiting(proc, lines), 420, lambda: "the API never started:\n" + "".join(lines))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    namespaces = {ns for pid in tree if (ns := _netns(pid)) and ns != _netns(os.getpid())}
    assert namespaces, "the Machines run in namespaces of their own"
    assert proc.wait(300) == 130, "".join(lines)
    reader.join(30)  # the last lines, up to end of file
    text = "".join(lines)
    assert "== clean up" in text and "interrupted (cleaned up)" in text and "Traceback" not in text, text
    _assert_nothing_left(proc.pid, tree, namespaces)


def _status(url: str) -> int:
    """The status of a GET, redirects not followed."""
    host, _, port = url.removeprefix("http://").rstrip("/").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status
    finally:
        connection.close()


def _assert_nothing_left(pid: int, tree: list[int], namespaces: set[str]) -> None:
    """Processes die and namespaces go with them (waited for, bounded); no work folder stays."""
    _wait_for(lambda: not [p for p in tree if _running(p)], 60,
              lambda: f"processes left running: {[p for p in tree if _running(p)]}")
    _wait_for(lambda: not (namespaces & _all_netns()), 60,
              lambda: f"network namespaces left: {namespaces & _all_netns()}")
    workdirs = [*Path("/var/tmp").glob(f"hopper-verify-{pid}-*"), *Path("/dev/shm").glob(f"hopper-verify-{pid}-*")]
    assert not workdirs, "temporary files left behind"


def _holding(proc: subprocess.Popen[str], lines: list[str]) -> list[int] | None:
    """The run's process tree once it holds (every Machine up); fails at once if the run ended."""
    if proc.poll() is not None:
        raise AssertionError(f"verify ended (exit {proc.returncode}) before it held:\n" + "".join(lines))
    if not any(line.startswith("== the set runs until Ctrl-C") for line in lines):
        return None
    tree = _descendants(proc.pid)
    assert {"nginx", "node"} <= {_comm(p) for p in tree}, "".join(lines)
    return tree


def _api_waiting(proc: subprocess.Popen[str], lines: list[str]) -> list[int] | None:
    """The run's process tree once the API's Machine runs (node, waited for)."""
    if proc.poll() is not None:
        raise AssertionError(f"verify ended (exit {proc.returncode}) first:\n" + "".join(lines))
    if not any(line.startswith("== start the Machines") for line in lines):
        return None
    tree = _descendants(proc.pid)
    return tree if "node" in {_comm(p) for p in tree} else None


def _collect(proc: subprocess.Popen[str]) -> tuple[list[str], threading.Thread]:
    """stderr's lines as they come, read by a thread (the test never blocks on the pipe)."""
    lines: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return lines, thread


def _wait_for(ready: Callable[[], T | bool | None], seconds: float, why: Callable[[], str]) -> T:
    deadline = time.monotonic() + seconds
    while True:
        got = ready()
        if got:
            return got  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(why())
        time.sleep(0.2)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _netns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def _all_netns() -> set[str]:
    """The network namespace of every process on the machine."""
    return {ns for path in Path("/proc").glob("[0-9]*") if (ns := _netns(int(path.name)))}


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
