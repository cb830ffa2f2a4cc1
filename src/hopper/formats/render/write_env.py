"""A Render service's ``envVars``: plain values, bindings (``fromDatabase``, ``fromService``),
secrets by name (``sync: false``) or generated (``generateValue``), and the shared plain values
moved to an ``envVarGroups`` entry.

An environment group holds only ``key``/``value``/``generateValue`` entries (Blueprint schema
``envVarGroup``; render.md §2.3): bindings and secrets stay on each service.
"""

from __future__ import annotations

from typing import Any

from hopper.diagnostics import Diagnostics
from hopper.formats.render.codes import I_SECRET_PROMPT, W_SERVICE_URL, W_STATIC_ENV
from hopper.model import Architecture, Binding, Service

# model attribute -> Render Postgres property (spec §2.2)
DB_PROPERTIES = {"uri": "connectionString", "host": "host", "port": "port", "user": "user",
                 "password": "password", "database": "database"}
SERVICE_PROPERTIES = {"host": "host", "port": "port"}
KEYVALUE_PROPERTIES = {"uri": "connectionString", "url": "connectionString", "host": "host",
                       "port": "port"}


def env_vars(svc: Service, arch: Architecture, types: dict[str, str], diags: Diagnostics, *,
             static: bool = False, port: int | None = None) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    bound = {b.variable: b for b in svc.bindings}
    plain = dict(svc.runtime.env)
    if static and svc.build is not None:
        plain.update({k: v for k, v in svc.build.args.items() if k not in plain})
    if port is not None and "PORT" not in plain and "PORT" not in bound:
        plain["PORT"] = str(port)
    for key, value in plain.items():
        if key not in bound:
            entries[key] = {"key": key, "value": value}
    for var, binding in bound.items():
        entries[var] = _binding(svc, binding, arch, types, diags)
    generated = {s.name for s in arch.secrets if s.source == "generated"}
    secret_names = set(svc.runtime.secret_env) | {
        s.name for s in arch.secrets if svc.name in s.used_by and s.name not in bound}
    if static and svc.build is not None:
        secret_names |= set(svc.build.secrets)
    for name in secret_names - set(bound):
        entries[name] = ({"key": name, "generateValue": True} if name in generated
                         else {"key": name, "sync": False})
    if static and entries:
        diags.warning(W_STATIC_ENV, f"static site '{svc.name}' has no runtime: "
                      f"{', '.join(sorted(entries))} are set only while Render builds it", svc.origin,
                      hint="values the browser needs must be inlined by the build (VITE_*...)")
    prompted = sorted(k for k, e in entries.items() if e.get("sync") is False)
    if prompted:
        diags.info(I_SECRET_PROMPT, f"service '{svc.name}': {', '.join(prompted)} are written as names "
                   "(sync: false); Render asks for the values once, when the Blueprint is created",
                   svc.origin, hint="RENDER.md lists them; set later additions in the dashboard")
    return [entries[k] for k in sorted(entries)]


def _binding(svc: Service, b: Binding, arch: Architecture, types: dict[str, str],
             diags: Diagnostics) -> dict[str, Any]:
    db = arch.database(b.resource)
    if db is not None and db.engine == "postgresql" and b.attribute in DB_PROPERTIES:
        return {"key": b.variable, "fromDatabase": {"name": b.resource,
                                                    "property": DB_PROPERTIES[b.attribute]}}
    target = arch.service(b.resource)
    kind = types.get(b.resource)
    if target is not None and kind == "keyvalue" and b.attribute in KEYVALUE_PROPERTIES:
        return {"key": b.variable, "fromService": {"type": "keyvalue", "name": b.resource,
                                                   "property": KEYVALUE_PROPERTIES[b.attribute]}}
    if target is not None and kind in ("web", "pserv") and b.attribute in SERVICE_PROPERTIES:
        return {"key": b.variable, "fromService": {"type": kind, "name": b.resource,
                                                   "property": SERVICE_PROPERTIES[b.attribute]}}
    if target is not None and kind in ("web", "pserv") and b.attribute == "url" and target.runtime.port:
        url = f"http://{target.name}:{target.runtime.port}"
        diags.warning(W_SERVICE_URL, f"service '{svc.name}': {b.variable} carries the URL of "
                      f"'{b.resource}'; Render has no URL property, so it is written {url} (the "
                      "private host name Render gives a service is its name)", b.origin,
                      hint="check the internal address in the Render dashboard (Connect -> Internal)")
        return {"key": b.variable, "value": url}
    store = arch.object_store(b.resource)
    if store is not None and b.attribute == "bucket" and not b.secret:
        # A bucket name is plain in the source, and still right on Render: the bucket stays where
        # it is (HOP927). The source's own value first, else the store's one bucket.
        name = svc.runtime.env.get(b.variable) or (store.buckets[0].name if len(store.buckets) == 1 else None)
        if name:
            return {"key": b.variable, "value": name}
    # Object storage and anything Render does not host: the value stays a secret to set by hand.
    return {"key": b.variable, "sync": False}


def shared_groups(arch_name: str, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move plain values that two or more services set alike into one environment group, and
    point each of those services at it with ``fromGroup``."""
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in services:
        for var in entry.get("envVars", []):
            if set(var) == {"key", "value"} and var["key"] != "PORT":
                seen.setdefault((var["key"], str(var["value"])), []).append(entry)
    shared = sorted(pair for pair, users in seen.items() if len(users) >= 2)
    if not shared:
        return []
    name = f"{arch_name}-shared"
    users_of = {id(e): e for pair in shared for e in seen[pair]}
    for entry in users_of.values():
        keep = [v for v in entry["envVars"]
                if not (set(v) == {"key", "value"} and (v["key"], str(v["value"])) in shared)]
        entry["envVars"] = [{"fromGroup": name}, *keep]
    return [{"name": name, "envVars": [{"key": k, "value": v} for k, v in shared]}]


def prompted(services: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(service, secret names Render will ask for) for the runbook."""
    out = []
    for entry in services:
        names = sorted(v["key"] for v in entry.get("envVars", []) if v.get("sync") is False)
        if names:
            out.append((str(entry["name"]), names))
    return out
