"""Reading the files of a Clever Cloud setup: inside the project root, bounded, UTF-8 only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    LimitError,
    Limits,
    Location,
    fail,
)
from hopper.formats.clevercloud.codes import E_BAD_JSON


@dataclass(slots=True)
class SourceFiles:
    """Reads files below ``root`` and counts them against the limits."""

    root: Path
    limits: Limits
    bytes_read: int = 0
    files_read: int = 0
    texts: dict[str, str] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix() or "."
        except ValueError:
            return path.name

    def inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True

    def read_text(self, path: Path) -> str:
        rel = self.rel(path)
        if rel in self.texts:
            return self.texts[rel]
        where = Location(file=rel)
        if not self.inside(path):
            raise fail(E_OUTSIDE_ROOT, "the file resolves outside the project root", where)
        if not path.is_file():
            raise fail(E_FILE_NOT_FOUND, "no such file", where)
        size = path.stat().st_size
        if size > self.limits.max_file_bytes:
            raise fail(E_TOO_LARGE, f"file is {size} bytes, over the limit of "
                       f"{self.limits.max_file_bytes}", where, cls=LimitError)
        self.files_read += 1
        self.bytes_read += size
        if self.files_read > self.limits.max_files:
            raise fail(E_TOO_MANY_FILES, "too many files read", where, cls=LimitError)
        if self.bytes_read > self.limits.max_total_bytes:
            raise fail(E_TOO_LARGE, "the input is over the total size limit", where, cls=LimitError)
        raw = path.read_bytes()
        if b"\0" in raw:
            raise fail(E_NOT_UTF8, "the file contains a NUL byte", where)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise fail(E_NOT_UTF8, f"the file is not UTF-8 (byte {exc.start})", where) from None
        self.texts[rel] = text
        return text

    def read_json(self, path: Path) -> Any:
        text = self.read_text(path)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise fail(E_BAD_JSON, f"not valid JSON: {exc.msg}",
                       Location(file=self.rel(path), line=exc.lineno, col=exc.colno)) from None
        except RecursionError:
            raise fail(E_BAD_JSON, "JSON nested too deeply", Location(file=self.rel(path))) from None


def json_shape_error(files: SourceFiles, path: Path, what: str) -> Exception:
    return fail(E_BAD_JSON, f"unexpected shape: {what}", Location(file=files.rel(path)))
