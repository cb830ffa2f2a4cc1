"""clever-setup.sh --apply against a stand-in for the clever CLI that keeps Clever's state.

The script must complete in one run (values that exist only once an add-on does are read from
it, paid plans are confirmed), and a second run must change nothing and duplicate nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hopper import api
from hopper.formats.base import WriteOptions
from hopper.formats.clevercloud.writer import write
from hopper.model import Architecture, Binding, Build, Role, Runtime, Service
from support import CANARY, SAMPLES

HERE = Path(__file__).parent
pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


def _materialise(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


def _stand_in(folder: Path) -> dict[str, str]:
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "clever"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'fake_clever.py'} \"$@\"\n",
                    encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "FAKE_CLEVER_LOG": str(folder / "calls.log"),
            "FAKE_CLEVER_STATE": str(folder / "state.json")}


def _fill_env_files(out: Path) -> None:
    for example in sorted((out / "clever-env").glob("*.env.example")):
        text = example.read_text(encoding="utf-8")
        lines = [f'{line.split("=", 1)[0]}="{CANARY}"' if line.endswith('=""') else line
                 for line in text.splitlines()]
        example.with_suffix("").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _apply_twice(files: dict[str, str], tmp_path: Path) -> tuple[dict[str, object], dict[str, object], list[list[str]]]:
    out = _materialise(files, tmp_path / "repo")
    _fill_env_files(out)
    env = _stand_in(tmp_path)
    states = []
    for _ in range(2):
        proc = subprocess.run(["bash", "clever-setup.sh", "--apply"], cwd=out, capture_output=True,
                              text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert CANARY not in proc.stdout + proc.stderr
        state = json.loads((tmp_path / "state.json").read_text())
        state["apps"] = json.loads((out / ".clever.json").read_text())["apps"]
        states.append(state)
    calls = [json.loads(line) for line in (tmp_path / "calls.log").read_text().splitlines()]
    return states[0], states[1], calls


def _redis_arch() -> Architecture:
    api_svc = Service(name="api", role=Role.API, public=True,
                      build=Build(runtime="node", start_command="node server.js"),
                      runtime=Runtime(port=8080, env={"NODE_ENV": "production"},
                                      secret_env=("SESSION_SECRET",)),
                      bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri",
                                        secret=True),
                                Binding(variable="CACHE_URL", resource="cache", attribute="url"),
                                Binding(variable="S3_ENDPOINT", resource="media",
                                        attribute="endpoint")),
                      depends_on=("cache",))
    cache = Service(name="cache", image="redis:7-alpine", runtime=Runtime(port=6379))
    from hopper.model import Bucket, Database, ObjectStore
    return Architecture(name="shop", services=(api_svc, cache), databases=(Database(name="db"),),
                        object_stores=(ObjectStore(name="media", buckets=(Bucket(name="media"),)),))


def test_apply_twice_completes_and_duplicates_nothing(tmp_path: Path) -> None:
    files = dict(write(_redis_arch(), WriteOptions()).files)
    first, second, calls = _apply_twice(files, tmp_path)
    assert first == second  # the second run changed nothing
    assert [a["alias"] for a in first["apps"]] == ["api"]  # type: ignore[index]
    names = [a["name"] for a in first["addons"]]  # type: ignore[index]
    assert sorted(names) == ["shop-cache", "shop-db", "shop-media"]  # one each, never two
    env = first["env"]["api"]  # type: ignore[index]
    # Values that exist only once the add-ons do were read from them, in the same run.
    assert env["DATABASE_URL"].startswith("postgresql://uxyz:")
    assert env["CACHE_URL"].startswith("redis://:redis-pass-1@")
    assert env["S3_ENDPOINT"] == "https://cellar-c2.services.clever-cloud.com"
    assert env["SESSION_SECRET"] == CANARY
    # No value, secret or add-on-made, ever reached a command line.
    for argv in calls:
        assert not any(CANARY in a or "pg-pass-1" in a or "redis-pass-1" in a for a in argv), argv
    # The paid plans were confirmed (the stand-in stops without --yes, like the real prompt).
    creates = [argv for argv in calls if argv[:2] == ["addon", "create"]]
    assert len(creates) == 3 and all("--yes" in argv for argv in creates)


@pytest.mark.parametrize("sample", ["clevercloud-webapp", "compose-webapp", "monorepo-webapp"])
def test_samples_apply_twice(sample: str, tmp_path: Path) -> None:
    model = api.load(SAMPLES / sample).model
    files = dict(write(model, WriteOptions()).files)
    first, second, _calls = _apply_twice(files, tmp_path)
    assert first == second
    assert len({a["alias"] for a in first["apps"]}) == len(first["apps"])  # type: ignore[union-attr]
    assert len({a["name"] for a in first["addons"]}) == len(first["addons"])  # type: ignore[union-attr]


def test_dry_run_lists_the_derived_values_and_needs_no_jq(tmp_path: Path) -> None:
    out = _materialise(dict(write(_redis_arch(), WriteOptions()).files), tmp_path)
    proc = subprocess.run(["bash", "clever-setup.sh"], cwd=out, capture_output=True, text=True,
                          env={**os.environ, "PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "clever env import-vars DATABASE_URL --alias api  # DATABASE_URL=$POSTGRESQL_ADDON_URI" in proc.stdout
    assert "about EUR 5.00/month" in proc.stdout  # the cost is said before --yes answers it
    example = (out / "clever-env" / "api.env.example").read_text()
    assert 'DATABASE_URL=""' not in example and "set by clever-setup.sh" in example
