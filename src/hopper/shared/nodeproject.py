"""What a Node.js project folder says about how to build and run it.

``read_node_project`` reads ``package.json`` (name, scripts, ``engines.node``, ``packageManager``,
workspaces), finds the lockfile that names the package manager, and, for a package inside a
monorepo, the workspace root that builds it (model :class:`~hopper.model.Workspace`). Generic:
the compose and Clever readers use it alike.

What installing needs goes into the model as :class:`~hopper.model.NodeInstall` (read here, at
read time, so that writers stay pure functions of the model): the manager's version
(``packageManager``, as corepack reads it), its major when only the lockfile's format tells it
(a yarn.lock with ``__metadata:`` is Yarn 2+), the lockfile, the files the install reads
(.npmrc, .yarnrc.yml, .yarn/releases/...) and, in a monorepo, every package's package.json.
What hopper had to assume is said as a warning (:attr:`NodeProject.notes`).
"""

from __future__ import annotations

import fnmatch
import json
import os
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
    warning,
)
from hopper.model import NodeInstall, Workspace
from hopper.shared.packagemanager import YARN_BERRY_DEFAULT, install_command, run_command

E_PACKAGE_JSON = code("HOP221", Severity.ERROR, "a package.json is not valid JSON or not an object")
E_PNPM_WORKSPACE = code("HOP222", Severity.ERROR, "a pnpm-workspace.yaml cannot be read")
W_NO_LOCKFILE = code("HOP193", Severity.WARNING, "a Node.js project without a lockfile (its install is not reproducible)")
W_MANAGER_CONFLICT = code("HOP194", Severity.WARNING, "package.json's packageManager and the lockfiles name different package managers")
W_MANAGER_UNPINNED = code("HOP195", Severity.WARNING, "no packageManager field pins the version of pnpm, Yarn 2+ or bun")

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
    install: NodeInstall | None = None  # what installing needs (see the module docstring)
    notes: tuple[Diagnostic, ...] = ()  # what hopper assumed about the install, as warnings
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
        return install_command(self.package_manager or "npm", self.install)

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
    if ws_root is not None and not _lockfiles(folder):
        lock_dir = ws_root[0]
    declared = manager
    if manager is None and ws_root is not None:
        manager, manager_version = ws_root[2]
        declared = manager
    found = _lockfiles(lock_dir)
    notes: list[Diagnostic] = []
    where = Location(file=_rel(package_file, root))
    if manager is None and found:
        manager = dict(LOCKFILES)[found[0]]
    lockfile = next((name for name in found if dict(LOCKFILES)[name] == manager), None)
    others = sorted({dict(LOCKFILES)[name] for name in found} - {manager})
    if others:
        why = (f"packageManager names {declared}" if declared else
               f"{lockfile} comes first in the order the package managers look")
        notes.append(warning(W_MANAGER_CONFLICT, f"{_rel(lock_dir, root)} has lockfiles of "
                             f"{', '.join(sorted({manager or 'npm', *others}))}; hopper installs with "
                             f"{manager} because {why}" + ("" if lockfile else f", and {manager} has no "
                             "lockfile there"), where,
                             hint="delete the lockfiles of the package managers the project does not use"))
    workspace = None
    turbo = (folder / "turbo.json").is_file()
    manifests: tuple[str, ...] = ()
    if ws_root is not None:
        turbo = (ws_root[0] / "turbo.json").is_file()
        workspace = Workspace(
            root=_rel(ws_root[0], root),
            package=str(data.get("name") or PurePosixPath(rel).name),
            path=folder.relative_to(ws_root[0]).as_posix(),
            tool="turbo" if turbo else None,
        )
        manifests = _workspace_manifests(ws_root[0], ws_root[1], root)
    pm = manager or "npm"
    install = NodeInstall(
        version=manager_version,
        major=_major(pm, manager_version, lock_dir / lockfile if lockfile else None, lock_dir),
        lockfile=_rel(lock_dir / lockfile, root) if lockfile else None,
        files=_install_files(pm, lock_dir, folder, root),
        manifests=manifests,
        origin=where,
    )
    notes.extend(_install_notes(pm, install, where))
    return NodeProject(
        path=rel,
        name=data.get("name") if isinstance(data.get("name"), str) else None,
        version=data.get("version") if isinstance(data.get("version"), str) else None,
        scripts=scripts,
        main=data.get("main") if isinstance(data.get("main"), str) else None,
        engines_node=engines.get("node") if isinstance(engines.get("node"), str) else None,
        package_manager=manager,
        package_manager_version=manager_version,
        lockfile=install.lockfile,
        dependencies=tuple(deps),
        workspaces=tuple(globs),
        workspace=workspace,
        turbo=turbo,
        install=install,
        notes=tuple(notes),
        location=where,
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


def _lockfiles(folder: Path) -> list[str]:
    return [name for name, _ in LOCKFILES if (folder / name).is_file()]


_HEAD_BYTES = 8192  # the part of a lockfile where its format version is written


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


_YARN_RELEASE = re.compile(r"^yarn-(\d+)\.\d+\.\d+\S*\.c?js$")


def _major(manager: str, version: str | None, lockfile: Path | None, lock_dir: Path) -> int | None:
    """The manager's major: from packageManager, else what the checkout's files imply."""
    if version and version.split(".", 1)[0].isdigit():
        return int(version.split(".", 1)[0])
    if manager == "yarn":
        releases = lock_dir / ".yarn" / "releases"
        if releases.is_dir():
            for release in sorted(releases.iterdir()):
                match = _YARN_RELEASE.match(release.name)
                if match:
                    return int(match.group(1))
        if lockfile is None:
            return 2 if (lock_dir / ".yarnrc.yml").is_file() else None
        head = _head(lockfile)
        meta = re.search(r"^__metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+version:\s*(\d+)", head, re.MULTILINE)
        if meta:
            # yarn.lock's __metadata.version: 4 from Yarn 2, 5-6 from Yarn 3, 7-8 from Yarn 4.
            number = int(meta.group(1))
            return 4 if number >= 7 else 3 if number >= 5 else 2
        return YARN_BERRY_DEFAULT if re.search(r"^__metadata:", head, re.MULTILINE) else 1
    if manager == "pnpm" and lockfile is not None:
        found = re.search(r"^lockfileVersion:\s*['\"]?(\d+)(?:\.(\d+))?", _head(lockfile), re.MULTILINE)
        if found:
            # pnpm-lock.yaml's lockfileVersion: 5.3 from pnpm 6, 5.4 from 7, 6.0 from 8, 9.0 from 9.
            number, minor = int(found.group(1)), int(found.group(2) or 0)
            return {6: 8, 9: 9}.get(number) or ({3: 6, 4: 7}.get(minor) if number == 5 else None)
    return None


# What the install reads besides package.json and the lockfile, by manager.
_INSTALL_FILES: dict[str, tuple[str, ...]] = {
    "npm": (".npmrc", "patches/"),
    "yarn": (".npmrc", ".yarnrc", ".yarnrc.yml", ".yarn/releases/", ".yarn/plugins/", ".yarn/patches/",
             "patches/"),
    "pnpm": (".npmrc", ".pnpmfile.cjs", "pnpm-workspace.yaml", "patches/"),
    "bun": (".npmrc", "bunfig.toml", "patches/"),
}


def _install_files(manager: str, lock_dir: Path, folder: Path, root: Path) -> tuple[str, ...]:
    found: list[str] = []
    for base in dict.fromkeys((lock_dir, folder)):
        for name in _INSTALL_FILES.get(manager, ()):
            path = base / name.rstrip("/")
            if path.is_dir() if name.endswith("/") else path.is_file():
                found.append(_rel(path, root) + ("/" if name.endswith("/") else ""))
    return tuple(found)


_MAX_MANIFESTS = 64  # more packages than this: the Dockerfile copies the whole workspace
_SKIP_DIRS = frozenset({"node_modules", ".git", "dist", "build"})


def _workspace_manifests(ws_root: Path, globs: list[str], root: Path) -> tuple[str, ...]:
    """The package.json of every package the workspace globs include (empty when over the cap)."""
    found: list[str] = []
    for current, dirs, files in os.walk(ws_root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        here = Path(current)
        if here == ws_root or "package.json" not in files:
            continue
        rel = here.relative_to(ws_root).as_posix()
        excluded = any(g.startswith("!") and _matches(rel, g[1:]) for g in globs)
        if not excluded and any(_matches(rel, g) for g in globs):
            found.append(_rel(here / "package.json", root))
            if len(found) > _MAX_MANIFESTS:
                return ()
        if rel.count("/") >= 4:
            dirs[:] = []
    return tuple(sorted(found))


def _install_notes(manager: str, install: NodeInstall, where: Location) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if install.lockfile is None:
        out.append(warning(W_NO_LOCKFILE, "no lockfile next to this package.json (nor at its workspace "
                           f"root): the install ('{install_command(manager, install)}') resolves versions "
                           "at build time, so two builds may differ", where,
                           hint=f"commit the lockfile {manager} writes"))
    if (install.version is None and manager in ("pnpm", "bun")) or (
            manager == "yarn" and install.version is None and (install.major or 1) >= 2
            and not any(".yarn/releases/" in f for f in install.files)):
        major = install.major
        assumed = (f"{manager} {major} (from the lockfile's format)" if major is not None and manager != "bun"
                   else "bun 1" if manager == "bun" else f"corepack's default {manager}")
        out.append(warning(W_MANAGER_UNPINNED, f"no packageManager field names the {manager} version: "
                           f"hopper assumes {assumed}", where,
                           hint=f"add \"packageManager\": \"{manager}@<version>\" to package.json "
                           f"(`corepack use {manager}@<version>` writes it)"))
    return out


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
