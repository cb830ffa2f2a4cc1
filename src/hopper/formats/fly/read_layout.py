"""Finding the pieces of a Fly setup on disk: app configs, their Dockerfiles, the nginx config a
Dockerfile copies in, the GitHub workflows that run ``flyctl deploy``, and ``fly-setup.sh``.

Shared by the reader and ``hopper validate``. Everything stays inside the project root; every
file goes through the size limits. Parsing of Dockerfiles and nginx is delegated to
:mod:`hopper.shared.dockerfile` and :mod:`hopper.shared.nginx`; this module only decides *which* files.
The workflows are read by :mod:`read_workflows`, fly-setup.sh by :mod:`read_setup_script`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_OUTSIDE_ROOT,
    E_TOO_MANY_FILES,
    Diagnostic,
    HopperError,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    error,
    warning,
)
from hopper.formats.fly.config_names import is_config_name, variant_of
from hopper.formats.fly.read_paths import inside, rel
from hopper.formats.fly.read_setup_script import SetupScript, read_setup_script
from hopper.formats.fly.read_variants import choose
from hopper.formats.fly.read_workflows import (
    DeployStep,
    config_read_inside_directory,
    find_deploy_steps,
    misread_error,
)

if TYPE_CHECKING:
    from hopper.shared.dockerfile import Dockerfile
    from hopper.shared.nginx.config import NginxConfig

W_DEPLOY_CONFIG_MISSING = code("HOP371", Severity.WARNING, "a workflow deploys a fly.toml that does not exist")

# Folders never searched for apps: dependencies, VCS data, build output.
_SKIP_DIRS = frozenset({"node_modules", ".git", ".venv", "venv", "__pycache__", "dist", "build",
                        "vendor", "target", ".next", ".turbo"})
_SEARCH_DEPTH = 3  # root, and three levels of subfolders (apps/web/fly.toml, fly/backend/fly.toml)
NGINX_DIRS = ("/etc/nginx/",)


# ----------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Layout:
    root: Path
    configs: tuple[Path, ...]  # fly configs, sorted by relative path
    workflows: tuple[DeployStep, ...] = ()
    setup: SetupScript | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    # The environment variant of each config read that has one (``fly.staging.toml`` -> staging).
    variants: dict[str, str] = field(default_factory=dict)


def find_layout(path: Path, limits: Limits, variant: str | None = None) -> Layout:
    """The configs under ``path`` (a folder, or one config file) plus workflows and setup script.

    A folder contributes ``fly.toml`` (or ``fly.json``/``fly.yaml``) and named configs
    (``fly.staging.toml``, ``fly.api.toml``) at its root and in subfolders down to three levels,
    plus any config a workflow deploys with ``--config``; of the environment variants of one
    app, one is read (:mod:`read_variants`, ``variant`` names it).
    """
    if not path.exists():
        raise HopperError(error(E_FILE_NOT_FOUND, "no such file or folder", Location(file=str(path))))
    if path.is_file():
        root = path.parent
        steps, diags = find_deploy_steps(root, limits)
        named = variant_of(path.name)
        return Layout(root=root, configs=(path,), workflows=steps,
                      setup=read_setup_script(root, limits), diagnostics=diags,
                      variants={path.name: named} if named else {})
    root = path
    found: dict[str, Path] = {}
    for candidate in _walk_configs(root, limits):
        found[rel(candidate, root)] = candidate
    steps, diags = find_deploy_steps(root, limits)
    diagnostics = list(diags)
    for step in steps:
        if step.config is None:
            continue
        target = root / step.config
        if not inside(target, root):
            continue
        if target.is_file():
            found.setdefault(rel(target, root), target)
        elif (misread := config_read_inside_directory(step.directory, step.config_written, root)):
            diagnostics.append(misread_error(misread, step.location))
        else:
            diagnostics.append(warning(W_DEPLOY_CONFIG_MISSING,
                                       f"the workflow deploys '{step.config}', which does not exist",
                                       step.location))
    choice = choose(found, root, limits, variant)
    diagnostics.extend(choice.diagnostics)
    return Layout(root=root, configs=choice.configs, workflows=steps, setup=read_setup_script(root, limits),
                  diagnostics=tuple(diagnostics), variants=choice.variants)


def _walk_configs(root: Path, limits: Limits) -> Iterator[Path]:
    seen = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limits.max_files * 10:
                raise LimitError(error(E_TOO_MANY_FILES, "too many files to search for fly.toml",
                                       Location(file=rel(root, root) or ".")))
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth < _SEARCH_DEPTH and entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                    stack.append((entry, depth + 1))
            elif is_config_name(entry.name):
                yield entry


# ----------------------------------------------------------------------------- Dockerfile and nginx


def dockerfile_for(config_dir: Path, build: dict[str, Any], root: Path,
                   context: Path | None) -> Path | None:
    """The Dockerfile flyctl would build for this app, when it is a local file.

    ``[build] dockerfile`` is relative to the fly.toml folder; without it flyctl uses
    ``Dockerfile`` in the working directory (the build context).
    """
    if (build.get("image") or build.get("builder") or build.get("builtin")) and not build.get("dockerfile"):
        return None
    written = build.get("dockerfile")
    if isinstance(written, str) and written:
        if written.startswith(("http://", "https://")):
            return None
        candidate = config_dir / config_relative(written)
        return candidate if inside(candidate, root) else None
    for folder in (config_dir, context):
        if folder is None:
            continue
        for name in ("Dockerfile", "Containerfile"):
            candidate = folder / name
            if candidate.is_file() and inside(candidate, root):
                return candidate
    return None


def config_relative(written: str) -> str:
    """``[build] dockerfile`` as flyctl resolves it: joined to the config's folder with Go's
    ``filepath.Join``, so a leading ``/`` (``/other/Dockerfile``) is still inside that folder."""
    return written.lstrip("/") or "."


def nginx_copies(docker: Dockerfile) -> list[tuple[str, str, Location]]:
    """``(source, destination, location)`` for every COPY/ADD of the final stage (or a stage it
    copies from the build context) that lands under /etc/nginx."""
    out: list[tuple[str, str, Location]] = []
    stage = docker.final
    for copy in stage.copies:
        if copy.from_stage is not None:
            continue
        dest = copy.destination
        if not dest.startswith(NGINX_DIRS):
            continue
        for source in copy.sources:
            out.append((source, dest, copy.location))
    return out


def nginx_config_for(docker: Dockerfile, contexts: list[Path], root: Path,
                     limits: Limits) -> tuple[NginxConfig | None, list[Diagnostic]]:
    """The nginx configuration a Dockerfile copies into /etc/nginx, parsed, or None."""
    from hopper.shared.nginx.read import parse_nginx  # noqa: PLC0415

    copies = nginx_copies(docker)
    if not copies:
        return None, []
    mounts: dict[str, Path] = {}
    top: Path | None = None
    for source, dest, where in copies:
        escaping = _escaping(source, contexts, root)
        if escaping is not None:
            return None, [error(E_OUTSIDE_ROOT, f"COPY source '{source}' resolves outside the project "
                                "root", where, hint="hopper reads only files inside the project folder")]
        local = _first_existing(source, contexts, root)
        if local is None:
            continue
        target = dest
        if local.is_file() and dest.endswith("/"):
            target = dest + PurePosixPath(source).name
        mounts[target.rstrip("/")] = local
        if local.is_file() and (top is None or target.endswith("/nginx.conf")):
            top = local
        elif local.is_dir() and top is None:
            confs = sorted(p for p in local.glob("*.conf") if p.is_file())
            if target.rstrip("/").endswith("/nginx") and (local / "nginx.conf").is_file():
                top = local / "nginx.conf"
            elif confs:
                top = confs[0]
    if top is None:
        return None, []
    try:
        config = parse_nginx(top, root, limits, mounts=mounts)
    except HopperError as exc:
        return None, list(exc.diagnostics)
    return config, list(config.diagnostics)


def _escaping(source: str, contexts: list[Path], root: Path) -> Path | None:
    """The first candidate for ``source`` that exists (or is a link) but resolves outside the
    root: a planted symlink or a ``..`` path, refused rather than skipped."""
    clean = source.lstrip("/")
    if any(ch in clean for ch in "*?[") or "$" in clean:
        return None
    for context in contexts:
        candidate = context / clean
        if candidate.exists() or candidate.is_symlink():
            return None if inside(candidate, root) else candidate
    return None


def _first_existing(source: str, contexts: list[Path], root: Path) -> Path | None:
    clean = source.lstrip("/")
    if any(ch in clean for ch in "*?[") or "$" in clean:
        return None
    for context in contexts:
        candidate = context / clean
        if candidate.exists() and inside(candidate, root):
            return candidate
    return None




# ----------------------------------------------------------------------------- private hostnames

_INTERNAL = re.compile(
    r"^(?:(?:top\d+\.nearest\.of|global|[a-z]{3})\.|[0-9a-f]+\.vm\.|[a-z0-9_-]+\.process\.)?"
    r"(?P<app>[a-z0-9][a-z0-9-]*)\.internal\.?$")
_FLYCAST = re.compile(r"^(?P<app>[a-z0-9][a-z0-9-]*)\.flycast\.?$")


def fly_host_app(host: str) -> tuple[str, str] | None:
    """``(app, "flycast"|"internal")`` for a Fly private hostname, else None.

    Understands ``<app>.flycast``, ``<app>.internal``, ``top<N>.nearest.of.<app>.internal``,
    ``global.<app>.internal``, ``<region>.<app>.internal``, ``<id>.vm.<app>.internal`` and
    ``<group>.process.<app>.internal``.
    """
    lower = host.lower()
    match = _FLYCAST.match(lower)
    if match:
        return match.group("app"), "flycast"
    match = _INTERNAL.match(lower)
    if match:
        return match.group("app"), "internal"
    return None
