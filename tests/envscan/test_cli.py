"""rewrite-env and --scan-code through the CLI and hopper.api.load, on a compose project."""

from __future__ import annotations

from pathlib import Path

from hopper.api import load
from hopper.formats.base import ReadOptions
from support import run_cli

COMPOSE = """\
services:
  api:
    build: ./api
    environment:
      POSTGRESQL_ADDON_URI: postgres://app:app@db:5432/app
  worker:
    build: ./worker
    environment:
      POSTGRESQL_ADDON_URI: postgres://app:app@db:5432/app
  db:
    image: postgres:16
"""


def _project(shop_copy: Path) -> Path:
    (shop_copy / "compose.yaml").write_text(COMPOSE)
    return shop_copy


def test_cli_shows_the_diff_and_changes_nothing(shop_copy: Path) -> None:
    root = _project(shop_copy)
    before = (root / "worker" / "worker" / "db.py").read_bytes()
    result = run_cli("rewrite-env", root, "--to", "fly")
    assert result.code == 0, result.stderr
    assert '-DSN = os.environ["POSTGRESQL_ADDON_URI"]' in result.stdout
    assert '+DSN = os.environ["DATABASE_URL"]' in result.stdout
    assert "+const connectionString = process.env.DATABASE_URL;" in result.stdout
    assert (root / "worker" / "worker" / "db.py").read_bytes() == before
    assert str(root) not in result.stdout


def test_cli_write_edits_python_only(shop_copy: Path) -> None:
    root = _project(shop_copy)
    ts_before = (root / "api" / "src" / "db.ts").read_bytes()
    result = run_cli("rewrite-env", root, "--to", "fly", "--write")
    assert result.code == 0, result.stderr
    assert 'os.environ["DATABASE_URL"]' in (root / "worker" / "worker" / "db.py").read_text()
    assert (root / "api" / "src" / "db.ts").read_bytes() == ts_before


def test_load_with_scan_code_fills_env_reads(shop_copy: Path) -> None:
    root = _project(shop_copy)
    model = load(root, options=ReadOptions(scan_code=True)).model
    api = model.service("api")
    assert api is not None
    assert ("POSTGRESQL_ADDON_URI", "api/src/db.ts", 5) in {(r.name, r.file, r.line) for r in api.env_reads}
    plain = load(root).model.service("api")
    assert plain is not None and plain.env_reads == ()
