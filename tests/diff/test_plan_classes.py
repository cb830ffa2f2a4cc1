"""The plan shows issue 14's behaviour changes as findings, each on a small input converted for
real (`convert --dry-run --format json`): how the front reaches the API (class 1), when the
release command runs (class 3), where the database goes (class 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import SAMPLES, run_cli

CLEVER_HDS = """\
resource "clevercloud_postgresql" "db" {
  name   = "shop-db"
  plan   = "xxs_sml"
  region = "parhds"
}

resource "clevercloud_nodejs" "api" {
  name               = "shop-api"
  region             = "parhds"
  min_instance_count = 1
  max_instance_count = 1
  smallest_flavor    = "XS"
  biggest_flavor     = "XS"
  start_script       = "node server.js"
  dependencies       = [clevercloud_postgresql.db.id]

  hooks {
    pre_run = "node scripts/warm-cache.js"
  }
}
"""

FLY_RELEASE = """\
app = "shop-api"
primary_region = "fra"

[build]
image = "ghcr.io/example/shop-api:1.4.2"

[deploy]
release_command = "npx prisma migrate deploy"

[http_service]
internal_port = 8080
force_https = true
"""


COMPOSE_MIGRATE = """\
services:
  api:
    build: ./api
    ports:
      - "3000:3000"
    command: sh -c "npx prisma migrate deploy && node server.js"
    environment:
      DATABASE_URL: postgres://app:app@db:5432/app
    depends_on: [db]
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: app
"""


def _plan(source: Path, *args: str) -> list[dict[str, Any]]:
    done = run_cli("convert", source, "--dry-run", "--format", "json", *args)
    assert done.code == 0, done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return findings


def _one(findings: list[dict[str, Any]], code: str, subject: str) -> dict[str, Any]:
    found = [f for f in findings if f["code"] == code and f["subject"] == subject]
    assert len(found) == 1, [(f["code"], f["subject"]) for f in findings]
    return found[0]


# ----------------------------------------------------------------- class 1: front -> API


def test_clever_front_reached_the_api_by_its_public_domain_and_fly_by_flycast() -> None:
    found = _one(_plan(SAMPLES / "clevercloud-webapp", "--to", "fly"), "HD403", "api")
    assert found["before"] == "webapp.example.org/api (public; Clever Cloud's edge routes it)"
    assert found["after"] == "webapp-api.flycast (Flycast)"
    assert "starts a stopped one" in found["why"]
    # It points at the route on each side: the vhost on Clever, the nginx location on Fly.
    assert found["evidence_before"]["file"] == "terraform/main.tf"
    assert found["evidence_after"]["file"] == "front/nginx.fly.conf"


def test_compose_front_reached_the_api_by_its_service_name() -> None:
    found = _one(_plan(SAMPLES / "compose-webapp", "--to", "fly"), "HD403", "api")
    assert found["before"] == "api:3000 (compose network)"
    assert found["after"] == "webapp-api.flycast (Flycast)"


def test_fly_reader_records_how_the_front_reaches_the_api() -> None:
    done = run_cli("inspect", Path(__file__).parents[1] / "golden" / "fly" / "compose-webapp", "--format", "json")
    assert done.code == 0, done.stderr
    services = {s["name"]: s for s in json.loads(done.stdout)["services"]}
    assert services["api"]["extensions"]["fly"]["private_network"] == "flycast"
    assert "private_network" not in services["front"]["extensions"]["fly"]


# ----------------------------------------------------------------- class 3: release timing


def test_clever_pre_run_hook_becomes_a_once_per_deploy_release_command(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLEVER_HDS, encoding="utf-8")
    found = _one(_plan(tmp_path, "--to", "fly"), "HD423", "api")
    assert found["severity"] == "warning"
    assert found["before"] == "before every instance start (CC_PRE_RUN_HOOK)"
    assert found["after"].startswith("once per deploy")
    assert "node scripts/warm-cache.js" in found["why"]
    assert "do not run it" in found["why"]


def test_fly_release_command_runs_at_every_start_on_clever(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text(FLY_RELEASE, encoding="utf-8")
    found = _one(_plan(tmp_path, "--to", "clevercloud"), "HD423", "shop-api")
    assert found["before"].startswith("once per deploy")
    assert found["after"] == "before every instance start (CC_PRE_RUN_HOOK)"
    assert "idempotent" in found["action"]


def test_fly_release_command_is_not_run_by_compose(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text(FLY_RELEASE, encoding="utf-8")
    found = _one(_plan(tmp_path, "--to", "compose"), "HD423", "shop-api")
    assert found["after"].startswith("never by compose")
    assert "docker compose run --rm" in found["action"]
    assert "npx prisma migrate deploy" in found["action"]


def test_compose_migration_in_the_command_ran_at_every_start(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE_MIGRATE, encoding="utf-8")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text('FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n',
                                                 encoding="utf-8")
    found = _one(_plan(tmp_path, "--to", "fly"), "HD423", "api")
    assert found["before"] == "at every container start (inside the service's command)"
    assert found["after"].startswith("once per deploy")
    assert found["evidence_before"]["key"] == "services.api.command"


# ----------------------------------------------------------------- class 10: database region


def test_database_leaving_an_hds_zone_shows_its_move_and_the_certification(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLEVER_HDS, encoding="utf-8")
    findings = _plan(tmp_path, "--to", "fly")
    moved = _one(findings, "HD424", "db")
    assert moved["before"] == "parhds (Paris, FR)"
    # cdg (nearest to Paris) has no Managed Postgres: the EU's nearest MPG region.
    assert moved["after"] in ("ams (Amsterdam, NL)", "fra (Frankfurt, DE)")
    assert "same jurisdiction (the EU/EEA)" in moved["title"]
    certified = _one(findings, "HD426", "db")
    assert certified["severity"] == "breaking" and "HDS" in certified["title"]
    # The database's side of the move points at where it is created on the target.
    assert certified["evidence_after"]["file"] == "fly-setup.sh"


def test_database_sent_out_of_the_eu_is_breaking(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLEVER_HDS.replace('"parhds"', '"par"'), encoding="utf-8")
    findings = _plan(tmp_path, "--to", "fly", "--region", "lhr", "--postgres", "unmanaged")
    left = _one(findings, "HD425", "db")
    assert left["title"] == "database leaves the EU/EEA for GB"
    assert not any(f["code"] == "HD424" for f in findings)


def test_database_away_from_its_apps_says_what_it_costs(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLEVER_HDS.replace('"parhds"', '"par"'), encoding="utf-8")
    findings = _plan(tmp_path, "--to", "fly", "--region", "cdg")
    far = _one(findings, "HD427", "db")
    assert far["severity"] == "warning"
    assert "apps in cdg (Paris, FR)" in far["after"]
    assert "ms more per round trip" in far["why"]


# ----------------------------------------------------------------- class 8: cron jobs


def test_clever_cron_job_runs_once_on_fly_instead_of_on_every_instance(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLEVER_HDS.replace("min_instance_count = 1", "min_instance_count = 2")
                                      .replace("max_instance_count = 1", "max_instance_count = 2"),
                                      encoding="utf-8")
    (tmp_path / "clevercloud").mkdir()
    (tmp_path / "clevercloud" / "cron.json").write_text('["0 4 * * * $ROOT/jobs/sync.sh"]\n', encoding="utf-8")
    findings = _plan(tmp_path, "--to", "fly")
    found = [f for f in findings if f["code"] == "HD428"]
    assert len(found) == 1, [(f["code"], f["subject"]) for f in findings]
    assert found[0]["before"] == "from clevercloud/cron.json on every instance of api"
    assert "supercronic" in found[0]["after"]
    assert "ran it 2 times" in found[0]["why"]
    assert found[0]["evidence_before"]["file"] == "clevercloud/cron.json"
