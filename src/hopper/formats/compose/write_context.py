"""State shared by the compose writer's parts while one model is written, and the HOP7xx codes.

The writer builds plain dicts; values that compose must not interpolate go through
:func:`literal` (``$`` → ``$$``), values that refer to a variable the user sets in ``.env`` are
built with :meth:`WriteContext.var`, which also records the name for ``.env.example``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hopper.diagnostics import Diagnostics, Location, Severity, code, fail
from hopper.formats.base import WriteOptions
from hopper.model import Architecture

E_NAME = code("HOP701", Severity.ERROR, "compose writer: a name cannot be used as a compose service, volume or variable name")
I_SCALING = code("HOP702", Severity.INFO, "compose writer: platform scaling settings are kept as x-hopper hints that compose does not apply")
I_PLACEMENT = code("HOP703", Severity.INFO, "compose writer: regions are kept as x-hopper hints (compose runs on one machine)")
W_SCHEDULES = code("HOP722", Severity.WARNING, "compose writer: cron schedules are not expressed")
W_PIPELINE = code("HOP704", Severity.WARNING, "compose writer: the deploy pipeline is not expressed")
I_RELEASE = code("HOP705", Severity.INFO, "compose writer: a release command is kept as an x-hopper hint; compose does not run it")
W_EDGE = code("HOP706", Severity.WARNING, "compose writer: HTTPS redirection is not expressed (domains are kept as x-hopper hints)")
W_ROUTES = code("HOP707", Severity.WARNING, "compose writer: routes of a service that is not an nginx front are not expressed")
W_DATABASE = code("HOP708", Severity.WARNING, "compose writer: managed-database settings have no local equivalent")
W_ENGINE = code("HOP709", Severity.WARNING, "compose writer: a database engine other than PostgreSQL is not written")
W_STORE = code("HOP710", Severity.WARNING, "compose writer: an object store runs locally as MinIO")
W_BINDING = code("HOP711", Severity.WARNING, "compose writer: a binding cannot be expressed")
W_VOLUME = code("HOP712", Severity.WARNING, "compose writer: a volume size is not expressed")
W_SECRET = code("HOP713", Severity.WARNING, "compose writer: a secret no service uses is not written")
W_EXTENSION = code("HOP714", Severity.WARNING, "compose writer: another format's extension data is dropped")
E_VALUE = code("HOP715", Severity.ERROR, "compose writer: a value cannot be written losslessly")
W_BUILD = code("HOP716", Severity.WARNING, "compose writer: a build without a Dockerfile")
I_NAME = code("HOP717", Severity.INFO, "compose writer: the project name was normalised")
W_HEALTH = code("HOP718", Severity.WARNING, "compose writer: a health check cannot be expressed")
W_NOT_RUNNABLE = code("HOP719", Severity.WARNING, "compose writer: a service with neither image nor build is not written")
W_CPU_KIND = code("HOP721", Severity.WARNING, "compose writer: the CPU kind (shared or performance) is not expressed")
I_BUILD_SECRET = code("HOP728", Severity.INFO, "compose writer: a build secret from another platform is passed as a Compose secret read from the environment")
I_STATIC = code("HOP720", Severity.INFO, "compose writer: the front serves files built on the host")

# Compose's own rule for service names is ^[a-zA-Z0-9._-]+$; hopper also refuses "." and ".."
# and names that start with "-" (they would read as options in `docker compose run NAME`).
_SERVICE_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*\Z")
_VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*\Z")
# Interpolation only recognises these; a pass-through env entry may use any name without "=".
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ENV_KEY_BAD = re.compile(r"[=\x00-\x1f\x7f\s]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def literal(text: str) -> str:
    """``text`` as compose must see it so that interpolation gives ``text`` back."""
    if "\x00" in text:
        raise fail(E_VALUE, "a value contains a NUL character, which compose cannot carry")
    if _SURROGATE.search(text):
        raise fail(E_VALUE, "a value contains a lone surrogate, which UTF-8 cannot encode")
    return text.replace("$", "$$")


def ident(name: str) -> str:
    """An upper-case variable stem for a component name: ``media-store`` → ``MEDIA_STORE``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "X"
    return stem if not stem[0].isdigit() else f"_{stem}"


@dataclass
class WriteContext:
    arch: Architecture
    options: WriteOptions
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # variable name -> the components that need it (for the comments in .env.example)
    variables: dict[str, set[str]] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    # names of the compose services that get a healthcheck (for depends_on conditions)
    healthy: set[str] = field(default_factory=set)
    # every compose service name taken so far (model names and generated helpers)
    taken: set[str] = field(default_factory=set)
    host_ports: set[int] = field(default_factory=set)  # published ports already used

    def var(self, name: str, user: str, where: Location | None = None) -> str:
        """``${NAME}``, recording that ``user`` needs ``NAME`` in ``.env``."""
        if not _VARIABLE.match(name):
            raise fail(E_NAME, f"'{name}' cannot be used as a compose variable name "
                       "(letters, digits and '_', not starting with a digit)", where)
        self.variables.setdefault(name, set()).add(user)
        return "${" + name + "}"

    def passthrough(self, name: str, user: str, where: Location | None = None) -> None:
        """Record ``NAME`` as an env entry without a value (compose takes it from ``.env``)."""
        check_env_key(name, where)
        self.variables.setdefault(name, set()).add(user)


def check_service_name(name: str, where: Location | None) -> None:
    if not _SERVICE_NAME.match(name):
        raise fail(E_NAME, f"'{name}' cannot be used as a compose service name", where,
                   hint="compose service names use letters, digits, '.', '_' and '-', "
                        "starting with a letter or digit")


def check_volume_name(name: str, where: Location | None) -> None:
    if not _VOLUME_NAME.match(name):
        raise fail(E_NAME, f"'{name}' cannot be used as a compose volume name", where)


def check_env_key(name: str, where: Location | None) -> None:
    if not name or _ENV_KEY_BAD.search(name):
        raise fail(E_NAME, f"{name!r} cannot be used as an environment variable name", where)


def env_key(name: str, where: Location | None) -> str:
    check_env_key(name, where)
    return name
