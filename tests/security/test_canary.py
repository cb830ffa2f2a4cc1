"""Row 32: a canary secret planted in every secret-carrying input never appears in stdout,
stderr, reports, generated files or --debug output, for every command, input format and output
format, nor when hopper crashes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from security_support import all_text, build_tree, cli

from support import CANARY, SAMPLES, copy_tree

COMPOSE = {
    "compose.yaml": (
        "services:\n"
        "  api:\n    build: ./api\n    env_file: api.env\n    ports: ['3000:3000']\n"
        "    environment:\n      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app\n"
        "      SESSION_SECRET: ${SESSION_SECRET}\n      NOTE: hello\n"
        "    secrets: [db_pw]\n"
        "  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"
        # Issue 20's shapes: a credential on a command line, in a URL's path or query.
        f"  cache:\n    image: redis:7\n    command: redis-server --requirepass {CANARY}\n"
        # The user's own variable on a command line: the name stays, the value (.env) never moves.
        "  sessions:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD}\n"
        "  queue:\n    image: redis:7\n    command: [redis-server, '--masterauth=${REDIS_PASSWORD:-dev}']\n"
        f"  worker:\n    image: node:20\n    command: [node, worker.js, '--token={CANARY}', -p{CANARY}]\n"
        f"    environment:\n      SLACK_WEBHOOK_URL: https://hooks.slack.com/services/T0/B0/{CANARY}\n"
        f"      NOTIFY_URL: 'https://example.com/hook?x=1&token={CANARY}'\n"
        "secrets:\n  db_pw:\n    file: ./db_pw.txt\n"),
    ".env": f"POSTGRES_PASSWORD={CANARY}\nSESSION_SECRET={CANARY}\nREDIS_PASSWORD={CANARY}\n",
    "api.env": f"API_KEY={CANARY}\nSTRIPE_TOKEN={CANARY}\n",
    "db_pw.txt": CANARY + "\n",
    "api/Dockerfile": 'FROM node:20\nCMD ["node", "server.js"]\n',
    "api/package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n',
    "api/server.js": "const url = process.env.DATABASE_URL;\n",
}
FLY = {
    "fly.toml": f'app = "web"\nprimary_region = "cdg"\n[env]\n  SECRET_KEY = "{CANARY}"\n  DATABASE_URL = "postgres://u:{CANARY}@h/db"\n'
                f'  SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T0/B0/{CANARY}"\n'
                f'  NOTIFY_URL = "https://example.com/hook?token={CANARY}"\n'
                f'[build.args]\n  NPM_TOKEN = "{CANARY}"\n'
                f'[deploy]\n  release_command = "migrate --password {CANARY} && echo done"\n'
                f'[processes]\n  app = "node server.js"\n  worker = "worker --token={CANARY}"\n'
                '[http_service]\n  internal_port = 8080\n  processes = ["app"]\n',
    "fly-secrets/web.env": f"API_KEY={CANARY}\n",
    "Dockerfile": f'FROM node:20\nARG TOKEN={CANARY}\nCMD ["node", "server.js"]\n',
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("canary")
    (base / "c").mkdir()
    (base / "f").mkdir()
    clever = copy_tree(SAMPLES / "clevercloud-webapp", base / "clever")
    (clever / "terraform" / "terraform.tfvars").write_text(f'session_secret = "{CANARY}"\n', encoding="utf-8")
    # Issue 20's shapes in Clever Cloud hooks and run command, and a webhook URL.
    env_json = clever / "export" / "apps" / "api" / "env.json"
    text = env_json.read_text(encoding="utf-8")
    text = text.replace('{"name": "CC_RUN_COMMAND", "value": "node server.js"},',
                        f'{{"name": "CC_PRE_RUN_HOOK", "value": "npm run migrate -- --password={CANARY}"}},\n'
                        f'    {{"name": "CC_RUN_COMMAND", "value": "node server.js --token {CANARY}"}},\n'
                        f'    {{"name": "SLACK_WEBHOOK_URL", "value": "https://hooks.slack.com/services/T0/B0/{CANARY}"}},')
    assert "CC_PRE_RUN_HOOK" in text
    env_json.write_text(text, encoding="utf-8")
    assert CANARY in (clever / "export" / "apps" / "api" / "env.json").read_text(encoding="utf-8")
    return {"compose": build_tree(base / "c", COMPOSE), "fly": build_tree(base / "f", FLY),
            "clevercloud": clever / "export", "clevercloud-tf": clever / "terraform"}


SOURCES = ["compose", "fly", "clevercloud", "clevercloud-tf"]
GLOBAL = ["--debug", "--verbose"]


def _clean(*args: str | Path) -> None:
    result = cli(*GLOBAL, *args)
    assert CANARY not in result.stdout, args
    assert CANARY not in result.stderr, args
    assert result.code in (0, 1, 2), (args, result.stderr)


def _grid(*axes: list[str] | tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every combination of the axes, as a list (pytest wants a collection, not an iterator)."""
    return list(itertools.product(*axes))


@pytest.mark.parametrize(("source", "fmt"), _grid(SOURCES, ["text", "yaml", "json", "mermaid"]))
def test_inspect(source: str, fmt: str, projects: dict[str, Path]) -> None:
    _clean("inspect", "--format", fmt, "--with-origin", "--scan-code", projects[source])


@pytest.mark.parametrize(("source", "target", "fmt"),
                         _grid(SOURCES, ["fly", "compose", "clevercloud"], ["text", "markdown", "json", "github"]))
def test_convert_dry_run(source: str, target: str, fmt: str, projects: dict[str, Path]) -> None:
    _clean("convert", projects[source], "--to", target, "--dry-run", "--format", fmt)


@pytest.mark.parametrize(("source", "target"), _grid(SOURCES, ["fly", "compose", "clevercloud"]))
def test_convert_writes_no_canary(source: str, target: str, projects: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    _clean("convert", projects[source], "--to", target, "--out", out)
    assert out.is_dir() and CANARY not in all_text(out)


@pytest.mark.parametrize(("pair", "fmt"), _grid(
    [("compose", "fly"), ("fly", "clevercloud"), ("clevercloud", "compose"), ("clevercloud-tf", "clevercloud")],
    ["text", "markdown", "json", "github"]))
def test_diff(pair: tuple[str, str], fmt: str, projects: dict[str, Path]) -> None:
    _clean("diff", projects[pair[0]], projects[pair[1]], "--format", fmt, "--detailed-exitcode", "--scan-code")


def test_validate_and_rewrite_env(projects: dict[str, Path]) -> None:
    _clean("validate", projects["fly"])
    _clean("rewrite-env", projects["compose"], "--to", "fly")


@pytest.mark.parametrize("debug", [False, True])
def test_induced_internal_error_does_not_print_input_values(debug: bool, projects: dict[str, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug whose exception message carries an input value (``int('p4ssw0rd')`` style) exits 3
    and prints neither the value nor, without --debug, a traceback."""
    import hopper.diff

    def crash(*_args: object, **_kwargs: object) -> None:
        raise ValueError(f"invalid literal for int() with base 10: '{CANARY}'")

    monkeypatch.setattr(hopper.diff, "diff_models", crash)
    args = ["--debug"] if debug else []
    result = cli(*args, "diff", projects["compose"], projects["fly"])
    assert result.code == 3
    assert "internal error: ValueError" in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert ("Traceback" in result.stderr) is debug
