"""clevercloud/cron.json becomes the model's schedules, and is written back from them."""

from __future__ import annotations

import json
from pathlib import Path

from hopper import cron, native
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.clevercloud.reader import read
from hopper.formats.clevercloud.writer import write
from support import CORPUS

ZLV = CORPUS / "clevercloud" / "MTES-MCT__zero-logement-vacant"


def _hints_project(tmp_path: Path, lines: list[str]) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"name": "api", "scripts": {"start": "node ."}}))
    (tmp_path / "clevercloud").mkdir()
    (tmp_path / "clevercloud" / "cron.json").write_text(json.dumps(lines))
    return tmp_path


def test_cron_json_lines_become_schedules_of_the_app_that_runs_code(tmp_path: Path) -> None:
    project = _hints_project(tmp_path, ["0 4 * * * $ROOT/jobs/sync.sh --all", "@hourly $ROOT/tick.sh"])
    result = read(project, ReadOptions())
    jobs = result.model.schedules
    assert [(j.name, j.cron, j.command, j.service) for j in jobs] == [
        ("api-cron-1", "0 4 * * *", "$ROOT/jobs/sync.sh --all", "api"),
        ("api-cron-2", "@hourly", "$ROOT/tick.sh", "api"),
    ]
    assert not [d for d in result.diagnostics if d.code == "HOP420"]
    assert native.load(native.dump(result.model)) == result.model


def test_an_entry_that_is_not_a_schedule_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    project = _hints_project(tmp_path, ["reboot.sh", "*/5 * * * * $ROOT/poll.sh"])
    result = read(project, ReadOptions())
    assert [j.command for j in result.model.schedules] == ["$ROOT/poll.sh"]
    bad = [d for d in result.diagnostics if d.code == "HOP420"]
    assert len(bad) == 1 and "entry 1 ('reboot.sh')" in bad[0].message
    assert bad[0].location is not None and bad[0].location.file == "clevercloud/cron.json"


def test_corpus_terraform_reads_the_repository_cron_json() -> None:
    model = read(ZLV, ReadOptions()).model
    assert [(j.cron, j.service) for j in model.schedules] == [("0 4 * * *", "api"), ("0 3 1 * *", "api")]


def test_clever_writer_writes_cron_json_from_the_schedules(tmp_path: Path) -> None:
    lines = ["0 4 * * * $ROOT/jobs/sync.sh", "30 2 1 * * $ROOT/monthly.sh"]
    model = read(_hints_project(tmp_path, lines), ReadOptions()).model
    files = write(model, WriteOptions()).files
    assert json.loads(files["clevercloud/cron.json"]) == lines


def test_coarse_intervals_are_only_the_four_fly_offers() -> None:
    assert cron.coarse_interval("0 * * * *") == "hourly"
    assert cron.coarse_interval("15 3 * * *") == "daily"
    assert cron.coarse_interval("0 9 * * 1") == "weekly"
    assert cron.coarse_interval("0 3 1 * *") == "monthly"
    assert cron.coarse_interval("@daily") == "daily"
    for finer in ("*/15 * * * *", "0 10,13,15 * * *", "0 7-18 * * 1-5", "0 0 1 1 *"):
        assert cron.coarse_interval(finer) is None
    assert cron.split_line("@reboot start.sh") is None
    assert cron.split_line("0 4 * * *") is None


def test_compose_writer_reports_the_schedules_it_cannot_write(tmp_path: Path) -> None:
    from hopper.formats.compose.writer import write as write_compose  # noqa: PLC0415

    model = read(_hints_project(tmp_path, ["0 4 * * * $ROOT/jobs/sync.sh"]), ReadOptions()).model
    result = write_compose(model, WriteOptions())
    found = [d for d in result.diagnostics if d.code == "HOP722"]
    assert len(found) == 1 and "'0 4 * * * $ROOT/jobs/sync.sh'" in found[0].message
