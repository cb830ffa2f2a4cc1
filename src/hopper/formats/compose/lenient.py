"""What real repositories contain and Compose itself would refuse or cannot know: warnings, not errors.

A converter reads a checkout, not a running deployment. A git-ignored ``.env``, a
``${VAR:?message}`` the operator will set, a ``depends_on`` loop left in an old file: each is
reported here with the user's key and what hopper assumed, and the conversion goes on
(``--strict`` still makes every one fatal). docs/compose-input.md lists each rule and its code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostics, Location, Severity, code

W_ENV_FILE_MISSING = code("HOP141", Severity.WARNING,
                          "an env_file does not exist (usually a git-ignored .env); its values are unknown")
W_REQUIRED_UNSET = code("HOP142", Severity.WARNING,
                        "a required ${VAR:?message} variable is not set; the target must receive it")
W_PARTLY_UNSET = code("HOP143", Severity.WARNING,
                      "a port, volume or name is built from an unset variable; only the known part is kept")
W_DEPENDS_CYCLE = code("HOP144", Severity.WARNING, "depends_on forms a cycle or names the service itself")
W_UNDEFINED_RESOURCE = code("HOP145", Severity.WARNING,
                            "a service uses a network, volume, secret or config the project does not define")
W_NON_STRING_KEY = code("HOP146", Severity.WARNING, "a service name is not a string in YAML")
W_ENV_NAME_SPACES = code("HOP147", Severity.WARNING,
                         "an environment list item has spaces around '='; the name is trimmed")
W_BIND_NO_SOURCE = code("HOP148", Severity.WARNING, "a bind mount has no source; it is left out")
W_TMPFS_SIZE = code("HOP149", Severity.WARNING, "a tmpfs size is negative; it is ignored")
W_ALL_PROFILED = code("HOP150", Severity.WARNING,
                      "every service needs a profile and none is enabled; hopper reads them all")

# Files that document a git-ignored env file: names only, their values are placeholders.
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")
EXAMPLE_FILES = (".env.example", ".env.sample", ".env.template", "example.env", ".env.dist")


def example_candidates(missing: Path) -> list[Path]:
    """Where an example of a missing env file may sit: ``<name>.example`` and friends beside
    it, then the usual ``.env.example``/``.env.sample``/``.env.template``/``example.env``."""
    names = [missing.name + suffix for suffix in EXAMPLE_SUFFIXES] + list(EXAMPLE_FILES)
    return [missing.parent / name for name in dict.fromkeys(names)]


def depends_cycles(services: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """Each ``depends_on`` cycle once, as the services in order starting from the smallest name
    (a service depending on itself is a cycle of one)."""
    graph = {name: sorted(d for d in (svc.get("depends_on") or {}) if d in services)
             for name, svc in services.items()}
    found: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):]
                start = cycle.index(min(cycle))
                found.add(tuple(cycle[start:] + cycle[:start]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return sorted(found)


def drop_cycles(services: dict[str, dict[str, Any]], locations: dict[tuple[str | int, ...], Location],
                diagnostics: Diagnostics) -> None:
    """Warn about each ``depends_on`` cycle and cut it at its last edge, so that a start order
    exists (Compose refuses the file)."""
    for cycle in depends_cycles(services):
        last, first = cycle[-1], cycle[0]
        shown = " -> ".join((*cycle, first))
        where = locations.get(("services", last, "depends_on", first)) \
            or locations.get(("services", last, "depends_on")) or locations.get(("services", last))
        what = f"service '{first}' depends on itself" if len(cycle) == 1 else f"depends_on cycle: {shown}"
        diagnostics.warning(W_DEPENDS_CYCLE, f"{what}; hopper drops {last} -> {first}", where,
                            "Compose refuses this file: remove the dependency that closes the loop")
        deps = dict(services[last].get("depends_on") or {})
        deps.pop(first, None)
        services[last] = {**services[last], "depends_on": deps}


def undefined_resources(services: dict[str, dict[str, Any]], top: dict[str, Any],
                        locations: dict[tuple[str | int, ...], Location], diagnostics: Diagnostics) -> None:
    """Networks, named volumes, secrets and configs a service uses but the file does not
    define (Compose refuses them; ``default`` is the implicit network)."""
    defined = {kind: set(top.get(kind) or {}) if isinstance(top.get(kind), dict) else set()
               for kind in ("networks", "volumes", "secrets", "configs")}
    defined["networks"].add("default")
    for name, svc in services.items():
        if svc.get("network_mode") is None:
            for net in (svc.get("networks") or {}) if isinstance(svc.get("networks"), dict) else {}:
                if net not in defined["networks"]:
                    _undefined(diagnostics, locations, name, "networks", net, "network")
        for i, vol in enumerate(svc.get("volumes") or []):
            if isinstance(vol, dict) and vol.get("type") == "volume" and vol.get("source") \
                    and str(vol["source"]) not in defined["volumes"]:
                _undefined(diagnostics, locations, name, "volumes", i, f"volume '{vol['source']}'")
        for kind in ("secrets", "configs"):
            for i, ref in enumerate(svc.get(kind) or []):
                if isinstance(ref, dict) and ref.get("source") and str(ref["source"]) not in defined[kind]:
                    _undefined(diagnostics, locations, name, kind, i, f"{kind[:-1]} '{ref['source']}'")


def _undefined(diagnostics: Diagnostics, locations: dict[tuple[str | int, ...], Location], service: str,
               key: str, item: str | int, what: str) -> None:
    label = what if isinstance(item, int) else f"{what} '{item}'"
    where = locations.get(("services", service, key, item)) or locations.get(("services", service, key))
    diagnostics.warning(W_UNDEFINED_RESOURCE, f"services.{service}.{key}: {label} is not defined at the "
                        f"top level; hopper reads it as if it were", where,
                        f"Compose refuses this file: declare it under the top-level '{key}:'")
