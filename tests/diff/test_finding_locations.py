"""Plan findings point at the key they are about (issue 16): `auto_stop_machines` for HD201,
`force_https` for HD406, the `[env]` entry for an env finding, `deploy.replicas` in compose,
`min_instance_count` in Terraform — line and column — in every plan format."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hopper import native
from hopper.api import load
from hopper.findings.points import FILE_LEVEL, POINTS
from hopper.findings.table import SPECS
from hopper.formats import format_names, get_format
from support import SAMPLES, run_cli

COMPOSE = """\
services:
  api:
    image: ghcr.io/example/api:1.2.0
    ports:
      - "8080:8080"
    environment:
      LOG_LEVEL: info
      FEATURE_X: "on"
    deploy:
      replicas: 2
      resources:
        limits:
          memory: 1024M
"""

# Indented keys, so a column other than 1 proves the column is the key's own.
FLY = """\
app = "api"
primary_region = "cdg"

[build]
  image = "ghcr.io/example/api:1.2.0"

[env]
  LOG_LEVEL = "debug"
  FEATURE_X = "on"

[http_service]
  internal_port = 8080
  force_https = true
  auto_stop_machines = "stop"
  min_machines_running = 0

[[vm]]
  memory = "512mb"
  cpus = 1
"""

TERRAFORM = """\
resource "clevercloud_docker" "api" {
  name               = "api"
  region             = "par"
  min_instance_count = 2
  max_instance_count = 2
  smallest_flavor    = "S"
  biggest_flavor     = "S"
  redirect_https     = false

  environment = {
    LOG_LEVEL = "info"
    FEATURE_X = "on"
  }
}
"""


@pytest.fixture
def setups(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, file, text in (("compose", "compose.yaml", COMPOSE), ("fly", "fly.toml", FLY),
                             ("clever", "main.tf", TERRAFORM)):
        (tmp_path / name).mkdir()
        (tmp_path / name / file).write_text(text, encoding="utf-8")
        out[name] = tmp_path / name
    return out


def _findings(before: Path, after: Path, fmt: str = "json") -> Any:
    done = run_cli("diff", before, after, "--format", fmt)
    assert done.code in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"] if fmt == "json" else done.stdout


def _at(findings: list[dict[str, Any]], code: str, side: str) -> tuple[str, int, int | None]:
    found = next(f for f in findings if f["code"] == code)
    loc = found[f"evidence_{side}"]
    return loc["file"], loc["line"], loc["col"]


def test_fly_findings_point_at_their_fly_toml_keys(setups: dict[str, Path]) -> None:
    findings = _findings(setups["compose"], setups["fly"])
    assert _at(findings, "HD201", "after") == ("fly.toml", 14, 3)  # auto_stop_machines
    assert _at(findings, "HD406", "after") == ("fly.toml", 13, 3)  # force_https
    assert _at(findings, "HD301", "after") == ("fly.toml", 7, 1)  # [env]
    assert _at(findings, "HD309", "after") == ("fly.toml", 8, 3)  # LOG_LEVEL under [env]
    assert _at(findings, "HD208", "after") == ("fly.toml", 18, 3)  # [[vm]] memory


def test_compose_findings_point_at_their_compose_keys(setups: dict[str, Path]) -> None:
    findings = _findings(setups["compose"], setups["fly"])
    assert _at(findings, "HD206", "before") == ("compose.yaml", 10, 7)  # deploy.replicas
    assert _at(findings, "HD208", "before") == ("compose.yaml", 13, 11)  # limits.memory
    assert _at(findings, "HD309", "before") == ("compose.yaml", 7, 7)  # environment.LOG_LEVEL
    assert _at(findings, "HD301", "before") == ("compose.yaml", 6, 5)  # environment
    assert _at(findings, "HD411", "before") == ("compose.yaml", 4, 5)  # ports: it is public


def test_clever_findings_point_at_their_terraform_attributes(setups: dict[str, Path]) -> None:
    findings = _findings(setups["clever"], setups["fly"])
    assert _at(findings, "HD206", "before") == ("main.tf", 4, 3)  # min_instance_count
    assert _at(findings, "HD208", "before") == ("main.tf", 6, 3)  # smallest_flavor
    assert _at(findings, "HD406", "before") == ("main.tf", 8, 3)  # redirect_https
    assert _at(findings, "HD309", "before") == ("main.tf", 11, 5)  # environment.LOG_LEVEL
    assert _at(findings, "HD101", "before") == ("main.tf", 3, 3)  # region


def test_clever_env_file_line_is_the_location(tmp_path: Path) -> None:
    """A Clever setting read from an env file (CC_PRE_RUN_HOOK) points at its line there."""
    (tmp_path / ".env").write_text("LOG_LEVEL=info\nCC_PRE_RUN_HOOK=node warm.js\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "api", "scripts": {"start": "node s.js"}}\n',
                                           encoding="utf-8")
    done = run_cli("convert", tmp_path, "--from", "clevercloud", "--to", "fly", "--dry-run",
                   "--format", "json")
    assert done.code == 0, done.stderr
    found = next(f for f in json.loads(done.stdout)["findings"] if f["code"] == "HD423")
    assert (found["evidence_before"]["file"], found["evidence_before"]["line"]) == (".env", 2)
    assert found["evidence_after"]["key"] == "deploy.release_command"


def test_clever_export_findings_point_at_their_json_keys(tmp_path: Path) -> None:
    """The export bundle (JSON from the Clever CLI): each finding points at its key's line and
    column, found again in the file's text."""
    export = SAMPLES / "clevercloud-webapp" / "export"
    done = run_cli("convert", export, "--to", "fly", "--out", tmp_path / "fly")
    assert done.code == 0, done.stderr
    findings = _findings(export, tmp_path / "fly")
    for code, file, text in (("HD205", "apps/api/status.json", '"min": 1'),  # horizontal min
                             ("HD207", "apps/api/status.json", '"min": "XS"'),  # vertical min
                             ("HD301", "apps/api/env.json", '"env"'),
                             ("HD424", "addons.json", '"region": "par"'),
                             ("HD605", "addons.json", '"planSlug"'),
                             ("HD403", "apps/api/domain.json", '"domain": "webapp.example.org"')):
        got_file, line, col = _at(findings, code, "before")
        assert got_file == file, code
        assert col is not None
        written = (export / file).read_text(encoding="utf-8").splitlines()[line - 1]
        assert written[col - 1:].startswith(text), (code, written, col)


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_every_plan_format_carries_line_and_column(setups: dict[str, Path], fmt: str) -> None:
    out = _findings(setups["compose"], setups["fly"], fmt)
    expected = {"text": "after fly.toml:14:3", "markdown": "fly.toml:14:3",
                "github": "file=fly.toml,line=14,col=3,title=HD201"}[fmt]
    assert expected in out


# ------------------------------------------------------------------ every code, every sample


def test_every_code_says_where_it_points() -> None:
    assert set(POINTS) | set(FILE_LEVEL) == set(SPECS)
    assert not set(POINTS) & set(FILE_LEVEL)
    declared = {path for name in format_names()
                if (keys := get_format(name).platform.plan_keys) is not None for path in keys()}
    assert {p for paths in POINTS.values() for p in paths} <= declared


# The user's key for each model field, in the three formats (the last part of a dotted key).
FIELD_KEYS = {
    "scaling.autostop": {"auto_stop_machines", "autostop"},
    "scaling.min_running": {"min_machines_running", "min_running"},
    "scaling.min_instances": {"min_instance_count", "replicas", "min_instances", "scale"},
    "scaling.max_instances": {"max_instance_count", "replicas", "max_instances", "scale"},
    "scaling.memory_mb": {"memory", "smallest_flavor", "size"},
    "force_https": {"force_https", "redirect_https"},
    "runtime.port": {"internal_port", "ports", "container_port", "port", "expose"},
    "runtime.release_command": {"release_command", "pre_run", "CC_PRE_RUN_HOOK"},
}


def _block(lines: list[str], file: str, subject: str) -> range:
    """The lines of ``subject``'s block: its compose service, its Terraform resource, or the
    whole file (one fly.toml per app)."""
    if file.endswith((".yaml", ".yml")):
        start = next((i for i, t in enumerate(lines) if re.match(rf"  {re.escape(subject)}:\s*$", t)), None)
        if start is None:
            return range(0)
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"  \S", lines[i])), len(lines))
        return range(start, end)
    if file.endswith(".tf"):
        start = next((i for i, t in enumerate(lines) if re.match(rf'resource "\w+" "{re.escape(subject)}"', t)), None)
        if start is None:
            return range(0)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("}")), len(lines))
        return range(start, end + 1)
    return range(len(lines))


def _sample_plans(tmp_path: Path) -> list[tuple[Path, Path, dict[str, Any]]]:
    out = []
    for sample in ("compose-webapp", "clevercloud-webapp", "monorepo-webapp"):
        for target in ("fly", "compose", "clevercloud"):
            written = tmp_path / f"{sample}-{target}"
            done = run_cli("convert", SAMPLES / sample, "--to", target, "--out", written)
            assert done.code == 0, done.stderr
            done = run_cli("diff", SAMPLES / sample, written, "--format", "json")
            assert done.code in (0, 1), done.stderr
            for finding in json.loads(done.stdout)["findings"]:
                out.append((SAMPLES / sample, written, finding))
    return out


def test_sample_findings_point_at_the_key_when_the_key_exists(tmp_path: Path) -> None:
    checked = 0
    for before_root, after_root, f in _sample_plans(tmp_path):
        for side, root in (("before", before_root), ("after", after_root)):
            loc = f[f"evidence_{side}"]
            if loc is None or f["code"] in FILE_LEVEL:
                continue
            path = root / loc["file"]
            if not path.is_file() or path.suffix == ".json":
                continue  # a Clever export: JSON keys without lines
            lines = path.read_text(encoding="utf-8").splitlines()
            assert loc["line"] is not None, (f["code"], side, loc)
            wanted = set().union(*(FIELD_KEYS.get(p, set()) for p in POINTS[f["code"]]))
            if not wanted:
                continue
            present = [i + 1 for i in _block(lines, loc["file"], f["subject"])
                       if re.match(rf"\s*-?\s*\"?({'|'.join(map(re.escape, sorted(wanted)))})\"?\s*[:=]",
                                   lines[i])]
            if present:
                checked += 1
                assert loc["line"] in present, (f["code"], f["subject"], side, loc, present)
            else:
                # Not written in the file: the finding points at the service's block, never at
                # line 1 of a file that does not start with it.
                assert loc["line"] != 1 or f["subject"] in lines[0] or "app" in lines[0], (f["code"], side, loc)
    assert checked >= 10


# ------------------------------------------------------------------ the model field


def test_key_origins_are_provenance_out_of_equality_and_of_the_plain_dump(setups: dict[str, Path]) -> None:
    model = load(setups["fly"], fmt="fly").model
    api = model.services[0]
    assert api.scaling.key_origins["autostop"].line == 14
    assert api.runtime.key_origins["env.LOG_LEVEL"].line == 8
    moved = replace(api, key_origins={}, scaling=replace(api.scaling, key_origins={}))
    assert moved == api and hash(moved.scaling) == hash(api.scaling)
    assert "key_origins" not in native.dump(model, "json")
    with_origin = native.dump(model, "json", with_origin=True)
    assert '"key_origins"' in with_origin
    back = native.load(with_origin)
    assert back == model
    assert back.services[0].scaling.key_origins["autostop"].line == 14
