"""Issue 14 class 8: compose scheduler services (ofelia labels, crond or supercronic with a
crontab) become the model's schedules, which the Fly writer runs with supercronic; a
``while true; ... sleep`` loop is not a cron; what is not understood is said (HOP198)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
from compose_load_support import write_tree

from hopper import api
from hopper.formats.base import ReadOptions
from hopper.formats.compose.reader import read
from hopper.formats.compose.schedulers import ofelia_cron

# The shape of ofelia's own README and of the Nextcloud / Paperless compose files that use it:
# job-exec labels on the app's service, a job-local and a job-run on the ofelia service.
OFELIA = """\
services:
  app:
    build: ./app
    ports: ["8080:8080"]
    labels:
      ofelia.enabled: "true"
      ofelia.job-exec.app-cron.schedule: "@every 5m"
      ofelia.job-exec.app-cron.command: "php -f /var/www/html/cron.php"
      ofelia.job-exec.app-cron.user: "www-data"
      ofelia.job-exec.nightly.schedule: "0 30 3 * * *"
      ofelia.job-exec.nightly.command: "php occ files:scan --all"
      ofelia.job-exec.nightly.no-overlap: "true"
      ofelia.job-exec.fast.schedule: "*/10 * * * * *"
      ofelia.job-exec.fast.command: "touch /tmp/alive"
  worker:
    image: example/reports:2
    command: ["node", "worker.js"]
  ofelia:
    image: mcuadros/ofelia:latest
    depends_on: [app]
    command: daemon --docker
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
    labels:
      ofelia.job-local.my-test-job.schedule: "@every 5s"
      ofelia.job-local.my-test-job.command: "date"
      ofelia.job-run.report.schedule: "@daily"
      ofelia.job-run.report.image: "example/reports:2"
      ofelia.job-run.report.command: "node report.js --since yesterday"
"""


def _project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return write_tree(tmp_path, {
        "app/Dockerfile": "FROM php:8.3-apache\nEXPOSE 8080\n", **files})


@pytest.mark.parametrize(("given", "expected"), [
    ("@every 5m", "*/5 * * * *"), ("@every 1m", "* * * * *"), ("@every 1h", "0 * * * *"),
    ("@every 6h", "0 */6 * * *"), ("@every 24h", "0 0 * * *"), ("@every 1h30m", None), ("@every 5s", None),
    ("@every 7m", None), ("@daily", "@daily"), ("0 30 3 * * *", "30 3 * * *"), ("*/10 * * * * *", None),
    ("15 2 * * 1", "15 2 * * 1"), ("not a schedule", None),
])
def test_ofelia_schedules(given: str, expected: str | None) -> None:
    assert ofelia_cron(given) == expected


@pytest.mark.parametrize(("command", "daemon"), [
    (["crond", "-f", "-l", "2"], True), (["sh", "-c", "printenv > /etc/environment && cron -f"], True),
    (["busybox", "crond", "-f"], True), (["/usr/local/bin/supercronic", "/etc/crontab"], True),
    (["python", "manage.py", "cron"], False), (["node", "cron.js"], False),
    (["sh", "-c", "while true; do php artisan schedule:run; sleep 60; done"], False),
])
def test_what_runs_a_cron_daemon(command: list[str], daemon: bool) -> None:
    from hopper.formats.compose.schedulers import _cron_program  # noqa: PLC0415

    assert (_cron_program(command) is not None) is daemon


def test_ofelia_labels_become_schedules(tmp_path: Path) -> None:
    result = read(_project(tmp_path, {"compose.yaml": OFELIA}), ReadOptions(environ={}))
    arch = result.model
    assert arch.service("ofelia") is None  # the target's scheduler replaces it
    jobs = {(s.service, s.cron, s.command) for s in arch.schedules}
    assert jobs == {("app", "*/5 * * * *", "php -f /var/www/html/cron.php"),
                    ("app", "30 3 * * *", "php occ files:scan --all"),
                    ("worker", "@daily", "node report.js --since yesterday")}
    assert sorted(s.name for s in arch.schedules) == ["app-cron-1", "app-cron-2", "worker-cron-1"]
    said: dict[str, list[str]] = {d.code: [] for d in result.diagnostics}
    for d in result.diagnostics:
        said[d.code].append(d.message)
    assert any("ofelia scheduler" in m and "3 schedule(s)" in m for m in said["HOP197"])
    unread = " | ".join(said["HOP198"])
    assert "job-local job 'my-test-job'" in unread  # runs inside ofelia: nowhere to go
    assert "job 'fast': schedule '*/10 * * * * *'" in unread  # sub-minute
    assert "job 'app-cron': user not carried" in unread
    assert "no-overlap" not in unread  # supercronic never overlaps a job
    assert not any(m.startswith("ofelia:") for m in said.get("HOP168", []))  # not an unknown service
    assert "HOP174" not in said  # the ofelia labels are read, not 'not carried'


def test_ofelia_jobs_run_by_supercronic_on_fly(tmp_path: Path) -> None:
    result = api.convert(_project(tmp_path, {"compose.yaml": OFELIA}), to="fly")
    files = dict(result.files)
    crontab = files["app/crontab.fly"]
    assert "*/5 * * * * php -f /var/www/html/cron.php" in crontab
    assert "30 3 * * * php occ files:scan --all" in crontab
    toml = tomllib.loads(files["app/fly.toml"])
    assert toml["processes"]["cron"].endswith("supercronic /etc/hopper/crontab")
    assert not any(name.startswith("ofelia") for name in files)
    # The worker's daily report is an image app: a scheduled Machine in fly-setup.sh.
    assert "--schedule daily" in files["fly-setup.sh"]


CROND = """\
services:
  app:
    build: ./app
    ports: ["8080:8080"]
  cron:
    build: ./app
    command: ["crond", "-f", "-l", "2"]
    volumes:
      - ./ops/crontab:/etc/crontabs/root:ro
  backup:
    image: alpine:3.20
    command: sh -c "supercronic /etc/backup/crontab"
    volumes:
      - ./ops/backup.cron:/etc/backup/crontab
  ticker:
    image: alpine:3.20
    command: sh -c "while true; do wget -qO- http://app:8080/tick; sleep 60; done"
  lost:
    image: alpine:3.20
    command: crond -f
"""
FILES: dict[str, str | bytes] = {
    "ops/crontab": "# the app's jobs\nMAILTO=ops@example.com\n*/15 * * * * php /app/bin/console queue:work\n"
                   "0 4 * * * php /app/bin/console cleanup\nnot a line\n",
    "ops/backup.cron": "@daily /usr/local/bin/backup.sh\n",
}


def test_crond_and_supercronic_services(tmp_path: Path) -> None:
    result = read(_project(tmp_path, {"compose.yaml": CROND, **FILES}), ReadOptions(environ={}))
    arch = result.model
    jobs = {(s.service, s.cron, s.command) for s in arch.schedules}
    assert jobs == {("app", "*/15 * * * *", "php /app/bin/console queue:work"),
                    ("app", "0 4 * * *", "php /app/bin/console cleanup"),
                    ("backup", "@daily", "/usr/local/bin/backup.sh")}
    # crond in the app's own image joins the app; the standalone backup keeps its image without
    # the daemon as its command; a sleep loop is a worker, not a cron.
    assert arch.service("cron") is None
    backup = arch.service("backup")
    assert backup is not None and backup.runtime.command == ()
    ticker = arch.service("ticker")
    assert ticker is not None and "while true" in " ".join(ticker.runtime.command)
    crontab_line = next(s for s in arch.schedules if "cleanup" in s.command)
    assert crontab_line.origin is not None and crontab_line.origin.file == "ops/crontab"
    assert crontab_line.origin.line == 4
    unread = " | ".join(d.message for d in result.diagnostics if d.code == "HOP198")
    assert "sets MAILTO" in unread and "line 5 is not a schedule" in unread
    assert "lost: runs crond, but its crontab" in unread
    assert arch.service("lost") is not None  # nothing understood: left as it was


def test_crond_service_on_fly(tmp_path: Path) -> None:
    result = api.convert(_project(tmp_path, {"compose.yaml": CROND, **FILES}), to="fly")
    files = dict(result.files)
    assert "php /app/bin/console cleanup" in files["app/crontab.fly"]
    backup = tomllib.loads(files["backup/fly.toml"])
    # The daemon was the whole service: supercronic is its only process.
    assert set(backup["processes"]) == {"cron"}
    assert "cron/fly.toml" not in files
    assert "--schedule" not in files["fly-setup.sh"] or "backup" not in files["fly-setup.sh"].split("--schedule")[0][-200:]
    done = subprocess.run(["bash", "-n"], input=files["fly-setup.sh"], text=True, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_crontab_copied_by_the_dockerfile(tmp_path: Path) -> None:
    """`COPY crontab /etc/crontabs/root` and `CMD ["crond", "-f"]` in the service's own Dockerfile."""
    proj = write_tree(tmp_path, {
        "compose.yaml": "services:\n  jobs:\n    build: ./jobs\n",
        "jobs/Dockerfile": 'FROM alpine:3.20\nCOPY crontab /etc/crontabs/root\nCMD ["crond", "-f"]\n',
        "jobs/crontab": "5 * * * * /usr/local/bin/sync\n",
    })
    arch = read(proj, ReadOptions(environ={})).model
    assert [(s.service, s.cron, s.command) for s in arch.schedules] == [("jobs", "5 * * * *", "/usr/local/bin/sync")]
    files = dict(api.convert(proj, to="fly").files)
    assert set(tomllib.loads(files["jobs/fly.toml"])["processes"]) == {"cron"}  # replaces CMD crond
