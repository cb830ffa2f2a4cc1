"""Checks across the apps of one setup: two configs with one app name, and each nginx upstream
against the app it names — a known app, Flycast without force_https, ``.internal`` only to an
app that never stops and listens on IPv6, resolved per request rather than once at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, Severity, code, error, warning
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.read_layout import fly_host_app
from hopper.formats.fly.validate_config import did_you_mean, services_of

E_FLYCAST_HTTPS = code("HOP336", Severity.ERROR, "force_https = true on an app reached through Flycast")
W_ROUTE_UNKNOWN_APP = code("HOP346", Severity.WARNING, "an nginx upstream names a Fly app that is not in this setup")
E_INTERNAL_AUTOSTOP = code("HOP347", Severity.ERROR, "nginx reaches an autostopping app through .internal")
W_INTERNAL_AT_BOOT = code("HOP348", Severity.WARNING, "a literal .internal upstream is resolved once when nginx starts")
E_DUPLICATE_APP = code("HOP354", Severity.ERROR, "two configs in the setup use the same app name")
E_INTERNAL_IPV4 = code("HOP380", Severity.ERROR, "nginx reaches through .internal an app that listens on IPv4 only")


def check_setup(apps: list[FlyApp], root: Path | None = None, source: Path | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    by_name: dict[str, FlyApp] = {}
    for app in apps:
        if app.name is None:
            continue
        if app.name in by_name:
            out.append(error(E_DUPLICATE_APP, f"app '{app.name}' is also defined in "
                             f"{by_name[app.name].config.path}", app.config.location("app")))
        else:
            by_name[app.name] = app
    for app in apps:
        if app.nginx is None:
            continue
        for server in app.nginx.servers:
            for proxy in server.proxies:
                target = proxy.effective_target()
                host = target.host
                if host is None:
                    continue
                hosts = [host]
                if proxy.upstream is not None:
                    hosts = [s.host for s in proxy.upstream.servers]
                for one in hosts:
                    _check_upstream(app, proxy, one, by_name, out, _code_root(root, source))
    return out


def _code_root(root: Path | None, source: Path | None) -> Path | None:
    """Where the apps' code is: the repository given with --source, else the set itself."""
    return source if source is not None else root


def listen_family(app: FlyApp, root: Path | None) -> tuple[str, str] | None:
    """``(family, evidence)`` for the address ``app`` listens on — ``ipv4``, ``dual`` or
    ``loopback`` — from its nginx ``listen`` lines, else from where its code binds (with the
    Dockerfile's and ``[env]``'s values of a variable the code reads); None when unknown."""
    if app.nginx is not None and app.nginx.servers:
        if any(server.listen_ipv6 for server in app.nginx.servers):
            return "dual", "nginx listen [::]"
        files = app.nginx.files[0] if app.nginx.files else "nginx.conf"
        return "ipv4", f"{files}: nginx's `listen <port>` is IPv4 only"
    if root is None:
        return None
    from hopper.envscan.binds import code_family, scan_binds  # noqa: PLC0415

    env: dict[str, str] = {}
    if app.dockerfile is not None and app.dockerfile.stages:
        env.update(app.dockerfile.final.env)
    env.update({k: str(v) for k, v in (app.config.data.get("env") or {}).items()})
    found = code_family(scan_binds(root, (app.context,)), env)
    if found is None:
        return None
    family, bind = found
    return family, f"{bind.where} binds {bind.host}" + (
        f" (from {bind.from_env}={env[bind.from_env]})" if bind.from_env in env else "")


def _check_upstream(app: FlyApp, proxy: Any, host: str, by_name: dict[str, FlyApp],
                    out: list[Diagnostic], root: Path | None = None) -> None:
    resolved = fly_host_app(host)
    if resolved is None:
        return
    name, kind = resolved
    target = by_name.get(name)
    if target is None:
        out.append(warning(W_ROUTE_UNKNOWN_APP, f"nginx location {proxy.path} proxies to {host}, "
                           f"but no app '{name}' is in this setup", proxy.location,
                           hint=did_you_mean(name, by_name) or "check the app name"))
        return
    if kind == "flycast":
        for path, service in services_of(target.config):
            if service.get("force_https") or any(p.get("force_https") for p in service.get("ports") or []):
                out.append(error(E_FLYCAST_HTTPS, f"app '{name}' is reached through Flycast "
                                 f"({host}) but sets force_https = true: Flycast is plain HTTP, so "
                                 "every proxied request gets a redirect",
                                 target.config.location(*path, "force_https"),
                                 hint="set force_https = false on the private app"))
                break
        return
    stopping = [(path, svc.get("auto_stop_machines")) for path, svc in services_of(target.config)
                if svc.get("auto_stop_machines") in ("stop", "suspend")]
    if stopping:
        path, mode = stopping[0]
        out.append(error(E_INTERNAL_AUTOSTOP, f"nginx location {proxy.path} reaches '{name}' "
                         f"through {host}, but '{name}' has auto_stop_machines = '{mode}': stopped "
                         "Machines vanish from .internal DNS and 6PN traffic never starts them",
                         proxy.location, hint=f"proxy to http://{name}.flycast instead (and set "
                         "force_https = false there), or turn autostop off"))
    family = listen_family(target, root)
    if family is not None and family[0] in ("ipv4", "loopback"):
        out.append(error(E_INTERNAL_IPV4, f"nginx location {proxy.path} reaches '{name}' through "
                         f"{host}, which resolves to IPv6 only, but '{name}' listens on "
                         f"{'IPv4 only' if family[0] == 'ipv4' else 'loopback only'} ({family[1]}): "
                         "every request fails", proxy.location,
                         hint=f"proxy to http://{name}.flycast (Fly's proxy connects over IPv4), or "
                         "make the app listen on '::'"))
    if not proxy.via_variable:
        out.append(warning(W_INTERNAL_AT_BOOT, f"nginx resolves {host} once at start-up: it "
                           "fails to start while no Machine of the app runs, and keeps stale "
                           "addresses after a redeploy", proxy.location,
                           hint="use a variable with resolver [fdaa::3], or Flycast"))
