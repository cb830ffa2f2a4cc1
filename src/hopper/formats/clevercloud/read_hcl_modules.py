"""Terraform modules as files: parse each ``.tf`` file, index its lines, expand module calls.

A root module and the local modules it calls (recursively, up to a depth) become a tree of
:class:`Instance` objects, each holding its blocks. Remote modules are reported, never fetched.
It is separate from :mod:`.read_hcl_eval` (what the values are) because it only reads files.

Line numbers: python-hcl2's dict output has none, so the raw Lark tree of each file is walked
once to map ``(block type, labels..., attribute[, object key])`` to a line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostics, Location, fail
from hopper.formats.clevercloud.codes import E_HCL_SYNTAX, W_NOT_LITERAL, W_REMOTE_MODULE
from hopper.formats.clevercloud.files import SourceFiles
from hopper.formats.clevercloud.read_hcl_expr import Expr, Lit, from_raw, unquote

MAX_MODULE_DEPTH = 8


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
