"""Read a fly.toml (or fly.json / fly.yaml) the way flyctl does, with positions for every key.

flyctl decodes the file into a generic map, runs a chain of legacy patches over it, then decodes
the result into Go structs (reference flyio.md §1.1). hopper does the same in three steps:

1. parse: tomllib (fast, strict) for TOML, plus a light scan that records where each key is;
2. patch: flyctl's legacy shapes become one normalised structure (§1.20) — ``[[env]]`` lists,
   single ``[mount]``/``[metrics]``/``[vm]``/``[compute]`` tables, ``[[processes]]`` with
   name/command, ``experimental.kill_timeout`` and ``metrics_*``, ``"soft,hard"`` concurrency,
   quoted ports, integer check durations in milliseconds, header lists, ``build_target``;
3. check: every known key against flyctl's structs (§1.2-1.18). A wrong type is an
   :class:`InputError` with ``file:line:col`` (flyctl refuses such files at deploy time); an
   unknown key is a warning with a did-you-mean naming the full key path (flyctl silently ignores
   it, which is how typos ship). Free-form maps (env, processes, build args and settings, headers)
   are not checked.

In the normalised structure durations are float seconds, ``auto_stop_machines`` is always one
of ``"off"``, ``"stop"``, ``"suspend"``, ports are ints, and every repeatable section is a list.
Sizes stay as written (flyctl parses them late, in validation); :mod:`read_units` parses them.

This module parses; the rest is in :mod:`flytoml_patch` (step 2), :mod:`flytoml_check` (step 3,
against :mod:`flytoml_schema`), and :mod:`flytoml_config` (the result, :class:`FlyConfig`, and the
codes of reading a config).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_NOT_A_FILE,
    E_NOT_UTF8,
    E_TOO_DEEP,
    E_TOO_LARGE,
    InputError,
    LimitError,
    Limits,
    Location,
    error,
)
from hopper.formats.fly.flytoml_check import normalise
from hopper.formats.fly.flytoml_config import E_SYNTAX, FlyConfig
from hopper.formats.fly.read_toml_locations import KeyPath, Position, key_locations, max_nesting

# ----------------------------------------------------------------------------- parsing


def read_fly_config(path: Path, display: str | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> FlyConfig:
    """Read and normalise the config file at ``path`` (errors name it as ``display``)."""
    shown = display or path.name
    if not path.is_file():
        raise InputError(error(E_NOT_A_FILE, "not a regular file", Location(file=shown)))
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitError(error(E_TOO_LARGE, f"file is {size} bytes, over the limit of "
                               f"{limits.max_file_bytes}", Location(file=shown)))
    return parse_fly_config(path.read_bytes(), shown, fmt=config_format(path.name), limits=limits)


def config_format(filename: str) -> str:
    """flyctl picks the decoder by extension: .json, .yaml/.yml, anything else is TOML."""
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    return "toml"


def parse_fly_config(raw: bytes | str, filename: str, *, fmt: str = "toml",
                     limits: Limits = DEFAULT_LIMITS) -> FlyConfig:
    text = _decode(raw, filename, limits)
    if fmt == "json":
        data, locations = _parse_json(text, filename, limits)
    elif fmt == "yaml":
        data, locations = _parse_yaml(text, filename, limits)
    else:
        data, locations = _parse_toml(text, filename, limits)
    _check_depth(data, filename, limits)
    return normalise(data, filename, locations)


def _decode(raw: bytes | str, filename: str, limits: Limits) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        if len(raw) > limits.max_file_bytes:
            raise LimitError(error(E_TOO_LARGE, f"file is {len(raw)} bytes, over the limit of "
                                   f"{limits.max_file_bytes}", Location(file=filename)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise InputError(error(E_NOT_UTF8, f"not valid UTF-8 (byte {exc.start})",
                                   Location(file=filename, line=line))) from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError(error(E_NOT_UTF8, "contains a NUL byte", Location(file=filename, line=line)))
    return text.removeprefix("\ufeff")


def _too_deep(text: str, filename: str, limits: Limits) -> None:
    found = max_nesting(text, limits.max_depth)
    if found is not None:
        offset, _depth = found
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise LimitError(error(E_TOO_DEEP, f"nesting deeper than {limits.max_depth} levels",
                               Location(file=filename, line=line, col=col)))


_TOML_ERROR_AT = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$")


def _parse_toml(text: str, filename: str, limits: Limits) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    _too_deep(text, filename, limits)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_ERROR_AT.match(message)
        if match:
            raise InputError(error(E_SYNTAX, f"invalid TOML: {match.group(1)}", Location(
                file=filename, line=int(match.group(2)), col=int(match.group(3))))) from None
        if message.endswith(" (at end of document)"):
            line = text.count("\n") + 1
            col = len(text) - (text.rfind("\n") + 1) + 1
            raise InputError(error(E_SYNTAX, f"invalid TOML: {message[:-21]} at end of document",
                                   Location(file=filename, line=line, col=col))) from None
        raise InputError(error(E_SYNTAX, f"invalid TOML: {message}", Location(file=filename))) from None
    except RecursionError:
        raise LimitError(error(E_TOO_DEEP, "nesting too deep", Location(file=filename))) from None
    return data, key_locations(text)


def _parse_json(text: str, filename: str, limits: Limits) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    _too_deep(text, filename, limits)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(error(E_SYNTAX, f"invalid JSON: {exc.msg}",
                               Location(file=filename, line=exc.lineno, col=exc.colno))) from None
    except RecursionError:
        raise LimitError(error(E_TOO_DEEP, "nesting too deep", Location(file=filename))) from None
    if not isinstance(data, dict):
        raise InputError(error(E_SYNTAX, "the top level of a fly.json must be an object",
                               Location(file=filename, line=1, col=1)))
    return data, {}


def _parse_yaml(text: str, filename: str, limits: Limits) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    import yaml  # noqa: PLC0415

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader_cls)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file=filename, line=mark.line + 1, col=mark.column + 1) if mark else Location(file=filename)
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(error(E_SYNTAX, f"invalid YAML: {problem}", loc)) from None
    if node is None:
        return {}, {}
    locations: dict[KeyPath, Position] = {}
    budget = [limits.max_alias_nodes]
    data = _yaml_value(node, (), locations, budget, filename, limits, 0)
    if not isinstance(data, dict):
        raise InputError(error(E_SYNTAX, "the top level of a fly.yaml must be a mapping",
                               Location(file=filename, line=1, col=1)))
    return data, locations


def _yaml_value(node: Any, path: KeyPath, locations: dict[KeyPath, Position],
                budget: list[int], filename: str, limits: Limits, depth: int) -> Any:
    """Plain data from a composed YAML node, recording positions and bounding alias expansion."""
    import yaml  # noqa: PLC0415

    budget[0] -= 1
    here = Location(file=filename, line=node.start_mark.line + 1, col=node.start_mark.column + 1)
    if budget[0] < 0:
        raise LimitError(error(E_TOO_DEEP, "too many YAML nodes (alias expansion?)", here))
    if depth > limits.max_depth:
        raise LimitError(error(E_TOO_DEEP, f"nesting deeper than {limits.max_depth} levels", here))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = (*path, key)
            locations[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _yaml_value(value_node, sub, locations, budget, filename, limits, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            sub = (*path, index)
            locations[sub] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_yaml_value(item, sub, locations, budget, filename, limits, depth + 1))
        return items
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    finally:
        loader.dispose()


def _check_depth(data: Any, filename: str, limits: Limits) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise LimitError(error(E_TOO_DEEP, f"nesting deeper than {limits.max_depth} levels",
                                   Location(file=filename)))
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
