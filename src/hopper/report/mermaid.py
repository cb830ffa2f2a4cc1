"""A Mermaid ``flowchart`` of one architecture: the internet, services, routes between them,
and bindings to databases and object stores. GitHub renders it in Markdown.

Node ids are generated (``s1``, ``d1``, ``o1``), never taken from names, and every label is
quoted with Mermaid's entity escapes, so no name can break out of the diagram.
"""

from __future__ import annotations

from hopper.model import Architecture, Service
from hopper.report.common import clean

_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
             "|": "#124;", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;"}
MAX_BINDING_NAMES = 3


def label(*lines: str) -> str:
    """A quoted Mermaid label: control characters escaped, syntax characters as entities, one
    line break between ``lines``."""
    escaped = ("".join(_ENTITIES.get(ch, ch) for ch in clean(text)) for text in lines)
    return '"' + "<br/>".join(escaped) + '"'


def _service_label(svc: Service) -> str:
    notes = [svc.role.value]
    if svc.public:
        notes.append("public")
    if svc.runtime.port:
        notes.append(f":{svc.runtime.port}")
    return label(svc.name, " · ".join(notes))


def render_mermaid(arch: Architecture, *, prefix: str = "") -> str:
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    internet = f"{prefix}net"
    if any(s.public for s in arch.services):
        lines.append(f"  {internet}((internet))")
    for i, svc in enumerate(arch.services, 1):
        ids.setdefault(svc.name, f"{prefix}s{i}")
        lines.append(f"  {ids[svc.name]}[{_service_label(svc)}]")
    for i, db in enumerate(arch.databases, 1):
        ids.setdefault(db.name, f"{prefix}d{i}")
        what = f"{db.engine} {db.version}" if db.version else db.engine
        lines.append(f"  {ids[db.name]}[({label(db.name, what)})]")
    for i, store in enumerate(arch.object_stores, 1):
        ids.setdefault(store.name, f"{prefix}o{i}")
        buckets = ", ".join(b.name + (" (public)" if b.public else "") for b in store.buckets)
        what = store.provider + (f": {buckets}" if buckets else "")
        lines.append(f"  {ids[store.name]}[/{label(store.name, what)}/]")
    for svc in arch.services:
        if svc.public:
            lines.append(f"  {internet} --> {ids[svc.name]}")
    for svc in arch.services:
        for route in svc.routes:
            target = ids.get(route.target_service)
            if target is not None:
                lines.append(f"  {ids[svc.name]} -->|{label(route.path_prefix)}| {target}")
        by_resource: dict[str, list[str]] = {}
        for binding in svc.bindings:
            by_resource.setdefault(binding.resource, []).append(binding.variable)
        for resource, variables in sorted(by_resource.items()):
            target = ids.get(resource)
            if target is None or target == ids[svc.name]:
                continue
            names = sorted(variables)
            more = f" +{len(names) - MAX_BINDING_NAMES}" if len(names) > MAX_BINDING_NAMES else ""
            text = ", ".join(names[:MAX_BINDING_NAMES]) + more
            lines.append(f"  {ids[svc.name]} -.->|{label(text)}| {target}")
    return "\n".join(lines) + "\n"
