"""Where each finding points: the model fields it is about, so its location is the user's key.

A finding's evidence is the component it is about (a service, a database...). ``POINTS`` names,
for each code, the fields of that component the finding is about, as dotted paths from the
component (``scaling.autostop``, ``runtime.env.{name}``, with the rule's placeholders). The
readers record where each field was written (``key_origins`` on the model objects), and
:func:`locate` returns the first path that was written down — ``auto_stop_machines`` in fly.toml,
``deploy.replicas`` in compose.yaml, ``min_instance_count`` in Terraform — falling back to the
component's own origin (its section, resource or file) when no path was.

Codes in ``FILE_LEVEL`` are about a whole setup, a resource or a file by nature (a service added,
the cost estimate, data to copy): they point at the component's origin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from hopper.diagnostics import Location

_SCALING_STOP = ("scaling.autostop", "scaling.min_running", "scaling.autostart")
_COUNT = ("scaling.min_instances", "scaling.max_instances")
_SIZE = ("scaling.memory_mb", "scaling.cpus", "scaling.cpu_kind")
_ENV = ("runtime.env.{name}", "runtime.secret_env.{name}", "bindings.{name}")
_SECRET = ("runtime.secret_env.{name}", "runtime.env.{name}", "bindings.{name}")
_BUILD_SECRET = ("build.secrets.{name}",)
_RELEASE = ("runtime.release_command",)

POINTS: dict[str, tuple[str, ...]] = {
    "HD201": _SCALING_STOP, "HD202": _SCALING_STOP, "HD203": _SCALING_STOP,
    "HD204": ("scaling.min_running", "scaling.autostop"),
    "HD205": _COUNT, "HD206": _COUNT,
    "HD207": _SIZE, "HD208": ("scaling.memory_mb", "scaling.cpus"),
    "HD301": ("runtime.env", "runtime.secret_env"),
    "HD302": _ENV, "HD303": _SECRET, "HD305": _SECRET, "HD307": _ENV, "HD308": _ENV,
    "HD309": _ENV, "HD310": _ENV,
    "HD311": _BUILD_SECRET, "HD312": _BUILD_SECRET,
    "HD314": ("bindings.{name}", "runtime.secret_env.{name}", "runtime.env.{name}"),
    "HD316": ("runtime.secret_env.{target_name}", "bindings.{target_name}"),
    "HD317": ("build.args.{name}", "runtime.env.{name}"),
    "HD401": ("public", "runtime.port"), "HD402": ("public", "runtime.port"),
    "HD405": ("runtime.port",),
    "HD406": ("force_https",), "HD407": ("force_https",), "HD408": ("force_https",),
    "HD409": ("domains.{domain}", "domains"), "HD410": ("domains.{domain}", "domains"),
    "HD411": ("force_https", "domains", "public"), "HD412": ("force_https", "domains", "public"),
    "HD424": ("region",), "HD425": ("region",), "HD426": ("region",), "HD427": ("region",),
    "HD603": ("version",), "HD604": ("version",),
    "HD605": ("plan", "memory_mb", "cpus", "disk_gb"), "HD606": ("disk_gb",),
    "HD607": ("high_availability", "replicas"), "HD608": ("high_availability", "replicas"),
    "HD609": ("backups",),
    "HD613": ("provider",), "HD614": ("endpoint",),
    "HD414": ("build.node_install", "build.package_manager"), "HD415": ("build.node_install",),
    "HD701": ("build.dockerfile", "build.runtime", "build.package_manager"),
    "HD416": ("build.dockerfile",),
    "HD702": ("build.runtime_version", "build.node_engines"),
    "HD423": _RELEASE, "HD703": _RELEASE, "HD704": _RELEASE, "HD705": _RELEASE,
    "HD706": ("runtime.health_check",), "HD707": ("runtime.health_check",),
    "HD708": ("runtime.health_check",),
    "HD709": ("runtime.command", "runtime.entrypoint", "build.start_command"),
    "HD710": ("image",),
}

# Codes about a whole component, a whole setup or a file by nature: the component's origin (its
# section, resource, route, region, workflow or the code line that reads a name) is the key.
FILE_LEVEL: dict[str, str] = {
    "HD001": "the service's section", "HD002": "the service's section",
    "HD003": "the service's section", "HD004": "the service's section",
    "HD101": "the primary region key", "HD102": "the primary region key",
    "HD103": "the primary region key", "HD104": "the primary region key",
    "HD105": "the primary region key", "HD106": "the primary region key",
    "HD107": "the primary region key", "HD108": "the primary region key",
    "HD109": "the primary region key",
    "HD304": "the secret's first definition", "HD306": "the secret's first definition",
    "HD313": "the line of code that reads the name", "HD315": "the line of code that reads the name",
    "HD418": "the kept service's section (the copies' nginx upstream is named in the finding)",
    "HD403": "the route (nginx location or platform vhost) that proxies to the service",
    "HD501": "the route", "HD502": "the route", "HD503": "the route", "HD504": "the route",
    "HD505": "the route", "HD506": "the route", "HD507": "the route", "HD508": "the route",
    "HD509": "the route", "HD510": "the route", "HD511": "the route",
    "HD512": "the static site's configuration", "HD513": "the static site's configuration",
    "HD514": "the route",
    "HD601": "the database's definition", "HD602": "the database's definition",
    "HD610": "the resource's definition",
    "HD611": "the store's definition", "HD612": "the store's definition",
    "HD615": "the bucket's store", "HD616": "the bucket's store", "HD617": "the bucket's store",
    "HD618": "the bucket's store",
    "HD619": "the volume (mount)", "HD620": "the volume (mount)",
    "HD711": "the deploy workflow", "HD712": "the deploy workflow", "HD713": "the deploy workflow",
    "HD428": "the schedule (its cron.json line, its crontab line)",
    "HD720": "the schedule", "HD721": "the schedule", "HD722": "the schedule",
    "HD801": "none (the whole setup)", "HD802": "none (the whole setup)",
}


def key_origin(obj: Any, path: str, *, exact: bool = True) -> Location | None:
    """Where the field at ``path`` (dotted, from ``obj``) was written, from the ``key_origins``
    of the objects along the path; None when no reader recorded it. ``exact=False`` also
    accepts an enclosing key (``env`` for ``env.FOO``: the ``[env]`` table)."""
    parts = path.split(".")
    cur = obj
    for i in range(len(parts)):
        origins = getattr(cur, "key_origins", None)
        if isinstance(origins, Mapping) and origins:
            rest = parts[i:]
            for end in range(len(rest), 0 if not exact else len(rest) - 1, -1):
                loc = origins.get(".".join(rest[:end]))
                if isinstance(loc, Location):
                    return loc
        nxt = getattr(cur, parts[i], None) if dataclasses.is_dataclass(cur) else None
        if isinstance(nxt, tuple) and i + 1 < len(parts):
            # A collection of named components (bindings, volumes): the one named by the rest.
            want = ".".join(parts[i + 1:])
            for item in nxt:
                if want in (getattr(item, "variable", None), getattr(item, "name", None)):
                    loc = getattr(item, "origin", None)
                    return loc if isinstance(loc, Location) else None
            return None
        if nxt is None or not dataclasses.is_dataclass(nxt):
            return None
        cur = nxt
    # The path names a component of its own (a health check): its origin is the key.
    loc = getattr(cur, "origin", None) if cur is not obj else None
    return loc if isinstance(loc, Location) else None


def locate(candidates: tuple[Any, ...], paths: tuple[str, ...]) -> Location | None:
    """The most precise location of ``paths`` on any of ``candidates``: an exact key first,
    then an enclosing one; None when no reader recorded any."""
    for exact in (True, False):
        for path in paths:
            for obj in candidates:
                loc = key_origin(obj, path, exact=exact)
                if loc is not None:
                    return loc
    return None


def _format_points() -> None:
    """Where the findings a format declares about its platform point (``FILE_LEVEL`` in its
    ``Platform.findings_module``)."""
    import importlib  # noqa: PLC0415

    from hopper.formats import format_names, get_format  # noqa: PLC0415

    for name in format_names():
        module = get_format(name).platform.findings_module
        if module:
            FILE_LEVEL.update(getattr(importlib.import_module(module), "FILE_LEVEL", {}))


_format_points()
