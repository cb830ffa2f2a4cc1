"""Env var reads in Python, found on libcst's syntax tree with import and scope resolution.

Recognised:

* ``os.environ["X"]``, ``os.environ.get("X")``, ``.setdefault``, ``.pop``, ``"X" in os.environ``,
  ``os.getenv("X")``, whatever names they are imported under (``from os import environ as E``,
  ``import os as o``), and a local alias (``env = os.environ; env["X"]``);
* pydantic-settings classes (``BaseSettings`` subclasses): each field is an env name (with the
  class's ``env_prefix``, upper-cased as pydantic matches case-insensitively), or its ``alias``,
  ``validation_alias`` (also ``AliasChoices``) or pydantic v1 ``env=``;
* django-environ: ``env = environ.Env(...)`` then ``env("X")``, ``env.str("X")``,
  ``env.db()`` (default ``DATABASE_URL``), ... and the names declared as ``Env(X=(type, default))``.

A name is only counted when libcst resolves it to the ``os`` module: ``os`` shadowed by a
parameter or a local assignment is not ``os`` (a name that may be either is not counted).

libcst is imported inside the functions: it is heavy and only needed when code is scanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

ENVIRON_METHODS = frozenset({"get", "setdefault", "pop"})
SETTINGS_BASES = frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings", "pydantic.v1.BaseSettings", "pydantic.env_settings.BaseSettings",
})
FIELD_FUNCS = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field"})
DJANGO_ENV_CLASSES = frozenset({"environ.Env", "environ.FileAwareEnv", "environ.environ.Env",
                                "environ.environ.FileAwareEnv"})
# django-environ reader methods; the value is the variable read when none is given.
DJANGO_ENV_METHODS: dict[str, str | None] = {
    "str": None, "bool": None, "int": None, "float": None, "json": None, "list": None,
    "tuple": None, "dict": None, "url": None, "path": None, "bytes": None, "get_value": None,
    "parse_value": None,
    "db_url": "DATABASE_URL", "db": "DATABASE_URL", "cache_url": "CACHE_URL", "cache": "CACHE_URL",
    "email_url": "EMAIL_URL", "email": "EMAIL_URL", "search_url": "SEARCH_URL",
    "channels_url": "CHANNELS_URL", "channels": "CHANNELS_URL",
}


@dataclass(frozen=True, slots=True)
class PyRead:
    name: str
    line: int
    # The string literal naming the variable, when renaming it is a safe, local edit.
    literal: Any = None  # libcst.SimpleString | None
    why_not: str | None = None  # why the read cannot be renamed by rewriting one literal


@dataclass(frozen=True, slots=True)
class PyScan:
    reads: tuple[PyRead, ...]
    dynamic_lines: tuple[int, ...]
    module: Any  # the parsed libcst.Module, reused by the rewrite


class PythonSyntaxError(Exception):
    def __init__(self, message: str, line: int | None, col: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


def _literal_name(node: cst.BaseExpression) -> tuple[str | None, Any]:
    """(value, literal node if renaming it is safe) for a plain string literal, else (None, None)."""
    import libcst as cst  # noqa: PLC0415

    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if not isinstance(value, str):
            return None, None
        raw = node.value[len(node.prefix) + len(node.quote):-len(node.quote)]
        safe = raw == value and "b" not in node.prefix.lower()
        return value, node if safe else None
    return None, None


def scan_python(source: str) -> PyScan:
    """Find env var reads in Python source. Raises :class:`PythonSyntaxError` if it does not parse."""
    import libcst as cst  # noqa: PLC0415
    from libcst.metadata import (  # noqa: PLC0415
        MetadataWrapper,
        PositionProvider,
        QualifiedNameProvider,
        QualifiedNameSource,
        ScopeProvider,
    )

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        # Python's own parser points at the error more precisely; fall back to libcst's position.
        import ast  # noqa: PLC0415

        try:
            ast.parse(source)
        except SyntaxError as syntax:
            raise PythonSyntaxError(syntax.msg, syntax.lineno, syntax.offset) from None
        raise PythonSyntaxError(exc.message, exc.editor_line, exc.editor_column) from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)

    class Visitor(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider)

        def __init__(self) -> None:
            super().__init__()
            self.reads: list[PyRead] = []
            self.dynamic: list[int] = []
            self.environ_aliases: set[cst.CSTNode] = set()  # target Name nodes of `x = os.environ`
            self.django_envs: set[cst.CSTNode] = set()  # target Name nodes of `env = environ.Env()`
            self.written: set[cst.CSTNode] = set()  # subscripts that are assigned or deleted
            self.settings_classes: dict[str, str] = {}  # name -> env_prefix

        # -- helpers
        def line(self, node: cst.CSTNode) -> int:
            return int(self.get_metadata(PositionProvider, node).start.line)

        def qnames(self, node: cst.CSTNode) -> set[Any]:
            return set(self.get_metadata(QualifiedNameProvider, node, set()))

        def resolves_to(self, node: cst.CSTNode, names: frozenset[str]) -> bool:
            found = self.qnames(node)
            return bool(found) and all(
                q.name in names and q.source is QualifiedNameSource.IMPORT for q in found)

        def bound_to(self, node: cst.CSTNode, targets: set[cst.CSTNode]) -> bool:
            if not isinstance(node, cst.Name):
                return False
            scope = self.get_metadata(ScopeProvider, node, None)
            if scope is None:
                return False
            assignments = list(scope[node.value])
            return bool(assignments) and all(getattr(a, "node", None) in targets for a in assignments)

        def is_environ(self, node: cst.BaseExpression) -> bool:
            return (self.resolves_to(node, frozenset({"os.environ"}))
                    or self.bound_to(node, self.environ_aliases))

        def add(self, value_node: cst.BaseExpression, at: cst.CSTNode) -> None:
            name, literal = _literal_name(value_node)
            if name is None:
                self.dynamic.append(self.line(at))
                return
            why = None if literal is not None else "the name is written with escapes or as bytes"
            self.reads.append(PyRead(name, self.line(value_node), literal, why))

        def declared(self, name: str, at: cst.CSTNode, why: str) -> None:
            self.reads.append(PyRead(name, self.line(at), None, why))

        # -- aliases and writes
        def visit_Assign(self, node: cst.Assign) -> None:
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                target = node.targets[0].target
                if self.is_environ(node.value):
                    self.environ_aliases.add(target)
                elif (isinstance(node.value, cst.Call)
                      and self.resolves_to(node.value.func, DJANGO_ENV_CLASSES)):
                    self.django_envs.add(target)
                    for arg in node.value.args:
                        if arg.keyword is not None:
                            self.declared(arg.keyword.value, arg.keyword,
                                          "declared as a keyword of environ.Env()")
            for t in node.targets:
                if isinstance(t.target, cst.Subscript):
                    self.written.add(t.target)

        def visit_Del(self, node: cst.Del) -> None:
            if isinstance(node.target, cst.Subscript):
                self.written.add(node.target)

        # -- os.environ[...]
        def visit_Subscript(self, node: cst.Subscript) -> None:
            if node in self.written or not self.is_environ(node.value):
                return
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                self.add(node.slice[0].slice.value, node)

        # -- "X" in os.environ
        def visit_Comparison(self, node: cst.Comparison) -> None:
            left = node.left
            for target in node.comparisons:
                if isinstance(target.operator, (cst.In, cst.NotIn)) and self.is_environ(target.comparator):
                    self.add(left, node)
                left = target.comparator

        # -- calls
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            first = next((a for a in node.args if a.keyword is None and a.star == ""), None)
            if self.resolves_to(func, frozenset({"os.getenv", "os.environ.get"})) or (
                    isinstance(func, cst.Attribute) and func.attr.value in ENVIRON_METHODS
                    and self.is_environ(func.value)):
                if first is not None:
                    self.add(first.value, node)
                return
            # django-environ: env("X"), env.str("X"), env.db()
            if self.bound_to(func, self.django_envs):
                if first is not None:
                    self.add(first.value, node)
                return
            if (isinstance(func, cst.Attribute) and func.attr.value in DJANGO_ENV_METHODS
                    and self.bound_to(func.value, self.django_envs)):
                var = first or next((a for a in node.args
                                     if a.keyword is not None and a.keyword.value == "var"), None)
                if var is not None:
                    self.add(var.value, node)
                else:
                    default = DJANGO_ENV_METHODS[func.attr.value]
                    if default is not None:
                        self.declared(default, node, f"read by env.{func.attr.value}() by default")

        # -- pydantic-settings
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            inherited = [self.settings_classes[b.value.value] for b in node.bases
                         if isinstance(b.value, cst.Name) and b.value.value in self.settings_classes]
            if not inherited and not any(self.resolves_to(b.value, SETTINGS_BASES) for b in node.bases):
                return
            # A subclass keeps its parent's env_prefix unless it sets its own.
            prefix = _class_env_prefix(node)
            if prefix is None:
                prefix = inherited[0] if inherited else ""
            self.settings_classes[node.name.value] = prefix
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
            for stmt in body:
                if not isinstance(stmt, cst.SimpleStatementLine):
                    continue
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        self.settings_field(small, prefix)

        def settings_field(self, node: cst.AnnAssign, prefix: str) -> None:
            assert isinstance(node.target, cst.Name)
            field_name = node.target.value
            if field_name.startswith("_") or field_name == "model_config":
                return
            annotation = node.annotation.annotation
            ann_root = annotation.value if isinstance(annotation, cst.Subscript) else annotation
            if any(q.name in ("typing.ClassVar", "ClassVar") for q in self.qnames(ann_root)) or (
                    isinstance(ann_root, cst.Name) and ann_root.value == "ClassVar"):
                return
            value = node.value
            if isinstance(value, cst.Call) and (
                    self.resolves_to(value.func, FIELD_FUNCS)
                    or (isinstance(value.func, cst.Name) and value.func.value == "Field")):
                for arg in value.args:
                    if arg.keyword is None or arg.keyword.value not in (
                            "alias", "validation_alias", "env"):
                        continue
                    found = _alias_literals(arg.value)
                    if found:
                        for literal in found:
                            self.add(literal, literal)
                        return
            self.declared((prefix + field_name).upper(), node.target,
                          "declared by a settings field name; rename it with Field(alias=...)")

    visitor = Visitor()
    wrapper.visit(visitor)
    reads = sorted(set(visitor.reads), key=lambda r: (r.line, r.name, id(r.literal)))
    return PyScan(tuple(reads), tuple(sorted(set(visitor.dynamic))), wrapper.module)


def _alias_literals(node: cst.BaseExpression) -> list[cst.SimpleString]:
    """String literals naming env vars in an alias value: "X", AliasChoices("A", "B"), ["A", "B"]."""
    import libcst as cst  # noqa: PLC0415

    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        name = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
        if name == "AliasChoices":
            return [a.value for a in node.args if isinstance(a.value, cst.SimpleString)]
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in node.elements if isinstance(e.value, cst.SimpleString)]
    return []


def _string_value(node: cst.BaseExpression | None) -> str | None:
    import libcst as cst  # noqa: PLC0415

    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _class_env_prefix(node: cst.ClassDef) -> str | None:
    """The ``env_prefix`` of a settings class: keyword, model_config or inner ``class Config``."""
    import libcst as cst  # noqa: PLC0415

    for kw in node.keywords:
        if kw.keyword is not None and kw.keyword.value == "env_prefix":
            return _string_value(kw.value) or ""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config":
            inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
            for line in inner:
                if isinstance(line, cst.SimpleStatementLine):
                    for small in line.body:
                        if (isinstance(small, cst.Assign) and len(small.targets) == 1
                                and isinstance(small.targets[0].target, cst.Name)
                                and small.targets[0].target.value == "env_prefix"):
                            return _string_value(small.value) or ""
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target: cst.BaseExpression = small.targets[0].target
            elif isinstance(small, cst.AnnAssign):
                target = small.target
            else:
                continue
            if isinstance(target, cst.Name) and target.value == "model_config":
                value = small.value
            if isinstance(value, cst.Call):
                for arg in value.args:
                    if arg.keyword is not None and arg.keyword.value == "env_prefix":
                        return _string_value(arg.value) or ""
            elif isinstance(value, cst.Dict):
                for element in value.elements:
                    if isinstance(element, cst.DictElement) and _string_value(element.key) == "env_prefix":
                        return _string_value(element.value) or ""
    return None


def rename_literals(module: Any, renames: dict[int, str]) -> str:
    """The module's code with the string literals whose ``id()`` is in ``renames`` renamed.

    Only those literals change (keeping their prefix and quotes); libcst round-trips every other
    byte exactly.
    """
    import libcst as cst  # noqa: PLC0415

    class Renamer(cst.CSTTransformer):
        def leave_SimpleString(self, original_node: cst.SimpleString,
                               updated_node: cst.SimpleString) -> cst.SimpleString:
            new = renames.get(id(original_node))
            if new is None:
                return updated_node
            quote = original_node.quote
            return updated_node.with_changes(value=f"{original_node.prefix}{quote}{new}{quote}")

    return str(module.visit(Renamer()).code)
