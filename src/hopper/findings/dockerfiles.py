"""A service the source built from its own Dockerfile that the target builds from one hopper
wrote (issue 14, class 12): the Fly set carries ``<folder>/Dockerfile.fly`` beside the source's
Dockerfile, which the source setup keeps using until the cut-over, and only the build settings
hopper read (package manager, commands, output folder) carry over into it.

The Fly reader reads a generated Dockerfile back as build settings with no Dockerfile named
(``hopper.formats.fly.read_generated``), so a Fly build without a Dockerfile that is not a
buildpack build is hopper's.
"""

from __future__ import annotations

import posixpath

from hopper.findings.build_deploy import dockerfile_builds
from hopper.findings.context import Context
from hopper.model import Build


def check(ctx: Context) -> None:
    if ctx.after_platform != "fly":
        return
    for pair, b, a in ctx.paired_services():
        own = _own_dockerfile(b.build, ctx.before_platform)
        if own is None or a.build is None or not _generated_on_fly(a.build):
            continue
        ctx.emit("HD416", pair.name, before=own, after=_generated_name(a.build),
                 evidence_before=(b.build, b), evidence_after=(a.build, a), aliases=pair.aliases)


def _own_dockerfile(build: Build | None, platform: str) -> str | None:
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
