"""Terraform HCL expressions: the tiny tree python-hcl2's source text is parsed into.

python-hcl2 gives each value as HCL source text (``"\\"par\\""`` for a string literal,
``"${var.region}"`` for an expression). This module turns that text into literals, templates,
references and opaque expressions, and back into text for messages. It knows nothing of
modules or values: :mod:`.read_hcl_modules` loads the files, :mod:`.read_hcl_eval` evaluates the trees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


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
