"""Terraform HCL as values: parse with python-hcl2, then resolve what is literal.

python-hcl2 gives each value as HCL source text (``"\\"par\\""`` for a string literal,
``"${var.region}"`` for an expression). This module turns that text into a tiny expression tree
(literals, templates, references, opaque expressions) and evaluates it against one module
instance: ``var.*`` (module arguments, ``TF_VAR_*``, ``*.tfvars``, defaults), ``local.*``,
``module.<name>.<output>`` (local modules only) and resource attributes.

A value that cannot be resolved stays *unknown* but remembers which resource attributes it was
built from (:class:`AttrRef`) and which names were missing: that is enough to tell that
``DATABASE_URL = module.database.connection_string`` carries the URI of a PostgreSQL add-on.

Line numbers: python-hcl2's dict output has none, so the raw Lark tree of each file is walked
once to map ``(block type, labels..., attribute[, object key])`` to a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostics, Location, fail
from hopper.formats.clevercloud.codes import (
    E_HCL_SYNTAX,
    W_NOT_LITERAL,
    W_REMOTE_MODULE,
    W_UNKNOWN_REFERENCE,
)
from hopper.formats.clevercloud.files import SourceFiles

MAX_DEPTH = 64
MAX_MODULE_DEPTH = 8

# ---------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any  # str, int, float, bool or None


@dataclass(frozen=True, slots=True)
class ListE:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjE:
    items: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[str | Expr, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Ref:
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        out = self.path[0]
        for step in self.path[1:]:
            out += f"[{step}]" if step.isdigit() else f".{step}"
        return out


@dataclass(frozen=True, slots=True)
class Opaque:
    """An expression hopper does not evaluate (a function call, a conditional...)."""

    text: str
    refs: tuple[Ref, ...]


Expr = Lit | ListE | ObjE | Template | Ref | Opaque

_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_REF_RE = re.compile(rf"^{_IDENT}(?:\.{_IDENT}|\.\d+|\[\d+\]|\[\"[^\"\\]*\"\])*$")
_STEP_RE = re.compile(rf"\.({_IDENT})|\.(\d+)|\[(\d+)\]|\[\"([^\"\\]*)\"\]")
_STRING_LIT_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_REF_IN_TEXT_RE = re.compile(rf"(?<![\w.\]\)])({_IDENT}(?:\.{_IDENT}|\.\d+|\[\d+\])+)(?!\s*\()")


def _ref_from_text(text: str) -> Ref:
    head = re.match(_IDENT, text)
    assert head is not None
    path = [head.group(0)]
    for m in _STEP_RE.finditer(text, head.end()):
        path.append(next(g for g in m.groups() if g is not None))
    return Ref(tuple(path))


def parse_expr(text: str) -> Expr:
    text = text.strip()
    if text.startswith("~"):
        text = text[1:].strip()
    if text.endswith("~"):
        text = text[:-1].strip()
    if _REF_RE.match(text):
        if text in ("true", "false"):
            return Lit(text == "true")
        if text == "null":
            return Lit(None)
        return _ref_from_text(text)
    if re.fullmatch(r"-?\d+", text):
        return Lit(int(text))
    if len(text) >= 2 and text[0] == '"' and _STRING_LIT_RE.fullmatch(text):
        return _template(text[1:-1], heredoc=False)
    stripped = _STRING_LIT_RE.sub('""', text)
    refs = tuple(_ref_from_text(m.group(1)) for m in _REF_IN_TEXT_RE.finditer(stripped))
    return Opaque(text, refs)


def _match_brace(text: str, start: int) -> int:
    """The index of the ``}`` closing the interpolation whose body starts at ``start``."""
    depth = 1
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            m = _STRING_LIT_RE.match(text, i)
            if m is None:
                return -1
            i = m.end()
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _template(inner: str, *, heredoc: bool) -> Expr:
    parts: list[str | Expr] = []
    buf: list[str] = []
    i = 0
    n = len(inner)
    while i < n:
        if inner.startswith("$${", i) or inner.startswith("%%{", i):
            buf.append(inner[i + 1:i + 3])
            i += 3
        elif inner.startswith("${", i) or inner.startswith("%{", i):
            end = _match_brace(inner, i + 2)
            if end < 0:
                buf.append(inner[i:])
                break
            if buf:
                parts.append("".join(buf))
                buf = []
            body = inner[i + 2:end]
            parts.append(parse_expr(body) if inner[i] == "$" else Opaque(inner[i:end + 1], ()))
            i = end + 1
        elif inner[i] == "\\" and not heredoc and i + 1 < n:
            nxt = inner[i + 1]
            if nxt in _ESCAPES:
                buf.append(_ESCAPES[nxt])
                i += 2
            elif nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = inner[i + 2:i + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    buf.append(chr(min(int(digits, 16), 0x10FFFF)))
                    i += 2 + width
                else:
                    buf.append(inner[i:i + 2])
                    i += 2
            else:
                buf.append(inner[i:i + 2])
                i += 2
        else:
            buf.append(inner[i])
            i += 1
    if buf:
        parts.append("".join(buf))
    if not parts:
        return Lit("")
    if len(parts) == 1 and isinstance(parts[0], str):
        return Lit(parts[0])
    return Template(tuple(parts), inner)


_HEREDOC_START = re.compile(r"<<-?[A-Za-z_][\w-]*\n")


def _heredoc(inner: str) -> Expr:
    lines = inner.split("\n")
    marker = lines[0]
    body = lines[1:-1] if len(lines) > 1 else []
    if marker.startswith("<<-"):
        indents = [len(ln) - len(ln.lstrip()) for ln in body if ln.strip()]
        cut = min(indents) if indents else 0
        body = [ln[cut:] for ln in body]
    return _template("\n".join(body) + ("\n" if body else ""), heredoc=True)


def from_raw(raw: Any) -> Expr:
    """The expression for one value of python-hcl2's output."""
    if raw is None or isinstance(raw, bool | int | float):
        return Lit(raw)
    if isinstance(raw, list):
        return ListE(tuple(from_raw(x) for x in raw))
    if isinstance(raw, dict):
        return ObjE(tuple((unquote(k), from_raw(v)) for k, v in raw.items() if not k.startswith("__")))
    text = str(raw)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        inner = text[1:-1]
        # python-hcl2 gives a heredoc as its source text between quotes; a quoted string that
        # merely starts with "<<" has no raw newline (newlines in quoted strings are escapes).
        if _HEREDOC_START.match(inner):
            return _heredoc(inner)
        return _template(inner, heredoc=False)
    if text.startswith("${") and text.endswith("}"):
        return parse_expr(text[2:-1])
    return Opaque(text, ())


def unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        lit = _template(key[1:-1], heredoc=False)
        return lit.value if isinstance(lit, Lit) and isinstance(lit.value, str) else key[1:-1]
    return key


def expr_text(expr: Expr) -> str:
    if isinstance(expr, Lit):
        return repr(expr.value)
    if isinstance(expr, Ref):
        return expr.text
    if isinstance(expr, Template):
        return f'"{expr.text}"'
    if isinstance(expr, Opaque):
        return expr.text
    if isinstance(expr, ListE):
        return "[" + ", ".join(expr_text(i) for i in expr.items) + "]"
    return "{" + ", ".join(f"{k} = {expr_text(v)}" for k, v in expr.items) + "}"


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


# ---------------------------------------------------------------------------- modules


@dataclass(slots=True)
class Block:
    """A resource, variable, output or module block: its body and where it is."""

    body: dict[str, Any]
    origin: Location
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)  # (attr[, key]) -> line
    cols: dict[tuple[str, ...], int] = field(default_factory=dict)  # (attr[, key]) -> column

    def loc(self, *path: str) -> Location:
        line = self.lines.get(tuple(path))
        if line is None and len(path) > 1:
            line = self.lines.get(tuple(path[:1]))
        key = ".".join(path) if path else self.origin.key
        return Location(file=self.origin.file, line=line or self.origin.line, key=key)

    def written(self, *path: str) -> Location | None:
        """Where the attribute (or object key) at ``path`` is written, with its column; None
        when it is not written."""
        line = self.lines.get(tuple(path))
        if line is None:
            return None
        return Location(file=self.origin.file, line=line, col=self.cols.get(tuple(path)),
                        key=".".join(path))

    def expr(self, name: str) -> Expr | None:
        if name not in self.body:
            return None
        return from_raw(self.body[name])

    def blocks(self, name: str) -> list[dict[str, Any]]:
        raw = self.body.get(name)
        if isinstance(raw, list):
            return [b for b in raw if isinstance(b, dict) and b.get("__is_block__")]
        return []


@dataclass(slots=True)
class ModuleFiles:
    dir: Path
    rel: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, tuple[Expr, Location]] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: dict[tuple[str, str], Block] = field(default_factory=dict)
    modules: dict[str, Block] = field(default_factory=dict)
    tfvars: dict[str, Expr] = field(default_factory=dict)
    provider_version: str | None = None  # the clevercloud provider constraint, as written
    files: list[str] = field(default_factory=list)


def _lark_errors() -> tuple[type[BaseException], ...]:
    from lark.exceptions import LarkError  # noqa: PLC0415

    return (LarkError,)


def parse_file(files: SourceFiles, path: Path, cols: dict[tuple[str, ...], int] | None = None
               ) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """python-hcl2's dict for one file, and the line of each block, attribute and object key
    (their columns go into ``cols`` when given)."""
    import hcl2  # noqa: PLC0415

    text = files.read_text(path)
    rel = files.rel(path)
    try:
        tree = hcl2.parses_to_tree(text)
        start = hcl2.transform(tree)
        data = hcl2.serialize(start, serialization_options=hcl2.SerializationOptions(
            with_comments=False))
    except _lark_errors() as exc:
        line = getattr(exc, "line", None)
        col = getattr(exc, "column", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(E_HCL_SYNTAX, f"not valid HCL: {first}",
                   Location(file=rel, line=line if isinstance(line, int) and line > 0 else None,
                            col=col if isinstance(col, int) and col > 0 else None)) from None
    except RecursionError:
        raise fail(E_HCL_SYNTAX, "HCL nested too deeply", Location(file=rel)) from None
    except Exception as exc:  # python-hcl2 raises plain exceptions on some inputs
        raise fail(E_HCL_SYNTAX, f"python-hcl2 could not read the file ({type(exc).__name__})",
                   Location(file=rel)) from None
    if not isinstance(data, dict):
        raise fail(E_HCL_SYNTAX, "not a Terraform configuration", Location(file=rel))
    return data, _line_index(tree, cols if cols is not None else {})


def _token_text(node: Any) -> str | None:
    from lark import Token, Tree  # noqa: PLC0415

    if isinstance(node, Token):
        return str(node)
    if isinstance(node, Tree):
        if node.data == "identifier":
            return str(node.children[0])
        if node.data == "string":
            return "".join(str(c.children[0]) if isinstance(c, Tree) and c.children else ""
                           for c in node.children if isinstance(c, Tree))
        if node.data in ("expr_term", "object_elem_key") and node.children:
            return _token_text(node.children[0])
    return None


def _line_index(tree: Any, cols: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], int]:
    from lark import Tree  # noqa: PLC0415

    index: dict[tuple[str, ...], int] = {}

    def walk_body(body: Any, prefix: tuple[str, ...]) -> None:
        for child in body.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "block":
                labels = [t for t in (_token_text(c) for c in child.children
                                      if isinstance(c, Tree) and c.data in ("identifier", "string"))
                          if t is not None]
                key = (*prefix, *labels)
                index.setdefault(key, child.meta.line)
                for sub in child.children:
                    if isinstance(sub, Tree) and sub.data == "body":
                        walk_body(sub, key)
            elif child.data == "attribute":
                name = _token_text(child.children[0])
                if name is None:
                    continue
                key = (*prefix, name)
                index.setdefault(key, child.meta.line)
                cols.setdefault(key, child.meta.column)
                for elem in child.iter_subtrees_topdown():  # type: ignore[no-untyped-call]
                    if elem.data == "object_elem" and elem.children:
                        k = _token_text(elem.children[0])
                        if k is not None:
                            index.setdefault((*key, unquote(k)), elem.meta.line)
                            cols.setdefault((*key, unquote(k)), elem.meta.column)

    body = next((c for c in tree.children if isinstance(c, Tree) and c.data == "body"), None)
    if body is not None:
        walk_body(body, ())
    return index


def _labelled(raw: Any) -> Iterator[tuple[str, Any]]:
    """``[{"\\"label\\"": body}, ...]`` -> (label, body) pairs."""
    if not isinstance(raw, list):
        return
    for item in raw:
        if isinstance(item, dict):
            for key, body in item.items():
                if not key.startswith("__"):
                    yield unquote(key), body


def load_module(files: SourceFiles, folder: Path, tf_files: list[Path] | None = None,
                *, root: bool = False) -> ModuleFiles:
    mod = ModuleFiles(dir=folder, rel=files.rel(folder))
    paths = tf_files if tf_files is not None else sorted(folder.glob("*.tf"))
    for path in paths:
        cols: dict[tuple[str, ...], int] = {}
        data, lines = parse_file(files, path, cols)
        rel = files.rel(path)
        mod.files.append(rel)

        def block(body: Any, *key: str, _rel: str = rel, _lines: dict[tuple[str, ...], int] = lines,
                  _cols: dict[tuple[str, ...], int] = cols) -> Block:
            sub = {k[len(key):]: v for k, v in _lines.items() if k[:len(key)] == key and len(k) > len(key)}
            sub_cols = {k[len(key):]: v for k, v in _cols.items() if k[:len(key)] == key and len(k) > len(key)}
            return Block(body if isinstance(body, dict) else {},
                         Location(file=_rel, line=_lines.get(key), key=".".join(key)), sub, sub_cols)

        for rtype, labelled in _labelled(data.get("resource")):
            for label, body in _labelled([labelled] if isinstance(labelled, dict) else []):
                new = block(body, "resource", rtype, label)
                earlier = mod.resources.get((rtype, label))
                if earlier is not None:
                    # Terraform refuses a module that declares the same resource twice; taking
                    # the last one would silently drop the first.
                    first = earlier.origin
                    where = f"{first.file}:{first.line}" if first.line else first.file
                    raise fail(E_HCL_SYNTAX, f'resource "{rtype}" "{label}" is already declared at {where}',
                               new.origin)
                mod.resources[(rtype, label)] = new
        for name, body in _labelled(data.get("variable")):
            mod.variables[name] = block(body, "variable", name)
        for name, body in _labelled(data.get("output")):
            mod.outputs[name] = block(body, "output", name)
        for name, body in _labelled(data.get("module")):
            mod.modules[name] = block(body, "module", name)
        for group in data.get("locals", []) or []:
            if isinstance(group, dict):
                for name, raw in group.items():
                    if not name.startswith("__"):
                        mod.locals[name] = (from_raw(raw), Location(
                            file=rel, line=lines.get(("locals", name)), key=f"local.{name}"))
        for tf in data.get("terraform", []) or []:
            if not isinstance(tf, dict):
                continue
            for rp in tf.get("required_providers", []) or []:
                if isinstance(rp, dict):
                    spec = rp.get("clevercloud")
                    if isinstance(spec, dict) and "version" in spec:
                        ver = from_raw(spec["version"])
                        if isinstance(ver, Lit) and isinstance(ver.value, str):
                            mod.provider_version = ver.value
    if root:
        for path in sorted([*folder.glob("terraform.tfvars"), *folder.glob("*.auto.tfvars")]):
            data, _ = parse_file(files, path)
            for name, raw in data.items():
                if not name.startswith("__"):
                    mod.tfvars[name] = from_raw(raw)
    return mod


# ---------------------------------------------------------------------------- evaluation


@dataclass(slots=True)
class Instance:
    """One instance of a module: the root, or ``module.api`` called from its parent."""

    files: ModuleFiles
    address: str  # "" for the root, "module.api", "module.api.module.x"
    parent: Instance | None = None
    call: Block | None = None  # the module block in the parent
    children: dict[str, Instance] = field(default_factory=dict)

    def prefix(self) -> str:
        return f"{self.address}." if self.address else ""

    def walk(self) -> Iterator[Instance]:
        yield self
        for name in sorted(self.children):
            yield from self.children[name].walk()


def load_instances(files: SourceFiles, root_mod: ModuleFiles, diags: Diagnostics) -> Instance:
    root = Instance(root_mod, "")
    seen: dict[Path, ModuleFiles] = {root_mod.dir.resolve(): root_mod}

    def expand(inst: Instance, depth: int, stack: tuple[Path, ...]) -> None:
        for name in sorted(inst.files.modules):
            call = inst.files.modules[name]
            source = call.expr("source")
            loc = call.loc("source")
            if not (isinstance(source, Lit) and isinstance(source.value, str)):
                diags.warning(W_REMOTE_MODULE, f"module '{name}' has no literal source; not read", loc)
                continue
            src = source.value
            if not src.startswith(("./", "../")):
                diags.warning(W_REMOTE_MODULE, f"module '{name}' comes from '{src}', not a local "
                              "folder; its resources are not read", loc)
                continue
            folder = (inst.files.dir / src).resolve()
            if not files.inside(folder) or not folder.is_dir():
                diags.warning(W_REMOTE_MODULE, f"module '{name}' source '{src}' is not a folder "
                              "inside the project; not read", loc)
                continue
            if folder in stack or depth >= MAX_MODULE_DEPTH:
                diags.warning(W_REMOTE_MODULE, f"module '{name}' nests too deeply or calls "
                              "itself; not read", loc)
                continue
            if "count" in call.body or "for_each" in call.body:
                diags.warning(W_NOT_LITERAL, f"module '{name}' uses count/for_each; read as "
                              "one instance", call.loc())
            mod = seen.get(folder)
            if mod is None:
                mod = load_module(files, folder)
                seen[folder] = mod
            child = Instance(mod, f"{inst.prefix()}module.{name}", inst, call)
            inst.children[name] = child
            expand(child, depth + 1, (*stack, folder))

    expand(root, 0, (root_mod.dir.resolve(),))
    return root


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
