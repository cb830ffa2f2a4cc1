"""``clevercloud/cron.json`` → :class:`~hopper.model.Schedule` entries of the model.

Clever Cloud runs each line of cron.json (``"M H d m dow command"``, UTC, ``$ROOT`` = the app's
home) on the instances of the application deployed from the repository that holds the file
(clevercloud.md §1.7). The reader names that application: the only one that runs code (Node,
Docker, another runtime), else the API, else the first one; when several could, it says which.
"""

from __future__ import annotations

from hopper import cron
from hopper.diagnostics import Diagnostics, Location
from hopper.formats.clevercloud.codes import I_CRON_APP, W_CRON
from hopper.model import Role, Schedule, Service


def schedules(lines: list[str], where: Location | None, services: list[Service],
              diags: Diagnostics) -> tuple[Schedule, ...]:
    owner = _owner(services)
    if owner is None:
        diags.warning(W_CRON, f"clevercloud/cron.json has {len(lines)} schedule(s) but no application "
                      "runs them; they are not read", where)
        return ()
    runners = [s for s in services if s.role is not Role.FRONT]
    if len(runners) > 1:
        diags.info(I_CRON_APP, f"clevercloud/cron.json: the schedules are read as running in "
                   f"'{owner.name}' (of {', '.join(repr(s.name) for s in runners)})", where)
    out: list[Schedule] = []
    for index, line in enumerate(lines):
        loc = Location(file=where.file, key=f"[{index}]") if where is not None else None
        parts = cron.split_line(line)
        if parts is None:
            diags.warning(W_CRON, f"clevercloud/cron.json entry {index + 1} ({line!r}) is not a cron "
                          "schedule followed by a command; it is not read", loc,
                          hint="write five fields (minute hour day month weekday) then the command")
            continue
        expr, command = parts
        out.append(Schedule(name=f"{owner.name}-cron-{len(out) + 1}", cron=expr, command=command,
                            service=owner.name, origin=loc))
    return tuple(out)


def _owner(services: list[Service]) -> Service | None:
    runners = [s for s in services if s.role is not Role.FRONT]
    for role in (Role.API, Role.WORKER, Role.GENERIC):
        found = sorted((s for s in runners if s.role is role), key=lambda s: s.name)
        if found:
            return found[0]
    fronts = sorted(services, key=lambda s: s.name)
    return fronts[0] if fronts else None
