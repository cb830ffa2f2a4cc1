"""flyctl's legacy patches (reference flyio.md §1.20), in flyctl's order: the old shapes of a
config — ``[[env]]`` lists, single ``[mount]``/``[metrics]``/``[vm]``/``[compute]`` tables,
``[[processes]]`` with name/command, ``experimental.kill_timeout``, ``"soft,hard"`` concurrency,
``build_target`` — become the one normalised structure, each move recorded as an alias so that
a finding still points at the key the user wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hopper.diagnostics import Diagnostic, Location, error, warning
from hopper.formats.fly.flytoml_config import E_TYPE, E_VALUE, FlyConfig, key_name
from hopper.formats.fly.read_toml_locations import KeyPath, Position


class Normaliser:
    """A decoded config and flyctl's patches over it; ``flytoml_check._Checker`` adds the
    type checks. Errors and warnings collect here, each located at the key the user wrote."""

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
                  f"not {type_name(value)}", path)
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
        self.fail(E_TYPE, f"Do not know how to process 'env' section of type {type_name(raw)}", ("env",))
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


def type_name(value: Any) -> str:
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
