"""A Machine: one process in its own namespace, started and stopped like Fly's.

``start()`` launches the process (through :mod:`hopper.runtime.launch`) and waits until it
accepts connections on its ``internal_port`` over its private IPv4 address — the way Fly's
proxy would reach it — or exits. ``stop()`` sends SIGTERM, then SIGKILL after a grace period,
to the whole process group. Output goes to a log file the report quotes from.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hopper.runtime.launch import write_spec
from hopper.runtime.netns import Host, entered, socket_in


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: str
    binds: tuple[tuple[str, str], ...] = ()
    user: str | None = None


class MachineFailed(Exception):
    """The Machine's process exited or never listened."""


@dataclass(eq=False)
class Machine:
    app: str
    group: str
    host: Host
    hub: str
    spec: ProcessSpec
    workdir: Path  # where the spec and the log live
    internal_port: int | None = None  # None: nothing to wait for (a worker)
    start_timeout: float = 30.0
    stop_signal: int = signal.SIGTERM  # PostgreSQL: SIGINT, its fast shutdown
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return f"{self.app}/{self.group}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.host.ns}.log"

    @property
    def started(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the process if it is not running; wait until it listens. Thread-safe."""
        with self._lock:
            if self.started:
                return
            spec_path = write_spec(
                self.workdir / f"{self.host.ns}.json", argv=self.spec.argv, env=dict(self.spec.env),
                cwd=self.spec.cwd, binds=(*self.host.etc, *self.spec.binds), user=self.spec.user,
                private_tmp=_own_tmp_possible(self.workdir, self.spec))
            log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
            try:
                with entered(self.host.ns):  # the launcher starts inside the Machine's namespace
                    self.process = subprocess.Popen(
                        [sys.executable, "-m", "hopper.runtime.launch", str(spec_path)],
                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                        start_new_session=True)
            finally:
                log.close()
            self.starts += 1
            if self.internal_port is not None:
                self._wait_listening()

    def _wait_listening(self) -> None:
        assert self.process is not None and self.internal_port is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise MachineFailed(f"{self.name} exited with code {self.process.returncode} "
                                    f"before listening on port {self.internal_port}")
            if self.accepts(self.host.ipv4):
                return
            time.sleep(0.05)
        raise MachineFailed(f"{self.name} does not accept connections on "
                            f"{self.host.ipv4}:{self.internal_port} after {self.start_timeout:.0f}s")

    def accepts(self, address: str, port: int | None = None) -> bool:
        """Whether the Machine accepts a TCP connection on ``address`` (from the hub)."""
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket_in(self.hub, family)
        sock.settimeout(0.5)
        try:
            sock.connect((address, port or self.internal_port or 0))
            return True
        except OSError:
            return False
        finally:
            sock.close()

    def stop(self, grace: float = 5.0) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
        with self._lock:
            proc = self.process
            if proc is None:
                return
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, self.stop_signal)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(grace)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # children the main process left behind
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])


def _own_tmp_possible(workdir: Path, spec: ProcessSpec) -> bool:
    """A Machine gets its own empty ``/tmp`` (as on Fly, where each has its own disk, and so
    that nginx's pid and temporary files of two runs never meet) unless something it needs is
    there: this Python, the work folder, a file it mounts."""
    needed = [Path(sys.executable).resolve(), workdir.resolve(), *(Path(src).resolve() for src, _ in spec.binds)]
    return not any(path.is_relative_to("/tmp") for path in needed)
