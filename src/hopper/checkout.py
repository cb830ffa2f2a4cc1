"""What writers need from the source tree, observed once when a setup is loaded.

Writers are pure functions of the model (ARCHITECTURE.md): ``hopper.write(model, target)`` and
``hopper convert`` give the same files. So what a writer would otherwise look up in the
checkout is observed here, the same way for every source format, and recorded in the model:

* per build: whether its context has a Dockerfile or a package.json, that package.json's Node
  engine and monorepo workspace, and which root manifests of the workspace exist
  (:class:`~hopper.model.ContextFiles` in ``Build.context_files``);
* per service built from source: where its code picks the address it listens on
  (``Service.listen_addresses``);
* for the whole setup: the files at the top of the repository, so that a writer can say which
  of its files replace or sit beside the repository's own (``Architecture.checkout``).

:func:`hopper.api.load` calls :func:`observe` after any reader, so no reader has to. A model
built in code has none of it (``None``): writers then assume nothing about a checkout.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hopper.diagnostics import DEFAULT_LIMITS, InputError, Limits
from hopper.model import (
    Architecture,
    Build,
    Checkout,
    ContextFiles,
    ListenAddress,
    Service,
    Workspace,
)

if TYPE_CHECKING:
    from hopper.shared.nodeproject import NodeProject

# The files at a JavaScript workspace's root whose change touches every package of it (a deploy
# workflow's path filter names them).
WORKSPACE_ROOT_FILES = ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "yarn.lock",
                        "package-lock.json", "turbo.json")

# Where a deploy workflow lives, listed although it is below a hidden folder.
_WORKFLOWS = ".github/workflows"


def observe(arch: Architecture, root: Path, limits: Limits = DEFAULT_LIMITS) -> Architecture:
    """``arch`` with what the checkout at ``root`` holds for its writers."""
    binds: dict[tuple[str, ...], tuple[ListenAddress, ...]] = {}
    services = tuple(_service(svc, root, limits, binds) for svc in arch.services)
    return replace(arch, services=services, checkout=Checkout(files=top_files(root, limits.max_files)))


def _service(svc: Service, root: Path, limits: Limits,
             binds: dict[tuple[str, ...], tuple[ListenAddress, ...]]) -> Service:
    if svc.build is None:
        return svc
    from hopper.envscan import service_scan_paths  # noqa: PLC0415

    paths = service_scan_paths(svc)
    if paths and paths not in binds:
        binds[paths] = _listen_addresses(root, paths)
    return replace(svc, build=replace(svc.build, context_files=context_files(svc.build, root, limits)),
                   listen_addresses=binds.get(paths, ()))


def context_files(build: Build, root: Path, limits: Limits = DEFAULT_LIMITS) -> ContextFiles:
    """What the checkout holds at ``build``'s context."""
    node = _node_project(build.context, root, limits)
    dockerfile = build.context is not None and _is_file(root / build.context / "Dockerfile")
    workspace = build.workspace or (node.workspace if node is not None else None)
    return ContextFiles(dockerfile=dockerfile, package_json=node is not None,
                        node_engines=node.engines_node if node is not None else None,
                        workspace=node.workspace if node is not None else None,
                        workspace_files=_workspace_files(workspace, root))


def _node_project(context: str | None, root: Path, limits: Limits) -> NodeProject | None:
    from hopper.shared.nodeproject import read_node_project  # noqa: PLC0415

    # No package.json, no Node project: said before read_node_project resolves the paths, which
    # is most of the cost for the many contexts that are not Node projects.
    if context is None or not _is_file(root / context / "package.json"):
        return None
    try:
        return read_node_project(root / context, root, limits)
    except InputError:
        return None  # the reader reports a broken package.json; here it is no Node project


def _workspace_files(workspace: Workspace | None, root: Path) -> tuple[str, ...]:
    if workspace is None:
        return ()
    base = "" if workspace.root in (".", "") else workspace.root.rstrip("/") + "/"
    return tuple(f"{base}{name}" for name in WORKSPACE_ROOT_FILES if _is_file(root / base / name))


def _listen_addresses(root: Path, paths: tuple[str, ...]) -> tuple[ListenAddress, ...]:
    from hopper.envscan.binds import scan_binds  # noqa: PLC0415

    return tuple(ListenAddress(host=b.host, file=b.file, line=b.line, from_env=b.from_env)
                 for b in scan_binds(root, paths))


def top_files(root: Path, limit: int) -> tuple[str, ...]:
    """Files at ``root``, one folder down and in .github/workflows, relative and sorted; at most
    ``limit`` of them. Hidden folders and node_modules are not listed: no writer puts a file
    there (a folder a writer names is a slug of a service name)."""
    found: list[str] = []
    for entry in _entries(root):
        if _entry_is_file(entry):
            found.append(entry.name)
        elif entry.name != "node_modules" and not entry.name.startswith(".") and _entry_is_dir(entry):
            found += [f"{entry.name}/{e.name}" for e in _entries(Path(entry.path)) if _entry_is_file(e)]
    found += [f"{_WORKFLOWS}/{e.name}" for e in _entries(root / _WORKFLOWS) if _entry_is_file(e)]
    return tuple(sorted(found)[:limit])


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _entry_is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
