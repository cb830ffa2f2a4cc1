"""What the target platform's edge and storage can do, looked up per platform.

Findings compare two models, but some advice depends on where the setup goes: a route's body
limit is an nginx directive on Fly or compose (the front is nginx there) and a setting nobody
can change on Clever Cloud (its load balancers route paths); Clever's load balancers add the
forwarded headers themselves; a Tigris shadow bucket exists only on Fly. One small table per
target, so no rule speaks Fly's language to a Clever target. (Issue 17 moves this knowledge into
the format packages.)
"""

from __future__ import annotations

from dataclasses import dataclass


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


_RCLONE = "Copy the objects with rclone sync (both sides as S3 remotes), then compare object counts"
_NGINX = Edge(proxy="nginx", limits_settable=True, forwards=frozenset(),
              object_copy=_RCLONE + ".")
_EDGES = {
    "fly": Edge(proxy="nginx", limits_settable=True, forwards=frozenset(),
                object_copy=_RCLONE + "; Tigris can also pull from the old bucket on first read "
                                      "(shadow bucket)."),
    "clevercloud": Edge(proxy="Clever Cloud's load balancers", limits_settable=False,
                        forwards=frozenset({"host", "x-forwarded-for", "x-forwarded-proto"}),
                        object_copy=_RCLONE + " (the Cellar remote's endpoint is "
                                              "https://cellar-c2.services.clever-cloud.com, "
                                              "with the add-on's CELLAR_ADDON_KEY_ID/SECRET).",
                        websocket=True,
                        strip_remedy="Clever's path routing passes the full path: make the API "
                                     "serve its routes under the prefix (a base path or router "
                                     "mount), or give it a domain of its own.",
                        headers_remedy="Read the client's address from X-Forwarded-For, which "
                                       "Clever's load balancers set; they cannot be told to send "
                                       "other headers."),
}


def edge(platform: str) -> Edge:
    """The target's edge; nginx (the front hopper writes for compose and Fly) otherwise."""
    return _EDGES.get(platform, _NGINX)
