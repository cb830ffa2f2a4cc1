"""How services are built, started, released, checked, and deployed by CI."""

from __future__ import annotations

import posixpath
from typing import Any

from hopper.findings import packages
from hopper.findings.context import Context
from hopper.formats import format_names, get_format
from hopper.formats.base import ReleaseTiming
from hopper.model import HealthCheck, Service, Workflow


def dockerfile_builds(platform: str) -> bool:
    """Whether the platform's builds always go through a Dockerfile ("Dockerfile" in the build
    context when none is named), as each format declares."""
    return platform in format_names() and get_format(platform).platform.dockerfile_builds


def _described(svc: Service, platform: str) -> str | None:
    describe = get_format(platform).platform.describe_build if platform in format_names() else None
    return describe(svc) if describe is not None else None


def build_kind(svc: Service, platform: str) -> str | None:
    b = svc.build
    if b is None:
        return None
    if b.dockerfile or b.dockerfile_inline or dockerfile_builds(platform):
        return "dockerfile"
    return "platform"


def build_label(svc: Service, platform: str) -> str:
    b = svc.build
    if b is None:
        return f"image {svc.image}" if svc.image else "(no build)"
    described = _described(svc, platform)
    if described is not None:
        return described
    if b.dockerfile_inline:
        return "inline Dockerfile"
    if b.dockerfile:
        return f"Dockerfile {b.dockerfile.removeprefix('./')}"
    if dockerfile_builds(platform):
        return f"Dockerfile {posixpath.normpath(posixpath.join(b.context or '.', 'Dockerfile'))}"
    runtime = " ".join(x for x in (b.runtime, b.runtime_version) if x) or "source"
    manager = f" with {b.package_manager}" if b.package_manager else ""
    return f"{runtime}{manager} (platform build)"


def health_label(hc: HealthCheck | None) -> str:
    if hc is None:
        return "(none)"
    what = f"GET {hc.path}" if hc.path else ("cmd " + " ".join(hc.command) if hc.command else "?")
    if hc.port is not None:
        what += f" on port {hc.port}"
    extra = []
    if hc.interval_s is not None:
        extra.append(f"every {hc.interval_s:g}s")
    if hc.timeout_s is not None:
        extra.append(f"timeout {hc.timeout_s:g}s")
    if hc.grace_s is not None:
        extra.append(f"grace {hc.grace_s:g}s")
    return what + (f" ({', '.join(extra)})" if extra else "")


def _start(svc: Service) -> str | None:
    command = list(svc.runtime.command)
    # hopper's own env shim runs the real command ("sh .../hopper-env.sh node server.js").
    for i, part in enumerate(command[:2]):
        if part.endswith("hopper-env.sh"):
            command = command[i + 1:]
            break
    if command:
        return " ".join(command)
    if svc.build is not None and svc.build.start_command:
        return svc.build.start_command
    return None


def _timing(platform: str) -> ReleaseTiming | None:
    """When the platform runs a service's release command (the model's ``release_command``), and
    what that means for a command written for another platform's moment (each format declares it)."""
    return get_format(platform).platform.release_timing if platform in format_names() else None


def release_timing(svc: Service, platform: str) -> str | None:
    """When ``svc``'s release command runs on ``platform``. A migration hopper found in the
    service's own ``command`` (compose: ``sh -c "migrate && start"``) ran at every start: the
    reader records that key as where the release command was written."""
    timing = _timing(platform)
    if timing is None:
        return None
    if timing.in_command is not None:
        where = svc.runtime.key_origins.get("release_command")
        if where is not None and where.key is not None and where.key.endswith(".command"):
            return timing.in_command
    return timing.when


def _major(version: str) -> str:
    return version.split(".")[0].lstrip("v^~>= ")


def check(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        _service(ctx, pair.name, pair.aliases, b, a)
    _pipeline(ctx)


def _service(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service) -> None:
    ev: dict[str, Any] = {"evidence_before": (b.build, b), "evidence_after": (a.build, a),
          "aliases": aliases}
    kb, ka = build_kind(b, ctx.before_platform), build_kind(a, ctx.after_platform)
    pm_b = b.build.package_manager if b.build else None
    pm_a = a.build.package_manager if a.build else None
    if (kb and ka and kb != ka) or (pm_b and pm_a and pm_b != pm_a):
        ctx.emit("HD701", name, before=build_label(b, ctx.before_platform),
                 after=build_label(a, ctx.after_platform), **ev)
    packages.check_service(ctx, name, aliases, b, a)
    if b.build and a.build and b.build.runtime_version and a.build.runtime_version \
            and _major(b.build.runtime_version) != _major(a.build.runtime_version):
        runtime = a.build.runtime or b.build.runtime or "runtime"
        ctx.emit("HD702", name, before=f"{runtime} {b.build.runtime_version}",
                 after=f"{runtime} {a.build.runtime_version}", runtime=runtime, **ev)
    if b.image and a.image and b.build is None and a.build is None and b.image != a.image:
        ctx.emit("HD710", name, before=b.image, after=a.image, evidence_before=b,
                 evidence_after=a, aliases=aliases)

    rev: dict[str, Any] = {"evidence_before": (b.runtime, b),
           "evidence_after": (a.runtime, a), "aliases": aliases}
    rb, ra = b.runtime.release_command, a.runtime.release_command
    if rb and not ra:
        ctx.emit("HD704", name, before=rb, command=rb, **rev)
    elif ra and not rb:
        ctx.emit("HD703", name, after=ra, command=ra, **rev)
    elif ra and rb and ra != rb:
        ctx.emit("HD705", name, before=rb, after=ra, **rev)
    tb, ta = release_timing(b, ctx.before_platform), release_timing(a, ctx.after_platform)
    if rb and ra and tb and ta and tb != ta:
        timing = _timing(ctx.after_platform)
        consequence, remedy = ((timing.consequence, timing.remedy) if timing is not None
                               else ("", "Check when the command must run on the target."))
        ctx.emit("HD423", name, before=tb, after=ta, command=ra, consequence=consequence,
                 remedy=remedy.format(service=a.name, command=ra), **rev)

    hb, ha = b.runtime.health_check, a.runtime.health_check
    hev: dict[str, Any] = {"evidence_before": (hb, b.runtime, b),
           "evidence_after": (ha, a.runtime, a), "aliases": aliases}
    if hb is not None and ha is None:
        ctx.emit("HD706", name, before=health_label(hb), path=hb.path or "/health", **hev)
    elif ha is not None and hb is None:
        ctx.emit("HD707", name, after=health_label(ha), path=ha.path or " ".join(ha.command), **hev)
    elif ha is not None and hb is not None and _health_differs(hb, ha):
        ctx.emit("HD708", name, before=health_label(hb), after=health_label(ha),
                 detail=health_label(ha), **hev)

    sb, sa = _start(b), _start(a)
    if sb and sa and sb != sa:
        ctx.emit("HD709", name, before=sb, after=sa, **rev)


def _health_differs(x: HealthCheck, y: HealthCheck) -> bool:
    # A compose check is a command that may also name a path; compare paths when both have one.
    if (x.path != y.path) if (x.path and y.path) else ((x.path, x.command) != (y.path, y.command)):
        return True
    return any(p is not None and q is not None and p != q for p, q in (
        (x.port, y.port), (x.interval_s, y.interval_s), (x.timeout_s, y.timeout_s),
        (x.grace_s, y.grace_s)))


def _workflow_key(ctx: Context, wf: Workflow, before: bool) -> str:
    if wf.service:
        return ctx.after_name_of(wf.service) if before else wf.service
    return wf.name


def _push_deploys(platform: str) -> str | None:
    """What a push does on a target that deploys on each commit by itself (its declared
    trigger); None when only a pipeline deploys there."""
    if platform not in format_names():
        return None
    return get_format(platform).platform.push_deploys


def _pipeline(ctx: Context) -> None:
    pb, pa = ctx.before.pipeline, ctx.after.pipeline
    # Only a pipeline that changes or disappears is a warning; one that appears where there was
    # none is reported workflow by workflow (HD712).
    if pb.provider and pb.provider != pa.provider:
        tokens = sorted({w.token_secret for w in pa.workflows if w.token_secret})
        token = ", ".join(tokens) or "the deploy token"
        push_deploys = _push_deploys(ctx.after_platform) if not pa.provider else None
        ctx.emit("HD711", "architecture", kind="architecture", before=pb.provider or "(none)",
                 after=pa.provider or "(none)",
                 evidence_before=tuple(pb.workflows),
                 evidence_after=tuple(pa.workflows),
                 pushes=push_deploys or "until the new pipeline is set up, pushes do not deploy",
                 setup=f"Connect the repository to {get_format(ctx.after_platform).platform.label} and check the branch "
                       "each service deploys from" if push_deploys
                 else f"Set up the new pipeline and its token secret ({token})")
    wb = {_workflow_key(ctx, w, True): w for w in pb.workflows}
    wa = {_workflow_key(ctx, w, False): w for w in pa.workflows}
    for key in sorted(set(wa) - set(wb)):
        w = wa[key]
        detail = f" ({w.path})" if w.path else ""
        ctx.emit("HD712", w.name, kind="workflow", after=w.path or w.name,
                 evidence_after=w, detail=detail)
    if pb.provider == pa.provider:
        for key in sorted(set(wb) - set(wa)):
            w = wb[key]
            ctx.emit("HD713", w.name, kind="workflow", before=w.path or w.name,
                     evidence_before=w)
