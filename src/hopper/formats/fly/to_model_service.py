"""The parts of one service read from its config and the files around it: the build (from
the Dockerfile, or hopper's own generated one), command and entrypoint, health check, role and
static site (from the nginx configuration its Dockerfile copies in, or [[statics]]), scaling,
volumes, the env shim hopper ships, and what the model cannot carry.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import Location, Severity, code
from hopper.formats.fly.flytoml_config import FlyConfig, key_name
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.read_layout import config_relative
from hopper.formats.fly.read_units import volume_gb
from hopper.formats.fly.to_model_base import ReaderBase
from hopper.formats.fly.validate_machines import vm_memory
from hopper.model import (
    Autostop,
    Build,
    HealthCheck,
    Role,
    Scaling,
    StaticSite,
    Volume,
    key_origins,
)
from hopper.shared.nginx.cache import to_model_cache_rule

W_NOT_CARRIED = code("HOP361", Severity.WARNING, "a fly.toml setting the model cannot carry")
W_DOCKERFILE_ASSUMED = code("HOP378", Severity.WARNING, "no [build] and no Dockerfile: hopper assumes flyctl's default Dockerfile")

_SHIM_COPY = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)=\$\{(?P<source>[A-Za-z_][A-Za-z0-9_]*)\}\s*$")
_SHIM_PART = re.compile(r'^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)=\$\(hopper_url_part (?P<part>\w+) '
                        r'"\$\{?(?P<source>[A-Za-z_][A-Za-z0-9_]*)\}?"\)\s*$')


class ServiceParts(ReaderBase):
    """Reads the parts of one service."""

    def command_of(self, cfg: FlyConfig) -> tuple[str, ...]:
        processes = cfg.data.get("processes") or {}
        command = None
        if processes:
            command = processes[default_process_group(processes)]
        if command:
            try:
                return tuple(shlex.split(command))
            except ValueError:
                return (command,)
        return tuple(cfg.get("experimental", "cmd") or ())

    def exec_overrides(self, cfg: FlyConfig, service: str) -> None:
        """What ``experimental.exec`` makes dead: Fly never runs these, so they are not in the
        model, and the user hears about it rather than losing them silently."""
        for key in ("cmd", "entrypoint"):
            if cfg.get("experimental", key):
                self.diags.warning(W_NOT_CARRIED, f"service '{service}': experimental.{key} is not run: "
                                   "experimental.exec replaces both the command and the entrypoint on Fly",
                                   cfg.location("experimental", key), hint=f"remove experimental.{key}")
        if any(cfg.data.get("processes") or {}):
            self.diags.warning(W_NOT_CARRIED, f"service '{service}': the [processes] commands are not run: "
                               "experimental.exec replaces the command of every process group",
                               cfg.location("processes"), hint="remove experimental.exec or the [processes] commands")

    def build_of(self, app: FlyApp, service: str) -> tuple[Build | None, tuple[str, ...], tuple[str, ...]]:
        cfg = app.config
        build_cfg = cfg.data.get("build") or {}
        docker = app.dockerfile
        if docker is None and not build_cfg:
            # flyctl builds the Dockerfile of the build context; the checkout lacks it (a
            # generated or git-ignored file): assume it rather than leave the app unbuildable.
            dockerfile = "Dockerfile" if app.context == "." else f"{app.context}/Dockerfile"
            self.diags.warning(W_DOCKERFILE_ASSUMED, f"service '{service}': no [build] in {cfg.path} and no "
                               f"{dockerfile} in the project; hopper assumes flyctl's default, {dockerfile}",
                               cfg.location(), hint=f"add {dockerfile}, or [build] image = '...' to {cfg.path}")
            return Build(context=app.context, dockerfile=dockerfile, origin=cfg.location()), (), ()
        if docker is None and build_cfg.get("image") and len(build_cfg) == 1:
            return None, (), ()
        secrets = set(docker.secret_ids) if docker else set()
        for step in app.deploys:
            secrets.update(step.build_secrets)
            # A public build-time value (VITE_*...) passed from a CI variable has no value in
            # the set: it is kept as a build-time input by name, as a build secret is.
            from hopper.formats.fly.write_buildvars import is_public_build_name  # noqa: PLC0415

            secrets.update(n for n in step.build_args
                           if is_public_build_name(n) and n not in (build_cfg.get("args") or {}))
        secrets.update(m.name for m in self.moved.get(id(app), ()) if m.build_time)
        for secret in sorted(secrets):
            self.add_secret(secret, service, "build", app.deploys[0].location if app.deploys else
                            (docker.final.location if docker and docker.stages else cfg.location("build")), True)
        runtime = version = None
        cmd: tuple[str, ...] = ()
        entry: tuple[str, ...] = ()
        if docker is not None and docker.stages:
            final = docker.final
            runtime, version = _runtime_of(final.image)
            if runtime == "nginx" or runtime is None:
                # A multi-stage front: the build stage's image says what builds it.
                for stage in docker.stages[:-1]:
                    r, v = _runtime_of(stage.image)
                    if r == "node":
                        runtime, version = ("static", None) if runtime == "nginx" else (r, v)
                        break
            if final.cmd is not None:
                cmd = tuple(final.cmd.args) if not final.cmd.shell else ("sh", "-c", final.cmd.args[0])
            if final.entrypoint is not None:
                entry = tuple(final.entrypoint.args) if not final.entrypoint.shell else (
                    "sh", "-c", final.entrypoint.args[0])
        builder = build_cfg.get("builder")
        if builder and runtime is None:
            runtime = "buildpacks"
        dockerfile_path = docker.file if docker else None
        written = build_cfg.get("dockerfile")
        if dockerfile_path is None and isinstance(written, str) and "://" not in written:
            # Named in fly.toml but not in this folder (hopper's writer keeps the project's own).
            written = config_relative(written)
            dockerfile_path = str(PurePosixPath(app.folder) / written) if app.folder != "." else written
        build = Build(
            context=app.context, dockerfile=dockerfile_path,
            target=build_cfg.get("build-target"),
            args=dict(sorted((build_cfg.get("args") or {}).items())),
            secrets=tuple(sorted(secrets)), runtime=runtime, runtime_version=version,
            origin=cfg.location("build") if build_cfg else (docker.final.location if docker and docker.stages else None),
        )
        return build, cmd, entry

    def health_check(self, cfg: FlyConfig) -> HealthCheck | None:
        candidates: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
        for index, check in enumerate(cfg.get("http_service", "checks") or []):
            candidates.append((("http_service", "checks", index), check))
        for s_index, service in enumerate(cfg.data.get("services") or []):
            for index, check in enumerate(service.get("http_checks") or []):
                candidates.append((("services", s_index, "http_checks", index), check))
        for name, check in sorted((cfg.data.get("checks") or {}).items()):
            if check.get("type") == "http":
                candidates.append((("checks", name), check))
        for path, check in candidates:
            return HealthCheck(path=check.get("path") or "/", port=check.get("port"),
                               interval_s=check.get("interval"), timeout_s=check.get("timeout"),
                               grace_s=check.get("grace_period"), origin=cfg.location(*path))
        return None

    def role_of(self, app: FlyApp, primary: dict[str, Any] | None) -> tuple[Role, StaticSite | None]:
        cfg = app.config
        if app.nginx is not None and app.nginx.servers:
            server = app.nginx.servers[0]
            static = None
            if server.root:
                static = StaticSite(
                    root=server.root, index=server.index[0] if server.index else "index.html",
                    spa_fallback=server.spa_fallback, gzip=server.gzip,
                    gzip_types=tuple(server.gzip_types),
                    cache_rules=tuple(to_model_cache_rule(r) for r in server.cache_rules),
                    origin=server.location)
            self.info(f"service '{self.names[id(app)]}': front, from the nginx configuration "
                      f"{app.nginx.files[0] if app.nginx.files else ''} its Dockerfile copies in",
                      server.location)
            return Role.FRONT, static
        statics = cfg.data.get("statics") or []
        root_static = next((s for s in statics if s.get("url_prefix") == "/"), None)
        if root_static is not None:
            return Role.FRONT, StaticSite(root=root_static.get("guest_path") or "/",
                                          index=root_static.get("index_document") or "index.html",
                                          origin=cfg.location("statics"))
        if primary is None:
            return Role.WORKER, None
        return Role.API, None

    def scaling(self, cfg: FlyConfig, primary: dict[str, Any] | None, group: str | None = None) -> Scaling:
        vms = cfg.data.get("vm") or []
        default_group = group or default_process_group(cfg.data.get("processes") or {})
        chosen = next((v for v in vms if default_group in (v.get("processes") or [])), None)
        chosen = chosen or next((v for v in vms if not v.get("processes")), None)
        cpu_kind = cpus = memory = None
        vm_at: tuple[str | int, ...] = ("vm", vms.index(chosen)) if chosen is not None else ()
        if chosen is not None:
            try:
                _size, cpu_kind, cpus_i, memory = vm_memory(chosen)
                cpus = float(cpus_i)
            except ValueError:
                pass
        autostop = autostart = min_running = None
        if primary is not None:
            if "auto_stop_machines" in primary:
                autostop = Autostop(primary["auto_stop_machines"])
            autostart = primary.get("auto_start_machines")
            min_running = primary.get("min_machines_running")

        edge: tuple[str | int, ...] = ()
        if primary is not None:
            edge = ("http_service",) if primary is cfg.data.get("http_service") else ("services", 0)
        size_at = (key_at(cfg, *vm_at, "size") or key_at(cfg, *vm_at)) if vm_at else None
        return Scaling(cpu_kind=cpu_kind, cpus=cpus, memory_mb=memory, autostop=autostop,
                       autostart=autostart, min_running=min_running,
                       origin=cfg.location("vm", 0) if chosen is not None else None,
                       key_origins=key_origins(
                           ("autostop", key_at(cfg, *edge, "auto_stop_machines") if edge else None),
                           ("autostart", key_at(cfg, *edge, "auto_start_machines") if edge else None),
                           ("min_running", key_at(cfg, *edge, "min_machines_running") if edge else None),
                           ("memory_mb", (key_at(cfg, *vm_at, "memory") or size_at) if vm_at else None),
                           ("cpus", (key_at(cfg, *vm_at, "cpus") or size_at) if vm_at else None),
                           ("cpu_kind", (key_at(cfg, *vm_at, "cpu_kind") or size_at) if vm_at else None)))

    def counted(self, fly_name: str, group: str, scaling: Scaling) -> Scaling:
        """The Machines fly-setup.sh creates for a group, as the source's instance count."""
        count = self.counts.get(fly_name, {}).get(group)
        if count is None:
            return scaling
        where = self.count_origins.get(fly_name, {}).get(group)
        return replace(scaling, min_instances=count, max_instances=count, key_origins={
            **scaling.key_origins, **key_origins(("min_instances", where), ("max_instances", where))})

    def volumes(self, cfg: FlyConfig, group: str | None = None) -> tuple[Volume, ...]:
        """The mounts of the app, or of one process group (a mount without ``processes`` is
        every group's)."""
        out = []
        for index, mount in enumerate(cfg.data.get("mounts") or []):
            if group is not None and mount.get("processes") and group not in mount["processes"]:
                continue
            size = None
            if "initial_size" in mount:
                try:
                    size = volume_gb(mount["initial_size"])
                except ValueError:
                    size = None
            if not mount.get("source") or not mount.get("destination"):
                continue
            out.append(Volume(name=mount["source"], target=mount["destination"], size_gb=size,
                              origin=cfg.location("mounts", index)))
        return tuple(sorted(out, key=lambda v: (v.name, v.target)))

    def carry_losses(self, cfg: FlyConfig, shim_path: str | None, nginx: bool = False,
                     crontab: str | None = None) -> None:
        # The env shim, an nginx.conf read as the front's configuration and a crontab read as
        # the schedules are carried.
        carried = {shim_path, "/etc/nginx/nginx.conf" if nginx else None, crontab} - {None}
        for key, what in (("files", "[[files]]"), ("metrics", "[[metrics]]"), ("restart", "[[restart]]"),
                          ("machine_checks", "[[machine_checks]]")):
            items = [i for i in cfg.data.get(key) or [] if key != "files" or i.get("guest_path") not in carried]
            if items:
                self.diags.warning(W_NOT_CARRIED, f"{what} is Fly-specific and not part of the model; "
                                   "it is not converted", cfg.location(key))
        if len(cfg.data.get("services") or []) + bool(cfg.data.get("http_service")) > 1:
            self.diags.warning(W_NOT_CARRIED, "only the first service of this app is read (its "
                               "internal_port, autostop and checks); the others are not converted",
                               cfg.location("services"))

    def env_shim(self, app: FlyApp) -> tuple[str | None, dict[str, tuple[str, str | None, Location]]]:
        """The env shim hopper's Fly writer ships: its guest path and the names it derives
        (``NAME -> (source name, URL part or None, where)``).

        It arrives either as a ``[[files]]`` entry (an app that keeps its own Dockerfile; process
        commands are prefixed with it) or copied by a generated Dockerfile and run as its
        ENTRYPOINT (then the command needs no prefix, and no guest path is returned)."""
        for entry in app.config.data.get("files") or []:
            local = entry.get("local_path")
            if not isinstance(local, str) or not local.endswith("hopper-env.sh"):
                continue
            path = app.config_path.parent / local
            shown = f"{app.folder}/{local}" if app.folder != "." else local
            return entry.get("guest_path"), self._shim_names(app, path, shown)
        final = app.dockerfile.stages[-1] if app.dockerfile is not None and app.dockerfile.stages else None
        if final is not None and final.entrypoint is not None:
            for copy in final.copies:
                source = next((s for s in copy.sources if s.endswith("hopper-env.sh")), None)
                if source is None or copy.from_stage is not None:
                    continue
                if not any(copy.destination in arg for arg in final.entrypoint.args):
                    continue
                root = self.layout.root.resolve()
                path = (self.layout.root / app.context / source).resolve()
                if not path.is_relative_to(root):
                    continue  # only files inside the project are read
                return None, self._shim_names(app, path, path.relative_to(root).as_posix())
        # Written next to fly.toml for an app whose own Dockerfile must run it (MIGRATION.md
        # says how): the names it derives are what the app reads.
        beside = app.config_path.parent / "hopper-env.sh"
        if beside.is_file() and not beside.is_symlink():
            shown = f"{app.folder}/hopper-env.sh" if app.folder != "." else "hopper-env.sh"
            return None, self._shim_names(app, beside, shown)
        return None, {}

    def _shim_names(self, app: FlyApp, path: Path, shown: str) -> dict[str, tuple[str, str | None, Location]]:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return {}
        derived: dict[str, tuple[str, str | None, Location]] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            match = _SHIM_COPY.match(line) or _SHIM_PART.match(line)
            if match is None:
                continue
            groups = match.groupdict()
            derived.setdefault(groups["name"], (groups["source"], groups.get("part"),
                                                Location(file=shown, line=number)))
        if derived:
            self.info(f"service '{self.names[id(app)]}': reads {', '.join(sorted(derived))}, "
                      "derived by hopper's env shim from what Fly sets", Location(file=shown))
        return derived


def default_process_group(processes: dict[str, Any]) -> str:
    """The group [http_service] serves when it names none: ``app``, else the first."""
    return "app" if "app" in processes or not processes else sorted(processes)[0]


def strip_shim(command: tuple[str, ...], shim: str | None) -> tuple[str, ...]:
    """``node server.js`` for ``/bin/sh /etc/hopper/hopper-env.sh node server.js``."""
    if shim is None:
        return command
    for prefix in ((shim,), ("/bin/sh", shim), ("sh", shim)):
        if command[:len(prefix)] == prefix:
            return command[len(prefix):]
    return command


def _runtime_of(image: str) -> tuple[str | None, str | None]:
    """``("node", "20")`` for ``node:20-alpine``; ``("nginx", None)`` for ``nginx:1.27``."""
    repo, _, tag = image.partition("@")[0].rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    last = repo.split("/")[-1].lower()
    for runtime in ("node", "nginx", "python", "ruby", "golang", "elixir", "bun", "deno", "php", "caddy"):
        if last == runtime or last.startswith(runtime + "-"):
            version = re.match(r"\d+(?:\.\d+)*", tag) if runtime not in ("nginx", "caddy") else None
            return runtime, version.group(0) if version else None
    return None, None


def key_at(cfg: FlyConfig, *path: str | int) -> Location | None:
    """Where the key at ``path`` is written, only when it is (no fallback to its section)."""
    source = cfg.source_path(tuple(path))
    pos = cfg.locations.get(source)
    if pos is None:
        return None
    return Location(file=cfg.path, line=pos[0], col=pos[1], key=key_name(source) or None)
