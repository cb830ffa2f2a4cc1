"""`hopper verify` as a user runs it: exit codes, missing capabilities, clean-up on Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from hopper.runtime.netns import list_namespaces

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "clevercloud-webapp"


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
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = []
    for line in proc.stderr:  # wait until Machines run: the most there is to clean up
        seen.append(line)
        if "machine-start" in line or time.monotonic() > deadline:
            break
    assert any("machine-start" in line for line in seen), "".join(seen)
    prefix = f"hv{proc.pid}-"
    namespaces = [n for n in list_namespaces() if n.startswith(prefix)]
    assert namespaces
    pids = [int(p) for ns in namespaces for p in subprocess.run(
        ["ip", "netns", "pids", ns], capture_output=True, text=True, check=False).stdout.split()]
    assert pids  # nginx, the API, PostgreSQL, the S3 server
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(120) == 130, rest
    assert "Traceback" not in rest
    assert not [n for n in list_namespaces() if n.startswith(prefix)]
    workdirs = [*Path("/var/tmp").glob("hopper-verify-*"), *Path("/dev/shm").glob("hopper-verify-*")]
    assert not [p for p in workdirs if _owned_by(p, proc.pid)], "temporary files left behind"
    assert not [pid for pid in pids if _running(pid)], "processes left running"


def _owned_by(path: Path, pid: int) -> bool:
    return any(p.name.startswith(f"hv{pid}-") for p in path.glob("*.json"))


def _running(pid: int) -> bool:
    """Alive and not a zombie, waiting up to 10 s for a killed process to be gone."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.2)
    return True
