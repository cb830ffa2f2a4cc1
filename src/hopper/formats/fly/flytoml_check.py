"""Type checking of a patched config against flyctl's structs (:mod:`flytoml_schema`).

A wrong type or a value flyctl cannot load is an error with ``file:line:col`` (flyctl refuses
such a file at deploy time); an unknown key is a warning with a did-you-mean (flyctl silently
ignores it). Scalars are converted on the way: durations to float seconds, autostop to one of
``off``/``stop``/``suspend``, quoted ports to ints, header lists to maps.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from typing import Any

from hopper.diagnostics import InputError
from hopper.formats.fly.flytoml_config import (
    E_TYPE,
    E_VALUE,
    W_NANOSECONDS,
    W_OBSOLETE_KEY,
    W_UNKNOWN_KEY,
    FlyConfig,
    key_name,
)
from hopper.formats.fly.flytoml_patch import Normaliser, type_name
from hopper.formats.fly.flytoml_schema import ROOT, ArrayOf, Free, MapOf, Scalar, Spec, Table
from hopper.formats.fly.read_toml_locations import KeyPath, Position
from hopper.formats.fly.read_units import parse_duration


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


class _Checker(Normaliser):
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
                  f"not {type_name(value)}", path)

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
