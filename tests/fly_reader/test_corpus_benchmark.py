"""benchmarks/corpus.py on a tiny subset of the shared corpus: it finds the setups, runs the CLI
on each, checks the Fly sets with their consumers and reports in every format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import CORPUS, ROOT

SCRIPT = ROOT / "benchmarks" / "corpus.py"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--corpus", str(CORPUS), *args],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_tiny_subset_as_json() -> None:
    proc = run("--only", "fly/fly-apps__flygreeting", "--only", "docker__awesome-compose/flask/",
               "--only", "flyctl/internal/appconfig/testdata/always-invalid-v2.toml",
               "--targets", "fly,compose", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {row["setup"]: row for row in json.loads(proc.stdout)}
    assert set(rows) == {"fly/fly-apps__flygreeting", "compose/docker__awesome-compose/flask/compose.yaml",
                         "fly/superfly__flyctl/internal/appconfig/testdata/always-invalid-v2.toml"}
    greeting = rows["fly/fly-apps__flygreeting"]
    assert greeting["kind"] == "fly" and greeting["inspect"] == "ok"
    assert greeting["convert"] == {"fly": "ok", "compose": "ok"}
    assert greeting["checks"]["toml"] == "pass" and greeting["checks"]["validate"] == "pass"
    assert greeting["checks"]["shellcheck"] in ("pass", "n/a")
    invalid = rows["fly/superfly__flyctl/internal/appconfig/testdata/always-invalid-v2.toml"]
    assert invalid["kind"] == "fly-peer"
    assert invalid["inspect"] == "refused HOP301" and invalid["checks"] == {}


def test_markdown_report_names_the_command_and_commit(tmp_path: Path) -> None:
    out = tmp_path / "corpus.md"
    proc = run("--only", "fly/fly-apps__flygreeting", "--targets", "fly", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "Command: `python benchmarks/corpus.py" in text and "Commit: `" in text
    assert "| Fly setups | 1 | 1 (100%) | 1 (100%) |" in text
    assert "| `fly/fly-apps__flygreeting` | fly | ok | ok | pass | pass |" in text


def test_missing_corpus_is_a_clean_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--corpus", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no corpus" in proc.stderr
