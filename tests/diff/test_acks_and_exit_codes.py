"""Acknowledgement files and the CI contract of `hopper diff`: exit codes 0 / 1 / 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from diff_builders import category_cases

from hopper.diagnostics import HopperError
from hopper.diff import diff_models
from hopper.report import apply_acks, fails_on
from support import SAMPLES, run_cli


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def scaling_plan():  # type: ignore[no-untyped-def]
    return diff_models(*category_cases()["scaling"])


def test_ack_marks_matching_findings_and_reports_stale_entries(tmp_path: Path) -> None:
    ack = write(tmp_path / "hopper.ack.yaml", """\
acknowledgements:
  - code: HD202
    service: worker
    reason: the worker is triggered by a cron machine
  - code: autostop-enabled   # a slug works too
    reason: cold starts are fine
  - code: HD602
    service: db
    reason: gone on purpose
""")
    plan = apply_acks(scaling_plan(), ack)
    acked = {f.code: f.ack_reason for f in plan.findings if f.acknowledged}
    assert acked == {"HD202": "the worker is triggered by a cron machine",
                     "HD201": "cold starts are fine"}
    assert [(a.code, a.service) for a in plan.stale_acks] == [("HD602", "db")]
    assert plan.stale_acks[0].location is not None and plan.stale_acks[0].location.line == 7
    assert not fails_on(plan, "breaking")
    assert fails_on(plan, "warning")  # HD206, HD208 are not acknowledged


def test_ack_for_another_service_does_not_match(tmp_path: Path) -> None:
    ack = write(tmp_path / "a.yaml", "- {code: HD202, service: api, reason: r}\n")
    plan = apply_acks(scaling_plan(), ack)
    assert fails_on(plan, "breaking")


@pytest.mark.parametrize(("text", "code", "line"), [
    ("acknowledgements: [\n", "HOP850", 2),
    ("acknowledgements:\n  - code: HD201\n", "HOP851", 2),
    ("acknowledgements:\n  - code: HD999\n    reason: x\n", "HOP852", 2),
    ("acknowledgements:\n  - code: HD201\n    reason: x\n    severity: info\n", "HOP851", 4),
    ("acknowledgements:\n  - code: [HD201]\n    reason: x\n", "HOP851", 2),
    ("acks: []\n", "HOP851", 1),
    ("acknowledgements: {code: HD201}\n", "HOP851", 1),
])
def test_bad_ack_files_are_input_errors_with_a_location(tmp_path: Path, text: str, code: str,
                                                       line: int) -> None:
    ack = write(tmp_path / "hopper.ack.yaml", text)
    with pytest.raises(HopperError) as info:
        apply_acks(scaling_plan(), ack)
    assert info.value.code == code
    assert info.value.line == line


def test_alias_bomb_in_an_ack_file_is_not_expanded(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)},*{chr(96 + i)},*{chr(96 + i)}]")
    ack = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(HopperError) as info:
        apply_acks(scaling_plan(), ack)
    assert info.value.code == "HOP851"


def test_missing_ack_file(tmp_path: Path) -> None:
    with pytest.raises(HopperError) as info:
        apply_acks(scaling_plan(), tmp_path / "none.yaml")
    assert info.value.code == "HOP850"


# ------------------------------------------------------------------------------ CLI exit codes

@pytest.fixture
def setups(tmp_path: Path) -> tuple[Path, Path]:
    before = tmp_path / "before"
    after = tmp_path / "after"
    shutil.copytree(SAMPLES / "compose-webapp", before)
    shutil.copytree(SAMPLES / "compose-webapp", after)
    return before, after


def _downgrade_postgres(folder: Path) -> None:
    compose = folder / "compose.yaml"
    text = compose.read_text(encoding="utf-8")
    assert "postgres:16-alpine" in text
    compose.write_text(text.replace("postgres:16-alpine", "postgres:15-alpine"), encoding="utf-8")


def test_identical_setups_exit_0(setups: tuple[Path, Path]) -> None:
    before, after = setups
    result = run_cli("diff", before, after, "--detailed-exitcode", "--fail-on", "warning")
    assert result.code == 0, result.stderr
    assert "No changes" in result.stdout


def test_changed_setups_exit_2_with_detailed_exitcode(setups: tuple[Path, Path]) -> None:
    before, after = setups
    compose = after / "compose.yaml"
    compose.write_text(compose.read_text(encoding="utf-8").replace(
        "NODE_ENV: production", "NODE_ENV: staging"), encoding="utf-8")
    assert run_cli("diff", before, after, "--detailed-exitcode").code == 2
    assert run_cli("diff", before, after).code == 0
    assert run_cli("diff", before, after, "--fail-on", "breaking").code == 0


def test_unacknowledged_breaking_change_fails_and_acknowledged_passes(
        setups: tuple[Path, Path], tmp_path: Path) -> None:
    before, after = setups
    _downgrade_postgres(after)
    failed = run_cli("diff", before, after, "--fail-on", "breaking", "--format", "json")
    assert failed.code == 1
    assert '"code": "HD604"' in failed.stdout
    ack = write(tmp_path / "ack.yaml",
                "acknowledgements:\n  - code: HD604\n    service: db\n    reason: tested on 15\n")
    passed = run_cli("diff", before, after, "--fail-on", "breaking", "--ack", ack)
    assert passed.code == 0, passed.stdout
    assert "acknowledged: tested on 15" in passed.stdout
    detailed = run_cli("diff", before, after, "--fail-on", "breaking", "--ack", ack,
                       "--detailed-exitcode")
    assert detailed.code == 2


def test_bad_ack_file_exits_1_with_its_code(setups: tuple[Path, Path], tmp_path: Path) -> None:
    before, after = setups
    ack = write(tmp_path / "ack.yaml", "acknowledgements:\n  - code: HD604\n")
    result = run_cli("diff", before, after, "--ack", ack)
    assert result.code == 1
    assert "HOP851" in result.stderr
