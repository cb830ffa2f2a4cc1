"""Writes are all or nothing, only inside --out, never over files without --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hopper import output
from hopper.diagnostics import OutputError


def test_writes_tree_and_refuses_to_overwrite(tmp_path: Path) -> None:
    files = {"a/fly.toml": "app = 'x'\n", "fly-setup.sh": "#!/bin/sh\n"}
    written = output.write_tree(tmp_path, files)
    assert written == ["a/fly.toml", "fly-setup.sh"]
    assert (tmp_path / "a/fly.toml").read_text() == "app = 'x'\n"
    assert os.stat(tmp_path / "fly-setup.sh").st_mode & 0o111
    with pytest.raises(OutputError) as info:
        output.write_tree(tmp_path, {"a/fly.toml": "changed\n"})
    assert info.value.code == "HOP040"
    assert (tmp_path / "a/fly.toml").read_text() == "app = 'x'\n"
    output.write_tree(tmp_path, {"a/fly.toml": "changed\n"}, force=True)
    assert (tmp_path / "a/fly.toml").read_text() == "changed\n"


@pytest.mark.parametrize("bad", ["../escape", "/abs", "a/../../b", "", "a//b", "a\\b"])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(OutputError):
        output.write_tree(tmp_path / "out", {bad: "x"})
    assert not (tmp_path / "escape").exists()


def test_planted_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "fly.toml").symlink_to(victim)
    output.write_tree(out, {"fly.toml": "new\n"}, force=True)
    assert victim.read_text() == "precious\n"
    assert not (out / "fly.toml").is_symlink()
    assert (out / "fly.toml").read_text() == "new\n"


def test_planted_directory_symlink_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "front").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError) as info:
        output.write_tree(out, {"front/fly.toml": "x\n"}, force=True)
    assert info.value.code == "HOP041"
    assert list(elsewhere.iterdir()) == []


def test_failure_midway_leaves_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    output.write_tree(out, {"keep.txt": "old\n"})
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky_replace)
    with pytest.raises(OutputError) as info:
        output.write_tree(out, {"keep.txt": "new\n", "x/new.txt": "n\n", "y/z.txt": "z\n"}, force=True)
    assert info.value.code == "HOP042"
    monkeypatch.undo()
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert names == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "old\n"


def test_interrupt_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real_stage = output._stage_file
    calls = {"n": 0}

    def interrupted(parent: Path, text: str, *, executable: bool) -> Path:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_stage(parent, text, executable=executable)

    monkeypatch.setattr(output, "_stage_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_tree(out, {"a.txt": "a\n", "b.txt": "b\n"})
    assert [p.name for p in out.rglob("*")] == []


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_ino, p.lstat().st_mtime_ns, p.lstat().st_mode)
            for p in sorted(folder.rglob("*"))}


def test_force_into_an_unchanged_tree_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"a/fly.toml": "app = 'x'\n", "b/c/Dockerfile": "FROM x\n", "fly-setup.sh": "#!/bin/sh\n"}
    output.write_tree(tmp_path / "out", files)
    before = _snapshot(tmp_path / "out")
    staged: list[Path] = []
    real_stage = output._stage_file

    def counting_stage(parent: Path, text: str, *, executable: bool) -> Path:
        staged.append(parent)
        return real_stage(parent, text, executable=executable)

    monkeypatch.setattr(output, "_stage_file", counting_stage)
    assert output.write_tree(tmp_path / "out", files, force=True) == sorted(files)
    assert staged == [] and _snapshot(tmp_path / "out") == before  # same inodes, times, modes


def test_force_rewrites_only_what_differs(tmp_path: Path) -> None:
    files = {"a/fly.toml": "app = 'x'\n", "fly-setup.sh": "#!/bin/sh\n", "same.txt": "same\n"}
    out = tmp_path / "out"
    output.write_tree(out, files)
    os.chmod(out / "fly-setup.sh", 0o644)  # same text, wrong mode: rewritten with its mode
    same = (out / "same.txt").stat().st_ino
    changed = {**files, "a/fly.toml": "app = 'y'\n"}
    assert output.write_tree(out, changed, force=True) == sorted(changed)
    assert (out / "a/fly.toml").read_text() == "app = 'y'\n"
    assert os.stat(out / "fly-setup.sh").st_mode & 0o777 == 0o755
    assert (out / "same.txt").stat().st_ino == same
    assert not [p for p in out.rglob("*") if p.name.startswith(output.TEMP_PREFIX)]


def test_a_link_to_the_same_text_is_still_replaced(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("app = 'x'\n")
    os.chmod(victim, 0o644)
    out = tmp_path / "out"
    out.mkdir()
    (out / "fly.toml").symlink_to(victim)
    output.write_tree(out, {"fly.toml": "app = 'x'\n"}, force=True)
    assert not (out / "fly.toml").is_symlink()
    assert victim.read_text() == "app = 'x'\n"


def test_scratch_tree_holds_the_files_with_their_modes(tmp_path: Path) -> None:
    """The dry run's read-back folder: the same files and modes as write_tree, the same path checks."""
    files = {"a/fly.toml": "app = 'x'\n", "fly-setup.sh": "#!/bin/sh\n", "b/c/d.txt": "ü\n"}
    output.write_scratch_tree(tmp_path / "scratch", files)
    output.write_tree(tmp_path / "real", files)
    for rel in files:
        scratch, real = tmp_path / "scratch" / rel, tmp_path / "real" / rel
        assert scratch.read_bytes() == real.read_bytes()
        assert os.stat(scratch).st_mode == os.stat(real).st_mode
    with pytest.raises(OutputError):
        output.write_scratch_tree(tmp_path / "other", {"../escape": "x"})
    assert not (tmp_path / "escape").exists()
