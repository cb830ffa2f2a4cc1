"""Where each key of a TOML document is: a light scanner that maps key paths to line and column.

tomllib is fast and strict but reports positions only for syntax errors. hopper needs positions
for type errors and unknown keys too, so after tomllib has accepted a document this scanner walks
the same text once more and records, for every key it meets, the path of that key
(``("services", 0, "ports", 1, "port")``) and where the key starts.

It runs only on text tomllib has already parsed, so it can assume valid TOML; it never raises on
odd input, it just stops recording. :func:`max_nesting` is the exception: it runs *before*
tomllib, on any text, so that a pathological ``x = [[[[...`` is refused with a clean error
instead of exhausting Python's recursion limit inside tomllib.
"""

from __future__ import annotations

import bisect
import re

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, 1-based column

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Tokens that matter for nesting depth: string openers, comments, brackets and braces.
_DEPTH_TOKENS = re.compile(r'"""|\'\'\'|"|\'|#|[\[\]{}]')


def max_nesting(text: str, limit: int) -> tuple[int, int] | None:
    """The offset and depth where bracket/brace nesting first goes over ``limit``, or None.

    Strings and comments are skipped, so brackets inside them do not count. Unterminated strings
    end the scan (tomllib will report them).
    """
    depth = 0
    pos = 0
    n = len(text)
    while pos < n:
        match = _DEPTH_TOKENS.search(text, pos)
        if match is None:
            return None
        tok = match.group()
        pos = match.end()
        if tok in ('"""', "'''"):
            end = _find_multiline_end(text, pos, tok)
            if end < 0:
                return None
            pos = end
        elif tok == '"':
            end = _find_basic_end(text, pos)
            if end < 0:
                return None
            pos = end
        elif tok == "'":
            end = text.find("'", pos)
            if end < 0:
                return None
            pos = end + 1
        elif tok == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
        elif tok in "[{":
            depth += 1
            if depth > limit:
                return match.start(), depth
        else:
            depth = max(0, depth - 1)
    return None


def _find_basic_end(text: str, pos: int) -> int:
    """Offset just after the closing quote of a basic string that starts at ``pos``."""
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == '"':
            return pos + 1
        if ch == "\n":
            return -1
        pos += 1
    return -1


def _find_multiline_end(text: str, pos: int, quote: str) -> int:
    """Offset just after the closing delimiter of a multi-line string (up to two extra quotes
    may precede the delimiter: ``""""x""""`` is legal TOML)."""
    n = len(text)
    while pos < n:
        if quote == '"""' and text[pos] == "\\":
            pos += 2
            continue
        if text.startswith(quote, pos):
            end = pos + 3
            extra = 0
            while end < n and text[end] == quote[0] and extra < 2:
                end += 1
                extra += 1
            return end
        pos += 1
    return -1


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.locations: dict[KeyPath, Position] = {}
        self.aot_counts: dict[KeyPath, int] = {}

    def position(self, offset: int) -> Position:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    # -- low-level skipping

    def skip_blank(self, pos: int, newlines: bool = True) -> int:
        text, n = self.text, self.n
        while pos < n:
            ch = text[pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                pos += 1
            elif ch == "#":
                end = text.find("\n", pos)
                pos = n if end < 0 else (end + 1 if newlines else end)
            else:
                break
        return pos

    def read_key(self, pos: int) -> tuple[list[str], int]:
        """A (possibly dotted) key starting at ``pos``; returns its parts and the offset after."""
        parts: list[str] = []
        text = self.text
        while pos < self.n:
            pos = self.skip_blank(pos, newlines=False)
            if pos >= self.n:
                break
            ch = text[pos]
            if ch == '"':
                end = _find_basic_end(text, pos + 1)
                if end < 0:
                    raise ValueError("unterminated key")
                parts.append(_decode_basic(text[pos + 1:end - 1]))
                pos = end
            elif ch == "'":
                end = text.find("'", pos + 1)
                if end < 0:
                    raise ValueError("unterminated key")
                parts.append(text[pos + 1:end])
                pos = end + 1
            else:
                match = _BARE_KEY.match(text, pos)
                if match is None:
                    raise ValueError("bad key")
                parts.append(match.group())
                pos = match.end()
            pos = self.skip_blank(pos, newlines=False)
            if pos < self.n and text[pos] == ".":
                pos += 1
                continue
            break
        return parts, pos

    def skip_value(self, pos: int, path: KeyPath) -> int:
        text = self.text
        if pos >= self.n:
            return pos
        ch = text[pos]
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            end = _find_multiline_end(text, pos + 3, text[pos:pos + 3])
            return self.n if end < 0 else end
        if ch == '"':
            end = _find_basic_end(text, pos + 1)
            return self.n if end < 0 else end
        if ch == "'":
            end = text.find("'", pos + 1)
            return self.n if end < 0 else end + 1
        if ch == "[":
            pos += 1
            index = 0
            while True:
                pos = self.skip_blank(pos)
                if pos >= self.n or text[pos] == "]":
                    return pos + 1
                if text[pos] == ",":
                    pos += 1
                    continue
                element = (*path, index)
                self.locations.setdefault(element, self.position(pos))
                pos = self.skip_value(pos, element)
                index += 1
        if ch == "{":
            pos += 1
            while True:
                pos = self.skip_blank(pos)
                if pos >= self.n or text[pos] == "}":
                    return pos + 1
                if text[pos] == ",":
                    pos += 1
                    continue
                start = pos
                keys, pos = self.read_key(pos)
                pos = self.skip_blank(pos, newlines=False)
                if pos < self.n and text[pos] == "=":
                    pos += 1
                pos = self.skip_blank(pos, newlines=False)
                sub = (*path, *keys)
                self.locations.setdefault(sub, self.position(start))
                pos = self.skip_value(pos, sub)
        # A bare scalar: number, boolean, date. It ends at a separator or a comment.
        while pos < self.n and text[pos] not in ",]}\n#":
            pos += 1
        return pos

    # -- tables

    def resolve_header(self, keys: list[str], array: bool) -> KeyPath:
        out: list[str | int] = []
        for index, key in enumerate(keys):
            out.append(key)
            prefix = tuple(out)
            last = index == len(keys) - 1
            if last and array:
                count = self.aot_counts.get(prefix, 0)
                self.aot_counts[prefix] = count + 1
                out.append(count)
            elif prefix in self.aot_counts:
                out.append(self.aot_counts[prefix] - 1)
        return tuple(out)

    def scan(self) -> dict[KeyPath, Position]:
        text = self.text
        table: KeyPath = ()
        pos = 0
        while True:
            pos = self.skip_blank(pos)
            if pos >= self.n:
                break
            start = pos
            if text[pos] == "[":
                array = text.startswith("[[", pos)
                keys, pos = self.read_key(pos + (2 if array else 1))
                pos = self.skip_blank(pos, newlines=False)
                pos += 2 if array else 1
                table = self.resolve_header(keys, array)
                # Implicit parent tables ([a.b] creates a) point at the first header naming them.
                for depth in range(1, len(table) + 1):
                    self.locations.setdefault(table[:depth], self.position(start))
            else:
                keys, pos = self.read_key(pos)
                pos = self.skip_blank(pos, newlines=False)
                if pos < self.n and text[pos] == "=":
                    pos += 1
                pos = self.skip_blank(pos, newlines=False)
                path = (*table, *keys)
                # Dotted keys create intermediate tables: give them the key's position too.
                for depth in range(len(table) + 1, len(path) + 1):
                    self.locations.setdefault(path[:depth], self.position(start))
                pos = self.skip_value(pos, path)
            end = text.find("\n", pos)
            if end < 0:
                break
            pos = end + 1
        return self.locations


def _decode_basic(body: str) -> str:
    if "\\" not in body:
        return body
    import tomllib  # noqa: PLC0415

    try:
        value = tomllib.loads(f'k = "{body}"')["k"]
    except tomllib.TOMLDecodeError:
        return body
    return str(value)


def key_locations(text: str) -> dict[KeyPath, Position]:
    """Map every key path of a valid TOML document to the (line, column) where it starts.

    Array-of-tables elements are indexed in order; a table header's own path points at the
    header. Values inside arrays are indexed too (``("processes", 0)``).
    """
    scanner = _Scanner(text)
    try:
        return scanner.scan()
    except (ValueError, IndexError):
        return scanner.locations
