"""Fuzz the secret shapes of issue 20 through the readers and every writer: a canary written as a
command-line option (``--password X``, ``--requirepass=X``, ``-pX``, quoted, chained with
``&&``), in a URL's user part, query or webhook path, or as a secret-named Fly build argument,
never reaches the model dump, a diagnostic or a written file. Bounded for CI
(``HOPPER_FUZZ_EXAMPLES`` for a long run); findings are kept as explicit examples."""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from security_support import fuzz_examples

from hopper import api, native
from hopper.diagnostics import HopperError
from hopper.formats.base import ReadOptions
from hopper.secrets import scrub_command, scrub_command_line

CANARY = "canary7f3c9e1dsecret"
TARGETS = ("fly", "compose", "clevercloud")

options = st.sampled_from(["--password", "--requirepass", "--token", "--api-key", "--auth-token", "--secret",
                           "--masterauth", "--db-password", "--passphrase"])
joins = st.sampled_from([" ", "="])
quotes = st.sampled_from(["", "'", '"'])
suffix = st.text(alphabet="abcdefXYZ0123456789-_", max_size=8)
words = st.lists(st.sampled_from(["node", "server.js", "migrate", "--port", "3000", "-v", "run", "x"]), max_size=3)
operators = st.sampled_from(["", " && echo ok", "; true", " | cat"])


@st.composite
def command_lines(draw: st.DrawFn) -> str:
    """A shell line with the canary after a credential option (or as ``-p<value>``)."""
    before = " ".join(draw(words))
    value = CANARY + draw(suffix)
    quote = draw(quotes)
    if draw(st.booleans()):
        secret = f"{draw(options)}{draw(joins)}{quote}{value}{quote}"
    else:
        secret = f"-p{quote}{value}{quote}"
    after = " ".join(draw(words))
    return f"{before or 'app'} {secret} {after}".strip() + draw(operators)


@st.composite
def secret_urls(draw: st.DrawFn) -> str:
    value = CANARY + draw(suffix)
    shape = draw(st.sampled_from(["user", "query", "slack", "discord", "long-path"]))
    if shape == "user":
        return f"postgres://app:{value}@db:5432/app"
    if shape == "query":
        key = draw(st.sampled_from(["token", "access_token", "api_key", "sig", "key", "password"]))
        return f"https://example.com/hook?x=1&{key}={value}"
    if shape == "slack":
        return f"https://hooks.slack.com/services/T0/B0/{value}"
    if shape == "discord":
        return f"https://discord.com/api/webhooks/123/{value}"
    return f"https://example.com/h/{value}9Zq8Xw7Vu6Ts5"


def _no_canary(project: Path, fmt: str) -> None:
    try:
        read = api.load(project, fmt=fmt, options=ReadOptions())
    except HopperError as exc:
        assert CANARY not in "\n".join(d.message + (d.hint or "") for d in exc.diagnostics)
        return
    shown = native.dump(read.model, "yaml", with_origin=True) + "\n".join(
        d.message + (d.hint or "") for d in read.diagnostics)
    assert CANARY not in shown, shown
    for target in TARGETS:
        result = api.convert(project, target, fmt=fmt)
        texts = [*result.files.values(), *(d.message + (d.hint or "") for d in result.diagnostics)]
        assert not [t for t in texts if CANARY in t], target


def _project(files: dict[str, str]) -> tempfile.TemporaryDirectory[str]:
    tmp = tempfile.TemporaryDirectory(prefix="hopper-fuzz-shapes-")
    for rel, text in files.items():
        target = Path(tmp.name) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(command_lines())
@example("redis-server --requirepass canary7f3c9e1dsecret")
@example("mysql -uroot -p'canary7f3c9e1dsecret' db && echo ok")
def test_detector_never_keeps_the_value(line: str) -> None:
    scrubbed, moved = scrub_command_line(line, "svc")
    assert CANARY not in scrubbed and moved
    argv, moved_argv = scrub_command(shlex.split(line), "svc")
    assert CANARY not in " ".join(argv) and moved_argv


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(command_lines(), secret_urls())
@example("redis-server --requirepass canary7f3c9e1dsecret", "https://hooks.slack.com/services/T0/B0/canary7f3c9e1dsecret")
def test_compose_command_and_url_shapes(line: str, url: str) -> None:
    compose = {"services": {
        "api": {"image": "node:20", "ports": ["3000:3000"], "command": line,
                "environment": {"NOTIFY_URL": url}},
        "cache": {"image": "redis:7", "command": shlex.split(line) if "&&" not in line else ["true"]},
    }}
    with _project({"compose.yaml": json.dumps(compose)}) as tmp:
        _no_canary(Path(tmp), "compose")


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(command_lines(), command_lines(), secret_urls(), st.sampled_from(["NPM_TOKEN", "SENTRY_AUTH_TOKEN", "API_KEY"]))
@example("migrate --password canary7f3c9e1dsecret", "worker --token=canary7f3c9e1dsecret",
         "https://example.com/?token=canary7f3c9e1dsecret", "NPM_TOKEN")
def test_fly_release_processes_build_args_and_env(release: str, worker: str, url: str, arg: str) -> None:
    toml = (f'app = "web"\nprimary_region = "cdg"\n[build.args]\n  {arg} = {json.dumps(CANARY + "x")}\n'
            f"[deploy]\n  release_command = {json.dumps(release)}\n"
            f'[processes]\n  app = "node server.js"\n  worker = {json.dumps(worker)}\n'
            f"[env]\n  NOTIFY_URL = {json.dumps(url)}\n"
            '[http_service]\n  internal_port = 8080\n  processes = ["app"]\n')
    with _project({"fly.toml": toml, "Dockerfile": 'FROM node:20\nCMD ["node", "server.js"]\n'}) as tmp:
        _no_canary(Path(tmp), "fly")
