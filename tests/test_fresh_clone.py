"""A fresh clone has no ../shared beside it: the suite still collects, and every test that reads
the external corpus skips with a clear reason instead of failing or erroring at collection."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

# The test modules that read ../shared/corpus (through support.needs_corpus / corpus_params).
CORPUS_MODULES = [
    "tests/clevercloud/test_cc_reader.py",
    "tests/compose/test_project.py",
    "tests/fly_reader/test_corpus.py",
    "tests/fly_reader/test_reader.py",
    "tests/roundtrip/test_fly_roundtrip.py",
    "tests/test_nginx.py",
]


def _tracked_files() -> list[str]:
    """The files a clone would have: git's tracked files (with their working-tree contents, so
    the test checks the change under test), or, outside a git checkout, everything but caches."""
    if shutil.which("git") and (ROOT / ".git").exists():
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
        return [p for p in out.decode().split("\0") if p and (ROOT / p).is_file()]
    skip = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules", ".hypothesis"}
    return [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "hopper"
    for rel in _tracked_files():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target / rel)
    assert not (target.parent / "shared").exists()
    return target


def _pytest(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=clone, capture_output=True, text=True, timeout=600)


def test_collection_has_no_errors_without_the_corpus(clone: Path) -> None:
    # The collection step of the README's test command (scripts/test runs `pytest -n 2`).
    result = _pytest(clone, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "error" not in result.stdout.splitlines()[-1].lower()


def test_corpus_tests_skip_with_a_reason_without_the_corpus(clone: Path) -> None:
    result = _pytest(clone, "-q", "-rs", "-p", "no:xdist", *CORPUS_MODULES)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.splitlines()[-1]
    assert "skipped" in summary and "failed" not in summary and "error" not in summary, summary
    assert "needs the external corpus at" in result.stdout
    # The nginx module is not skipped wholesale: only its corpus test is.
    nginx = _pytest(clone, "-q", "-rs", "-p", "no:xdist", "tests/test_nginx.py")
    assert nginx.returncode == 0 and " passed" in nginx.stdout.splitlines()[-1], nginx.stdout[-2000:]
