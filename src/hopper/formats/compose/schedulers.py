"""Compose services that are schedulers become the model's schedules (issue 14, class 8).

Two shapes are read:

* **ofelia** (``mcuadros/ofelia``, ``netresearch/ofelia``): jobs are Docker labels.
  ``ofelia.job-exec.<job>.schedule`` / ``.command`` on a service run the command in that
  service's container; ``ofelia.job-run.<job>.*`` on the ofelia service runs ``command`` in a
  new container of ``image`` (or starts ``container``), which hopper ties to the service running
  that image or named so. ``job-local`` runs inside ofelia itself and has nowhere to go. Ofelia's
  schedules have a seconds field (``0 */5 * * * *``) and ``@every 5m``; they become five-field
  expressions where that keeps their meaning. The ofelia service itself is left out: the target
  platform's scheduler takes its place.
* **crond / supercronic**: a service whose command runs ``crond``, ``cron`` or ``supercronic``,
  with its crontab mounted or copied in by its Dockerfile. Each line becomes a schedule of that
  service, in its image; the daemon is no longer its command (the target's scheduler runs the
  lines). When another service is built or pulled the same way, the jobs join it and the cron
  service is left out, as one app with a cron process group.

A ``while true; do ...; sleep N; done`` loop is not a cron: the service stays a worker. What is
not understood (a job-local, an unknown job parameter, a sub-minute schedule, an unseen crontab)
is a warning naming it (HOP198).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper import cron
from hopper.diagnostics import Diagnostic, Limits, Location, Severity, code, info, warning
from hopper.formats.compose.front import FrontResult, _mounted_file, _mounts
from hopper.model import Schedule
from hopper.shared.dockerfile import Dockerfile

I_SCHEDULER = code("HOP197", Severity.INFO, "a compose scheduler (ofelia labels, a crontab run by crond or supercronic) became schedules")
W_SCHEDULE_UNREAD = code("HOP198", Severity.WARNING, "part of a compose scheduler is not understood and is not carried")

Locate = Callable[..., Location | None]

_OFELIA_IMAGES = ("mcuadros/ofelia", "netresearch/ofelia", "ofelia")
_LABEL = re.compile(r"^ofelia\.(?P<kind>job-exec|job-run|job-local|job-service-run)\.(?P<job>[^.]+)\.(?P<param>[^.]+)$")
# Job parameters the target's scheduler keeps: supercronic never runs a job twice at once.
_CARRIED = {"schedule", "command", "no-overlap", "container", "image"}
# Where a cron daemon reads its crontab when it is not given one; files in /etc/cron.d and
# /etc/crontab have a user field after the schedule.
_DEFAULT_CRONTABS = ("/etc/crontabs/root", "/var/spool/cron/crontabs/root", "/etc/crontab")
_USER_FIELD_PATHS = ("/etc/crontab", "/etc/cron.d/")


@dataclass(slots=True)
class SchedulerResult:
    schedules: list[Schedule] = field(default_factory=list)
    left_out: set[str] = field(default_factory=set)  # scheduler services the model does not keep
    cleared: dict[str, str] = field(default_factory=dict)  # service -> the cron daemon that was its command
    crontabs: dict[str, set[str]] = field(default_factory=dict)  # service -> crontab paths read (mounts used up)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ServiceView:
    """What the scheduler pass needs of one service."""

    svc: dict[str, Any]
    dockerfile: Dockerfile | None
    context: Path | None


def _repository(image: str) -> str:
    rest = image.partition("@")[0]
    name = rest.rsplit(":", 1)[0] if rest.rfind(":") > rest.rfind("/") else rest
    return name.lower().removeprefix("docker.io/").removeprefix("library/")


def is_ofelia(svc: Mapping[str, Any]) -> bool:
    image = svc.get("image")
    return isinstance(image, str) and _repository(image) in _OFELIA_IMAGES


# ---------------------------------------------------------------------------- schedules


def ofelia_cron(expr: str) -> str | None:
    """An ofelia schedule as a five-field expression or shorthand, or None when it has none
    (sub-minute, an interval that does not divide an hour or a day)."""
    text = expr.strip()
    lowered = text.lower()
    if lowered in cron.SHORTHANDS:
        return lowered
    if lowered.startswith("@every "):
        minutes = _duration_minutes(lowered.removeprefix("@every ").strip())
        if minutes is None:
            return None
        if minutes < 60 and 60 % minutes == 0:
            return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
        hours, rest = divmod(minutes, 60)
        if rest or 24 % hours:
            return None
        return "0 * * * *" if hours == 1 else "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"
    parts = text.split()
    if len(parts) == 6:
        if not re.fullmatch(r"[0-9]+", parts[0]):
            return None  # runs several times a minute
        parts = parts[1:]
    candidate = " ".join(parts)
    return candidate if cron.is_cron(candidate) else None


def _duration_minutes(text: str) -> int | None:
    """A Go duration (``90m``, ``1h30m``, ``24h``) in whole minutes, or None."""
    if not re.fullmatch(r"(?:[0-9]+(?:h|m|s))+", text):
        return None
    seconds = 0
    for number, unit in re.findall(r"([0-9]+)(h|m|s)", text):
        seconds += int(number) * {"h": 3600, "m": 60, "s": 1}[unit]
    if seconds == 0 or seconds % 60:
        return None
    return seconds // 60


# ---------------------------------------------------------------------------- the pass


class _Pass:
    def __init__(self, services: Mapping[str, ServiceView], root: Path, limits: Limits,
                 configs: dict[str, dict[str, Any]], locate: Locate) -> None:
        self.services = services
        self.root = root
        self.limits = limits
        self.configs = configs
        self.locate = locate
        self.result = SchedulerResult()
        self.counts: dict[str, int] = {}

    def warn(self, message: str, where: Location | None, hint: str | None = None) -> None:
        self.result.diagnostics.append(warning(W_SCHEDULE_UNREAD, message, where, hint=hint))

    def add(self, service: str, expr: str, command: str, origin: Location | None) -> None:
        n = self.counts[service] = self.counts.get(service, 0) + 1
        self.result.schedules.append(Schedule(name=f"{service}-cron-{n}", cron=expr, command=command,
                                              service=service, origin=origin))

    # ------------------------------------------------------------------ ofelia

    def ofelia(self) -> None:
        schedulers = sorted(n for n, v in self.services.items() if is_ofelia(v.svc))
        if not schedulers:
            return
        for name in schedulers:
            self.result.left_out.add(name)
        for name, view in sorted(self.services.items()):
            jobs: dict[tuple[str, str], dict[str, str]] = {}
            for label, value in sorted((view.svc.get("labels") or {}).items()):
                match = _LABEL.match(str(label))
                if match:
                    jobs.setdefault((match["kind"], match["job"]), {})[match["param"]] = str(value)
            for (kind, job), params in sorted(jobs.items()):
                self._ofelia_job(name, kind, job, params, from_scheduler=name in schedulers)
        found = len(self.result.schedules)
        for name in schedulers:
            self.result.diagnostics.append(info(
                I_SCHEDULER, f"{name}: ofelia scheduler; its jobs are read from the services' labels "
                f"({found} schedule(s) carried) and the service itself is left out: the target's scheduler "
                "runs them", self.locate("services", name)))

    def _ofelia_job(self, owner: str, kind: str, job: str, params: dict[str, str], *,
                    from_scheduler: bool) -> None:
        where = self.locate("services", owner, "labels", f"ofelia.{kind}.{job}.schedule") or \
            self.locate("services", owner, "labels") or self.locate("services", owner)
        what = f"{owner}: ofelia {kind} job '{job}'"
        if kind in ("job-local", "job-service-run"):
            self.warn(f"{what} runs inside the ofelia container (or as a Swarm service); it is not "
                      "carried", where, hint="make it a job-exec on the service whose image has the command")
            return
        schedule, command = params.get("schedule"), params.get("command")
        if not schedule or (not command and kind == "job-exec"):
            self.warn(f"{what} has no {'schedule' if not schedule else 'command'}; it is not carried", where)
            return
        expr = ofelia_cron(schedule)
        if expr is None:
            self.warn(f"{what}: schedule '{schedule}' has no five-field cron form (it runs more than once a "
                      "minute, or at an interval that does not divide an hour or a day); it is not carried",
                      where, hint="use a cron expression with minute resolution")
            return
        target = owner
        if kind == "job-run" or (kind == "job-exec" and from_scheduler):
            found = self._job_target(params)
            if found is None:
                named = params.get("container") or params.get("image") or "nothing"
                self.warn(f"{what} runs in '{named}', which no service of this project runs; it is not "
                          "carried", where, hint="put the job's labels on the service it runs in")
                return
            target = found
        if not command:  # a job-run of an image with its own command
            command = shlex.join(_command_words(self.services[target].svc)) or ""
            if not command:
                self.warn(f"{what} runs its image's default command, which hopper cannot see; it is not "
                          "carried", where)
                return
        lost = sorted(set(params) - _CARRIED)
        if lost:
            self.warn(f"{what}: {', '.join(lost)} not carried (the job runs as the image's user, with the "
                      "service's environment)", where)
        self.add(target, expr, command, where)

    def _job_target(self, params: dict[str, str]) -> str | None:
        container = params.get("container")
        image = params.get("image")
        for name, view in sorted(self.services.items()):
            if is_ofelia(view.svc):
                continue
            names = {name, str(view.svc.get("container_name") or ""), str(view.svc.get("hostname") or "")}
            if container and container in names:
                return name
            if image and not container and isinstance(view.svc.get("image"), str) and \
                    _repository(str(view.svc["image"])) == _repository(image):
                return name
        return None

    # ------------------------------------------------------------------ crond / supercronic

    def cron_daemons(self) -> None:
        for name, view in sorted(self.services.items()):
            if name in self.result.left_out:
                continue
            words = _command_words(view.svc) or _image_words(view.dockerfile)
            program = _cron_program(words)
            if program is None:
                continue
            where = self.locate("services", name, "command") or self.locate("services", name)
            paths = _crontab_paths(program, words)
            mounts = _mounts(name, view.svc, self.root, view.dockerfile, view.context, self.configs,
                             self.locate, FrontResult())
            found = [(path, mount) for path in paths if (mount := _mounted_file(mounts, path)) is not None]
            if not found:
                self.warn(f"{name}: runs {program}, but its crontab ({', '.join(paths)}) is neither mounted "
                          "nor copied from the project; its jobs are not carried", where,
                          hint="mount the crontab file from the project, or copy it in the Dockerfile")
                continue
            entries: list[tuple[str, str, Location | None]] = []
            for path, mount in found:
                entries += self._crontab(name, path, mount.source, mount.origin or where)
            if not entries:
                continue
            sibling = _same_image(name, view, self.services, self.result.left_out)
            if sibling is not None:
                self.result.left_out.add(name)
                placed = f"they run in service '{sibling}', built the same way, and '{name}' is left out"
            else:
                self.result.cleared[name] = program
                self.result.crontabs[name] = {p for p, _ in found}
                placed = f"'{name}' keeps its image, and the target's scheduler replaces {program}"
            for expr, command, origin in entries:
                self.add(sibling or name, expr, command, origin)
            self.result.diagnostics.append(info(
                I_SCHEDULER, f"{name}: {program} runs {len(entries)} job(s) from "
                f"{', '.join(p for p, _ in found)}; {placed}", where))

    def _crontab(self, service: str, path: str, source: Path,
                 where: Location | None) -> list[tuple[str, str, Location | None]]:
        """The crontab's jobs as (schedule, command, where)."""
        entries: list[tuple[str, str, Location | None]] = []
        rel = source.resolve().relative_to(self.root.resolve()).as_posix() \
            if source.resolve().is_relative_to(self.root.resolve()) else str(source)
        try:
            if source.stat().st_size > self.limits.max_file_bytes:
                self.warn(f"{service}: crontab {rel} is larger than the file limit; it is not read", where)
                return entries
            text = source.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.warn(f"{service}: crontab {rel} cannot be read ({exc.strerror}); its jobs are not carried", where)
            return entries
        user_field = path == "/etc/crontab" or path.startswith("/etc/cron.d/")
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            loc = Location(file=rel, line=number, col=1)
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", stripped):
                self.warn(f"{service}: crontab {rel} sets {stripped.split('=', 1)[0].strip()}; variables of "
                          "a crontab are not carried (the jobs get the service's environment)", loc)
                continue
            split = cron.split_line(stripped)
            if split is None:
                self.warn(f"{service}: crontab {rel} line {number} is not a schedule and a command; it is "
                          "not carried", loc)
                continue
            expr, command = split
            if user_field:
                user, _, command = command.partition(" ")
                command = command.strip()
                if not command:
                    self.warn(f"{service}: crontab {rel} line {number} has no command after the user "
                              f"'{user}'; it is not carried", loc)
                    continue
            entries.append((expr, command, loc))
        return entries


def _image_words(dockerfile: Dockerfile | None) -> list[str]:
    """The ENTRYPOINT and CMD of the service's own Dockerfile, when compose sets neither."""
    if dockerfile is None:
        return []
    stage = dockerfile.final
    return [*(stage.entrypoint.args if stage.entrypoint else ()), *(stage.cmd.args if stage.cmd else ())]


def _command_words(svc: Mapping[str, Any]) -> list[str]:
    words: list[str] = []
    for key in ("entrypoint", "command"):
        value = svc.get(key)
        if isinstance(value, list):
            words += [str(v) for v in value]
    return words


_DAEMON = re.compile(r"(?:^|[;&|(]\s*|\bexec\s+|\bbusybox\s+)(?:\S*/)?(?P<program>crond|cron|supercronic)(?=\s|$|[;&|)])")


def _cron_program(words: list[str]) -> str | None:
    """The cron daemon a command runs (in command position, also inside ``sh -c '...'``), or
    None: ``python manage.py cron`` is not a cron daemon."""
    for line in (" ".join(words), *(w for w in words if " " in w.strip())):
        match = _DAEMON.search(line.strip())
        if match:
            return match["program"]
    return None


def _crontab_paths(program: str, words: list[str]) -> list[str]:
    """The crontab files the daemon reads, as container paths."""
    if program == "supercronic":
        tokens: list[str] = []
        for word in words:
            tokens += word.split()
        after = tokens[tokens.index(next(t for t in tokens if t.rsplit("/", 1)[-1] == "supercronic")) + 1:]
        files = [t for t in after if not t.startswith("-") and t.startswith("/")]
        return files[:1] or []
    return list(_DEFAULT_CRONTABS)


def _same_image(name: str, view: ServiceView, services: Mapping[str, ServiceView], left_out: set[str]) -> str | None:
    """Another service built from the same context and Dockerfile, or running the same image
    with its default command."""
    def key(svc: Mapping[str, Any]) -> tuple[Any, ...] | None:
        build = svc.get("build")
        if isinstance(build, dict):
            return ("build", build.get("context"), build.get("dockerfile"), build.get("target"))
        image = svc.get("image")
        return ("image", image) if isinstance(image, str) else None

    mine = key(view.svc)
    if mine is None:
        return None
    for other, other_view in sorted(services.items()):
        if other == name or other in left_out or is_ofelia(other_view.svc):
            continue
        if key(other_view.svc) != mine or _cron_program(_command_words(other_view.svc)) is not None:
            continue
        # A pulled image is the same program only where the other service runs its default
        # command (nextcloud beside nextcloud-cron); alpine running a loop is something else.
        if mine[0] == "build" or not _command_words(other_view.svc):
            return other
    return None


def without_daemon(svc: dict[str, Any], crontabs: set[str]) -> dict[str, Any]:
    """The service without the command that ran its cron daemon and the mounts that gave it its
    crontab: the target's scheduler runs the jobs, and the service keeps its image."""
    def crontab_mount(vol: Any) -> bool:
        target = str(vol.get("target") or "") if isinstance(vol, dict) else ""
        return bool(target) and any(p == target or p.startswith(target.rstrip("/") + "/") for p in crontabs)

    out = {k: v for k, v in svc.items() if k not in ("command", "entrypoint")}
    if "volumes" in out:
        out["volumes"] = [v for v in out["volumes"] or [] if not crontab_mount(v)]
    return out


def read_schedulers(services: Mapping[str, ServiceView], *, root: Path, limits: Limits,
                    configs: dict[str, dict[str, Any]], locate: Locate) -> SchedulerResult:
    """The schedules of the project's scheduler services, and which services they replace."""
    work = _Pass(services, root, limits, configs, locate)
    work.ofelia()
    work.cron_daemons()
    work.result.schedules.sort(key=lambda s: s.name)
    return work.result
