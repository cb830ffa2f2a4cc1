"""The nginx front as a Render web service: its nginx.conf and a Dockerfile that builds the static
files and serves them with it. Written under ``render/<front>/``.

Render gives a private service an address of its own (the name may get a suffix), readable only
through ``fromService … property: hostport`` (render.md §2.2, §3.2), and nginx refuses to start
when a literal ``proxy_pass`` host does not resolve. So each upstream is an environment variable
(``API_HOSTPORT``) of the front, and the file is ``nginx.conf.template``: the official nginx
image's entrypoint writes ``/etc/nginx/nginx.conf`` from it at start, substituting only those
variables (``NGINX_ENVSUBST_FILTER``), so nginx's own ``$variables`` stay as written."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from hopper import templating
from hopper.diagnostics import Diagnostics, fail
from hopper.formats.render.codes import E_FRONT_VALUE, W_ROUTE_OPTION
from hopper.formats.render.services import NGINX_PORT, static_build
from hopper.model import Architecture, Service
from hopper.shared.nginx.build import NginxBuildError, Upstream, build_nginx_conf
from hopper.shared.nodebuild import node_stage, workspace_of
from hopper.shared.packagemanager import install_command

NGINX_TAG = "1.27-alpine"
SITE_ROOT = "/usr/share/nginx/html"
# A host name no real service has: written by the nginx builder, then replaced by ${VARIABLE}.
_PLACEHOLDER = "http://hopper-upstream-{}.invalid"


@dataclass(frozen=True, slots=True)
class NginxFront:
    files: dict[str, str]  # {path: text}: the nginx.conf (or its template) and the Dockerfile
    port: int  # the port nginx listens on
    upstreams: dict[str, str]  # environment variable -> the service whose hostport it carries


def upstream_variable(target: str) -> str:
    """``api`` -> ``API_HOSTPORT``: the front's variable that holds the target's host:port."""
    name = re.sub(r"[^A-Z0-9]+", "_", target.upper()).strip("_")
    return f"{name}_HOSTPORT" if name[:1].isalpha() else f"S_{name}_HOSTPORT"


def nginx_front(svc: Service, arch: Architecture, diags: Diagnostics) -> NginxFront:
    upstreams: dict[str, Upstream] = {}
    variables: dict[str, str] = {}
    for route in svc.routes:
        target = arch.service(route.target_service)
        if target is None or target.name in upstreams:
            continue  # an unknown target is reported by the builder as skipped
        if route.target_port and target.runtime.port and route.target_port != target.runtime.port:
            diags.warning(W_ROUTE_OPTION, f"service '{svc.name}', route {route.path_prefix}: "
                          f"'{target.name}' is reached at the port Render gives it (hostport, "
                          f"{target.runtime.port}), not {route.target_port}", route.origin,
                          hint="a service listens on one port on Render: make it the one routed to")
        upstreams[target.name] = Upstream(url=_PLACEHOLDER.format(len(upstreams)))
        variables[upstream_variable(target.name)] = target.name
    try:
        built = build_nginx_conf(svc, upstreams, NGINX_PORT)
    except NginxBuildError as exc:
        raise fail(E_FRONT_VALUE, f"service '{svc.name}': {exc}", svc.origin) from None
    for note in (*built.skipped, *built.clamped):
        diags.warning(W_ROUTE_OPTION, f"service '{svc.name}': {note}", svc.origin)
    text = built.text
    for upstream, variable in zip(upstreams.values(), variables, strict=True):
        text = text.replace(upstream.url, "http://${" + variable + "}")
    folder = f"render/{svc.name}"
    conf = f"{folder}/nginx.conf.template" if variables else f"{folder}/nginx.conf"
    return NginxFront(files={conf: text, f"{folder}/Dockerfile": _dockerfile(svc, folder, conf, variables)},
                      port=NGINX_PORT, upstreams=variables)


def _dockerfile(svc: Service, folder: str, conf: str, variables: dict[str, str]) -> str:
    common: dict[str, object] = {"service": svc.name, "folder": folder, "conf": conf,
                                 "variables": sorted(variables), "nginx_tag": NGINX_TAG,
                                 "port": NGINX_PORT}
    b = svc.build
    site = svc.static_site
    root = site.root if site is not None else SITE_ROOT
    if b is None or not b.build_command:
        # The files are in the repository as they are served.
        source = posixpath.normpath((b.output_dir or b.context or ".") if b else ".")
        return templating.render("render/front.Dockerfile.j2", build=None, copy_from=source,
                                 site_root=root, **common)
    pm = b.package_manager or "npm"
    publish = static_build(svc).publish.removeprefix("./")
    ws = workspace_of(b)
    if ws is not None:
        # A monorepo package: install at the workspace root what the package needs, with the
        # root manifests, lockfile and every package's package.json (shared with compose).
        stage = node_stage(b, node_major_of(b.runtime_version))
        if stage is None:
            raise fail(E_FRONT_VALUE, f"service '{svc.name}': workspace path {ws.path!r} or a "
                       "command cannot be written into a Dockerfile", svc.origin)
        return templating.render(
            "render/front.Dockerfile.j2", site_root=root, copy_from=None, **common,
            build={"node": b.runtime_version or "22", "pm": pm, "stage": stage.lines(),
                   "dist": posixpath.normpath(posixpath.join("/app", posixpath.relpath(publish, stage.context)))})
    context = posixpath.normpath(b.context or ".")
    # Outside a monorepo the project folder is copied to /app.
    in_image = publish if context == "." else posixpath.relpath(publish, context)
    return templating.render(
        "render/front.Dockerfile.j2", site_root=root, copy_from=None, **common,
        build={"node": b.runtime_version or "22", "pm": pm,
               "install": b.install_command or install_command(pm, b.node_install),
               "command": b.build_command, "context": context, "stage": None,
               "dist": posixpath.normpath(posixpath.join("/app", in_image))})


def node_major_of(version: str | None) -> int | None:
    major = (version or "22").split(".", 1)[0]
    return int(major) if major.isdigit() else None
