"""The private DNS server at ``fdaa::3``, answering from the runtime's live state.

Like Fly's (reference flyio.md §7.1): ``<app>.internal`` (and ``global.``, ``<region>.``,
``topN.nearest.of.``, ``<group>.process.``) gives the 6PN addresses of the app's **started**
Machines, AAAA only — a stopped Machine is absent and a lookup never starts anything;
``<app>.flycast`` gives the app's Flycast address. There is no A record for either, and no
recursion: a name the private network does not know is NXDOMAIN.

Wire format by dnslib (a small, pure-Python, long-maintained DNS codec); the socket is the
runtime's own asyncio UDP endpoint inside the hub namespace.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable

from dnslib import AAAA, QTYPE, RCODE, RR, DNSRecord

# A name and whether it exists: None = NXDOMAIN, () = the name exists without AAAA records.
Lookup = Callable[[str], tuple[str, ...] | None]

_TOP = re.compile(r"^top\d+\.nearest\.of\.")


def internal_app(name: str) -> str | None:
    """The app a ``*.internal`` name is about, or None for another name.

    ``api.internal``, ``global.api.internal``, ``cdg.api.internal``,
    ``top1.nearest.of.api.internal``, ``app.process.api.internal`` all name app ``api``."""
    name = name.rstrip(".").lower()
    if not name.endswith(".internal"):
        return None
    stem = _TOP.sub("", name[: -len(".internal")])
    parts = stem.split(".")
    if len(parts) == 3 and parts[1] == "process":
        return parts[2]
    if len(parts) == 2:  # global.<app>, <region>.<app>, <machine>.vm... is not handled
        return parts[1]
    return parts[0] if len(parts) == 1 else None


def answer(query: bytes, lookup: Lookup, ttl: int = 5) -> bytes:
    """The reply to one DNS query packet."""
    request = DNSRecord.parse(query)
    reply = request.reply()
    reply.header.ra = 0  # no recursion: this server only knows the private network
    qname = str(request.q.qname)
    found = lookup(qname.rstrip(".").lower())
    if found is None:
        reply.header.rcode = RCODE.NXDOMAIN
    elif request.q.qtype in (QTYPE.AAAA, QTYPE.ANY):
        for address in found:
            reply.add_answer(RR(qname, QTYPE.AAAA, ttl=ttl, rdata=AAAA(address)))
    packed: bytes = reply.pack()
    return packed


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, lookup: Lookup, log: Callable[[str], None] | None) -> None:
        self.lookup, self.log = lookup, log
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        try:
            out = answer(data, self.lookup)
        except Exception as exc:  # a malformed packet must not stop the server
            if self.log:
                self.log(f"dns: dropped a query that does not parse ({exc.__class__.__name__})")
            return
        if self.transport is not None:
            self.transport.sendto(out, addr)


async def serve(sock: socket.socket, lookup: Lookup,
                log: Callable[[str], None] | None = None) -> asyncio.DatagramTransport:
    """Serve DNS on a bound UDP socket (made in the hub namespace) until the transport closes."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(lookup, log), sock=sock)
    return transport
