"""Services that do not speak HTTP (Redis, RabbitMQ, any TCP port) on Fly.io.

An ``[http_service]`` would give them HTTP handlers, ``force_https`` and, on the first deploy, a
public address. They become private TCP ``[[services]]`` instead: raw TCP (no handlers) on the
service's own port, reached by the other apps at ``<app>.flycast:<port>`` (Flycast carries TCP,
flyio.md §7.1), deployed with ``--flycast`` so no public IP is allocated and flyctl never asks
for a dedicated IPv4 (§1.8). Which services: an image listed in ``mappings/tcp-services.toml``,
or a well-known non-HTTP port there.

Autostop: a stopped Machine drops its connections and, for Redis or RabbitMQ without a volume,
its data; unless the source or ``--autostop`` says otherwise, a TCP service never stops.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from hopper import mappings
from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly.plan_types import App, Plan
from hopper.model import Role, Service

I_TCP_SERVICE = code("HOP568", Severity.INFO, "a non-HTTP service becomes a private TCP service reached over Flycast")
W_TCP_SECRET_URL = code("HOP387", Severity.WARNING,
                        "a secret URL of a TCP service (it carries a credential) must be set to the service's Flycast address")

AUTOSTOP_NOTE = "a TCP service keeps its connections and in-memory data"
MIN_RUNNING_NOTE = "autostop is off: every Machine runs"


def _table() -> dict[str, Any]:
    return mappings.table("tcp-services")


def _repository(image: str) -> str:
    rest = image.partition("@")[0]
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        rest = remainder
    name = rest.rsplit(":", 1)[0] if rest.rfind(":") > rest.rfind("/") else rest
    return name.lower().removeprefix("library/")


def protocol_of_port(port: int | None) -> str | None:
    """The non-HTTP protocol a well-known port carries ("Redis" for 6379), or None."""
    if port is None:
        return None
    name = _table()["ports"].get(str(port))
    return str(name) if name else None


def tcp_port(svc: Service) -> int | None:
    """The port of a service that speaks TCP but not HTTP, or None for an HTTP (or unknown) one."""
    if svc.role in (Role.FRONT, Role.API):
        return None
    if svc.image:
        known = _table()["images"].get(_repository(svc.image))
        if known is not None:
            return svc.runtime.port or int(known)
    return svc.runtime.port if protocol_of_port(svc.runtime.port) else None


def flycast_address(app: App) -> str:
    return f"{app.name}.flycast:{app.tcp_port}"


def plan_tcp(plan: Plan, diags: Diagnostics) -> None:
    by_service: dict[str, App] = {}
    for app in plan.apps:
        port = tcp_port(app.service) if app.kind in ("generic", "worker") else None
        if port is None:
            continue
        app.tcp_port, app.port, app.http, app.public = port, port, False, False
        app.env.pop("PORT", None)  # Fly's PORT convention is for HTTP apps; these read their own config
        app.chosen.pop("internal_port", None)
        if "auto_stop_machines" in app.chosen:
            app.autostop = "off"
            app.chosen["auto_stop_machines"] = AUTOSTOP_NOTE
        if app.autostop == "off":
            app.min_running = 0
            app.chosen["min_machines_running"] = MIN_RUNNING_NOTE
        by_service[app.service.name] = app
        what = protocol_of_port(port) or "TCP"
        diags.info(I_TCP_SERVICE, f"service '{app.service.name}' speaks {what} on port {port}, not HTTP: "
                   f"app '{app.name}' gets a private TCP [[services]] (no force_https, no public IP; "
                   f"deployed with --flycast), reached at {flycast_address(app)}", app.service.origin,
                   hint="or use a managed offer (Upstash Redis: `flyctl redis create`) and point the "
                   "binding at it")
    if not by_service:
        return
    # The other apps reach it at <app>.flycast:<port>, with the scheme and path they used before.
    for app in plan.apps:
        for svc in (app.service, *app.groups.values()):
            for binding in svc.bindings:
                target = by_service.get(binding.resource)
                if binding.attribute != "url" or target is None:
                    continue
                if binding.variable in app.env:
                    app.env[binding.variable] = _url(svc.runtime.env.get(binding.variable), target)
                elif binding.variable in app.runtime_secrets:
                    scheme = (protocol_of_port(target.tcp_port) or "tcp").lower()
                    diags.warning(W_TCP_SECRET_URL, f"app '{app.name}': {binding.variable} points at "
                                  f"'{target.service.name}' with a credential, so it stays a secret: set it to "
                                  f"the same URL with the host {flycast_address(target)}", binding.origin or svc.origin,
                                  hint=f"put {binding.variable}={scheme}://<user>:<password>@{flycast_address(target)} "
                                  f"in fly-secrets/{app.folder}.env: fly-setup.sh stages it (never on a command line)")


def _url(before: str | None, target: App) -> str:
    parts = urlsplit(before or "")
    scheme = parts.scheme if re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme or "") else "tcp"
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{scheme}://{flycast_address(target)}{tail}"
