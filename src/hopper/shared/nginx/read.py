"""Read nginx configuration, over crossplane, into the typed records of :mod:`.config`.

``parse_nginx`` parses one file with crossplane, follows ``include`` itself (only inside the
project root; :mod:`.files`), and turns crossplane's payload into the small typed records of
:mod:`.config`; this module is that interpretation. crossplane's payload
dicts never leave :mod:`.files`.

What is read is what a reader needs to describe a static front and a reverse proxy: per
``server``, the ports, the static root and index, the SPA fallback, compression, cache rules and
the proxied locations with everything that changes how a request reaches its upstream.

The module knows nothing about compose or any platform: an upstream host is returned as written,
and resolving it to a service is the caller's job. A caller that knows where the container's
files come from (compose bind mounts, Dockerfile ``COPY``) passes ``mounts`` so that absolute
includes such as ``/etc/nginx/conf.d/*.conf`` are followed into the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hopper.diagnostics import DEFAULT_LIMITS, Limits, fail
from hopper.shared.nginx.config import (
    E_NGINX_DIRECTIVE,
    CacheRule,
    Directive,
    NginxConfig,
    ProxyLocation,
    ProxyTarget,
    Rewrite,
    Server,
    Upstream,
    UpstreamServer,
    listen_port,
    on_off,
    parse_proxy_target,
    seconds,
    split_host_port,
)
from hopper.shared.nginx.files import Loader


def parse_nginx(path: Path, root: Path, limits: Limits = DEFAULT_LIMITS, *,
                mounts: Mapping[str, Path] | None = None) -> NginxConfig:
    """Parse the nginx configuration at ``path`` and its includes inside ``root``.

    ``mounts`` maps absolute paths of the running container (``/etc/nginx/conf.d``) to folders
    or files in the project, so absolute includes can be followed. Anything that resolves
    outside ``root`` (``../``, absolute paths, symlinks) is refused with ``E_OUTSIDE_ROOT``.
    """
    loader = Loader(root, limits, mounts or {})
    top = loader.load_top(path)
    return _interpret(top, loader)


# Directives whose value a nested block inherits unless it sets its own (nginx "merge" rules).
_INHERITED = ("root", "index", "gzip", "gzip_types", "client_max_body_size", "proxy_request_buffering",
              "proxy_buffering", "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout",
              "resolver", "proxy_http_version", "expires")
# Array directives: a level that has any of them replaces the whole inherited list.
_ARRAYS = ("proxy_set_header", "add_header")


@dataclass(frozen=True, slots=True)
class _Scope:
    values: Mapping[str, tuple[str, ...]]
    arrays: Mapping[str, tuple[tuple[str, ...], ...]]
    variables: Mapping[str, str]

    def enter(self, block: Iterable[Directive]) -> _Scope:
        values = dict(self.values)
        arrays = dict(self.arrays)
        variables = dict(self.variables)
        fresh: dict[str, list[tuple[str, ...]]] = {}
        for d in block:
            if d.name in _INHERITED:
                values[d.name] = d.args
            elif d.name in _ARRAYS:
                fresh.setdefault(d.name, []).append(d.args)
            elif d.name == "set" and len(d.args) == 2:
                variables[d.args[0]] = d.args[1]
        for name, items in fresh.items():
            arrays[name] = tuple(items)
        return _Scope(values, arrays, variables)

    def get(self, name: str) -> tuple[str, ...] | None:
        return self.values.get(name)

    def first(self, name: str) -> str | None:
        value = self.values.get(name)
        return value[0] if value else None


def _interpret(top: tuple[Directive, ...], loader: Loader) -> NginxConfig:
    http_blocks = [d for d in top if d.name == "http" and d.block is not None]
    upstream_parents: list[Directive] = []
    server_blocks: list[tuple[Directive, _Scope]] = []
    empty = _Scope({}, {}, {})
    if http_blocks:
        for http in http_blocks:
            assert http.block is not None
            scope = empty.enter(http.block)
            upstream_parents.extend(http.block)
            server_blocks.extend((d, scope) for d in http.block if d.name == "server" and d.block is not None)
    # A conf.d snippet: server and upstream blocks at the top of the file.
    top_scope = empty.enter(top)
    upstream_parents.extend(top)
    server_blocks.extend((d, top_scope) for d in top if d.name == "server" and d.block is not None)
    upstreams = {u.name: u for u in (_upstream(d) for d in upstream_parents if d.name == "upstream")}
    servers = tuple(_server(d, scope, upstreams) for d, scope in server_blocks)
    http_level = [d for http in http_blocks for d in http.block or ()] + list(top)
    return NginxConfig(
        files=tuple(loader.files),
        servers=servers,
        upstreams=dict(sorted(upstreams.items())),
        snippet=not http_blocks and bool(server_blocks),
        diagnostics=tuple(loader.diagnostics),
        http=tuple(d for d in http_level if d.name not in ("server", "upstream", "http", "events")),
    )


def _upstream(d: Directive) -> Upstream:
    if len(d.args) != 1 or d.block is None:
        raise fail(E_NGINX_DIRECTIVE, "upstream takes one name and a block", d.location)
    servers = []
    for s in d.block:
        if s.name == "server" and s.args:
            host, port = split_host_port(s.args[0])
            servers.append(UpstreamServer(host=host, port=port, location=s.location))
    return Upstream(name=d.args[0], servers=tuple(servers), location=d.location)


def _server(d: Directive, outer: _Scope, upstreams: Mapping[str, Upstream]) -> Server:
    assert d.block is not None
    scope = outer.enter(d.block)
    listen: list[int] = []
    names: list[str] = []
    ipv6 = False
    for child in d.block:
        if child.name == "listen" and child.args:
            ipv6 = ipv6 or child.args[0].startswith("[")
            port = listen_port(child.args[0])
            if port is not None:
                listen.append(port)
        elif child.name == "server_name":
            names.extend(child.args)
    if not any(child.name == "listen" for child in d.block):
        listen.append(80)  # nginx's default for a server without listen (when run as root)
    proxies: list[ProxyLocation] = []
    caches: list[CacheRule] = []
    root_loc: tuple[Directive, _Scope] | None = None
    for loc_d, loc_scope in _locations(d.block, scope):
        if loc_d.args == ("/",) and root_loc is None:
            root_loc = (loc_d, loc_scope)
        proxy = _proxy(loc_d, loc_scope, upstreams)
        if proxy is not None:
            proxies.append(proxy)
        cache = _cache_rule(loc_d, loc_scope)
        if cache is not None:
            caches.append(cache)
    site_scope = root_loc[1] if root_loc else scope
    site_block = (root_loc[0].block or ()) if root_loc else d.block
    try_files = next((c.args for c in site_block if c.name == "try_files"),
                     next((c.args for c in d.block if c.name == "try_files"), ()))
    index = site_scope.get("index") or ("index.html",)
    error_pages = [c.args for c in (*d.block, *site_block) if c.name == "error_page"]
    return Server(
        listen=tuple(dict.fromkeys(listen)),
        listen_ipv6=ipv6,
        server_names=tuple(names),
        root=site_scope.first("root"),
        index=index,
        try_files=try_files,
        spa_fallback=_spa_fallback(try_files, index, error_pages),
        gzip=site_scope.first("gzip") == "on",
        gzip_types=site_scope.get("gzip_types") or (),
        cache_rules=tuple(caches),
        proxies=tuple(proxies),
        client_max_body_size=scope.first("client_max_body_size"),
        location=d.location,
        block=d.block,
    )


def _locations(block: Iterable[Directive], scope: _Scope) -> list[tuple[Directive, _Scope]]:
    """Every ``location`` in a block, nested ones included, with the scope each sees."""
    out: list[tuple[Directive, _Scope]] = []
    for d in block:
        if d.name == "location" and d.block is not None:
            inner = scope.enter(d.block)
            out.append((d, inner))
            out.extend(_locations(d.block, inner))
    return out


def _location_path(d: Directive) -> tuple[str | None, str]:
    if len(d.args) >= 2 and d.args[0] in ("=", "^~", "~", "~*"):
        return d.args[0], d.args[1]
    return None, d.args[0] if d.args else ""


def _proxy(d: Directive, scope: _Scope, upstreams: Mapping[str, Upstream]) -> ProxyLocation | None:
    assert d.block is not None
    proxy_pass = next((c for c in d.block if c.name == "proxy_pass"), None)
    if proxy_pass is None:
        return None
    if len(proxy_pass.args) != 1:
        raise fail(E_NGINX_DIRECTIVE, "proxy_pass takes exactly one URL", proxy_pass.location)
    modifier, path = _location_path(d)
    target = parse_proxy_target(proxy_pass.args[0])
    via_variable = "$" in (target.host or "") or target.scheme is None
    rewrites = tuple(
        Rewrite(regex=c.args[0], replacement=c.args[1], flag=c.args[2] if len(c.args) > 2 else None,
                location=c.location)
        for c in d.block if c.name == "rewrite" and len(c.args) >= 2
    )
    headers = scope.arrays.get("proxy_set_header", ())
    header_names = tuple(h[0] for h in headers if h)
    lower = {h[0].lower(): " ".join(h[1:]).lower() for h in headers if h}
    # The usual pair: `Upgrade $http_upgrade` and `Connection "upgrade"` (or a map variable).
    websocket = "upgrade" in lower and "connection" in lower
    upstream = upstreams.get(target.host or "") if target.host else None
    return ProxyLocation(
        path=path,
        modifier=modifier,
        target=target,
        via_variable=via_variable,
        variables=dict(sorted(scope.variables.items())),
        resolver=tuple(a for a in scope.get("resolver") or () if "=" not in a),
        strip_prefix=_strips_prefix(path, modifier, target, via_variable, rewrites),
        rewrites=rewrites,
        upstream=upstream,
        client_max_body_size=scope.first("client_max_body_size"),
        request_buffering=on_off(scope.first("proxy_request_buffering")),
        response_buffering=on_off(scope.first("proxy_buffering")),
        connect_timeout_s=seconds(scope.first("proxy_connect_timeout"), d.location),
        read_timeout_s=seconds(scope.first("proxy_read_timeout"), d.location),
        send_timeout_s=seconds(scope.first("proxy_send_timeout"), d.location),
        set_headers=header_names,
        http_version=scope.first("proxy_http_version"),
        websocket=bool(websocket),
        location=d.location,
        block=d.block,
    )


def _strips_prefix(path: str, modifier: str | None, target: ProxyTarget, via_variable: bool,
                   rewrites: tuple[Rewrite, ...]) -> bool:
    for rw in rewrites:
        if _rewrite_strips(path, rw):
            return True
    if via_variable or modifier in ("~", "~*"):
        # With a variable (or a regex location) nginx passes the URI part as the whole request
        # path; it never replaces the matched prefix.
        return False
    # `proxy_pass http://api:3000/;` replaces the matched prefix with "/"; another URI part
    # ("/v1/") replaces it with that URI, which the caller sees in target.uri.
    return target.uri == "/"


def _rewrite_strips(path: str, rw: Rewrite) -> bool:
    """``rewrite ^/api/(.*)$ /$1 break;`` and ``rewrite ^/api(/.*)$ $1 break;`` drop the prefix."""
    stem = path.rstrip("/")
    if not stem:
        return False
    regex = rw.regex.replace("\\/", "/")
    if not regex.startswith("^" + stem):
        return False
    return rw.replacement in ("/$1", "$1", "/$1$is_args$args", "$1$is_args$args")


def _spa_fallback(try_files: tuple[str, ...], index: tuple[str, ...],
                  error_pages: list[tuple[str, ...]]) -> bool:
    targets = {"/" + name.lstrip("/") for name in index} | {"/index.html"}
    if any(arg in targets for arg in try_files[1:]):
        return True
    # error_page 404 =200 /index.html is the older way to serve the app for unknown paths.
    return any("404" in page and page[-1] in targets for page in error_pages)


def _cache_rule(d: Directive, scope: _Scope) -> CacheRule | None:
    assert d.block is not None
    expires = next((" ".join(c.args) for c in d.block if c.name == "expires"), None)
    cache_control = next((" ".join(c.args[1:]) for c in d.block
                          if c.name == "add_header" and c.args and c.args[0].lower() == "cache-control"), None)
    if expires is None and cache_control is None:
        return None
    return CacheRule(pattern=" ".join(d.args), expires=expires, cache_control=cache_control,
                     location=d.location)


