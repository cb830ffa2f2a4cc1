"""A Fly-like local runtime: run an emitted Fly set the way Fly would, on one Linux machine.

``hopper verify`` uses it. Each Machine (and the database and object store) runs in its own
network namespace on a shared bridge with a 6PN IPv6 address and a private IPv4 address
(:mod:`hopper.runtime.netns`); a DNS server at ``fdaa::3`` answers ``<app>.internal`` (AAAA
only, started Machines only) and ``<app>.flycast`` (:mod:`hopper.runtime.dns`); Flycast and
the public edge go through a proxy that reaches Machines over IPv4 and starts stopped ones
(:mod:`hopper.runtime.proxy`). What is emulated and what is not: docs/verify.md.

Nothing here is imported by the rest of hopper: it is loaded only by ``hopper verify``.
"""
