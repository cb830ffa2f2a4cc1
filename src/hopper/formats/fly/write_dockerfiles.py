"""Dockerfiles for the apps hopper builds itself (the nginx front, Node services without one).

Paths are relative to the repository root, which is the build context ``flyctl deploy`` is given.
Paths land in JSON-form instructions and package names go through ``shlex.quote``; the user's
build and start commands are refused if they hold a control character (a newline would start a
new Dockerfile instruction).

The package manager, its version, the lockfile and the files the install reads come from the
model (``Build.package_manager``, ``Build.node_install``); the commands from
:mod:`hopper.shared.packagemanager`. The Dockerfile copies what the install reads before it runs, so
that the install layer is rebuilt only when one of those files changes.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import replace

from hopper.diagnostics import E_INVALID_NAME, fail
from hopper.formats.fly.plan_types import App, Plan
from hopper.formats.fly.setfiles import NGINX_CONF
from hopper.formats.fly.versions import corepack_until, nginx_tag
from hopper.model import NodeInstall
from hopper.secrets import exec_argv
from hopper.shared.packagemanager import (
    LOCKFILE_NAMES,
    MANAGERS,
    install_command,
    install_note,
    locked,
    prune_command,
    run_command,
    setup,
)
from hopper.templating import render

TURBO_VERSION = "2"
_VERSION_RE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,4}){0,2}$")
_PATH_RE = re.compile(r"^[A-Za-z0-9._@+/-]+$")


def _command(text: str, what: str, app: App) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in text) or text.rstrip().endswith("\\"):
        raise fail(E_INVALID_NAME, f"{what} of service '{app.service.name}' contains a control character "
                   "or a trailing backslash and cannot be written into a Dockerfile",
                   app.service.build.origin if app.service.build else app.service.origin)
    return text


def _path(text: str, what: str, app: App) -> str:
    clean = posixpath.normpath(text.removeprefix("./")) if text else "."
    if clean.startswith("..") or clean.startswith("/") or not _PATH_RE.match(clean):
        raise fail(E_INVALID_NAME, f"{what} {text!r} of service '{app.service.name}' cannot be used "
                   "as a path inside the repository", app.service.origin)
    return clean


def _manager(app: App) -> str:
    return app.package_manager if app.package_manager in MANAGERS else "npm"


def _package(app: App) -> str | None:
    """The monorepo package to install for, when the manager can focus on one (not with turbo,
    which prunes the workspace itself)."""
    ws = app.workspace
    return ws.package if ws is not None and ws.tool != "turbo" else None


def _node_install(app: App) -> NodeInstall | None:
    node = app.node_install
    build = app.service.build
    context = posixpath.normpath((build.context if build else None) or ".")
    if app.workspace is None and node is not None and node.lockfile is not None and context != "." \
            and not node.lockfile.startswith(context + "/"):
        # A lockfile above the build context belongs to a workspace hopper was not told of:
        # the install in /app cannot read it.
        return replace(node, lockfile=None)
    return node


def generated_install(app: App) -> str | None:
    """The install command the generated Dockerfile of ``app`` runs (None when it installs
    nothing: a front whose files are already built)."""
    if app.build_mode not in ("front", "node") or app.static_copy is not None or app.service.build is None:
        return None
    return install_command(_manager(app), _node_install(app), _package(app))


def _copies(app: App, install_root: str, wanted: list[str], manifest: bool) -> list[list[str]]:
    """COPY instructions (JSON form: sources..., destination) that put ``wanted`` (paths from
    the repository root; a folder ends in "/") where the install finds them: /app holds
    ``install_root``. With ``manifest``, the first one starts with its package.json."""
    top = f"{install_root}/package.json" if install_root != "." else "package.json"
    here: list[str] = [top] if manifest else []
    elsewhere: dict[str, list[str]] = {}
    for raw in wanted:
        folder = raw.endswith("/")
        path = _path(raw.rstrip("/"), "install file", app)
        rel = path if install_root == "." else posixpath.relpath(path, install_root)
        if path in here or rel.startswith(".."):
            continue  # already there, or outside what /app holds
        if folder:
            elsewhere.setdefault(f"./{rel}/", []).append(f"{path}/")
        elif "/" not in rel:
            here.append(path)
        else:
            elsewhere.setdefault(f"./{posixpath.dirname(rel)}/", []).append(path)
    first = [[*here, "./"]] if here else []
    return [*first, *([*sources, dest] for dest, sources in elsewhere.items())]


def _secret_mounts(app: App) -> str:
    # Each build secret is mounted for the build step only, as a file and as an env var of the
    # same name (BuildKit's env= option), so it never lands in an image layer.
    return "".join(f"--mount=type=secret,id={name},env={name},required=true \\\n    "
                   for name in app.build_secrets)


def _common(app: App, plan: Plan) -> dict[str, object]:
    build = app.service.build
    assert build is not None
    ws = app.workspace
    version = app.node_version if _VERSION_RE.match(app.node_version) else "22"
    pm = _manager(app)
    node = _node_install(app)
    context = _path(build.context or ".", "build context", app)
    lockfile_name = (node.lockfile.rsplit("/", 1)[-1] if node is not None and node.lockfile
                     else LOCKFILE_NAMES[pm][0])
    tools = setup(pm, node, int(version.split(".")[0]), corepack_until())
    files = list(node.files) if node is not None else []
    lockfile = [node.lockfile] if node is not None and node.lockfile else []
    ctx: dict[str, object] = {
        "service": app.service.name, "folder": app.folder, "node_version": version, "pm": pm,
        "workspace": ws is not None, "turbo": bool(ws and ws.tool == "turbo"),
        "package": ws.package if ws else "", "turbo_version": TURBO_VERSION,
        "lockfile_name": lockfile_name, "context": context, "port": app.port,
        "secret_mounts": _secret_mounts(app), "locked": locked(node),
        "setup_steps": list(tools.steps), "setup_note": tools.note,
        "install": install_command(pm, node, _package(app)), "install_note": install_note(pm, node),
        "build_args": "".join(f"ARG {name}\n" for name in sorted({*app.build_vars, *app.build_args})),
    }
    if ws is not None:
        if not re.match(r"^[A-Za-z0-9@._/-]+$", ws.package):
            raise fail(E_INVALID_NAME, f"workspace package name {ws.package!r} is not valid", build.origin)
        ctx["ws_path"] = _path(ws.path if ws.root in (".", "") else f"{ws.root}/{ws.path}",
                               "workspace path", app)
        root = _path(ws.root or ".", "workspace root", app)
        # Every package's manifest lets the install run before the sources are copied; without
        # the list (more packages than hopper lists) the install needs the whole repository.
        manifests = list(node.manifests) if node is not None else []
        ctx["copies"] = _copies(app, root, [*lockfile, *files, *manifests], manifest=True) if manifests else []
        # turbo prune writes the pruned manifests and lockfile; the manager's own files
        # (.npmrc, .yarnrc.yml...) come from the repository.
        ctx["tool_copies"] = _copies(app, root, files, manifest=False)
    else:
        ctx["copies"] = _copies(app, context, [*lockfile, *files], manifest=True)
    return ctx


def render_front_dockerfile(app: App, plan: Plan) -> str:
    site = app.service.static_site
    site_root = site.root.rstrip("/") if site else "/usr/share/nginx/html"
    if app.static_copy is not None:
        return render("fly/front.Dockerfile.j2", service=app.service.name, folder=app.folder,
                      static_copy=_path(app.static_copy, "static folder", app), site_root=site_root,
                      nginx_tag=nginx_tag(), port=app.port, nginx_conf=NGINX_CONF)
    ctx = _common(app, plan)
    build = app.service.build
    assert build is not None
    pm = str(ctx["pm"])
    out_dir = _path(build.output_dir or "dist", "build output folder", app)
    ws_path = str(ctx.get("ws_path", ""))
    if ws_path and out_dir.startswith(ws_path + "/"):
        out_dir = out_dir[len(ws_path) + 1:]  # given from the repository root, not the package
    if ctx["workspace"]:
        package = str(ctx["package"])
        if ctx["turbo"]:
            ctx["build"] = f"npx --yes turbo@{TURBO_VERSION} run build --filter={shlex.quote(package)}"
        else:
            ctx["build"] = run_command(pm, "build", package)
        dist = f"/app/{ctx['ws_path']}/{out_dir}"
    else:
        ctx["build"] = _command(build.build_command or run_command(pm, "build"), "build command", app)
        dist = f"/app/{out_dir}"
    return render("fly/front.Dockerfile.j2", static_copy=None, site_root=site_root, dist=dist,
                  nginx_tag=nginx_tag(), nginx_conf=NGINX_CONF, **ctx)


def render_node_dockerfile(app: App, plan: Plan) -> str:
    ctx = _common(app, plan)
    build = app.service.build
    assert build is not None
    pm = str(ctx["pm"])
    build_cmd = build.build_command
    if ctx["workspace"]:
        package = str(ctx["package"])
        if ctx["turbo"]:
            ctx["build"] = (f"npx --yes turbo@{TURBO_VERSION} run build --filter={shlex.quote(package)}"
                            if build_cmd else "")
        else:
            ctx["build"] = run_command(pm, "build", package) if build_cmd else ""
        workdir = f"/app/{ctx['ws_path']}"
        ctx["prune"] = ""
    else:
        ctx["build"] = _command(build_cmd, "build command", app) if build_cmd else ""
        ctx["prune"] = prune_command(pm)
        workdir = "/app"
    start = build.start_command or (shlex.join(app.service.runtime.command)
                                    if app.service.runtime.command else None)
    if start:
        _command(start, "start command", app)
        try:
            cmd = list(exec_argv(shlex.split(start)))  # a secret read by name needs a shell to expand
        except ValueError:
            cmd = ["/bin/sh", "-c", start]
    else:
        cmd = ["npm", "start"] if pm == "npm" else [pm, "run", "start"]
    from hopper.formats.fly.write_schedules import runs_supercronic, supercronic_install  # noqa: PLC0415

    tool = supercronic_install() if runs_supercronic(app) else None
    summary = [f"install with {pm}" + (" and its lockfile" if ctx["locked"] else " (no lockfile)")]
    if ctx["build"]:
        summary.append("build")
    if ctx["prune"]:
        summary.append("keep production dependencies")
    return render("fly/node.Dockerfile.j2", workdir=workdir, cmd=cmd, shim=app.needs_shim,
                  supercronic=tool, summary=", ".join(summary), **ctx)


def render_dockerignore() -> str:
    return render("fly/dockerignore.j2")
