"""rewrite-env: golden diffs, byte-exact Python codemod, atomic writes confined to the project."""

from __future__ import annotations

import ast
import difflib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from envscan_fixtures import SHOP, shop_architecture

from hopper.diagnostics import OutputError
from hopper.envscan import rewrite as rewrite_module
from hopper.envscan.rewrite import rewrite_architecture
from support import GOLDEN, assert_golden


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rewrite_diff_for_fly_matches_golden() -> None:
    before = snapshot(SHOP)
    result = rewrite_architecture(shop_architecture(), SHOP, "fly")
    assert_golden(GOLDEN / "envscan" / "rewrite-fly.diff", result.diff)
    assert result.changed_files == ("api/src/db.ts", "api/src/storage.ts",
                                    "worker/worker/db.py", "worker/worker/storage.py")
    assert result.written == ()
    assert snapshot(SHOP) == before  # without apply nothing is touched


def test_rewrite_diagnostics_explain_what_was_not_renamed() -> None:
    result = rewrite_architecture(shop_architecture(), SHOP, "fly")
    rendered = [d.render() for d in result.diagnostics]
    codes = {d.code for d in result.diagnostics}
    assert {"HOP603", "HOP602", "HOP641", "HOP640"} <= codes
    # the settings field named after a Clever variable cannot be renamed by a literal edit
    assert any("settings.py:22" in r and "HOP641" in r for r in rendered)
    # the shell script is reported, not rewritten
    assert any("migrate.sh:4" in r and "HOP641" in r for r in rendered)
    # CELLAR_ADDON_HOST (bare host) is never turned into AWS_ENDPOINT_URL_S3 (a URL)
    result_text = result.diff
    assert "AWS_ENDPOINT_URL_S3" not in result_text


def test_diff_applies_with_git_and_only_touches_names(shop_copy: Path) -> None:
    result = rewrite_architecture(shop_architecture(), shop_copy, "fly")
    patch = shop_copy / "rename.patch"
    patch.write_text(result.diff)
    subprocess.run(["git", "apply", "--check", "-p1", str(patch)], cwd=shop_copy, check=True,
                   capture_output=True)
    # every changed line differs from its original only where an env name was renamed
    renamed = {"POSTGRESQL_ADDON_URI": "DATABASE_URL", "CELLAR_ADDON_KEY_ID": "AWS_ACCESS_KEY_ID",
               "CELLAR_ADDON_KEY_SECRET": "AWS_SECRET_ACCESS_KEY"}
    removed = [ln[1:] for ln in result.diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln[1:] for ln in result.diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert len(removed) == len(added)
    for old, new in zip(removed, added, strict=True):
        expected = old
        for src, dst in renamed.items():
            if old.strip() == f"{src},":  # destructuring shorthand: the local name stays
                expected = old.replace(src, f"{dst}: {src}")
            else:
                expected = expected.replace(src, dst)
        assert new == expected, (old, new)


def test_write_edits_python_atomically_and_preserves_every_other_byte(shop_copy: Path) -> None:
    before = snapshot(shop_copy)
    result = rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    after = snapshot(shop_copy)
    assert result.written == ("worker/worker/db.py", "worker/worker/storage.py")
    changed = {k for k in before if before[k] != after[k]}
    assert changed == set(result.written)  # JS/TS files are never written
    assert set(after) == set(before)  # no temporary files left behind
    for rel in result.written:
        old, new = before[rel].decode(), after[rel].decode()
        ast.parse(new)
        # the only differences are inside renamed string literals
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            assert old[i1:i2].strip("_ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "", (rel, old[i1:i2])
            assert new[j1:j2].strip("_ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "", (rel, new[j1:j2])
    db = after["worker/worker/db.py"].decode()
    assert 'os.environ["DATABASE_URL"]' in db
    assert "os.environ.get('POSTGRESQL_ADDON_DIRECT_URI', DSN)  # keep this comment" in db
    # running it again finds nothing more to rename in Python
    again = rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    assert again.written == ()


def test_write_keeps_mode_bom_and_crlf(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(SHOP, root)
    target = root / "worker" / "worker" / "db.py"
    text = target.read_text().replace("\n", "\r\n")
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    target.chmod(0o640)
    rewrite_architecture(shop_architecture(), root, "fly", apply=True)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b'os.environ["DATABASE_URL"]\r\n' in data
    assert data.count(b"\r\n") == text.count("\r\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_write_refuses_a_symlinked_file(shop_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    shutil.copy(shop_copy / "worker" / "worker" / "storage.py", outside)
    link = shop_copy / "worker" / "worker" / "storage.py"
    link.unlink()
    os.symlink(outside, link)
    before = outside.read_bytes()
    # the scan does not follow the link out of the root, so the file is not even a candidate
    result = rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    assert "worker/worker/storage.py" not in result.written
    assert outside.read_bytes() == before
    assert any(d.code == "HOP624" for d in result.diagnostics)


def test_write_refuses_a_symlink_inside_the_root(shop_copy: Path) -> None:
    real = shop_copy / "worker" / "worker" / "real_db.py"
    (shop_copy / "worker" / "worker" / "db.py").rename(real)
    os.symlink(real, shop_copy / "worker" / "worker" / "db.py")
    with pytest.raises(OutputError) as caught:
        rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    assert caught.value.code == "HOP642"


def test_a_file_changed_meanwhile_stops_everything(shop_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = rewrite_module._edit_file
    target = shop_copy / "worker" / "worker" / "storage.py"

    def edit_then_touch(*args, **kwargs):  # type: ignore[no-untyped-def]
        edit = original(*args, **kwargs)
        if edit is not None and edit.rel.endswith("storage.py"):
            target.write_text(target.read_text() + "\n# edited meanwhile\n")
        return edit

    monkeypatch.setattr(rewrite_module, "_edit_file", edit_then_touch)
    before = (shop_copy / "worker" / "worker" / "db.py").read_bytes()
    with pytest.raises(OutputError) as caught:
        rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    assert caught.value.code == "HOP645"
    assert (shop_copy / "worker" / "worker" / "db.py").read_bytes() == before


def test_failed_write_restores_earlier_files(shop_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(shop_copy)
    real = rewrite_module._replace_atomically
    calls = {"n": 0}

    def flaky(target: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(rewrite_module, "_replace_atomically", flaky)
    with pytest.raises(OutputError) as caught:
        rewrite_architecture(shop_architecture(), shop_copy, "fly", apply=True)
    assert caught.value.code == "HOP646"
    assert snapshot(shop_copy) == before


@pytest.mark.parametrize("target", ["compose", "clevercloud"])
def test_nothing_to_rename_for_compose_or_the_same_platform(target: str) -> None:
    result = rewrite_architecture(shop_architecture(), SHOP, target)
    assert result.diff == "" and result.changed_files == ()
    assert [d.code for d in result.diagnostics] == ["HOP643"]


def test_diff_is_deterministic_and_has_no_absolute_paths(shop_copy: Path) -> None:
    first = rewrite_architecture(shop_architecture(), SHOP, "fly").diff
    second = rewrite_architecture(shop_architecture(), shop_copy, "fly").diff
    assert first == second
    assert str(SHOP) not in first and str(shop_copy) not in first
