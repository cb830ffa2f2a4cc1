"""Plan findings about Fly.io itself: the differ runs :func:`check` when either side of a diff
is a Fly setup (``Platform.findings_module``). The rows of these codes stay in the findings
table (hopper.findings.table), where they were declared before formats declared their own.

* HD416: a service the source built from its own Dockerfile that the Fly set builds from one
  hopper wrote (issue 14, class 12): the set carries ``<folder>/Dockerfile.fly`` beside the
  source's Dockerfile, which the source setup keeps using until the cut-over, and only the build
  settings hopper read (package manager, commands, output folder) carry over into it. The Fly
  reader reads a generated Dockerfile back as build settings with no Dockerfile named
  (``read_generated``), so a Fly build without a Dockerfile that is not a buildpack build is
  hopper's.
* HD419: a Redis service that becomes a managed Upstash Redis (``read_upstash``).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from hopper.model import Build

if TYPE_CHECKING:
    from hopper.findings.context import Context

SPECS: tuple[tuple[object, ...], ...] = ()  # HD416 and HD419 are rows of the findings table
FILE_LEVEL: dict[str, str] = {}  # they are listed in hopper.findings.points


def check(ctx: Context) -> None:
    if ctx.after_platform != "fly":
        return
    _generated_dockerfiles(ctx)
    _upstash(ctx)


def _generated_dockerfiles(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        own = _own_dockerfile(b.build, ctx.before_platform)
        if own is None or a.build is None or not _generated_on_fly(a.build):
            continue
        ctx.emit("HD416", pair.name, before=own, after=_generated_name(a.build),
                 evidence_before=(b.build, b), evidence_after=(a.build, a), aliases=pair.aliases)


def _own_dockerfile(build: Build | None, platform: str) -> str | None:
    from hopper.findings.build_deploy import dockerfile_builds  # noqa: PLC0415

    if build is None or build.dockerfile_inline:
        return None
    if build.dockerfile:
        return posixpath.normpath(build.dockerfile.removeprefix("./"))
    if dockerfile_builds(platform):
        return posixpath.normpath(posixpath.join(build.context or ".", "Dockerfile"))
    return None


def _generated_on_fly(build: Build) -> bool:
    return build.dockerfile is None and not build.dockerfile_inline and build.runtime != "buildpacks"


def _generated_name(build: Build) -> str:
    from hopper.formats.fly.setfiles import DOCKERFILE  # noqa: PLC0415

    config = build.origin.file if build.origin is not None else None
    if config and posixpath.basename(config).endswith(".toml"):
        return posixpath.join(posixpath.dirname(config), DOCKERFILE)
    return DOCKERFILE


def _upstash(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        fly = a.extensions.get("fly")
        upstash = fly.get("upstash") if isinstance(fly, dict) else None
        before_fly = b.extensions.get("fly")
        if not upstash or (isinstance(before_fly, dict) and before_fly.get("upstash")):
            continue
        ctx.emit("HD419", pair.name, before=f"{b.image or b.name} (service)", after=f"Upstash Redis {upstash}",
                 evidence_before=b, evidence_after=a, aliases=pair.aliases, platform=ctx.after_platform)
