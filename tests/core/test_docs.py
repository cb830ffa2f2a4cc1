"""Docs land with the feature: the CLI reference is generated and every diagnostic code is listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import ROOT


def test_cli_reference_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "typer", "hopper.cli_typer", "utils", "docs", "--name", "hopper",
                    "--title", "hopper command-line reference", "--output", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, "docs/cli.md is stale: run scripts/gen-cli-docs"


def _import_everything() -> None:
    import importlib
    import pkgutil

    import hopper

    for info in pkgutil.walk_packages(hopper.__path__, "hopper."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


def test_every_diagnostic_code_is_documented() -> None:
    from hopper.diagnostics import CODES

    _import_everything()
    docs = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))
    missing = sorted(code for code in CODES if code not in docs)
    assert not missing, f"diagnostic codes with no entry in docs/: {missing}"
