"""Env var reads in JavaScript and TypeScript, found with a tokenizer rather than a regex.

A regex over raw text cannot tell ``process.env.X`` in code from the same text in a comment, a
string or a regex literal. The lexer here knows those apart: it skips comments, reads string and
template literals whole (descending into ``${...}`` substitutions, which are code), guesses regex
literals from the previous token the way editors do, and skips JSX text (but not JSX
``{expressions}``). Patterns are then matched on the significant tokens only:

* ``process.env.X``, ``process.env?.X``, ``process.env["X"]`` (also ``Bun.env``);
* ``const { X, Y: y, Z = "d" } = process.env`` (destructuring);
* ``const env = process.env; env.X`` (a local alias of the env object);
* ``"X" in process.env``; ``Deno.env.get("X")``;
* ``import.meta.env.X`` and its bracket and destructuring forms: build-time reads (Vite).

Each read records the exact span of the text that names the variable, so the rewrite can replace
just that span.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

KEYWORDS_BEFORE_EXPRESSION = frozenset({
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
    "else", "yield", "await", "extends",
})
# Longest first, so "===" wins over "==" over "=".
PUNCTUATORS = (
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
    "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "**", "<<", ">>",
)
ASSIGNMENT_OPERATORS = frozenset({
    "=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=",
    "||=", "??=", "++", "--",
})
# Members of the env object that are methods, not variables.
OBJECT_METHODS = frozenset({"hasOwnProperty", "toString", "valueOf", "propertyIsEnumerable",
                            "isPrototypeOf", "toLocaleString", "constructor"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # name, punct, string, template, template_part, number, regex, private, jsx
    text: str  # the raw source text
    value: str  # for strings and plain templates: the decoded value; otherwise the text
    start: int
    end: int
    escaped: bool = False  # a string with a backslash escape (its value differs from its text)


@dataclass(frozen=True, slots=True)
class JsRead:
    """One read. ``start``/``end`` span the text naming the variable; ``form`` says how to rename:

    ``member`` (an identifier after ``.``), ``key`` (a quoted string: replace inside the quotes),
    ``shorthand`` (``{ X }`` in a destructuring pattern: becomes ``{ NEW: X }``).
    """

    name: str
    line: int
    start: int
    end: int
    form: str
    build_time: bool
    rewritable: bool = True


@dataclass(frozen=True, slots=True)
class JsScan:
    reads: tuple[JsRead, ...]
    dynamic_lines: tuple[int, ...]  # reads whose name is computed at run time


def _is_id_start(ch: str) -> bool:
    return ch.isalpha() or ch in "$_" or (ord(ch) > 127 and ch.isidentifier())


def _is_id_part(ch: str) -> bool:
    return ch.isalnum() or ch in "$_\u200c\u200d" or (ord(ch) > 127 and ("a" + ch).isidentifier())


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _decode(body: str) -> str:
    """Decode the escapes of a string literal body (enough to compare env names)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "x" and i + 3 < len(body) + 1:
            try:
                out.append(chr(int(body[i + 2:i + 4], 16)))
                i += 4
                continue
            except ValueError:
                pass
        if nxt == "u":
            if body[i + 2:i + 3] == "{":
                close = body.find("}", i + 3)
                if close != -1:
                    try:
                        out.append(chr(int(body[i + 3:close], 16)))
                        i = close + 1
                        continue
                    except ValueError:
                        pass
            else:
                try:
                    out.append(chr(int(body[i + 2:i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
        if nxt in "\r\n":  # line continuation
            i += 2
            continue
        out.append(_SIMPLE_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


class _Lexer:
    def __init__(self, source: str, *, jsx: bool) -> None:
        self.s = source
        self.n = len(source)
        self.i = 0
        self.jsx = jsx
        self.tokens: list[Token] = []

    # -- helpers
    def _emit(self, kind: str, start: int, end: int, value: str | None = None,
              escaped: bool = False) -> None:
        text = self.s[start:end]
        self.tokens.append(Token(kind, text, text if value is None else value, start, end, escaped))

    def _regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        prev = self.tokens[-1]
        if prev.kind == "name":
            return prev.text in KEYWORDS_BEFORE_EXPRESSION
        if prev.kind == "punct":
            return prev.text not in (")", "]", "}", "++", "--")
        return False  # a literal, a private name or a JSX element ends an expression

    # -- the main loop; with nested=True it returns after the "}" that closes a substitution
    def code(self, nested: bool = False) -> None:
        s, n = self.s, self.n
        depth = 0
        while self.i < n:
            i = self.i
            ch = s[i]
            if ch.isspace() or ch in "\ufeff":
                self.i += 1
            elif ch == "/" and s.startswith("//", i):
                end = s.find("\n", i)
                self.i = n if end == -1 else end
            elif ch == "/" and s.startswith("/*", i):
                end = s.find("*/", i + 2)
                self.i = n if end == -1 else end + 2
            elif ch == "#" and i == 0 and s.startswith("#!", i):
                end = s.find("\n", i)
                self.i = n if end == -1 else end
            elif ch == "/" and self._regex_allowed() and self._regex():
                pass
            elif ch in "'\"":
                self._string(ch)
            elif ch == "`":
                self._template()
            elif _is_id_start(ch) or ch == "\\":
                j = i + 1
                while j < n and (_is_id_part(s[j]) or s[j] == "\\"):
                    j += 1
                self._emit("name", i, j)
                self.i = j
            elif ch == "#" and i + 1 < n and _is_id_start(s[i + 1]):
                j = i + 1
                while j < n and _is_id_part(s[j]):
                    j += 1
                self._emit("private", i, j)
                self.i = j
            elif ch.isdigit() or (ch == "." and i + 1 < n and s[i + 1].isdigit()):
                j = i + 1
                while j < n and (s[j].isalnum() or s[j] in "._"
                                 or (s[j] in "+-" and s[j - 1] in "eE" and not s.startswith("0x", i))):
                    j += 1
                self._emit("number", i, j)
                self.i = j
            elif ch == "{":
                depth += 1
                self._emit("punct", i, i + 1)
                self.i += 1
            elif ch == "}":
                self._emit("punct", i, i + 1)
                self.i += 1
                if nested and depth == 0:
                    return
                depth = max(depth - 1, 0)
            elif ch == "<" and self.jsx and self._regex_allowed() and self._jsx_start():
                self._jsx_element()
            else:
                for p in PUNCTUATORS:
                    if s.startswith(p, i) and not (p == "?." and i + 2 < n and s[i + 2].isdigit()):
                        self._emit("punct", i, i + len(p))
                        self.i = i + len(p)
                        break
                else:
                    self._emit("punct", i, i + 1)
                    self.i = i + 1

    # -- literals
    def _string(self, quote: str) -> None:
        s, n = self.s, self.n
        start = self.i
        j = start + 1
        escaped = False
        closed = False
        while j < n:
            c = s[j]
            if c == "\\":
                escaped = True
                j += 2
                continue
            if c == quote:
                closed = True
                break
            if c == "\n":  # unterminated: stop at the line end so one bad line costs one line
                break
            j += 1
        j = min(j, n)
        body = s[start + 1:j]
        if closed:
            j += 1
        self._emit("string", start, j, _decode(body) if escaped else body, escaped)
        self.i = j

    def _template(self) -> None:
        s, n = self.s, self.n
        start = self.i
        chunk = start
        j = start + 1
        parts = False
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "`":
                j += 1
                break
            if c == "$" and s.startswith("${", j):
                parts = True
                self._emit("template_part", chunk, j + 2)
                self.i = j + 2
                self.code(nested=True)
                j = chunk = self.i
                continue
            j += 1
        j = min(j, n)
        if parts:
            self._emit("template_part", chunk, j)
        else:
            body = s[start + 1:j - 1] if j - 1 > start and s[j - 1] == "`" else s[start + 1:j]
            self._emit("template", start, j, _decode(body) if "\\" in body else body, "\\" in body)
        self.i = j

    def _regex(self) -> bool:
        """Consume a regex literal at self.i; False (nothing consumed) if it cannot be one."""
        s, n = self.s, self.n
        j = self.i + 1
        in_class = False
        while j < n:
            c = s[j]
            if c == "\n":
                return False
            if c == "\\":
                j += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                j += 1
                while j < n and _is_id_part(s[j]):
                    j += 1
                self._emit("regex", self.i, j)
                self.i = j
                return True
            j += 1
        return False

    # -- JSX: text and attribute strings are not code; {expressions} are
    def _jsx_start(self) -> bool:
        s, n = self.s, self.n
        j = self.i + 1
        if j < n and s[j] == ">":
            return True
        if j >= n or not _is_id_start(s[j]):
            return False
        while j < n and (_is_id_part(s[j]) or s[j] in ".:-"):
            j += 1
        while j < n and s[j] in " \t":
            j += 1
        # `<T,>(x) => x` and `<T extends U>` are TypeScript generics, not elements.
        return not (j < n and s[j] == ",") and not s.startswith("extends", j)

    def _jsx_element(self) -> None:
        s, n = self.s, self.n
        start = self.i
        j = self.i + 1
        while j < n and (_is_id_part(s[j]) or s[j] in ".:-"):
            j += 1
        # attributes
        while j < n:
            c = s[j]
            if s.startswith("/>", j):
                self.i = j + 2
                self._emit("jsx", start, self.i)
                return
            if c == ">":
                j += 1
                break
            if c == "{":
                self._emit("punct", j, j + 1)
                self.i = j + 1
                self.code(nested=True)
                j = self.i
                continue
            if c in "'\"":
                close = s.find(c, j + 1)
                j = n if close == -1 else close + 1
                continue
            j += 1
        # children, up to the matching closing tag
        while j < n:
            c = s[j]
            if c == "{":
                self._emit("punct", j, j + 1)
                self.i = j + 1
                self.code(nested=True)
                j = self.i
                continue
            if c == "<":
                k = j + 1
                while k < n and s[k].isspace():
                    k += 1
                if k < n and s[k] == "/":
                    close = s.find(">", k)
                    self.i = n if close == -1 else close + 1
                    self._emit("jsx", start, self.i)
                    return
                self.i = j
                if self._jsx_start():
                    self._jsx_element()
                    j = self.i
                    continue
            j += 1
        self.i = n
        self._emit("jsx", start, n)


def tokenize(source: str, *, jsx: bool = True) -> list[Token]:
    """The significant tokens of ``source`` (comments and whitespace dropped)."""
    lexer = _Lexer(source, jsx=jsx)
    lexer.code()
    return lexer.tokens


# ---------------------------------------------------------------------------- patterns

def _is(tok: Token | None, kind: str, text: str | None = None) -> bool:
    return tok is not None and tok.kind == kind and (text is None or tok.text == text)


def _member_dot(tok: Token | None) -> bool:
    return tok is not None and tok.kind == "punct" and tok.text in (".", "?.")


class _Matcher:
    def __init__(self, source: str, tokens: Sequence[Token]) -> None:
        self.source = source
        self.t = tokens
        self.newlines = [i for i, c in enumerate(source) if c == "\n"]
        self.reads: list[JsRead] = []
        self.dynamic: list[int] = []
        self.aliases: dict[str, bool] = {}  # local name -> build_time

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1

    def at(self, k: int) -> Token | None:
        return self.t[k] if 0 <= k < len(self.t) else None

    def env_base(self, k: int) -> tuple[int, bool] | None:
        """If an env object expression starts at token k, (index after it, build_time)."""
        tok = self.at(k)
        if tok is None or tok.kind != "name":
            return None
        prev = self.at(k - 1)
        if _member_dot(prev):
            owner = self.at(k - 2)
            if not (tok.text == "process" and _is(owner, "name") and owner is not None
                    and owner.text in ("globalThis", "global")):
                return None
        if tok.text == "process" and _member_dot(self.at(k + 1)) and _is(self.at(k + 2), "name", "env"):
            return k + 3, False
        if tok.text == "Bun" and _is(self.at(k + 1), "punct", ".") and _is(self.at(k + 2), "name", "env"):
            return k + 3, False
        if (tok.text == "import" and _is(self.at(k + 1), "punct", ".") and _is(self.at(k + 2), "name", "meta")
                and _member_dot(self.at(k + 3)) and _is(self.at(k + 4), "name", "env")):
            return k + 5, True
        if tok.text in self.aliases and not _member_dot(prev):
            return k + 1, self.aliases[tok.text]
        return None

    def add(self, name: str, tok: Token, form: str, build_time: bool, rewritable: bool = True) -> None:
        self.reads.append(JsRead(name, self.line(tok.start), tok.start, tok.end, form, build_time,
                                 rewritable))

    def run(self) -> JsScan:
        k = 0
        while k < len(self.t):
            self.deno(k)
            base = self.env_base(k)
            if base is None:
                k += 1
                continue
            end, build_time = base
            self.after_base(k, end, build_time)
            k = end
        reads = sorted(set(self.reads), key=lambda r: (r.start, r.name))
        return JsScan(tuple(reads), tuple(sorted(set(self.dynamic))))

    def deno(self, k: int) -> None:
        # Deno.env.get("X")
        if (_is(self.at(k), "name", "Deno") and _is(self.at(k + 1), "punct", ".")
                and _is(self.at(k + 2), "name", "env") and _is(self.at(k + 3), "punct", ".")
                and _is(self.at(k + 4), "name", "get") and _is(self.at(k + 5), "punct", "(")):
            arg = self.at(k + 6)
            if arg is not None and arg.kind in ("string", "template") and _is(self.at(k + 7), "punct", ")"):
                self.add(arg.value, arg, "key", False, not arg.escaped)
            elif arg is not None:
                self.dynamic.append(self.line(arg.start))

    def after_base(self, k: int, end: int, build_time: bool) -> None:
        nxt = self.at(end)
        # process.env.X / process.env?.X
        if _member_dot(nxt) and _is(self.at(end + 1), "name"):
            name_tok = self.t[end + 1]
            after = self.at(end + 2)
            if _is(after, "punct") and after is not None and after.text in ASSIGNMENT_OPERATORS:
                return  # a write
            if name_tok.text in OBJECT_METHODS:
                return
            self.add(name_tok.text, name_tok, "member", build_time)
            return
        # process.env["X"] / process.env?.["X"]
        bracket = end
        if _is(nxt, "punct", "?.") and _is(self.at(end + 1), "punct", "["):
            bracket = end + 1
        if _is(self.at(bracket), "punct", "["):
            key = self.at(bracket + 1)
            if (key is not None and key.kind in ("string", "template")
                    and _is(self.at(bracket + 2), "punct", "]")):
                after = self.at(bracket + 3)
                if _is(after, "punct") and after is not None and after.text in ASSIGNMENT_OPERATORS:
                    return
                self.add(key.value, key, "key", build_time, not key.escaped)
            elif key is not None:
                self.dynamic.append(self.line(key.start))
            return
        prev = self.at(k - 1)
        # "X" in process.env
        if _is(prev, "name", "in"):
            key = self.at(k - 2)
            if key is not None and key.kind in ("string", "template"):
                self.add(key.value, key, "key", build_time, not key.escaped)
            return
        if not _is(prev, "punct", "="):
            return
        before = self.at(k - 2)
        # const env = process.env
        if _is(before, "name") and before is not None and _is(self.at(k - 3), "name") \
                and self.t[k - 3].text in ("const", "let", "var"):
            self.aliases[before.text] = build_time
            return
        # const { A, B: b, C = 1, ...rest } = process.env
        if _is(before, "punct", "}"):
            self.destructure(k - 2, build_time)

    def destructure(self, close: int, build_time: bool) -> None:
        depth = 0
        open_at = None
        for j in range(close, -1, -1):
            tok = self.t[j]
            if tok.kind == "punct" and tok.text in ("}", "]", ")"):
                depth += 1
            elif tok.kind == "punct" and tok.text in ("{", "[", "("):
                depth -= 1
                if depth == 0:
                    open_at = j
                    break
        if open_at is None or self.t[open_at].text != "{":
            return
        # Split the top level of the pattern into entries.
        entries: list[list[Token]] = [[]]
        depth = 0
        for tok in self.t[open_at + 1:close]:
            if tok.kind == "punct" and tok.text in ("{", "[", "("):
                depth += 1
            elif tok.kind == "punct" and tok.text in ("}", "]", ")"):
                depth -= 1
            if depth == 0 and _is(tok, "punct", ","):
                entries.append([])
            else:
                entries[-1].append(tok)
        for entry in entries:
            if not entry or _is(entry[0], "punct", "..."):
                continue
            key = entry[0]
            rest = entry[1:]
            if key.kind == "name" and (not rest or _is(rest[0], "punct", "=")):
                self.add(key.text, key, "shorthand", build_time)
            elif key.kind == "name" and _is(rest[0], "punct", ":"):
                self.add(key.text, key, "member", build_time)
            elif key.kind in ("string", "template") and rest and _is(rest[0], "punct", ":"):
                self.add(key.value, key, "key", build_time, not key.escaped)
            elif _is(key, "punct", "["):
                self.dynamic.append(self.line(key.start))


def scan_js(source: str, *, jsx: bool = True) -> JsScan:
    """Find env var reads in JavaScript or TypeScript source."""
    return _Matcher(source, tokenize(source, jsx=jsx)).run()


def rename(source: str, read: JsRead, new_name: str) -> str:
    """The replacement text for ``read``'s span so that it reads ``new_name``."""
    old = source[read.start:read.end]
    if read.form == "key":
        return old[0] + new_name + old[-1]
    if read.form == "shorthand":
        return f"{new_name}: {old}"
    return new_name
