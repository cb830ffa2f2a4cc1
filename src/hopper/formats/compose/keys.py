"""Which compose keys hopper carries into the model, and a diagnostic for every one it does not.

Nothing is dropped silently: a key that only matters to compose on one machine (``container_name``,
``restart``...) gets an info; any other key hopper does not carry gets a warning naming the
user's key (``services.api.cap_add``) with its location.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, info, warning

W_KEY_NOT_CARRIED = code("HOP174", Severity.WARNING, "a compose key is not carried into the model")
I_KEY_LOCAL_ONLY = code("HOP175", Severity.INFO,
                        "a compose key that only matters to compose on one machine was left out")
I_KEY_MANAGED = code("HOP176", Severity.INFO,
                     "a key of a database or store service is left to the platform that will run it")

# Keys the model carries for application services.
APP_KEYS = frozenset({
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose",
    "healthcheck", "deploy", "volumes", "depends_on", "secrets", "configs", "user", "x-hopper",
})
# Keys with no meaning once the service runs on a platform rather than on one Docker host.
LOCAL_ONLY = frozenset({
    "container_name", "restart", "hostname", "domainname", "networks", "profiles", "stdin_open", "tty",
    "pull_policy", "extends", "develop", "stop_grace_period", "init",
})
# Keys of a database or object store service that the target's managed service replaces.
MANAGED = frozenset({
    "image", "environment", "env_file", "volumes", "healthcheck", "command", "entrypoint", "ports",
    "expose", "depends_on", "secrets", "deploy", "user", "x-hopper", "build",
})
BUILD_KEYS = frozenset({"context", "dockerfile", "dockerfile_inline", "target", "args", "secrets"})
DEPLOY_KEYS = frozenset({"resources", "replicas"})
RESOURCE_KEYS = frozenset({"limits", "reservations"})
LIMIT_KEYS = frozenset({"cpus", "memory"})


def report_service_keys(name: str, svc: dict[str, Any], *, backing: bool,
                        locate: Callable[..., Location | None], out: list[Diagnostic]) -> None:
    managed: list[str] = []
    for key in sorted(svc, key=str):
        key = str(key)
        where = f"services.{name}.{key}"
        loc = locate("services", name, key)
        if key.startswith("x-") and key != "x-hopper":
            out.append(info(I_KEY_LOCAL_ONLY, f"{where}: extension field is not carried", loc))
        elif key in LOCAL_ONLY:
            out.append(info(I_KEY_LOCAL_ONLY, f"{where}: only matters to compose on one machine; not carried", loc))
        elif backing:
            if key in MANAGED:
                if key not in ("image", "environment", "env_file", "x-hopper"):
                    managed.append(key)
            else:
                _not_carried(where, loc, out)
        elif key not in APP_KEYS:
            _not_carried(where, loc, out)
        elif key == "build" and isinstance(svc[key], dict):
            _subkeys(svc[key], BUILD_KEYS, where, ("services", name, key), locate, out)
        elif key == "deploy" and isinstance(svc[key], dict):
            _deploy(svc[key], where, ("services", name, key), locate, out)
    if managed:
        out.append(info(I_KEY_MANAGED, f"services.{name}: {', '.join(managed)} left to the platform that will "
                        f"run this backing service", locate("services", name)))


def _not_carried(where: str, loc: Location | None, out: list[Diagnostic]) -> None:
    out.append(warning(W_KEY_NOT_CARRIED, f"{where} is not carried into the model", loc,
                       hint="the converted setup will not have it; set it up on the target by hand"))


def _subkeys(data: dict[str, Any], known: frozenset[str], where: str, path: tuple[str, ...],
             locate: Callable[..., Location | None], out: list[Diagnostic]) -> None:
    for key in sorted(set(map(str, data)) - known):
        _not_carried(f"{where}.{key}", locate(*path, key), out)


def _deploy(data: dict[str, Any], where: str, path: tuple[str, ...],
            locate: Callable[..., Location | None], out: list[Diagnostic]) -> None:
    _subkeys(data, DEPLOY_KEYS, where, path, locate, out)
    resources = data.get("resources")
    if not isinstance(resources, dict):
        return
    _subkeys(resources, RESOURCE_KEYS, f"{where}.resources", (*path, "resources"), locate, out)
    for kind in ("limits", "reservations"):
        block = resources.get(kind)
        if isinstance(block, dict):
            _subkeys(block, LIMIT_KEYS, f"{where}.resources.{kind}", (*path, "resources", kind), locate, out)


def report_top_keys(project: Any, used_volumes: set[str], used_configs: set[str],
                    locate: Callable[..., Location | None], out: list[Diagnostic]) -> None:
    for name, spec in sorted(project.networks.items()):
        if name == "default" and not spec:
            continue
        out.append(info(I_KEY_LOCAL_ONLY, f"networks.{name}: compose networks are not carried; services reach "
                        f"each other by name on the target", locate("networks", name)))
    for name, spec in sorted(project.volumes.items()):
        if name not in used_volumes:
            out.append(info(I_KEY_LOCAL_ONLY, f"volumes.{name}: declared but used by no carried service",
                            locate("volumes", name)))
        for key in sorted(set(map(str, spec or {})) - {"name"}):
            _not_carried(f"volumes.{name}.{key}", locate("volumes", name, key), out)
    for name in sorted(project.configs):
        if name not in used_configs:
            _not_carried(f"configs.{name}", locate("configs", name), out)
    others = sorted(k for k in project.extensions if k != "x-hopper")
    if others:
        out.append(info(I_KEY_LOCAL_ONLY, f"top-level extension fields {', '.join(others)} are not carried",
                        locate(others[0])))
