"""The package manager a Node build installs with, and whether that install is reproducible.

Both come from the model (``Build.package_manager``, ``Build.node_install``), which the readers
fill from the checkout: the manager and version of ``packageManager`` or the lockfile. A change
of manager or of its pinned version between the two setups is HD414; a target build whose
install hopper had to assume (no lockfile, so versions resolve at build time; or no
``packageManager``, so the version comes from the lockfile's format) is HD415, naming the
package.json concerned.
"""

from __future__ import annotations

from typing import Any

from hopper.findings.context import Context
from hopper.model import Build, Service


def manager_label(build: Build) -> str | None:
    """``yarn 4.1.0``, ``pnpm 9.x`` (a major only), ``npm``; None for a build without a manager."""
    if build.package_manager is None:
        return None
    node = build.node_install
    if node is not None and node.version:
        return f"{build.package_manager} {node.version}"
    if node is not None and node.major is not None and build.package_manager != "npm":
        return f"{build.package_manager} {node.major}.x"
    return build.package_manager


def check_service(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service) -> None:
    if b.build is None or a.build is None:
        return
    ev: dict[str, Any] = {"evidence_before": (b.build, b), "evidence_after": (a.build, a), "aliases": aliases}
    before, after = manager_label(b.build), manager_label(a.build)
    if before and after and before != after and _changed(b.build, a.build):
        ctx.emit("HD414", name, before=before, after=after, **ev)
    assumed = _assumed(b.build, a.build, ctx.before_platform != ctx.after_platform)
    if assumed is not None:
        ctx.emit("HD415", name, before=None, after=assumed[0], file=assumed[1], what=assumed[2], **ev)


def _changed(b: Build, a: Build) -> bool:
    """The manager differs, or a version the source pinned is not the target's."""
    if b.package_manager != a.package_manager:
        return True
    vb = b.node_install.version if b.node_install else None
    va = a.node_install.version if a.node_install else None
    return vb is not None and vb != va


def _assumed(b: Build, a: Build, moved: bool) -> tuple[str, str, str] | None:
    """(what the target installs with, the file, what hopper assumed) when the target's install
    is one hopper writes (no Dockerfile of the project's) for a build that moved or changed, and
    the checkout does not pin it."""
    if a.runtime != "node" or a.dockerfile or a.dockerfile_inline or a.package_manager is None \
            or (a == b and not moved):
        return None
    node = b.node_install
    if node is None or b.package_manager != a.package_manager:
        return None
    where = node.origin.file if node.origin is not None else "package.json"
    if node.lockfile is None:
        return (f"{a.package_manager} without a lockfile", where,
                "no lockfile, so versions are resolved at each build")
    label = manager_label(a)
    if (node.version is None and a.package_manager in ("pnpm", "bun")) or (
            a.package_manager == "yarn" and (node.major or 1) >= 2
            and not any(".yarn/releases/" in f for f in node.files)):
        return (f"{label} (assumed)", where, f"no packageManager field, so the version ({label}) is hopper's guess")
    return None
