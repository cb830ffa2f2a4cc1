"""YAML loading the way Compose (and GitHub) read it, safe against hostile input.

PyYAML's defaults follow YAML 1.1, which is wrong for these files: ``22:22`` becomes 1342,
``off`` becomes False, ``0755`` becomes 493 and duplicate keys silently win. This module keeps
libyaml's C parser for speed but resolves scalars itself and builds the Python values from the
node graph, so that it can:

- resolve only ``true``/``false``, ``null``/``~``/empty, integers and floats written in their
  canonical form; everything else (``off``, ``no``, ``0755``, ``3.10``, ``22:22``) stays a string;
- reject duplicate keys (including a duplicate ``<<``), naming both lines;
- apply ``<<`` merges (a mapping or a list of mappings; explicit keys win, then earlier merges);
- reject alias bombs and recursive aliases *before* anything walks the expanded tree, with a DFS
  memoised by node identity (linear in the number of distinct nodes);
- bound nesting depth;
- record where every key and list item was written (1-based line and column).

It knows nothing about Compose; custom tags a caller accepts (``!reset``) come back as
:class:`Tagged` values.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_NOT_UTF8,
    E_TOO_DEEP,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    fail,
)

E_YAML_SYNTAX = code("HOP101", Severity.ERROR, "the file is not valid YAML")
E_DUPLICATE_KEY = code("HOP102", Severity.ERROR, "a mapping defines the same key twice")
E_ALIAS_BOMB = code("HOP103", Severity.ERROR, "YAML aliases expand to more nodes than the limit")
E_RECURSIVE_ALIAS = code("HOP104", Severity.ERROR, "a YAML alias refers to a node that contains it")
E_YAML_TAG = code("HOP105", Severity.ERROR, "a YAML tag is not supported or its value does not fit it")

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# How many times its own size an input may grow through aliases, on top of the fixed budget.
_ALIAS_GROWTH = 10


@dataclass(frozen=True, slots=True)
class Tagged:
    """A value written with a custom tag the caller asked for, e.g. ``!reset []``."""

    tag: str
    value: Any


class LocationIndex:
    """Where each key path of one document was written.

    Paths are tuples of mapping keys (str) and list indexes (int); ``()`` is the document.
    Keys merged in with ``<<`` point at the anchor that defined them.
    """

    __slots__ = ("_marks", "file", "non_string_keys")

    def __init__(self, file: str, marks: dict[Path, tuple[int, int]],
                 non_string_keys: frozenset[Path] = frozenset()) -> None:
        self.file = file
        self._marks = marks
        # Paths whose last key was written as a number, boolean or null (``1:``, ``true:``):
        # keys are read as text, and a caller may want to say so.
        self.non_string_keys = non_string_keys

    def __contains__(self, path: object) -> bool:
        return path in self._marks

    def __len__(self) -> int:
        return len(self._marks)

    def paths(self) -> Iterable[Path]:
        return self._marks.keys()

    def get(self, path: Path) -> Location | None:
        """The exact location of ``path``, or None when it was not written in this file."""
        mark = self._marks.get(path)
        if mark is None:
            return None
        return Location(file=self.file, line=mark[0], col=mark[1], key=_dotted(path))

    def nearest(self, path: Path) -> Location:
        """The location of ``path`` or of its closest written ancestor (at worst the file)."""
        probe = path
        while True:
            mark = self._marks.get(probe)
            if mark is not None:
                return Location(file=self.file, line=mark[0], col=mark[1], key=_dotted(path) or None)
            if not probe:
                return Location(file=self.file, key=_dotted(path) or None)
            probe = probe[:-1]


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


class _Resolver(BaseResolver):
    """YAML 1.2 core-ish implicit typing (see the module docstring)."""


_Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:-?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT, re.compile(r"^-?(?:0|[1-9][0-9]*)\.[0-9]+$"), list("-0123456789"))
_Resolver.add_implicit_resolver(
    _MERGE, re.compile(r"^(?:<<)$"), ["<"])


try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]

    class _Composer(_Parser, _Resolver):  # type: ignore[misc,unused-ignore]
        def __init__(self, text: str) -> None:
            _Parser.__init__(self, text)
            _Resolver.__init__(self)

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - libyaml is in every PyYAML wheel we support
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)

    HAVE_LIBYAML = False


def decode_bytes(data: bytes, filename: str) -> str:
    """Decode a file as UTF-8 (a leading BOM is accepted); NUL bytes and bad UTF-8 are errors."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\0")
    if nul >= 0:
        raise fail(E_NOT_UTF8, f"unacceptable character #x0000 (NUL) at byte {nul}",
                   _byte_location(data, nul, filename))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(E_NOT_UTF8, f"not valid UTF-8 at byte {exc.start}",
                   _byte_location(data, exc.start, filename)) from None


def _byte_location(data: bytes, offset: int, filename: str) -> Location:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Location(file=filename, line=line, col=col)


def load_yaml(text: str, filename: str, limits: Limits = DEFAULT_LIMITS, *,
              tags: Iterable[str] = ()) -> tuple[Any, LocationIndex]:
    """Parse one YAML document; return its value and where each key path was written.

    An empty document (or comments only) gives ``None``. ``tags`` lists the custom tags the
    caller accepts (e.g. ``("!reset", "!override")``); they come back as :class:`Tagged`.
    Every failure is an :class:`~hopper.diagnostics.InputError` with ``filename:line:col``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\0" in text:
        offset = text.index("\0")
        raise fail(E_NOT_UTF8, "unacceptable character #x0000 (NUL)",
                   _text_location(text, offset, filename))
    gc_was_enabled = gc.isenabled()
    # Building many small containers triggers the cyclic GC over and over; it costs about half
    # the load time on big files and finds nothing (the graph is checked for cycles below).
    gc.disable()
    try:
        root = _compose(text, filename)
        if root is None:
            return None, LocationIndex(filename, {})
        _check_graph(root, filename, limits)
        builder = _Builder(filename, frozenset(tags))
        value = builder.build(root, ())
        builder.marks[()] = (root.start_mark.line + 1, root.start_mark.column + 1)
        return value, LocationIndex(filename, builder.marks, frozenset(builder.non_string))
    finally:
        if gc_was_enabled:
            gc.enable()


_DOCUMENT_MARK = re.compile(r"^---(?=\s|$)", re.MULTILINE)


def _several_documents(text: str) -> bool:
    """A cheap test before parsing the stream twice: a second ``---``, or content before one."""
    marks = [m.start() for m in _DOCUMENT_MARK.finditer(text)]
    if not marks:
        return False
    before = [line for line in text[:marks[0]].splitlines() if line.strip() and not line.lstrip().startswith(("#", "%"))]
    return len(marks) > 1 or bool(before)


def load_yaml_documents(text: str, filename: str, limits: Limits = DEFAULT_LIMITS, *,
                        tags: Iterable[str] = ()) -> list[tuple[Any, LocationIndex]]:
    """Every document of a ``---``-separated stream, each like :func:`load_yaml` (empty
    documents are kept as ``None``). A single document gives a list of one."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\0" in text or not _several_documents(text):
        return [load_yaml(text, filename, limits, tags=tags)]
    starts: list[int] = []
    parser = _Composer(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent) and event.start_mark is not None:
                starts.append(event.start_mark.index)
    except yaml.YAMLError:
        return [load_yaml(text, filename, limits, tags=tags)]  # reports the syntax error
    finally:
        parser.dispose()
    if len(starts) <= 1:
        return [load_yaml(text, filename, limits, tags=tags)]
    out: list[tuple[Any, LocationIndex]] = []
    bounds = [*starts[1:], len(text)]
    for begin, end in zip(starts, bounds, strict=True):
        # Each document keeps its own line numbers: pad with the newlines before it.
        chunk = "\n" * text.count("\n", 0, begin) + text[begin:end]
        out.append(load_yaml(chunk, filename, limits, tags=tags))
    return out


def _text_location(text: str, offset: int, filename: str) -> Location:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(file=filename, line=line, col=col)


def _loc(filename: str, node: Node) -> Location:
    return Location(file=filename, line=node.start_mark.line + 1, col=node.start_mark.column + 1)


def _compose(text: str, filename: str) -> Node | None:
    composer = _Composer(text)
    try:
        node: Node | None = composer.get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(file=filename, line=mark.line + 1, col=mark.column + 1) if mark else \
            Location(file=filename)
        problem = exc.problem or "invalid YAML"
        message = f"YAML syntax error: {problem}"
        if exc.context:
            message += f" ({exc.context})"
        if "depth" in problem or "nesting" in problem:
            raise fail(E_TOO_DEEP, f"nesting too deep: {problem}", where, cls=LimitError) from None
        raise fail(E_YAML_SYNTAX, message, where) from None
    except yaml.YAMLError as exc:
        raise fail(E_YAML_SYNTAX, f"YAML syntax error: {exc}", Location(file=filename)) from None
    except RecursionError:  # only the pure-Python fallback parser recurses
        raise fail(E_TOO_DEEP, "nesting too deep", Location(file=filename),
                   cls=LimitError) from None
    finally:
        composer.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        out: list[Node] = []
        for key, value in node.value:
            out.append(key)
            out.append(value)
        return out
    return []


def _check_graph(root: Node, filename: str, limits: Limits) -> None:
    """Reject cycles, documents nested deeper than the limit and alias bombs.

    One iterative post-order DFS memoised by node identity: linear in the number of distinct
    nodes, so a 9x9 bomb that expands to 387 million nodes is measured in microseconds.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    scalars = 0  # distinct scalar nodes are counted here, not memoised one by one
    while stack:
        node, expanded = stack.pop()
        nid = id(node)
        if expanded:
            on_stack.discard(nid)
            total = 1
            deepest = 0
            for kid in _children(node):
                if isinstance(kid, ScalarNode):
                    total += 1
                    deepest = deepest or 1
                else:
                    kid_id = id(kid)
                    total += size[kid_id]
                    if depth[kid_id] > deepest:
                        deepest = depth[kid_id]
            size[nid] = total
            depth[nid] = deepest + 1
            if deepest + 1 > limits.max_depth:
                raise fail(E_TOO_DEEP, f"nesting too deep (more than {limits.max_depth} levels)",
                           _loc(filename, node), cls=LimitError)
            continue
        if nid in size:
            continue
        if nid in on_stack:
            raise fail(E_RECURSIVE_ALIAS, "recursive YAML alias", _loc(filename, node))
        on_stack.add(nid)
        stack.append((node, True))
        for kid in _children(node):
            if isinstance(kid, ScalarNode):
                scalars += 1
                continue
            kid_id = id(kid)
            if kid_id in on_stack:
                raise fail(E_RECURSIVE_ALIAS, "recursive YAML alias", _loc(filename, kid))
            if kid_id not in size:
                stack.append((kid, False))
    if isinstance(root, ScalarNode):
        return
    unique = len(size) + scalars  # scalars shared through aliases are counted once per parent
    budget = max(limits.max_alias_nodes, _ALIAS_GROWTH * unique)
    if size[id(root)] - unique > budget:
        raise fail(E_ALIAS_BOMB, f"YAML aliases expand to more than {budget} nodes",
                   _loc(filename, root), "a YAML 'billion laughs' document is refused",
                   cls=LimitError)


class _Builder:
    """Turns a checked node graph into plain Python values and records each path's mark."""

    def __init__(self, filename: str, tags: frozenset[str]) -> None:
        self.filename = filename
        self.tags = tags
        self.marks: dict[Path, tuple[int, int]] = {}
        self.non_string: set[Path] = set()
        self.resolver = _Resolver()

    def build(self, node: Node, path: Path) -> Any:
        tag = node.tag
        if tag in self.tags:
            return Tagged(tag, self._untagged(node, path))
        if isinstance(node, ScalarNode):
            return self._scalar(node, tag)
        if isinstance(node, SequenceNode):
            if tag != _SEQ:
                raise self._bad_tag(node)
            return self._sequence(node, path)
        if isinstance(node, MappingNode):
            if tag != _MAP:
                raise self._bad_tag(node)
            return self._mapping(node, path)
        raise self._bad_tag(node)  # pragma: no cover - no other node kinds exist

    def _untagged(self, node: Node, path: Path) -> Any:
        if isinstance(node, ScalarNode):
            tag = self.resolver.resolve(ScalarNode, node.value, (not node.style, False))  # type: ignore[no-untyped-call]
            return self._scalar(node, tag)
        if isinstance(node, SequenceNode):
            return self._sequence(node, path)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        raise self._bad_tag(node)  # pragma: no cover

    def _bad_tag(self, node: Node) -> Exception:
        return fail(E_YAML_TAG, f"unsupported YAML tag '{node.tag}'", _loc(self.filename, node))

    def _scalar(self, node: ScalarNode, tag: str) -> Any:
        text: str = node.value
        if tag in (_STR, _MERGE):
            return text
        try:
            if tag == _NULL:
                if text not in ("", "~", "null", "Null", "NULL"):
                    raise ValueError(text)
                return None
            if tag == _BOOL:
                lowered = text.lower()
                if lowered not in ("true", "false"):
                    raise ValueError(text)
                return lowered == "true"
            if tag == _INT:
                return int(text, 0)
            if tag == _FLOAT:
                number = float(text)
                # Keep "3.10" as written: only canonical spellings become numbers.
                if not node.style and repr(number) != text:
                    return text
                return number
        except ValueError:
            raise fail(E_YAML_TAG, f"value {text!r} does not fit the tag '{tag}'",
                       _loc(self.filename, node)) from None
        raise self._bad_tag(node)

    def _sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        out: list[Any] = []
        marks = self.marks
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            marks[child_path] = (child.start_mark.line + 1, child.start_mark.column + 1)
            out.append(self.build(child, child_path))
        return out

    def _key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise fail(E_YAML_SYNTAX, "a mapping key must be a plain value, not a list or mapping",
                       _loc(self.filename, node))
        if node.tag not in (_STR, _INT, _FLOAT, _BOOL, _NULL, _MERGE) and node.tag not in self.tags:
            raise self._bad_tag(node)
        # Keys are always text: Compose and GitHub look them up by name.
        return str(node.value)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        explicit: list[tuple[str, Node, Node]] = []
        merges: list[Node] = []
        for key_node, value_node in node.value:
            is_merge = key_node.tag == _MERGE
            key = "<<" if is_merge else self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise fail(E_DUPLICATE_KEY,
                           f"key '{key}' already defined at line {seen[key]}",
                           _loc(self.filename, key_node))
            seen[key] = line
            if is_merge:
                merges.append(value_node)
            else:
                explicit.append((key, key_node, value_node))
        for merge in merges:
            for part in reversed(self._merge_sources(merge)):
                out.update(self.build(part, path))
        marks = self.marks
        for key, key_node, value_node in explicit:
            child_path = (*path, key)
            if key_node.tag != _STR:
                self.non_string.add(child_path)
            marks[child_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child_path)
        return out

    def _merge_sources(self, node: Node) -> list[Node]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        raise fail(E_YAML_SYNTAX, "a '<<' merge needs a mapping or a list of mappings",
                   _loc(self.filename, node))
