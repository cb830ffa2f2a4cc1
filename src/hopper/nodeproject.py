"""What a Node.js project folder says about how to build and run it.

``read_node_project`` reads ``package.json`` (name, scripts, ``engines.node``, ``packageManager``,
workspaces), finds the lockfile that names the package manager, and, for a package inside a
monorepo, the workspace root that builds it (model :class:`~hopper.model.Workspace`). Generic:
the compose and Clever readers and the Fly writer use it alike.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_LARGE,
    Diagnostic,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    fail,
)
from hopper.model import Workspace

E_PACKAGE_JSON = code("HOP221", Severity.ERROR, "a package.json is not valid JSON or not an object")
E_PNPM_WORKSPACE = code("HOP222", Severity.ERROR, "a pnpm-workspace.yaml cannot be read")

# Lockfile → package manager, in the order package managers themselves look.
LOCKFILES: tuple[tuple[str, str], ...] = (
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeProject:
    path: str  # the folder, relative to the root ("." or "api")
    name: str | None = None
    version: str | None = None
    scripts: Mapping[str, str] = field(default_factory=dict)
    main: str | None = None
    engines_node: str | None = None  # as written: ">=20", "20.x"
    package_manager: str | None = None  # "npm", "pnpm", "yarn", "bun"
    package_manager_version: str | None = None  # from the packageManager field
    lockfile: str | None = None  # relative to the root
    dependencies: tuple[str, ...] = ()  # names of dependencies and devDependencies
    workspaces: tuple[str, ...] = ()  # the globs of a workspace root
    workspace: Workspace | None = None  # set when this package is part of a monorepo
    turbo: bool = False  # turbo.json at the workspace root (or here)
    location: Location

    @property
    def node_major(self) -> str | None:
        return node_major(self.engines_node)

    @property
    def build_script(self) -> str | None:
        return self.scripts.get("build")

    @property
    def start_script(self) -> str | None:
        return self.scripts.get("start")

    def install_command(self) -> str:
        return install_command(self.package_manager or "npm", self.lockfile is not None)

    def run_command(self, script: str) -> str:
        return run_command(self.package_manager or "npm", script)


def node_major(spec: str | None) -> str | None:
    """The major version a range asks for: ``>=20`` → 20, ``20.x`` → 20, ``^18.17`` → 18,
    ``18 || 20`` → 20 (the newest). None when no number is given."""
    if not spec:
        return None
    majors = [int(m) for m in re.findall(r"(?<![\d.])(\d+)(?:\.[\dxX*]+)*", spec)]
    if not majors:
        return None
    if "||" in spec:
        return str(max(majors))
    return str(majors[0])


def install_command(manager: str, locked: bool) -> str:
    if manager == "pnpm":
        return "pnpm install --frozen-lockfile" if locked else "pnpm install"
    if manager == "yarn":
        return "yarn install --frozen-lockfile" if locked else "yarn install"
    if manager == "bun":
        return "bun install --frozen-lockfile" if locked else "bun install"
    return "npm ci" if locked else "npm install"


def run_command(manager: str, script: str) -> str:
    if manager == "npm":
        return "npm start" if script == "start" else f"npm run {script}"
    if manager == "yarn":
        return f"yarn {script}"
    return f"{manager} run {script}"


def read_node_project(folder: Path, root: Path, limits: Limits = DEFAULT_LIMITS) -> NodeProject | None:
    """The Node project in ``folder``, or None when it has no package.json."""
    root = root.resolve()
    folder = folder.resolve()
    if not folder.is_relative_to(root):
        raise fail(E_OUTSIDE_ROOT, f"folder '{folder.name}' is outside the project root",
                   Location(file=folder.name))
    package_file = folder / "package.json"
    if not package_file.is_file():
        return None
    rel = _rel(folder, root)
    data = _read_json(package_file, root, limits)
    scripts = {k: v for k, v in _dict(data.get("scripts")).items() if isinstance(v, str)}
    engines = _dict(data.get("engines"))
    manager, manager_version = _package_manager_field(data.get("packageManager"))
    deps = sorted({*_dict(data.get("dependencies")), *_dict(data.get("devDependencies"))})
    globs = _workspace_globs(data, folder, root, limits)
    ws_root = _find_workspace_root(folder, root, limits) if not globs else None
    lock_dir = folder
    lockfile = _lockfile(folder)
    if lockfile is None and ws_root is not None:
        lockfile = _lockfile(ws_root[0])
        lock_dir = ws_root[0]
    if manager is None and lockfile is not None:
        manager = dict(LOCKFILES)[lockfile]
    if manager is None and ws_root is not None:
        manager, manager_version = ws_root[2]
    workspace = None
    turbo = (folder / "turbo.json").is_file()
    if ws_root is not None:
        turbo = (ws_root[0] / "turbo.json").is_file()
        workspace = Workspace(
            root=_rel(ws_root[0], root),
            package=str(data.get("name") or PurePosixPath(rel).name),
            path=folder.relative_to(ws_root[0]).as_posix(),
            tool="turbo" if turbo else None,
        )
    return NodeProject(
        path=rel,
        name=data.get("name") if isinstance(data.get("name"), str) else None,
        version=data.get("version") if isinstance(data.get("version"), str) else None,
        scripts=scripts,
        main=data.get("main") if isinstance(data.get("main"), str) else None,
        engines_node=engines.get("node") if isinstance(engines.get("node"), str) else None,
        package_manager=manager,
        package_manager_version=manager_version,
        lockfile=_rel(lock_dir / lockfile, root) if lockfile else None,
        dependencies=tuple(deps),
        workspaces=tuple(globs),
        workspace=workspace,
        turbo=turbo,
        location=Location(file=_rel(package_file, root)),
    )


def _rel(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return rel or "."


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_text(path: Path, root: Path, limits: Limits) -> str:
    rel = _rel(path, root)
    raw = path.read_bytes()
    if len(raw) > limits.max_file_bytes:
        raise LimitError(Diagnostic(code=E_TOO_LARGE, severity=Severity.ERROR,
                                    message=f"{path.name} is over the size limit", location=Location(file=rel)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(E_NOT_UTF8, f"{path.name} is not valid UTF-8",
                   Location(file=rel, line=raw[: exc.start].count(b"\n") + 1)) from None


def _read_json(path: Path, root: Path, limits: Limits) -> dict[str, Any]:
    rel = _rel(path, root)
    text = _read_text(path, root, limits)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(E_PACKAGE_JSON, f"package.json is not valid JSON: {exc.msg}",
                   Location(file=rel, line=exc.lineno, col=exc.colno)) from None
    except RecursionError:
        raise fail(E_PACKAGE_JSON, "package.json is nested too deeply", Location(file=rel)) from None
    if not isinstance(data, dict):
        raise fail(E_PACKAGE_JSON, "package.json must hold a JSON object", Location(file=rel, line=1))
    return data


def _package_manager_field(value: Any) -> tuple[str | None, str | None]:
    """``"pnpm@9.1.0+sha512..."`` → ("pnpm", "9.1.0")."""
    if not isinstance(value, str) or "@" not in value:
        return None, None
    name, _, version = value.partition("@")
    if name not in ("npm", "pnpm", "yarn", "bun"):
        return None, None
    return name, version.split("+", 1)[0] or None


def _lockfile(folder: Path) -> str | None:
    for name, _ in LOCKFILES:
        if (folder / name).is_file():
            return name
    return None


def _workspace_globs(data: dict[str, Any], folder: Path, root: Path, limits: Limits) -> list[str]:
    """The workspace package globs a folder declares (package.json or pnpm-workspace.yaml)."""
    raw = data.get("workspaces")
    if isinstance(raw, dict):
        raw = raw.get("packages")
    globs = [g for g in raw if isinstance(g, str)] if isinstance(raw, list) else []
    pnpm = folder / "pnpm-workspace.yaml"
    if pnpm.is_file():
        globs.extend(_pnpm_globs(pnpm, root, limits))
    return globs


def _pnpm_globs(path: Path, root: Path, limits: Limits) -> list[str]:
    import yaml  # heavy: only for pnpm monorepos

    text = _read_text(path, root, limits)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise fail(E_PNPM_WORKSPACE, "pnpm-workspace.yaml is not valid YAML",
                   Location(file=_rel(path, root), line=mark.line + 1 if mark else None)) from None
    packages = data.get("packages") if isinstance(data, dict) else None
    return [g for g in packages if isinstance(g, str)] if isinstance(packages, list) else []


def _matches(rel: str, pattern: str) -> bool:
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    if pattern.startswith("!"):
        return False
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    # "packages/**" matches any depth below packages/.
    return pattern.endswith("/**") and rel.startswith(pattern[:-3] + "/")


def _find_workspace_root(folder: Path, root: Path,
                         limits: Limits) -> tuple[Path, list[str], tuple[str | None, str | None]] | None:
    """The nearest folder above ``folder`` (inside ``root``) whose workspaces include it."""
    current = folder
    while current != root and current.parent.is_relative_to(root):
        current = current.parent
        package_file = current / "package.json"
        data = _read_json(package_file, root, limits) if package_file.is_file() else {}
        globs = _workspace_globs(data, current, root, limits)
        if not globs:
            continue
        rel = folder.relative_to(current).as_posix()
        excluded = any(g.startswith("!") and _matches(rel, g[1:]) for g in globs)
        if not excluded and any(_matches(rel, g) for g in globs):
            return current, globs, _package_manager_field(data.get("packageManager"))
    return None
