"""Issue 9's promise, end to end: the plan names, with file and line, every platform-specific
variable the Clever sample's API reads, and what becomes of it on Fly."""

from __future__ import annotations

import re
from pathlib import Path

from support import SAMPLES, run_cli


def test_plan_names_each_variable_the_api_reads_with_file_and_line(tmp_path: Path) -> None:
    out = tmp_path / "fly"
    assert run_cli("convert", SAMPLES / "clevercloud-webapp", "--to", "fly", "--out", out).code == 0
    result = run_cli("diff", "--scan-code", SAMPLES / "clevercloud-webapp", out)
    assert result.code == 0, result.stderr
    source = (SAMPLES / "clevercloud-webapp" / "api" / "server.js").read_text(encoding="utf-8")
    expected = {
        "POSTGRESQL_ADDON_URI": "DATABASE_URL",
        "CELLAR_ADDON_KEY_ID": "AWS_ACCESS_KEY_ID",
        "CELLAR_ADDON_KEY_SECRET": "AWS_SECRET_ACCESS_KEY",
        "CELLAR_BUCKET": "BUCKET_NAME",
        "CELLAR_ADDON_HOST": "AWS_ENDPOINT_URL_S3",
    }
    for name, fly_name in expected.items():
        line = next(i for i, text in enumerate(source.splitlines(), 1) if f"process.env.{name}" in text)
        pattern = rf"The code reads {name} \(api/server\.js:{line}\); on the target the same value arrives as {fly_name}"
        assert re.search(pattern, result.stdout), f"{name} not reported with its file and line"
