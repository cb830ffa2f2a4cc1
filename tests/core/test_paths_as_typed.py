"""Paths as typed: every command run from another folder than the project, with relative and
absolute paths, finds the files and prints locations that open from where it was run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import hopper
from support import SAMPLES, copy_tree, run_cli

BAD_COMPOSE = "services:\n  web:\n    image: nginx\n    ports:\n      - \"x:y:z:w\"\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding copies of the samples, made the current folder (not the project's)."""
    copy_tree(SAMPLES / "compose-webapp", tmp_path / "samples" / "compose-webapp")
    copy_tree(SAMPLES / "monorepo-webapp", tmp_path / "samples" / "monorepo-webapp")
    (tmp_path / "x" / "bad").mkdir(parents=True)
    (tmp_path / "x" / "bad" / "compose.yaml").write_text(BAD_COMPOSE, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _forms(work: Path, rel: str) -> list[str]:
    return [rel, str(work / rel)]


@pytest.mark.parametrize("absolute", [False, True])
def test_a_relative_or_absolute_file_path_is_read(work: Path, absolute: bool) -> None:
    path = _forms(work, "samples/compose-webapp/compose.yaml")[absolute]
    result = run_cli("inspect", path)
    assert result.code == 0, result.stderr
    assert "webapp (compose)" in result.stdout
    dry = run_cli("-q", "convert", path, "--to", "fly", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "fly.toml" in dry.stdout
    plan = run_cli("-q", "diff", path, "samples/compose-webapp")
    assert plan.code == 0, plan.stderr
    assert hopper.load(path).model.source_format == "compose"


def test_a_file_path_from_a_subfolder(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work / "samples")
    assert run_cli("inspect", "compose-webapp/compose.yaml").code == 0
    monkeypatch.chdir(work / "samples" / "compose-webapp")
    assert run_cli("inspect", "compose.yaml").code == 0


@pytest.mark.parametrize("absolute", [False, True])
def test_the_monorepo_packages_are_scanned(work: Path, absolute: bool) -> None:
    path = _forms(work, "samples/monorepo-webapp")[absolute]
    for args in (("inspect", path, "--scan-code"), ("convert", path, "--to", "fly", "--dry-run")):
        result = run_cli(*args)
        assert result.code == 0, result.stderr
        assert "HOP622" not in result.stderr, result.stderr
        assert "apps/api/apps/api" not in result.stderr


def test_rewrite_env_is_no_all_clear_when_code_was_not_scanned(work: Path) -> None:
    compose = work / "samples" / "compose-webapp" / "compose.yaml"
    text = compose.read_text(encoding="utf-8")
    compose.write_text(text.replace("context: ./api", "context: ./gone"), encoding="utf-8")
    assert "context: ./gone" in compose.read_text(encoding="utf-8")
    result = run_cli("rewrite-env", "samples/compose-webapp", "--to", "fly")
    assert "HOP622" in result.stderr
    assert "nothing to rewrite\n" not in result.stderr
    assert "were not scanned" in result.stderr


@pytest.mark.parametrize("form", ["relative", "absolute", "inside"])
def test_locations_open_from_the_current_folder(work: Path, monkeypatch: pytest.MonkeyPatch,
                                                form: str) -> None:
    if form == "inside":
        monkeypatch.chdir(work / "x" / "bad")
        path, expected = ".", "compose.yaml:5:"
    elif form == "relative":
        path, expected = "x/bad", "x/bad/compose.yaml:5:"
    else:
        monkeypatch.chdir(work / "elsewhere")
        path, expected = str(work / "x" / "bad"), f"{work / 'x' / 'bad' / 'compose.yaml'}:5:"
    for args in (("inspect", path), ("convert", path, "--to", "fly", "--dry-run"),
                 ("diff", path, path)):
        result = run_cli(*args)
        assert result.code == 1
        assert result.stderr.startswith(expected), (args, result.stderr)
        line = result.stderr.split(":")[0]
        assert (Path.cwd() / line).is_file() or os.path.isfile(line)


def test_a_file_path_location_is_prefixed_with_its_folder(work: Path) -> None:
    result = run_cli("inspect", "x/bad/compose.yaml")
    assert result.code == 1 and result.stderr.startswith("x/bad/compose.yaml:5:"), result.stderr


def test_a_missing_path_is_named_as_typed(work: Path) -> None:
    result = run_cli("inspect", "nope/x")
    assert result.code == 1 and result.stderr.startswith("nope/x: error: no such file or folder [HOP001]")


def test_the_library_reports_locations_relative_to_the_project(work: Path) -> None:
    with pytest.raises(hopper.HopperError) as info:
        hopper.load("x/bad")
    assert info.value.path == "compose.yaml" and info.value.line == 5


# ------------------------------------------------------------------ rewrite-env infers --from

def _code_only(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text('{"name": "x", "scripts": {"start": "node server.js"}}',
                                         encoding="utf-8")
    (folder / "server.js").write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize("absolute", [False, True])
def test_rewrite_env_infers_clever_cloud_from_the_names_read(work: Path, absolute: bool) -> None:
    _code_only(work / "app", "const db = process.env.POSTGRESQL_ADDON_URI;\nconst p = process.env.PORT;\n")
    path = _forms(work, "app")[absolute]
    result = run_cli("rewrite-env", path, "--to", "fly")
    assert result.code == 0, result.stderr
    assert "+const db = process.env.DATABASE_URL;" in result.stdout
    assert "the code reads POSTGRESQL_ADDON_URI, which Clever Cloud sets: read as a clevercloud setup [HOP647]" in result.stderr
    assert f"{path}: warning:" in result.stderr


def test_rewrite_env_asks_for_from_when_ambiguous(work: Path) -> None:
    _code_only(work / "app", "process.env.POSTGRESQL_ADDON_URI;\nprocess.env.FLY_REGION;\n")
    result = run_cli("rewrite-env", "app", "--to", "fly")
    assert result.code == 1
    assert "several platforms (clevercloud: POSTGRESQL_ADDON_URI; fly: FLY_REGION) [HOP007]" in result.stderr
    assert result.stderr.startswith("app: error:")
    _code_only(work / "plain", "process.env.DATABASE_URL;\nprocess.env.PORT;\n")
    result = run_cli("rewrite-env", "plain", "--to", "fly")
    assert result.code == 1 and "reads no name that only one platform sets [HOP007]" in result.stderr
    assert "--from" in result.stderr
