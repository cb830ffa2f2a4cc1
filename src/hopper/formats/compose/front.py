"""The nginx front of a compose project: where its configuration is, and what it says.

The configuration is looked for where the container will find it: a bind mount or compose
``configs`` entry on ``/etc/nginx/...``, or a ``COPY`` into ``/etc/nginx/...`` in the final stage
of the service's Dockerfile. It is parsed with :func:`hopper.shared.nginx.read.parse_nginx` (includes followed
only inside the project) and turned into a :class:`~hopper.model.StaticSite` and
:class:`~hopper.model.Route` records. Upstream hosts are resolved to compose services by the
caller-supplied ``resolve_host``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hopper.diagnostics import Diagnostic, Limits, Location, Severity, code, info, warning
from hopper.formats.compose.detect import parse_image
from hopper.model import Build, Route, StaticSite
from hopper.shared.dockerfile import Dockerfile, Stage
from hopper.shared.nginx.cache import to_model_cache_rule
from hopper.shared.nodeproject import NodeProject

if TYPE_CHECKING:  # the nginx reader (and crossplane) load only when a front has a configuration
    from hopper.shared.nginx.config import NginxConfig, ProxyLocation, Server, Upstream

I_NGINX_CONFIG = code("HOP160", Severity.INFO, "where hopper found a front's nginx configuration")
I_NGINX_DEFAULT = code("HOP161", Severity.INFO, "no nginx configuration found: the image's default site is assumed")
W_ROUTE_UNRESOLVED = code("HOP162", Severity.WARNING,
                          "an nginx proxy_pass target is not a service of the project; the route is not carried")
W_ROUTE_REGEX = code("HOP163", Severity.WARNING, "a regex nginx location has no fixed prefix to route by")
I_ROUTE_REGEX = code("HOP187", Severity.INFO, "a regex nginx location is routed by its fixed prefix")
W_NGINX_NOT_READ = code("HOP188", Severity.WARNING,
                        "a front's nginx configuration could not be read; its routing is not carried")
W_NGINX_SERVER_DROPPED = code("HOP164", Severity.WARNING, "an extra nginx server block is not carried")
W_ROUTE_URI_REWRITE = code("HOP165", Severity.WARNING,
                           "proxy_pass replaces the prefix with another path, which the model cannot express")
I_STATIC_SOURCE = code("HOP166", Severity.INFO, "where a front's static files come from")

NGINX_CONF_DIRS = ("/etc/nginx/conf.d/", "/etc/nginx/templates/", "/opt/bitnami/nginx/conf/server_blocks/")
DEFAULT_HTML = "/usr/share/nginx/html"
ResolveHost = Callable[[str], str | None]


@dataclass(slots=True)
class FrontResult:
    static_site: StaticSite | None = None
    routes: list[Route] = field(default_factory=list)
    listen_port: int | None = None
    build: Build | None = None
    consumed_mounts: set[str] = field(default_factory=set)  # container targets used as config/files
    nginx_files: tuple[str, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    nginx_extra: dict[str, Any] = field(default_factory=dict)  # see hopper.shared.nginx.carry
    # nginx configuration the front is given but hopper could not see: (as written, mounted at,
    # why, where it is referenced). Reported, never read.
    unseen: list[tuple[str, str, str, Location | None]] = field(default_factory=list)
    # `upstream` blocks with several servers that a route proxies to (upstreams.py merges them).
    upstreams: list[Upstream] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Mount:
    target: str  # absolute container path
    source: Path  # absolute project path
    origin: Location | None


def read_front(name: str, svc: dict[str, Any], *, root: Path, limits: Limits,
               dockerfile: Dockerfile | None, node: NodeProject | None, context: Path | None,
               configs: dict[str, dict[str, Any]], locate: Callable[..., Location | None],
               resolve_host: ResolveHost) -> FrontResult:
    result = FrontResult()
    mounts = _mounts(name, svc, root, dockerfile, context, configs, locate, result)
    mount_map = {m.target: m.source for m in mounts}
    config = _load_config(name, mounts, root, limits, mount_map, result)
    server = _choose_server(name, config, svc, result) if config is not None else None
    html_root = DEFAULT_HTML
    for written, target, why, where in result.unseen:
        result.diagnostics.append(warning(
            W_NGINX_NOT_READ, f"{name}: its nginx configuration '{written}' (for {target}) {why} and was "
            "not read: the routing it sets (location and proxy_pass routes, the static root, SPA "
            "fallback, caching, body size and timeouts) is not carried"
            + ("; the generated front uses a default configuration" if config is None else ""),
            where, hint="move the file inside the project (or convert from the folder that holds it)"))
    if server is None:
        if config is None:
            if not result.unseen:
                result.diagnostics.append(info(
                    I_NGINX_DEFAULT, f"{name}: no nginx configuration in the project; the image's default "
                    f"site (static files from {DEFAULT_HTML}) is assumed", locate("services", name)))
            result.static_site = StaticSite(root=DEFAULT_HTML)
            # An explicit container port (`ports: ["9090:90"]`) is what Compose reads; the
            # image's default 80 only fills in when the file states none.
            targets = [p.get("target") for p in svc.get("ports") or [] if isinstance(p, dict)]
            result.listen_port = next((t for t in targets if isinstance(t, int)), 80)
    else:
        result.listen_port = server.listen[0] if server.listen else 80
        html_root = server.root or DEFAULT_HTML
        if server.root is not None or server.try_files or not _proxies_root(server):
            result.static_site = StaticSite(
                root=html_root,
                index=server.index[0] if server.index else "index.html",
                spa_fallback=server.spa_fallback,
                gzip=server.gzip,
                gzip_types=tuple(server.gzip_types),
                cache_rules=tuple(to_model_cache_rule(rule) for rule in server.cache_rules),
                origin=server.location,
            )
        routed: dict[str, ProxyLocation] = {}
        regex_routes: dict[str, ProxyLocation] = {}
        for proxy in server.proxies:
            route = _route(name, proxy, resolve_host, result)
            if route is not None and route.path_prefix not in routed and route.path_prefix not in regex_routes:
                result.routes.append(route)
                (regex_routes if proxy.modifier in ("~", "~*") else routed)[route.path_prefix] = proxy
        assert config is not None
        from hopper.shared.nginx.carry import carry  # noqa: PLC0415

        result.nginx_extra, notes = carry(name, config, server, routed=routed, regex_routes=regex_routes,
                                          cache_patterns={rule.pattern for rule in server.cache_rules})
        result.diagnostics.extend(notes)
    result.build = _static_build(name, html_root, mounts, root, dockerfile, node, context, locate, result)
    return result


def _proxies_root(server: Server) -> bool:
    return any(p.path == "/" and p.modifier is None for p in server.proxies)


# ---------------------------------------------------------------------------- finding the files

def _mounts(name: str, svc: dict[str, Any], root: Path, dockerfile: Dockerfile | None,
            context: Path | None, configs: dict[str, dict[str, Any]],
            locate: Callable[..., Location | None], result: FrontResult) -> list[_Mount]:
    out: list[_Mount] = []
    root_r = root.resolve()
    for i, vol in enumerate(svc.get("volumes") or []):
        if not isinstance(vol, dict) or vol.get("type") != "bind":
            continue
        source, target = vol.get("source"), vol.get("target")
        if not isinstance(source, str) or not isinstance(target, str):
            continue
        path = Path(source) if Path(source).is_absolute() else root / source
        if not path.resolve().is_relative_to(root_r):
            # The reader warns about the mount itself (HOP179); a front's configuration is also
            # a loss of routing, reported below.
            if _is_nginx_config(target):
                result.unseen.append((source, target, "is outside the project root",
                                      locate("services", name, "volumes", i)))
            continue
        if _is_nginx_config(target) and not (path.is_file() or path.is_dir()):
            result.unseen.append((source, target, "does not exist in the project",
                                  locate("services", name, "volumes", i)))
            continue
        out.append(_Mount(target, path, locate("services", name, "volumes", i)))
    for i, ref in enumerate(svc.get("configs") or []):
        if not isinstance(ref, dict):
            continue
        source = ref.get("source")
        spec = configs.get(str(source)) or {}
        file = spec.get("file")
        if isinstance(file, str):
            target = ref.get("target") or f"/{source}"
            path = Path(file) if Path(file).is_absolute() else root / file
            if path.resolve().is_relative_to(root_r):
                out.append(_Mount(str(target), path, locate("services", name, "configs", i)))
            elif _is_nginx_config(str(target)):
                result.unseen.append((file, str(target), "is outside the project root",
                                      locate("services", name, "configs", i)))
    if dockerfile is not None and context is not None:
        out.extend(_copied(dockerfile.final, context, root_r, result))
    return out


def _is_nginx_config(target: str) -> bool:
    return target == "/etc/nginx/nginx.conf" or any(
        target.startswith(d) or target + "/" == d for d in NGINX_CONF_DIRS)


def _copied(stage: Stage, context: Path, root: Path, result: FrontResult) -> list[_Mount]:
    """``COPY nginx.conf /etc/nginx/conf.d/default.conf`` and friends, from the build context."""
    out: list[_Mount] = []
    workdir = stage.workdir or "/"
    for copy in stage.copies:
        if copy.from_stage is not None:
            continue
        dest = copy.destination
        if not dest.startswith("/"):
            dest = str(PurePosixPath(workdir) / dest) + ("/" if dest.endswith("/") else "")
        for src in copy.sources:
            if "://" in src or any(ch in src for ch in "*?["):
                continue
            path = (context / src)
            if not path.resolve().is_relative_to(root):
                if _is_nginx_config(dest):
                    result.unseen.append((src, dest, "is outside the project root", copy.location))
                continue
            into_dir = dest.endswith("/") or len(copy.sources) > 1
            target = str(PurePosixPath(dest) / PurePosixPath(src).name) if into_dir and path.is_file() else dest
            out.append(_Mount(target.rstrip("/") or "/", path, copy.location))
    return out


def _load_config(name: str, mounts: list[_Mount], root: Path, limits: Limits,
                 mount_map: dict[str, Path], result: FrontResult) -> NginxConfig | None:
    from hopper.shared.nginx.config import NginxConfig  # noqa: PLC0415
    from hopper.shared.nginx.read import parse_nginx  # noqa: PLC0415

    main = _mounted_file(mounts, "/etc/nginx/nginx.conf")
    if main is not None:
        result.diagnostics.append(info(I_NGINX_CONFIG, f"{name}: nginx configuration from "
                                       f"{_rel(main.source, root)} (mounted as /etc/nginx/nginx.conf)",
                                       main.origin))
        result.consumed_mounts.add(main.target)
        config = parse_nginx(main.source, root, limits, mounts=mount_map)
        result.diagnostics.extend(config.diagnostics)
        result.nginx_files = config.files
        return config
    snippets: list[tuple[Path, _Mount]] = []
    for mount in mounts:
        for conf_dir in NGINX_CONF_DIRS:
            if mount.target.startswith(conf_dir) or mount.target + "/" == conf_dir:
                for file in _conf_files(mount):
                    snippets.append((file, mount))
                result.consumed_mounts.add(mount.target)
    if not snippets:
        return None
    merged: NginxConfig | None = None
    for file, mount in snippets:
        result.diagnostics.append(info(I_NGINX_CONFIG, f"{name}: nginx configuration from "
                                       f"{_rel(file, root)} (in {mount.target})", mount.origin))
        config = parse_nginx(file, root, limits, mounts=mount_map)
        result.diagnostics.extend(config.diagnostics)
        merged = config if merged is None else NginxConfig(
            files=merged.files + config.files, servers=merged.servers + config.servers,
            upstreams={**merged.upstreams, **config.upstreams}, snippet=True,
            diagnostics=merged.diagnostics + config.diagnostics)
    if merged is not None:
        result.nginx_files = merged.files
    return merged


def _mounted_file(mounts: list[_Mount], target: str) -> _Mount | None:
    for mount in mounts:
        if mount.target == target and mount.source.is_file():
            return mount
        if target.startswith(mount.target.rstrip("/") + "/") and mount.source.is_dir():
            candidate = mount.source / target[len(mount.target.rstrip("/")) + 1:]
            if candidate.is_file():
                return _Mount(target, candidate, mount.origin)
    return None


def _conf_files(mount: _Mount) -> list[Path]:
    if mount.source.is_file():
        return [mount.source]
    if mount.source.is_dir():
        return sorted(p for pattern in ("*.conf", "*.conf.template") for p in mount.source.glob(pattern)
                      if p.is_file())
    return []


def _choose_server(name: str, config: NginxConfig, svc: dict[str, Any], result: FrontResult) -> Server | None:
    if not config.servers:
        return None
    published = [p.get("target") for p in svc.get("ports") or [] if isinstance(p, dict)]
    chosen = next((s for s in config.servers if any(port in s.listen for port in published)), config.servers[0])
    for other in config.servers:
        if other is not chosen:
            result.diagnostics.append(warning(
                W_NGINX_SERVER_DROPPED,
                f"{name}: nginx server block listening on {', '.join(map(str, other.listen)) or '?'} is not "
                f"carried; hopper models one server per front", other.location,
                hint="split it into its own service, or keep the nginx configuration as it is"))
    return chosen


# ---------------------------------------------------------------------------- routes and site

def _route(name: str, proxy: ProxyLocation, resolve_host: ResolveHost, result: FrontResult) -> Route | None:
    target = proxy.effective_target()
    host = target.host
    service = resolve_host(host) if host and "$" not in host else None
    port = target.port
    if service is None and proxy.upstream is not None and proxy.upstream.servers:
        if len(proxy.upstream.servers) > 1 and proxy.upstream not in result.upstreams:
            result.upstreams.append(proxy.upstream)  # load-balanced: see upstreams.py
        first = proxy.upstream.servers[0]
        service = resolve_host(first.host)
        port = first.port
    if service is None:
        result.diagnostics.append(warning(
            W_ROUTE_UNRESOLVED,
            f"{name}: location {proxy.path} proxies to '{target.raw}', which is not a service of this "
            f"project; the route is not carried", proxy.location,
            hint="point proxy_pass at a compose service name, or add the service"))
        return None
    if port is None:
        port = 443 if target.scheme == "https" else 80
    path_prefix = proxy.path
    if proxy.modifier in ("~", "~*"):
        from hopper.shared.nginx.carry import literal_prefix  # noqa: PLC0415

        prefix = literal_prefix(proxy.path)
        if prefix is None:
            result.diagnostics.append(warning(
                W_ROUTE_REGEX, f"{name}: regex location '{proxy.modifier} {proxy.path}' has no fixed path "
                "prefix to route by; the route is not carried", proxy.location,
                hint="start the regex with ^/ and a fixed folder, such as ^/api/"))
            return None
        # Routed by its fixed prefix on every platform; an nginx target keeps the regex itself.
        result.diagnostics.append(info(
            I_ROUTE_REGEX, f"{name}: regex location '{proxy.modifier} {proxy.path}' routes by the prefix "
            f"'{prefix}'; an emitted nginx.conf keeps the regex", proxy.location))
        path_prefix = prefix
    if target.uri not in (None, "/") and target.uri != proxy.path and not proxy.via_variable:
        result.diagnostics.append(warning(
            W_ROUTE_URI_REWRITE, f"{name}: location {proxy.path} is proxied to the path {target.uri}; "
            f"the target will see the original path", proxy.location))
    return Route(
        path_prefix=path_prefix,
        target_service=service,
        target_port=port,
        strip_prefix=proxy.strip_prefix,
        # nginx's default when the file sets none: the limit the source really had.
        body_size_limit=proxy.client_max_body_size or "1m",
        request_buffering=proxy.request_buffering,
        response_buffering=proxy.response_buffering,
        connect_timeout_s=proxy.connect_timeout_s,
        read_timeout_s=proxy.read_timeout_s,
        send_timeout_s=proxy.send_timeout_s,
        forwarded_headers=tuple(h for h in proxy.set_headers if h.lower() not in ("upgrade", "connection")),
        websocket=proxy.websocket,
        origin=proxy.location,
    )


def _static_build(name: str, html_root: str, mounts: list[_Mount], root: Path, dockerfile: Dockerfile | None,
                  node: NodeProject | None, context: Path | None, locate: Callable[..., Location | None],
                  result: FrontResult) -> Build | None:
    """Where the front's files come from: a build stage copied into the html root, or a bind mount."""
    for mount in mounts:
        if mount.target.rstrip("/") == html_root.rstrip("/") and mount.source.is_dir():
            result.consumed_mounts.add(mount.target)
            rel = _rel(mount.source, root)
            result.diagnostics.append(info(I_STATIC_SOURCE, f"{name}: static files from {rel} "
                                           f"(mounted on {html_root})", mount.origin))
            if dockerfile is not None:
                return None  # the Dockerfile build is described by the reader
            return Build(context=rel, runtime="static", output_dir=".")
    if dockerfile is None or context is None:
        return None
    final = dockerfile.final
    for copy in final.copies:
        if copy.from_stage is None or copy.destination.rstrip("/") != html_root.rstrip("/"):
            continue
        builder = dockerfile.stage(copy.from_stage)
        if builder is None:
            continue
        source = copy.sources[0]
        workdir = builder.workdir or "/"
        output = PurePosixPath(source)
        if output.is_absolute() and PurePosixPath(workdir) in (output, *output.parents):
            output = output.relative_to(workdir) if output != PurePosixPath(workdir) else PurePosixPath(".")
        build_command = node.run_command("build") if node is not None and node.build_script else (
            builder.runs[-1] if builder.runs else None)
        result.diagnostics.append(info(
            I_STATIC_SOURCE, f"{name}: static files built in stage '{builder.alias or builder.index}' "
            f"({builder.image}) and copied from {source} to {html_root}", copy.location))
        ref = parse_image(builder.image)
        if node is not None:
            result.diagnostics.extend(node.notes)
        return Build(
            runtime="node" if ref.path.endswith("node") else None,
            runtime_version=ref.version if ref.path.endswith("node") else None,
            package_manager=node.package_manager if node is not None else None,
            node_install=node.install if node is not None else None,
            workspace=node.workspace if node is not None else None,
            build_command=build_command,
            output_dir=output.as_posix(),
        )
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
