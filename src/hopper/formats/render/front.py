"""The nginx front as a Render web service: its nginx.conf (proxying each route to the target's
private host name, which on Render is the service name) and a Dockerfile that builds the static
files and serves them with that nginx.conf. Written under ``render/<front>/``."""

from __future__ import annotations

import posixpath
import re

from hopper import templating
from hopper.diagnostics import Diagnostics, fail
from hopper.formats.render.codes import E_FRONT_VALUE, W_ROUTE_OPTION
from hopper.formats.render.services import NGINX_PORT, static_build
from hopper.model import Architecture, Service
from hopper.nginx_build import NginxBuildError, Upstream, build_nginx_conf
from hopper.packagemanager import install_command

NGINX_TAG = "1.27-alpine"
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._@/-]+$")
SITE_ROOT = "/usr/share/nginx/html"


def nginx_front(svc: Service, arch: Architecture, diags: Diagnostics) -> tuple[dict[str, str], int]:
    """{path: text} for the front's nginx.conf and Dockerfile, and the port nginx listens on."""
    upstreams: dict[str, Upstream] = {}
    for route in svc.routes:
        target = arch.service(route.target_service)
        if target is None:
            continue  # reported by the builder as skipped
        port = route.target_port or target.runtime.port or 80
        upstreams[route.target_service] = Upstream(url=f"http://{target.name}:{port}")
    try:
        built = build_nginx_conf(svc, upstreams, NGINX_PORT)
    except NginxBuildError as exc:
        raise fail(E_FRONT_VALUE, f"service '{svc.name}': {exc}", svc.origin) from None
    for note in (*built.skipped, *built.clamped):
        diags.warning(W_ROUTE_OPTION, f"service '{svc.name}': {note}", svc.origin)
    folder = f"render/{svc.name}"
    return {f"{folder}/nginx.conf": built.text,
            f"{folder}/Dockerfile": _dockerfile(svc, folder)}, NGINX_PORT


def _dockerfile(svc: Service, folder: str) -> str:
    b = svc.build
    site = svc.static_site
    root = site.root if site is not None else SITE_ROOT
    if b is None or not b.build_command:
        # The files are in the repository as they are served.
        source = posixpath.normpath((b.output_dir or b.context or ".") if b else ".")
        return templating.render("render/front.Dockerfile.j2", service=svc.name, build=None,
                                 copy_from=source, site_root=root, folder=folder,
                                 nginx_tag=NGINX_TAG, port=NGINX_PORT)
    pm = b.package_manager or "npm"
    publish = static_build(svc).publish.removeprefix("./")
    ws = b.workspace
    if ws is not None and not _SAFE_PATH.match(ws.path):
        raise fail(E_FRONT_VALUE, f"service '{svc.name}': workspace path {ws.path!r} cannot be "
                   "written into a Dockerfile", svc.origin)
    context = posixpath.normpath(b.context or ".")
    # A workspace copies the whole repository under /app; otherwise the context is /app.
    in_image = publish if ws is not None or context == "." else posixpath.relpath(publish, context)
    return templating.render(
        "render/front.Dockerfile.j2", service=svc.name, folder=folder, site_root=root,
        nginx_tag=NGINX_TAG, port=NGINX_PORT, copy_from=None,
        build={"node": b.runtime_version or "22", "pm": pm,
               "install": b.install_command or install_command(pm, b.node_install),
               "command": b.build_command,
               "context": posixpath.normpath(b.context or "."),
               "workspace": posixpath.normpath(ws.path) if ws is not None else None,
               "dist": posixpath.normpath(posixpath.join("/app", in_image))})
