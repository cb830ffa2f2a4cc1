"""Network namespaces laid out like Fly's private network (reference flyio.md §7.1).

One *hub* namespace holds a bridge, the DNS address ``fdaa::3``, the Flycast addresses and the
proxy's side of the private IPv4 network. Every Machine gets its own namespace joined to the
bridge by a veth pair, with:

- a 6PN IPv6 address (``fdaa:0:1:a7b:1:<n>::2``), the one ``<app>.internal`` resolves to;
- a private IPv4 address (``172.19.0.<n>``), the one Fly's proxy uses to reach the Machine;
- ``/etc/resolv.conf`` naming ``fdaa::3`` and ``/etc/hosts`` naming ``fly-local-6pn``, files
  the Machine's launcher bind-mounts in its private mount namespace.

IPv6 addresses are added with ``nodad`` so they are usable at once (no duplicate-address
detection delay). The namespaces have no names (nothing in ``/run/netns``, which an
unprivileged user cannot write): each is held by an open file descriptor of this process and
by the processes running in it, so it disappears with them — closing the descriptors and
stopping the processes is the whole clean-up, and a killed run leaves nothing behind once its
processes are gone. A thread enters a namespace with ``setns()``; a program started from that
thread (``ip``, a Machine's launcher) starts inside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNET = 0x40000000
DNS_ADDRESS = "fdaa::3"
HUB_IPV4 = "172.19.0.1"
SIXPN_PREFIX = 16  # the whole fdaa::/16 is on the bridge's link


class RuntimeProblem(Exception):
    """The runtime cannot do something: a missing capability or a failed system command.

    The message is for the user; the CLI prints it without a traceback."""


_libc = ctypes.CDLL(None, use_errno=True)
_held: dict[str, int] = {}  # namespace label -> the descriptor that keeps it
_held_lock = threading.Lock()


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise RuntimeProblem(f"cannot enter a network namespace: {os.strerror(err)}")


def new_namespace(label: str) -> None:
    """Create an empty network namespace known as ``label`` to this process.

    unshare() moves only the calling thread; it reopens its own namespace right after, so the
    thread is back where it was."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise RuntimeProblem(f"cannot create a network namespace: {os.strerror(err)} "
                                 "(hopper verify needs root or unprivileged user namespaces)")
        try:
            fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            _setns(own)
    finally:
        os.close(own)
    with _held_lock:
        _held[label] = fd


def release(label: str) -> None:
    with _held_lock:
        fd = _held.pop(label, None)
    if fd is not None:
        os.close(fd)


def held() -> list[str]:
    with _held_lock:
        return sorted(_held)


def _fd(label: str) -> int:
    with _held_lock:
        fd = _held.get(label)
    if fd is None:
        raise RuntimeProblem(f"no network namespace {label} (already removed)")
    return fd


@contextlib.contextmanager
def entered(ns: str) -> Iterator[None]:
    """Run the block with the calling thread inside namespace ``ns``.

    Sockets keep the namespace they were made in, so a socket created here can be used from
    anywhere afterwards; a program started here runs in ``ns``. setns() affects only the calling
    thread."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        _setns(_fd(ns))
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(own)


def socket_in(ns: str, family: socket.AddressFamily,
              kind: socket.SocketKind = socket.SOCK_STREAM) -> socket.socket:
    with entered(ns):
        return socket.socket(family, kind)


def run_ip(*args: str, ns: str | None = None, pass_fds: Sequence[int] = ()) -> str:
    """Run ``ip ARGS`` (inside namespace ``ns`` when given); a failure raises
    :class:`RuntimeProblem`."""
    with entered(ns) if ns else contextlib.nullcontext():
        try:
            done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30,
                                  check=False, pass_fds=tuple(pass_fds))
        except FileNotFoundError:
            raise RuntimeProblem("the 'ip' command (iproute2) is not installed") from None
    if done.returncode != 0:
        raise RuntimeProblem(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


@dataclass(slots=True)
class Host:
    """One namespace on the bridge: a Machine, the database or the object store."""

    ns: str
    index: int
    ipv4: str
    ipv6: str
    etc: tuple[tuple[str, str], ...] = ()  # (our file, the path it stands for) in the Machine


@dataclass(slots=True)
class Fabric:
    """The hub, the bridge and every Host's namespace of one run."""

    run_id: str = field(default_factory=lambda: f"hv{os.getpid()}")
    hosts: list[Host] = field(default_factory=list)
    flycast: dict[str, str] = field(default_factory=dict)  # app -> Flycast IPv6 address
    _lock: threading.Lock = field(default_factory=threading.Lock)
    scratch: Path | None = None  # where the Machines' /etc files go (default: a temporary folder)
    _made: list[str] = field(default_factory=list)
    _etc: Path | None = None

    @property
    def hub(self) -> str:
        return f"{self.run_id}-hub"

    def start(self) -> None:
        """Create the hub namespace with its bridge and the DNS address."""
        check_network_tools()
        self._etc = Path(tempfile.mkdtemp(prefix=f"{self.run_id}-etc-", dir=self.scratch))
        os.chmod(self._etc, 0o755)  # a Machine's user reads its resolv.conf
        self._add_ns(self.hub)
        hub = self.hub
        run_ip("link", "set", "lo", "up", ns=hub)
        run_ip("link", "add", "br0", "type", "bridge", ns=hub)
        run_ip("addr", "add", f"{HUB_IPV4}/24", "dev", "br0", ns=hub)
        run_ip("-6", "addr", "add", f"{DNS_ADDRESS}/{SIXPN_PREFIX}", "dev", "br0", "nodad", ns=hub)
        run_ip("link", "set", "br0", "up", ns=hub)

    def add_host(self, label: str) -> Host:
        """A new namespace joined to the bridge, with its two addresses."""
        with self._lock:
            index = len(self.hosts) + 2  # .1 is the hub
            if index > 250:
                raise RuntimeProblem("too many Machines for one run (at most 249)")
            host = Host(ns=f"{self.run_id}-{label}{index}"[:40], index=index,
                        ipv4=f"172.19.0.{index}", ipv6=ipaddress.IPv6Address(f"fdaa:0:1:a7b:1:{index:x}::2").compressed)
            self.hosts.append(host)
        self._add_ns(host.ns)
        veth = f"v{index}"
        fd = _fd(host.ns)
        run_ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", f"/proc/self/fd/{fd}",
               ns=self.hub, pass_fds=(fd,))
        run_ip("link", "set", veth, "master", "br0", "up", ns=self.hub)
        # One `ip -batch` for the Machine's side: four commands, one process.
        self._batch(host.ns, ["link set lo up", f"addr add {host.ipv4}/24 dev eth0",
                              f"addr add {host.ipv6}/{SIXPN_PREFIX} dev eth0 nodad", "link set eth0 up"])
        assert self._etc is not None
        etc = self._etc / host.ns
        etc.mkdir(parents=True, exist_ok=True)
        # Like a Fly Machine: DNS at fdaa::3, and the 6PN address under the name fly-local-6pn.
        (etc / "resolv.conf").write_text(f"nameserver {DNS_ADDRESS}\noptions timeout:1 attempts:2\n")
        (etc / "hosts").write_text(f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
                                   f"{host.ipv6}\tfly-local-6pn\n")
        host.etc = ((str(etc / "resolv.conf"), "/etc/resolv.conf"), (str(etc / "hosts"), "/etc/hosts"))
        return host

    def _batch(self, ns: str, commands: list[str]) -> None:
        with entered(ns):
            try:
                done = subprocess.run(["ip", "-batch", "-"], input="\n".join(commands) + "\n",
                                      capture_output=True, text=True, timeout=30, check=False)
            except FileNotFoundError:
                raise RuntimeProblem("the 'ip' command (iproute2) is not installed") from None
        if done.returncode != 0:
            raise RuntimeProblem(f"ip -batch ({'; '.join(commands)}): {done.stderr.strip()}")

    def add_flycast(self, app: str) -> str:
        """Allocate ``app``'s Flycast address on the hub, where the proxy listens for it."""
        with self._lock:
            if app in self.flycast:
                return self.flycast[app]
            address = ipaddress.IPv6Address(f"fdaa:0:1:0:f1c::{len(self.flycast) + 1:x}").compressed
            self.flycast[app] = address
        run_ip("-6", "addr", "add", f"{address}/128", "dev", "br0", "nodad", ns=self.hub)
        return address

    def run_in(self, host: Host, argv: Sequence[str], env: dict[str, str],
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a program in a Machine's namespace as its processes see it (its resolv.conf and
        hosts), and wait for it."""
        from hopper.runtime.launch import write_spec  # noqa: PLC0415

        assert self._etc is not None
        spec = write_spec(self._etc / f"{host.ns}-run.json", argv=list(argv), env=env, cwd="/",
                          binds=list(host.etc))
        with entered(host.ns):
            return subprocess.run([sys.executable, "-m", "hopper.runtime.launch", str(spec)],
                                  capture_output=True, text=True, timeout=timeout, check=False)

    def _add_ns(self, name: str) -> None:
        new_namespace(name)
        self._made.append(name)

    def close(self) -> None:
        """Let go of every namespace of this run: a namespace goes away with the last process
        in it (the Machines are stopped first), its veth and addresses with it."""
        for name in reversed(self._made):
            release(name)
        self._made.clear()
        if self._etc is not None:
            shutil.rmtree(self._etc, ignore_errors=True)
            self._etc = None


def check_network_tools() -> None:
    """Say which capability is missing, before anything is created."""
    if os.geteuid() != 0:
        raise RuntimeProblem("the private network needs root, or root in a user namespace "
                             "(hopper verify enters one by itself)")
    if shutil.which("ip") is None:
        raise RuntimeProblem("the 'ip' command (iproute2) is not installed: apt-get install iproute2")
    if not Path("/proc/thread-self/ns/net").exists():
        raise RuntimeProblem("this kernel has no network namespaces")


def is_ipv6(address: str) -> bool:
    return ipaddress.ip_address(address).version == 6
