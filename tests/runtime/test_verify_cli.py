"""`hopper verify` as a user runs it: exit codes, missing capabilities, clean-up on Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from hopper.runtime.netns import list_namespaces

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "clevercloud-webapp"
T = TypeVar("T")


def convert(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(SAMPLE), "--to", "fly",
                    "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_a_missing_capability_is_named_without_a_traceback() -> None:
    base = Path(tempfile.mkdtemp(dir="/var/tmp"))  # readable by the unprivileged user
    try:
        os.chmod(base, 0o755)
        out = convert(base / "out")
        # The checkout may sit where the unprivileged user cannot read (CI clones into a private
        # temporary folder), so the user imports a readable copy of the package.
        shutil.copytree(ROOT / "src" / "hopper", base / "src" / "hopper")
        subprocess.run(["chmod", "-R", "a+rX", str(base)], check=True)
        # as an unprivileged user: no network namespaces
        env = {**os.environ, "PYTHONPATH": str(base / "src")}
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               sys.executable, "-m", "hopper", "verify", str(out)],
                              capture_output=True, text=True, timeout=60, check=False, cwd=base, env=env)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert done.returncode == 1, done.stderr
    assert "needs root" in done.stderr
    assert "Traceback" not in done.stderr


def test_not_a_folder_is_an_input_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hopper", "verify", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "no such folder" in done.stderr


def test_ctrl_c_cleans_up_namespaces_processes_and_files(tmp_path: Path) -> None:
    out = convert(tmp_path / "out")
    proc = subprocess.Popen([sys.executable, "-m", "hopper", "verify", str(out), "--source", str(SAMPLE)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines, reader = _collect(proc)
    try:
        # Wait on what can be seen, not on time: the Machines run (the most there is to clean
        # up). The deadline is generous (8 sessions share 2 cores here) and only bounds a hang.
        tree = _wait_for(lambda: _machines_running(proc.pid, lines), 420,
                         lambda: "no Machine came up:\n" + "".join(lines))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    namespaces = {ns for pid in tree if (ns := _netns(pid)) and ns != _netns(os.getpid())}
    assert namespaces, "the Machines run in namespaces of their own"
    assert proc.wait(300) == 130, "".join(lines)
    reader.join(30)  # the last lines, up to end of file
    text = "".join(lines)
    assert "== clean up" in text and "Traceback" not in text, text
    # Processes die and namespaces go with them: wait until none is seen (bounded).
    _wait_for(lambda: not [pid for pid in tree if _running(pid)], 60,
              lambda: f"processes left running: {[pid for pid in tree if _running(pid)]}")
    _wait_for(lambda: not (namespaces & _all_netns()), 60,
              lambda: f"network namespaces left: {namespaces & _all_netns()}")
    assert not [n for n in list_namespaces() if n.startswith(f"hv{proc.pid}-")], "named namespaces left"
    workdirs = [*Path("/var/tmp").glob(f"hopper-verify-{proc.pid}-*"),
                *Path("/dev/shm").glob(f"hopper-verify-{proc.pid}-*")]
    assert not workdirs, "temporary files left behind"


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


def _machines_running(pid: int, lines: list[str]) -> list[int] | None:
    """The process tree under ``pid`` once a Machine started, nginx and node included."""
    if not any("machine-start" in line for line in lines):
        return None
    tree = _descendants(pid)
    names = {_comm(p) for p in tree}
    return tree if {"nginx", "node"} <= names else None


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
