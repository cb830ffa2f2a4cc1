"""Load every app of a Fly setup with the files around it: its config, the Dockerfile it builds,
the nginx configuration that Dockerfile copies in, and the workflow steps that deploy it.

Errors in one app's files become diagnostics and do not stop the others; the reader decides
whether they are fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hopper.diagnostics import (
    E_OUTSIDE_ROOT,
    Diagnostic,
    HopperError,
    InputError,
    Limits,
    Location,
    Severity,
    code,
    error,
    info,
    warning,
)
from hopper.formats.fly.flytoml import read_fly_config
from hopper.formats.fly.flytoml_config import E_NO_APP, FlyConfig
from hopper.formats.fly.read_layout import Layout, config_relative, dockerfile_for, nginx_config_for
from hopper.formats.fly.read_paths import inside, rel
from hopper.formats.fly.read_workflows import DeployStep
from hopper.shared.nginx.config import E_NGINX_SYNTAX

if TYPE_CHECKING:
    from hopper.shared.dockerfile import Dockerfile
    from hopper.shared.nginx.config import NginxConfig

W_DOCKERFILE_MISSING = code("HOP373", Severity.WARNING, "the Dockerfile named in [build] does not exist")
I_DOCKERFILE_IN_REPOSITORY = code("HOP385", Severity.INFO, "a set hopper wrote refers to the repository's own Dockerfile, which is not in the set")
W_NGINX_UNREADABLE = code("HOP364", Severity.WARNING, "the nginx configuration of a front could not be read: its "
                          "routes and static settings are not carried; the generated front uses a default configuration")
# Appended to every HOP364 message: what the user loses, in the words of compose's HOP188.
NGINX_NOT_CARRIED = ("the routes and static settings of that configuration (location, proxy_pass, root, "
                     "try_files, ...) are not carried; the generated front uses a default configuration")
W_COMPOSE_AS_DOCKERFILE = code("HOP377", Severity.WARNING, "[build] dockerfile names a Compose file")


@dataclass(frozen=True)
class FlyApp:
    config: FlyConfig
    config_path: Path
    folder: str  # the fly.toml folder, relative to the root ("." for the root itself)
    context: str  # the build context flyctl uses, relative to the root
    dockerfile: Dockerfile | None = None
    nginx: NginxConfig | None = None
    deploys: tuple[DeployStep, ...] = ()

    @property
    def name(self) -> str | None:
        """The app name, unless it is a template placeholder (``{{APP_NAME}}``, ``${APP}``)."""
        app = self.config.app
        return None if app is None or placeholder(app) else app

    @property
    def placeholder_name(self) -> str | None:
        app = self.config.app
        return app if app is not None and placeholder(app) else None


_PLACEHOLDER = re.compile(r"\{\{.*\}\}|\$\{?[A-Za-z_]|<[^<>]+>|%[A-Za-z_]+%|__[A-Z][A-Z0-9_]*__")


def placeholder(value: str) -> bool:
    """A value a template or a script fills in before deploying (``{{APP_NAME}}``, ``$APP``,
    ``<your-app>``, ``__APP__``): not the app's name."""
    return bool(_PLACEHOLDER.search(value))


def load_apps(layout: Layout, limits: Limits,
              source: Path | None = None) -> tuple[list[FlyApp], list[Diagnostic], list[HopperError]]:
    """Every app of ``layout`` that could be read, the diagnostics of all, and the errors that
    stopped an app's config from loading."""
    apps: list[FlyApp] = []
    diags: list[Diagnostic] = []
    failures: list[HopperError] = []
    root = layout.root
    for path in layout.configs:
        shown = rel(path, root)
        try:
            config = read_fly_config(path, shown, limits)
        except HopperError as exc:
            failures.append(exc)
            continue
        if not config.data:
            # An empty (or comments-only) config describes no app at all.
            failures.append(InputError(error(E_NO_APP, "missing 'app': the config is empty",
                                             Location(file=shown))))
            continue
        diags.extend(config.diagnostics)
        config_dir = path.parent
        folder = rel(config_dir, root) or "."
        steps = tuple(s for s in layout.workflows if s.config == shown
                      or (s.app is not None and s.app == config.app and s.config is None))
        context_dir = config_dir
        for step in steps:
            if step.directory is not None and inside(root / step.directory, root):
                context_dir = root / step.directory
                break
        else:
            if steps and steps[0].config is not None and steps[0].directory is None:
                # `flyctl deploy -c app/fly.toml` from the repository root builds the root.
                context_dir = root
        build = config.get("build") or {}
        outside = _dockerfile_outside(config, config_dir, build, root, context_dir)
        if outside is not None:
            failures.append(InputError(outside))
            continue
        docker_path = dockerfile_for(config_dir, build, root, context_dir)
        dockerfile = None
        nginx = None
        if docker_path is not None and build.get("dockerfile") and docker_path.is_file() \
                and compose_named(docker_path, limits):
            docker_path, compose_context, note = _dockerfile_of_compose(docker_path, root, limits)
            context_dir = compose_context or context_dir
            diags.append(warning(W_COMPOSE_AS_DOCKERFILE, f"[build] dockerfile '{build['dockerfile']}' is a "
                                 f"Compose file, not a Dockerfile; {note}", config.location("build", "dockerfile"),
                                 hint="name the Dockerfile in [build] dockerfile, or the Compose file in "
                                 "[build.compose] file (Fly runs its services in one Machine)"))
        read_root = root
        if docker_path is not None and not docker_path.is_file() and source is not None \
                and inside(docker_path, root) and (source / rel(docker_path, root)).is_file() \
                and inside(source / rel(docker_path, root), source):
            # The set is laid out as the repository's root: the Dockerfile it refers to is the
            # repository's own (validate --source).
            docker_path, read_root = source / rel(docker_path, root), source
        if docker_path is not None and not docker_path.is_file():
            if build.get("dockerfile") and source is None and layout.setup is not None \
                    and layout.setup.project is not None:
                diags.append(info(I_DOCKERFILE_IN_REPOSITORY,
                                  f"[build] dockerfile '{build['dockerfile']}' is not in this set: hopper "
                                  "refers to your repository's own Dockerfile, which the set does not "
                                  "copy", config.location("build", "dockerfile"),
                                  hint="check it with --source <your repository>"))
            elif build.get("dockerfile"):
                diags.append(warning(W_DOCKERFILE_MISSING,
                                     f"[build] dockerfile '{build['dockerfile']}' does not exist",
                                     config.location("build", "dockerfile")))
            docker_path = None
        if docker_path is not None:
            from hopper.shared.dockerfile import read_dockerfile  # noqa: PLC0415

            try:
                dockerfile = read_dockerfile(docker_path, read_root, limits,
                                             build_args=build.get("args") or None)
                diags.extend(dockerfile.diagnostics)
            except HopperError as exc:
                diags.extend(exc.diagnostics)
        if dockerfile is not None and dockerfile.stages:
            contexts = [context_dir, docker_path.parent if docker_path else config_dir, config_dir, root]
            unique = list(dict.fromkeys(contexts))
            nginx, nginx_diags = nginx_config_for(dockerfile, unique, root, limits)
            diags.extend(nginx_diags)
        if nginx is None:
            nginx, nginx_diags = _nginx_from_files(config, config_dir, root, limits)
            diags.extend(nginx_diags)
        apps.append(FlyApp(config=config, config_path=path, folder=folder,
                           context=rel(context_dir, root) or ".", dockerfile=dockerfile,
                           nginx=nginx, deploys=steps))
    return apps, [_templated_nginx(d, root) for d in diags], failures


_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[._-][^/]*)?\.ya?ml$", re.IGNORECASE)


# What a template engine or a start script fills in: {CACHE_SIZE}, {{ port }}, ${PORT}, @PORT@.
_TEMPLATE = re.compile(r"\{\{[^{}]+\}\}|\{[A-Z][A-Z0-9_]*\}|\$\{[A-Za-z_][A-Za-z0-9_]*\}|@[A-Z][A-Z0-9_]*@")


def _templated_nginx(diag: Diagnostic, root: Path) -> Diagnostic:
    """A syntax error in an nginx file that is a template (filled in when the container starts)
    is a warning: the app is read without its routes. A plain syntax error stays fatal, as the
    image would not start either."""
    if diag.code != E_NGINX_SYNTAX or diag.location is None or not diag.location.file:
        return diag
    path = root / diag.location.file
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return diag
    line = diag.location.line
    lines = text.splitlines()
    near = "\n".join(lines[max(0, line - 2): line + 1]) if line else text
    found = _TEMPLATE.search(near)
    if found is None:
        return diag
    return Diagnostic(code=W_NGINX_UNREADABLE, severity=Severity.WARNING,
                      message=f"skipped: {diag.location.file} is a template ({found.group(0)} is filled in "
                      f"when the container starts) and does not parse as it is: {diag.message}; "
                      f"{NGINX_NOT_CARRIED}", location=diag.location,
                      hint="convert a copy with the placeholders filled in to carry the routes")


def compose_named(path: Path, limits: Limits) -> bool:
    """A Compose file by its name, or a YAML file whose top level has ``services``."""
    if _COMPOSE_NAME.match(path.name):
        return True
    if path.suffix.lower() not in (".yml", ".yaml"):
        return False
    data = _compose_data(path, limits)
    return isinstance(data, dict) and isinstance(data.get("services"), dict)


def _compose_data(path: Path, limits: Limits) -> object:
    from hopper._yaml import decode_bytes, load_yaml  # noqa: PLC0415

    try:
        if path.stat().st_size > limits.max_file_bytes:
            return None
        data, _ = load_yaml(decode_bytes(path.read_bytes(), path.name), path.name, limits)
    except (HopperError, OSError):
        return None
    return data


def _dockerfile_of_compose(compose: Path, root: Path, limits: Limits) -> tuple[Path | None, Path | None, str]:
    """The Dockerfile of the one service of ``compose`` that builds (flyctl's Compose support
    builds at most one), and what hopper did, for the warning."""
    data = _compose_data(compose, limits)
    services = data.get("services") if isinstance(data, dict) else None
    built = [(name, svc["build"]) for name, svc in sorted((services or {}).items())
             if isinstance(svc, dict) and svc.get("build")] if isinstance(services, dict) else []
    if len(built) != 1:
        return None, None, (f"{len(built)} of its services build an image, so hopper reads no Dockerfile"
                      if built else "none of its services builds an image, so hopper reads no Dockerfile")
    name, spec = built[0]
    context = spec if isinstance(spec, str) else (spec.get("context") or "." if isinstance(spec, dict) else ".")
    named = spec.get("dockerfile") if isinstance(spec, dict) else None
    folder = compose.parent / str(context)
    candidate = folder / str(named or "Dockerfile")
    if "://" not in str(context) and candidate.is_file() and inside(candidate, root) and inside(folder, root):
        return candidate, folder, (f"hopper reads the Dockerfile its service '{name}' builds "
                                   f"({rel(candidate, root)})")
    return None, None, f"the Dockerfile its service '{name}' builds is not in the project, so hopper reads none"


def _nginx_from_files(config: FlyConfig, config_dir: Path, root: Path,
                      limits: Limits) -> tuple[NginxConfig | None, list[Diagnostic]]:
    """The nginx configuration a ``[[files]]`` entry places at /etc/nginx/nginx.conf when the
    Machine boots (hopper does this for a front that keeps its own image)."""
    from hopper.shared.nginx.read import parse_nginx  # noqa: PLC0415

    for entry in config.data.get("files") or []:
        local = entry.get("local_path")
        if entry.get("guest_path") != "/etc/nginx/nginx.conf" or not isinstance(local, str):
            continue
        candidate = config_dir / local
        if not candidate.is_file() or not inside(candidate, root):
            continue
        try:
            parsed = parse_nginx(candidate, root, limits)
        except HopperError as exc:
            return None, list(exc.diagnostics)
        return parsed, list(parsed.diagnostics)
    return None, []


def _dockerfile_outside(config: FlyConfig, config_dir: Path, build: dict[str, object], root: Path,
                        context: Path) -> Diagnostic | None:
    """An error when the Dockerfile this app builds resolves outside the project root (a
    ``[build] dockerfile`` that climbs out, an absolute one, or a planted symlink); the file is
    never read and the error names the reference, not the target."""
    if (build.get("image") or build.get("builder") or build.get("builtin")) and not build.get("dockerfile"):
        return None
    written = build.get("dockerfile")
    if isinstance(written, str) and written:
        if written.startswith(("http://", "https://")):
            return None
        if not inside(config_dir / config_relative(written), root):
            return error(E_OUTSIDE_ROOT, f"[build] dockerfile '{written}' resolves outside the project root",
                         config.location("build", "dockerfile"),
                         hint="hopper reads only files inside the project folder")
        return None
    for folder in dict.fromkeys((config_dir, context)):
        for name in ("Dockerfile", "Containerfile"):
            candidate = folder / name
            if (candidate.is_symlink() or candidate.exists()) and not inside(candidate, root):
                return error(E_OUTSIDE_ROOT, f"{rel(candidate.parent, root) + '/' if rel(candidate.parent, root) not in ('', '.') else ''}{name} "
                             "is a link that resolves outside the project root",
                             Location(file=config.path),
                             hint="hopper reads only files inside the project folder")
    return None


def app_location(app: FlyApp) -> Location:
    return app.config.location("app")
