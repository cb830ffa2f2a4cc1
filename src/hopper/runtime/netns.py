"""Network namespaces laid out like Fly's private network (reference flyio.md §7.1).

One *hub* namespace holds a bridge, the DNS address ``fdaa::3``, the Flycast addresses and the
proxy's side of the private IPv4 network. Every Machine gets its own namespace joined to the
bridge by a veth pair, with:

- a 6PN IPv6 address (``fdaa:0:1:a7b:1:<n>::2``), the one ``<app>.internal`` resolves to;
- a private IPv4 address (``172.19.0.<n>``), the one Fly's proxy uses to reach the Machine;
- ``/etc/resolv.conf`` naming ``fdaa::3`` (``ip netns exec`` mounts ``/etc/netns/<ns>/``).

IPv6 addresses are added with ``nodad`` so they are usable at once (no duplicate-address
detection delay). Nothing is added to the machine's own namespace: the only door in from it is
the edge's loopback port. Every namespace name starts with ``hv<pid>-`` so that a later run can
remove what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/var/run/netns")
ETC_NETNS = Path("/etc/netns")
DNS_ADDRESS = "fdaa::3"
HUB_IPV4 = "172.19.0.1"
SIXPN_PREFIX = 16  # the whole fdaa::/16 is on the bridge's link
_NAME = re.compile(r"^hv(\d+)-[a-z0-9]+$")


class RuntimeProblem(Exception):
    """The runtime cannot do something: a missing capability or a failed system command.

    The message is for the user; the CLI prints it without a traceback."""


def run_ip(*args: str) -> str:
    """Run ``ip ARGS`` and return its output; a failure raises :class:`RuntimeProblem`."""
    try:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError:
        raise RuntimeProblem("the 'ip' command (iproute2) is not installed") from None
    if done.returncode != 0:
        raise RuntimeProblem(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise RuntimeProblem(f"cannot enter a network namespace: {os.strerror(err)}")


@contextlib.contextmanager
def entered(ns: str) -> Iterator[None]:
    """Run the block with the calling thread inside namespace ``ns``.

    Sockets keep the namespace they were made in, so a socket created here can be used from
    anywhere afterwards. setns() affects only the calling thread."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(NETNS_DIR / ns, os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)


def socket_in(ns: str, family: socket.AddressFamily,
              kind: socket.SocketKind = socket.SOCK_STREAM) -> socket.socket:
    with entered(ns):
        return socket.socket(family, kind)


@dataclass(slots=True)
class Host:
    """One namespace on the bridge: a Machine, the database or the object store."""

    ns: str
    index: int
    ipv4: str
    ipv6: str


@dataclass(slots=True)
class Fabric:
    """The hub, the bridge and every Host's namespace of one run."""

    run_id: str = field(default_factory=lambda: f"hv{os.getpid()}")
    hosts: list[Host] = field(default_factory=list)
    flycast: dict[str, str] = field(default_factory=dict)  # app -> Flycast IPv6 address
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _made: list[str] = field(default_factory=list)

    @property
    def hub(self) -> str:
        return f"{self.run_id}-hub"

    def start(self) -> None:
        """Create the hub namespace with its bridge and the DNS address."""
        check_capabilities()
        sweep_stale()
        self._add_ns(self.hub)
        hub = self.hub
        run_ip("-n", hub, "link", "set", "lo", "up")
        run_ip("-n", hub, "link", "add", "br0", "type", "bridge")
        run_ip("-n", hub, "addr", "add", f"{HUB_IPV4}/24", "dev", "br0")
        run_ip("-n", hub, "-6", "addr", "add", f"{DNS_ADDRESS}/{SIXPN_PREFIX}", "dev", "br0", "nodad")
        run_ip("-n", hub, "link", "set", "br0", "up")

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
        run_ip("-n", self.hub, "link", "add", veth, "type", "veth", "peer", "name", "eth0",
               "netns", host.ns)
        run_ip("-n", self.hub, "link", "set", veth, "master", "br0", "up")
        run_ip("-n", host.ns, "link", "set", "lo", "up")
        run_ip("-n", host.ns, "addr", "add", f"{host.ipv4}/24", "dev", "eth0")
        run_ip("-n", host.ns, "-6", "addr", "add", f"{host.ipv6}/{SIXPN_PREFIX}", "dev", "eth0", "nodad")
        run_ip("-n", host.ns, "link", "set", "eth0", "up")
        etc = ETC_NETNS / host.ns
        etc.mkdir(parents=True, exist_ok=True)
        # Like a Fly Machine: DNS at fdaa::3, and the 6PN address under the name fly-local-6pn.
        (etc / "resolv.conf").write_text(f"nameserver {DNS_ADDRESS}\noptions timeout:1 attempts:2\n")
        (etc / "hosts").write_text(f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
                                   f"{host.ipv6}\tfly-local-6pn\n")
        return host

    def add_flycast(self, app: str) -> str:
        """Allocate ``app``'s Flycast address on the hub, where the proxy listens for it."""
        with self._lock:
            if app in self.flycast:
                return self.flycast[app]
            address = ipaddress.IPv6Address(f"fdaa:0:1:0:f1c::{len(self.flycast) + 1:x}").compressed
            self.flycast[app] = address
        run_ip("-n", self.hub, "-6", "addr", "add", f"{address}/128", "dev", "br0", "nodad")
        return address

    def _add_ns(self, name: str) -> None:
        run_ip("netns", "add", name)
        self._made.append(name)

    def close(self) -> None:
        """Remove every namespace of this run (their veths go with them) and their /etc files."""
        for name in reversed(self._made):
            remove_ns(name)
        self._made.clear()
        # A namespace whose creation an interrupt cut short was never recorded: sweep by name.
        prefix = f"{self.run_id}-"
        for name in list_namespaces():
            if name.startswith(prefix):
                remove_ns(name)
        if ETC_NETNS.is_dir():
            for path in ETC_NETNS.glob(prefix + "*"):
                shutil.rmtree(path, ignore_errors=True)


def remove_ns(name: str) -> None:
    with contextlib.suppress(RuntimeProblem):
        run_ip("netns", "del", name)
    shutil.rmtree(ETC_NETNS / name, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> list[str]:
    """Remove namespaces left by runs whose process is gone (a kill -9 skips clean-up)."""
    removed = []
    for name in list_namespaces():
        m = _NAME.match(name) or re.match(r"^hv(\d+)-", name)
        if m and not _alive(int(m.group(1))):
            remove_ns(name)
            removed.append(name)
    return removed


def list_namespaces() -> list[str]:
    try:
        return sorted(p.name for p in NETNS_DIR.iterdir())
    except OSError:
        return []


def check_capabilities() -> None:
    """Say which capability is missing, before anything is created."""
    if os.geteuid() != 0:
        raise RuntimeProblem("hopper verify needs root (network namespaces, veth pairs and bridges "
                             "are created with iproute2); run it as root or in a root container")
    if shutil.which("ip") is None:
        raise RuntimeProblem("the 'ip' command (iproute2) is not installed: apt-get install iproute2")
    if not Path("/proc/thread-self/ns/net").exists():
        raise RuntimeProblem("this kernel has no network namespaces")


def is_ipv6(address: str) -> bool:
    return ipaddress.ip_address(address).version == 6
