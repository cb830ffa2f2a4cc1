"""Merging Compose documents (``-f a -f b``, override files, ``extends``), as compose-go does.

Both sides are in canonical shape first (see ``normalize.canonical_service``): environment,
labels and depends_on are mappings, ports and volumes are lists of mappings, command is a
list. The rules, from the Compose specification's merge section and compose-go:

- mappings merge key by key, recursively; a scalar on the right replaces the left one;
- ``command``, ``entrypoint``, ``profiles`` and ``healthcheck.test`` are replaced, not merged;
- ``environment``, ``labels``, ``annotations``, ``sysctls``, ``build.args``, ``depends_on``,
  ``networks``, ``ulimits`` merge by key (the right side wins);
- ``ports`` are appended, dropping exact duplicates;
- ``volumes`` are merged by container ``target``; ``secrets`` and ``configs`` by ``target``;
- ``expose``, ``dns``, ``dns_search``, ``dns_opt``, ``cap_add``, ``cap_drop``, ``env_file``,
  ``extra_hosts``, ``tmpfs``, ``devices`` and other lists are appended without duplicates;
- ``logging`` options merge only when both sides use the same driver (else the right replaces);
- ``x-*`` keys are replaced whole;
- ``!reset`` removes the key from the result, ``!override`` replaces it without merging.

Nothing here mutates its inputs: shared YAML anchors stay untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hopper._yaml import Tagged

RESET = "!reset"
OVERRIDE = "!override"
TAGS = (RESET, OVERRIDE)

Path = tuple[str | int, ...]
Merger = Callable[[Any, Any, Path], Any]


def strip_tags(value: Any) -> Any:
    """Remove ``!reset``/``!override`` markers left in a document with nothing to merge into."""
    if isinstance(value, Tagged):
        return None if value.tag == RESET else strip_tags(value.value)
    if isinstance(value, dict):
        return {k: strip_tags(v) for k, v in value.items()
                if not (isinstance(v, Tagged) and v.tag == RESET)}
    if isinstance(value, list):
        return [strip_tags(v) for v in value if not (isinstance(v, Tagged) and v.tag == RESET)]
    return value


def merge_documents(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge a whole compose document over another (top-level keys)."""
    return _merge_dicts(base, over, ())


def merge_service(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge one canonical service over another (used by ``extends`` and overrides)."""
    return _merge_dicts(base, over, ("services", "*"))


def merge_value(base: Any, over: Any, path: Path) -> Any:
    if isinstance(over, Tagged):
        return strip_tags(over.value) if over.tag == OVERRIDE else None
    rule = _RULES.get(_pattern(path))
    if rule is not None:
        return rule(base, over, path)
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_dicts(base, over, path)
    if isinstance(base, list) and isinstance(over, list):
        return [*base, *strip_tags(over)]
    return strip_tags(over)


def _merge_dicts(base: dict[str, Any], over: dict[str, Any], path: Path) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Tagged) and value.tag == RESET:
            out.pop(key, None)
            continue
        if key not in out or out[key] is None or key.startswith("x-"):
            out[key] = strip_tags(value)
            continue
        out[key] = merge_value(out[key], value, (*path, key))
    return out


def _pattern(path: Path) -> Path:
    """Generalise a path for rule lookup: ``services.api.ports`` -> ``services.*.ports``."""
    if len(path) >= 2 and path[0] == "services":
        return ("services", "*", *path[2:])
    return path


def _replace(base: Any, over: Any, path: Path) -> Any:
    return strip_tags(over)


def _by_key(base: Any, over: Any, path: Path) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if isinstance(value, Tagged) and value.tag == RESET:
                out.pop(key, None)
            else:
                out[key] = strip_tags(value)
        return out
    return strip_tags(over)


def _by_key_deep(base: Any, over: Any, path: Path) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_dicts(base, over, path)
    return strip_tags(over)


def _unique_append(base: Any, over: Any, path: Path) -> Any:
    if not (isinstance(base, list) and isinstance(over, list)):
        return strip_tags(over)
    out = list(base)
    for item in strip_tags(over):
        if item not in out:
            out.append(item)
    return out


def _keyed_list(key_of: Callable[[Any], Any]) -> Merger:
    def merge(base: Any, over: Any, path: Path) -> Any:
        if not (isinstance(base, list) and isinstance(over, list)):
            return strip_tags(over)
        out: list[Any] = []
        position: dict[Any, int] = {}
        for item in [*base, *strip_tags(over)]:
            key = key_of(item)
            if key is not None and key in position:
                out[position[key]] = item
            else:
                if key is not None:
                    position[key] = len(out)
                out.append(item)
        return out
    return merge


def _target(item: Any) -> Any:
    return item.get("target") if isinstance(item, dict) else item


def _logging(base: Any, over: Any, path: Path) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        left, right = base.get("driver"), over.get("driver")
        if left is None or right is None or left == right:
            return _merge_dicts(base, over, path)
    return strip_tags(over)


_S = ("services", "*")
_RULES: dict[Path, Merger] = {
    (*_S, "command"): _replace,
    (*_S, "entrypoint"): _replace,
    (*_S, "profiles"): _replace,
    (*_S, "healthcheck", "test"): _replace,
    (*_S, "environment"): _by_key,
    (*_S, "labels"): _by_key,
    (*_S, "annotations"): _by_key,
    (*_S, "sysctls"): _by_key,
    (*_S, "build", "args"): _by_key,
    (*_S, "build", "labels"): _by_key,
    (*_S, "deploy", "labels"): _by_key,
    (*_S, "depends_on"): _by_key_deep,
    (*_S, "networks"): _by_key_deep,
    (*_S, "ulimits"): _by_key_deep,
    (*_S, "logging"): _logging,
    (*_S, "ports"): _unique_append,
    (*_S, "expose"): _unique_append,
    (*_S, "dns"): _unique_append,
    (*_S, "dns_search"): _unique_append,
    (*_S, "dns_opt"): _unique_append,
    (*_S, "cap_add"): _unique_append,
    (*_S, "cap_drop"): _unique_append,
    (*_S, "env_file"): _unique_append,
    (*_S, "extra_hosts"): _unique_append,
    (*_S, "tmpfs"): _unique_append,
    (*_S, "devices"): _unique_append,
    (*_S, "security_opt"): _unique_append,
    (*_S, "links"): _unique_append,
    (*_S, "external_links"): _unique_append,
    (*_S, "volumes_from"): _unique_append,
    (*_S, "build", "secrets"): _unique_append,
    (*_S, "build", "cache_from"): _unique_append,
    (*_S, "volumes"): _keyed_list(_target),
    (*_S, "secrets"): _keyed_list(_target),
    (*_S, "configs"): _keyed_list(_target),
}
