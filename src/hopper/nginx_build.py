"""Build a complete nginx.conf for a static front that also reverse-proxies, with crossplane.

This module is format-neutral: the caller (the Fly writer, the compose writer) says where each
route's target lives through :class:`Upstream`, and which port nginx listens on. The result is
a whole ``nginx.conf`` (main context, ``events``, ``http``) meant to replace
``/etc/nginx/nginx.conf`` in an nginx image, so it passes ``nginx -t`` on its own.

What a front :class:`~hopper.model.Service` contributes:

* ``static_site``: the root, the index, the SPA fallback (unknown paths serve the index),
  gzip and its MIME types, cache rules (``expires`` and ``Cache-Control``);
* ``routes``: one ``location`` per path prefix, proxying to the route's upstream, with prefix
  stripping (a ``rewrite ... break`` so it works the same with a literal or a variable
  upstream), body-size limit, request and response buffering, timeouts, forwarded headers and
  the websocket upgrade.

Two kinds of upstream:

* a literal URL (``http://api.flycast``, ``http://api:3000``): nginx resolves the host once at
  start-up with the system resolver (so ``/etc/hosts`` applies);
* ``resolver`` set: the URL goes through a variable, so nginx resolves it at request time with
  that DNS server and a short ``valid=``; a backend that is not up yet does not stop nginx from
  starting, and a new address is picked up after a redeploy.

Every value that lands in the file is checked against a narrow pattern first; anything else is
refused with :class:`NginxBuildError`, so nothing from the model can add a directive. Runtime
files (pid, temporary bodies) go to ``/tmp`` so the same file works for a root or an
unprivileged nginx.

The payload dicts are local to this module; callers get text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hopper.model import CacheRule, Route, Service, StaticSite

DEFAULT_GZIP_TYPES = (
    "application/javascript", "application/json", "application/xml", "image/svg+xml",
    "text/css", "text/javascript", "text/plain", "text/xml",
)

# The values nginx gives each forwarded header by default. Callers override per platform (a
# platform whose edge proxy already terminated TLS passes the original scheme on).
DEFAULT_HEADER_VALUES: Mapping[str, str] = {
    "Host": "$host",
    "X-Real-IP": "$remote_addr",
    "X-Forwarded-For": "$proxy_add_x_forwarded_for",
    "X-Forwarded-Proto": "$scheme",
    "X-Forwarded-Host": "$host",
    "X-Forwarded-Port": "$server_port",
}

_PREFIX_RE = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_PATH_RE = re.compile(r"^/[A-Za-z0-9._/-]*$")
_FILE_RE = re.compile(r"^[A-Za-z0-9._-]+$")
_SIZE_RE = re.compile(r"^[0-9]{1,9}[kKmMgG]?$")
_MIME_RE = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+*-]+$")
_URL_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
_RESOLVER_RE = re.compile(r"^(\[[0-9a-fA-F:]+\]|[0-9.]+|[a-z0-9.-]+)$")
_HEADER_RE = re.compile(r"^[A-Za-z0-9-]+$")
# A location for a cache rule: an optional modifier, then a path or regular expression without
# whitespace, quotes, braces or semicolons (a regex may hold backslashes and a "$" anchor).
_CACHE_RE = re.compile(r"^(?:(=|\^~|~\*?) )?([^\s;{}'\"]+)$")


class NginxBuildError(ValueError):
    """A value cannot be written into nginx.conf safely. Callers turn it into a diagnostic."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Upstream:
    """Where one route's target is reached from the front.

    ``url`` is scheme://host[:port] without a path. With ``resolver`` (a DNS server address,
    e.g. ``[fdaa::3]``), nginx resolves the host per request through a variable.
    """

    url: str
    resolver: str | None = None
    resolver_valid_s: int = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class NginxBuild:
    text: str
    skipped: tuple[str, ...] = ()  # human-readable notes about what could not be written


def _d(name: str, *args: str, block: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"directive": name, "args": list(args)}
    if block is not None:
        item["block"] = block
    return item


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise NginxBuildError(f"{what} {value!r} cannot be written into nginx.conf")
    return value


def _seconds(value: float) -> str:
    if value == int(value):
        return f"{int(value)}s"
    return f"{round(value * 1000)}ms"


def build_nginx_conf(service: Service, upstreams: Mapping[str, Upstream], listen_port: int, *,
                     header_values: Mapping[str, str] | None = None) -> NginxBuild:
    """The nginx.conf text for ``service``; ``upstreams`` maps a route's target service name to
    its :class:`Upstream`. Routes whose target has no upstream are left out (and noted)."""
    if not 0 < listen_port < 65536:
        raise NginxBuildError(f"listen port {listen_port} is out of range")
    headers = dict(DEFAULT_HEADER_VALUES)
    headers.update(header_values or {})
    site = service.static_site or StaticSite()
    skipped: list[str] = []
    http: list[dict[str, Any]] = [
        _d("include", "/etc/nginx/mime.types"),
        _d("default_type", "application/octet-stream"),
        _d("access_log", "/dev/stdout"),
        _d("sendfile", "on"),
        _d("server_tokens", "off"),
        _d("client_body_temp_path", "/tmp/nginx-client-body"),
        _d("proxy_temp_path", "/tmp/nginx-proxy"),
        _d("fastcgi_temp_path", "/tmp/nginx-fastcgi"),
        _d("uwsgi_temp_path", "/tmp/nginx-uwsgi"),
        _d("scgi_temp_path", "/tmp/nginx-scgi"),
    ]
    if site.gzip:
        types = site.gzip_types or DEFAULT_GZIP_TYPES
        # text/html is always compressed by nginx once gzip is on; listing it is an error.
        types = tuple(sorted({_check(_MIME_RE, t, "gzip type") for t in types} - {"text/html"}))
        http += [_d("gzip", "on"), _d("gzip_vary", "on"), _d("gzip_min_length", "256")]
        if types:
            http.append(_d("gzip_types", *types))
    if any(r.websocket for r in service.routes):
        http.append(_d("map", "$http_upgrade", "$connection_upgrade",
                       block=[_d("default", "upgrade"), _d("", "close")]))

    root = _check(_PATH_RE, site.root, "static root")
    index = _check(_FILE_RE, site.index, "index file")
    server: list[dict[str, Any]] = [
        _d("listen", str(listen_port)),
        _d("server_name", "_"),
        _d("root", root),
        _d("index", index),
    ]
    fallback = f"/{index}" if site.spa_fallback else "=404"
    server.append(_d("location", "/", block=[_d("try_files", "$uri", "$uri/", fallback)]))
    for rule in site.cache_rules:
        server.append(_cache_location(rule))
    for number, route in enumerate(sorted(service.routes, key=lambda r: r.path_prefix), start=1):
        upstream = upstreams.get(route.target_service)
        if upstream is None:
            skipped.append(f"route {route.path_prefix} -> {route.target_service}: no upstream")
            continue
        server.append(_proxy_location(route, upstream, number, headers, skipped))
    http.append(_d("server", block=server))

    payload = [
        _d("worker_processes", "auto"),
        _d("pid", "/tmp/nginx.pid"),
        _d("error_log", "stderr", "warn"),
        _d("events", block=[_d("worker_connections", "1024")]),
        _d("http", block=http),
    ]
    import crossplane  # noqa: PLC0415

    text: str = crossplane.build(payload, indent=4, tabs=False, header=False)
    return NginxBuild(text=text + "\n", skipped=tuple(skipped))


def _cache_location(rule: CacheRule) -> dict[str, Any]:
    match = _CACHE_RE.match(rule.pattern)
    if not match:
        raise NginxBuildError(f"cache rule pattern {rule.pattern!r} cannot be written into nginx.conf")
    modifier, pattern = match.groups()
    args = [modifier, pattern] if modifier else [pattern]
    block: list[dict[str, Any]] = []
    if rule.max_age_s is not None:
        block.append(_d("expires", f"{int(rule.max_age_s)}s"))
    if rule.immutable:
        block.append(_d("add_header", "Cache-Control", "public, immutable", "always"))
    block.append(_d("try_files", "$uri", "=404"))
    return _d("location", *args, block=block)


def _proxy_location(route: Route, upstream: Upstream, number: int, headers: Mapping[str, str],
                    skipped: list[str]) -> dict[str, Any]:
    prefix = _check(_PREFIX_RE, route.path_prefix, "route path prefix")
    url = _check(_URL_RE, upstream.url, "upstream URL")
    block: list[dict[str, Any]] = []
    if upstream.resolver is not None:
        resolver = _check(_RESOLVER_RE, upstream.resolver, "resolver")
        variable = f"$hopper_upstream_{number}"
        block += [
            _d("resolver", resolver, f"valid={int(upstream.resolver_valid_s)}s"),
            _d("set", variable, url),
        ]
        target = variable
    else:
        target = url
    if route.strip_prefix:
        body = re.escape(prefix.rstrip("/"))
        # "/api/health" -> "/health"; "/api" alone -> "/". The query string is kept.
        block.append(_d("rewrite", f"^{body}/?(.*)$", "/$1", "break"))
    block.append(_d("proxy_pass", target))
    if route.websocket:
        block += [
            _d("proxy_http_version", "1.1"),
            _d("proxy_set_header", "Upgrade", "$http_upgrade"),
            _d("proxy_set_header", "Connection", "$connection_upgrade"),
        ]
    for name in route.forwarded_headers:
        if not _HEADER_RE.match(name) or name not in headers:
            skipped.append(f"route {prefix}: forwarded header {name!r} has no known value")
            continue
        block.append(_d("proxy_set_header", name, headers[name]))
    if route.body_size_limit is not None:
        block.append(_d("client_max_body_size", _check(_SIZE_RE, route.body_size_limit, "body size")))
    if route.request_buffering is not None:
        block.append(_d("proxy_request_buffering", "on" if route.request_buffering else "off"))
    if route.response_buffering is not None:
        block.append(_d("proxy_buffering", "on" if route.response_buffering else "off"))
    for directive, value in (("proxy_connect_timeout", route.connect_timeout_s),
                             ("proxy_read_timeout", route.read_timeout_s),
                             ("proxy_send_timeout", route.send_timeout_s)):
        if value is not None:
            if not 0 < value <= 86400:
                raise NginxBuildError(f"{directive} {value!r} is out of range")
            block.append(_d(directive, _seconds(value)))
    # ^~: a proxied prefix wins over regular-expression locations (cache rules for *.js...), so
    # /api/app.js reaches the API instead of the static root.
    return _d("location", "^~", prefix, block=block)
