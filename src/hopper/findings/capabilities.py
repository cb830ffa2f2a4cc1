"""What the target platform's edge and storage can do, looked up per platform.

Findings compare two models, but some advice depends on where the setup goes: a route's body
limit is an nginx directive on Fly or compose (the front is nginx there) and a setting nobody
can change on Clever Cloud (its load balancers route paths); Clever's load balancers add the
forwarded headers themselves; a Tigris shadow bucket exists only on Fly. One small table per
target, so no rule speaks Fly's language to a Clever target; the table is data, in
mappings/platform-edges.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

from hopper import mappings


@dataclass(frozen=True, slots=True)
class Edge:
    proxy: str  # who applies the routes on the target, in the plan's words
    limits_settable: bool  # body size and proxy timeouts can be set per route
    # Headers the platform's edge adds to every proxied request (lower case): Clever's load
    # balancers terminate TLS and pass X-Forwarded-For / X-Forwarded-Proto, and route by Host,
    # which they keep.
    forwards: frozenset[str]
    object_copy: str  # how to copy objects into the target's store (the HD610 remedy)
    websocket: bool = False  # the edge passes WebSocket upgrades by itself
    headers_remedy: str = "Add the proxy_set_header lines for these headers on the target."
    strip_remedy: str = ("Make the target strip (or keep) the prefix as the source did (nginx: a "
                         "trailing slash on proxy_pass strips it).")


def edge(platform: str) -> Edge:
    """The target's edge from ``mappings/platform-edges.toml``: the platform's entry over the
    ``default`` one (the nginx front hopper writes for compose and any other target)."""
    data = mappings.table("platform-edges")
    fields = {**data["default"], **data.get(platform, {})}
    return Edge(proxy=str(fields["proxy"]), limits_settable=bool(fields["limits_settable"]),
                forwards=frozenset(str(h).lower() for h in fields["forwards"]),
                object_copy=str(fields["object_copy"]), websocket=bool(fields["websocket"]),
                headers_remedy=str(fields["headers_remedy"]), strip_remedy=str(fields["strip_remedy"]))
