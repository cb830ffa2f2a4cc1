"""A plain, non-editable install carries everything hopper reads at run time: the mappings
tables, the templates, the plan schema and the typing marker."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from support import ROOT


def test_wheel_contains_runtime_data(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("hopper_migrate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in sorted((ROOT / "mappings").glob("*.toml")):
        assert f"hopper/mappings/{table.name}" in names, table.name
    for template in sorted((ROOT / "src" / "hopper" / "templates").rglob("*.j2")):
        rel = template.relative_to(ROOT / "src").as_posix()
        assert rel in names, rel
    assert "hopper/schemas/plan.schema.json" in names
    assert "hopper/py.typed" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hopper = hopper.__main__:main" in zipfile.ZipFile(wheel).read(entry).decode()
