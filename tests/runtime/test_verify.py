"""hopper verify on the three samples converted to Fly, and on hand-broken copies of them.

Each run deploys the set for real on the local Fly-like runtime (namespaces, DNS at fdaa::3,
Flycast, Debian's nginx and PostgreSQL, moto's S3 server, the samples' own Node code); a
broken copy must fail with the check that names its defect.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hopper.runtime.report import Report
from hopper.runtime.run import verify

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def convert(sample: str, out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(SAMPLES / sample), "--to", "fly",
                           "--out", str(out), "--force"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return out


def run_verify(out: Path, source: Path) -> Report:
    report = verify(out, source)
    print(report.text())
    # The Machines ran in a PID namespace of their own, which ended with verify: nothing of
    # them is left under this process, and neither is its work folder.
    assert not _children(os.getpid()), "verify left processes behind"
    assert not [*Path("/dev/shm").glob(f"hopper-verify-{os.getpid()}-*"),
                *Path("/var/tmp").glob(f"hopper-verify-{os.getpid()}-*")], "verify left files behind"
    return report


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid) and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer contains {old!r}: update the broken copy"
    path.write_text(text.replace(old, new, count))


def names(report: Report, status: bool | None) -> set[str]:
    return {c.name for c in report.checks if c.ok is status}


@pytest.mark.parametrize("sample", ["compose-webapp", "clevercloud-webapp", "monorepo-webapp"])
def test_sample_passes_verify(sample: str, tmp_path: Path) -> None:
    report = run_verify(convert(sample, tmp_path / "out"), SAMPLES / sample)
    assert report.ok, report.text()
    passed = names(report, True)
    # the front served, the API reached through nginx, bindings working end to end
    assert {"index", "deep-link", "route", "body-limit", "health", "attachment", "machine-start"} <= passed


def test_config_path_flyctl_would_not_find_stops_the_run(tmp_path: Path) -> None:
    out = convert("monorepo-webapp", tmp_path / "out")
    edit(out / "fly-setup.sh", "run flyctl deploy . --config api/fly.toml", "run flyctl deploy api --config api/fly.toml")
    report = run_verify(out, SAMPLES / "monorepo-webapp")
    assert not report.ok and report.stopped and "would not find" in report.stopped
    failed = report.failed("deploy-config")
    assert failed and "api/api/fly.toml" in failed[0].seen
    assert not any(c.name == "machine-start" for c in report.checks)  # nothing was deployed


def test_api_on_ipv4_behind_internal_upstream_fails_the_route(tmp_path: Path) -> None:
    out = convert("clevercloud-webapp", tmp_path / "out")
    # the form hopper wrote before issue 14 class 1: .internal, resolved at request time
    edit(out / "front" / "nginx.fly.conf", "proxy_pass http://webapp-api.flycast;",
         "resolver [fdaa::3] valid=10s;\n            set $up http://webapp-api.internal:8080;\n"
         "            proxy_pass $up;")
    report = run_verify(out, SAMPLES / "clevercloud-webapp")
    assert not report.ok
    route = report.failed("route")
    assert route and "502" in route[0].seen and "refused" in route[0].seen.lower()
    assert "health" in names(report, True)  # the API itself is up: only the path to it is wrong


def test_migration_in_run_step_without_release_command_fails(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLES / "clevercloud-webapp", source)
    (source / "api" / "migrate.js").write_text(
        "if (!process.env.DATABASE_URL) { console.error('DATABASE_URL is not set'); process.exit(1); }\n"
        "console.log('migrated');\n")
    out = convert("clevercloud-webapp", tmp_path / "out")
    edit(out / "api" / "Dockerfile.fly", "RUN npm prune --omit=dev", "RUN node migrate.js\nRUN npm prune --omit=dev")
    report = run_verify(out, source)
    failed = report.failed("release-command")
    assert failed and "migrate.js" in failed[0].seen and "release_command" in failed[0].seen


def test_release_command_runs_once_before_machines_and_a_failure_stops(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLES / "clevercloud-webapp", source)
    (source / "api" / "migrate.js").write_text(
        "if (!process.env.DATABASE_URL || process.env.RELEASE_COMMAND !== '1') process.exit(3);\n"
        "console.log('migrated ' + process.env.FLY_PROCESS_GROUP);\n"
        "if (process.env.FAIL_RELEASE) process.exit(1);\n")
    out = convert("clevercloud-webapp", tmp_path / "out")
    toml = out / "api" / "fly.toml"
    edit(toml, "[env]", '[deploy]\nrelease_command = "node migrate.js"\n\n[env]')
    report = run_verify(out, source)
    ran = [c for c in report.checks if c.name == "release-command" and c.subject == "webapp-api"]
    assert ran and ran[0].ok, report.text()
    assert "migrated fly_app_release_command" in ran[0].seen
    edit(toml, "[env]\n", '[env]\nFAIL_RELEASE = "1"\n')
    report = run_verify(out, source)
    assert report.stopped and "release command failed" in report.stopped
    assert report.failed("release-command") and not any(c.name == "machine-start" for c in report.checks)


def test_vite_value_only_at_runtime_fails_the_build_time_check(tmp_path: Path) -> None:
    out = convert("monorepo-webapp", tmp_path / "out")
    edit(out / "front" / "Dockerfile.fly", "ARG VITE_API_BASE\n", "")
    workflow = out / ".github" / "workflows" / "fly-deploy-front.yml"
    edit(workflow, ' --build-arg \\"VITE_API_BASE=$VITE_API_BASE\\"', "")
    edit(out / "front" / "fly.toml", "[http_service]", '[env]\nVITE_API_BASE = "/api"\n\n[http_service]')
    report = run_verify(out, SAMPLES / "monorepo-webapp")
    failed = report.failed("build-time-value")
    assert [c.subject for c in failed] == ["monorepo-webapp-front VITE_API_BASE"]
    assert "[env]" in failed[0].seen and "apps/front/src/app.js" in failed[0].seen
    assert any(c.name == "build-time-value" and c.ok and "VITE_SENTRY_DSN" in c.subject for c in report.checks)


def test_upload_against_nginx_default_body_size_fails(tmp_path: Path) -> None:
    # Issue 15's case: the Clever Cloud API took uploads with no limit; without the emitted
    # client_max_body_size, nginx's 1 MB default refuses a 5 MB upload.
    out = convert("clevercloud-webapp", tmp_path / "out")
    conf = out / "front" / "nginx.fly.conf"
    edit(conf, "client_max_body_size 0;", "")
    report = run_verify(out, SAMPLES / "clevercloud-webapp")
    failed = report.failed("body-limit")
    assert failed and "413" in failed[0].seen and "5.0 MiB" in failed[0].seen, report.text()
    assert "the source sets no limit" in failed[0].seen
    assert "route" in names(report, True)  # a small request still goes through


def test_a_redis_app_runs_as_redis_server_reached_over_flycast(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLES / "compose-webapp", source)
    compose = source / "compose.yaml"
    edit(compose, "      S3_SECRET_KEY: ${MINIO_ROOT_PASSWORD:-change-me-minio}\n",
         "      S3_SECRET_KEY: ${MINIO_ROOT_PASSWORD:-change-me-minio}\n      REDIS_URL: redis://cache:6379\n")
    edit(compose, "\n  db:\n    image:", '\n  cache:\n    image: redis:7-alpine\n    expose:\n      - "6379"\n\n  db:\n    image:')
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(source), "--to", "fly",
                           "--out", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = run_verify(out, source)
    assert report.ok, report.text()
    redis = [c for c in report.checks if c.name == "attachment" and "REDIS_URL" in c.subject]
    assert redis and redis[0].ok and "+PONG" in redis[0].seen
