"""A small HCL emitter whose output is already `terraform fmt` clean.

python-hcl2 8 can rebuild HCL from a dict, but its formatting is not `terraform fmt`'s and its
string escaping is not documented; this emitter is small enough to be checked line by line.

Every user value goes through :func:`quote`, which escapes backslashes, quotes, control
characters and the template openers ``${`` and ``%{`` (as ``\u0024{`` and ``\u0025{``), so no value can end its string or start
an interpolation. References (:class:`Raw`) are only ever built from validated identifiers.

Layout rules (those of ``terraform fmt``): two-space indentation; in a run of consecutive
one-line attributes the ``=`` signs are aligned; multi-line attributes and nested blocks are
set off by blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def quote(value: str) -> str:
    out = ['"']
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "$%" and value.startswith("{", i + 1):
            # A unicode escape rather than the documented $${ / %%{: Terraform reads both as
            # the literal characters, but python-hcl2 (hopper's reader) rejects $${ and %%{
            # without a closing brace ("%{x" as a value).
            out.append(f"\\u{ord(ch):04x}")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
        i += 1
    out.append('"')
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Raw:
    """An HCL expression written as is (references built from validated identifiers)."""

    text: str


Scalar = str | int | bool | Raw


def scalar(value: Scalar) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return quote(value)


def key_text(key: str) -> str:
    return key if IDENT.match(key) else quote(key)


@dataclass(frozen=True, slots=True)
class Obj:
    """An object written on one line: ``{ fqdn = "x", path_begin = "/api" }``."""

    items: tuple[tuple[str, Scalar], ...]

    def render(self) -> str:
        inner = ", ".join(f"{key_text(k)} = {scalar(v)}" for k, v in self.items)
        return "{ " + inner + " }" if inner else "{}"


@dataclass(frozen=True, slots=True)
class ListV:
    items: tuple[Scalar | Obj, ...]

    def render(self) -> str:
        return "[" + ", ".join(i.render() if isinstance(i, Obj) else scalar(i) for i in self.items) + "]"


@dataclass(frozen=True, slots=True)
class MapV:
    """A map written one entry per line (environment blocks)."""

    items: tuple[tuple[str, Scalar], ...]


Value = Scalar | Obj | ListV | MapV


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: list[tuple[str, Value] | Block] = field(default_factory=list)

    def attr(self, name: str, value: Value | None) -> Block:
        if value is not None:
            self.body.append((name, value))
        return self

    def block(self, child: Block) -> Block:
        self.body.append(child)
        return self


def _lines_of(value: Value, indent: str) -> list[str] | None:
    """The lines of a multi-line value after ``key = ``, or None for a one-line value."""
    if isinstance(value, MapV):
        if not value.items:
            return None
        width = max(len(key_text(k)) for k, _ in value.items)
        lines = ["{"]
        for k, v in value.items:
            lines.append(f"{indent}  {key_text(k).ljust(width)} = {scalar(v)}")
        lines.append(f"{indent}}}")
        return lines
    return None


def _one_line(value: Value) -> str:
    if isinstance(value, Obj | ListV):
        return value.render()
    if isinstance(value, MapV):
        return "{}"
    return scalar(value)


def render_body(items: Sequence[tuple[str, Value] | Block], depth: int) -> list[str]:
    indent = "  " * depth
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if run:
            width = max(len(k) for k, _ in run)
            out.extend(f"{indent}{k.ljust(width)} = {v}" for k, v in run)
            run.clear()

    def gap() -> None:
        if out and out[-1] != "":
            out.append("")

    for item in items:
        if isinstance(item, Block):
            flush()
            gap()
            out.extend(render_block(item, depth))
            out.append("")
            continue
        name, value = item
        multi = _lines_of(value, indent)
        if multi is None:
            if out and out[-1] == "" and not run:
                pass
            run.append((key_text(name), _one_line(value)))
            continue
        flush()
        gap()
        out.append(f"{indent}{key_text(name)} = {multi[0]}")
        out.extend(multi[1:])
        out.append("")
    flush()
    while out and out[-1] == "":
        out.pop()
    return out


def render_block(block: Block, depth: int = 0) -> list[str]:
    indent = "  " * depth
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    body = render_body(block.body, depth + 1)
    if not body:
        return [f"{indent}{head} {{", f"{indent}}}"]
    return [f"{indent}{head} {{", *body, f"{indent}}}"]


def render_file(blocks: Sequence[Block], header: str = "") -> str:
    parts: list[str] = []
    if header:
        parts.append("\n".join(f"# {line}".rstrip() for line in header.splitlines()))
    for block in blocks:
        parts.append("\n".join(render_block(block)))
    return "\n\n".join(parts) + "\n"
