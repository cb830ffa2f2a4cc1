"""Writes through the CLI (rows 19-23): only inside --out, never through a planted link, never
over existing files without --force, and all or nothing when anything fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from security_support import cli, snapshot, temp_leftovers

from hopper import output
from support import SAMPLES, copy_tree

SAMPLE = SAMPLES / "compose-webapp"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "proj")


def test_read_only_commands_write_nothing(project: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for args in (("inspect", project), ("inspect", "--format", "json", project), ("diff", project, project),
                     ("convert", project, "--to", "fly", "--dry-run"), ("formats",)):
            assert cli(*args).code == 0, args
    finally:
        os.chdir(cwd)
    assert snapshot(tmp_path) == before


def test_planted_symlink_is_replaced_and_victim_untouched(project: Path, tmp_path: Path) -> None:
    """Row 19."""
    out = tmp_path / "out"
    assert cli("convert", project, "--to", "fly", "--out", out).code == 0
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    (out / "fly-setup.sh").unlink()
    os.symlink("../victim", out / "fly-setup.sh")
    result = cli("convert", project, "--to", "fly", "--out", out, "--force")
    assert result.code == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (out / "fly-setup.sh").is_symlink()


def test_symlinked_folder_inside_out_is_refused(project: Path, tmp_path: Path) -> None:
    """Row 19 for folders: a link at out/api pointing elsewhere is never written through."""
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "api")
    result = cli("convert", project, "--to", "fly", "--out", out, "--force")
    assert result.code == 1
    assert "[HOP041]" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert not temp_leftovers(out)


def test_existing_files_need_force(project: Path, tmp_path: Path) -> None:
    """Row 20."""
    out = tmp_path / "out"
    assert cli("convert", project, "--to", "fly", "--out", out).code == 0
    (out / "api" / "fly.toml").write_text("# mine\n", encoding="utf-8")
    before = snapshot(out)
    result = cli("convert", project, "--to", "fly", "--out", out)
    assert result.code == 1
    assert "exists" in result.stderr and "[HOP040]" in result.stderr and "--force" in result.stderr
    assert snapshot(out) == before


def test_strict_failure_writes_nothing(project: Path, tmp_path: Path) -> None:
    """Row 21: a warning under --strict stops the run before any file is written."""
    out = tmp_path / "out"
    result = cli("convert", project, "--to", "clevercloud", "--out", out, "--strict")
    assert result.code == 1
    assert snapshot(out) == {}


@pytest.mark.parametrize("fault", ["enospc", "interrupt"])
def test_failure_while_writing_leaves_out_as_it_was(fault: str, project: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows 22-23: disk full on the third file, or Ctrl-C; previous contents intact, no temp files."""
    out = tmp_path / "out"
    assert cli("convert", project, "--to", "fly", "--out", out).code == 0
    (out / "api" / "fly.toml").write_text("# edited\n", encoding="utf-8")
    before = snapshot(out)
    real_stage = output._stage_file
    calls = {"n": 0}

    def failing_stage(parent: Path, text: str, *, executable: bool) -> Path:
        calls["n"] += 1
        if calls["n"] == 3:
            if fault == "enospc":
                raise OSError(errno.ENOSPC, "No space left on device", str(parent / "file"))
            raise KeyboardInterrupt
        return real_stage(parent, text, executable=executable)

    monkeypatch.setattr(output, "_stage_file", failing_stage)
    result = cli("convert", project, "--to", "fly", "--out", out, "--force")
    assert result.code == (1 if fault == "enospc" else 130), result.stderr
    assert snapshot(out) == before
    assert not temp_leftovers(out)
    if fault == "enospc":
        assert "[HOP042]" in result.stderr


def test_read_only_output_folder(project: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = cli("convert", project, "--to", "fly", "--out", out)
        assert result.code == 1 and "[HOP042]" in result.stderr
    finally:
        out.chmod(0o700)
