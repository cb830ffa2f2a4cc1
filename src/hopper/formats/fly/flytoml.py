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
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_NOT_A_FILE,
    E_NOT_UTF8,
    E_TOO_DEEP,
    E_TOO_LARGE,
    Diagnostic,
    InputError,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    error,
    warning,
)
from hopper.formats.fly.read_toml_locations import KeyPath, Position, key_locations, max_nesting
from hopper.formats.fly.read_units import parse_duration

E_SYNTAX = code("HOP300", Severity.ERROR, "fly.toml (or fly.json/fly.yaml) is not valid TOML/JSON/YAML")
E_TYPE = code("HOP301", Severity.ERROR, "a fly.toml key has the wrong type for flyctl")
W_UNKNOWN_KEY = code("HOP302", Severity.WARNING, "a fly.toml key or section flyctl does not know (it is silently ignored)")
E_VALUE = code("HOP303", Severity.ERROR, "a fly.toml value flyctl cannot load (bad duration, autostop, concurrency, port)")
W_NANOSECONDS = code("HOP304", Severity.WARNING, "an integer duration that flyctl reads as nanoseconds")
W_OBSOLETE_KEY = code("HOP305", Severity.WARNING, "an obsolete fly.toml key that flyctl ignores")
E_NO_APP = code("HOP306", Severity.ERROR, "the fly.toml has no app name")

from hopper.formats.fly.config_names import FLY_CONFIG_NAMES as FLY_CONFIG_NAMES  # noqa: E402 - read here too

# ----------------------------------------------------------------------------- the schema
# Transcribed from flyctl's Config structs (internal/appconfig/config.go, service.go,
# toplevelcheck.go) and fly-go's machine types, as summarised in reference §1.2-1.18.


class Spec:
    """A node of the schema."""


@dataclass(frozen=True)
class Scalar(Spec):
    kind: str  # see _CHECKERS


@dataclass(frozen=True)
class Table(Spec):
    fields: Mapping[str, Spec]
    obsolete: frozenset[str] = frozenset()  # keys old flyctl versions knew; now ignored


@dataclass(frozen=True)
class ArrayOf(Spec):
    item: Spec


@dataclass(frozen=True)
class MapOf(Spec):
    """A table with free keys whose values all follow ``value``."""

    value: Spec


@dataclass(frozen=True)
class Free(Spec):
    """Anything goes (free-form maps flyctl passes through)."""


STR, INT, FLOAT, BOOL = Scalar("str"), Scalar("int"), Scalar("float"), Scalar("bool")
STRS = Scalar("strs")
PORT = Scalar("port")  # int, or a legacy quoted number
AUTOSTOP = Scalar("autostop")
DURATION = Scalar("duration")  # integers are nanoseconds (fly-go Duration)
DURATION_MS = Scalar("duration_ms")  # integers are milliseconds (legacy check fields)
DURATION_S = Scalar("duration_s")  # integers are seconds (kill_timeout)
SIZE = Scalar("size")  # an integer or a size string, parsed later
CMD = Scalar("cmd")  # a string or a list of strings
STRMAP = Scalar("strmap")  # free keys, scalar values
HEADERS = Scalar("headers")  # check headers: a map, or the legacy [{name, value}] list
FREE = Free()

_PROCESSES = {"processes": STRS}

_CONCURRENCY = Table({"type": STR, "hard_limit": INT, "soft_limit": INT})
_TLS = Table({"alpn": STRS, "versions": STRS, "default_self_signed": BOOL})
_HTTP_OPTIONS = Table({
    "compress": BOOL, "h2_backend": BOOL, "idle_timeout": INT, "headers_read_timeout": INT,
    "response": Table({"pristine": BOOL, "headers": FREE}),
    "replay_cache": ArrayOf(Table({
        "path_prefix": STR, "ttl_seconds": INT, "type": STR, "name": STR, "allow_bypass": BOOL,
    })),
})
_MACHINE_CHECK = Table({
    "command": STRS, "image": STR, "entrypoint": STRS, "kill_signal": STR, "kill_timeout": DURATION,
})


def _http_check(interval: Spec) -> Table:
    return Table({
        "interval": interval, "timeout": interval, "grace_period": DURATION, "method": STR,
        "path": STR, "protocol": STR, "tls_skip_verify": BOOL, "tls_server_name": STR,
        "headers": HEADERS,
    }, obsolete=frozenset({"restart_limit"}))


_SERVICE_COMMON: dict[str, Spec] = {
    "auto_stop_machines": AUTOSTOP, "auto_start_machines": BOOL, "min_machines_running": INT,
    **_PROCESSES, "concurrency": _CONCURRENCY, "machine_checks": ArrayOf(_MACHINE_CHECK),
}

_HTTP_SERVICE = Table({
    "internal_port": INT, "force_https": BOOL, **_SERVICE_COMMON,
    "tls_options": _TLS, "http_options": _HTTP_OPTIONS,
    "checks": ArrayOf(_http_check(DURATION)),
})

_PORT = Table({
    "port": PORT, "start_port": INT, "end_port": INT, "handlers": STRS, "force_https": BOOL,
    "tls_options": _TLS, "http_options": _HTTP_OPTIONS,
    "proxy_proto_options": Table({"version": STR}),
})

_SERVICE = Table({
    "internal_port": PORT, "protocol": STR, **_SERVICE_COMMON,
    "ports": ArrayOf(_PORT),
    "tcp_checks": ArrayOf(Table({
        "interval": DURATION_MS, "timeout": DURATION_MS, "grace_period": DURATION,
    }, obsolete=frozenset({"restart_limit"}))),
    "http_checks": ArrayOf(_http_check(DURATION_MS)),
}, obsolete=frozenset({"script_checks"}))

_VM_FIELDS: dict[str, Spec] = {
    "size": STR, "memory": SIZE, "cpus": INT, "cpu_kind": STR, "memory_mb": INT,
    "max_memory_mb": INT, "gpus": INT, "gpu_kind": STR, "kernel_args": STRS,
    "host_dedication_id": STR, "persist_rootfs": STR,
}

_TOP_CHECK = Table({
    "name": STR, "type": STR, "port": INT, "interval": DURATION_MS, "timeout": DURATION_MS,
    "grace_period": DURATION, "method": STR, "path": STR, "protocol": STR,
    "tls_skip_verify": BOOL, "tls_server_name": STR, "headers": HEADERS, **_PROCESSES,
}, obsolete=frozenset({"restart_limit"}))

ROOT = Table({
    "app": STR, "primary_region": STR, "kill_signal": STR, "kill_timeout": DURATION_S,
    "swap_size_mb": INT, "console_command": STR, "host_dedication_id": STR,
    "machine_config": STR, "container": STR,
    "experimental": Table({
        "cmd": CMD, "entrypoint": CMD, "exec": CMD, "auto_rollback": BOOL,
        "enable_consul": BOOL, "enable_etcd": BOOL, "machine_config": STR,
        "lazy_load_images": BOOL,
        "attached": Table({"secrets": Table({"export": FREE})}),
    }, obsolete=frozenset({"private_network", "allowed_public_ports"})),
    "build": Table({
        "builder": STR, "image": STR, "builtin": STR, "dockerfile": STR, "ignorefile": STR,
        "build-target": STR, "buildpacks": STRS, "args": STRMAP, "settings": FREE,
        "compression": STR, "compression_level": INT, "compose": Table({"file": STR}),
    }),
    "deploy": Table({
        "release_command": STR, "release_command_timeout": DURATION,
        "release_command_vm": Table(_VM_FIELDS), "strategy": STR, "max_unavailable": FLOAT,
        "wait_timeout": DURATION, "seed_command": STR,
    }),
    "env": STRMAP,
    "processes": STRMAP,
    "mounts": ArrayOf(Table({
        "source": STR, "destination": STR, "initial_size": SIZE, "snapshot_retention": INT,
        "scheduled_snapshots": BOOL, "auto_extend_size_threshold": INT,
        "auto_extend_size_increment": SIZE, "auto_extend_size_limit": SIZE, **_PROCESSES,
    })),
    "http_service": _HTTP_SERVICE,
    "services": ArrayOf(_SERVICE),
    "checks": MapOf(_TOP_CHECK),
    "files": ArrayOf(Table({
        "guest_path": STR, "raw_value": STR, "local_path": STR, "secret_name": STR, **_PROCESSES,
    })),
    "machine_checks": ArrayOf(_MACHINE_CHECK),
    "restart": ArrayOf(Table({"policy": STR, "retries": INT, **_PROCESSES})),
    "vm": ArrayOf(Table({**_VM_FIELDS, **_PROCESSES})),
    "statics": ArrayOf(Table({
        "guest_path": STR, "url_prefix": STR, "tigris_bucket": STR, "index_document": STR,
    })),
    "metrics": ArrayOf(Table({"port": INT, "path": STR, "https": BOOL, **_PROCESSES})),
}, obsolete=frozenset({"http_checks", "script_checks"}))


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class FlyConfig:
    """One fly.toml, normalised. ``data`` follows :data:`ROOT`; see the module docstring."""

    path: str  # the file as shown to the user (relative to the project root when known)
    data: dict[str, Any]
    diagnostics: tuple[Diagnostic, ...] = ()
    locations: Mapping[KeyPath, Position] = field(default_factory=dict, repr=False)
    aliases: Mapping[KeyPath, KeyPath] = field(default_factory=dict, repr=False)

    @property
    def app(self) -> str | None:
        value = self.data.get("app")
        return value if isinstance(value, str) and value else None

    def source_path(self, path: KeyPath) -> KeyPath:
        """The key path as the user wrote it (``("mount",)`` for normalised ``("mounts", 0)``)."""
        for cut in range(len(path), 0, -1):
            alias = self.aliases.get(path[:cut])
            if alias is not None:
                return alias + path[cut:]
        return path

    def location(self, *path: str | int) -> Location:
        """Where ``path`` (a normalised key path) was written; the nearest parent if not found."""
        source = self.source_path(tuple(path))
        for cut in range(len(source), -1, -1):
            pos = self.locations.get(source[:cut])
            if pos is not None:
                return Location(file=self.path, line=pos[0], col=pos[1],
                                key=key_name(source) or None)
        return Location(file=self.path, key=key_name(source) or None)

    def get(self, *path: str | int) -> Any:
        """The normalised value at ``path``, or None."""
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
            elif not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node


def key_name(path: KeyPath) -> str:
    """``services[0].ports[1].port`` for ``("services", 0, "ports", 1, "port")``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            out += f".{name}" if out else name
    return out


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


# ----------------------------------------------------------------------------- normalising


class _Normaliser:
    def __init__(self, data: dict[str, Any], filename: str,
                 locations: Mapping[KeyPath, Position]) -> None:
        self.data = data
        self.filename = filename
        self.locations = locations
        self.aliases: dict[KeyPath, KeyPath] = {}
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    # -- helpers

    def config(self) -> FlyConfig:
        return FlyConfig(path=self.filename, data=self.data, locations=self.locations,
                         aliases=self.aliases)

    def where(self, path: KeyPath) -> Location:
        return self.config().location(*path)

    def fail(self, code_name: str, message: str, path: KeyPath, hint: str | None = None) -> None:
        self.errors.append(error(code_name, message, self.where(path), hint))

    def warn(self, code_name: str, message: str, path: KeyPath, hint: str | None = None) -> None:
        self.warnings.append(warning(code_name, message, self.where(path), hint))

    def alias(self, new: KeyPath, old: KeyPath) -> None:
        if new != old:
            # Keep the outermost alias: a nested move (env list inside a moved table) composes.
            self.aliases[new] = self.config().source_path(old)

    def as_list_of_tables(self, key: str, value: Any, path: KeyPath) -> list[dict[str, Any]] | None:
        """flyctl's ensureArrayOfMap: a table becomes a one-element list."""
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return list(value)
        self.fail(E_TYPE, f"'{key_name(path)}' must be a table or an array of tables, "
                  f"not {_type_name(value)}", path)
        return None

    # -- patches, in flyctl's order

    def run(self) -> None:
        self.patch_env()
        self.patch_services()
        self.patch_processes()
        self.patch_experimental()
        self.patch_checks()
        self.patch_plural("mounts", ("mount", "mounts"))
        self.patch_plural("metrics", ("metric", "metrics"))
        self.patch_plural("vm", ("vm", "compute", "computes"))
        self.patch_build()

    def patch_env(self) -> None:
        raw = self.data.get("env")
        if raw is None or isinstance(raw, dict):
            return
        if isinstance(raw, list):
            merged: dict[str, Any] = {}
            for index, item in enumerate(raw):
                if not isinstance(item, dict):
                    self.fail(E_TYPE, f"'env[{index}]' must be a table of NAME = value", ("env", index))
                    continue
                for name, value in item.items():
                    merged[name] = value
                    self.aliases[("env", name)] = ("env", index, name)
            self.data["env"] = merged
            return
        self.fail(E_TYPE, f"Do not know how to process 'env' section of type {_type_name(raw)}", ("env",))
        del self.data["env"]

    def patch_services(self) -> None:
        raw = self.data.get("services")
        if raw is None:
            return
        services = self.as_list_of_tables("services", raw, ("services",))
        if services is None:
            del self.data["services"]
            return
        if isinstance(raw, dict):
            self.alias(("services", 0), ("services",))
        kept: list[dict[str, Any]] = []
        for index, service in enumerate(services):
            if not service:  # flyctl drops a [[services]] with no keys at all
                continue
            if len(kept) != index:
                self.alias(("services", len(kept)), ("services", index))
            self.patch_service(service, ("services", len(kept)))
            kept.append(service)
        self.data["services"] = kept

    def patch_service(self, service: dict[str, Any], path: KeyPath) -> None:
        concurrency = service.get("concurrency")
        if isinstance(concurrency, str):
            soft, comma, hard = concurrency.partition(",")
            if not comma or not soft.strip().lstrip("-").isdigit() or not hard.strip().lstrip("-").isdigit():
                self.fail(E_VALUE, f"Unknown value '{concurrency}' for concurrency limits",
                          (*path, "concurrency"), hint="write [services.concurrency] with "
                          "type, soft_limit and hard_limit")
                del service["concurrency"]
            else:
                service["concurrency"] = {"type": "requests", "hard_limit": int(hard),
                                          "soft_limit": int(soft)}
        elif concurrency is not None and not isinstance(concurrency, dict):
            self.fail(E_TYPE, f"Unknown type for service concurrency: {_go_type(concurrency)}",
                      (*path, "concurrency"),
                      hint="write [services.concurrency] with type, soft_limit and hard_limit")
            del service["concurrency"]
        if "ports" in service:
            ports = self.as_list_of_tables("ports", service["ports"], (*path, "ports"))
            if ports is None:
                del service["ports"]
            else:
                if isinstance(service["ports"], dict):
                    self.alias((*path, "ports", 0), (*path, "ports"))
                service["ports"] = ports
        for kind in ("tcp_checks", "http_checks"):
            if kind in service:
                checks = self.as_list_of_tables(kind, service[kind], (*path, kind))
                if checks is None:
                    del service[kind]
                    continue
                if isinstance(service[kind], dict):
                    self.alias((*path, kind, 0), (*path, kind))
                if checks:
                    service[kind] = checks
                else:
                    del service[kind]

    def patch_processes(self) -> None:
        raw = self.data.get("processes")
        if raw is None or isinstance(raw, dict):
            return
        if isinstance(raw, list):
            # The GraphQL API used to return [] for "no processes"; older files list
            # [[processes]] with name and command.
            groups: dict[str, Any] = {}
            for index, item in enumerate(raw):
                if not isinstance(item, dict) or not item:
                    continue
                name = item.get("name")
                if not isinstance(name, str) or not name:
                    self.fail(E_TYPE, f"'processes[{index}]' needs a string 'name'", ("processes", index))
                    continue
                groups[name] = item.get("command", "")
                self.aliases[("processes", name)] = ("processes", index, "command")
            if groups:
                self.data["processes"] = groups
            else:
                del self.data["processes"]
            return
        self.fail(E_TYPE, f"Unknown processes type: {_go_type(raw)}", ("processes",))
        del self.data["processes"]

    def patch_experimental(self) -> None:
        raw = self.data.get("experimental")
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.fail(E_TYPE, f"Experimental section of unknown type: {_go_type(raw)}", ("experimental",))
            del self.data["experimental"]
            return
        for key in ("cmd", "entrypoint", "exec"):
            if isinstance(raw.get(key), str):
                raw[key] = [raw[key]]
        if "kill_timeout" in raw:
            value = raw.pop("kill_timeout")
            if "kill_timeout" not in self.data:
                self.data["kill_timeout"] = value
                self.aliases[("kill_timeout",)] = ("experimental", "kill_timeout")
        if "metrics_port" in raw or "metrics_path" in raw:
            port = raw.pop("metrics_port", None)
            metrics_path = raw.pop("metrics_path", None)
            if "metrics" not in self.data and "metric" not in self.data:
                entry: dict[str, Any] = {}
                if port is not None:
                    entry["port"] = port
                    self.aliases[("metrics", 0, "port")] = ("experimental", "metrics_port")
                if metrics_path is not None:
                    entry["path"] = metrics_path
                    self.aliases[("metrics", 0, "path")] = ("experimental", "metrics_path")
                self.aliases[("metrics", 0)] = ("experimental",)
                self.data["metrics"] = [entry]
        if not raw:
            del self.data["experimental"]

    def patch_checks(self) -> None:
        raw = self.data.get("checks")
        if raw is None:
            return
        checks: dict[str, Any] = {}
        if isinstance(raw, dict):
            for name, check in raw.items():
                if not isinstance(check, dict):
                    self.fail(E_TYPE, f"'checks.{name}' must be a table", ("checks", name))
                    continue
                checks[name] = check
        elif isinstance(raw, list):
            for index, check in enumerate(raw):
                name = check.get("name") if isinstance(check, dict) else None
                if not isinstance(name, str):
                    self.fail(E_TYPE, "check item name not a string", ("checks", index))
                    continue
                checks[name] = check
                self.aliases[("checks", name)] = ("checks", index)
        else:
            self.fail(E_TYPE, f"'checks' section of unknown type: {_go_type(raw)}", ("checks",))
        if checks:
            self.data["checks"] = checks
        else:
            del self.data["checks"]

    def patch_plural(self, target: str, sources: tuple[str, ...]) -> None:
        items: list[dict[str, Any]] = []
        moves: list[tuple[KeyPath, KeyPath]] = []
        for key in sources:
            if key not in self.data:
                continue
            raw = self.data.pop(key)
            found = self.as_list_of_tables(key, raw, (key,))
            if found is None:
                continue
            for index, item in enumerate(found):
                old: KeyPath = (key,) if isinstance(raw, dict) else (key, index)
                moves.append(((target, len(items)), old))
                items.append(item)
        for new, old in moves:
            self.alias(new, old)
        if items:
            self.data[target] = items

    def patch_build(self) -> None:
        build = self.data.get("build")
        if isinstance(build, dict) and "build_target" in build:
            value = build.pop("build_target")
            if "build-target" not in build:
                build["build-target"] = value
                self.aliases[("build", "build-target")] = ("build", "build_target")


# ----------------------------------------------------------------------------- type checking


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _go_type(value: Any) -> str:
    """The Go type name flyctl's messages use for a decoded TOML value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def _go_string(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v")`` for the scalars flyctl stringifies in [env]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


_EXPECTED = {
    "str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean",
    "strs": "an array of strings", "port": "an integer", "autostop": "\"off\", \"stop\", \"suspend\" or a boolean",
    "duration": "a duration string such as \"30s\"", "duration_ms": "a duration string such as \"30s\"",
    "duration_s": "a duration string such as \"30s\"", "size": "a size such as \"512mb\" or an integer",
    "cmd": "a string or an array of strings", "strmap": "a table of NAME = value",
    "headers": "a table of header names",
}


class _Checker(_Normaliser):
    def check(self, value: Any, spec: Spec, path: KeyPath, parent: Any, key: str | int) -> None:
        if isinstance(spec, Free):
            return
        if isinstance(spec, Table):
            if not isinstance(value, dict):
                self.type_error(value, "a table", path)
                self.drop(parent, key)
                return
            self.check_table(value, spec, path)
        elif isinstance(spec, ArrayOf):
            if isinstance(value, dict) and isinstance(spec.item, Table):
                # A single table where an array of tables is expected: flyctl's structs want the
                # array, so the file fails to load (only some sections are patched).
                self.type_error(value, "an array of tables ([[...]])", path)
                self.drop(parent, key)
                return
            if not isinstance(value, list):
                self.type_error(value, "an array", path)
                self.drop(parent, key)
                return
            for index in range(len(value) - 1, -1, -1):
                self.check(value[index], spec.item, (*path, index), value, index)
        elif isinstance(spec, MapOf):
            if not isinstance(value, dict):
                self.type_error(value, "a table", path)
                self.drop(parent, key)
                return
            for name in list(value):
                self.check(value[name], spec.value, (*path, name), value, name)
        elif isinstance(spec, Scalar):
            self.check_scalar(value, spec.kind, path, parent, key)

    def drop(self, parent: Any, key: str | int) -> None:
        if isinstance(parent, dict):
            parent.pop(key, None)
        elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
            del parent[key]

    def type_error(self, value: Any, expected: str, path: KeyPath) -> None:
        self.fail(E_TYPE, f"'{key_name(self.config().source_path(path))}' must be {expected}, "
                  f"not {_type_name(value)}", path)

    def check_table(self, table: dict[str, Any], spec: Table, path: KeyPath) -> None:
        lowered = {name.lower(): name for name in spec.fields}
        for name in list(table):
            if name in spec.fields:
                continue
            sub = (*path, name)
            shown = key_name(self.config().source_path(sub))
            if name in spec.obsolete:
                self.warn(W_OBSOLETE_KEY, f"'{shown}' is obsolete and ignored by flyctl", sub,
                          hint="remove it")
                continue
            target = lowered.get(name.lower())
            if target is not None and target not in table:
                # Go's encoding/json matches keys case-insensitively, so flyctl uses it.
                self.warn(W_UNKNOWN_KEY, f"unknown key '{shown}'; flyctl reads it as "
                          f"'{target}' because it matches keys case-insensitively", sub,
                          hint=f"write '{target}' (fly config validate --strict rejects '{name}')")
                table[target] = table.pop(name)
                self.aliases.setdefault((*path, target), self.config().source_path(sub))
                continue
            close = difflib.get_close_matches(name, list(spec.fields), n=1, cutoff=0.6)
            where = key_name(self.config().source_path(path))
            hint = f"did you mean '{close[0]}'?" if close else (
                f"known keys{' in ' + where if where else ''}: {', '.join(sorted(spec.fields))}")
            kind = "section" if isinstance(table[name], dict | list) and table[name] and (
                isinstance(table[name], dict) or isinstance(table[name][0], dict)) else "key"
            self.warn(W_UNKNOWN_KEY, f"unknown {kind} '{shown}' (flyctl ignores it)", sub, hint=hint)
        for name, sub_spec in spec.fields.items():
            if name in table:
                self.check(table[name], sub_spec, (*path, name), table, name)

    def check_scalar(self, value: Any, kind: str, path: KeyPath, parent: Any, key: str | int) -> None:
        checker = _CHECKERS[kind]
        try:
            converted = checker(self, value, path)
        except _BadType:
            self.type_error(value, _EXPECTED[kind], path)
            self.drop(parent, key)
            return
        except _BadValue as exc:
            self.fail(E_VALUE, str(exc), path, exc.hint)
            self.drop(parent, key)
            return
        if converted is _ABSENT:
            self.drop(parent, key)
        elif isinstance(parent, dict | list):
            parent[key] = converted  # type: ignore[index]


class _BadType(Exception):
    pass


class _BadValue(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


_ABSENT = object()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _c_str(_: _Checker, value: Any, __: KeyPath) -> Any:
    if not isinstance(value, str):
        raise _BadType
    return value


def _c_int(_: _Checker, value: Any, __: KeyPath) -> Any:
    if _is_int(value):
        return value
    if isinstance(value, float) and value.is_integer():  # JSON and YAML have no int/float split
        return int(value)
    raise _BadType


def _c_float(_: _Checker, value: Any, __: KeyPath) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise _BadType


def _c_bool(_: _Checker, value: Any, __: KeyPath) -> Any:
    if not isinstance(value, bool):
        raise _BadType
    return value


def _c_strs(_: _Checker, value: Any, __: KeyPath) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _BadType
    return value


def _c_port(_: _Checker, value: Any, path: KeyPath) -> Any:
    if _is_int(value):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _BadValue(f"Can not convert '{value}' to integer for '{key_name(path)}'") from None
    raise _BadType


def _c_autostop(_: _Checker, value: Any, __: KeyPath) -> Any:
    if isinstance(value, bool):
        return "stop" if value else "off"
    if isinstance(value, str):
        if value in ("off", "stop", "suspend"):
            return value
        raise _BadValue(f'invalid autostop string value "{value}"',
                        hint='use "off", "stop" or "suspend"')
    raise _BadType


def _duration(int_unit: float, int_note: str | None) -> Callable[[_Checker, Any, KeyPath], Any]:
    def check(checker: _Checker, value: Any, path: KeyPath) -> Any:
        if isinstance(value, str):
            if value == "":
                return _ABSENT  # flyctl ignores an empty duration
            try:
                return parse_duration(value)
            except ValueError as exc:
                raise _BadValue(f"'{key_name(path)}': {exc}",
                                hint='write a Go duration such as "30s" or "1m30s"') from None
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value) * int_unit
            if int_note is not None:
                checker.warn(W_NANOSECONDS, f"'{key_name(checker.config().source_path(path))}' = "
                             f"{value} is read by flyctl as {int_note}", path,
                             hint=f'write a unit string such as "{int(value)}s"')
            return seconds
        raise _BadType
    return check


def _c_size(_: _Checker, value: Any, __: KeyPath) -> Any:
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise _BadType


def _c_cmd(_: _Checker, value: Any, __: KeyPath) -> Any:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise _BadType


def _c_strmap(checker: _Checker, value: Any, path: KeyPath) -> Any:
    if not isinstance(value, dict):
        raise _BadType
    out: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, str | int | float | bool):
            out[name] = item if isinstance(item, str) else _go_string(item)
        else:
            checker.type_error(item, "a string", (*path, name))
    return out


def _c_headers(_: _Checker, value: Any, __: KeyPath) -> Any:
    if isinstance(value, dict):
        return {str(k): v if isinstance(v, str) else _go_string(v) for k, v in value.items()
                if isinstance(v, str | int | float | bool)}
    if isinstance(value, list):
        out: dict[str, str] = {}
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise _BadType
            out[item["name"]] = _go_string(item.get("value", ""))
        return out if out else _ABSENT
    raise _BadType


_CHECKERS: dict[str, Callable[[_Checker, Any, KeyPath], Any]] = {
    "str": _c_str, "int": _c_int, "float": _c_float, "bool": _c_bool, "strs": _c_strs,
    "port": _c_port, "autostop": _c_autostop,
    "duration": _duration(1e-9, "nanoseconds"),
    "duration_ms": _duration(1e-3, None),
    "duration_s": _duration(1.0, None),
    "size": _c_size, "cmd": _c_cmd, "strmap": _c_strmap, "headers": _c_headers,
}


def normalise(raw: dict[str, Any], filename: str,
              locations: Mapping[KeyPath, Position] | None = None) -> FlyConfig:
    """Apply flyctl's patches and type rules to a decoded config map.

    Raises :class:`InputError` carrying every type and value error found (each with its line and
    column); otherwise returns the normalised config with its warnings.
    """
    checker = _Checker(copy.deepcopy(raw), filename, locations or {})
    checker.run()
    checker.check_table(checker.data, ROOT, ())
    if checker.errors:
        raise InputError(sorted(checker.errors, key=lambda d: d.sort_key()))
    cfg = checker.config()
    return FlyConfig(path=cfg.path, data=cfg.data, locations=cfg.locations, aliases=cfg.aliases,
                     diagnostics=tuple(sorted(checker.warnings, key=lambda d: d.sort_key())))
