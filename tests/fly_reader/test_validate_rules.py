"""hopper validate: one test per rule, asserting its code and the line it points at."""

from __future__ import annotations

from pathlib import Path

import pytest
from fly_read_fixtures import write_setup

from hopper.diagnostics import Severity
from hopper.formats.fly.validate import validate_path
from support import run_cli

APP = "app = 'a'\nprimary_region = 'cdg'\n"

# (name, fly.toml text, expected code, expected line)
RULES = [
    ("missing app", "primary_region = 'cdg'\n", "HOP306", 1),
    ("release command quoting", APP + "[deploy]\nrelease_command = 'run \"x'\n", "HOP310", 4),
    ("unknown strategy", APP + "[deploy]\nstrategy = 'rolling-eyes'\n", "HOP311", 4),
    ("canary with mounts", APP + "[deploy]\nstrategy = 'canary'\n[[mounts]]\nsource = 'd'\ndestination = '/d'\n", "HOP312", 4),
    ("bluegreen without checks", APP + "[deploy]\nstrategy = 'bluegreen'\n", "HOP313", 4),
    ("check without type", APP + "[checks.alive]\nport = 80\n", "HOP314", 3),
    ("check interval too short", APP + "[checks.alive]\ntype = 'tcp'\nport = 80\ninterval = '1s'\n", "HOP315", 6),
    ("check timeout too long", APP + "[checks.alive]\ntype = 'tcp'\nport = 80\ntimeout = '61s'\n", "HOP315", 6),
    ("service without processes", APP + "[processes]\nweb = 'run'\n[http_service]\ninternal_port = 80\n", "HOP316", 5),
    ("service unknown process", APP + "[processes]\nweb = 'run'\n[http_service]\ninternal_port = 80\nprocesses = ['wbe']\n", "HOP317", 7),
    ("mount unknown process", APP + "[processes]\nweb = 'run'\n[[mounts]]\nsource = 'd'\ndestination = '/d'\nprocesses = ['x']\n", "HOP318", 8),
    ("process command quoting", APP + "[processes]\nweb = 'run \"x'\n", "HOP319", 4),
    ("console command quoting", APP + "console_command = 'sh \"'\n", "HOP320", 3),
    ("mount too small", APP + "[[mounts]]\nsource = 'd'\ndestination = '/d'\ninitial_size = '15Mb'\n", "HOP321", 6),
    ("mount unparseable", APP + "[[mounts]]\nsource = 'd'\ndestination = '/d'\ninitial_size = 'big'\n", "HOP321", 6),
    ("mount retention", APP + "[[mounts]]\nsource = 'd'\ndestination = '/d'\nsnapshot_retention = 90\n", "HOP321", 6),
    ("mount auto-extend partial", APP + "[[mounts]]\nsource = 'd'\ndestination = '/d'\nauto_extend_size_threshold = 80\n", "HOP321", 6),
    ("two mounts per group", APP + "[[mounts]]\nsource = 'a'\ndestination = '/a'\n[[mounts]]\nsource = 'b'\ndestination = '/b'\n", "HOP322", 6),
    ("restart policy", APP + "[[restart]]\npolicy = 'sometimes'\n", "HOP323", 4),
    ("compression", APP + "[build]\ncompression = 'xz'\n", "HOP324", 4),
    ("compression level", APP + "[build]\ncompression_level = 12\n", "HOP324", 4),
    ("build strategies", APP + "[build]\nimage = 'x'\ndockerfile = 'Dockerfile'\n", "HOP325", 3),
    ("service without ports", APP + "[[services]]\ninternal_port = 80\n", "HOP326", 3),
    ("check clamped", APP + "[http_service]\ninternal_port = 80\n[[http_service.checks]]\ninterval = '2m'\n", "HOP327", 6),
    ("max_unavailable ignored", APP + "[deploy]\nstrategy = 'immediate'\nmax_unavailable = 0.5\n", "HOP328", 5),
    ("check without port", APP + "[checks.alive]\ntype = 'tcp'\n", "HOP329", 3),
    ("machine check without command", APP + "[[machine_checks]]\nimage = 'curl'\n", "HOP330", 3),
    ("lazy load images", APP + "[experimental]\nlazy_load_images = true\n", "HOP331", 4),
    ("retired region", "app = 'a'\nprimary_region = 'sea'\n", "HOP332", 2),
    ("unknown region", "app = 'a'\nprimary_region = 'cgd'\n", "HOP333", 2),
    ("unknown vm size", APP + "[[vm]]\nsize = 'shared-cpu-3x'\n", "HOP334", 4),
    ("bad vm preset", APP + "[[vm]]\nsize = 'huge'\n", "HOP334", 4),
    ("memory zero", APP + "[[vm]]\nmemory = 0\n", "HOP335", 4),
    ("memory too big", APP + "[[vm]]\nsize = 'shared-cpu-1x'\nmemory = '4gb'\n", "HOP335", 5),
    ("memory step", APP + "[[vm]]\nsize = 'shared-cpu-2x'\nmemory_mb = 1000\n", "HOP335", 5),
    ("min running without autostop", APP + "[http_service]\ninternal_port = 80\nmin_machines_running = 1\n", "HOP337", 5),
    ("suspend too big", APP + "[http_service]\ninternal_port = 80\nauto_stop_machines = 'suspend'\n[[vm]]\nmemory = '2gb'\nsize = 'shared-cpu-2x'\nmemory_mb = 4096\n", "HOP338", 5),
    ("suspend with swap", APP + "swap_size_mb = 512\n[http_service]\ninternal_port = 80\nauto_stop_machines = 'suspend'\n", "HOP338", 6),
    ("timeout not shorter than interval", APP + "[http_service]\ninternal_port = 80\n[[http_service.checks]]\ninterval = '5s'\ntimeout = '10s'\n", "HOP339", 7),
    ("internal_port missing", APP + "[http_service]\nforce_https = true\n", "HOP340", 3),
    ("FLY_ env", APP + "[env]\nFLY_THING = '1'\n", "HOP341", 4),
    ("PORT mismatch", APP + "[env]\nPORT = '3000'\n[http_service]\ninternal_port = 8080\n", "HOP342", 4),
    ("kill_timeout too long", APP + "kill_timeout = '10m'\n", "HOP349", 3),
    ("statics without prefix", APP + "[[statics]]\nguest_path = '/app/public'\n", "HOP351", 3),
    ("statics overlap", APP + "[[statics]]\nguest_path = '/a'\nurl_prefix = '/s'\n[[statics]]\nguest_path = '/b'\nurl_prefix = '/s/x'\n", "HOP352", 8),
    ("files two sources", APP + "[[files]]\nguest_path = '/x'\nraw_value = 'eA=='\nsecret_name = 'X'\n", "HOP353", 3),
    ("mount at root", APP + "[[mounts]]\nsource = 'd'\ndestination = '/'\n", "HOP355", 5),
    ("unknown key", APP + "[http_service]\ninternal_prot = 80\n", "HOP302", 4),
    ("wrong type", APP + "[http_service]\ninternal_port = '80'\n", "HOP301", 4),
    ("syntax", APP + "[http_service\n", "HOP300", 3),
]


@pytest.mark.parametrize(("text", "code", "line"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule(tmp_path: Path, text: str, code: str, line: int) -> None:
    config = tmp_path / "fly.toml"
    config.write_text(text, encoding="utf-8")
    found = [d for d in validate_path(config) if d.code == code]
    assert found, f"{code} not reported; got {[d.render() for d in validate_path(config)]}"
    assert found[0].location is not None and found[0].location.line == line, found[0].render()


def test_clean_config_has_no_findings(tmp_path: Path) -> None:
    config = tmp_path / "fly.toml"
    config.write_text(APP + "[http_service]\ninternal_port = 8080\nforce_https = true\n"
                      "auto_stop_machines = 'stop'\n[[vm]]\nsize = 'shared-cpu-1x'\nmemory = '512mb'\n")
    assert validate_path(config) == ()


def test_retired_region_names_the_replacement(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'a'\nprimary_region = 'yul'\n")
    (diag,) = validate_path(tmp_path / "fly.toml")
    assert diag.hint is not None and "yyz" in diag.hint


def test_unknown_region_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_text("app = 'a'\nprimary_region = 'cgd'\n")
    (diag,) = validate_path(tmp_path / "fly.toml")
    assert diag.hint == "did you mean 'cdg'?"


# ----------------------------------------------------------------------------- cross-checks


def codes_in(root: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for d in validate_path(root):
        out.setdefault(d.code, []).append(d)
    return out


def test_hopper_layout_is_clean(tmp_path: Path) -> None:
    assert validate_path(write_setup(tmp_path)) == ()


def test_nginx_listen_mismatch(tmp_path: Path) -> None:
    from fly_read_fixtures import FRONT_NGINX
    root = write_setup(tmp_path, nginx=FRONT_NGINX.replace("listen 8080", "listen 80"))
    (diag,) = codes_in(root)["HOP344"]
    assert diag.location.file == "front/fly.toml" and diag.location.line == 8


def test_flycast_target_with_force_https(tmp_path: Path) -> None:
    from fly_read_fixtures import API_TOML
    root = write_setup(tmp_path, api_toml=API_TOML.replace("force_https = false", "force_https = true"))
    (diag,) = codes_in(root)["HOP336"]
    assert diag.location.file == "api/fly.toml" and diag.location.line == 16


def test_internal_upstream_to_autostopping_api(tmp_path: Path) -> None:
    from fly_read_fixtures import FRONT_NGINX
    root = write_setup(tmp_path, nginx=FRONT_NGINX.replace("shop-api.flycast/", "top1.nearest.of.shop-api.internal:3000/"))
    found = codes_in(root)
    assert found["HOP347"][0].location.file == "front/nginx.conf"
    assert found["HOP347"][0].location.line == 9
    assert "HOP348" in found  # literal .internal is resolved once at boot


def test_route_to_unknown_app(tmp_path: Path) -> None:
    from fly_read_fixtures import FRONT_NGINX
    root = write_setup(tmp_path, nginx=FRONT_NGINX.replace("shop-api.flycast", "shop-apj.flycast"))
    (diag,) = codes_in(root)["HOP346"]
    assert diag.hint == "did you mean 'shop-api'?"


def test_build_secret_mismatch(tmp_path: Path) -> None:
    root = write_setup(tmp_path)
    workflow = root / ".github/workflows/fly-deploy-front.yml"
    workflow.write_text(workflow.read_text().replace("--build-secret SENTRY_AUTH_TOKEN", "--build-secret SENTRY_TOKEN"))
    messages = [d.message for d in codes_in(root)["HOP345"]]
    assert any("mounts build secret 'SENTRY_AUTH_TOKEN'" in m for m in messages)
    assert any("passes --build-secret SENTRY_TOKEN" in m for m in messages)


def test_expose_mismatch(tmp_path: Path) -> None:
    from fly_read_fixtures import API_TOML
    root = write_setup(tmp_path, api_toml=API_TOML.replace("  PORT = '3000'\n", "").replace("internal_port = 3000", "internal_port = 8080"))
    (diag,) = codes_in(root)["HOP343"]
    assert diag.location.file == "api/fly.toml"


def test_duplicate_app_names(tmp_path: Path) -> None:
    from fly_read_fixtures import FRONT_TOML
    root = write_setup(tmp_path, front_toml=FRONT_TOML.replace("shop-front", "shop-api"))
    assert "HOP354" in codes_in(root)


def test_cli_exit_codes(tmp_path: Path) -> None:
    root = write_setup(tmp_path / "ok")
    assert run_cli("validate", root).code == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "fly.toml").write_text("app = 'a'\nprimary_region = 'sea'\n")
    result = run_cli("validate", bad)
    assert result.code != 0
    assert "HOP332" in result.stderr + result.stdout


def test_every_error_rule_is_an_error() -> None:
    from hopper.diagnostics import CODES
    for name, _text, code, _line in RULES:
        assert code in CODES, name
    assert CODES["HOP332"].severity is Severity.ERROR
