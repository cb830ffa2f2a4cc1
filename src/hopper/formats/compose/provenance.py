"""Where each model field of a compose service was written: ``key_origins`` for the plan.

The compose loader already knows where every key is (``project.locations``, by key path, with
``environment`` entries by name whether written as a mapping, a list or an ``env_file`` line).
This module looks up the exact key behind each field — an ``x-hopper`` hint first, as it wins
over what compose says — so a plan finding about ``scaling.min_instances`` points at
``deploy.replicas`` and one about ``NODE_ENV`` at its line under ``environment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hopper.diagnostics import Location
from hopper.model import Database, ObjectStore, Service, key_origins

Locations = Mapping[tuple[str | int, ...], Location]


def _first(locations: Locations, *paths: tuple[str | int, ...]) -> Location | None:
    for path in paths:
        loc = locations.get(path)
        if loc is not None:
            return loc
    return None


def with_key_origins(svc: Service, locations: Locations) -> Service:
    """``svc`` with the key_origins of itself, its runtime, scaling and build filled in."""
    name = svc.name
    s: tuple[str, ...] = ("services", name)
    hint = (*s, "x-hopper")
    limits = (*s, "deploy", "resources", "limits")
    reservations = (*s, "deploy", "resources", "reservations")
    replicas = (*s, "deploy", "replicas")

    def at(*paths: tuple[str | int, ...]) -> Location | None:
        return _first(locations, *paths)

    scaling = key_origins(
        ("min_instances", at((*hint, "min_instances"), replicas, (*s, "scale"))),
        ("max_instances", at((*hint, "max_instances"), replicas, (*s, "scale"))),
        ("cpus", at((*hint, "cpus"), (*hint, "size"), (*limits, "cpus"), (*reservations, "cpus"))),
        ("memory_mb", at((*hint, "memory"), (*hint, "size"), (*limits, "memory"),
                         (*reservations, "memory"))),
        ("autostop", at((*hint, "autostop"), ("x-hopper", "autostop"))),
        ("autostart", at((*hint, "autostart"),)),
        ("min_running", at((*hint, "min_running"), ("x-hopper", "min_running"))),
    )
    env = svc.runtime.env
    runtime = key_origins(
        ("port", at((*hint, "port"), (*s, "ports"), (*s, "expose"), (*s, "environment", "PORT"))),
        ("env", at((*s, "environment"), (*s, "env_file"))),
        *((f"env.{k}", at((*s, "environment", k))) for k in env),
        *((f"secret_env.{k}", at((*s, "environment", k), (*hint, "secrets"), (*s, "secrets")))
          for k in svc.runtime.secret_env),
        ("secret_env", at((*s, "secrets"), (*hint, "secrets"))),
        ("command", at((*s, "command"))),
        ("entrypoint", at((*s, "entrypoint"))),
        ("release_command", at((*hint, "release_command"), (*s, "command"))),
        ("health_check", at((*s, "healthcheck"), (*hint, "health_path"))),
        ("user", at((*s, "user"))),
    )
    service = key_origins(
        ("public", at((*hint, "public"), (*s, "ports"))),
        ("domains", at((*hint, "domains"))),
        ("image", at((*s, "image"))),
    )
    build = svc.build
    if build is not None:
        b = (*s, "build")
        build = replace(build, key_origins={**build.key_origins, **key_origins(
            ("context", at((*b, "context"), b)),
            ("dockerfile", at((*b, "dockerfile"))),
            ("target", at((*b, "target"))),
            *((f"args.{k}", at((*b, "args", k))) for k in build.args),
            *((f"secrets.{k}", at((*b, "secrets"))) for k in build.secrets),
        )})
    return replace(
        svc, build=build, key_origins={**svc.key_origins, **service},
        runtime=replace(svc.runtime, key_origins={**svc.runtime.key_origins, **runtime}),
        scaling=replace(svc.scaling, key_origins={**svc.scaling.key_origins, **scaling}))


def backing_key_origins(item: Any, locations: Locations) -> Any:
    """A compose database or object store with the keys its fields came from."""
    s: tuple[str, ...] = ("services", item.name)
    hint = (*s, "x-hopper")
    origins = key_origins(
        ("image", _first(locations, (*s, "image"))),
        ("version", _first(locations, (*hint, "version"), (*s, "image"))),
    )
    if isinstance(item, Database | ObjectStore) and origins:
        return replace(item, key_origins={**item.key_origins, **origins})
    return item
