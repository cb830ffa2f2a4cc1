"""rewrite-env on the Clever Cloud sample: the patch renames the reads Fly provides under other
names, leaves the bare-host CELLAR_ADDON_HOST alone (with a warning), applies cleanly, and the
patched API still parses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support import SAMPLES, run_cli


def test_patch_for_the_clever_sample_applies_and_parses(tmp_path: Path) -> None:
    project = shutil.copytree(SAMPLES / "clevercloud-webapp", tmp_path / "project")
    result = run_cli("rewrite-env", project, "--to", "fly")
    assert result.code == 0, result.stderr
    diff = result.stdout
    for old, new in (("POSTGRESQL_ADDON_URI", "DATABASE_URL"), ("CELLAR_ADDON_KEY_ID", "AWS_ACCESS_KEY_ID"),
                     ("CELLAR_ADDON_KEY_SECRET", "AWS_SECRET_ACCESS_KEY"), ("CELLAR_BUCKET", "BUCKET_NAME")):
        assert f"-    {old}: process.env.{old}," in diff or f"process.env.{old} }}" in diff, old
        assert f"process.env.{new}" in diff, new
    assert "process.env.AWS_ENDPOINT_URL_S3" not in diff
    assert "CELLAR_ADDON_HOST" in result.stderr and "[HOP603]" in result.stderr
    patch = tmp_path / "fly.diff"
    patch.write_text(diff, encoding="utf-8")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply", str(patch)], cwd=project, check=True)
    server = (project / "api" / "server.js").read_text(encoding="utf-8")
    assert "process.env.DATABASE_URL" in server and "process.env.POSTGRESQL_ADDON_URI" not in server
    node = shutil.which("node")
    if node is not None:
        subprocess.run([node, "--check", str(project / "api" / "server.js")], check=True)
