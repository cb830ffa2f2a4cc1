"""The compose model builder's shared ground: one read's state, and the secrets every part records.

:class:`ReaderBase` holds what the parts of the reader (:mod:`.to_model` for services,
:mod:`.to_model_backing` for databases and stores) share -- the project, the detected entries,
host names, diagnostics -- and the bookkeeping of secrets (which services use each one, from
where, with which digest), so that the parts depend on it and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hopper.diagnostics import Diagnostic, Limits, Location, Severity, code, info, warning
from hopper.formats.compose import command_refs
from hopper.formats.compose.detect import BuildFacts, Detection
from hopper.formats.compose.front import FrontResult
from hopper.formats.compose.hints import ServiceHints
from hopper.formats.compose.interpolation import EnvRefs
from hopper.formats.compose.project import ComposeProject
from hopper.model import Role, Secret, secret_digest
from hopper.secrets import moved_secret_warning, scrub_command

I_COMPOSE_SECRET = code("HOP182", Severity.INFO, "a compose secret and the services that use it")
W_SECRET_VALUES_DIFFER = code("HOP183", Severity.WARNING,
                              "two services set the same secret env var to different values")


ROLE_OF_KIND = {"front": Role.FRONT, "api": Role.API, "worker": Role.WORKER, "generic": Role.GENERIC}


@dataclass(slots=True)
class Entry:
    name: str
    svc: dict[str, Any]
    hints: ServiceHints
    facts: BuildFacts
    detection: Detection
    front: FrontResult | None = None


@dataclass(slots=True)
class SecretAcc:
    source: str
    used_by: set[str] = field(default_factory=set)
    digests: set[str | None] = field(default_factory=set)
    build_time: bool = False
    origin: Location | None = None


def env_of(svc: dict[str, Any]) -> dict[str, str | None]:
    env = svc.get("environment") or {}
    if not isinstance(env, dict):
        return {}
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


class ReaderBase:
    """The state of one read of a compose project, and its secret bookkeeping."""

    def __init__(self, project: ComposeProject, limits: Limits) -> None:
        self.project = project
        self.root = project.root
        self.resolved_root = project.root.resolve()  # once: bind mounts are checked against it
        self.limits = limits
        self.out: list[Diagnostic] = list(project.diagnostics)
        self.entries: dict[str, Entry] = {}
        self.hosts: dict[str, str] = {}
        self.secrets: dict[str, SecretAcc] = {}
        self.command_secrets: dict[str, set[str]] = {}  # service -> secrets moved off its command line
        self.folded_into: dict[str, str] = {}  # bucket-init helper → the store it works on
        # database → (its password env name, the variable that env takes its value from), when
        # the two differ: the Secret is named after the variable (Database.password_secret).
        self.password_from: dict[str, tuple[str, str]] = {}
        self.owners: dict[str, tuple[tuple[str, str], ...]] | None = None  # see credential_owners
        self.ofelia: dict[str, dict[str, Any]] = {}  # scheduler services: their jobs become schedules
        self.cron_daemons: dict[str, str] = {}  # service -> the cron daemon its command was
        self.merged: dict[str, dict[str, Any]] = {}  # kept service -> the upstream copies it stands for
        self.merged_into: dict[str, str] = {}  # a copy left out -> the service kept for it

    def locate(self, *path: str | int) -> Location | None:
        locations = self.project.locations
        for n in range(len(path), 0, -1):
            loc = locations.get(tuple(path[:n]))
            if loc is not None:
                return loc
        return None

    def resolve_host(self, host: str) -> str | None:
        return self.hosts.get(host.lower().rstrip("."))

    def refs(self, name: str) -> dict[str, EnvRefs]:
        """The variable references of a service's raw env values (see ComposeProject.env_refs)."""
        return self.project.env_refs.get(name, {})

    def _move_command_secrets(self, name: str, svc: dict[str, Any]) -> dict[str, Any]:
        """A credential on the service's command line (``redis-server --requirepass X``) becomes
        a secret the command reads by name, before anything else sees the command."""
        changed = dict(svc)
        for key in ("entrypoint", "command"):
            argv = svc.get(key)
            if not isinstance(argv, list):
                continue
            scrubbed, moved = scrub_command([str(a) for a in argv], name)
            for var, option, value in moved:
                where = self.locate("services", name, key)
                self.out.append(moved_secret_warning(f"service '{name}'", key, option, var, where))
                self._add_secret(var, "env", name, secret_digest(var, value), where)
                self.command_secrets.setdefault(name, set()).add(var)
            for option, var in command_refs.references_in(list(scrubbed)):
                # `--requirepass ${REDIS_PASSWORD}`: the user's own name is the secret's name.
                where = self.locate("services", name, key)
                self.out.append(info(command_refs.I_COMMAND_SECRET_REF, f"service '{name}': {option} in its "
                                     f"{key} takes its value from {var}, a secret the target must receive "
                                     "(set it there; the command reads it by that name)", where))
                self._add_secret(var, "env", name, None, where)
                self.command_secrets.setdefault(name, set()).add(var)
            changed[key] = list(scrubbed)
        return changed

    def _service_secret_refs(self, name: str, svc: dict[str, Any]) -> None:
        for ref in svc.get("secrets") or []:
            if isinstance(ref, dict) and ref.get("source"):
                self._add_secret(str(ref["source"]), "compose_secret", name, None,
                                 self.locate("secrets", str(ref["source"])))
        build = svc.get("build")
        if isinstance(build, dict):
            for sid in build.get("secrets") or []:
                if str(sid) in self.project.secrets:
                    self._add_secret(str(sid), "compose_secret", name, None, self.locate("secrets", str(sid)),
                                     build_time=True)

    def _compose_secrets(self) -> None:
        for name in sorted(self.project.secrets):
            acc = self.secrets.get(name)
            users = ", ".join(sorted(acc.used_by)) if acc and acc.used_by else "no service"
            self.out.append(info(I_COMPOSE_SECRET, f"secret {name}: compose secret used by {users}",
                                 self.locate("secrets", name)))
            if acc is None:
                self.secrets[name] = SecretAcc(source="compose_secret", origin=self.locate("secrets", name))

    def _add_secret(self, name: str, source: str, user: str, digest: str | None, origin: Location | None,
                    *, build_time: bool = False) -> None:
        acc = self.secrets.get(name)
        if acc is None:
            acc = self.secrets[name] = SecretAcc(source=source, origin=origin, build_time=build_time)
        acc.used_by.add(self.folded_into.get(user, user))
        if digest is not None:
            acc.digests.add(digest)

    def _secrets(self) -> tuple[Secret, ...]:
        out: list[Secret] = []
        for name, acc in sorted(self.secrets.items()):
            digest = None
            if len(acc.digests) == 1:
                digest = next(iter(acc.digests))
            elif len(acc.digests) > 1:
                users = sorted(acc.used_by)
                shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
                self.out.append(warning(
                    W_SECRET_VALUES_DIFFER, f"secret {name}: {shown} set it to different "
                    "values; hopper keeps one name", acc.origin,
                    hint="give the variables different names, or the same value"))
            out.append(Secret(name=name, source=acc.source, used_by=tuple(sorted(acc.used_by)),
                              build_time=acc.build_time, digest=digest, origin=acc.origin))
        return tuple(out)
