"""The private network of one run: namespaces, DNS at ``fdaa::3``, Flycast and the edge.

:class:`PrivateNetwork` owns an asyncio loop in a background thread that serves DNS and every
proxy port, and the registry of apps and their Machines that DNS answers from. The loop never
blocks: starting a stopped Machine (seconds) runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from hopper.runtime import dns, proxy
from hopper.runtime.machine import Machine, MachineFailed
from hopper.runtime.netns import DNS_ADDRESS, Fabric, Host, RuntimeProblem, socket_in

if TYPE_CHECKING:
    from hopper.runtime.hold import OutsideEdge

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ServicePort:
    """A port Fly's proxy accepts for an app, and where it forwards."""

    port: int  # the external port (80 and 443 for an [http_service])
    internal_port: int
    http: bool
    tls: bool
    force_https: bool = False


@dataclass(eq=False)
class App:
    name: str
    machines: list[Machine] = field(default_factory=list)
    ports: tuple[ServicePort, ...] = ()
    auto_start: bool = True


class PrivateNetwork:
    def __init__(self, log: Callable[[str], None] | None = None, scratch: Path | None = None) -> None:
        self.fabric = Fabric(scratch=scratch)
        self.apps: dict[str, App] = {}
        self.names: dict[str, tuple[str, ...]] = {}  # extra private names (database, storage)
        self.log = log
        self.proxy_log: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._dns: asyncio.DatagramTransport | None = None
        self.edges: dict[str, dict[int, int]] = {}  # app -> {80|443: loopback port}
        # `verify --hold`: sockets bound on the machine's own loopback before the run's namespaces
        # were made (a socket stays in the namespace it was made in), served by the same edge.
        self.outside: dict[tuple[str, int], OutsideEdge] = {}

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.fabric.start()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hopper-fly-proxy",
                                        daemon=True)
        self._thread.start()
        sock = socket_in(self.fabric.hub, socket.AF_INET6, socket.SOCK_DGRAM)
        try:
            sock.bind((DNS_ADDRESS, 53))
        except OSError as exc:
            sock.close()
            raise RuntimeProblem(f"cannot serve DNS on [{DNS_ADDRESS}]:53: {exc.strerror}") from None
        self._dns = self._call(dns.serve(sock, self.lookup, self._note))

    def close(self) -> None:
        """Stop every Machine, the proxies and DNS, and remove the namespaces. Idempotent."""
        machines = [m for app in self.apps.values() for m in app.machines]
        if machines:  # side by side: each may take its grace period
            with ThreadPoolExecutor(max_workers=min(16, len(machines))) as pool:
                for future in [pool.submit(m.stop, 3) for m in machines]:
                    with contextlib.suppress(Exception):
                        future.result()
        if self._thread is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                self._call(self._shutdown(), timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            if not self._thread.is_alive():
                self._loop.close()
        self._thread = None
        self.fabric.close()

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        if self._dns is not None:
            self._dns.close()
        self._servers.clear()
        # Connections still open (a client that left mid-body) end here, not when the loop is
        # collected ("Task was destroyed but it is pending!").
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _call(self, coro: Any, timeout: float = 30) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    def _note(self, message: str) -> None:
        self.proxy_log.append(message)
        if self.log:
            self.log(message)

    # -- registry ---------------------------------------------------------------------------
    def add_host(self, label: str) -> Host:
        return self.fabric.add_host(label)

    def add_app(self, app: App) -> App:
        self.apps[app.name] = app
        return app

    def lookup(self, name: str) -> tuple[str, ...] | None:
        """What the DNS server answers for ``name``, from the live state."""
        if name in self.names:
            return self.names[name]
        if name.endswith(".flycast"):
            address = self.fabric.flycast.get(name[: -len(".flycast")])
            return (address,) if address else None
        app_name = dns.internal_app(name)
        if app_name is None or app_name not in self.apps:
            return None
        group = name.split(".")[0] if ".process." in name else None
        return tuple(m.host.ipv6 for m in self.apps[app_name].machines
                     if m.started and (group is None or m.group == group))

    # -- proxies ----------------------------------------------------------------------------
    def allocate_flycast(self, app_name: str) -> str:
        """Give the app a Flycast address and serve its HTTP ports there (TLS is not emulated)."""
        address = self.fabric.add_flycast(app_name)
        app = self.apps[app_name]
        for port in app.ports:
            if port.tls:
                continue
            rule = proxy.PortRule(app=app_name, http=port.http, proto="http", port=port.port,
                                  force_https=port.force_https)

            def bound(addr: str = address, number: int = port.port) -> socket.socket:
                sock = socket_in(self.fabric.hub, socket.AF_INET6)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((addr, number))
                sock.listen(128)
                return sock

            self._serve(bound, rule, port.internal_port)
        return address

    def open_edge(self, app_name: str) -> dict[int, int]:
        """The public edge for an app: loopback ports standing for its ports 443 and 80."""
        app = self.apps[app_name]
        ports: dict[int, int] = {}
        for port in app.ports:
            if not port.http:
                continue
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # the host's own namespace
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(128)
            public = 443 if port.tls else port.port
            rule = proxy.PortRule(app=app_name, http=True, proto="https" if port.tls else "http",
                                  port=public, force_https=port.force_https and not port.tls)
            self._serve(_returning(sock), rule, port.internal_port)
            ports[public] = sock.getsockname()[1]
            outside = self.outside.get((app_name, public))
            if outside is not None:
                self._serve(_returning(outside.sock), rule, port.internal_port)
        self.edges[app_name] = ports
        return ports

    def _serve(self, factory: Callable[[], socket.socket], rule: proxy.PortRule,
               internal_port: int) -> None:
        async def connect() -> proxy.Streams:
            return await self._connect(rule.app, internal_port)

        server = self._call(proxy.listen(factory, rule, connect, self._note))
        self._servers.append(server)

    async def _connect(self, app_name: str, internal_port: int) -> proxy.Streams:
        app = self.apps[app_name]
        loop = asyncio.get_running_loop()
        machine = next((m for m in app.machines if m.started), None)
        if machine is None:
            if not app.machines:
                raise proxy.ProxyError(f"app {app_name} has no Machine")
            if not app.auto_start:
                raise proxy.ProxyError(f"no started Machine of {app_name} and auto_start_machines is off")
            machine = app.machines[0]
            self._note(f"proxy: starting {machine.name} for an incoming connection")
            try:
                await loop.run_in_executor(None, machine.start)
            except (MachineFailed, RuntimeProblem) as exc:
                raise proxy.ProxyError(str(exc)) from None
        sock = socket_in(self.fabric.hub, socket.AF_INET)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (machine.host.ipv4, internal_port)), 5)
        except (TimeoutError, OSError) as exc:
            sock.close()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "timed out"
            raise proxy.ProxyError(f"{machine.name} at {machine.host.ipv4}:{internal_port}: {reason}") from None
        return await asyncio.open_connection(sock=sock)


def _returning(sock: socket.socket) -> Callable[[], socket.socket]:
    return lambda: sock
