"""The nginx directives of a source front that hopper does not model, carried to the emitted nginx.conf.

hopper models what every platform can express (static root, SPA fallback, gzip, cache rules,
routes with their limits and timeouts). A real front says more: security headers
(``add_header``), rate limits (``limit_req`` and its ``limit_req_zone``), ``map`` blocks, extra
locations (``location = /healthz { return 200; }``), a regex location that proxies
(``location ~ ^/api/[1-9]\\d*/``). When the target runs nginx too, those are carried as they were
written; this module decides which ones and encodes them as plain data for
``Service.extensions["nginx"]``:

``{"http": [...], "server": [...], "root": [...], "routes": {prefix: {"regex": [mod, re]?,
"directives": [...]}}}``, each directive ``[name, [args]]`` or ``[name, [args], [children]]``.

Only directives that stay valid in a standalone nginx.conf are carried (no file paths, no
upstream hosts of the source, no TLS: the platform's edge terminates it); the others are
reported by name. :mod:`hopper.shared.nginx.build` checks again what it writes (variables defined,
zones declared, no duplicate location, values in range), since a model may come from anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hopper.diagnostics import Diagnostic, Severity, code, info, warning
from hopper.shared.nginx.config import Directive, NginxConfig, ProxyLocation, Server

W_NGINX_NOT_CARRIED = code("HOP206", Severity.WARNING,
                           "an nginx directive of the source front cannot be carried to the emitted nginx.conf")
I_NGINX_CARRIED = code("HOP207", Severity.INFO, "nginx directives hopper does not model are carried as written")

# Directives valid in the http block of a standalone nginx.conf whatever the project holds.
_COMMON = frozenset({
    "add_header", "add_trailer", "client_max_body_size", "client_body_buffer_size", "client_body_timeout",
    "client_header_timeout", "client_header_buffer_size", "large_client_header_buffers", "keepalive_timeout",
    "keepalive_requests", "send_timeout", "gzip", "gzip_types", "gzip_comp_level", "gzip_min_length",
    "gzip_proxied", "gzip_vary", "gzip_disable", "gzip_http_version", "gzip_buffers", "etag", "charset",
    "merge_slashes", "absolute_redirect", "port_in_redirect", "server_name_in_redirect", "expires",
    "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout", "proxy_buffering",
    "proxy_request_buffering", "proxy_buffer_size", "proxy_buffers", "proxy_busy_buffers_size",
    "proxy_http_version", "proxy_set_header", "proxy_hide_header", "proxy_pass_header",
    "proxy_intercept_errors", "proxy_ignore_headers", "proxy_redirect", "proxy_cookie_path",
    "real_ip_header", "set_real_ip_from", "real_ip_recursive", "underscores_in_headers",
    "ignore_invalid_headers", "limit_req_status", "limit_conn_status", "limit_req_log_level",
    "limit_conn_log_level", "limit_rate", "limit_rate_after", "error_page", "log_not_found",
    "sendfile_max_chunk", "output_buffers", "reset_timedout_connection", "if_modified_since",
})
HTTP = _COMMON | {"map", "limit_req_zone", "limit_conn_zone"}
SERVER = _COMMON | {"limit_req", "limit_conn", "return", "rewrite", "location", "if", "set", "allow", "deny"}
LOCATION = SERVER | {"internal", "try_files", "autoindex", "index", "alias", "root", "default_type"}
# Inside `if` nginx accepts only a few directives.
IF = frozenset({"return", "rewrite", "set", "add_header", "expires", "limit_rate", "break", "proxy_pass"})

# What hopper writes itself, or what the platform provides: replaced without a word.
_REPLACED = frozenset({
    "user", "worker_processes", "pid", "error_log", "events", "include", "default_type", "sendfile",
    "tcp_nopush", "tcp_nodelay", "access_log", "log_format", "server_tokens", "listen", "server_name",
    "root", "index", "types_hash_max_size", "server_names_hash_bucket_size", "worker_rlimit_nofile",
    "daemon", "master_process", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path",
    "uwsgi_temp_path", "scgi_temp_path", "http2", "resolver", "resolver_timeout",
})
# Mapped into the model per route (Route fields), or by hopper's own proxy location.
_ROUTE_MAPPED = frozenset({"proxy_pass", "rewrite", "client_max_body_size", "proxy_connect_timeout",
                           "proxy_read_timeout", "proxy_send_timeout", "proxy_buffering",
                           "proxy_request_buffering", "proxy_http_version", "resolver", "set"})
# Mapped into the static site (the root location and its gzip/cache settings).
_SITE_MAPPED = frozenset({"try_files", "root", "index", "gzip", "gzip_types", "expires"})
# Read into the static site from any level (the root location's scope).
_GZIP_MAPPED = frozenset({"gzip", "gzip_types"})
# Forwarded headers hopper writes itself, with the target platform's values.
KNOWN_HEADERS = frozenset({"host", "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                           "x-forwarded-port", "upgrade", "connection"})

Encoded = list[Any]


def encode(d: Directive) -> Encoded:
    if d.block is None:
        return [d.name, list(d.args)]
    # Inside a carried block, what hopper writes itself (access_log...) and TLS are left out.
    children = d.block if d.name == "map" else [
        c for c in d.block if not ((c.name in _REPLACED and c.name not in LOCATION) or c.name.startswith("ssl_"))]
    return [d.name, list(d.args), [encode(c) for c in children]]


def literal_prefix(regex: str) -> str | None:
    """The fixed start of a location regex, as a path prefix: ``^/api/[1-9]\\d*/`` → ``/api/``."""
    if not regex.startswith("^/"):
        return None
    out: list[str] = []
    i = 1
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex) and regex[i + 1] in "./-":
            out.append(regex[i + 1])
            i += 2
            continue
        if ch in ".[](){}*+?|^$\\":
            break
        out.append(ch)
        i += 1
    text = "".join(out)
    if "/" not in text[1:]:
        return None  # `^/api` alone would also match /apix; too loose to be a route prefix
    prefix = text[: text.rindex("/") + 1]
    return prefix if re.fullmatch(r"/[A-Za-z0-9._~/-]*", prefix) and prefix != "/" else None


class Carrier:
    """Collects what one front carries, and the diagnostics for what it cannot."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.out: list[Diagnostic] = []
        self.dropped: set[tuple[str, str, int | None]] = set()

    def keep(self, directives: Iterable[Directive], allowed: frozenset[str], skip: frozenset[str],
             where: str) -> list[Encoded]:
        kept: list[Encoded] = []
        for d in directives:
            if d.name in skip or d.name in _REPLACED:
                continue
            if d.name.startswith("ssl_") or (d.name == "listen" and "ssl" in d.args):
                continue  # TLS ends at the platform's edge
            if d.name not in allowed or not self._valid(d, allowed):
                self._drop(d, where)
                continue
            kept.append(encode(d))
        return kept

    def _valid(self, d: Directive, allowed: frozenset[str]) -> bool:
        """Whole blocks are carried only when every directive inside can be."""
        if d.block is None:
            return d.name != "location"
        if d.name == "map":
            return True
        inner = IF if d.name == "if" else LOCATION
        if d.name == "location" and any(c.name == "proxy_pass" for c in d.block):
            return False  # proxies to a host of the source: a route, or nothing
        return all(c.name in inner and self._valid(c, inner) for c in d.block
                   if c.name not in _REPLACED and not c.name.startswith("ssl_"))

    def _drop(self, d: Directive, where: str) -> None:
        key = (d.name, d.location.file, d.location.line)
        if key in self.dropped:
            return
        self.dropped.add(key)
        shown = " ".join((d.name, *d.args))
        self.out.append(warning(W_NGINX_NOT_CARRIED, f"{self.service}: nginx '{shown[:80]}' ({where}) is not "
                                "carried: it names files, hosts or modules the emitted nginx.conf does not have",
                                d.location, "add it to the emitted nginx.conf by hand if the target needs it"))


def carry(service: str, config: NginxConfig, server: Server, *, routed: dict[str, ProxyLocation],
          regex_routes: dict[str, ProxyLocation], cache_patterns: set[str]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """What ``server`` (and its http block) carries beyond the model.

    ``routed``: route prefix → the location it was read from; ``regex_routes``: route prefix →
    the regex location it stands for; ``cache_patterns``: the locations read as cache rules."""
    c = Carrier(service)
    payload: dict[str, Any] = {}
    http = c.keep(config.http, HTTP, _GZIP_MAPPED, "http block")
    server_level: list[Directive] = []
    root_location: Directive | None = None
    for d in server.block:
        if d.name == "location" and d.block is not None:
            if d.args == ("/",) and root_location is None and "/" not in routed \
                    and not any(c.name == "proxy_pass" for c in d.block):
                root_location = d  # the static site's own location (a proxied / is a route)
                continue
            if " ".join(d.args) in cache_patterns or any(c.name == "proxy_pass" for c in d.block):
                continue  # a cache rule, a route, or a proxy to a host hopper reported (HOP162)
        server_level.append(d)
    server_kept = c.keep(server_level, SERVER, frozenset({"try_files"}) | _GZIP_MAPPED, "server block")
    root_kept = c.keep(root_location.block or (), LOCATION, _SITE_MAPPED, "location /") \
        if root_location is not None else []
    routes: dict[str, Any] = {}
    for prefix, proxy in sorted({**routed, **regex_routes}.items()):
        # Forwarded headers whose value hopper does not know (X-Api-Key...) are kept as written.
        own = [d for d in proxy.block if not (d.name == "proxy_set_header" and d.args
                                               and d.args[0].lower() in KNOWN_HEADERS)]
        extra = c.keep(own, LOCATION, _ROUTE_MAPPED, f"location {' '.join(_args(proxy))}")
        entry: dict[str, Any] = {}
        if extra:
            entry["directives"] = extra
        if prefix in regex_routes:
            entry["regex"] = [proxy.modifier or "~", proxy.path]
        if entry:
            routes[prefix] = entry
    for key, value in (("http", http), ("server", server_kept), ("root", root_kept), ("routes", routes)):
        if value:
            payload[key] = value
    if payload:
        names = sorted({e[0] for part in (http, server_kept, root_kept) for e in part}
                       | {e[0] for r in routes.values() for e in r.get("directives", [])}
                       | ({"location (regex)"} if regex_routes else set()))
        c.out.append(info(I_NGINX_CARRIED, f"{service}: nginx directives carried as written: {', '.join(names)}",
                          server.location))
    return payload, c.out


def _args(proxy: ProxyLocation) -> tuple[str, ...]:
    return (proxy.modifier, proxy.path) if proxy.modifier else (proxy.path,)
