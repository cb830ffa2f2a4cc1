"""What runs in each app beyond its image: Fly volumes (one per process group), the HTTP health
check that gates traffic, the release command, and the process groups' commands.
"""

from __future__ import annotations

import posixpath
import shlex

from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly import names
from hopper.formats.fly.plan_types import App, Mount
from hopper.model import Service, VolumeKind
from hopper.secrets import exec_line, shell_line

W_VOLUME = code("HOP510", Severity.WARNING, "a volume becomes a Fly volume, which belongs to one Machine in one region")
W_VOLUME_LOST = code("HOP511", Severity.WARNING, "a bind mount or tmpfs cannot be carried to Fly")
W_CHECK_COMMAND = code("HOP512", Severity.WARNING, "a command health check has no fly.toml equivalent that gates traffic")
W_ONE_MOUNT = code("HOP513", Severity.WARNING, "a Fly process group can mount only one volume")
W_RELEASE_VOLUME = code("HOP522", Severity.WARNING, "a release command runs without the app's volumes")
I_STATIC_COPY = code("HOP539", Severity.INFO, "a bind mount of the front's static files is copied into its image")


def plan_volumes(app: App, diags: Diagnostics) -> None:
    mounts: list[Mount] = []
    members: list[tuple[str | None, Service]] = [(None, app.service)]
    members += [(g, s) for g, s in sorted(app.groups.items())]
    if app.groups:
        members[0] = ("app", app.service)
    for group, svc in members:
        taken = False
        for vol in svc.volumes:
            loc = vol.origin or svc.origin
            if vol.kind is not VolumeKind.NAMED:
                if app.static_copy is not None and vol.source is not None and \
                        posixpath.normpath(vol.source.removeprefix("./")) == app.static_copy:
                    diags.info(I_STATIC_COPY, f"service '{svc.name}': bind mount '{vol.name}' of "
                               f"{vol.source} at {vol.target} is copied into the front's image", loc)
                    continue
                ro = " read-only" if vol.read_only else ""
                diags.warning(W_VOLUME_LOST, f"service '{svc.name}':{ro} {vol.kind.value} mount "
                              f"'{vol.name}' at {vol.target} cannot be carried to Fly", loc,
                              hint="copy the files into the image, or use a Fly volume")
                continue
            if taken:
                diags.warning(W_ONE_MOUNT, f"service '{svc.name}': volume '{vol.name}' at {vol.target} "
                              "is left out; a Fly process group mounts one volume", loc,
                              hint="put the data under one mount path")
                continue
            taken = True
            mount = Mount(source=names.volume_name(vol.name), destination=vol.target,
                          size_gb=vol.size_gb, process=group, volume=vol.name)
            mounts.append(mount)
            diags.warning(W_VOLUME, f"service '{svc.name}': volume '{vol.name}' becomes Fly volume "
                          f"'{mount.source}' at {vol.target}; a Fly volume belongs to one Machine in one "
                          "region and is not shared or replicated", loc,
                          hint="run one Machine for this group, or move shared files to object storage")
    app.mounts = tuple(mounts)


def health_and_release(app: App, diags: Diagnostics) -> None:
    svc = app.service
    check = svc.runtime.health_check
    if check is not None:
        if check.path and app.http:
            app.health = check
        else:
            diags.warning(W_CHECK_COMMAND, f"service '{svc.name}': the health check "
                          f"{shlex.join(check.command) or check.path!r} has no fly.toml form that gates "
                          "traffic; it is left out", check.origin or svc.origin,
                          hint="add an HTTP health endpoint, or a [[http_service.machine_checks]]")
    release = svc.runtime.release_command
    if release:
        app.release_command = release  # release_for() wraps it in sh -c when it needs a shell
        if app.mounts:
            diags.warning(W_RELEASE_VOLUME, f"service '{svc.name}': the release command runs in a "
                          "temporary Machine without volumes", svc.runtime.origin or svc.origin)
    processes: dict[str, str] = {}
    if app.groups or (svc.runtime.command and app.build_mode in ("image", "source")):
        # A command of the source replaces the image's CMD: `[processes] app` is where fly.toml
        # says so (`redis-server --requirepass "$X"` would otherwise run as the image's default).
        processes["app"] = exec_line(shell_line(svc.runtime.command)) if svc.runtime.command else ""
        for group, worker in sorted(app.groups.items()):
            cmd = worker.runtime.command or ((worker.build.start_command,) if worker.build and
                                             worker.build.start_command else ())
            processes[group] = exec_line(shell_line(cmd) if len(cmd) > 1 else (cmd[0] if cmd else ""))
    app.processes = processes
