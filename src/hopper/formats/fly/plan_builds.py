"""How each app's image is built: from hopper's generated Dockerfile (a front, a Node
app), from the source's own Dockerfile, or from an image; with which Node version, package manager
and build-time inputs; and which paths redeploy it (the workflow's path filter).

Everything comes from the model: what the checkout holds at a build context was recorded when the
setup was loaded (``Build.context_files``), so the writer never reads the source tree.
"""

from __future__ import annotations

import posixpath
import shlex

from hopper.checkout import WORKSPACE_ROOT_FILES
from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly import names
from hopper.formats.fly.plan_types import App
from hopper.formats.fly.setfiles import DOCKERFILE, NGINX_CONF
from hopper.formats.fly.write_buildvars import is_public_build_name
from hopper.model import VolumeKind

W_FRONT_FILES = code("HOP532", Severity.WARNING, "the front keeps its own image; its nginx.conf is replaced at boot")
I_BUILD_VAR = code("HOP535", Severity.INFO, "a variable the front's code reads while it is built becomes a build argument or build secret")
W_BUILD_UNWRITTEN = code("HOP541", Severity.WARNING, "a build or command setting has no place in the Fly output")


def _build_time_vars(app: App, diags: Diagnostics) -> None:
    """Names the service's code reads while it is built (Vite's ``import.meta.env.VITE_*``...).

    A bundler inlines them into the static files, so they must exist at build time: a name that
    looks secret becomes a build secret (mounted for the build step only), any other a build
    argument fed from a CI variable of the same name. Both sides use the same name.
    """
    from hopper.envscan.classify import build_time_vars  # noqa: PLC0415

    build = app.service.build
    assert build is not None
    given = set(build.args) | set(app.build_secrets)
    secrets = set(app.build_secrets)
    plain: set[str] = set()
    for var in build_time_vars(app.service):
        if var.name in given:
            continue
        name = names.check_gh_secret(var.name, build.origin)
        where = f"{var.read.file}:{var.read.line}"
        if var.secret and not is_public_build_name(name):
            secrets.add(name)
            diags.info(I_BUILD_VAR, f"service '{app.service.name}' reads {name} at {where} while it is "
                       f"built; it becomes a build secret fed from the GitHub secret {name}", build.origin)
        else:
            plain.add(name)
            diags.info(I_BUILD_VAR, f"service '{app.service.name}' reads {name} at {where} while it is "
                       f"built; it becomes a build argument fed from the GitHub variable {name}",
                       build.origin)
    app.build_secrets = tuple(sorted(secrets))
    app.build_vars = tuple(sorted(plain))


def choose_build(app: App, diags: Diagnostics) -> None:
    _build_inner(app, diags)


def report_unwritten_build(app: App, diags: Diagnostics) -> None:
    """The build and runtime fields the chosen build mode has no place for, each named."""
    svc, build = app.service, app.service.build
    lost: list[str] = []
    if build is not None and app.build_mode in ("front", "node"):
        if build.dockerfile_inline:
            lost.append("its inline Dockerfile (hopper generates one)")
        unwritten = sorted(k for k in build.args if k not in app.build_args)
        if unwritten:
            lost.append(f"build args {', '.join(repr(k) for k in unwritten)}")
        if build.target:
            lost.append(f"build target '{build.target}'")
        if build.install_command and not _same_install(app, build.install_command):
            lost.append(f"install_command '{build.install_command}' (the generated Dockerfile installs "
                        "with the package manager)")
    if svc.runtime.user and app.build_mode in ("front", "node"):
        lost.append(f"user '{svc.runtime.user}' (the generated Dockerfile runs as 'node' or nginx's user)")
    check = svc.runtime.health_check
    if check is not None and app.health is not None and check.port not in (None, app.port):
        lost.append(f"health check port {check.port} (Fly checks the internal_port)")
    if check is not None and app.health is not None and check.retries is not None:
        lost.append(f"health check retries {check.retries} (a Fly check has none)")
    if svc.runtime.command and not app.processes and (
            app.build_mode != "node" or (build is not None and build.start_command)):
        lost.append(f"command '{shlex.join(svc.runtime.command)}' (the image's own CMD runs)")
    if lost:
        diags.warning(W_BUILD_UNWRITTEN, f"service '{svc.name}': {'; '.join(lost)} not written to Fly",
                      (build.origin if build else None) or svc.origin)


def _same_install(app: App, command: str) -> bool:
    """The source's install command is what the generated Dockerfile runs anyway (``npm ci``
    with a lockfile): nothing is lost, so nothing is reported."""
    from hopper.formats.fly.write_dockerfiles import generated_install  # noqa: PLC0415

    written = generated_install(app)
    return written is not None and command.split() == written.split()


def _build_inner(app: App, diags: Diagnostics) -> None:
    svc = app.service
    build = svc.build
    # What the checkout holds at the build context, observed at load time (hopper.checkout).
    found = build.context_files if build is not None else None
    node = found is not None and found.package_json
    if build is not None:
        app.build_secrets = tuple(sorted({names.check_gh_secret(n, build.origin) for n in build.secrets}))
        from hopper.formats.fly.versions import node_major  # noqa: PLC0415

        app.node_version = node_major(build.runtime_version, found.node_engines if found else None)
        # What installing needs comes from the model alone (read at read time), so that the
        # generated Dockerfile is the same with or without the source tree.
        app.package_manager = build.package_manager or "npm"
        app.node_install = build.node_install
        app.lockfile = build.node_install.lockfile if build.node_install else None
        # The reader may not have recorded the workspace (a front read from its nginx image);
        # the package.json next to the build context says it as well.
        app.workspace = build.workspace or (found.workspace if found else None)
        _build_time_vars(app, diags)
    if app.kind == "front":
        static_bind = next((v for v in svc.volumes if v.kind is VolumeKind.BIND and svc.static_site
                            and v.target.rstrip("/") == svc.static_site.root.rstrip("/") and v.source), None)
        if build is not None and (app.workspace or build.package_manager or build.build_command):
            app.build_mode = "front"
        elif static_bind is not None and static_bind.source is not None:
            app.build_mode = "front"
            app.static_copy = posixpath.normpath(static_bind.source.removeprefix("./"))
        elif build is not None and (build.dockerfile or build.context):
            app.build_mode = "front-files"
            app.files = (("/etc/nginx/nginx.conf", NGINX_CONF),)
            app.context = build.context or "."
            app.dockerfile = posixpath.relpath(build.dockerfile or posixpath.join(app.context, "Dockerfile"),
                                               app.folder)
            diags.warning(W_FRONT_FILES, f"front '{svc.name}' is built by its own Dockerfile, which hopper "
                          f"cannot change; the generated {NGINX_CONF} replaces /etc/nginx/nginx.conf at boot "
                          "through [[files]]", svc.origin,
                          hint="check that the image is nginx-based and serves the static root "
                          f"{svc.static_site.root if svc.static_site else '/usr/share/nginx/html'}")
        else:
            app.build_mode = "front-files"
            app.files = (("/etc/nginx/nginx.conf", NGINX_CONF),)
            diags.warning(W_FRONT_FILES, f"front '{svc.name}' runs the image '{svc.image}'; the generated "
                          f"{NGINX_CONF} replaces /etc/nginx/nginx.conf at boot through [[files]]", svc.origin)
        if app.build_mode == "front":
            app.dockerfile = DOCKERFILE
        return
    if build is None:
        app.build_mode = "image"
        return
    dockerfile = build.dockerfile
    if dockerfile is None and found is not None and build.context is not None \
            and found.dockerfile and not (build.package_manager or node):
        dockerfile = posixpath.join(build.context, "Dockerfile")
    if dockerfile is not None:
        app.build_mode = "source"
        app.context = build.context or "."
        app.dockerfile = posixpath.relpath(dockerfile, app.folder)
    else:
        app.build_mode = "node"
        app.dockerfile = DOCKERFILE


def deploy_paths(app: App) -> tuple[str, ...]:
    """The paths whose change redeploys the app (the workflow's path filter)."""
    build = app.service.build
    found = build.context_files if build is not None else None
    paths = {f"{app.folder}/**", f".github/workflows/fly-deploy-{app.folder}.yml"}
    if app.static_copy:
        paths.add(f"{app.static_copy}/**")
    if build is not None and app.workspace is not None:
        ws = app.workspace
        base = "" if ws.root in (".", "") else ws.root.rstrip("/") + "/"
        paths.add(f"{base}{ws.path}/**")
        # The workspace root's manifests that exist (seen at load time); without a checkout (a
        # model built in code), every one of them.
        paths.update(found.workspace_files if found is not None else
                     (f"{base}{manifest}" for manifest in WORKSPACE_ROOT_FILES))
    elif build is not None and build.context not in (None, ".", ""):
        paths.add(f"{posixpath.normpath(build.context)}/**")
    elif build is not None:
        return ()  # built from the whole repository: every change redeploys
    return tuple(sorted(paths))
