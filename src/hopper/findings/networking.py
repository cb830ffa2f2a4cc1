"""Public and private reachability, how proxied services are reached, ports, TLS, domains.

How a service that others proxy to is reached (:func:`reach`) and who terminates TLS are each
format's declarations (``Platform.private_network``, ``Platform.reach``, ``Platform.tls_edge``):
on Fly, the .flycast/.internal name the reader records from the front's nginx; on compose, the
service's name on the compose network; on Clever Cloud, the public domain whose path prefix the
platform's edge routes to it. When neither side says, hopper does not guess.
"""

from __future__ import annotations

from typing import Any

from hopper.findings.context import Context
from hopper.formats import format_names, get_format
from hopper.formats.base import Platform
from hopper.model import Architecture, Route, Service


def _platform(name: str) -> Platform | None:
    return get_format(name).platform if name in format_names() else None


def private_network(svc: Service, platform: str) -> str | None:
    """How other services reach ``svc`` privately, as a short label; None when unknown."""
    p = _platform(platform)
    return p.private_network(svc) if p is not None and p.private_network is not None else None


def tls_edge(platform: str) -> str | None:
    p = _platform(platform)
    return p.tls_edge if p is not None else None


def reach(svc: Service, arch: Architecture, platform: str) -> str | None:
    """How the services that proxy to ``svc`` reach it: a private name, or (where apps have no
    private network) the public address the platform's edge routes to it."""
    p = _platform(platform)
    if p is not None and p.reach is not None:
        return p.reach(svc, arch)
    return private_network(svc, platform)


def _label(platform: str) -> str:
    """How users name the platform ("Fly.io")."""
    p = _platform(platform)
    return p.label if p is not None else platform


def _reach_detail(mode: str | None, platform: str) -> str:
    p = _platform(platform)
    detail = p.reach_detail.get(mode or "") if p is not None else None
    return f" {detail}." if detail else ""




def _force_https_how(platform: str) -> str:
    """The HD407 remedy in the target's own terms: its setting when it declares one; else no
    other platform's key, only what holds anywhere."""
    p = _platform(platform)
    if p is not None and p.force_https_how:
        return p.force_https_how
    label = p.label if p is not None else platform
    return (f"{label} has no setting for it that hopper knows of; check whether its edge "
            "redirects, else redirect in the app (or the front that proxies to it)")


def route_sources(arch: Architecture) -> dict[str, list[str]]:
    """target service name -> names of the services that proxy to it."""
    out: dict[str, list[str]] = {}
    for svc in arch.services:
        for route in svc.routes:
            out.setdefault(route.target_service, []).append(svc.name)
    return out


def _route_to(arch: Architecture, target: Service) -> Route | None:
    """The first route that proxies to ``target``: where the way it is reached is written."""
    for svc in arch.services:
        for route in svc.routes:
            if route.target_service == target.name:
                return route
    return None


def check(ctx: Context) -> None:
    targets_b = route_sources(ctx.before)
    targets_a = route_sources(ctx.after)
    for pair, b, a in ctx.paired_services():
        name, aliases = pair.name, pair.aliases
        ev: dict[str, Any] = {"evidence_before": b, "evidence_after": a, "aliases": aliases}
        if not b.public and a.public:
            ctx.emit("HD401", name, before="private", after="public", **ev)
        elif b.public and not a.public:
            ctx.emit("HD402", name, before="public", after="private", **ev)

        mode_a = private_network(a, ctx.after_platform)
        reached = b.name in targets_b or a.name in targets_a
        reach_b = reach(b, ctx.before, ctx.before_platform) if reached else None
        reach_a = reach(a, ctx.after, ctx.after_platform) if reached else None
        if reached and reach_b and reach_a and reach_b != reach_a:
            sources = sorted(set(targets_b.get(b.name, []) or targets_a.get(a.name, [])))
            ctx.emit("HD403", name, before=reach_b, after=reach_a,
                     sources=", ".join(sources) or "other services",
                     detail=_reach_detail(mode_a, ctx.after_platform),
                     evidence_before=_route_to(ctx.before, b) or b,
                     evidence_after=_route_to(ctx.after, a) or a, aliases=aliases)

        if b.runtime.port is not None and a.runtime.port is not None \
                and b.runtime.port != a.runtime.port:
            ctx.emit("HD405", name, before=str(b.runtime.port), after=str(a.runtime.port),
                     evidence_before=(b.runtime, b),
                     evidence_after=(a.runtime, a), aliases=aliases)

        https_b, https_a = bool(b.force_https), bool(a.force_https)
        if a.public and https_b != https_a:
            label = {True: "forced", False: "not forced"}
            ctx.emit("HD406" if https_a else "HD407", name, before=label[https_b],
                     after=label[https_a], how=_force_https_how(ctx.after_platform), **ev)

        for domain in sorted(set(b.domains) - set(a.domains)):
            ctx.emit("HD409", name, before=domain, domain=domain, **ev)
        for domain in sorted(set(a.domains) - set(b.domains)):
            ctx.emit("HD410", name, after=domain, domain=domain, **ev)

        if a.public and b.public and ctx.platform_changes:
            _tls(ctx, name, aliases, b, a)


def _tls(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service) -> None:
    tls_b = tls_edge(ctx.before_platform)
    tls_a = tls_edge(ctx.after_platform)
    ev: dict[str, Any] = {"evidence_before": b, "evidence_after": a, "aliases": aliases}
    if tls_b and not tls_a:
        ctx.emit("HD412", name, before=tls_b, after=f"none ({ctx.after_platform})",
                 platform=_label(ctx.before_platform), target=_label(ctx.after_platform), **ev)
    elif tls_a and not tls_b:
        ctx.emit("HD411", name, before=f"none ({ctx.before_platform})", after=tls_a,
                 detail=f"{_label(ctx.after_platform)} terminates HTTPS at its edge and passes plain "
                        "HTTP to the service; certificates are issued by the platform.",
                 remedy="Drop any certificate handling from the containers; trust the "
                        "X-Forwarded-Proto header for redirects.", **ev)
    elif tls_a and tls_b and tls_a != tls_b:
        ctx.emit("HD411", name, before=tls_b, after=tls_a,
                 detail="Certificates are issued by the new platform, per hostname.",
                 remedy="Add each custom domain on the target and wait for its certificate "
                        "before switching DNS.", **ev)
