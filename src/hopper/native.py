"""The versioned native form of the model: hopper's canonical text for an Architecture.

``dump`` turns a model into plain data (fields in declaration order, defaults left out, enums as
their values), then YAML or JSON; ``load`` reads it back and checks every field's type. For any
model ``m``: ``load(dump(m)) == m``, and ``dump(load(dump(m))) == dump(m)`` byte for byte.

Golden tests and ``hopper inspect --format yaml|json`` use this form.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from hopper import model
from hopper.diagnostics import Location, Severity, code, fail

E_NATIVE = code("HOP020", Severity.ERROR, "a native model document is malformed or of another version")

_VERSION_KEY = "hopper_model_version"


# ---------------------------------------------------------------------------- dump

def to_data(obj: Any, *, with_origin: bool = False) -> Any:
    """Plain data (dicts, lists, scalars) for a model object."""
    plan = _PLANS.get(type(obj))
    if plan is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        plan = _plan(type(obj))
    if plan is not None:
        out: dict[str, Any] = {}
        for name, has_default, default in plan:
            value = getattr(obj, name)
            if name in ("origin", "key_origins"):  # provenance: only when asked for
                if with_origin and value:
                    out[name] = to_data(value)
                continue
            if has_default and value == default:
                continue
            out[name] = to_data(value, with_origin=with_origin)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [to_data(item, with_origin=with_origin) for item in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_data(obj[k], with_origin=with_origin) for k in sorted(obj, key=str)}
    return obj


# Per dataclass: (field name, has a default, the default) in declaration order. Computed once per
# class: dataclasses.fields() and a default_factory() call per field and object were a fifth of
# `inspect --format json` at 1000 services. A factory's value is compared, never handed out.
_PLANS: dict[type, tuple[tuple[str, bool, Any], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, bool, Any], ...]:
    plan = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            plan.append((f.name, True, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            plan.append((f.name, True, f.default_factory()))
        else:
            plan.append((f.name, False, None))
    _PLANS[cls] = result = tuple(plan)
    return result


def dump_data(arch: model.Architecture, *, with_origin: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {_VERSION_KEY: model.MODEL_VERSION}
    data.update(to_data(arch, with_origin=with_origin))
    return data


def dump_json(arch: model.Architecture, *, with_origin: bool = False) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` plus a newline, byte for byte.

    The standard library encodes with indentation in pure Python (its C encoder only writes
    compact JSON); this walk over plain data is about three times faster and gives the same
    text (tests/core/test_native.py compares them on random data)."""
    chunks: list[str] = []
    _json_chunks(dump_data(arch, with_origin=with_origin), "\n", chunks)
    chunks.append("\n")
    return "".join(chunks)


def _json_chunks(value: Any, newline: str, out: list[str]) -> None:
    """Append the JSON text of ``value`` at the indentation ``newline`` ends with."""
    if isinstance(value, str):
        out.append(_json_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_json_float(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator + _json_key(key) + ": ")
            _json_chunks(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _json_chunks(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    else:  # what json.dumps would do with it (TypeError)
        out.append(json.dumps(value))


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return _json_string(key)
    return json.dumps({key: 0})[1:-4]  # json's own rules for int, float, bool and None keys


def _json_float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


_json_string: Callable[[str], str] = json.encoder.encode_basestring  # ensure_ascii=False: C's escaping


def dump_yaml(arch: model.Architecture, *, with_origin: bool = False) -> str:
    import yaml  # noqa: PLC0415 - imported lazily to keep `import hopper` fast

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(
        dump_data(arch, with_origin=with_origin),
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text


def dump(arch: model.Architecture, fmt: str = "yaml", *, with_origin: bool = False) -> str:
    if fmt == "json":
        return dump_json(arch, with_origin=with_origin)
    if fmt == "yaml":
        return dump_yaml(arch, with_origin=with_origin)
    raise ValueError(f"unknown native format {fmt!r}")


# ---------------------------------------------------------------------------- load

def load(text: str, *, filename: str = "<native>") -> model.Architecture:
    """Read a native dump (YAML or JSON; JSON is YAML) back into a model."""
    import yaml  # noqa: PLC0415

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file=filename, line=mark.line + 1, col=mark.column + 1) if mark else None
        raise fail(E_NATIVE, f"not a valid native model: {getattr(exc, 'problem', exc)}", loc) from None
    return from_data(data, filename=filename)


def from_data(data: Any, *, filename: str = "<native>") -> model.Architecture:
    where = Location(file=filename)
    if not isinstance(data, dict):
        raise fail(E_NATIVE, "a native model must be a mapping", where)
    version = data.get(_VERSION_KEY)
    if version != model.MODEL_VERSION:
        raise fail(E_NATIVE, f"{_VERSION_KEY} is {version!r}; this hopper reads version "
                   f"{model.MODEL_VERSION}", where)
    body = {k: v for k, v in data.items() if k != _VERSION_KEY}
    result = _build(model.Architecture, body, "", where)
    assert isinstance(result, model.Architecture)
    return result


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model) | {"Location": Location})


def _build(cls: type, data: Any, path: str, where: Location) -> Any:
    if not isinstance(data, dict):
        raise fail(E_NATIVE, f"{path or 'document'}: expected a mapping", where.with_key(path))
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise fail(E_NATIVE, f"{path or 'document'}: unknown field {unknown[0]!r}", where.with_key(path))
    kwargs = {
        key: _convert(hints[key], value, f"{path}.{key}" if path else key, where)
        for key, value in data.items()
    }
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise fail(E_NATIVE, f"{path or 'document'}: {exc}", where.with_key(path)) from None


def _convert(tp: Any, value: Any, path: str, where: Location) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, path, where)
    if tp is Any:
        return _freeze(value)
    if origin is tuple:
        if not isinstance(value, list):
            raise fail(E_NATIVE, f"{path}: expected a list", where.with_key(path))
        return tuple(_convert(args[0], item, f"{path}[{i}]", where) for i, item in enumerate(value))
    if origin in (Mapping, dict) or tp is Mapping:
        if not isinstance(value, dict):
            raise fail(E_NATIVE, f"{path}: expected a mapping", where.with_key(path))
        value_type = args[1] if len(args) == 2 else Any
        return {str(k): _convert(value_type, v, f"{path}.{k}", where) for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in tp)
            raise fail(E_NATIVE, f"{path}: {value!r} is not one of {allowed}",
                       where.with_key(path)) from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value, path, where)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(E_NATIVE, f"{path}: expected a number", where.with_key(path))
        return value
    if tp in (str, int, bool):
        if type(value) is not tp:
            raise fail(E_NATIVE, f"{path}: expected {tp.__name__}, got {type(value).__name__}",
                       where.with_key(path))
        return value
    raise fail(E_NATIVE, f"{path}: unsupported field type", where.with_key(path))


def _freeze(value: Any) -> Any:
    """Extension data is free-form; keep it as plain dicts and lists."""
    return value
