"""A compose project (see :mod:`.project`) into the model.

``load_project`` (project.py) gives the merged, interpolated, normalised document; this module
decides what each service is (detect.py), reads nginx fronts (front.py), backing services
(backing.py; databases and stores become components in to_model_backing.py), bindings and
secret env (bindings.py; secret bookkeeping in to_model_base.py) and hints (hints.py), and reports every
decision as an info diagnostic and every key it does not carry as a warning (keys.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    Diagnostic,
    Limits,
    Location,
    Severity,
    code,
    info,
    warning,
)
from hopper.formats.base import ReadResult
from hopper.formats.compose import bindings, devsetup, keys, schedulers, service, upstreams
from hopper.formats.compose.detect import build_facts, classify
from hopper.formats.compose.front import FrontResult, read_front
from hopper.formats.compose.hints import TopHints, read_service_hints, read_top_hints
from hopper.formats.compose.project import ComposeProject
from hopper.formats.compose.provenance import backing_key_origins, with_key_origins
from hopper.formats.compose.to_model_backing import BackingReader
from hopper.formats.compose.to_model_base import ROLE_OF_KIND, Entry, env_of
from hopper.migrations import carry_migration
from hopper.model import (
    Architecture,
    Build,
    Placement,
    Role,
    Runtime,
    Schedule,
    Service,
    secret_digest,
)
from hopper.secrets import looks_secret

I_ROLE = code("HOP167", Severity.INFO, "the role hopper gave a compose service, and why")
W_GENERIC = code("HOP168", Severity.WARNING, "a compose service was not recognised and is carried as generic")
I_IGNORED = code("HOP169", Severity.INFO, "a service was left out because x-hopper.ignore is set")
W_BUILD_ARG_SECRET = code("HOP184", Severity.WARNING,
                          "a build arg looks secret: it is treated as a build secret, not a build arg")

_KIND_LABEL = {"front": "role front", "api": "role api", "worker": "role worker", "generic": "role generic",
               "database": "PostgreSQL database", "object_store": "object store",
               "bucket_init": "bucket-creating helper"}


def build_model(project: ComposeProject, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    return _Builder(project, limits).build()


class _Builder(BackingReader):
    """One pass over the detected services: the model's services, schedules and secrets."""

    def build(self) -> ReadResult:
        top = read_top_hints(self.project.extensions, self.locate, self.out)
        self._detect()
        schedules = self._schedules()
        self._host_names()
        for entry in self.entries.values():
            if entry.detection.kind == "front":
                entry.front = self._front(entry)
        self._merge_upstreams()
        folded = self._fold_bucket_inits()
        databases = self._databases()
        routed_ports = self._routed_ports()
        resources = self._resources()
        services: list[Service] = []
        used_volumes: set[str] = set()
        used_configs: set[str] = set()
        store_buckets: dict[str, dict[str, tuple[bool, str]]] = {n: {} for n, e in self.entries.items()
                                                                 if e.detection.kind == "object_store"}
        endpoints: dict[str, str] = {}
        for name, entry in self.entries.items():
            kind = entry.detection.kind
            backing_kind = kind in ("database", "object_store") or name in folded
            keys.report_service_keys(name, entry.svc, backing=backing_kind, locate=self.locate, out=self.out)
            env = env_of(entry.svc)
            if backing_kind:
                self._backing_env(name, entry, env)
                for vol in entry.svc.get("volumes") or []:
                    if isinstance(vol, dict) and vol.get("type") == "volume" and vol.get("source"):
                        used_volumes.add(str(vol["source"]))
                continue
            svc, volumes_used = self._service(entry, top, resources, routed_ports.get(name), env)
            used_volumes |= volumes_used
            used_configs |= {str(c.get("source")) for c in entry.svc.get("configs") or [] if isinstance(c, dict)}
            services.append(svc)
            self._collect_store_facts(svc.bindings, env, store_buckets, endpoints)
        for buckets in folded.values():
            for store, found in buckets.items():
                store_buckets.setdefault(store, {}).update(found)
        stores = self._stores(store_buckets, endpoints)
        keys.report_top_keys(self.project, used_volumes, used_configs, self.locate, self.out)
        self._compose_secrets()
        secrets = self._secrets()
        placement = Placement(primary=top.region, others=top.regions)
        arch = Architecture(
            name=top.name or self.project.name,
            source_format="compose",
            services=tuple(sorted((with_key_origins(s, self.project.locations) for s in services),
                                  key=lambda s: s.name)),
            databases=tuple(sorted((backing_key_origins(d, self.project.locations) for d in databases),
                                   key=lambda d: d.name)),
            object_stores=tuple(sorted((backing_key_origins(o, self.project.locations) for o in stores),
                                       key=lambda s: s.name)),
            secrets=secrets,
            schedules=tuple(schedules),
            placement=placement,
            origin=Location(file=self.project.files[0]) if self.project.files else None,
        )
        return ReadResult(model=arch, diagnostics=tuple(self.out))

    def _detect(self) -> None:
        applications: list[str] = []
        dev_services: set[str] = set()
        first = len(self.out)
        for name, svc in sorted(self.project.services.items()):
            svc = self._move_command_secrets(name, svc)
            hints = read_service_hints(name, svc, self.locate, self.out)
            if hints.ignore:
                self.out.append(info(I_IGNORED, f"{name}: left out (x-hopper.ignore)", self.locate("services", name)))
                continue
            if devsetup.left_out(name, svc, kept_by_hint=hints.role is not None, locate=self.locate, out=self.out):
                continue
            if hints.role is None and schedulers.is_ofelia(svc):
                self.ofelia[name] = svc  # read with the other schedulers (_schedules)
                continue
            facts = build_facts(svc, self.root, self.limits)
            detection = classify(name, svc, facts, hint_role=hints.role)
            if detection.kind in ROLE_OF_KIND:
                svc, dev = devsetup.clean_service(name, svc, facts, root=self.root,
                                                  front=detection.kind == "front", locate=self.locate,
                                                  out=self.out)
                if "build" in svc:  # the project's own code: what a dev file is about
                    applications.append(name)
                if dev:
                    dev_services.add(name)
            self.out.append(info(I_ROLE, f"{name}: {_KIND_LABEL[detection.kind]} ({detection.reason})",
                                 self.locate("services", name)))
            if detection.kind == "generic":
                self.out.append(warning(
                    W_GENERIC, f"{name}: not recognised ({detection.reason}); carried as a generic service",
                    self.locate("services", name),
                    hint="set x-hopper.role on the service if hopper guessed wrong"))
            self.entries[name] = Entry(name, svc, hints, facts, detection)
        notes: list[Diagnostic] = []
        devsetup.whole_file(applications, dev_services, self.locate, notes)
        self.out[first:first] = notes  # said first, before what each service became

    def _merge_upstreams(self) -> None:
        """Identical services behind one nginx upstream become one service with replicas."""
        found = [u for e in self.entries.values() if e.front is not None for u in e.front.upstreams]
        services = {n: e.svc for n, e in self.entries.items() if e.detection.kind in ROLE_OF_KIND}
        for merge in upstreams.find_merges(found, services, self.resolve_host, self.out):
            kept = self.entries[merge.kept]
            kept.svc = upstreams.with_replicas(kept.svc, merge.replicas)
            self.merged[merge.kept] = {"services": list(merge.members), "upstream": merge.upstream}
            for other in merge.members[1:]:
                del self.entries[other]
                self.merged_into[other] = merge.kept
                for host, name in list(self.hosts.items()):
                    if name == other:
                        self.hosts[host] = merge.kept  # bindings and depends_on reach the kept copy
                for acc in self.secrets.values():
                    if other in acc.used_by:
                        acc.used_by.discard(other)
                        acc.used_by.add(merge.kept)

    def _schedules(self) -> list[Schedule]:
        """Scheduler services (ofelia, crond, supercronic) become schedules (schedulers.py)."""
        views = {n: schedulers.ServiceView(e.svc, e.facts.dockerfile, e.facts.context)
                 for n, e in self.entries.items() if e.detection.kind in ROLE_OF_KIND}
        views.update({n: schedulers.ServiceView(svc, None, None) for n, svc in self.ofelia.items()})
        found = schedulers.read_schedulers(views, root=self.root, limits=self.limits,
                                           configs=self.project.configs, locate=self.locate)
        for name in found.left_out:
            if self.entries.pop(name, None) is not None:
                # Said when it was detected; it is a scheduler now, not an unknown service.
                self.out = [d for d in self.out if not (d.code == W_GENERIC and d.message.startswith(f"{name}: "))]
        for name, program in found.cleared.items():
            self.entries[name].svc = schedulers.without_daemon(self.entries[name].svc, found.crontabs[name])
            self.cron_daemons[name] = program
        if self.ofelia:
            for entry in self.entries.values():  # ofelia's labels are read: not 'not carried'
                labels = entry.svc.get("labels")
                if isinstance(labels, dict) and any(str(k).startswith("ofelia.") for k in labels):
                    kept = {k: v for k, v in labels.items() if not str(k).startswith("ofelia.")}
                    entry.svc = {**entry.svc, "labels": kept} if kept else \
                        {k: v for k, v in entry.svc.items() if k != "labels"}
        self.out.extend(found.diagnostics)
        return found.schedules

    def _host_names(self) -> None:
        """Every name another container can use to reach a service: its name, hostname,
        container_name and network aliases."""
        for name in self.entries:
            self.hosts[name.lower()] = name
        for name, entry in self.entries.items():
            svc = entry.svc
            for key in ("hostname", "container_name"):
                value = svc.get(key)
                if isinstance(value, str):
                    self.hosts.setdefault(value.lower(), name)
            networks = svc.get("networks")
            if isinstance(networks, dict):
                for spec in networks.values():
                    for alias in (spec or {}).get("aliases") or [] if isinstance(spec, dict) else []:
                        self.hosts.setdefault(str(alias).lower(), name)

    def _front(self, entry: Entry) -> FrontResult:
        result = read_front(entry.name, entry.svc, root=self.root, limits=self.limits,
                          dockerfile=entry.facts.dockerfile, node=entry.facts.node, context=entry.facts.context,
                          configs=self.project.configs, locate=self.locate, resolve_host=self.resolve_host)
        self.out.extend(result.diagnostics)
        return result

    def _routed_ports(self) -> dict[str, int]:
        ports: dict[str, int] = {}
        for entry in self.entries.values():
            for route in entry.front.routes if entry.front else []:
                if route.target_port is not None:
                    ports.setdefault(route.target_service, route.target_port)
        return ports

    # ------------------------------------------------------------------------ application services

    def _service(self, entry: Entry, top: TopHints, resources: dict[str, bindings.Resource],
                 routed_port: int | None, env: Mapping[str, str | None]) -> tuple[Service, set[str]]:
        name, svc, hints, facts = entry.name, entry.svc, entry.hints, entry.facts
        kind = entry.detection.kind
        role = ROLE_OF_KIND.get(kind, Role.GENERIC)
        front = entry.front
        refs = self.refs(name)
        if self.owners is None:
            self.owners = bindings.credential_owners(resources)
        found = bindings.find_bindings(name, env, resources, self.resolve_host, self.locate, self.out,
                                       refs=refs, prefer=frozenset(svc.get("depends_on") or {}),
                                       owners=self.owners)
        bound_secret = frozenset(b.variable for b in found if b.secret)
        split = bindings.split_env(name, env, force_secret=hints.secrets, force_plain=hints.plain,
                                   bound_secret=bound_secret, locate=self.locate, out=self.out, refs=refs)
        bound_vars = {b.variable for b in found}
        for var in sorted(split.plain):
            ref = refs.get(var)
            if ref is not None and ref.unset and var not in bound_vars:
                # `FOO: ${BAR}` with BAR unset (no .env in the checkout): the operator sets it
                # on the target, so it is a value the target must receive, not the empty text.
                del split.plain[var]
                split.secret[var] = None
                sources = ", ".join(f"${{{n}}}" for n in ref.names)
                self.out.append(info(bindings.I_SECRET_ENV, f"{name}: {var} is a value the target must "
                                     f"receive (it comes from {sources}, not set here)",
                                     self.locate("services", name, "environment", var)))
        for var, digest in split.secret.items():
            self._add_secret(var, "env", name, digest, self.locate("services", name, "environment", var))
        secret_names = set(split.secret)
        found = [replace(b, secret=True) if b.variable in secret_names else b for b in found]
        for b in found:
            ref = refs.get(b.variable)
            if ref is not None and ref.unset and b.variable in split.plain:
                # Its variable is unset here (no .env): the empty text is not the value the app
                # gets, and the binding says what it is.
                del split.plain[b.variable]
        build = self._build(entry)
        if front is not None and front.build is not None:
            fb = front.build
            build = fb if build is None else replace(
                build, runtime=fb.runtime or build.runtime, runtime_version=fb.runtime_version,
                package_manager=fb.package_manager, node_install=fb.node_install,
                build_command=fb.build_command, output_dir=fb.output_dir,
                install_command=(facts.node.install_command() if facts.node and fb.build_command else None))
        elif kind in ("api", "worker"):
            build = service.node_build(name, svc, facts, build, self.locate, self.out)
        port = service.choose_port(name, svc, facts, hints, nginx_port=front.listen_port if front else None,
                                   routed_port=routed_port, locate=self.locate, out=self.out)
        if kind == "worker":
            port = hints.port
        consumed = front.consumed_mounts if front else set()
        vols, used = service.volumes(name, svc, self.resolved_root, consumed, self.locate, self.out)
        self._service_secret_refs(name, svc)
        depends = sorted({self.merged_into.get(d, d) for d in (svc.get("depends_on") or {})
                          if self._kept(self.merged_into.get(d, d))} - {name})
        published = any(isinstance(p, dict) and p.get("published") for p in svc.get("ports") or [])
        extensions: dict[str, Any] = {}
        if hints.size:
            extensions["x-hopper"] = {"size": hints.size}
        if front is not None and front.nginx_extra:
            extensions["nginx"] = front.nginx_extra
        if name in self.merged:
            extensions["merged"] = self.merged[name]
        if name in self.cron_daemons:
            # Its command was the cron daemon: the target's scheduler runs its schedules instead.
            extensions["cron"] = {"replaces": self.cron_daemons[name]}
        command = svc.get("command")
        entrypoint = svc.get("entrypoint")
        words = tuple(str(c) for c in command) if isinstance(command, list) else ()
        release = hints.release_command
        if release is None and words:
            # `command: sh -c "npm run migrate && node server.js"`: the migration is the
            # release step on any target, the rest is the command (hopper.migrations).
            release, words = carry_migration(f"service '{name}' command", words,
                                              facts.node.scripts if facts.node else None,
                                              self.locate("services", name, "command"), self.out)
        runtime = Runtime(
            command=words,
            entrypoint=tuple(str(c) for c in entrypoint) if isinstance(entrypoint, list) else (),
            port=port,
            env=dict(sorted(split.plain.items())),
            secret_env=tuple(sorted(set(split.secret) | self.command_secrets.get(name, set()))),
            health_check=service.health_check(name, svc, facts, hints, self.locate),
            release_command=release,
            user=svc.get("user") if isinstance(svc.get("user"), str) else None,
            origin=self.locate("services", name),
        )
        result = Service(
            name=name,
            role=role,
            image=svc.get("image") if isinstance(svc.get("image"), str) else None,
            build=build,
            runtime=runtime,
            static_site=front.static_site if front else None,
            routes=tuple(sorted(front.routes, key=lambda r: r.path_prefix)) if front else (),
            scaling=service.scaling(name, svc, hints, default_autostop=top.autostop,
                                    default_min_running=top.min_running, locate=self.locate),
            volumes=tuple(vols),
            depends_on=tuple(depends),
            bindings=tuple(sorted(found, key=lambda b: b.variable)),
            public=hints.public if hints.public is not None else published,
            domains=tuple(hints.domains),
            extensions=extensions,
            origin=self.locate("services", name),
        )
        return result, used

    def _kept(self, name: str) -> bool:
        entry = self.entries.get(name)
        return entry is not None and entry.detection.kind != "bucket_init"

    def _build(self, entry: Entry) -> Build | None:
        build = entry.svc.get("build")
        if not isinstance(build, dict):
            return None
        plain_args: dict[str, str] = {}
        for arg, value in sorted((build.get("args") or {}).items()):
            value = None if value is None else str(value)
            if looks_secret(str(arg), value):
                self.out.append(warning(
                    W_BUILD_ARG_SECRET, f"{entry.name}: build arg {arg} looks secret; build args are stored in "
                    "the image, so it is carried as a build secret instead",
                    self.locate("services", entry.name, "build", "args", str(arg)),
                    hint="pass it with build secrets (RUN --mount=type=secret)"))
                self._add_secret(str(arg), "build", entry.name,
                                 secret_digest(str(arg), value) if value is not None else None,
                                 self.locate("services", entry.name, "build", "args", str(arg)), build_time=True)
            elif value is not None:
                plain_args[str(arg)] = value
        ids = {str(s) for s in build.get("secrets") or []}
        if entry.facts.dockerfile is not None:
            ids |= set(entry.facts.dockerfile.secret_ids)
        for sid in sorted(ids):
            if sid not in self.project.secrets:
                self._add_secret(sid, "build", entry.name, None,
                                 self.locate("services", entry.name, "build"), build_time=True)
        return service.base_build(entry.name, entry.svc, self.root, self.locate, self.out,
                                  plain_args=plain_args, secret_ids=tuple(sorted(ids)))
