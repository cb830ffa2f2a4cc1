"""scripts/clever-export.sh: shellcheck-clean, and its bundle reads back (with a fake `clever`)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from hopper import native
from hopper.formats.base import ReadOptions
from hopper.formats.clevercloud.reader import read
from support import CANARY, ROOT, SAMPLES

SCRIPT = ROOT / "scripts" / "clever-export.sh"
EXPORT = SAMPLES / "clevercloud-webapp" / "export"


def test_capture_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    proc = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def _fake_clever(folder: Path) -> Path:
    """A `clever` answering from the sample bundle, as the real one would print it."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "clever"
    fake.write_text(f"""#!/usr/bin/env bash
set -euo pipefail
src={EXPORT}
alias=""
args=("$@")
for i in "${{!args[@]}}"; do
  if [ "${{args[$i]}}" = "--alias" ]; then alias="${{args[$((i + 1))]}}"; fi
done
case "$1" in
  addon) cat "$src/addons.json" ;;
  applications) cat "$src/applications.json" ;;
  status|env|service|domain|published-config) cat "$src/apps/$alias/$1.json" ;;
  config) f="$src/apps/$alias/config/$3"; if [ -f "$f" ]; then cat "$f"; else exit 1; fi ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
""", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def test_capture_then_read(tmp_path: Path) -> None:
    bin_dir = _fake_clever(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    out = tmp_path / "bundle"
    proc = subprocess.run(["bash", str(SCRIPT), "-o", str(out), "-n", "webapp", "api", "front"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    assert stat.S_IMODE((out / "apps" / "api" / "env.json").stat().st_mode) == 0o600
    captured = read(out, ReadOptions()).model
    sample = read(EXPORT, ReadOptions()).model
    assert native.dump(captured) == native.dump(sample)
    again = subprocess.run(["bash", str(SCRIPT), "-o", str(out), "api"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, check=False)
    assert again.returncode == 73  # never overwrites a bundle


@pytest.mark.parametrize("alias", ["../etc", "a b", "$(id)", "-rf"])
def test_capture_refuses_bad_aliases(alias: str, tmp_path: Path) -> None:
    bin_dir = _fake_clever(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(SCRIPT), "-o", str(tmp_path / "b"), "--", alias],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 64
    assert not (tmp_path / "b").exists()
