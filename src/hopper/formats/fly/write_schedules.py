"""The model's schedules (cron jobs) on Fly.io, decided once for the renderers.

fly.toml has no cron section (flyio.md §7.3). Two forms exist, and hopper picks per app:

* **supercronic**, the default: a ``cron`` process group of the app that owns the jobs runs
  ``supercronic`` on a crontab shipped with ``[[files]]``. Any cron expression works, jobs get the
  app's env and secrets, and ``fly deploy`` keeps them in step with the app. The generated
  Dockerfile installs supercronic; an app built from its own Dockerfile or image must add it
  (HOP561 names the lines).
* A service whose own command was a cron daemon (compose ``crond -f`` with a crontab) runs
  supercronic as its only process group: the image's default command does not run beside it.
* **scheduled Machines**, only for an app that runs a named image and whose every job is hourly,
  daily, weekly or monthly (all ``fly machine run --schedule`` offers): fly-setup.sh creates one
  Machine per job. Such a Machine is not in fly.toml, ``fly deploy`` does not update its image,
  and Fly picks the time within the period (HOP562).

Clever Cloud's ``$ROOT`` (the app's home) becomes the folder the generated image keeps the app in.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from hopper import cron, mappings
from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly.plan_types import SHIM_GUEST_PATH, App, Plan
from hopper.formats.fly.setfiles import CRONTAB
from hopper.model import Schedule

I_SCHEDULE = code("HOP560", Severity.INFO, "how the source's schedules run on Fly")
W_SCHEDULE_IMAGE = code("HOP561", Severity.WARNING, "the app's own image must install supercronic to run its schedules")
W_SCHEDULED_MACHINE = code("HOP562", Severity.WARNING, "a schedule runs as a scheduled Machine, outside fly.toml")
W_SCHEDULE_LOST = code("HOP563", Severity.WARNING, "a schedule has no app to run in and is not written")

CRON_GROUP = "cron"
CRONTAB_GUEST_PATH = "/etc/hopper/crontab"
CRONTAB_FILE = CRONTAB  # beside fly.toml, under a name of its own (setfiles)
APP_HOME = "/app"  # where the generated Dockerfiles put the application
_ROOT_TOKEN = re.compile(r"\$\{ROOT\}|\$ROOT\b")


@dataclass(frozen=True, slots=True)
class ScheduledMachine:
    name: str  # the Machine's name
    job_app: str  # the Fly app it belongs to
    interval: str  # hourly, daily, weekly, monthly
    image: str
    command: tuple[str, ...]
    job: Schedule


@dataclass(frozen=True, slots=True)
class AppSchedules:
    app: str  # the Fly app name
    folder: str
    jobs: tuple[Schedule, ...]
    crontab: str | None  # the crontab text (supercronic), or None (scheduled Machines)
    machines: tuple[ScheduledMachine, ...] = ()

    @property
    def supercronic(self) -> bool:
        return self.crontab is not None

    def scale_command(self) -> list[str] | None:
        """One Machine of the cron group: on several, every job would run several times."""
        if self.crontab is None:
            return None
        return ["flyctl", "scale", "count", f"{CRON_GROUP}=1", "--app", self.app, "--yes"]


def supercronic_install() -> dict[str, str]:
    """The dated supercronic release the generated Dockerfile installs (mappings/fly-versions.toml)."""
    entry = mappings.table("fly-versions")["supercronic"]
    url = (f"https://github.com/aptible/supercronic/releases/download/{entry['version']}/"
           f"{entry['binary']}")
    return {"url": url, "sha1": str(entry["sha1"]), "version": str(entry["version"])}


def runs_supercronic(app: App) -> bool:
    return CRON_GROUP in app.processes and (CRONTAB_GUEST_PATH, CRONTAB_FILE) in app.files


def replaces_daemon(app: App) -> bool:
    """The service's own command was a cron daemon (compose ``crond -f``, read as schedules):
    its app runs supercronic alone, and serves nothing."""
    return bool(app.service.extensions.get("cron")) and not app.http and app.tcp_port is None


def plan_schedules(plan: Plan, diags: Diagnostics) -> list[AppSchedules]:
    by_app: dict[str, tuple[App, list[Schedule]]] = {}
    for job in plan.arch.schedules:
        app = plan.app_for(job.service) if job.service else None
        if app is None:
            owner = f"service '{job.service}', which is not deployed" if job.service else "no service"
            diags.warning(W_SCHEDULE_LOST, f"schedule '{job.name}' ({job.cron} {job.command}) belongs to "
                          f"{owner}; it is not written", job.origin,
                          hint="run it in an app's image with a supercronic process group")
            continue
        by_app.setdefault(app.name, (app, []))[1].append(job)
    out: list[AppSchedules] = []
    for _name, (app, jobs) in sorted(by_app.items()):
        intervals = [cron.coarse_interval(j.cron) for j in jobs]
        if replaces_daemon(app):
            out.append(_supercronic(app, jobs, diags))  # the service is its scheduler
        elif app.build_mode == "image" and app.image and all(intervals):
            out.append(_machines(app, jobs, intervals, diags))
        else:
            out.append(_supercronic(app, jobs, diags))
    return out


def _command(job: Schedule, home: str) -> str:
    return _ROOT_TOKEN.sub(home, job.command)


def _supercronic(app: App, jobs: list[Schedule], diags: Diagnostics) -> AppSchedules:
    home = APP_HOME if app.build_mode == "node" else "$ROOT"
    lines = [f"# Schedules of '{app.service.name}' on Fly.io, written by hopper. supercronic runs them in",
             f"# process group '{CRON_GROUP}' of app '{app.name}' (one Machine), in UTC, with the app's env",
             "# and secrets." + (f" $ROOT is the app's home in the image, {APP_HOME}."
                                 if home == APP_HOME else "")]
    for job in jobs:
        if any(ord(c) < 32 for c in job.command + job.cron):
            diags.warning(W_SCHEDULE_LOST, f"schedule '{job.name}' holds a control character; it is "
                          "not written", job.origin)
            continue
        lines += [f"# {job.name}", f"{job.cron} {_command(job, home)}"]
    crontab = "\n".join(lines) + "\n"
    command = f"supercronic {CRONTAB_GUEST_PATH}"
    if (SHIM_GUEST_PATH, "hopper-env.sh") in app.files:
        command = f"/bin/sh {SHIM_GUEST_PATH} {command}"
    if replaces_daemon(app):
        # The source ran a cron daemon as this service's command: supercronic takes its place,
        # and the image's own command does not run beside it.
        app.processes = {CRON_GROUP: command}
        app.mounts = tuple(replace(m, process=CRON_GROUP) for m in app.mounts)
    elif not app.processes:
        # The app's own group keeps the image's command; its service and mounts stay with it.
        app.processes = {"app": ""}
        app.mounts = tuple(replace(m, process="app") if m.process is None else m for m in app.mounts)
    if not replaces_daemon(app):
        app.processes[CRON_GROUP] = command
    app.files = (*app.files, (CRONTAB_GUEST_PATH, CRONTAB_FILE))
    diags.info(I_SCHEDULE, f"app '{app.name}': {len(jobs)} schedule(s) run by supercronic in process "
               f"group '{CRON_GROUP}' ({app.folder}/{CRONTAB_FILE}); run one Machine of it "
               f"(`flyctl scale count {CRON_GROUP}=1`)", jobs[0].origin)
    if app.build_mode != "node":
        tool = supercronic_install()
        diags.warning(W_SCHEDULE_IMAGE, f"app '{app.name}' is built from its own "
                      f"{'image' if app.build_mode == 'image' else 'Dockerfile'}, which hopper does not "
                      "change: install supercronic there for its schedules to run, and set ROOT if "
                      "the commands use $ROOT", jobs[0].origin,
                      hint=f"ADD --chmod=0755 {tool['url']} /usr/local/bin/supercronic")
    return AppSchedules(app=app.name, folder=app.folder, jobs=tuple(jobs), crontab=crontab)


def _machines(app: App, jobs: list[Schedule], intervals: list[str | None],
              diags: Diagnostics) -> AppSchedules:
    assert app.image is not None
    machines: list[ScheduledMachine] = []
    for index, (job, interval) in enumerate(zip(jobs, intervals, strict=True)):
        assert interval is not None
        try:
            command = tuple(shlex.split(job.command))
        except ValueError:
            command = ("/bin/sh", "-c", job.command)
        if any(ch in job.command for ch in "|&;<>$`*?"):
            command = ("/bin/sh", "-c", job.command)  # the shell features a crontab line may use
        machines.append(ScheduledMachine(name=f"{app.name}-cron-{index + 1}", job_app=app.name, interval=interval,
                                         image=app.image, command=command, job=job))
        diags.warning(W_SCHEDULED_MACHINE, f"schedule '{job.name}' ({job.cron}) runs as a {interval} "
                      f"scheduled Machine of app '{app.name}': Fly picks the time within the period, "
                      "the Machine is not in fly.toml, and `fly deploy` does not update its image",
                      job.origin, hint="recreate it after an image change (fly-setup.sh shows the command)")
    return AppSchedules(app=app.name, folder=app.folder, jobs=tuple(jobs), crontab=None,
                        machines=tuple(machines))
