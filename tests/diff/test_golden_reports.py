"""Golden plans in all four formats, for hand-made cases and for the real samples.

Regenerate with HOPPER_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from diff_builders import all_cases

from hopper.diff import diff_models
from hopper.findings.types import Plan
from hopper.report import render_plan
from support import GOLDEN, SAMPLES, assert_golden

FILES = {"text": "plan.txt", "markdown": "plan.md", "json": "plan.json", "github": "annotations.txt"}
HERE = GOLDEN / "diff"


def check_plan(case: str, plan: Plan) -> None:
    for fmt, name in FILES.items():
        assert_golden(HERE / case / name, render_plan(plan, fmt, color=False))


@pytest.mark.parametrize("case", sorted(all_cases()))
def test_handmade_cases(case: str) -> None:
    check_plan(case, diff_models(*all_cases()[case]))


def _convert_and_read_back(source: Path, to: str, tmp: Path) -> tuple[object, object]:
    from hopper import api, output

    result = api.convert(source, to)
    output.write_tree(tmp, result.files, force=True)
    return result.source, api.load(tmp, fmt=to).model


def test_sample_compose_to_fly(tmp_path: Path) -> None:
    source, after = _convert_and_read_back(SAMPLES / "compose-webapp", "fly", tmp_path / "fly")
    check_plan("sample-compose-to-fly", diff_models(source, after))  # type: ignore[arg-type]


def test_sample_fly_to_compose(tmp_path: Path) -> None:
    from hopper import api, output

    fly = api.convert(SAMPLES / "compose-webapp", "fly")
    output.write_tree(tmp_path / "fly", fly.files, force=True)
    source, after = _convert_and_read_back(tmp_path / "fly", "compose", tmp_path / "compose")
    check_plan("sample-fly-to-compose", diff_models(source, after))  # type: ignore[arg-type]


def test_sample_clevercloud_to_fly(tmp_path: Path) -> None:
    sample = SAMPLES / "clevercloud-webapp"
    if not sample.is_dir():
        pytest.skip("samples/clevercloud-webapp has not landed yet")
    source, after = _convert_and_read_back(sample, "fly", tmp_path / "fly")
    check_plan("sample-clevercloud-to-fly", diff_models(source, after))  # type: ignore[arg-type]


def test_golden_json_plans_are_valid_against_the_schema() -> None:
    import jsonschema

    from hopper.report.json import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted(HERE.glob("*/plan.json"))
    assert len(files) >= len(all_cases())
    for path in files:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path}: {errors[0].message}"
