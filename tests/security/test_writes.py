"""Writes through the CLI (rows 19-23): only inside --out, never through a planted link, never
over existing files without --force, and all or nothing when anything fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from security_support import assert_clean_error, cli, snapshot, temp_leftovers

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
    # Every file edited: files that already hold their text are not rewritten at all, so the
    # third file written must be one that differs.
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        path.write_text(f"# edited {path.name}\n", encoding="utf-8")
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


@pytest.mark.parametrize("where", ["file", "dev-null"])
def test_out_that_is_a_file_is_a_clean_error(where: str, project: Path, tmp_path: Path) -> None:
    """Issue 16: `--out README.md` (an existing file) was an internal error (FileExistsError)."""
    if where == "file":
        target = tmp_path / "README.md"
        target.write_text("# mine\n", encoding="utf-8")
    else:
        target = Path("/dev/null")
    cwd = os.getcwd()
    os.chdir(target.parent)
    try:
        result = cli("--quiet", "convert", project, "--to", "fly", "--out", target.name)
    finally:
        os.chdir(cwd)
    assert_clean_error(result, "HOP041", message="exists and is not a folder")
    if where == "file":
        assert target.read_text(encoding="utf-8") == "# mine\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "proj"]


def test_out_where_no_folder_can_be_made(project: Path) -> None:
    """Issue 20: a path under /proc was exit 3."""
    result = cli("--quiet", "convert", project, "--to", "fly", "--out", "/proc/hopper-cannot-be-here/out")
    assert_clean_error(result, "HOP042", message="cannot write output")
    assert not Path("/proc/hopper-cannot-be-here").exists()


def test_name_too_long_for_the_file_system(tmp_path: Path) -> None:
    """Issue 20: a 260-character service name: the Fly app name is cut to 63 characters, but a
    folder named after the service is over the file system's 255-byte limit -- a clean error
    (was exit 3), nothing left behind."""
    name = "a" * 260
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "compose.yaml").write_text(f"services:\n  {name}:\n    image: node:20\n    ports: ['3000:3000']\n",
                                       encoding="utf-8")
    out = tmp_path / "new" / "out"
    result = cli("--quiet", "convert", proj, "--to", "fly", "--out", out)
    if result.code == 0:  # a writer that shortens the folder name too is just as good
        assert all(len(p.name) <= 255 for p in out.rglob("*"))
        return
    assert_clean_error(result, "HOP042", message="File name too long")
    assert "shorten" in result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES, errno.EIO])
def test_os_refusals_while_claiming_out_are_clean(err: int, project: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only file system (EROFS), a permission refusal, an I/O error: HOP042, exit 1.
    (The tests run as root in CI, where a real read-only mount cannot be made; the OS answer
    is injected at the first folder hopper creates.)"""
    real_mkdir = os.mkdir

    def refusing_mkdir(path: str | os.PathLike[str], mode: int = 0o777) -> None:
        raise OSError(err, os.strerror(err), str(path))

    monkeypatch.setattr(output.os, "mkdir", refusing_mkdir)
    out = tmp_path / "sub" / "out"
    result = cli("--quiet", "convert", project, "--to", "fly", "--out", out)
    monkeypatch.setattr(output.os, "mkdir", real_mkdir)
    assert_clean_error(result, "HOP042", message=os.strerror(err))
    assert not (tmp_path / "sub").exists()


def test_sync_is_one_syncfs_on_the_output_file_system(project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20: os.sync() flushed every file system on the machine; one syncfs on --out's own
    file system replaces it, and no file is fsync'ed one by one."""
    synced: list[int] = []
    real = output._libc_syncfs()
    if real is None:
        pytest.skip("no syncfs on this system")

    def recording_syncfs(fd: int) -> int:
        synced.append(os.fstat(fd).st_dev)
        return real(fd)

    monkeypatch.setattr(output, "_libc_syncfs", lambda: recording_syncfs)
    monkeypatch.setattr(os, "sync", lambda: pytest.fail("os.sync() flushes every file system"))
    monkeypatch.setattr(os, "fsync", lambda _fd: pytest.fail("no fsync per file"))
    out = tmp_path / "out"
    assert cli("--quiet", "convert", project, "--to", "fly", "--out", out).code == 0
    assert synced == [os.stat(out).st_dev]


def test_a_run_holding_out_is_named(project: Path, tmp_path: Path) -> None:
    """A second run while another holds --out is refused with HOP043 (not a silent replace)."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = cli("--quiet", "convert", project, "--to", "fly", "--out", out, "--force")
    finally:
        os.close(fd)
    assert_clean_error(result, "HOP043", message="another hopper run is writing to")
    assert list(out.iterdir()) == []
