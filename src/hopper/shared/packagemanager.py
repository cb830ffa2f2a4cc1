"""The commands a Node.js build runs with the project's own package manager.

Pure functions of the model (``Build.package_manager`` and :class:`~hopper.model.NodeInstall`,
read from the checkout by :mod:`hopper.shared.nodeproject`), shared by the writers that emit install
and build steps. What each choice rests on:

* npm: ``npm ci`` needs a lockfile; without one only ``npm install`` works, and the versions
  are resolved at build time.
* Yarn 1 (classic): ``yarn install --frozen-lockfile``. Yarn 2 and later ("berry", a yarn.lock
  with ``__metadata:``): ``yarn install --immutable``. A monorepo package is not installed with
  ``yarn workspaces focus``: focus does not check the lockfile even with
  ``YARN_ENABLE_IMMUTABLE_INSTALLS=true`` (measured with Yarn 4.5.0), so the whole workspace is
  installed, which does.
* pnpm: ``pnpm install --frozen-lockfile``, ``--filter <pkg>...`` for a monorepo package.
* bun: ``bun install --frozen-lockfile``; bun is installed from npm (the ``bun`` package).
* pnpm and Yarn run through corepack. With package.json's ``packageManager`` field corepack
  runs exactly that version, so ``corepack enable`` is all it takes once package.json is copied.
  Without it, corepack runs its own default release; hopper then pins the major the lockfile's
  format implies (``corepack install -g pnpm@9``), except for a Yarn 2+ checkout that carries its
  release (``.yarnrc.yml`` ``yarnPath``), which every yarn honours.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from hopper.model import NodeInstall

MANAGERS: tuple[str, ...] = ("npm", "pnpm", "yarn", "bun")
LOCKFILE_NAMES: dict[str, tuple[str, ...]] = {
    "pnpm": ("pnpm-lock.yaml",), "yarn": ("yarn.lock",), "bun": ("bun.lock", "bun.lockb"),
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
}
# The Yarn major hopper assumes for a Yarn 2+ lockfile whose format it does not know.
YARN_BERRY_DEFAULT = 4


def berry(manager: str, install: NodeInstall | None) -> bool:
    """Yarn 2 or later (``yarn install --immutable``, ``.yarnrc.yml``)."""
    return manager == "yarn" and install is not None and (install.major or 1) >= 2


def locked(install: NodeInstall | None) -> bool:
    return install is not None and install.lockfile is not None


def install_command(manager: str, install: NodeInstall | None, package: str | None = None) -> str:
    """The install command; ``package`` is the monorepo package to install for, if any."""
    frozen = locked(install)
    pkg = shlex.quote(package) if package else None
    if manager == "pnpm":
        base = "pnpm install --frozen-lockfile" if frozen else "pnpm install"
        return f"{base} --filter {shlex.quote(package + '...')}" if package else base
    if manager == "yarn":
        if berry(manager, install):
            return "yarn install --immutable" if frozen else "yarn install"
        return "yarn install --frozen-lockfile" if frozen else "yarn install"
    if manager == "bun":
        return "bun install --frozen-lockfile" if frozen else "bun install"
    if pkg:
        return (f"npm ci --workspace {pkg} --include-workspace-root" if frozen
                else f"npm install --workspace {pkg} --include-workspace-root")
    return "npm ci" if frozen else "npm install"


def run_command(manager: str, script: str, package: str | None = None) -> str:
    """``npm run build``, ``yarn build``, ``pnpm run build``; for a monorepo package, the
    manager's way of running the script of that package."""
    if package:
        pkg = shlex.quote(package)
        return {"pnpm": f"pnpm --filter {pkg} run {script}", "yarn": f"yarn workspace {pkg} run {script}",
                "bun": f"bun run --filter {pkg} {script}"}.get(manager, f"npm run {script} --workspace {pkg}")
    if manager == "npm":
        return "npm start" if script == "start" else f"npm run {script}"
    if manager == "yarn":
        return f"yarn {script}"
    return f"{manager} run {script}"


def prune_command(manager: str) -> str:
    """Drop development dependencies after the build ("" when the manager has no such step)."""
    return {"npm": "npm prune --omit=dev", "pnpm": "pnpm prune --prod"}.get(manager, "")


@dataclass(frozen=True, slots=True)
class Setup:
    """What a Dockerfile runs before installing, and the truthful comment about it."""

    steps: tuple[str, ...]  # RUN commands, in order
    note: str  # one sentence: which manager and version, and why


def setup(manager: str, install: NodeInstall | None, node_major: int | None,
          corepack_until: int | None = None) -> Setup:
    """The steps that make ``manager`` (at the checkout's version) available in a Node image.
    ``corepack_until`` is the newest Node major whose images bundle corepack."""
    version = install.version if install else None
    if manager == "npm":
        if version:
            return Setup((f"npm install -g {shlex.quote('npm@' + version)}",),
                         f"npm {version}, the version package.json's packageManager names")
        return Setup((), "the npm the Node image comes with")
    if manager == "bun":
        spec = version or "1"
        return Setup((f"npm install -g {shlex.quote('bun@' + spec)}",),
                     f"bun {version} from npm, the version package.json's packageManager names" if version
                     else "bun 1 from npm (no packageManager field names a version)")
    steps: list[str] = []
    if corepack_until is not None and node_major is not None and node_major > corepack_until:
        steps.append("npm install -g corepack")
    steps.append("corepack enable")
    name = "Yarn" if manager == "yarn" else manager
    if version:
        steps.append(f"corepack install -g {shlex.quote(manager + '@' + version)}")
        return Setup(tuple(steps), f"corepack runs {name} {version}, the version package.json's "
                     "packageManager names")
    if berry(manager, install) and install is not None and any(
            f.startswith(".yarn/releases/") or "/.yarn/releases/" in f for f in install.files):
        return Setup(tuple(steps), "corepack's yarn runs the release .yarnrc.yml's yarnPath names")
    major = install.major if install else None
    if major is not None and (manager == "pnpm" or berry(manager, install)):
        steps.append(f"corepack install -g {manager}@{major}")
        return Setup(tuple(steps), f"corepack runs the newest {name} {major}, the major the lockfile's format "
                     "implies (no packageManager field names a version)")
    return Setup(tuple(steps), f"corepack runs its own default {name} (no packageManager field names a version)")


def install_note(manager: str, install: NodeInstall | None) -> str:
    """What the install step checks, said truthfully."""
    if install is None or install.lockfile is None:
        return "no lockfile, so versions are resolved at build time (two builds may differ)"
    return f"exactly what {install.lockfile.rsplit('/', 1)[-1]} lists (the build fails if it is stale)"
