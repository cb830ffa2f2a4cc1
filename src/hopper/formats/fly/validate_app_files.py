"""Cross-checks between one app's config and its other files: the port nginx listens on or the
Dockerfile EXPOSEs against internal_port, build secrets between the Dockerfile and the deploy
workflow, migrations run at build time, and public build-time values of a static front.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from hopper.diagnostics import Diagnostic, Location, Severity, code, error, warning
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.validate_config import services_of

W_EXPOSE_PORT = code("HOP343", Severity.WARNING, "internal_port is not a port the Dockerfile EXPOSEs")
E_NGINX_LISTEN = code("HOP344", Severity.ERROR, "internal_port is not a port the app's nginx listens on")
W_BUILD_SECRETS = code("HOP345", Severity.WARNING, "build secrets differ between the Dockerfile and the deploy workflow")
E_MIGRATION_IN_BUILD = code("HOP382", Severity.ERROR, "a Dockerfile RUN step runs database migrations (no database at build time)")
E_PUBLIC_BUILD_ENV = code("HOP383", Severity.ERROR, "a public build-time variable of a static front is in [env] (the bundle never sees it)")
W_PUBLIC_BUILD_VALUE = code("HOP384", Severity.WARNING, "a public build-time variable is runtime [env] or a build secret instead of a build argument")


def listen_port(app: FlyApp) -> int | None:
    """The port the app's own files say it listens on: nginx ``listen``, else ``[env] PORT``,
    else a single Dockerfile ``EXPOSE``."""
    if app.nginx is not None:
        ports = sorted({p for server in app.nginx.servers for p in server.listen})
        if len(ports) == 1:
            return ports[0]
    port = (app.config.data.get("env") or {}).get("PORT")
    if isinstance(port, str) and port.strip().isdigit():
        return int(port)
    if app.dockerfile is not None and app.dockerfile.stages:
        exposed = app.dockerfile.final.expose_ports
        if len(exposed) == 1:
            return exposed[0]
    return None


def check_app_files(app: FlyApp) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    cfg = app.config
    http_port = cfg.get("http_service", "internal_port")
    ports = [(path, svc.get("internal_port")) for path, svc in services_of(cfg)]
    internal_ports = {p for _, p in ports if isinstance(p, int)}
    if app.nginx is not None and internal_ports:
        listening = {p for server in app.nginx.servers for p in server.listen}
        if listening and http_port is not None and http_port not in listening:
            out.append(error(E_NGINX_LISTEN, f"http_service.internal_port is {http_port} but nginx "
                             f"({app.nginx.files[0] if app.nginx.files else 'nginx.conf'}) listens on "
                             f"{', '.join(map(str, sorted(listening)))}: Fly Proxy will get no answer",
                             cfg.location("http_service", "internal_port"),
                             hint=f"set internal_port = {min(listening)} or change nginx's listen"))
    elif app.dockerfile is not None and app.dockerfile.stages and http_port is not None:
        exposed = app.dockerfile.final.expose_ports
        env_port = (cfg.data.get("env") or {}).get("PORT")
        if exposed and http_port not in exposed and env_port is None:
            out.append(warning(W_EXPOSE_PORT, f"http_service.internal_port is {http_port} but "
                               f"{app.dockerfile.file} EXPOSEs {', '.join(map(str, exposed))}",
                               cfg.location("http_service", "internal_port"),
                               hint="make the app listen on internal_port (or set [env] PORT)"))
    out.extend(_migrations_in_build(app))
    out.extend(_public_build_values(app))
    if app.dockerfile is not None:
        needed = set(app.dockerfile.secret_ids)
        builds = [d for d in app.deploys if not d.image]
        if builds:
            passed = {s for d in builds for s in d.build_secrets}
            for name in sorted(needed - passed):
                out.append(warning(W_BUILD_SECRETS, f"{app.dockerfile.file} mounts build secret "
                                   f"'{name}' but the deploy workflow passes no --build-secret {name}",
                                   builds[0].location, hint=f"add --build-secret {name}=${{{{ secrets.{name} }}}}"))
            for name in sorted(passed - needed):
                out.append(warning(W_BUILD_SECRETS, f"the deploy workflow passes --build-secret "
                                   f"{name} but {app.dockerfile.file} never mounts it",
                                   builds[0].location,
                                   hint=f"use RUN --mount=type=secret,id={name} or drop the flag"))
    return out


def _public_build_values(app: FlyApp) -> list[Diagnostic]:
    """``VITE_*``, ``NEXT_PUBLIC_*``... are inlined into the built files: they must be build
    arguments. In ``[env]`` of a static front (nginx serves prebuilt files) the value never
    reaches the bundle; elsewhere it reaches only the server; as a build secret it protects
    nothing, since the value ends up in every browser."""
    from hopper.formats.fly.write_buildvars import is_public_build_name  # noqa: PLC0415

    out: list[Diagnostic] = []
    cfg = app.config
    static = app.nginx is not None
    for name in sorted(cfg.data.get("env") or {}):
        if not is_public_build_name(name):
            continue
        hint = (f"move it to [build.args] (or pass --build-arg {name}=...) and declare ARG {name} "
                "in the build stage")
        if static:
            out.append(error(E_PUBLIC_BUILD_ENV, f"[env] {name}: the front's files are built before "
                             "the Machine starts, so this value never reaches the bundle", cfg.location("env", name),
                             hint=hint))
        else:
            out.append(warning(W_PUBLIC_BUILD_VALUE, f"[env] {name}: a bundler inlines it when the app is "
                               "built; at runtime it reaches only the server", cfg.location("env", name), hint=hint))
    for step in app.deploys:
        for name in step.build_secrets:
            if is_public_build_name(name):
                out.append(warning(W_PUBLIC_BUILD_VALUE, f"--build-secret {name}: the value is inlined into "
                                   "the public bundle, so a build secret protects nothing", step.location,
                                   hint=f"pass it as --build-arg {name}=... from a CI variable"))
    return out


def _migrations_in_build(app: FlyApp) -> list[Diagnostic]:
    """A RUN step that migrates: the image build has no database (and no secrets), and a
    migration belongs in ``[deploy] release_command``, which runs once per deploy."""
    from hopper.migrations import split_command  # noqa: PLC0415

    out: list[Diagnostic] = []
    docker = app.dockerfile
    if docker is None:
        return out
    lines = _dockerfile_lines(app)
    release = app.config.get("deploy", "release_command")
    for stage in docker.stages:
        for run in stage.runs:
            found = split_command(run)
            if found.migrate is None:
                continue
            line = next((n for n, text in lines if found.migrate.split(" && ")[0] in text
                         and text.lstrip().upper().startswith("RUN")), None)
            where = Location(file=docker.file, line=line) if line else stage.location
            out.append(error(E_MIGRATION_IN_BUILD, f"{docker.file} runs the migration "
                             f"'{found.migrate}' while the image is built, where no database is "
                             "reachable", where,
                             hint=f"remove it from the Dockerfile and set [deploy] release_command = "
                             f"'{found.migrate}'" if not release else "remove it from the Dockerfile: "
                             f"[deploy] release_command ('{release}') runs at each deploy"))
    return out


def _dockerfile_lines(app: FlyApp) -> list[tuple[int, str]]:
    root = app.config_path.parent
    for _ in PurePosixPath(app.folder).parts if app.folder != "." else ():
        root = root.parent
    try:
        text = (root / app.dockerfile.file).read_text(encoding="utf-8") if app.dockerfile else ""
    except (OSError, UnicodeDecodeError):
        return []
    return list(enumerate(text.splitlines(), start=1))
