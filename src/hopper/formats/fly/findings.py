"""Plan findings about Fly.io itself: the differ runs :func:`check` when either side of a diff
is a Fly setup (``Platform.findings_module``); their rows are :data:`SPECS`.

* HD404: a service reached by its ``.internal`` name that stops when idle: ``.internal``
  traffic bypasses Fly's proxy, so nothing starts a stopped Machine (flyio.md §7.1, §7.2).
* HD408: forced HTTPS on a service reached through Flycast, which is HTTP only: the private
  requests get a redirect (flyio.md §1.7, §7.1). It replaces the generic HD406 for the service.
* HD416: a service the source built from its own Dockerfile that the Fly set builds from one
  hopper wrote (issue 14, class 12): the set carries ``<folder>/Dockerfile.fly`` beside the
  source's Dockerfile, which the source setup keeps using until the cut-over, and only the build
  settings hopper read (package manager, commands, output folder) carry over into it. The Fly
  reader reads a generated Dockerfile back as build settings with no Dockerfile named
  (``read_generated``), so a Fly build without a Dockerfile that is not a buildpack build is
  hopper's.
* HD419: a Redis service that becomes a managed Upstash Redis (``read_upstash``).

The codes predate the per-format ranges, so they keep their numbers.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from hopper.model import Build

if TYPE_CHECKING:
    from hopper.findings.context import Context

# (code, slug, category, severity, change, title, why, action, example): rows of the findings
# table (hopper.findings.table), documented in docs/findings.md.
SPECS: tuple[tuple[object, ...], ...] = (
    ("HD404", "internal-with-autostop", "networking", "breaking", "change",
     ".internal address to a service that stops when idle",
     "{source} reaches {target} by its .internal name, but {target} stops when idle and .internal "
     "traffic never starts a stopped Machine: requests fail until something else wakes it.",
     "Reach {target} through Flycast (http://{target}.flycast) so the proxy starts it, or turn its "
     "autostop off.",
     ("api", "always on", ".internal + autostop stop")),
    ("HD408", "https-on-flycast", "networking", "breaking", "change",
     "HTTPS forced on a Flycast service",
     "Flycast is HTTP only; with force_https the private requests are answered with a redirect and "
     "never reach the app.",
     "Set force_https = false on services reached through Flycast.",
     ("api", "flycast", "flycast + force_https")),
    ("HD416", "dockerfile-generated", "build-deploy", "warning", "change",
     "built from a Dockerfile hopper wrote, not yours",
     "The target builds {after}, which hopper wrote from the build settings it read; what {before} "
     "does beyond them (system packages, extra files, users, other stages) is not in it. {before} "
     "stays as it is, so the source setup keeps building it until the cut-over.",
     "Compare the two Dockerfiles before the cut-over and carry what is missing into the generated "
     "one, or point [build] dockerfile at yours.",
     ("front", "front/Dockerfile", "front/Dockerfile.fly")),
    ("HD419", "redis-to-upstash", "networking", "warning", "change",
     "Redis becomes Upstash Redis",
     "The source ran Redis itself; the target uses Upstash Redis, a managed database Fly.io "
     "creates (flyctl redis create) outside the app: it has its own password and address, and the "
     "source's settings (command options, volume) and data do not move.",
     "Set the apps' Redis URL to the one flyctl redis create prints; copy the keys that must "
     "survive, or let the cache refill.",
     ("cache", "redis:7 (service)", "Upstash Redis shop-cache")),
)
# Where the findings about a whole component point (the others: hopper.findings.points).
FILE_LEVEL: dict[str, str] = {
    "HD404": "the route that proxies to the service",
    "HD419": "the Redis service's section",
}


def check(ctx: Context) -> None:
    if ctx.after_platform != "fly":
        return
    _private_names(ctx)
    _generated_dockerfiles(ctx)
    _upstash(ctx)


def _private_names(ctx: Context) -> None:
    from hopper.findings.networking import private_network, route_sources  # noqa: PLC0415
    from hopper.findings.scaling import stops_when_idle  # noqa: PLC0415

    targets_a = route_sources(ctx.after)
    for pair, b, a in ctx.paired_services():
        mode_b = private_network(b, ctx.before_platform)
        mode_a = private_network(a, ctx.after_platform)
        ev: dict[str, Any] = {"evidence_before": b, "evidence_after": a, "aliases": pair.aliases}
        autostop_b = mode_b == "internal" and stops_when_idle(b.scaling)
        if mode_a == "internal" and stops_when_idle(a.scaling) and not autostop_b:
            for source in sorted(set(targets_a.get(a.name, []))):
                ctx.emit("HD404", pair.name, before=mode_b or "(not stated)",
                         after=f".internal + autostop {a.scaling.autostop.value}"
                         if a.scaling.autostop else ".internal",
                         source=source, target=a.name, **ev)
        https_b, https_a = bool(b.force_https), bool(a.force_https)
        if mode_a == "flycast" and https_a and not (mode_b == "flycast" and https_b):
            # Says more than the generic "HTTPS now forced" about the same change.
            ctx.withdraw("HD406", pair.name)
            ctx.emit("HD408", pair.name, before=mode_b or "(not stated)",
                     after="flycast + force_https", **ev)


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
                 evidence_before=b, evidence_after=a, aliases=pair.aliases)
