"""``hopper verify --hold``: after the checks, the set keeps running until Ctrl-C, with each
public app's edge reachable from this machine's loopback, to look at it in a browser or with curl.

The run's own edge listens on the runner's loopback, inside its network namespace, where nothing
outside can reach it. A socket stays in the namespace it was made in, so the outside edge is
bound here, before the run's namespaces exist; the runner inherits it and serves it with the same
rules as the inside edge (what Fly's edge adds, the ``force_https`` redirect, waking a stopped
Machine).
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hopper.runtime.network import ServicePort
from hopper.runtime.sandbox import Interrupted


@dataclass(frozen=True)
class OutsideEdge:
    sock: socket.socket
    force_https: bool  # plain HTTP gets a 301 to https://, as on Fly's edge


def outside_edges(public: Iterable[tuple[str, ServicePort]]) -> dict[tuple[str, int], OutsideEdge]:
    """A listening socket on 127.0.0.1 (a free port) for each (app, HTTP port) of the public apps."""
    sockets: dict[tuple[str, int], OutsideEdge] = {}
    for app, port in public:
        if not port.http:
            continue
        key = (app, 443 if port.tls else port.port)
        if key in sockets:
            continue
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sockets[key] = OutsideEdge(sock, port.force_https and not port.tls)
    return sockets


def hold(edges: dict[tuple[str, int], OutsideEdge], say: Callable[[str], None]) -> None:
    """Say where each public app answers, then wait for Ctrl-C, SIGTERM or SIGHUP: the first one
    ends the hold (and the run goes on to clean up; it is not an interrupted run)."""
    say("== the set runs until Ctrl-C (--hold)")
    if not edges:
        say("  no app is public: nothing answers outside the run")
    for (app, public), edge in sorted(edges.items()):
        url = f"http://127.0.0.1:{edge.sock.getsockname()[1]}/"
        what = ("its port 443 (plain HTTP here, with X-Forwarded-Proto: https)" if public == 443
                else f"its port {public}" + (" (force_https: a 301 to https://)" if edge.force_https else ""))
        say(f"  {app}: {url} stands for {what}")
    try:
        while True:
            signal.pause()
    except (Interrupted, KeyboardInterrupt):
        say("== hold ended")
