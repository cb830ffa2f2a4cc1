"""Dockerfiles for the apps hopper builds itself (the nginx front, Node services without one).

Paths are relative to the repository root, which is the build context ``flyctl deploy`` is given.
Paths land in JSON-form instructions and package names go through ``shlex.quote``; the user's
build and start commands are refused if they hold a control character (a newline would start a
new Dockerfile instruction).
"""

from __future__ import annotations

import posixpath
import re
import shlex

from hopper.diagnostics import E_INVALID_NAME, fail
from hopper.formats.fly.versions import nginx_tag
from hopper.formats.fly.write_plan import App, Plan
from hopper.secrets import exec_argv
from hopper.templating import render

TURBO_VERSION = "2"
_LOCKFILES = {"pnpm": "pnpm-lock.yaml", "yarn": "yarn.lock", "npm": "package-lock.json",
              "bun": "bun.lock"}
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


def _install(pm: str, locked: bool, frozen_ok: bool = True) -> str:
    if pm == "pnpm":
        return "pnpm install --frozen-lockfile" if locked and frozen_ok else "pnpm install"
    if pm == "yarn":
        return "yarn install --frozen-lockfile" if locked else "yarn install"
    if pm == "bun":
        return "bun install --frozen-lockfile" if locked else "bun install"
    return "npm ci" if locked else "npm install"


def _filtered(pm: str, package: str, script: str) -> str:
    pkg = shlex.quote(package)
    if pm == "pnpm":
        return f"pnpm --filter {pkg} run {script}"
    if pm == "yarn":
        return f"yarn workspace {pkg} run {script}"
    if pm == "bun":
        return f"bun run --filter {pkg} {script}"
    return f"npm run {script} --workspace {pkg}"


def _filtered_install(pm: str, package: str) -> str:
    pkg = shlex.quote(package)
    if pm == "pnpm":
        return f"pnpm install --frozen-lockfile --filter {shlex.quote(package + '...')}"
    if pm == "npm":
        return f"npm ci --workspace {pkg} --include-workspace-root"
    return _install(pm, True)


def generated_install(app: App) -> str | None:
    """The install command the generated Dockerfile of ``app`` runs (None when it installs
    nothing: a front whose files are already built)."""
    if app.build_mode not in ("front", "node") or app.static_copy is not None or app.service.build is None:
        return None
    pm = app.package_manager if app.package_manager in _LOCKFILES else "npm"
    ws = app.workspace
    if ws is not None:
        return _install(pm, True) if ws.tool == "turbo" else _filtered_install(pm, ws.package)
    return _install(pm, app.lockfile is not None)


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
    pm = app.package_manager if app.package_manager in _LOCKFILES else "npm"
    context = _path(build.context or ".", "build context", app)
    ctx: dict[str, object] = {
        "service": app.service.name, "folder": app.folder, "node_version": version, "pm": pm,
        "workspace": ws is not None, "turbo": bool(ws and ws.tool == "turbo"),
        "package": ws.package if ws else "", "turbo_version": TURBO_VERSION,
        "lockfile_name": _LOCKFILES[pm], "context": context, "port": app.port,
        "secret_mounts": _secret_mounts(app),
        "build_args": "".join(f"ARG {name}\n" for name in sorted({*app.build_vars, *app.build_args})),
    }
    if ws is not None:
        if not re.match(r"^[A-Za-z0-9@._/-]+$", ws.package):
            raise fail(E_INVALID_NAME, f"workspace package name {ws.package!r} is not valid", build.origin)
        ctx["ws_path"] = _path(ws.path if ws.root in (".", "") else f"{ws.root}/{ws.path}",
                               "workspace path", app)
    manifests = [f"{context}/package.json" if context != "." else "package.json"]
    if app.lockfile:
        manifests.append(_path(app.lockfile, "lockfile", app))
    ctx["manifests"] = [*manifests, "./"]
    return ctx


def render_front_dockerfile(app: App, plan: Plan) -> str:
    site = app.service.static_site
    site_root = site.root.rstrip("/") if site else "/usr/share/nginx/html"
    if app.static_copy is not None:
        return render("fly/front.Dockerfile.j2", service=app.service.name, folder=app.folder,
                      static_copy=_path(app.static_copy, "static folder", app), site_root=site_root,
                      nginx_tag=nginx_tag(), port=app.port)
    ctx = _common(app, plan)
    build = app.service.build
    assert build is not None
    pm = str(ctx["pm"])
    out_dir = _path(build.output_dir or "dist", "build output folder", app)
    ws_path = str(ctx.get("ws_path", ""))
    if ws_path and out_dir.startswith(ws_path + "/"):
        out_dir = out_dir[len(ws_path) + 1:]  # given from the repository root, not the package
    locked = app.lockfile is not None or bool(ctx["workspace"])
    if ctx["workspace"]:
        package = str(ctx["package"])
        if ctx["turbo"]:
            ctx["install"] = _install(pm, True)
            ctx["build"] = f"npx --yes turbo@{TURBO_VERSION} run build --filter={shlex.quote(package)}"
        else:
            ctx["install"] = _filtered_install(pm, package)
            ctx["build"] = _filtered(pm, package, "build")
        dist = f"/app/{ctx['ws_path']}/{out_dir}"
    else:
        ctx["install"] = _install(pm, locked)
        ctx["build"] = _command(build.build_command or f"{pm} run build", "build command", app)
        dist = f"/app/{out_dir}"
    return render("fly/front.Dockerfile.j2", static_copy=None, site_root=site_root, dist=dist,
                  nginx_tag=nginx_tag(), **ctx)


def render_node_dockerfile(app: App, plan: Plan) -> str:
    ctx = _common(app, plan)
    build = app.service.build
    assert build is not None
    pm = str(ctx["pm"])
    locked = app.lockfile is not None or bool(ctx["workspace"])
    build_cmd = build.build_command
    if ctx["workspace"]:
        package = str(ctx["package"])
        if ctx["turbo"]:
            ctx["install"] = _install(pm, True)
            ctx["build"] = (f"npx --yes turbo@{TURBO_VERSION} run build --filter={shlex.quote(package)}"
                            if build_cmd else "")
        else:
            ctx["install"] = _filtered_install(pm, package)
            ctx["build"] = _filtered(pm, package, "build") if build_cmd else ""
        workdir = f"/app/{ctx['ws_path']}"
        ctx["prune"] = ""
    else:
        ctx["install"] = _install(pm, locked)
        ctx["build"] = _command(build_cmd, "build command", app) if build_cmd else ""
        ctx["prune"] = {"npm": "npm prune --omit=dev", "pnpm": "pnpm prune --prod"}.get(pm, "")
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
    return render("fly/node.Dockerfile.j2", workdir=workdir, cmd=cmd, shim=app.needs_shim,
                  supercronic=tool, **ctx)


def render_dockerignore() -> str:
    return render("fly/dockerignore.j2")
