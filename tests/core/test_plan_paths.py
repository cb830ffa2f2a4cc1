"""One plan whichever way it is asked for, annotations GitHub can attach, and a same-format
conversion that keeps the user's names and pins; run from another folder than the project."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from support import SAMPLES, copy_tree, run_cli


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("compose-webapp", "monorepo-webapp", "clevercloud-webapp"):
        copy_tree(SAMPLES / name, tmp_path / "repo" / "samples" / name)
    (tmp_path / "repo" / "ci").mkdir()
    monkeypatch.chdir(tmp_path / "repo" / "ci")
    return tmp_path


def _plan_json(stdout: str) -> str:
    return stdout[stdout.index("{"):]


@pytest.mark.parametrize(("sample", "target", "scan"), [
    ("compose-webapp", "fly", "--scan-code"),
    ("compose-webapp", "fly", "--no-scan-code"),
    ("monorepo-webapp", "clevercloud", "--scan-code"),
    ("clevercloud-webapp", "compose", "--scan-code"),
])
def test_dry_run_and_diff_print_the_same_plan(work: Path, sample: str, target: str, scan: str) -> None:
    source = f"../samples/{sample}"
    out = work / "out"
    assert run_cli("-q", "convert", source, "--to", target, "--out", out, scan).code == 0
    dry = run_cli("-q", "convert", source, "--to", target, "--dry-run", "--format", "json", scan)
    assert dry.code == 0, dry.stderr
    diff = run_cli("-q", "diff", str(work / "repo" / "samples" / sample), out, "--format", "json", scan)
    assert diff.code == 0, diff.stderr
    assert _plan_json(dry.stdout) == _plan_json(diff.stdout)


def test_the_default_scan_is_the_same_for_both(work: Path) -> None:
    out = work / "out"
    assert run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--out", out).code == 0
    dry = run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--dry-run")
    diff = run_cli("-q", "diff", "../samples/compose-webapp", out)
    assert dry.stdout.splitlines()[-1] == diff.stdout.splitlines()[-1]
    assert "HD316" in diff.stdout  # a finding that needs the code scan


def _annotated_files(stdout: str) -> list[str]:
    return re.findall(r"^::\w+ file=([^,]+),", stdout, re.M)


@pytest.mark.parametrize("absolute", [False, True])
def test_github_annotations_name_files_from_the_repository_root(work: Path, absolute: bool) -> None:
    repo = work / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--out", repo / "deploy" / "fly").code == 0
    after = str(repo / "deploy" / "fly") if absolute else "../deploy/fly"
    result = run_cli("-q", "diff", "../samples/compose-webapp", after, "--format", "github")
    files = _annotated_files(result.stdout)
    assert files, result.stdout
    for file in files:
        assert (repo / file).is_file(), file
        assert file.startswith(("deploy/fly/", "samples/compose-webapp/")), file
    assert "deploy/fly/api/fly.toml" in files


def test_github_path_prefix(work: Path) -> None:
    repo = work / "repo"  # no .git: the prefix says where the current folder sits
    assert run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--out", repo / "deploy").code == 0
    result = run_cli("-q", "diff", "../samples/compose-webapp", "../deploy", "--format", "github",
                     "--path-prefix", "infra/ci")
    files = _annotated_files(result.stdout)
    assert files and all(f.startswith(("infra/deploy/", "infra/samples/")) for f in files), files


# ------------------------------------------------------------------ compose -> compose

@pytest.mark.parametrize("absolute", [False, True])
def test_compose_to_compose_keeps_the_users_names_and_pins(work: Path, absolute: bool) -> None:
    source = work / "repo" / "samples" / "compose-webapp"
    original = yaml.safe_load((source / "compose.yaml").read_text(encoding="utf-8"))
    out = work / "out"
    path = str(source) if absolute else "../samples/compose-webapp"
    result = run_cli("-q", "convert", path, "--to", "compose", "--out", out)
    assert result.code == 0, result.stderr
    text = (out / "compose.yaml").read_text(encoding="utf-8")
    written = yaml.safe_load(text)
    # The user's variables, not hopper's store-named ones.
    assert "MINIO_ACCESS_KEY" not in text and "MINIO_SECRET_KEY" not in text
    assert written["services"]["minio"]["environment"]["MINIO_ROOT_USER"] == "${MINIO_ROOT_USER}"
    assert written["services"]["api"]["environment"]["S3_ACCESS_KEY"] == "${MINIO_ROOT_USER}"
    env_example = (out / ".env.example").read_text(encoding="utf-8")
    assert "MINIO_ROOT_USER=" in env_example and "MINIO_ROOT_PASSWORD=" in env_example
    # Every service keeps its name and every image its pin.
    assert set(original["services"]) <= set(written["services"])
    for name, svc in original["services"].items():
        if "image" in svc:
            assert written["services"][name]["image"] == svc["image"], name


def test_compose_to_fly_to_compose_uses_store_names(work: Path) -> None:
    """Through another format the compose-only data is gone: hopper's defaults, no leftovers."""
    fly = work / "fly"
    assert run_cli("-q", "convert", "../samples/compose-webapp", "--to", "fly", "--out", fly).code == 0
    back = work / "back"
    assert run_cli("-q", "convert", str(fly), "--to", "compose", "--out", back).code == 0
    assert "createbuckets" not in (back / "compose.yaml").read_text(encoding="utf-8")
