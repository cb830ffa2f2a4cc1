"""A typed reading of nginx configuration, over crossplane.

``parse_nginx`` parses one file with crossplane, follows ``include`` itself (only inside the
project root), and turns crossplane's payload into the small typed records below. Payload dicts
never leave this module.

What is read is what a reader needs to describe a static front and a reverse proxy: per
``server``, the ports, the static root and index, the SPA fallback, compression, cache rules and
the proxied locations with everything that changes how a request reaches its upstream.

The module knows nothing about compose or any platform: an upstream host is returned as written,
and resolving it to a service is the caller's job. A caller that knows where the container's
files come from (compose bind mounts, Dockerfile ``COPY``) passes ``mounts`` so that absolute
includes such as ``/etc/nginx/conf.d/*.conf`` are followed into the project.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_FILE_NOT_FOUND,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_DEEP,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    E_TOO_MANY_ITEMS,
    Diagnostic,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    fail,
    info,
    warning,
)

E_NGINX_SYNTAX = code("HOP201", Severity.ERROR, "an nginx configuration file cannot be parsed")
E_NGINX_INCLUDE_CYCLE = code("HOP202", Severity.ERROR, "nginx includes form a cycle")
E_NGINX_DIRECTIVE = code("HOP203", Severity.ERROR, "an nginx directive hopper reads has the wrong arguments")
I_NGINX_STOCK_INCLUDE = code("HOP204", Severity.INFO,
                             "an include of a file shipped with nginx (mime.types...) was not followed")
W_NGINX_INCLUDE_NOT_FOUND = code("HOP205", Severity.WARNING,
                                 "an nginx include names a file that is not in the project")

# Files every nginx package and image ships next to nginx.conf. An include of one of them is
# normal and says nothing about the application, so it is skipped with an info.
_STOCK_FILES = frozenset({
    "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "proxy_params",
    "koi-utf", "koi-win", "win-utf", "snippets/fastcgi-php.conf", "snippets/snakeoil.conf",
})
# The configuration folder of the nginx images: an absolute include below it that no mount
# provides is the image's own file, not something of the project's.
_IMAGE_CONF_DIRS = ("/etc/nginx/", "/usr/local/openresty/nginx/conf/", "/opt/bitnami/nginx/conf/")


# ---------------------------------------------------------------------------- records

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


# ---------------------------------------------------------------------------- parsing

def parse_nginx(path: Path, root: Path, limits: Limits = DEFAULT_LIMITS, *,
                mounts: Mapping[str, Path] | None = None) -> NginxConfig:
    """Parse the nginx configuration at ``path`` and its includes inside ``root``.

    ``mounts`` maps absolute paths of the running container (``/etc/nginx/conf.d``) to folders
    or files in the project, so absolute includes can be followed. Anything that resolves
    outside ``root`` (``../``, absolute paths, symlinks) is refused with ``E_OUTSIDE_ROOT``.
    """
    loader = _Loader(root, limits, mounts or {})
    top = loader.load_top(path)
    return _interpret(top, loader)


class _Loader:
    def __init__(self, root: Path, limits: Limits, mounts: Mapping[str, Path]) -> None:
        self.root = root.resolve()
        self.limits = limits
        self.mounts = {k.rstrip("/") or "/": v for k, v in mounts.items()}
        self.files: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.total_bytes = 0
        self.locations = 0

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def load_top(self, path: Path) -> tuple[Directive, ...]:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise fail(E_OUTSIDE_ROOT, f"nginx configuration '{path.name}' resolves outside the project root",
                       Location(file=path.name))
        if not resolved.is_file():
            raise fail(E_FILE_NOT_FOUND, "nginx configuration not found", Location(file=self.rel(resolved)))
        return self.load_file(resolved, stack=())

    def load_file(self, resolved: Path, stack: tuple[Path, ...]) -> tuple[Directive, ...]:
        rel = self.rel(resolved)
        if len(self.files) >= self.limits.max_files:
            raise LimitError(_err(E_TOO_MANY_FILES, f"more than {self.limits.max_files} nginx files "
                                  "through includes", Location(file=rel)))
        self.files.append(rel)
        with resolved.open("rb") as handle:  # never more than the limit, even for a huge file
            raw = handle.read(self.limits.max_file_bytes + 1)
        self.total_bytes += len(raw)
        if len(raw) > self.limits.max_file_bytes or self.total_bytes > self.limits.max_total_bytes:
            raise LimitError(_err(E_TOO_LARGE, "nginx configuration is over the size limit", Location(file=rel)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(E_NOT_UTF8, "nginx configuration is not valid UTF-8",
                       Location(file=rel, line=raw[: exc.start].count(b"\n") + 1)) from None
        if "\0" in text:
            raise fail(E_NOT_UTF8, "nginx configuration contains a NUL byte",
                       Location(file=rel, line=text[: text.index("\0")].count("\n") + 1))
        parsed = _crossplane_parse(resolved, rel)
        return self.convert(parsed, rel, resolved, (*stack, resolved))

    def convert(self, items: Sequence[Any], rel: str, resolved: Path,
                stack: tuple[Path, ...], depth: int = 0) -> tuple[Directive, ...]:
        out: list[Directive] = []
        if depth > self.limits.max_depth:
            line = int(items[0].get("line", 0)) or None if items else None
            raise LimitError(_err(E_TOO_DEEP, f"blocks nested deeper than {self.limits.max_depth} levels",
                                  Location(file=rel, line=line)))
        for item in items:
            name = str(item["directive"])
            args = tuple(str(a) for a in item.get("args", ()))
            loc = Location(file=rel, line=int(item.get("line", 0)) or None)
            if name == "include":
                out.extend(self.include(args, loc, resolved, stack))
                continue
            if name == "location":
                self.locations += 1
                if self.locations > self.limits.max_routes:
                    raise LimitError(_err(E_TOO_MANY_ITEMS, f"more than {self.limits.max_routes} nginx "
                                          "locations (routes)", loc))
            block = item.get("block")
            if block is not None and name in _SIMPLE_DIRECTIVES:
                # crossplane skips argument checks inside snippets (a conf.d file starting at
                # `server`), so `listen 80` without `;` swallows the next block silently.
                raise fail(E_NGINX_SYNTAX, f'nginx: directive "{name}" is not terminated by ";"', loc)
            children = self.convert(block, rel, resolved, stack, depth + 1) if block is not None else None
            out.append(Directive(name=name, args=args, location=loc, block=children))
        return tuple(out)

    def include(self, args: tuple[str, ...], loc: Location, including: Path,
                stack: tuple[Path, ...]) -> list[Directive]:
        if len(args) != 1:
            raise fail(E_NGINX_DIRECTIVE, "include takes exactly one file or pattern", loc)
        ref = args[0]
        if len(stack) >= self.limits.max_depth:
            raise LimitError(_err(E_TOO_DEEP, f"includes nested deeper than {self.limits.max_depth}", loc))
        base = self._base_for(ref, loc)
        if base is None:
            return []
        matches = self._matches(base, ref, loc)
        out: list[Directive] = []
        for match in matches:
            resolved = match.resolve()
            if not resolved.is_relative_to(self.root):
                raise fail(E_OUTSIDE_ROOT, f"include '{ref}' resolves outside the project root", loc,
                           hint="hopper only reads files inside the project; copy the file in")
            if resolved in stack:
                raise fail(E_NGINX_INCLUDE_CYCLE, f"include '{ref}' includes itself through "
                           f"{' -> '.join(self.rel(p) for p in stack)}", loc)
            if not resolved.is_file():
                continue
            out.extend(self.load_file(resolved, stack))
        return out

    def _base_for(self, ref: str, loc: Location) -> Path | None:
        """The project path an include reference points at, or None when it is not followed."""
        if ref.startswith("/"):
            for prefix in sorted(self.mounts, key=len, reverse=True):
                if ref == prefix or ref.startswith(prefix.rstrip("/") + "/"):
                    rest = ref[len(prefix):].lstrip("/")
                    target = self.mounts[prefix]
                    return target / rest if rest else target
            stock = _stock_name(ref)
            if stock is not None or ref.startswith(_IMAGE_CONF_DIRS):
                self.diagnostics.append(info(
                    I_NGINX_STOCK_INCLUDE,
                    f"include '{ref}' is a file of the nginx image, not of the project; not followed", loc))
                return None
            raise fail(E_OUTSIDE_ROOT, f"include '{ref}' is an absolute path outside the project root", loc,
                       hint="hopper only reads files inside the project")
        # nginx resolves relative includes against its prefix, where the main file lives; the
        # main file is the first one read.
        base = self.root / PurePosixPath(self.files[0]).parent / ref
        if _has_parent_ref(ref) and not base.resolve().is_relative_to(self.root):
            raise fail(E_OUTSIDE_ROOT, f"include '{ref}' resolves outside the project root", loc,
                       hint="hopper only reads files inside the project")
        return base

    def _matches(self, base: Path, ref: str, loc: Location) -> list[Path]:
        if glob.has_magic(ref):
            found = sorted(Path(p) for p in glob.glob(_glob_pattern(base, ref)))
            return [p for p in found if p.is_file() or p.is_symlink()]
        if base.exists() or base.is_symlink():
            return [base]
        if _stock_name(ref) is not None:
            self.diagnostics.append(info(
                I_NGINX_STOCK_INCLUDE, f"include '{ref}' is a file of the nginx image; not followed", loc))
        else:
            self.diagnostics.append(warning(
                W_NGINX_INCLUDE_NOT_FOUND, f"include '{ref}' is not in the project; not followed", loc,
                hint="its directives are unknown to hopper"))
        return []


# Directives that never take a block: one followed by `{` lost its `;`.
_SIMPLE_DIRECTIVES = frozenset({
    "listen", "server_name", "root", "alias", "index", "try_files", "proxy_pass", "return", "rewrite",
    "add_header", "proxy_set_header", "expires", "gzip", "gzip_types", "client_max_body_size",
    "proxy_http_version", "proxy_read_timeout", "proxy_connect_timeout", "proxy_send_timeout",
    "proxy_buffering", "proxy_request_buffering", "resolver", "error_page", "access_log", "error_log",
    "include", "set",
})


def _err(code_name: str, message: str, loc: Location) -> Diagnostic:
    return Diagnostic(code=code_name, severity=Severity.ERROR, message=message, location=loc)


def _glob_pattern(base: Path, ref: str) -> str:
    """The pattern for ``glob``: the folder part that is not the user's pattern is escaped."""
    pattern_parts = len(PurePosixPath(ref.lstrip("/")).parts)
    fixed = Path(*base.parts[: len(base.parts) - pattern_parts]) if pattern_parts < len(base.parts) else Path()
    pattern = PurePosixPath(*base.parts[len(base.parts) - pattern_parts:]).as_posix()
    return glob.escape(str(fixed)) + "/" + pattern


def _stock_name(ref: str) -> str | None:
    for name in _STOCK_FILES:
        if ref == name or ref.endswith("/" + name):
            return name
    return None


def _has_parent_ref(ref: str) -> bool:
    return ".." in PurePosixPath(ref).parts


def _crossplane_parse(resolved: Path, rel: str) -> list[Any]:
    import crossplane  # heavy: only when nginx is read
    from crossplane.errors import NgxParserBaseException

    try:
        payload = crossplane.parse(str(resolved), single=True, catch_errors=False,
                                   check_ctx=False, comments=False)
    except NgxParserBaseException as exc:
        raise fail(E_NGINX_SYNTAX, f"nginx: {exc.strerror}", Location(file=rel, line=exc.lineno)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(E_NGINX_SYNTAX, f"nginx: cannot read the file ({type(exc).__name__})",
                   Location(file=rel)) from None
    configs = payload.get("config", [])
    for config in configs:
        for problem in config.get("errors", []):
            message = str(problem.get("error", "syntax error"))
            message = re.sub(r" in \S+:\d+$", "", message)
            if "recursion" in message:  # crossplane caught a RecursionError on deep blocks
                raise LimitError(_err(E_TOO_DEEP, "blocks nested too deep",
                                      Location(file=rel, line=problem.get("line"))))
            raise fail(E_NGINX_SYNTAX, f"nginx: {message}", Location(file=rel, line=problem.get("line")))
    if not configs:
        return []
    parsed: list[Any] = configs[0].get("parsed", [])
    return parsed


# ---------------------------------------------------------------------------- interpretation

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


def _interpret(top: tuple[Directive, ...], loader: _Loader) -> NginxConfig:
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
            host, port = _split_host_port(s.args[0])
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
            port = _listen_port(child.args[0])
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
        request_buffering=_on_off(scope.first("proxy_request_buffering")),
        response_buffering=_on_off(scope.first("proxy_buffering")),
        connect_timeout_s=_seconds(scope.first("proxy_connect_timeout"), d.location),
        read_timeout_s=_seconds(scope.first("proxy_read_timeout"), d.location),
        send_timeout_s=_seconds(scope.first("proxy_send_timeout"), d.location),
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


# ---------------------------------------------------------------------------- values

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
    host, port = _split_host_port(authority)
    return ProxyTarget(raw=raw, scheme=m.group("scheme").lower(), host=host, port=port,
                       uri=m.group("uri"))


def _split_host_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        end = text.find("]")
        host, rest = text[: end + 1], text[end + 1:]
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":", 1)
    else:
        host, port_text = text, ""
    return host, int(port_text) if port_text.isdigit() else None


def _listen_port(arg: str) -> int | None:
    if arg.startswith("unix:"):
        return None
    if arg.isdigit():
        return int(arg)
    _, port = _split_host_port(arg)
    if port is not None:
        return port
    return 80 if "." in arg or arg.startswith("[") or arg == "localhost" else None


def _on_off(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.lower() == "on"


_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)?$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def _seconds(value: str | None, loc: Location) -> float | None:
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
