"""Compare two models on the fields two formats both carry (per hopper.matrix)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hopper import matrix
from hopper.diagnostics import Diagnostic


def differences(a: Any, b: Any, carried: frozenset[str], path: str = "", *,
                keyed: bool = False) -> list[tuple[str, str]]:
    """(path, component name) for every carried field where ``a`` has a value that ``b`` lost or
    changed. Collections of named components are matched by name; a component missing from
    ``b`` is a difference, one only ``b`` has is not (the target may add helpers). ``keyed=True`` also matches routes by path prefix,
    bindings by variable and cache rules by pattern, so only their carried fields count (by
    default such collections are compared whole)."""
    out: list[tuple[str, str]] = []
    cls = type(a).__name__
    for f in dataclasses.fields(a):
        key = f"{cls}.{f.name}"
        if f.name == "origin" or key not in carried:
            continue
        left, right = getattr(a, f.name), getattr(b, f.name)
        where = f"{path}.{f.name}" if path else f.name
        # The component a difference belongs to: the first "[name]" of the path.
        owner = where.split("[", 1)[1].split("]", 1)[0] if "[" in where else getattr(a, "name", "")
        if left in (None, (), {}, "") and right not in (None, (), {}, ""):
            continue  # the target filled in a default the source left open: not a loss
        key_of = _key(left[0], keyed) if isinstance(left, tuple) and left else ""
        if key_of and dataclasses.is_dataclass(left[0]):
            lmap = {getattr(x, key_of): x for x in left}
            rmap = {getattr(x, key_of): x for x in right}
            for name in sorted(set(lmap) - set(rmap)):
                # A route or binding belongs to the service holding it; a named one is its own.
                out.append((f"{where}[{name}]", name if key_of == "name" else str(owner)))
            for name in sorted(set(lmap) & set(rmap)):
                out += differences(lmap[name], rmap[name], carried, f"{where}[{name}]", keyed=keyed)
        elif dataclasses.is_dataclass(left) and dataclasses.is_dataclass(right):
            out += differences(left, right, carried, where, keyed=keyed)
        elif left != right:
            out.append((where, str(owner)))
    return out


def _key(item: Any, keyed: bool) -> str:
    """The field that names a component of a collection (empty: compare the collection whole)."""
    for key in ("name", "path_prefix", "variable", "pattern") if keyed else ("name",):
        if hasattr(item, key):
            return key
    return ""


def explained(diffs: list[tuple[str, str]], diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    """The differences no diagnostic mentions (by component name or field name). The
    architecture's own format data (``extensions`` at the top) has no quoted name: the compose
    writer reports dropping it as "the architecture: <format>-specific data is dropped"."""
    text = "\n".join(d.message for d in diagnostics)
    return [path for path, owner in diffs
            if f"'{owner}'" not in text and path.rsplit(".", 1)[-1].split("[")[0] not in text
            and not (path == "extensions" and "the architecture: " in text
                     and "-specific data" in text)]


def carried(*formats: str) -> frozenset[str]:
    return matrix.carried_by(*formats)
