"""Issue 14 class 7: a Redis service is a private TCP app on Fly by default, or Upstash Redis with
``convert --redis upstash``: fly-setup.sh creates it (``flyctl redis create`` prints its URL and
sets no secret) and the apps' Redis URL becomes a secret the user sets before the deploy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fly_writer_tools import SHELLCHECK, materialise

from hopper import api
from hopper.diagnostics import InputError
from hopper.diff import diff_models
from hopper.formats.base import WriteOptions
from support import run_cli

COMPOSE = """\
services:
  api:
    build: ./api
    ports: ["3000:3000"]
    environment:
      REDIS_URL: redis://cache:6379/0
  cache:
    image: redis:7
    command: redis-server --requirepass ${REDIS_PASSWORD}
"""


def _project(tmp_path: Path) -> Path:
    return materialise({"compose.yaml": COMPOSE,
                        "api/package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n',
                        "api/Dockerfile": 'FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n'},
                       tmp_path / "shop")


def _convert(tmp_path: Path, redis: str | None) -> api.ConvertResult:
    return api.convert(_project(tmp_path), to="fly", write_options=WriteOptions(redis=redis))


def test_default_is_a_private_tcp_app(tmp_path: Path) -> None:
    files = dict(_convert(tmp_path, None).files)
    assert "cache/fly.toml" in files and "flyctl redis create" not in files["fly-setup.sh"]
    assert 'REDIS_URL = "redis://shop-cache.flycast:6379/0"' in files["api/fly.toml"]
    assert dict(_convert(tmp_path / "b", "app").files) == files


def test_upstash_is_created_and_its_url_is_a_secret(tmp_path: Path) -> None:
    result = _convert(tmp_path, "upstash")
    files = dict(result.files)
    assert not any(rel.startswith("cache/") for rel in files)
    assert not any("cache" in rel for rel in files if rel.startswith(".github/"))
    setup = files["fly-setup.sh"]
    assert ('run flyctl redis create --name shop-cache --org "$ORG" --region "$REGION" --no-replicas '
            "--disable-eviction") in setup
    assert "stage_secrets shop-api api REDIS_URL" in setup
    assert "REDIS_URL" not in files["api/fly.toml"]  # no address of an app that does not exist
    assert "shop-cache.flycast" not in "".join(files.values())
    runbook = files["MIGRATION.md"]
    assert "Upstash Redis" in runbook and "`flyctl redis status shop-cache`" in runbook
    said = [d for d in result.diagnostics if d.code == "HOP389"]
    assert said and "REDIS_URL of 'shop-api'" in said[0].message
    # Nothing is said about an app that is not written.
    assert not any(d.code in ("HOP527", "HOP568", "HOP569") and "cache" in d.message for d in result.diagnostics)


def test_the_script_asks_for_the_url_and_deploys_nothing_without_it(tmp_path: Path) -> None:
    files = dict(_convert(tmp_path, "upstash").files)
    folder = materialise(files, tmp_path / "out")
    assert subprocess.run(["bash", "-n", str(folder / "fly-setup.sh")], check=False).returncode == 0
    if SHELLCHECK is not None:
        proc = subprocess.run([SHELLCHECK, "--norc", str(folder / "fly-setup.sh")], capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0, proc.stdout
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(["bash", "fly-setup.sh"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "+ flyctl redis create --name shop-cache" in done.stdout
    assert "set REDIS_URL of shop-api to the Redis URL shown above" in done.stderr
    assert "missing secret REDIS_URL for shop-api" in done.stderr


def test_the_plan_says_redis_became_upstash(tmp_path: Path) -> None:
    result = _convert(tmp_path, "upstash")
    after = api.load(materialise(dict(result.files), tmp_path / "out"), fmt="fly").model
    cache = after.service("cache")
    assert cache is not None and cache.extensions["fly"] == {"upstash": "shop-cache"}
    codes = {f.code for f in diff_models(result.source, after).findings}
    assert "HD419" in codes and "HD002" not in codes


def test_the_option_through_the_cli(tmp_path: Path) -> None:
    project = _project(tmp_path)
    done = run_cli("convert", project, "--to", "fly", "--redis", "upstash", "--out", tmp_path / "o")
    assert done.code == 0, done.stderr
    assert "flyctl redis create" in (tmp_path / "o" / "fly-setup.sh").read_text(encoding="utf-8")
    refused = run_cli("convert", project, "--to", "compose", "--redis", "upstash", "--out", tmp_path / "c")
    assert refused.code == 64 and "--redis (--to fly only)" in refused.stderr  # usage error
    with pytest.raises(InputError, match="HOP529"):
        _convert(tmp_path / "x", "memcached")


def test_compose_target_keeps_the_redis_url(tmp_path: Path) -> None:
    """The compose writer wrote REDIS_URL as http://cache:80 (a service's default URL)."""
    import yaml  # noqa: PLC0415

    files = dict(api.convert(_project(tmp_path), to="compose").files)
    env = yaml.safe_load(files["compose.yaml"])["services"]["api"]["environment"]
    assert env["REDIS_URL"] == "redis://cache:6379/0"
