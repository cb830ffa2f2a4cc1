"""The install-and-build stage of a Dockerfile for a Node.js build, from the model alone.

Shared by the writers that emit such a stage for a project hopper builds itself (an nginx
front's generated Dockerfile, an inline Dockerfile for a Node.js service without one). For a
package of a JavaScript monorepo the stage runs at the workspace root, which is then the build context: the install
reads the root package.json (its ``workspaces`` and ``packageManager``), the root lockfile, the
manager's own files (pnpm-workspace.yaml, .npmrc...) and the package.json of every workspace
package, so those are copied first (``NodeInstall``, read from the checkout at read time); it
installs for the one package (``--filter <pkg>...`` with pnpm, ``--workspace`` with npm; Yarn
installs the whole workspace, see :mod:`hopper.shared.packagemanager`), then copies the sources
and builds in the package's folder. Outside a monorepo the project folder is the context.

Paths go into JSON-form COPY instructions; a path or command that cannot be written into a
Dockerfile (a line break, ``..``, an absolute path) makes :func:`node_stage` return None, and
the caller says what it did instead.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from hopper.model import Build, Workspace
from hopper.shared.packagemanager import MANAGERS, install_command, setup

_PATH = re.compile(r"^[A-Za-z0-9._@+/-]+$")


@dataclass(frozen=True, slots=True)
class NodeStage:
    """What the stage does, in order; paths of ``copies`` are relative to ``context``."""

    context: str  # the build context, relative to the project root: the workspace root or the project
    manager: str
    setup: tuple[str, ...]  # RUN steps that make the manager available (corepack)
    # COPY sources..., destination: what the install reads; empty when the checkout was not read
    # (the whole context is copied before the install)
    copies: tuple[tuple[str, ...], ...]
    install: str
    package_dir: str | None  # the package's folder under the context (a monorepo package), or None
    build: str | None  # the build command, run in the package's folder

    def lines(self, *, workdir: str = "/app") -> list[str]:
        """The stage's instructions after its FROM line."""
        import json  # noqa: PLC0415

        out = [f"RUN {' && '.join(self.setup)}"] if self.setup else []
        out.append(f"WORKDIR {workdir}")
        if self.copies:
            # What the install reads first, so that its layer is rebuilt only when they change.
            out += [f"COPY {json.dumps(list(c))}" for c in self.copies]
            out += [f"RUN {self.install}", "COPY . ."]
        else:
            out += ["COPY . .", f"RUN {self.install}"]
        if self.package_dir is not None:
            out.append(f"WORKDIR {posixpath.join(workdir, self.package_dir)}")
        if self.build:
            out.append(f"RUN {self.build}")
        return out


def workspace_of(build: Build) -> Workspace | None:
    """The monorepo package ``build`` is, as the reader or the checkout says."""
    if build.workspace is not None:
        return build.workspace
    return build.context_files.workspace if build.context_files is not None else None


def node_stage(build: Build, node_major: int | None) -> NodeStage | None:
    """The stage that installs and builds ``build`` (None when a path or command of it cannot
    be written into a Dockerfile)."""
    manager = build.package_manager if build.package_manager in MANAGERS else "npm"
    node = build.node_install
    ws = workspace_of(build)
    commands = [c for c in (build.install_command, build.build_command) if c]
    if any("\n" in c or "\r" in c or c.rstrip().endswith("\\") for c in commands):
        return None
    tools = setup(manager, node, node_major).steps
    if ws is None:
        context = _clean(build.context or ".")
        if context is None:
            return None
        wanted = [*([node.lockfile] if node and node.lockfile else []), *(node.files if node else ())]
        copies = _copies(context, wanted) if node is not None else ()
        if copies is None:
            return None
        install = build.install_command or install_command(manager, node)
        return NodeStage(context=context, manager=manager, setup=tools, copies=copies,
                         install=install, package_dir=None, build=build.build_command)
    root = _clean(ws.root or ".")
    package_dir = _clean(ws.path)
    if root is None or package_dir is None or not re.fullmatch(r"[A-Za-z0-9@._/-]+", ws.package):
        return None
    copies = _copies(root, [*([node.lockfile] if node.lockfile else []), *node.files, *node.manifests]) \
        if node is not None and node.manifests else ()
    if copies is None:
        return None
    # The package's own install command as the source wrote it ran in its folder; at the root it
    # installs for the package only.
    install = install_command(manager, node, ws.package)
    return NodeStage(context=root, manager=manager, setup=tools, copies=copies, install=install,
                     package_dir=package_dir if package_dir != "." else None, build=build.build_command)


def _clean(path: str) -> str | None:
    clean = posixpath.normpath(path.removeprefix("./")) if path else "."
    if clean.startswith("..") or clean.startswith("/") or not _PATH.match(clean):
        return None
    return clean


def _copies(context: str, wanted: list[str]) -> tuple[tuple[str, ...], ...] | None:
    """COPY instructions putting package.json and ``wanted`` (paths from the project root; a
    folder ends in "/") where the install finds them, relative to ``context``. Files outside
    the context cannot be copied and are left out."""
    here: list[str] = ["package.json"]
    elsewhere: dict[str, list[str]] = {}
    for raw in wanted:
        folder = raw.endswith("/")
        path = _clean(raw.rstrip("/"))
        if path is None:
            return None
        rel = path if context == "." else posixpath.relpath(path, context)
        if rel.startswith("..") or rel in here:
            continue
        if folder:
            elsewhere.setdefault(f"./{rel}/", []).append(f"{rel}/")
        elif "/" not in rel:
            here.append(rel)
        else:
            elsewhere.setdefault(f"./{posixpath.dirname(rel)}/", []).append(rel)
    return ((*here, "./"), *((*sources, dest) for dest, sources in elsewhere.items()))
