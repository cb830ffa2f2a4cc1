"""Schedules back from a Fly setup: a ``[processes]`` group that runs ``supercronic <crontab>``,
whose crontab arrives through ``[[files]]`` from a file beside fly.toml (as hopper's writer ships
it). Each crontab line becomes a :class:`~hopper.model.Schedule` of the app's service; the group
is not read as a worker. Other supercronic setups (a crontab baked into the image) stay a worker.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from hopper import cron
from hopper.diagnostics import Location
from hopper.formats.fly.flytoml_config import FlyConfig
from hopper.model import Schedule

_MAX_CRONTAB_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class CronGroup:
    group: str
    guest_path: str
    schedules: tuple[Schedule, ...]


def cron_group(cfg: FlyConfig, config_dir: Path, folder: str, service: str) -> CronGroup | None:
    files = {str(f.get("guest_path")): f.get("local_path") for f in cfg.data.get("files") or []
             if isinstance(f, dict)}
    for group, command in sorted((cfg.data.get("processes") or {}).items()):
        try:
            words = shlex.split(command) if isinstance(command, str) else []
        except ValueError:
            continue
        if "supercronic" not in words or words.index("supercronic") != len(words) - 2:
            continue
        guest = words[-1]
        local = files.get(guest)
        if not isinstance(local, str):
            continue
        path = (config_dir / local).resolve()
        if not path.is_relative_to(config_dir.resolve()) or not path.is_file() or path.is_symlink() \
                or path.stat().st_size > _MAX_CRONTAB_BYTES:
            continue
        shown = f"{folder}/{local}" if folder != "." else local
        jobs: list[Schedule] = []
        name: str | None = None
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            text = line.strip()
            if text.startswith("#"):
                # hopper's writer names each job on the comment line above it.
                name = text[1:].strip() or None
                continue
            parts = cron.split_line(text)
            if parts is None:
                name = None
                continue
            jobs.append(Schedule(name=name or f"{service}-cron-{len(jobs) + 1}", cron=parts[0],
                                 command=parts[1], service=service,
                                 origin=Location(file=shown, line=number)))
            name = None
        return CronGroup(group=group, guest_path=guest, schedules=tuple(jobs))
    return None
