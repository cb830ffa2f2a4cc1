"""The compose reader end to end: golden cases, the sample, secrets, hints, lost keys, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hopper import native
from hopper.diagnostics import Diagnostic, InputError, Location
from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.compose.project import ComposeProject
from hopper.formats.compose.reader import read
from hopper.formats.compose.to_model import build_model
from hopper.model import Autostop, Role
from support import CANARY, GOLDEN, SAMPLES, assert_golden, run_cli

CASES = GOLDEN / "compose"
SAMPLE = SAMPLES / "compose-webapp"


def _input(case: str) -> Path:
    return SAMPLE if case == "sample" else CASES / case / "input"


def _render(diagnostics: tuple[Diagnostic, ...]) -> str:
    lines = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        lines.append(d.render())
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden(case: str) -> None:
    result = read(_input(case), ReadOptions(environ={}))
    assert_golden(CASES / case / "model.yaml", native.dump(result.model))
    assert_golden(CASES / case / "diagnostics.txt", _render(result.diagnostics))
    # The native dump is a fixed point.
    assert native.dump(native.load(native.dump(result.model))) == native.dump(result.model)


def _sample() -> ReadResult:
    return read(SAMPLE, ReadOptions(environ={}))


def test_sample_has_all_five_roles_route_bindings_and_secrets() -> None:
    arch = _sample().model
    front, api = arch.service("front"), arch.service("api")
    assert front is not None and front.role is Role.FRONT
    assert api is not None and api.role is Role.API
    assert [d.name for d in arch.databases] == ["db"] and arch.databases[0].version == "16"
    assert [s.name for s in arch.object_stores] == ["minio"]
    assert [b.name for b in arch.object_stores[0].buckets] == ["media"]
    assert arch.service("createbuckets") is None  # folded into the store
    (route,) = front.routes
    assert (route.path_prefix, route.target_service, route.target_port, route.strip_prefix) == \
        ("/api/", "api", 3000, True)
    assert front.static_site is not None and front.static_site.spa_fallback and front.static_site.gzip
    assert "application/javascript" in front.static_site.gzip_types
    assert {(b.variable, b.resource, b.attribute) for b in api.bindings} == {
        ("DATABASE_URL", "db", "uri"), ("S3_ENDPOINT", "minio", "endpoint"), ("S3_BUCKET", "minio", "bucket"),
        ("S3_ACCESS_KEY", "minio", "access_key"), ("S3_SECRET_KEY", "minio", "secret_key")}
    assert "DATABASE_URL" in api.runtime.secret_env and "DATABASE_URL" not in api.runtime.env
    assert arch.databases[0].password_secret == "POSTGRES_PASSWORD"
    assert {s.name for s in arch.secrets} >= {"DATABASE_URL", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD"}
    assert front.public and not api.public


def test_inspect_sample_cli_shows_everything() -> None:
    result = run_cli("inspect", SAMPLE)
    assert result.code == 0, result.stderr
    for text in ("front [front]", "api [api]", "route: /api/ -> api:3000", "db [postgresql 16]",
                 "minio [minio]", "binding: DATABASE_URL = db.uri (secret)", "POSTGRES_PASSWORD"):
        assert text in result.stdout


def test_canary_secret_from_dotenv_never_leaks(tmp_path: Path) -> None:
    project = shutil.copytree(SAMPLE, tmp_path / "webapp")
    env = (SAMPLE / ".env.example").read_text(encoding="utf-8")
    lines = [f"{line.split('=', 1)[0]}={CANARY}" if "PASSWORD" in line else line for line in env.splitlines()]
    (project / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for fmt in ("text", "yaml", "json"):
        res = run_cli("--verbose", "inspect", project, "--format", fmt, "--with-origin")
        assert res.code == 0, res.stderr
        outputs += [res.stdout, res.stderr]
    assert CANARY not in "\n".join(outputs)
    # The value did flow: the digest differs from the one without .env.
    with_env = {s.name: s.digest for s in read(project, ReadOptions(environ={})).model.secrets}
    without = {s.name: s.digest for s in _sample().model.secrets}
    assert with_env["POSTGRES_PASSWORD"] != without["POSTGRES_PASSWORD"]


def test_every_decision_is_reported() -> None:
    messages = [d.message for d in _sample().diagnostics]
    assert "api: role api (api/Dockerfile FROM node:20-alpine; it exposes a port)" in messages
    assert any(m.startswith("front: nginx configuration from front/nginx.conf") for m in messages)
    assert any(m.startswith("createbuckets: folded into object store minio") for m in messages)
    assert not [d for d in _sample().diagnostics if d.severity.value != "info"]


def _project(tmp_path: Path, services: dict[str, dict[str, object]], **extra: object) -> ComposeProject:
    return ComposeProject(
        root=tmp_path, name="hand", files=("compose.yaml",), services=services,  # type: ignore[arg-type]
        volumes=extra.get("volumes", {}), networks={}, secrets=extra.get("secrets", {}),  # type: ignore[arg-type]
        configs={}, extensions=extra.get("extensions", {}),  # type: ignore[arg-type]
        locations={("services", "api", "cap_add"): Location(file="compose.yaml", line=9, col=5)},
        diagnostics=())


def test_hand_built_project(tmp_path: Path) -> None:
    services = {
        "api": {"image": "node:18", "environment": {"PORT": "8080", "API_TOKEN": "x" * 3},
                "ports": [{"target": 8080, "published": "80", "host_ip": None, "protocol": "tcp"}],
                "cap_add": ["NET_ADMIN"], "secrets": [{"source": "stripe", "target": "stripe"}],
                "deploy": {"replicas": 3, "resources": {"limits": {"cpus": 1.5, "memory": 512 * 1024 * 1024}}},
                "x-hopper": {"autostop": "stop", "min_running": 1}},
    }
    result = build_model(_project(tmp_path, services, secrets={"stripe": {"file": "./stripe.txt"}},
                                  extensions={"x-hopper": {"region": "fly:ams"}}))
    api = result.model.service("api")
    assert api is not None and api.role is Role.API and api.runtime.port == 8080 and api.public
    assert api.runtime.secret_env == ("API_TOKEN",) and api.runtime.env == {"PORT": "8080"}
    s = api.scaling
    assert (s.min_instances, s.max_instances, s.cpus, s.memory_mb, s.autostop, s.min_running) == \
        (3, 3, 1.5, 512, Autostop.STOP, 1)
    secrets = {x.name: x for x in result.model.secrets}
    assert secrets["stripe"].source == "compose_secret" and secrets["stripe"].used_by == ("api",)
    assert result.model.placement.primary is not None
    assert result.model.placement.primary.code == "ams"
    lost = [d for d in result.diagnostics if d.message.startswith("services.api.cap_add")]
    assert lost and lost[0].severity.value == "warning" and str(lost[0].location) == "compose.yaml:9:5"


def test_bad_package_json_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text('{\n  "name": "api",\n}\n')
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: ./api\n")
    with pytest.raises(InputError) as info:
        read(tmp_path, ReadOptions(environ={}))
    assert (info.value.path, info.value.line) == ("api/package.json", 3)


def test_bad_nginx_config_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text("server {\n  listen 80;\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    volumes:\n      - ./nginx.conf:/etc/nginx/conf.d/default.conf\n")
    with pytest.raises(InputError) as info:
        read(tmp_path, ReadOptions(environ={}))
    assert info.value.path == "nginx.conf" and info.value.line == 2


def test_nginx_config_through_compose_configs(tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text("server { listen 8000; location /api/ { proxy_pass http://backend:9000; } }")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    configs:\n      - source: site\n"
        "        target: /etc/nginx/conf.d/site.conf\n"
        "  backend:\n    image: node:20\n    expose: ['9000']\n"
        "configs:\n  site:\n    file: ./site.conf\n")
    arch = read(tmp_path, ReadOptions(environ={})).model
    web = arch.service("web")
    assert web is not None and web.runtime.port == 8000
    assert [(r.path_prefix, r.target_service, r.target_port, r.strip_prefix) for r in web.routes] == \
        [("/api/", "backend", 9000, False)]


def test_build_arg_that_looks_secret_becomes_a_build_secret(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text(
        "FROM node:20\nARG NPM_TOKEN\nRUN --mount=type=secret,id=sentry echo\nEXPOSE 3000\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build:\n      context: ./api\n      args:\n        NPM_TOKEN: abc\n        MODE: prod\n")
    result = read(tmp_path, ReadOptions(environ={}))
    api = result.model.service("api")
    assert api is not None and api.build is not None
    assert dict(api.build.args) == {"MODE": "prod"} and api.build.secrets == ("sentry",)
    secrets = {s.name: s for s in result.model.secrets}
    assert secrets["NPM_TOKEN"].build_time and secrets["sentry"].build_time
    assert any(d.code == "HOP184" for d in result.diagnostics)


def test_ignored_service_and_bad_hints(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "x-hopper:\n  region: atlantis\n  bogus: 1\nservices:\n  a:\n    image: redis\n"
        "    x-hopper: {ignore: true}\n  b:\n    image: node:20\n    x-hopper: {role: wizard, port: 99999}\n")
    result = read(tmp_path, ReadOptions(environ={}))
    assert [s.name for s in result.model.services] == ["b"]
    codes = [d.code for d in result.diagnostics if d.severity.value == "warning"]
    assert codes.count("HOP190") == 4  # bogus key, unknown region, bad role, bad port
