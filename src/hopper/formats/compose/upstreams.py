"""Identical services load-balanced by one nginx ``upstream`` are one service with replicas.

``upstream api { server api1:3000; server api2:3000; }`` in front of two services started from
the same image or build, with the same command and environment, is how compose spreads load
without ``deploy.replicas``. On a platform with instance counts (Fly Machines, Clever Cloud
instances) that is one service run that many times: keeping two services would give a proxied
app plus a second app nobody reaches. The first server's service is kept with the members'
replicas added up; the others are left out, and any name that reached them (a binding, a
``depends_on``) reaches the kept one. The kept service records what was merged
(``extensions.merged``), so the plan and the writers can say so.

Members that differ in anything but their name, host name, published ports, labels, networks and
replica count stay separate services, with a warning naming what differs (HOP199).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, warning

if TYPE_CHECKING:  # the nginx reader loads only when a front has a configuration
    from hopper.shared.nginx.config import Upstream

W_UPSTREAM_NOT_MERGED = code("HOP199", Severity.WARNING,
                             "services of one nginx upstream differ, so they stay separate services")

# What may differ between two copies of one service: how each is named and reached from the host.
_PER_COPY = frozenset({"container_name", "hostname", "ports", "labels", "networks", "scale",
                       "depends_on", "profiles", "restart", "x-hopper"})


@dataclass(frozen=True, slots=True)
class Merge:
    kept: str
    members: tuple[str, ...]  # every service of the upstream, the kept one first
    upstream: str
    replicas: int


def _replicas(svc: Mapping[str, Any]) -> int:
    deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
    assert isinstance(deploy, dict)
    for value in (deploy.get("replicas"), svc.get("scale")):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return 1


def _comparable(svc: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(svc)
    if isinstance(out.get("deploy"), dict):
        out["deploy"] = {k: v for k, v in out["deploy"].items() if k != "replicas"} or None
    return out


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    a, b = _comparable(a), _comparable(b)
    keys = (set(a) | set(b)) - _PER_COPY
    differ = sorted(k for k in keys if a.get(k) != b.get(k))
    if "environment" in differ:
        env_a, env_b = a.get("environment") or {}, b.get("environment") or {}
        names = sorted(k for k in set(env_a) | set(env_b) if env_a.get(k) != env_b.get(k))
        differ[differ.index("environment")] = "environment (" + ", ".join(names) + ")"
    return differ


def find_merges(upstreams: list[Upstream], services: Mapping[str, Mapping[str, Any]],
                resolve_host: Callable[[str], str | None], out: list[Diagnostic]) -> list[Merge]:
    """The upstreams whose servers are identical services of the project, to merge."""
    merges: list[Merge] = []
    taken: set[str] = set()
    for upstream in upstreams:
        members: list[str] = []
        ports: set[int | None] = set()
        for server in upstream.servers:
            name = resolve_host(server.host)
            if name is None or name not in services:
                members = []
                break  # a server outside the project: nginx balances across something else too
            if name not in members:
                members.append(name)
            ports.add(server.port)
        if len(members) < 2 or taken.intersection(members):
            continue
        where: Location | None = upstream.location
        if len(ports) > 1:
            out.append(warning(W_UPSTREAM_NOT_MERGED, f"nginx upstream '{upstream.name}' balances "
                               f"{', '.join(members)} on different ports; they stay separate services", where,
                               hint="give the copies the same port to run them as one service with replicas"))
            continue
        first = services[members[0]]
        differs = {m: _differences(first, services[m]) for m in members[1:]}
        if any(differs.values()):
            detail = "; ".join(f"{m}: {', '.join(d)}" for m, d in differs.items() if d)
            out.append(warning(W_UPSTREAM_NOT_MERGED, f"nginx upstream '{upstream.name}' balances "
                               f"{', '.join(members)}, which are not identical ({detail} differ from "
                               f"{members[0]}); they stay separate services and the route goes to "
                               f"{members[0]} only", where,
                               hint="make the copies identical to run them as one service with replicas"))
            continue
        taken.update(members)
        merges.append(Merge(kept=members[0], members=tuple(members), upstream=upstream.name,
                            replicas=sum(_replicas(services[m]) for m in members)))
    return merges


def with_replicas(svc: dict[str, Any], replicas: int) -> dict[str, Any]:
    """The kept service, run ``replicas`` times."""
    deploy = dict(svc.get("deploy") or {}) if isinstance(svc.get("deploy"), dict) else {}
    deploy["replicas"] = replicas
    out = {k: v for k, v in svc.items() if k != "scale"}
    out["deploy"] = deploy
    return out
