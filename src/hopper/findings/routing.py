"""Routes a front proxies (path prefix -> service), their limits, and static file serving.

Unset limits are compared as nginx's defaults (client_max_body_size 1m, proxy timeouts 60s),
where the front is nginx (compose, Fly); on a target whose load balancers route the paths
(Clever Cloud), a limit the source set is reported as the platform's (see capabilities).
"""

from __future__ import annotations

import re
from typing import Any

from hopper.findings.capabilities import edge
from hopper.findings.context import Context
from hopper.model import Route, Service, StaticSite

DEFAULT_BODY = "1m"
DEFAULT_TIMEOUT_S = 60.0
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def body_bytes(limit: str | None) -> float | None:
    """Bytes of an nginx size; 0 means unlimited (returned as infinity); None if unparseable."""
    m = _SIZE.match(limit if limit is not None else DEFAULT_BODY)
    if m is None:
        return None
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    return float("inf") if value == 0 else value


def _body_label(limit: str | None) -> str:
    if limit is None:
        return f"{DEFAULT_BODY} (nginx default)"
    return "unlimited" if body_bytes(limit) == float("inf") else limit


def _seconds(v: float | None) -> float:
    return DEFAULT_TIMEOUT_S if v is None else v


def _timeout_label(which: str, v: float | None) -> str:
    return f"{which} {_seconds(v):g}s" + (" (nginx default)" if v is None else "")


def _target(route: Route, target_name: str) -> str:
    port = f":{route.target_port}" if route.target_port else ""
    return f"{route.path_prefix} -> {target_name}{port}"


def check(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        _routes(ctx, pair.name, pair.aliases, b, a)
        _static(ctx, pair.name, pair.aliases, b, a)


def _routes(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service) -> None:
    rb = {r.path_prefix: r for r in b.routes}
    ra = {r.path_prefix: r for r in a.routes}
    for path in sorted(set(rb) | set(ra)):
        x, y = rb.get(path), ra.get(path)
        ev: dict[str, Any] = {"evidence_before": (x, b), "evidence_after": (y, a),
              "aliases": aliases, "path": path}
        if x is None and y is not None:
            ctx.emit("HD501", name, after=_target(y, y.target_service),
                     target=y.target_service, **ev)
            continue
        if y is None and x is not None:
            ctx.emit("HD502", name, before=_target(x, x.target_service),
                     target=x.target_service, **ev)
            continue
        assert x is not None and y is not None
        mapped = ctx.after_name_of(x.target_service)
        if mapped != y.target_service or (x.target_port is not None and y.target_port is not None
                                          and x.target_port != y.target_port):
            ctx.emit("HD503", name, before=_target(x, x.target_service),
                     after=_target(y, y.target_service), **ev)
        if x.strip_prefix != y.strip_prefix:
            sample = path.rstrip("/") + "/health"
            stripped = "/health"

            def seen(strip: bool, sample: str = sample, stripped: str = stripped) -> str:
                return f"{sample} seen as {stripped if strip else sample}"

            ctx.emit("HD504", name, before=seen(x.strip_prefix), after=seen(y.strip_prefix),
                     seen="prefix-stripped" if y.strip_prefix else "full, unstripped",
                     remedy=edge(ctx.after_platform).strip_remedy, **ev)
        _limits(ctx, name, x, y, ev)


def _platform_limits(ctx: Context, name: str, x: Route, y: Route, ev: dict[str, Any]) -> bool:
    """On a target whose edge sets its own limits (Clever's load balancers), a limit the source
    set is reported once, as the platform's, without nginx defaults or nginx advice."""
    target = edge(ctx.after_platform)
    if target.limits_settable:
        return False
    given = [f"body {x.body_size_limit}" if x.body_size_limit is not None else None]
    given += [f"{which} {v:g}s" for which, v in (("connect", x.connect_timeout_s),
                                                ("read", x.read_timeout_s),
                                                ("send", x.send_timeout_s)) if v is not None]
    said = [g for g in given if g]
    if said and y.body_size_limit is None and y.read_timeout_s is None:
        ctx.emit("HD514", name, before=", ".join(said), after=f"set by {target.proxy}",
                 proxy=target.proxy, **ev)
    return True


def _limits(ctx: Context, name: str, x: Route, y: Route, ev: dict[str, Any]) -> None:
    platform = _platform_limits(ctx, name, x, y, ev)
    bx, by = body_bytes(x.body_size_limit), body_bytes(y.body_size_limit)
    if not platform and bx is not None and by is not None and bx != by:
        ctx.emit("HD505" if by < bx else "HD506", name, before=_body_label(x.body_size_limit),
                 after=_body_label(y.body_size_limit), **ev)
    shorter, longer = [], []
    for which, vx, vy in (("connect", x.connect_timeout_s, y.connect_timeout_s),
                          ("read", x.read_timeout_s, y.read_timeout_s),
                          ("send", x.send_timeout_s, y.send_timeout_s)):
        if _seconds(vx) > _seconds(vy):
            shorter.append((which, vx, vy))
        elif _seconds(vx) < _seconds(vy):
            longer.append((which, vx, vy))
    for code, items in (("HD507", shorter), ("HD508", longer)):
        if items and not platform:
            ctx.emit(code, name, before=", ".join(_timeout_label(w, vx) for w, vx, _ in items),
                     after=", ".join(_timeout_label(w, vy) for w, _, vy in items),
                     which=", ".join(w for w, _, _ in items), **ev)
    if x.websocket and not y.websocket and not edge(ctx.after_platform).websocket:
        ctx.emit("HD509", name, before="websocket", after="plain HTTP", **ev)
    details_b, details_a = [], []
    if not x.websocket and y.websocket:
        details_b.append("no websocket")
        details_a.append("websocket")
    for label, vx, vy in (("request buffering", x.request_buffering, y.request_buffering),
                          ("response buffering", x.response_buffering, y.response_buffering)):
        if vx is not None and vy is not None and vx != vy:
            details_b.append(f"{label} {'on' if vx else 'off'}")
            details_a.append(f"{label} {'on' if vy else 'off'}")
    if details_a:
        ctx.emit("HD510", name, before=", ".join(details_b), after=", ".join(details_a),
                 detail=", ".join(details_a), **ev)
    lost = {h.lower(): h for h in x.forwarded_headers}
    for h in (*y.forwarded_headers, *edge(ctx.after_platform).forwards):
        lost.pop(h.lower(), None)
    if lost:
        ctx.emit("HD511", name, before=", ".join(x.forwarded_headers) or "(none)",
                 after=", ".join(y.forwarded_headers) or "(none)",
                 headers=", ".join(sorted(lost.values())),
                 remedy=edge(ctx.after_platform).headers_remedy, **ev)


def _site_label(site: StaticSite | None) -> str:
    if site is None:
        return "no static files"
    parts = ["gzip" if site.gzip else "no gzip"]
    n = len(site.cache_rules)
    parts.append(f"{n} cache rule{'s' if n != 1 else ''}" if n else "no cache rules")
    return ", ".join(parts)


def _static(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service) -> None:
    sb, sa = b.static_site, a.static_site
    if sb is None:
        return
    ev: dict[str, Any] = {"evidence_before": (sb, b), "evidence_after": (sa, a),
          "aliases": aliases}
    if sb.spa_fallback and (sa is None or not sa.spa_fallback):
        ctx.emit("HD512", name, before=f"fallback to {sb.index}", after="no fallback", **ev)
    if sa is None or (sb.gzip, sb.cache_rules) != (sa.gzip, sa.cache_rules):
        ctx.emit("HD513", name, before=_site_label(sb), after=_site_label(sa),
                 detail=_site_label(sa), **ev)
