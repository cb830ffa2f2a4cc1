"""Fly's proxy, as the runtime needs it: the public edge and Flycast.

Both reach a Machine on its ``internal_port`` over the Machine's **private IPv4** address
(reference flyio.md §7.1), so a process bound to ``0.0.0.0`` is reachable here and not over
``.internal``. Both start a stopped Machine on the first connection when the app has
``auto_start_machines`` (the ``connect`` callback does it).

On a port with the ``http`` handler the proxy reads each request's head: with ``force_https``
a plain-HTTP request gets a 301 to ``https://`` (Fly's edge does the same, and on Flycast that
is what breaks an HTTP client); otherwise it adds what Fly's edge adds — ``Fly-Client-IP``,
``X-Forwarded-For``, ``X-Forwarded-Proto``, ``X-Forwarded-Port`` — and forwards. (No ``Via``:
the references this runtime follows do not say Fly adds one, and nginx would stop compressing.) One
request per client connection (``Connection: close``) keeps the head parsing simple; bodies
and responses are streamed through untouched. Without a handler the port is plain TCP.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MAX_HEAD = 64 * 1024
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
Connect = Callable[[], Awaitable[Streams]]


@dataclass(frozen=True, slots=True)
class PortRule:
    """How one listening port of the proxy treats a connection."""

    app: str
    http: bool  # the ``http`` handler: parse the head, add headers
    proto: str  # what X-Forwarded-Proto says: "https" for the edge's TLS port, else "http"
    port: int  # the port the client connected to, for X-Forwarded-Port
    force_https: bool = False


class ProxyError(Exception):
    """The proxy could not reach a Machine (no Machine, none started, connection refused)."""


async def _splice(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if writer.can_write_eof():
                writer.write_eof()


async def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
        await writer.wait_closed()


def _simple_response(status: str, headers: dict[str, str], body: str) -> bytes:
    data = body.encode()
    head = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()),
            f"Content-Length: {len(data)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + data


def rewrite_head(head: bytes, rule: PortRule, client_ip: str) -> bytes | None:
    """The request head as forwarded, or None when it does not parse as HTTP/1.x."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
        return None
    lines = text.split("\r\n")
    request_line = lines[0].split(" ")
    if len(request_line) != 3 or not request_line[2].startswith("HTTP/1."):
        return None
    kept = []
    forwarded_for = ""
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        lower = name.strip().lower()
        if lower in ("connection", "keep-alive", "fly-client-ip", "x-forwarded-proto",
                     "x-forwarded-port"):
            continue  # the proxy sets these; a client cannot forge Fly-Client-IP
        if lower == "x-forwarded-for":
            forwarded_for = value.strip()
            continue
        kept.append(line)
    chain = f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip
    kept += [f"Fly-Client-IP: {client_ip}", f"X-Forwarded-For: {chain}",
             f"X-Forwarded-Proto: {rule.proto}", f"X-Forwarded-Port: {rule.port}",
             "Connection: close"]
    return ("\r\n".join([lines[0], *kept]) + "\r\n\r\n").encode("latin-1")


def _host_and_target(head: bytes) -> tuple[str, str]:
    lines = head.decode("latin-1").split("\r\n")
    target = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "/"
    host = next((line.partition(":")[2].strip() for line in lines[1:]
                 if line.lower().startswith("host:")), "")
    return host.split(":")[0] if not host.startswith("[") else host, target


async def handle(client: Streams, rule: PortRule, connect: Connect,
                 log: Callable[[str], None] | None = None) -> None:
    """Serve one client connection on a proxy port."""
    reader, writer = client
    peer = writer.get_extra_info("peername")
    client_ip = str(peer[0]) if peer else "127.0.0.1"
    try:
        head = b""
        if rule.http:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            if rule.force_https and rule.proto == "http":
                host, target = _host_and_target(head)
                writer.write(_simple_response("301 Moved Permanently",
                                              {"Location": f"https://{host}{target}"}, ""))
                await writer.drain()
                return
            rewritten = rewrite_head(head, rule, client_ip)
            if rewritten is None:
                writer.write(_simple_response("400 Bad Request", {}, "bad request\n"))
                await writer.drain()
                return
            head = rewritten
        try:
            up_reader, up_writer = await connect()
        except ProxyError as exc:
            if log:
                log(f"proxy {rule.app}: {exc}")
            if rule.http:
                writer.write(_simple_response("502 Bad Gateway", {"Content-Type": "text/plain"},
                                              f"fly proxy: {exc}\n"))
                await writer.drain()
            return
        try:
            if head:
                up_writer.write(head)
                await up_writer.drain()
            await asyncio.gather(_splice(reader, up_writer), _splice(up_reader, writer))
        finally:
            await _close(up_writer)
    finally:
        await _close(writer)


async def listen(sock_factory: Callable[[], socket.socket], rule: PortRule, connect: Connect,
                 log: Callable[[str], None] | None = None) -> asyncio.Server:
    """Start serving ``rule`` on the bound, listening socket ``sock_factory()`` returns."""

    # The loop keeps only weak references to tasks: a connection both of whose sides wait (an
    # upstream that stopped reading a large body) would be collected mid-request, its
    # coroutine closed ("Task was destroyed but it is pending!"). Held here until it ends.
    active: set[asyncio.Task[None]] = set()

    async def on_client(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            active.add(task)
        try:
            await handle((r, w), rule, connect, log)
        except (ConnectionError, OSError) as exc:  # a side closed early (nginx after a 413)
            if log:
                log(f"proxy {rule.app}: connection closed early ({exc.__class__.__name__})")
        except asyncio.CancelledError:
            # Cancelled at shutdown. Python 3.11's start_server callback calls exception() on the
            # cancelled task and prints the CancelledError as "Exception in callback" with a
            # traceback on the user's terminal: end the task normally instead.
            return
        finally:
            if task is not None:
                active.discard(task)

    sock = sock_factory()
    return await asyncio.start_server(on_client, sock=sock, limit=MAX_HEAD)
