"""Terraform HCL as values: evaluate expressions against one module instance.

Expressions come from :mod:`.read_hcl_expr` (python-hcl2's source text as a tiny tree), module
instances from :mod:`.read_hcl_modules` (the files of a root module and the local modules it calls).
The evaluator resolves ``var.*`` (module arguments, ``TF_VAR_*``, ``*.tfvars``, defaults),
``local.*``, ``module.<name>.<output>`` (local modules only) and resource attributes.

A value that cannot be resolved stays *unknown* but remembers which resource attributes it was
built from (:class:`AttrRef`) and which names were missing: that is enough to tell that
``DATABASE_URL = module.database.connection_string`` carries the URI of a PostgreSQL add-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hopper.diagnostics import Diagnostics, Location
from hopper.formats.clevercloud.codes import W_UNKNOWN_REFERENCE
from hopper.formats.clevercloud.read_hcl_expr import (
    Expr,
    ListE,
    Lit,
    ObjE,
    Ref,
    Template,
    expr_text,
    from_raw,
)
from hopper.formats.clevercloud.read_hcl_modules import Block, Instance

MAX_DEPTH = 64

# ---------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class AttrRef:
    """An attribute of a resource, by its full address (``module.s3.clevercloud_cellar.s3``)."""

    address: str
    rtype: str
    attr: str | None


@dataclass(frozen=True, slots=True)
class Value:
    known: bool
    value: Any = None  # scalars; list[Value]; dict[str, Value]
    refs: frozenset[AttrRef] = frozenset()
    unresolved: frozenset[str] = frozenset()
    sensitive: bool = False
    text: str = ""

    def scalar(self) -> str | int | float | bool | None:
        return self.value if self.known and not isinstance(self.value, list | dict) else None

    def string(self) -> str | None:
        """The value as Terraform would put it in a string, when known and scalar."""
        if not self.known or isinstance(self.value, list | dict) or self.value is None:
            return None
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)

    def python(self) -> Any:
        if isinstance(self.value, list):
            return [v.python() for v in self.value]
        if isinstance(self.value, dict):
            return {k: v.python() for k, v in self.value.items()}
        return self.value


def _unknown(text: str, *, refs: frozenset[AttrRef] = frozenset(),
             unresolved: frozenset[str] = frozenset(), sensitive: bool = False) -> Value:
    return Value(False, None, refs, unresolved, sensitive, text)


def _merge(values: list[Value], text: str) -> Value:
    refs: frozenset[AttrRef] = frozenset().union(*(v.refs for v in values)) if values else frozenset()
    unresolved: frozenset[str] = (frozenset().union(*(v.unresolved for v in values))
                                  if values else frozenset())
    return _unknown(text, refs=refs, unresolved=unresolved, sensitive=any(v.sensitive for v in values))


# ---------------------------------------------------------------------------- evaluation


class Evaluator:
    """Evaluates expressions in module instances, with cycle and depth guards."""

    def __init__(self, diags: Diagnostics, environ: Mapping[str, str] | None) -> None:
        self.diags = diags
        self.environ = environ or {}
        self._stack: list[tuple[str, str]] = []
        self._warned: set[str] = set()

    def eval(self, expr: Expr, inst: Instance, where: Location | None = None) -> Value:
        if len(self._stack) > MAX_DEPTH:
            return _unknown(expr_text(expr), unresolved=frozenset({"(too deep)"}))
        if isinstance(expr, Lit):
            return Value(True, expr.value, text=expr_text(expr))
        if isinstance(expr, ListE):
            # A container is known as a container even when some items are not: indexing it
            # later (var.s3.bucket) must reach the one item asked for.
            # Its own refs stay empty: each item carries its own.
            items = [self.eval(i, inst, where) for i in expr.items]
            return Value(True, items, text=expr_text(expr))
        if isinstance(expr, ObjE):
            obj = {k: self.eval(v, inst, where) for k, v in expr.items}
            return Value(True, obj, text=expr_text(expr))
        if isinstance(expr, Template):
            parts = [p if isinstance(p, str) else self.eval(p, inst, where) for p in expr.parts]
            values = [p for p in parts if isinstance(p, Value)]
            text = f'"{expr.text}"'
            if all(v.string() is not None for v in values):
                out = "".join(p if isinstance(p, str) else (p.string() or "") for p in parts)
                merged = _merge(values, text)
                return Value(True, out, merged.refs, frozenset(), merged.sensitive, text)
            return _merge(values, text)
        if isinstance(expr, Ref):
            return self.ref(expr, inst, where)
        values = [self.ref(r, inst, where) for r in expr.refs]
        return _merge(values, expr.text)

    def _guard(self, key: tuple[str, str]) -> bool:
        return key in self._stack

    def _index(self, value: Value, rest: tuple[str, ...], text: str) -> Value:
        for step in rest:
            if value.known and isinstance(value.value, dict) and step in value.value:
                child = value.value[step]
                value = Value(child.known, child.value, child.refs | value.refs, child.unresolved,
                              child.sensitive or value.sensitive, child.text)
            elif value.known and isinstance(value.value, list) and step.isdigit() \
                    and int(step) < len(value.value):
                child = value.value[int(step)]
                value = Value(child.known, child.value, child.refs | value.refs, child.unresolved,
                              child.sensitive or value.sensitive, child.text)
            elif value.known:
                return _unknown(text, refs=value.refs, unresolved=frozenset({text}),
                                sensitive=value.sensitive)
            else:
                return _unknown(text, refs=value.refs, unresolved=value.unresolved,
                                sensitive=value.sensitive)
        return value

    def ref(self, ref: Ref, inst: Instance, where: Location | None) -> Value:
        path = ref.path
        head = path[0]
        text = ref.text
        if head == "var" and len(path) >= 2:
            return self._var(path[1], path[2:], inst, text, where)
        if head == "local" and len(path) >= 2:
            key = (inst.address, f"local.{path[1]}")
            entry = inst.files.locals.get(path[1])
            if entry is None:
                self._warn_unknown(text, where)
                return _unknown(text, unresolved=frozenset({text}))
            if self._guard(key):
                return _unknown(text, unresolved=frozenset({text}))
            self._stack.append(key)
            try:
                value = self.eval(entry[0], inst, entry[1])
            finally:
                self._stack.pop()
            return self._index(value, path[2:], text)
        if head == "module" and len(path) >= 3:
            child = inst.children.get(path[1])
            if child is None:
                return _unknown(text, unresolved=frozenset({text}))
            out = child.files.outputs.get(path[2])
            if out is None:
                self._warn_unknown(text, where)
                return _unknown(text, unresolved=frozenset({text}))
            key = (child.address, f"output.{path[2]}")
            if self._guard(key) or out.expr("value") is None:
                return _unknown(text, unresolved=frozenset({text}))
            self._stack.append(key)
            try:
                value = self.eval(out.expr("value") or Lit(None), child, out.loc("value"))
            finally:
                self._stack.pop()
            sens = out.expr("sensitive")
            if isinstance(sens, Lit) and sens.value is True:
                value = Value(value.known, value.value, value.refs, value.unresolved, True, value.text)
            return self._index(value, path[3:], text)
        if head in ("path", "terraform", "count", "each", "self", "data"):
            return _unknown(text, unresolved=frozenset({text}))
        if len(path) >= 2 and (head, path[1]) in inst.files.resources:
            return self._resource(head, path[1], path[2:], inst, text)
        self._warn_unknown(text, where)
        return _unknown(text, unresolved=frozenset({text}))

    def _resource(self, rtype: str, label: str, rest: tuple[str, ...], inst: Instance,
                  text: str) -> Value:
        address = f"{inst.prefix()}{rtype}.{label}"
        attr = rest[0] if rest else None
        if not rtype.startswith("clevercloud_"):
            # Another provider's resource (random_password...): computed at apply time.
            return _unknown(text, unresolved=frozenset({text}))
        aref = AttrRef(address, rtype, attr)
        block = inst.files.resources[(rtype, label)]
        if attr is not None and attr in block.body and not block.blocks(attr):
            key = (address, attr)
            if self._guard(key):
                return _unknown(text, refs=frozenset({aref}))
            self._stack.append(key)
            try:
                value = self.eval(from_raw(block.body[attr]), inst, block.loc(attr))
            finally:
                self._stack.pop()
            value = Value(value.known, value.value, value.refs | {aref}, value.unresolved,
                          value.sensitive, text)
            return self._index(value, rest[1:], text)
        return _unknown(text, refs=frozenset({aref}))

    def _var(self, name: str, rest: tuple[str, ...], inst: Instance, text: str,
             where: Location | None) -> Value:
        decl = inst.files.variables.get(name)
        sensitive = False
        if decl is not None:
            sens = decl.expr("sensitive")
            sensitive = isinstance(sens, Lit) and sens.value is True
        key = (inst.address, f"var.{name}")
        if self._guard(key):
            return _unknown(text, unresolved=frozenset({text}))
        self._stack.append(key)
        try:
            value = self._var_value(name, inst, decl, text, where)
        finally:
            self._stack.pop()
        if sensitive:
            value = Value(value.known, value.value, value.refs, value.unresolved, True, value.text)
        return self._index(value, rest, text)

    def _var_value(self, name: str, inst: Instance, decl: Block | None, text: str,
                   where: Location | None) -> Value:
        if inst.call is not None and inst.parent is not None:
            arg = inst.call.expr(name)
            if arg is not None:
                return self.eval(arg, inst.parent, inst.call.loc(name))
        elif inst.parent is None:
            env_value = self.environ.get(f"TF_VAR_{name}")
            if env_value is not None:
                return Value(True, env_value, text=f"TF_VAR_{name}")
            if name in inst.files.tfvars:
                return self.eval(inst.files.tfvars[name], inst, where)
        if decl is not None:
            default = decl.expr("default")
            if default is not None and not (isinstance(default, Lit) and default.value is None):
                return self.eval(default, inst, decl.loc("default"))
            return _unknown(text, unresolved=frozenset({f"var.{name}"}))
        self._warn_unknown(f"var.{name}", where)
        return _unknown(text, unresolved=frozenset({f"var.{name}"}))

    def _warn_unknown(self, text: str, where: Location | None) -> None:
        key = f"{where.file if where else ''}:{text}"
        if key in self._warned:
            return
        self._warned.add(key)
        self.diags.warning(W_UNKNOWN_REFERENCE, f"'{text}' refers to nothing declared here", where,
                           hint="check the name; hopper reads only this folder and its local modules")
