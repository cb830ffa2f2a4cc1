"""Issue 14, class 3: migrations run once per deploy in the release step, never in the image
build; seeds never run on deploy; Managed Postgres migrations use the direct connection."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from fly_writer_models import front_api
from fly_writer_tools import run_writer

from hopper import api
from hopper.formats.fly.release import unwrap, wrap
from hopper.formats.fly.validate import validate_path
from hopper.migrations import split_command, split_words
from hopper.model import Runtime
from support import SAMPLES, copy_tree

SCRIPTS = {"db:setup": "knex migrate:latest && knex seed:run", "db:migrate": "prisma migrate deploy",
           "build": "vite build", "seed": "node seed.js"}


@pytest.mark.parametrize(("command", "migrate", "rest", "seeds"), [
    ("npm run build && npm run migrate", "npm run migrate", "npm run build", ()),
    ("npx prisma migrate deploy && node dist/main.js", "npx prisma migrate deploy", "node dist/main.js", ()),
    ("yarn knex migrate:latest", "yarn knex migrate:latest", None, ()),
    ("npx typeorm migration:run -d dist/db.js; node main.js", "npx typeorm migration:run -d dist/db.js", "node main.js", ()),
    ("npx sequelize-cli db:migrate", "npx sequelize-cli db:migrate", None, ()),
    ("npx drizzle-kit migrate", "npx drizzle-kit migrate", None, ()),
    ("yarn nx migrate server", "yarn nx migrate server", None, ()),
    ("pnpm db:migrate && pnpm start", "pnpm db:migrate", "pnpm start", ()),
    ("npm run seed && npm run db:migrate", "npm run db:migrate", None, ("npm run seed",)),
    ("npm run db:setup", "npm run db:setup", None, ("npm run db:setup",)),  # migrates and seeds: reported
    ("npm run build", None, "npm run build", ()),
    ("npx prisma generate && vite build", None, "npx prisma generate && vite build", ()),
    # A script named migrate or seed counts where it runs, not where a build tool reads it.
    ("./scripts/migrate.sh && node server.js", "./scripts/migrate.sh", "node server.js", ()),
    ("node dist/migrate.js", "node dist/migrate.js", None, ()),
    ("NODE_ENV=production tsx src/db/migrate.ts", "NODE_ENV=production tsx src/db/migrate.ts", None, ()),
    ("pnpm exec ncc build migrate.ts -o /db_migrations", None, "pnpm exec ncc build migrate.ts -o /db_migrations", ()),
    ("cp seed.js dist/ && node server.js", None, "cp seed.js dist/ && node server.js", ()),
    ("node seed.js && node server.js", None, "node server.js", ("node seed.js",)),
])
def test_split_command(command: str, migrate: str | None, rest: str | None, seeds: tuple[str, ...]) -> None:
    found = split_command(command, SCRIPTS)
    assert (found.migrate, found.rest, found.seeds) == (migrate, rest, seeds)


def test_split_words_keeps_an_exec_form_command() -> None:
    found, remaining = split_words(("sh", "-c", "npm run migrate && node server.js"))
    assert found.migrate == "npm run migrate" and remaining == ("node", "server.js")
    found, remaining = split_words(("node", "server.js"))
    assert found.migrate is None and remaining == ("node", "server.js")


def _compose_with_command(tmp_path: Path, command: str) -> Path:
    root = copy_tree(SAMPLES / "compose-webapp", tmp_path / "src")
    compose = root / "compose.yaml"
    text = compose.read_text()
    assert "  api:\n" in text
    compose.write_text(text.replace("  api:\n", f"  api:\n    command: {json.dumps(command)}\n", 1))
    return root


def test_compose_command_chain_becomes_the_release_command(tmp_path: Path) -> None:
    root = _compose_with_command(tmp_path, "sh -c 'npx prisma migrate deploy && node server.js'")
    read = api.load(root)
    svc = read.model.service("api")
    assert svc is not None
    assert svc.runtime.release_command == "npx prisma migrate deploy"
    assert svc.runtime.command == ("node", "server.js")
    assert "HOP555" in [d.code for d in read.diagnostics]
    files = dict(api.convert(root, to="fly").files)
    fly = tomllib.loads(files["api/fly.toml"])
    assert "prisma migrate deploy" in fly["deploy"]["release_command"]
    assert "migrate" not in fly.get("processes", {}).get("app", "")


def _clever_with_hook(tmp_path: Path, hook: str) -> Path:
    root = copy_tree(SAMPLES / "clevercloud-webapp", tmp_path / "src")
    main = root / "terraform/main.tf"
    main.write_text(main.read_text().replace(
        '    CC_HEALTH_CHECK_PATH = "/api/health"\n',
        f'    CC_HEALTH_CHECK_PATH = "/api/health"\n    CC_POST_BUILD_HOOK   = {json.dumps(hook)}\n'))
    package = root / "api/package.json"
    data = json.loads(package.read_text())
    data.setdefault("scripts", {}).update({"build": "node build.js", "db:migrate": "knex migrate:latest",
                                           "seed": "knex seed:run"})
    package.write_text(json.dumps(data, indent=2))
    return root


def test_clever_post_build_migration_is_a_release_command_not_a_run_step(tmp_path: Path) -> None:
    root = _clever_with_hook(tmp_path, "npm run build && npm run db:migrate && npm run seed")
    result = api.convert(root, to="fly")
    files = dict(result.files)
    codes = [d.code for d in result.diagnostics]
    assert "HOP555" in codes and "HOP556" in codes  # moved, and the seed left out
    dockerfile = files["api/Dockerfile.fly"]
    assert "RUN npm run build" in dockerfile
    assert "migrate" not in dockerfile and "seed" not in dockerfile
    assert tomllib.loads(files["api/fly.toml"])["deploy"]["release_command"] == "npm run db:migrate"
    # Seeds never run on deploy, anywhere in the set.
    assert not any("npm run seed" in text for text in files.values())
    # The API reads POSTGRESQL_ADDON_URI through hopper-env.sh, its ENTRYPOINT, which switches
    # Managed Postgres' pooled URL to the direct one in the release Machine.
    assert 'if [ "${RELEASE_COMMAND:-}" = 1 ]' in files["api/hopper-env.sh"]
    out = tmp_path / "out"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    assert not [d for d in validate_path(out) if d.code == "HOP382"]


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_hopper_env_sh_gives_the_release_machine_the_direct_url(tmp_path: Path) -> None:
    root = _clever_with_hook(tmp_path, "npm run db:migrate")
    shim = tmp_path / "hopper-env.sh"
    shim.write_text(dict(api.convert(root, to="fly").files)["api/hopper-env.sh"])
    pooled = "postgresql://u:p@pgbouncer.c0ffee.flympg.net/db"
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": pooled}
    run = [shutil.which("sh") or "sh", str(shim), "sh", "-c", 'printf "%s|%s" "$DATABASE_URL" "$POSTGRESQL_ADDON_URI"']
    release = subprocess.run(run, env={**env, "RELEASE_COMMAND": "1"}, capture_output=True, text=True, check=True)
    assert release.stdout == "postgresql://u:p@direct.c0ffee.flympg.net/db|postgresql://u:p@direct.c0ffee.flympg.net/db"
    app = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert app.stdout == f"{pooled}|{pooled}"


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_release_wrapper_runs_the_command_with_the_direct_url() -> None:
    command = wrap("""sh -c 'printf "%s" "$DATABASE_URL"'""", "DATABASE_URL")
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "postgresql://u:p@pgbouncer.x.flympg.net/db"}
    # Fly splits the release command like a shell and runs it without a shell.
    proc = subprocess.run(shlex.split(command), env=env, capture_output=True, text=True, check=True)
    assert proc.stdout == "postgresql://u:p@direct.x.flympg.net/db"
    proc = subprocess.run(shlex.split(command), env={**env, "DIRECT_DATABASE_URL": "postgresql://d"},
                          capture_output=True, text=True, check=True)
    assert proc.stdout == "postgresql://d"
    # Read back: the wrapper and the `sh -c` hopper adds are removed (for_fly adds them again).
    assert unwrap(command) == 'printf "%s" "$DATABASE_URL"'


def test_chained_release_command_is_run_by_a_shell_and_read_back_unchanged() -> None:
    arch = front_api()
    services = tuple(s if s.name != "api" else
                     type(s)(**{**{f: getattr(s, f) for f in s.__dataclass_fields__},
                                "runtime": Runtime(port=3000, release_command="npm run migrate && npm run cache:warm")})
                     for s in arch.services)
    arch = type(arch)(**{**{f: getattr(arch, f) for f in arch.__dataclass_fields__}, "services": services})
    files, _ = run_writer(arch)
    release = tomllib.loads(files["api/fly.toml"])["deploy"]["release_command"]
    assert shlex.split(release)[:2] == ["sh", "-c"]
    assert unwrap(release) == "npm run migrate && npm run cache:warm"


def test_validate_reports_a_migration_in_a_run_step(tmp_path: Path) -> None:
    files = dict(api.convert(SAMPLES / "clevercloud-webapp", to="fly").files)
    out = tmp_path / "out"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    assert not [d for d in validate_path(out) if d.code == "HOP382"]
    dockerfile = out / "api/Dockerfile.fly"
    dockerfile.write_text(dockerfile.read_text().replace("RUN npm prune --omit=dev",
                                                         "RUN npx prisma migrate deploy\nRUN npm prune --omit=dev"))
    (diag,) = [d for d in validate_path(out) if d.code == "HOP382"]
    assert diag.location is not None and diag.location.file == "api/Dockerfile.fly"
    assert dockerfile.read_text().splitlines()[diag.location.line - 1] == "RUN npx prisma migrate deploy"  # type: ignore[operator]
    assert "release_command" in (diag.hint or "")
