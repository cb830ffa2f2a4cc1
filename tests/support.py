"""Shared test helpers: paths, running the CLI in process, golden files, canary secrets."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = ROOT / "samples"
GOLDEN = ROOT / "tests" / "golden"

# The external corpus (real inputs from public repositories) lives beside the checkout, in
# ../shared, as in CI. A fresh clone does not have it: every test that reads it is marked with
# ``needs_corpus`` or takes its parameters from ``corpus_params``, so it skips with this reason
# instead of failing or erroring at collection.
CORPUS_ABSENT = f"needs the external corpus at {CORPUS} (../shared beside the checkout), which is absent"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_ABSENT)


def corpus_params(find: Callable[[], Iterable[Any]], ids: Callable[[Any], str] | None = None) -> list[Any]:
    """Parameters for a test over corpus files: ``find()`` is called only when the corpus is
    present; without it, one parameter that skips with a clear reason (never an import error,
    never pytest's anonymous "empty parameter set")."""
    if not CORPUS.is_dir():
        return [pytest.param(None, id="corpus-absent", marks=needs_corpus)]
    values = list(find())
    return [pytest.param(v, id=ids(v) if ids else None, marks=needs_corpus) for v in values]

# Set HOPPER_UPDATE_GOLDEN=1 to rewrite golden files on purpose; then read the diff.
UPDATE_GOLDEN = os.environ.get("HOPPER_UPDATE_GOLDEN") == "1"

# A value planted in sample inputs as a secret; it must never appear in any output.
CANARY = "canary-7f3c9e1d-secret-value"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> CliResult:
    """Run ``hopper ARGS`` in this process and capture its exit code and output."""
    from hopper.cli import run

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file at ``path`` (rewritten when UPDATE_GOLDEN)."""
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"missing golden file {path}; run with HOPPER_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path}; run with HOPPER_UPDATE_GOLDEN=1 and read the diff"


def assert_golden_tree(folder: Path, files: dict[str, str]) -> None:
    """Compare a whole generated tree with a golden folder, file by file, both ways."""
    if UPDATE_GOLDEN:
        if folder.exists():
            shutil.rmtree(folder)
        for rel, text in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return
    assert folder.is_dir(), f"missing golden folder {folder}; run with HOPPER_UPDATE_GOLDEN=1"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == set(files), f"file sets differ: extra {sorted(on_disk - set(files))}, missing {sorted(set(files) - on_disk)}"
    for rel, text in files.items():
        assert (folder / rel).read_text(encoding="utf-8") == text, f"{rel} differs from golden {folder / rel}"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
