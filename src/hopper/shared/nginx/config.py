"""A typed reading of nginx configuration: the records a reader gets, and the value syntax.

:func:`.read.parse_nginx` returns a :class:`NginxConfig`; its servers, proxied locations,
upstreams and cache rules are the records below, plain frozen data that import nothing heavy,
so that a caller can name them without loading crossplane. The codes of reading nginx
(HOP201-205) are declared here, once, for the loader and the interpretation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from hopper.diagnostics import Diagnostic, Location, Severity, code, fail

E_NGINX_SYNTAX = code("HOP201", Severity.ERROR, "an nginx configuration file cannot be parsed")
E_NGINX_INCLUDE_CYCLE = code("HOP202", Severity.ERROR, "nginx includes form a cycle")
E_NGINX_DIRECTIVE = code("HOP203", Severity.ERROR, "an nginx directive hopper reads has the wrong arguments")
I_NGINX_STOCK_INCLUDE = code("HOP204", Severity.INFO,
                             "an include of a file shipped with nginx (mime.types...) was not followed")
W_NGINX_INCLUDE_NOT_FOUND = code("HOP205", Severity.WARNING,
                                 "an nginx include names a file that is not in the project")


@dataclass(frozen=True, slots=True, kw_only=True)
class Directive:
    """One directive with its arguments, where it was read, and its block if it has one."""

    name: str
    args: tuple[str, ...]
    location: Location
    block: tuple[Directive, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamServer:
    host: str
    port: int | None = None
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class Upstream:
    name: str
    servers: tuple[UpstreamServer, ...]
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyTarget:
    """The argument of ``proxy_pass`` taken apart, as written (``http://api:3000/v1/``)."""

    raw: str
    scheme: str | None = None  # "http", "https"; None for a bare variable
    host: str | None = None  # "api", an upstream name, or "$backend"
    port: int | None = None  # None when not written (the scheme's default applies)
    uri: str | None = None  # "/" or "/v1/"; None when proxy_pass has no URI part
    unix_socket: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rewrite:
    regex: str
    replacement: str
    flag: str | None
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyLocation:
    """A ``location`` that proxies its requests with ``proxy_pass``."""

    path: str  # the location's argument: "/api/", or the regex for ~ and ~*
    modifier: str | None  # None, "=", "^~", "~", "~*"
    target: ProxyTarget
    via_variable: bool  # proxy_pass names a variable: resolved per request through `resolver`
    variables: Mapping[str, str]  # `set $name value` in scope, for variable targets
    resolver: tuple[str, ...]  # the `resolver` directive's addresses in scope
    strip_prefix: bool  # the upstream sees the path without the location prefix
    rewrites: tuple[Rewrite, ...]
    upstream: Upstream | None  # the `upstream` block the target host names, if any
    client_max_body_size: str | None
    request_buffering: bool | None
    response_buffering: bool | None
    connect_timeout_s: float | None
    read_timeout_s: float | None
    send_timeout_s: float | None
    set_headers: tuple[str, ...]  # proxy_set_header names in effect, in order
    http_version: str | None
    websocket: bool  # Upgrade and Connection headers are passed on
    location: Location
    block: tuple[Directive, ...] = ()  # the location's own directives, as written

    def effective_target(self) -> ProxyTarget:
        """The target with ``set`` variables substituted (``$api`` → ``http://api.internal:3000``)."""
        if not self.via_variable:
            return self.target

        def value(m: re.Match[str]) -> str:
            name = "$" + (m.group(1) or m.group(2))
            return self.variables.get(name, m.group(0))

        return parse_proxy_target(_VARIABLE.sub(value, self.target.raw))


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheRule:
    pattern: str  # the location argument, with its modifier ("~* \\.(js|css)$")
    expires: str | None
    cache_control: str | None
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    listen: tuple[int, ...]
    listen_ipv6: bool = False  # a `listen [::]:port` (nginx's bare `listen port` is IPv4 only)
    server_names: tuple[str, ...]
    root: str | None
    index: tuple[str, ...]
    try_files: tuple[str, ...]  # of `location /` (or the server), as written
    spa_fallback: bool
    gzip: bool
    gzip_types: tuple[str, ...]
    cache_rules: tuple[CacheRule, ...]
    proxies: tuple[ProxyLocation, ...]
    client_max_body_size: str | None
    location: Location
    block: tuple[Directive, ...] = ()  # the server's own directives, as written (includes expanded)


@dataclass(frozen=True, slots=True, kw_only=True)
class NginxConfig:
    files: tuple[str, ...]  # every file read, relative to the root, in reading order
    servers: tuple[Server, ...]
    upstreams: Mapping[str, Upstream]
    snippet: bool  # the top file has `server` blocks and no `http` block (a conf.d file)
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # The directives of the `http` block (or of a conf.d snippet's top), servers and upstreams
    # left out: `map`, `limit_req_zone`, `gzip`... that a writer may carry.
    http: tuple[Directive, ...] = ()


_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_TARGET = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<uri>/.*)?$")


def parse_proxy_target(raw: str) -> ProxyTarget:
    """``http://api:3000/`` → scheme http, host api, port 3000, uri "/"."""
    m = _TARGET.match(raw)
    if m is None:
        return ProxyTarget(raw=raw, host=raw if raw.startswith("$") else None)
    authority = m.group("authority")
    if authority.startswith("unix:"):
        return ProxyTarget(raw=raw, scheme=m.group("scheme"), unix_socket=authority[5:])
    host, port = split_host_port(authority)
    return ProxyTarget(raw=raw, scheme=m.group("scheme").lower(), host=host, port=port,
                       uri=m.group("uri"))


def split_host_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        end = text.find("]")
        host, rest = text[: end + 1], text[end + 1:]
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":", 1)
    else:
        host, port_text = text, ""
    return host, int(port_text) if port_text.isdigit() else None


def listen_port(arg: str) -> int | None:
    if arg.startswith("unix:"):
        return None
    if arg.isdigit():
        return int(arg)
    _, port = split_host_port(arg)
    if port is not None:
        return port
    return 80 if "." in arg or arg.startswith("[") or arg == "localhost" else None


def on_off(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.lower() == "on"


_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)?$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def seconds(value: str | None, loc: Location) -> float | None:
    """nginx time values: ``60``, ``60s``, ``1m``, ``500ms``, ``1m30s``."""
    if value is None:
        return None
    parts = re.findall(r"\d+(?:\.\d+)?[a-zA-Z]*", value)
    if not parts or "".join(parts) != value.replace(" ", ""):
        raise fail(E_NGINX_DIRECTIVE, f"'{value}' is not an nginx time value", loc)
    total = 0.0
    for part in parts:
        m = _TIME.match(part)
        if m is None:
            raise fail(E_NGINX_DIRECTIVE, f"'{value}' is not an nginx time value", loc)
        total += float(m.group(1)) * _UNITS[m.group(2) or "s"]
    return total


def size_bytes(value: str) -> int | None:
    """nginx sizes: ``512``, ``10k``, ``50m``, ``1g`` (``0`` means unlimited)."""
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip())
    if m is None:
        return None
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2).lower()]
