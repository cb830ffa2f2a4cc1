"""Helpers for the security tests: build hostile project trees, run the CLI on them, and check
the promises of docs/security.md (clean one-line errors, nothing written, nothing leaked)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from support import CANARY, CliResult, run_cli

# Content of a file planted next to (outside) every project: it must never be printed.
OUTSIDE_MARK = "OUTSIDE-THE-ROOT-6d1e"
# `file:line[:col]: error: message [HOPnnn]`, or `file: error: ...` when there is no line.
ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: error: "
                        r"(?P<msg>.+) \[(?P<code>HOP\d{3})\]$")
# What the output folder holds before each run: it must be byte-identical afterwards.
SENTINEL = {"keep.txt": "already here\n"}


@dataclass(frozen=True)
class Case:
    """One row of the bad-input checklist for one format."""

    id: str
    files: Mapping[str, str | bytes]
    expect_code: str | None  # None: accepted (exit 0)
    message: str = ""  # a regex the error message must match
    where: str = ""  # a regex the error location (file:line:col) must match
    symlinks: Sequence[tuple[str, str]] = ()  # (link inside the project, target)
    row: str = ""  # the checklist row(s) this case covers
    marks: Sequence[object] = field(default_factory=tuple)


def build_tree(base: Path, files: Mapping[str, str | bytes],
               symlinks: Sequence[tuple[str, str]] = ()) -> Path:
    """``base/proj`` with ``files``, plus ``base/outside.txt`` that links may point at."""
    (base / "outside.txt").write_text(f"{OUTSIDE_MARK}\nPASSWORD={CANARY}\n", encoding="utf-8")
    (base / "outside").mkdir(exist_ok=True)
    (base / "outside" / "evil.conf").write_text(f"# {OUTSIDE_MARK}\n", encoding="utf-8")
    proj = base / "proj"
    proj.mkdir()
    for rel, data in files.items():
        target = proj / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    for link, target_ref in symlinks:
        at = proj / link
        at.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target_ref, at)
    return proj


def prepare_out(base: Path) -> Path:
    out = base / "out"
    out.mkdir()
    for rel, text in SENTINEL.items():
        (out / rel).write_text(text, encoding="utf-8")
    return out


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or ``-> target`` for links, or ``<dir>``."""
    if not folder.exists():
        return {}
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = path.read_bytes()
    return out


def temp_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".hopper-*"))


def assert_clean_error(result: CliResult, code: str, message: str = "", where: str = "",
                       root: Path | None = None) -> re.Match[str]:
    """Exit 1, no traceback, and the first stderr line is ``file:line:col: error: ... [code]``.

    ``where`` is relative to the project; with ``root`` (the project path given to the CLI), the
    printed file must start with it, as the CLI prints locations that open from the current
    folder."""
    assert result.code == 1, (result.code, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    first = result.stderr.splitlines()[0] if result.stderr else ""
    match = ERROR_LINE.match(first)
    assert match, f"not a clean error line: {first!r}"
    assert match["code"] == code, first
    if message:
        assert re.search(message, match["msg"]), first
    if where:
        file = match["file"]
        if root is not None:
            assert file == str(root) or file.startswith(f"{root}/"), first
            file = file[len(str(root)) + 1:] or "."
        shown = file + (f":{match['line']}" if match["line"] else "") + (
            f":{match['col']}" if match["col"] else "")
        assert re.fullmatch(where, shown), first
    return match


def assert_nothing_leaked(*texts: str) -> None:
    for text in texts:
        assert OUTSIDE_MARK not in text
        assert CANARY not in text


def cli(*args: str | Path) -> CliResult:
    return run_cli(*args)


def all_text(folder: Path) -> str:
    """Every file under ``folder`` decoded leniently, for leak searches."""
    chunks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


def run_case(case: Case, base: Path, source: str, target: str) -> CliResult:
    """Convert the case's project with the CLI into a pre-filled --out and check the promises:
    a clean error and an untouched --out for bad input, success otherwise; never a leak of a
    file outside the root; never a temporary file left behind."""
    import pytest

    from hopper import api
    from hopper.diagnostics import HopperError

    proj = build_tree(base, case.files, case.symlinks)
    out = prepare_out(base)
    before = snapshot(out)
    result = cli("convert", proj, "--from", source, "--to", target, "--out", out)
    assert OUTSIDE_MARK not in result.stdout + result.stderr
    assert not temp_leftovers(out)
    if case.expect_code is None:
        assert result.code == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert OUTSIDE_MARK not in all_text(out)
        return result
    assert_clean_error(result, case.expect_code, case.message, case.where, root=proj)
    assert snapshot(out) == before, "a failed run changed the output folder"
    # The library raises the same error, with its location, and prints nothing.
    with pytest.raises(HopperError) as info:
        api.load(proj, fmt=source)
    assert info.value.code == case.expect_code
    assert info.value.path
    return result


def load_files_clean(files: Mapping[str, str | bytes], fmt: str) -> None:
    """Write ``files`` to a fresh folder and read it as ``fmt``: the only exception allowed out
    is a HopperError with a location (fuzz property 1 of ecosystem-and-reliability §2.3)."""
    import tempfile

    from hopper import api
    from hopper.diagnostics import HopperError
    from hopper.formats.base import ReadOptions

    with tempfile.TemporaryDirectory(prefix="hopper-fuzz-") as tmp:
        proj = Path(tmp) / "proj"
        proj.mkdir()
        for rel, data in files.items():
            target = proj / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        try:
            api.load(proj, fmt=fmt, options=ReadOptions())
        except HopperError as exc:
            assert exc.diagnostics
            assert exc.path is not None or exc.code in ("HOP401", "HOP007"), exc


def fuzz_examples(default: int) -> int:
    """Examples per fuzz target: bounded for CI; ``HOPPER_FUZZ_EXAMPLES=5000`` for a long local run."""
    return int(os.environ.get("HOPPER_FUZZ_EXAMPLES", default))
