"""The names the Blueprint gives each service, cron job and database.

A Blueprint that names a service or database like one that already exists in the account adopts
it (reference render.md, `name` of services and of databases): a generic ``api`` or ``db`` would take over another project's resource.
So a component keeps the name the source gave it on its platform (a Clever Cloud application or
add-on name, ``webapp-api``; a Fly app name) when that name is its own, and is otherwise prefixed
with the project's name (``webapp-db``). The reader strips that prefix again
(:func:`local_names`), so the model's names come back as they were.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from hopper.diagnostics import Diagnostics
from hopper.formats.render.codes import W_GENERIC_NAME
from hopper.model import Architecture

_RENDER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Names so common that another Blueprint in the same account is likely to use them too.
GENERIC = frozenset({"api", "app", "backend", "cache", "cron", "database", "db", "front",
                     "frontend", "jobs", "postgres", "queue", "redis", "server", "site", "static",
                     "web", "worker", "www"})


# The key of Service/Database.extensions["render"] that holds the component's name in the
# Blueprint it was read from, when it is not the model's (the project prefix was stripped).
RENDER_NAME = "name"


def render_name(extensions: Mapping[str, Any], name: str) -> str:
    """The component's name on Render: the Blueprint's, else the model's."""
    own = extensions.get("render")
    value = own.get(RENDER_NAME) if isinstance(own, dict) else None
    return value if isinstance(value, str) else name


def project_prefix(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")


def _prefixed(project: str, name: str) -> str:
    if not project or name == project or name.startswith(project + "-"):
        return name
    return f"{project}-{name}"


def _own_name(extensions: Mapping[str, Any]) -> str | None:
    """The component's name on its source platform, when the source named it."""
    # "render": the name a Blueprint hopper read gave it (RENDER_NAME).
    for platform, key in (("render", RENDER_NAME), ("clevercloud", "name"), ("fly", "app")):
        value = extensions.get(platform, {}).get(key) if isinstance(extensions.get(platform), dict) else None
        if isinstance(value, str) and _RENDER_NAME.match(value):
            return value
    return None


def render_names(arch: Architecture, diags: Diagnostics) -> dict[str, str]:
    """{model name: Blueprint name} for every service, schedule and database."""
    project = project_prefix(arch.name)
    wanted: dict[str, str] = {}
    components = [(s.name, s.extensions) for s in arch.services] + \
        [(d.name, d.extensions) for d in arch.databases]
    for name, extensions in components:
        wanted[name] = _own_name(extensions) or _prefixed(project, name)
    for sched in arch.schedules:
        wanted.setdefault(sched.name, _prefixed(project, sched.name))
    # Process groups of one Fly app share its name: each is then named after the project.
    taken = Counter(wanted.values())
    names = {k: (_prefixed(project, k) if taken[v] > 1 else v) for k, v in wanted.items()}
    for model_name, name in sorted(names.items()):
        if name in GENERIC:
            diags.warning(W_GENERIC_NAME, f"'{model_name}' is named '{name}' on Render: a service or "
                          "database of that name already in the account would be adopted by the "
                          "Blueprint, not created", arch.origin,
                          hint="rename it in render.yaml (project-name-" + name + ") before the "
                          "first deploy")
    return names


def apply_names(services: list[dict[str, Any]], databases: list[dict[str, Any]],
                names: Mapping[str, str]) -> None:
    """Give the Blueprint's entries, and the references between them, their Render names (a static
    site's rewrite destinations are written with them already)."""
    def rename(name: Any) -> Any:
        return names.get(name, name) if isinstance(name, str) else name

    for entry in services:
        entry["name"] = rename(entry["name"])
        for var in entry.get("envVars", []):
            for ref in ("fromService", "fromDatabase"):
                if isinstance(var.get(ref), dict):
                    var[ref]["name"] = rename(var[ref]["name"])
    for db in databases:
        old = db["name"]
        db["name"] = rename(old)
        for replica in db.get("readReplicas", []):
            replica["name"] = db["name"] + replica["name"][len(old):]


def local_names(data: dict[str, Any], project: str) -> dict[str, str]:
    """Strip the project prefix hopper wrote (:func:`render_names`) from a Blueprint's names and
    references, in place, where the rest is a name no other entry has. Returns {model name:
    Render name} for the names it stripped."""
    prefix = project_prefix(project) + "-"
    entries = [e for key in ("services", "databases") for e in (data.get(key) or [])
               if isinstance(e, dict) and isinstance(e.get("name"), str)]
    present = {e["name"] for e in entries}
    names = {n: n[len(prefix):] for n in present
             if prefix != "-" and n.startswith(prefix) and len(n) > len(prefix)
             and n[len(prefix):] not in present}
    if not names:
        return {}
    for e in entries:
        e["name"] = names.get(e["name"], e["name"])
        for var in e.get("envVars") or []:
            for ref in ("fromService", "fromDatabase"):
                target = var.get(ref) if isinstance(var, dict) else None
                if isinstance(target, dict) and isinstance(target.get("name"), str):
                    target["name"] = names.get(target["name"], target["name"])
        for route in e.get("routes") or []:
            dest = route.get("destination") if isinstance(route, dict) else None
            match = re.match(r"^https://([a-z0-9-]+)\.onrender\.com(/.*)?$", dest or "")
            if match and match.group(1) in names:
                route["destination"] = f"https://{names[match.group(1)]}.onrender.com{match.group(2) or ''}"
    return {local: render for render, local in names.items()}
