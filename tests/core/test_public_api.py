"""The public API as a library user calls it (``import hopper``): a plan for a conversion or
between two setups, rendered in every format the CLI offers, and the env var renames; each
equals what the CLI prints for the same input, because the CLI is a thin layer over them.
Library errors are exceptions: nothing is printed, nothing exits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import hopper
from support import SAMPLES, run_cli

PLAN_CASES = [("compose-webapp", "fly"), ("monorepo-webapp", "clevercloud"),
              ("clevercloud-webapp", "compose"), ("compose-webapp", "render")]


def _scanned() -> hopper.ReadOptions:
    # The CLI's defaults: the code scan on, interpolation from the process environment.
    return hopper.ReadOptions(scan_code=True, environ=dict(os.environ))


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in hopper.__all__:
        assert getattr(hopper, name) is not None, name
    for name in ("plan", "compare", "conversion_plan", "render_plan", "fails_on", "rewrite_env",
                 "Plan", "Finding", "diff_models", "RewriteResult", "apply_acks", "PLAN_FORMATS"):
        assert name in hopper.__all__, name
    # What the CLI's --format offers for a plan, the API renders.
    from hopper.cli_table import ReportFormat
    from hopper.report import FORMATS

    assert tuple(f.value for f in ReportFormat) == hopper.PLAN_FORMATS == FORMATS


@pytest.mark.parametrize(("sample", "target"), PLAN_CASES)
def test_the_dry_run_prints_the_plan_the_api_returns(sample: str, target: str) -> None:
    plan = hopper.plan(SAMPLES / sample, target, read_options=_scanned())
    assert isinstance(plan, hopper.Plan) and plan.findings
    for fmt in ("json", "markdown"):
        done = run_cli("convert", SAMPLES / sample, "--to", target, "--dry-run", "--format", fmt)
        assert done.code == 0, done.stderr
        assert done.stdout == hopper.render_plan(plan, fmt).rstrip("\n") + "\n"
    done = run_cli("convert", SAMPLES / sample, "--to", target, "--dry-run")
    listed = hopper.convert(SAMPLES / sample, target, read_options=_scanned()).files
    header = "Files hopper would write:\n" + "".join(f"  + {rel}\n" for rel in sorted(listed))
    assert done.stdout == header + hopper.render_plan(plan, "text").rstrip("\n") + "\n"


def test_the_api_plan_between_two_setups_is_what_diff_prints(tmp_path: Path) -> None:
    out = tmp_path / "fly"
    assert run_cli("-q", "convert", SAMPLES / "compose-webapp", "--to", "fly", "--out", out).code == 0
    plan = hopper.plan(SAMPLES / "compose-webapp", out, read_options=_scanned())
    assert not plan.source_notes  # the CLI names their files as typed; none here
    for fmt in ("text", "json", "markdown"):
        done = run_cli("diff", SAMPLES / "compose-webapp", out, "--format", fmt)
        assert done.code == 0, done.stderr
        assert done.stdout == hopper.render_plan(plan, fmt).rstrip("\n") + "\n"
    # A setup compared with what converting it writes: the same plan as the dry run's.
    assert plan == hopper.plan(SAMPLES / "compose-webapp", "fly", read_options=_scanned())
    # The steps plan() takes, for a caller that already read both sides.
    before = hopper.load(SAMPLES / "compose-webapp", options=_scanned())
    after = hopper.load(out, options=_scanned())
    assert hopper.compare(before, after) == plan
    converted = hopper.convert(SAMPLES / "compose-webapp", "fly", read_options=_scanned())
    assert hopper.conversion_plan(converted, "fly", scan_code=True) == plan
    assert hopper.diff_models(before.model, after.model).findings == plan.findings


def test_a_plan_carries_the_diagnostics_of_its_reads_and_write(tmp_path: Path) -> None:
    """A library user gets what the CLI prints on stderr from the plan itself, without calling
    convert or load again: the conversion's (read and write), or both setups' reads."""
    converted = hopper.convert(SAMPLES / "clevercloud-webapp", "fly", read_options=_scanned())
    plan = hopper.plan(SAMPLES / "clevercloud-webapp", "fly", read_options=_scanned())
    assert isinstance(plan, hopper.Plan)
    assert plan.diagnostics == converted.diagnostics
    assert {d.severity for d in plan.diagnostics} >= {hopper.Severity.WARNING}
    # The write's own diagnostics are there, not only the read's.
    read = hopper.load(SAMPLES / "clevercloud-webapp", options=_scanned())
    assert len(plan.diagnostics) > len(read.diagnostics)
    assert plan.diagnostics[:len(read.diagnostics)] == read.diagnostics
    # Between two setups: BEFORE's diagnostics, then AFTER's.
    out = tmp_path / "fly"
    assert run_cli("-q", "convert", SAMPLES / "clevercloud-webapp", "--to", "fly", "--out", out).code == 0
    between = hopper.plan(SAMPLES / "clevercloud-webapp", out, read_options=_scanned())
    after = hopper.load(out, options=_scanned())
    assert between.diagnostics == read.diagnostics + after.diagnostics
    # Acknowledging findings keeps them; they are not part of a plan's equality.
    ack = tmp_path / "hopper.ack.yaml"
    ack.write_text("acknowledgements: []\n", encoding="utf-8")
    acked = hopper.plan(SAMPLES / "clevercloud-webapp", "fly", read_options=_scanned(), acks=ack)
    assert acked.diagnostics == plan.diagnostics
    from dataclasses import replace

    assert replace(plan, diagnostics=()) == plan


def test_every_plan_format_renders() -> None:
    plan = hopper.plan(SAMPLES / "clevercloud-webapp", "fly")
    rendered = {fmt: hopper.render_plan(plan, fmt) for fmt in hopper.PLAN_FORMATS}
    assert json.loads(rendered["json"])["format_version"]
    assert json.loads(rendered["sarif"])["runs"][0]["results"]
    assert rendered["github"].startswith("::")
    assert rendered["markdown"].lstrip().startswith("#")
    assert "\x1b[" in hopper.render_plan(plan, "text", color=True)
    assert "\x1b[" not in rendered["text"]


def test_acknowledgements_and_fail_on(tmp_path: Path) -> None:
    plan = hopper.plan(SAMPLES / "compose-webapp", "fly")
    warning = next(f for f in plan.findings if f.severity == "warning")
    assert hopper.fails_on(plan, "warning")
    ack = tmp_path / "hopper.ack.yaml"
    ack.write_text("acknowledgements:\n" + "".join(
        f"  - code: {f.code}\n    service: '{f.subject}'\n    reason: reviewed\n"
        for f in plan.findings if f.severity != "info"), encoding="utf-8")
    acked = hopper.plan(SAMPLES / "compose-webapp", "fly", acks=ack)
    assert next(f for f in acked.findings if f.code == warning.code and f.subject == warning.subject).acknowledged
    assert not hopper.fails_on(acked, "warning")


def test_rewrite_env_is_what_the_cli_prints() -> None:
    result = hopper.rewrite_env(SAMPLES / "compose-webapp", "fly")
    assert isinstance(result, hopper.RewriteResult) and result.diff and not result.written
    done = run_cli("rewrite-env", SAMPLES / "compose-webapp", "--to", "fly")
    assert done.code == 0, done.stderr
    assert done.stdout == result.diff.rstrip("\n") + "\n"


def test_the_summary_and_the_diagram_are_what_inspect_prints() -> None:
    read = hopper.load(SAMPLES / "compose-webapp", options=hopper.ReadOptions(environ=dict(os.environ)))
    done = run_cli("inspect", SAMPLES / "compose-webapp")  # inspect scans no code by default
    assert done.stdout == hopper.render_summary(read).rstrip("\n") + "\n"
    done = run_cli("inspect", SAMPLES / "compose-webapp", "--format", "mermaid")
    assert done.stdout == hopper.render_mermaid(read.model).rstrip("\n") + "\n"


def test_library_errors_are_exceptions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(hopper.InputError) as missing:
        hopper.plan(tmp_path / "nothing-here", "fly")
    assert missing.value.code == "HOP001"
    plan = hopper.plan(SAMPLES / "compose-webapp", "fly")
    with pytest.raises(hopper.HopperError) as unknown:
        hopper.render_plan(plan, "xml")
    assert unknown.value.code == "HOP853"
    with pytest.raises(hopper.UnsupportedError):  # the sample converts with warnings
        hopper.plan(SAMPLES / "compose-webapp", "fly", strict=True)
    with pytest.raises(ValueError, match="target_fmt"):
        hopper.plan(SAMPLES / "compose-webapp", "fly", target_fmt="fly")
    with pytest.raises(ValueError, match="write_options"):
        hopper.plan(SAMPLES / "compose-webapp", tmp_path, write_options=hopper.WriteOptions())
    assert capsys.readouterr() == ("", "")  # the library printed nothing
