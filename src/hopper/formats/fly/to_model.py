"""Builds the model from the apps of a Fly setup, once :mod:`reader` has found and loaded them:
each service put together from its parts (:mod:`to_model_service`, :mod:`to_model_wiring`),
its process groups as workers, Postgres apps as databases, and the whole setup's placement and
pipeline (:mod:`to_model_base`).
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import replace
from typing import Any

from hopper.diagnostics import Location, Severity, code
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.read_generated import GENERATED, generated_build, hopper_note
from hopper.formats.fly.read_layout import config_relative
from hopper.formats.fly.read_schedules import cron_group
from hopper.formats.fly.read_upstash import upstash_services
from hopper.formats.fly.to_model_base import Evidence
from hopper.formats.fly.to_model_service import default_process_group, key_at, strip_shim
from hopper.formats.fly.to_model_wiring import Wiring
from hopper.model import (
    Architecture,
    Database,
    Role,
    Runtime,
    Service,
    Volume,
    key_origins,
    sorted_by_name,
)
from hopper.secrets import looks_secret

W_ENV_SECRET = code("HOP365", Severity.WARNING, "an [env] value looks like a secret; only its name is kept")
_POSTGRES_CHECK_PATHS = ("/flycheck/pg",)


class ModelBuilder(Wiring):
    """The whole setup read into one model; each part of the reading is a layer below
    (:mod:`to_model_wiring`, :mod:`to_model_service`, :mod:`to_model_base`)."""

    def build(self) -> Architecture:
        self.name_services()
        self.gather_evidence()
        services: list[Service] = []
        for app in self.apps:
            if self.is_postgres_app(app):
                name = self.names[id(app)]
                self.databases.setdefault(name, Database(
                    name=name, extensions={"fly": {"kind": "unmanaged", "app": self.fly_name(app)}},
                    origin=app.config.location("app")))
                self.info(f"database '{name}': {app.config.path} is a Fly Postgres app "
                          "(checks on /flycheck/pg or a postgres image)", app.config.location())
                continue
            host = self.service(app)
            cron = cron_group(app.config, app.config_path.parent, app.folder, host.name)
            if cron is not None:
                self.schedules.extend(cron.schedules)
            groups = self.process_groups(app, host, {s.name for s in services} | set(self.names.values()),
                                         skip=cron.group if cron else None)
            if groups:
                host = self.only_default_group(app, host)
            services.append(host)
            services.extend(groups)
        services = self.resolve_routes(services)
        services += upstash_services(self.layout.setup, f"{self.prefix}{self.project}-" if self.project else "",
                                     {s.name for s in services})
        placement = self.placement()
        return Architecture(
            name=self.arch_name(), source_format="fly",
            services=sorted_by_name(services),
            databases=sorted_by_name(self.databases.values()),
            object_stores=sorted_by_name(self.stores.values()),
            secrets=sorted_by_name(self.secrets.values()),
            schedules=sorted_by_name(self.schedules),
            placement=placement, pipeline=self.pipeline(),
            extensions={"fly": {"written_from": self.layout.setup.written_from}}
            if self.layout.setup is not None and self.layout.setup.written_from else {},
            origin=Location(file=self.layout.configs[0].name if self.given.is_file() else "."),
        )

    def is_postgres_app(self, app: FlyApp) -> bool:
        checks = app.config.data.get("checks") or {}
        if any(c.get("path") in _POSTGRES_CHECK_PATHS for c in checks.values()):
            return True
        image = (app.config.get("build", "image") or "").lower()
        return "postgres" in image.split("/")[-1].split(":")[0]

    def service(self, app: FlyApp) -> Service:
        cfg = app.config
        name = self.names[id(app)]
        fly_name = self.fly_name(app)
        ev = self.evidence.get(fly_name, Evidence())
        http = cfg.data.get("http_service")
        services = cfg.data.get("services") or []
        primary = http if isinstance(http, dict) else (services[0] if services else None)
        port = primary.get("internal_port") if primary else None

        env: dict[str, str] = {}
        secret_env: set[str] = set()
        for key, value in sorted((cfg.data.get("env") or {}).items()):
            if looks_secret(key, value):
                self.diags.warning(W_ENV_SECRET, f"[env] {key} looks like a secret; hopper keeps only "
                                   "its name", cfg.location("env", key),
                                   hint=f"move it out of fly.toml: fly secrets set {key}=...")
                secret_env.add(key)
                self.add_secret(key, name, "env", cfg.location("env", key))
            else:
                env[key] = value
        for key, where in sorted(ev.secrets.items()):
            secret_env.add(key)
            self.add_secret(key, name, "platform", where)
        for moved in self.moved.get(id(app), ()):
            if not moved.build_time:
                secret_env.add(moved.name)
                self.add_secret(moved.name, name, "env", moved.where)

        build, docker_cmd, docker_entry = self.build_of(app, name)
        extra_volumes: tuple[Volume, ...] = ()
        user = app.dockerfile.final.user if app.dockerfile and app.dockerfile.stages else None
        if build is not None and app.dockerfile is not None and app.dockerfile.stages and \
                hopper_note(cfg, app.config_path, "build", "dockerfile") == GENERATED:
            # hopper's own Dockerfile: the build fields it was rendered from, not a file to keep.
            build, extra_volumes = generated_build(app.dockerfile, build)
            docker_cmd, docker_entry, user = (), (), None
            self.info(f"service '{name}': {app.dockerfile.file} was generated by hopper; its build "
                      "settings are read from it", cfg.location("build", "dockerfile"))
        shim_path, derived = self.env_shim(app)
        command = strip_shim(self.command_of(cfg) or docker_cmd, shim_path)
        entrypoint = tuple(cfg.get("experimental", "entrypoint") or ()) or docker_entry
        exec_ = tuple(cfg.get("experimental", "exec") or ())
        if exec_:
            # flyctl: exec replaces both ENTRYPOINT and CMD; the Machine runs exactly it. As an
            # entrypoint with no command it means the same to Docker (an entrypoint override
            # clears the image's CMD).
            entrypoint, command = exec_, ()
            self.exec_overrides(cfg, name)

        edge = ("http_service",) if isinstance(http, dict) else (("services", 0) if services else ())
        secret_at = {key: where for key, where in ev.secrets.items()}
        secret_at.update({m.name: m.where for m in self.moved.get(id(app), ()) if not m.build_time})
        runtime = Runtime(
            command=command, entrypoint=entrypoint, port=port, env=env,
            secret_env=tuple(sorted(secret_env)), health_check=self.health_check(cfg),
            release_command=_release(cfg.get("deploy", "release_command")),
            user=user, origin=cfg.location("http_service") if http else cfg.location(),
            key_origins=key_origins(
                ("port", key_at(cfg, *edge, "internal_port") if edge else None),
                ("env", key_at(cfg, "env")),
                *((f"env.{k}", key_at(cfg, "env", k)) for k in env),
                *((f"secret_env.{k}", key_at(cfg, "env", k) or secret_at.get(k)) for k in secret_env),
                ("release_command", key_at(cfg, "deploy", "release_command")),
                ("command", key_at(cfg, "processes") or key_at(cfg, "experimental", "cmd")),
                ("entrypoint", key_at(cfg, "experimental", "entrypoint"))),
        )
        role, static_site = self.role_of(app, primary)
        public = bool(primary) and ev.private is None
        if ev.private is not None:
            self.info(f"service '{name}': private (no public IPs), from {ev.private}", ev.private)
        crontab = cron_group(cfg, app.config_path.parent, app.folder, name)
        self.carry_losses(cfg, shim_path, nginx=app.nginx is not None,
                          crontab=crontab.guest_path if crontab else None)
        bindings = self.bindings_of(name, ev, env, cfg, derived)
        return Service(
            name=name, role=role, image=cfg.get("build", "image"), build=build, runtime=runtime,
            static_site=static_site, scaling=self.counted(fly_name, "app", self.scaling(cfg, primary)),
            volumes=tuple(sorted((*self.volumes(cfg), *extra_volumes), key=lambda v: (v.name, v.target))),
            bindings=bindings, public=public,
            force_https=primary.get("force_https") if primary else None,
            domains=tuple(sorted(set(ev.domains))),
            extensions={"fly": self.extension(app, fly_name)},
            origin=cfg.location("app"),
            key_origins=key_origins(
                ("force_https", key_at(cfg, *edge, "force_https") if edge else None),
                ("public", ev.private or (key_at(cfg, *edge) if edge else None)),
                ("image", key_at(cfg, "build", "image")),
                *((f"domains.{d}", where) for d, where in sorted(ev.domain_origins.items()))),
        )

    def process_groups(self, app: FlyApp, host: Service, taken: set[str],
                       skip: str | None = None) -> list[Service]:
        """A worker service per [processes] group other than the default one.

        The groups of an app share its image, [env], secrets and attachments and run on their
        own Machines, which is what a worker next to its API is; hopper's writer puts a worker
        that shares the API's image in such a group."""

        cfg = app.config
        processes = cfg.data.get("processes") or {}
        default = default_process_group(processes)
        shim_path = next((f.get("guest_path") for f in cfg.data.get("files") or []
                          if str(f.get("local_path") or "").endswith("hopper-env.sh")), None)
        out: list[Service] = []
        for group, command in sorted(processes.items()):
            if group in (default, skip):
                continue
            name = group.replace("_", "-")
            base, n = name, 2
            while name in taken:
                name = f"{base}-{n}"
                n += 1
            taken.add(name)
            where = cfg.location("processes", group)
            try:
                words = tuple(shlex.split(command)) if command else ()
            except ValueError:
                words = (command,)
            if cfg.get("experimental", "exec"):
                words = ()  # exec replaces every group's command (reported with the host)
            env = {k: v for k, v in host.runtime.env.items() if k != "PORT"}
            runtime = Runtime(command=strip_shim(words, shim_path), entrypoint=host.runtime.entrypoint,
                              env=env, secret_env=host.runtime.secret_env, user=host.runtime.user,
                              origin=where, key_origins={
                                  **{k: v for k, v in host.runtime.key_origins.items()
                                     if k.startswith(("env", "secret_env"))},
                                  "command": where})
            for secret in host.runtime.secret_env:
                if secret in self.secrets:
                    self.add_secret(secret, name, "platform", where)
            out.append(Service(
                name=name, role=Role.WORKER, image=host.image, build=host.build, runtime=runtime,
                scaling=self.counted(self.fly_name(app), group, replace(
                    self.scaling(cfg, None, group), autostop=None, autostart=None, min_running=None)),
                volumes=self.volumes(cfg, group), bindings=host.bindings,
                extensions={"fly": {"app": self.fly_name(app), "process_group": group}}, origin=where))
            self.info(f"service '{name}': process group '{group}' of {cfg.path}, a worker that shares the "
                      "app's image, env, secrets and attachments", where)
        return out

    def only_default_group(self, app: FlyApp, host: Service) -> Service:
        """The host service keeps the default group's mounts only."""

        group = default_process_group(app.config.data.get("processes") or {})
        return replace(host, volumes=self.volumes(app.config, group))

    def extension(self, app: FlyApp, fly_name: str) -> dict[str, Any]:
        """Fly-only settings carried through unchanged (another Fly writer can use them)."""
        data = app.config.data
        out: dict[str, Any] = {"app": fly_name}
        chosen = self.chosen_by_hopper(app)
        if chosen:
            out["chosen"] = chosen
        ignorefile = _own_ignorefile(app)
        if ignorefile is not None:
            out["ignorefile"] = ignorefile
        for key in ("kill_signal", "kill_timeout", "swap_size_mb", "console_command"):
            if key in data:
                out[key] = data[key]
        if data.get("processes"):
            out["processes"] = dict(sorted(data["processes"].items()))
        strategy = app.config.get("deploy", "strategy")
        if strategy:
            out["deploy_strategy"] = strategy
        concurrency = app.config.get("http_service", "concurrency")
        if concurrency:
            out["concurrency"] = dict(sorted(concurrency.items()))
        if data.get("statics"):
            out["statics"] = [dict(sorted(s.items())) for s in data["statics"]]
        return out

    def chosen_by_hopper(self, app: FlyApp) -> list[str]:
        """The fly.toml values hopper's writer chose rather than read (its end-of-line comment
        says so): they are in the model, as they are what runs, and a Fly writer reading this
        list chooses them again, with the same comment."""
        cfg = app.config
        out = []
        for key, path in (("internal_port", ("http_service", "internal_port")),
                          ("auto_stop_machines", ("http_service", "auto_stop_machines")),
                          ("min_machines_running", ("http_service", "min_machines_running")),
                          ("env.PORT", ("env", "PORT")), ("vm.size", ("vm", 0, "size"))):
            if hopper_note(cfg, app.config_path, *path):
                out.append(key)
        return out


def _release(text: str | None) -> str | None:
    """The source's release command, without the wrapping hopper's writer adds (release.py)."""
    from hopper.formats.fly.release import unwrap  # noqa: PLC0415

    return unwrap(text) if text else text


def _own_ignorefile(app: FlyApp) -> str | None:
    """``[build] ignorefile`` of an app built from the project's own Dockerfile, from the
    repository root (flyctl resolves it relative to the fly.toml folder), so a Fly writer names
    it again from wherever it puts fly.toml. hopper's own ignore file, beside a Dockerfile it
    generated, is written again with that Dockerfile and is not carried."""
    written = app.config.get("build", "ignorefile")
    if not isinstance(written, str) or not written or "://" in written:
        return None
    if hopper_note(app.config, app.config_path, "build", "dockerfile") == GENERATED:
        return None
    path = posixpath.normpath(posixpath.join(app.folder, config_relative(written)))
    return None if path.startswith("..") else path
