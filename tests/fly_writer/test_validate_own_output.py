"""Issue 16 / issue 14: `hopper validate` is clean on everything hopper's Fly writer produces.

The set is laid out as the repository's root and refers to files it does not copy (the API's
own Dockerfile on the quick start): validate says so as an info on a set hopper wrote, and reads
them from the repository given with --source."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper.diagnostics import Severity
from hopper.formats.fly.validate import validate_path
from support import SAMPLES, copy_tree, run_cli


@pytest.mark.parametrize("sample", ["compose-webapp", "clevercloud-webapp", "monorepo-webapp"])
def test_validate_is_clean_on_every_sample_set(sample: str, tmp_path: Path) -> None:
    out = tmp_path / "out" / "fly"
    result = run_cli("convert", SAMPLES / sample, "--to", "fly", "--out", out)
    assert result.code == 0, result.stderr
    for source in (None, SAMPLES / sample):
        found = [d for d in validate_path(out, source=source) if d.severity is not Severity.INFO]
        assert found == [], [d.render() for d in found]
    check = run_cli("validate", out, "--strict")
    assert check.code == 0 and "valid, no warnings" in check.stderr, check.stderr


def test_quick_start_own_dockerfile_is_an_info_then_read_with_source(tmp_path: Path) -> None:
    out = tmp_path / "out" / "fly"
    run_cli("convert", SAMPLES / "compose-webapp", "--to", "fly", "--out", out)
    (note,) = [d for d in validate_path(out) if d.code == "HOP385"]
    assert note.location is not None and note.location.file == "api/fly.toml"
    assert "--source" in (note.hint or "")
    # With the repository, its Dockerfile is read and checked like the set's own files.
    repo = copy_tree(SAMPLES / "compose-webapp", tmp_path / "repo")
    dockerfile = repo / "api/Dockerfile"
    text = dockerfile.read_text()
    first_run = next(line for line in text.splitlines() if line.startswith("RUN "))
    dockerfile.write_text(text.replace(first_run, first_run + "\nRUN npx prisma migrate deploy", 1))
    found = validate_path(out, source=repo)
    assert not [d for d in found if d.code in ("HOP373", "HOP385")]
    assert [d.code for d in found if d.code == "HOP382"] == ["HOP382"]
    cli = run_cli("validate", out, "--source", repo)
    assert cli.code == 1 and "HOP382" in cli.stderr


def test_a_source_without_the_dockerfile_is_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "out" / "fly"
    run_cli("convert", SAMPLES / "compose-webapp", "--to", "fly", "--out", out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert [d.code for d in validate_path(out, source=empty) if d.code in ("HOP373", "HOP385")] == ["HOP373"]


def test_a_hand_written_set_still_gets_the_warning(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'a'\nprimary_region = 'cdg'\n[build]\ndockerfile = 'Dockerfile.prod'\n")
    assert [d.code for d in validate_path(tmp_path) if d.code in ("HOP373", "HOP385")] == ["HOP373"]
