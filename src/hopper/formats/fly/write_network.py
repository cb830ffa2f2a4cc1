"""How one Fly app reaches another over the private network, and what the code says about it.

One rule for every source (reference flyio.md §7): another app is reached at
``http://<app>.flycast`` — the Flycast name always resolves, Fly's proxy starts a stopped
Machine, and the proxy connects over IPv4, which every app that serves ``[http_service]``
already listens on. ``<app>.internal`` is never written: it resolves to started Machines only,
never wakes one, and reaches only an app that listens on IPv6, which hopper cannot promise for
code it does not control. (``hopper validate`` still accepts ``.internal`` to an app that
listens on IPv6 and never stops.)

Where hopper writes the Dockerfile it sets ``HOST=::`` (both stacks in Node.js); where the code
picks its own address, :func:`report_binds` says so with the file and line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hopper.diagnostics import Diagnostics, Location, Severity, code
from hopper.shared.nginx.build import Upstream

if TYPE_CHECKING:
    from hopper.formats.fly.plan_types import App

I_BIND_IPV4 = code("HOP550", Severity.INFO, "the app's code listens on IPv4 only: reached over Flycast, never .internal")
W_BIND_LOOPBACK = code("HOP551", Severity.WARNING, "the app's code listens on loopback only: Fly's proxy cannot reach it")

# The address hopper's generated Node.js Dockerfile gives HOST: "::" listens on IPv6 and, with
# Node's default (IPV6_V6ONLY off), on IPv4 too — Flycast and .internal both reach it.
DUAL_STACK_HOST = "::"


def flycast_url(app: App) -> str:
    """The private address of ``app``: its Flycast name on the external port 80."""
    return f"http://{app.name}.flycast"


def upstream_for(target: App) -> Upstream:
    return Upstream(url=flycast_url(target))


def service_url(target: App) -> str:
    """The URL another app uses for ``target`` (an env var bound to its ``url``)."""
    if target.public:
        return f"https://{target.name}.fly.dev"
    return flycast_url(target)


def report_binds(app: App, reached: bool, diags: Diagnostics) -> None:
    """Say where the app's own code fixes its listen address, when that matters on Fly. The
    addresses were found in the code at load time (``Service.listen_addresses``)."""
    listens = app.service.listen_addresses
    if not listens or not app.http or app.kind == "front" or app.service.build is None:
        return
    from hopper.envscan.binds import Bind, code_family  # noqa: PLC0415

    env = dict(app.env)
    if app.build_mode == "node":
        env.setdefault("HOST", DUAL_STACK_HOST)  # what the generated Dockerfile sets
    found = code_family(tuple(Bind(file=a.file, line=a.line, host=a.host, from_env=a.from_env)
                              for a in listens), env)
    if found is None:
        return
    family, bind = found
    where = Location(file=bind.file, line=bind.line)
    if family == "loopback":
        diags.warning(W_BIND_LOOPBACK, f"app '{app.name}' listens on {bind.host} ({bind.where}): "
                      "Fly's proxy connects from outside the Machine and gets no answer", where,
                      hint=f"listen on '::' (both stacks) or '0.0.0.0' at {bind.where}")
    elif family == "ipv4" and reached:
        override = f", unless {bind.from_env} is set" if bind.from_env else ""
        diags.info(I_BIND_IPV4, f"app '{app.name}' listens on 0.0.0.0 ({bind.where}{override}), IPv4 "
                   f"only: other apps reach it at {flycast_url(app)} (Fly's proxy uses IPv4); "
                   f"{app.name}.internal resolves to IPv6 and would get no answer", where,
                   hint=f"listen on '::' at {bind.where} to be reachable on both stacks")
