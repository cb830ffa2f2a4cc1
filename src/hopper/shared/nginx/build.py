"""Build a complete nginx.conf for a static front that also reverse-proxies, with crossplane.

This module is format-neutral: the caller (the Fly writer, the compose writer) says where each
route's target lives through :class:`Upstream`, and which port nginx listens on. The result is
a whole ``nginx.conf`` (main context, ``events``, ``http``) meant to replace
``/etc/nginx/nginx.conf`` in an nginx image, so it passes ``nginx -t`` on its own.

What a front :class:`~hopper.model.Service` contributes:

* ``static_site``: the root, the index, the SPA fallback (unknown paths serve the index),
  gzip and its MIME types, cache rules (``expires`` and ``Cache-Control``, read by :mod:`.cache`);
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

Every value that lands in the file is checked against a narrow pattern first; a value that fails
is left out (or replaced by nginx's default) with a note, so nothing from the model can add a
directive and a working configuration is still written; only a listen port out of range raises
:class:`NginxBuildError`. Out-of-range timeouts are clamped to what nginx accepts, with a note.

``extensions["nginx"]`` (see :mod:`hopper.shared.nginx.carry`) adds the source's own directives that
hopper does not model -- headers, rate limits, maps, extra locations, a regex route -- each
checked again here: allowed in its block, no duplicate of what hopper writes, every variable
defined, every rate-limit zone declared. Runtime
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
    clamped: tuple[str, ...] = ()  # values written, but changed to fit nginx's range


# nginx refuses a connect timeout above 75 s on most systems ("usually cannot exceed 75
# seconds", ngx_http_proxy_module); read and send timeouts are milliseconds in a signed 32-bit.
MAX_CONNECT_TIMEOUT_S = 75
MAX_TIMEOUT_S = 2_147_483


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
    clamped: list[str] = []
    extra = _Extra.of(service, skipped)
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
        kept_types = {t for t in types if _ok(_MIME_RE, t, "gzip type", skipped)}
        # text/html is always compressed by nginx once gzip is on; listing it is an error.
        types = tuple(sorted(kept_types - {"text/html"}))
        http += [_d("gzip", "on"), _d("gzip_vary", "on"), _d("gzip_min_length", "256")]
        if types:
            http.append(_d("gzip_types", *types))
    if any(r.websocket for r in service.routes):
        http.append(_d("map", "$http_upgrade", "$connection_upgrade",
                       block=[_d("default", "upgrade"), _d("", "close")]))

    root = site.root if _ok(_PATH_RE, site.root, "static root", skipped) else StaticSite().root
    index = site.index if _ok(_FILE_RE, site.index, "index file", skipped) else StaticSite().index
    server: list[dict[str, Any]] = [
        _d("listen", str(listen_port)),
        _d("server_name", "_"),
        _d("root", root),
        _d("index", index),
    ]
    fallback = f"/{index}" if site.spa_fallback else "=404"
    root_location = [_d("try_files", "$uri", "$uri/", fallback)]
    # A route at "/" proxies everything: it is the root location (nginx refuses two).
    proxied_root = any(r.path_prefix == "/" and r.target_service in upstreams for r in service.routes)
    if not proxied_root:
        server.append(_d("location", "/", block=root_location))
    for rule in site.cache_rules:
        cache = _cache_location(rule, skipped)
        if cache is None:
            continue
        if _location_key(cache["args"]) == ("", "/"):
            # The root location's own caching: it belongs in hopper's `location /`, unless the
            # source's root directives are carried there already.
            if not any(item[0] in ("add_header", "expires") for item in extra.root):
                root_location[:0] = [d for d in cache["block"] if d["directive"] != "try_files"]
            continue
        server.append(cache)
    for number, route in enumerate(sorted(service.routes, key=lambda r: r.path_prefix), start=1):
        upstream = upstreams.get(route.target_service)
        if upstream is None:
            skipped.append(f"route {route.path_prefix} -> {route.target_service}: no upstream")
            continue
        location = _proxy_location(route, upstream, number, headers, skipped, clamped, extra)
        if location is not None:
            server.append(location)
    extra.merge(http, extra.http, "http")
    extra.merge(server, extra.server, "server")
    extra.merge(root_location, extra.root, "location /")
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
    return NginxBuild(text=text + "\n", skipped=tuple(skipped), clamped=tuple(clamped))


def _ok(pattern: re.Pattern[str], value: str, what: str, skipped: list[str]) -> bool:
    if pattern.match(value):
        return True
    skipped.append(f"{what} {value!r} cannot be written into nginx.conf; it is left out")
    return False


def _cache_location(rule: CacheRule, skipped: list[str]) -> dict[str, Any] | None:
    match = _CACHE_RE.match(rule.pattern)
    if not match:
        skipped.append(f"cache rule pattern {rule.pattern!r} cannot be written into nginx.conf; it is left out")
        return None
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
                    skipped: list[str], clamped: list[str], extra: _Extra) -> dict[str, Any] | None:
    prefix = route.path_prefix
    if not _ok(_PREFIX_RE, prefix, "route path prefix", skipped) \
            or not _ok(_URL_RE, upstream.url, f"route {prefix}: upstream URL", skipped):
        return None
    url = upstream.url
    regex = extra.regex(prefix)
    block: list[dict[str, Any]] = []
    if upstream.resolver is not None and _ok(_RESOLVER_RE, upstream.resolver, "resolver", skipped):
        resolver = upstream.resolver
        variable = f"$hopper_upstream_{number}"
        block += [
            _d("resolver", resolver, f"valid={int(upstream.resolver_valid_s)}s"),
            _d("set", variable, url),
        ]
        target = variable
    else:
        target = url
    if route.strip_prefix and regex is None:
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
    carried_headers = {str(item[1][0]).lower() for item in extra.route(prefix)
                       if item[0] == "proxy_set_header" and item[1]}
    for name in route.forwarded_headers:
        if not _HEADER_RE.match(name) or name not in headers:
            if name.lower() not in carried_headers:
                skipped.append(f"route {prefix}: forwarded header {name!r} has no known value")
            continue
        block.append(_d("proxy_set_header", name, headers[name]))
    if route.body_size_limit is None:
        # No limit in the source: it reached the API without nginx (a Clever app, a published
        # port). nginx's own default (1 MB) would refuse the uploads the source accepted.
        block.append(_d("client_max_body_size", "0"))
    elif _ok(_SIZE_RE, route.body_size_limit, f"route {prefix}: body size", skipped):
        block.append(_d("client_max_body_size", route.body_size_limit))
    if route.request_buffering is not None:
        block.append(_d("proxy_request_buffering", "on" if route.request_buffering else "off"))
    if route.response_buffering is not None:
        block.append(_d("proxy_buffering", "on" if route.response_buffering else "off"))
    for directive, value, highest in (("proxy_connect_timeout", route.connect_timeout_s, MAX_CONNECT_TIMEOUT_S),
                                      ("proxy_read_timeout", route.read_timeout_s, MAX_TIMEOUT_S),
                                      ("proxy_send_timeout", route.send_timeout_s, MAX_TIMEOUT_S)):
        if value is None:
            continue
        if value <= 0:
            skipped.append(f"route {prefix}: {directive} {_seconds(value)} is not a duration; nginx's default applies")
            continue
        if value > highest:
            clamped.append(f"route {prefix}: {directive} {_seconds(value)} is more than nginx accepts; "
                           f"written as {highest}s")
            value = float(highest)
        block.append(_d(directive, _seconds(value)))
    extra.merge(block, extra.route(prefix), f"location {prefix}")
    if regex is not None:
        # The source's own regex location (carried): nginx passes the whole path on.
        return _d("location", *regex, block=block)
    # ^~: a proxied prefix wins over regular-expression locations (cache rules for *.js...), so
    # /api/app.js reaches the API instead of the static root.
    return _d("location", "^~", prefix, block=block)


# ---------------------------------------------------------------------------- carried directives

# Variables nginx defines itself (ngx_http_core_module and the modules of the official image).
_BUILTIN_VARIABLES = frozenset({
    "args", "binary_remote_addr", "body_bytes_sent", "bytes_sent", "connection", "connection_requests",
    "connection_time", "content_length", "content_type", "document_root", "document_uri", "host",
    "hostname", "https", "is_args", "limit_rate", "msec", "nginx_version", "pid", "pipe",
    "proxy_protocol_addr", "proxy_protocol_port", "query_string", "realpath_root", "remote_addr",
    "remote_port", "remote_user", "request", "request_body", "request_body_file", "request_completion",
    "request_filename", "request_id", "request_length", "request_method", "request_time", "request_uri",
    "scheme", "server_addr", "server_name", "server_port", "server_protocol", "status", "time_iso8601",
    "time_local", "uri", "proxy_add_x_forwarded_for", "proxy_host", "proxy_port", "realip_remote_addr",
    "realip_remote_port", "upstream_addr", "upstream_status", "upstream_response_time",
    "upstream_connect_time", "upstream_header_time", "upstream_response_length", "upstream_cache_status",
    "gzip_ratio", "limit_req_status", "limit_conn_status", "http2",
    "ssl_protocol", "ssl_cipher",
})
_VARIABLE_PREFIXES = ("http_", "sent_http_", "sent_trailer_", "cookie_", "arg_", "upstream_http_",
                      "upstream_cookie_", "upstream_trailer_")
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_ZONE = re.compile(r"^zone=([A-Za-z0-9_-]+)(?::|$)")
# Directives nginx accepts several times in one block; any other one hopper already wrote
# there is not written twice (nginx -t: "directive is duplicate").
_REPEATABLE = frozenset({"add_header", "add_trailer", "proxy_set_header", "proxy_hide_header", "proxy_pass_header",
                         "set_real_ip_from", "limit_req", "limit_conn", "map", "limit_req_zone",
                         "limit_conn_zone", "error_page", "rewrite", "allow", "deny", "if", "location", "set",
                         "return"})


class _Extra:
    """``Service.extensions["nginx"]``, checked as it is merged into the blocks hopper writes."""

    def __init__(self, data: Mapping[str, Any], skipped: list[str]) -> None:
        from hopper.shared.nginx.carry import HTTP, LOCATION, SERVER  # noqa: PLC0415 - small, nginx only

        self.allowed = {"http": HTTP, "server": SERVER, "location": LOCATION}
        self.skipped = skipped
        self.http = _items(data.get("http"))
        self.server = _items(data.get("server"))
        self.root = _items(data.get("root"))
        routes = data.get("routes")
        self.routes: Mapping[str, Any] = routes if isinstance(routes, dict) else {}
        self.own_variables = {"connection_upgrade"}
        self.variables = set(self.own_variables)
        self.zones: set[str] = set()
        for item in self.http:
            name, args = item[0], item[1]
            if name == "map" and len(args) == 2:
                self.variables.add(args[1].lstrip("$"))
            elif name in ("limit_req_zone", "limit_conn_zone"):
                for arg in args:
                    m = _ZONE.match(arg)
                    if m:
                        self.zones.add(m.group(1))
        self._collect_sets([*self.http, *self.server, *self.root,
                            *(e for r in self.routes.values() if isinstance(r, dict)
                              for e in _items(r.get("directives")))])

    @classmethod
    def of(cls, service: Service, skipped: list[str]) -> _Extra:
        data = service.extensions.get("nginx") if isinstance(service.extensions, Mapping) else None
        return cls(data if isinstance(data, Mapping) else {}, skipped)

    def _collect_sets(self, items: list[list[Any]]) -> None:
        for item in items:
            if item[0] == "set" and item[1]:
                self.variables.add(str(item[1][0]).lstrip("$"))
            if len(item) > 2:
                self._collect_sets(_items(item[2]))

    def regex(self, prefix: str) -> list[str] | None:
        entry = self.routes.get(prefix)
        regex = entry.get("regex") if isinstance(entry, dict) else None
        if isinstance(regex, list) and len(regex) == 2 and regex[0] in ("~", "~*") and _clean(regex[1]):
            return [str(regex[0]), str(regex[1])]
        return None

    def route(self, prefix: str) -> list[list[Any]]:
        entry = self.routes.get(prefix)
        return _items(entry.get("directives")) if isinstance(entry, dict) else []

    def merge(self, block: list[dict[str, Any]], items: list[list[Any]], where: str) -> None:
        """Append the carried ``items`` to a block hopper wrote, each only if it stays valid."""
        context = "http" if where == "http" else "server" if where == "server" else "location"
        written = {d["directive"] for d in block}
        locations = {_location_key(d["args"]) for d in block if d["directive"] == "location"}
        for item in items:
            payload = self._payload(item, context, where)
            if payload is None:
                continue
            name = payload["directive"]
            if name == "location":
                key = _location_key(payload["args"])
                if key in locations:
                    self.skipped.append(f"{where}: carried 'location {' '.join(payload['args'])}' is the "
                                        "same location hopper writes; hopper's is kept")
                    continue
                locations.add(key)
            elif name not in _REPEATABLE and name in written:
                continue  # hopper wrote its own value (gzip, client_max_body_size of a route...)
            written.add(name)
            block.append(payload)

    def _payload(self, item: list[Any], context: str, where: str) -> dict[str, Any] | None:
        name, args = str(item[0]), [str(a) for a in item[1]]
        shown = " ".join([name, *args])[:80]
        allowed = self.allowed.get(context, frozenset())
        if context == "if":
            from hopper.shared.nginx.carry import IF  # noqa: PLC0415

            allowed = IF - {"proxy_pass"}
        problem = None
        if name not in allowed:
            problem = "is not valid there or names something the emitted set does not have"
        elif not all(_clean(a) for a in [name, *args]):
            problem = "holds characters that cannot be written safely"
        elif name == "map" and len(args) == 2 and args[1].lstrip("$") in self.own_variables:
            return None  # hopper's own map (the websocket upgrade), read back from its output
        elif name in ("limit_req", "limit_conn") and not any(
                (m := _ZONE.match(a)) and m.group(1) in self.zones for a in args):
            problem = "uses a zone that is not declared (limit_req_zone / limit_conn_zone)"
        elif (unknown := self._unknown_variable(name, args)) is not None:
            problem = f"uses ${unknown}, which nothing in the emitted nginx.conf defines"
        if problem is not None:
            self.skipped.append(f"{where}: carried nginx '{shown}' {problem}; it is left out")
            return None
        if len(item) > 2:
            inner_context = "if" if name == "if" else "map" if name == "map" else "location"
            children: list[dict[str, Any]] = []
            for child in _items(item[2]):
                if inner_context == "map":
                    if all(_clean(str(a)) for a in [child[0], *child[1]]):
                        children.append(_d(str(child[0]), *(str(a) for a in child[1])))
                    continue
                payload = self._payload(child, inner_context, f"{where} > {name} {' '.join(args)}".strip())
                if payload is None:
                    self.skipped.append(f"{where}: carried '{shown}' is left out with its block")
                    return None
                children.append(payload)
            return _d(name, *args, block=children)
        return _d(name, *args)

    def _unknown_variable(self, name: str, args: list[str]) -> str | None:
        checked = args
        if name == "location":
            checked = []
        elif name == "rewrite":
            checked = args[1:2]
        elif name == "map":
            checked = args[:1]
        elif name == "set":
            checked = args[1:]
        for arg in checked:
            for m in _VAR_REF.finditer(arg):
                var = m.group(1)
                if var.isdigit() or var in _BUILTIN_VARIABLES or var in self.variables \
                        or var.startswith(_VARIABLE_PREFIXES) or var.startswith("hopper_upstream_"):
                    continue
                return var
        return None


def _items(value: Any) -> list[list[Any]]:
    """Well-formed encoded directives only: ``[name, [args]]`` or ``[name, [args], [children]]``."""
    out: list[list[Any]] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list) and len(item) in (2, 3) and isinstance(item[0], str) \
                and isinstance(item[1], list) and (len(item) == 2 or isinstance(item[2], list)):
            out.append(item)
    return out


def _clean(text: str) -> bool:
    """No control character: crossplane quotes the rest (spaces, ';', braces) safely."""
    return isinstance(text, str) and not any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _location_key(args: list[str]) -> tuple[str, ...]:
    """Locations nginx counts as the same: a prefix with or without ``^~``."""
    if len(args) == 2 and args[0] == "^~":
        return ("", args[1])
    if len(args) == 1:
        return ("", args[0])
    return tuple(args)
