"""The bad-input checklist (docs/security.md, ecosystem-and-reliability §2.4) for compose input.

Each bad case is converted with the CLI into a pre-filled --out: it must fail with one clean
``file:line:col: error: ... [HOPnnn]`` line, exit 1, leave --out byte-identical, print nothing
from outside the project, and raise the same error from ``hopper.api.load``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from security_support import Case, build_tree, cli, prepare_out, run_case, snapshot

from hopper.diagnostics import DEFAULT_LIMITS
from support import CANARY


def compose(text: str, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"compose.yaml": text, **extra}


WEB = "services:\n  web:\n    image: nginx:1.27\n"
BOMB = ('a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 9))
        + "services:\n  web:\n    image: nginx\n    labels: *a8\n")

CASES = [
    Case("alias-bomb", compose(BOMB), "HOP103", r"aliases expand to more than \d+ nodes", r"compose\.yaml:1:1", row="1"),
    Case("recursive-alias", compose("a: &x [1, *x]\n" + WEB), "HOP104", "recursive YAML alias", r"compose\.yaml:1:4", row="2"),
    Case("duplicate-key", compose("services:\n  web:\n    image: a\n  web:\n    image: b\n"), "HOP102",
         r"key 'web' already defined at line 2", r"compose\.yaml:4:3", row="4"),
    Case("duplicate-merge-key", compose("x: &a {image: a}\ny: &b {ports: ['80']}\nservices:\n  web:\n    <<: *a\n    <<: *b\n"),
         "HOP102", r"key '<<' already defined at line 5", r"compose\.yaml:6:5", row="4"),
    Case("deep-sequence", compose(WEB + "    labels: " + "[" * 2000 + "]" * 2000 + "\n"), "HOP006",
         "nesting too deep", r"compose\.yaml:4:\d+", row="5"),
    Case("deep-mapping", compose(WEB + "    labels: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n"), "HOP006",
         "nesting too deep", r"compose\.yaml:4:\d+", row="5"),
    Case("file-over-size-cap", compose(WEB + "#" + "x" * DEFAULT_LIMITS.max_file_bytes + "\n"), "HOP004",
         r"larger than \d+ bytes", r"compose\.yaml", row="6"),
    Case("env-file-over-size-cap", compose(WEB + "    env_file: big.env\n", **{"big.env": "A=" + "x" * DEFAULT_LIMITS.max_file_bytes + "\n"}),
         "HOP004", r"big\.env is larger than \d+ bytes", r"big\.env", row="6"),
    Case("invalid-utf8", compose(b"services:\n  web:\n    image: \xff\n"), "HOP003", r"not valid UTF-8 at byte 28",
         r"compose\.yaml:3:12", row="8"),
    Case("nul-byte", compose(b"services:\n  web:\n    image: a\x00\n"), "HOP003", r"#x0000", r"compose\.yaml:3:13", row="8"),
    Case("env-file-invalid-utf8", compose(WEB + "    env_file: bad.env\n", **{"bad.env": b"A=\xff\n"}), "HOP003",
         "UTF-8", r"bad\.env.*", row="8"),
    Case("empty-file", compose(""), "HOP121", "no services defined", r"compose\.yaml", row="10"),
    Case("comments-only", compose("# nothing here\n"), "HOP121", "no services defined", r"compose\.yaml", row="10"),
    Case("unclosed-bracket", compose("services: [\n  web\n"), "HOP101", "YAML syntax error", r"compose\.yaml:3:1", row="11"),
    Case("service-dotdot", compose("services:\n  '..':\n    image: a\n"), "HOP009", r"invalid service name '\.\.'", r"compose\.yaml:2:3", row="14"),
    Case("service-dot", compose("services:\n  '.':\n    image: a\n"), "HOP009", r"invalid service name '\.'", r"compose\.yaml:2:3", row="14"),
    Case("service-option", compose("services:\n  '-rf':\n    image: a\n"), "HOP009", r"invalid service name '-rf'", r"compose\.yaml:2:3", row="14"),
    Case("service-markup", compose("services:\n  'web[/bold]':\n    image: a\n"), "HOP009", "invalid service name", r"compose\.yaml:2:3", row="14, 29"),
    Case("env-key-newline", compose(WEB + "    environment:\n      \"A\\nB\": x\n"), "HOP114", "invalid environment variable name",
         r"compose\.yaml:5:7", row="14"),
    Case("env-key-equals", compose(WEB + "    environment:\n      \"A=B\": x\n"), "HOP114", "invalid environment variable name",
         r"compose\.yaml:5:7", row="14"),
    Case("env-file-traversal", compose(WEB + "    env_file: ../../../../etc/passwd\n"), "HOP002",
         r"env_file '\.\./\.\./\.\./\.\./etc/passwd' resolves outside the project root", r"compose\.yaml:4:5", row="15"),
    Case("env-file-absolute", compose(WEB + "    env_file: /etc/passwd\n"), "HOP002", "outside the project root", r"compose\.yaml:4:5", row="15"),
    Case("env-file-home", compose(WEB + "    env_file: ~/x\n"), "HOP002", "outside the project root", r"compose\.yaml:4:5", row="15"),
    Case("env-file-symlink-out", compose(WEB + "    env_file: evil.env\n"), "HOP002", r"env_file 'evil\.env' resolves outside",
         r"compose\.yaml:4:5", symlinks=[("evil.env", "../outside.txt")], row="16"),
    Case("dockerfile-symlink-out", compose("services:\n  web:\n    build:\n      context: .\n"), "HOP002",
         r"Dockerfile", r"Dockerfile.*", symlinks=[("Dockerfile", "../outside.txt")], row="16"),
    Case("dockerfile-traversal", compose("services:\n  web:\n    build:\n      context: .\n      dockerfile: ../outside.txt\n"),
         "HOP002", "outside the project root", r"compose\.yaml:\d+:\d+|outside\.txt|Dockerfile", row="15"),
    Case("include-outside", compose("include:\n  - ../outside.txt\n" + WEB), "HOP002", r"include '\.\./outside\.txt'",
         r"compose\.yaml:2:5", row="15"),
    Case("include-cycle", compose("include:\n  - b.yaml\n" + WEB, **{"b.yaml": "include:\n  - compose.yaml\nservices:\n  w2:\n    image: a\n"}),
         "HOP126", "include cycle", r"b\.yaml:2:5", row="7"),
    Case("extends-outside", compose("services:\n  web:\n    extends:\n      file: ../outside.txt\n      service: x\n"), "HOP002",
         "outside the project root", r"compose\.yaml:3:5", row="15"),
    # A required variable in compose.yaml is a warning (HOP142, fatal under --strict, see
    # tests/compose/test_lenient.py); inside an env file it still stops the read.
    Case("required-variable", compose(WEB + "    env_file: e.env\n", **{"e.env": "A=${REQUIRED:?must be set}\n"}),
         "HOP111", "REQUIRED: must be set", r"e\.env:1:1", row="34"),
    Case("python-tag", compose("services:\n  web: !!python/object:os.system {}\n"), "HOP105", "unsupported YAML tag", r"compose\.yaml:2:8", row="-"),
    Case("too-many-services", compose("services:\n" + "".join(f"  s{i}:\n    image: a\n" for i in range(10_001))), "HOP010",
         r"more than 10000 services", r"compose\.yaml:1:1", row="limits"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_compose_input(case: Case, tmp_path: Path) -> None:
    started = time.process_time()  # CPU time: a loaded runner does not count
    run_case(case, tmp_path, "compose", "fly")
    assert time.process_time() - started < 10  # two reads; each bounded well under a second


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    from hopper import api
    from hopper.diagnostics import LimitError

    proj = build_tree(tmp_path, compose(BOMB))
    started = time.process_time()  # CPU time: a loaded runner does not count
    with pytest.raises(LimitError):
        api.load(proj, fmt="compose")
    assert time.process_time() - started < 1.0


def _inspect_json(proj: Path) -> dict[str, object]:
    result = cli("inspect", proj, "--format", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_legitimate_anchors_and_merges_equal_the_expanded_form(tmp_path: Path) -> None:
    """Row 3: anchors and ``<<`` merges (single and list) are accepted and mean the same."""
    anchored = ("x-env: &env {NODE_ENV: production}\nx-a: &a {image: 'node:20'}\nx-b: &b {expose: ['3000']}\n"
                "services:\n  api:\n    <<: [*a, *b]\n    environment: *env\n  worker:\n    <<: *a\n    environment:\n      <<: *env\n      ROLE: worker\n")
    expanded = ("services:\n  api:\n    image: 'node:20'\n    expose: ['3000']\n    environment: {NODE_ENV: production}\n"
                "  worker:\n    image: 'node:20'\n    environment: {NODE_ENV: production, ROLE: worker}\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _inspect_json(build_tree(tmp_path / "a", compose(anchored)))
    b = _inspect_json(build_tree(tmp_path / "b", compose(expanded)))
    assert a == b


def test_yaml_1_1_literals_are_kept_as_written(tmp_path: Path) -> None:
    """Row 12: ``off``, ``no``, ``3.10``, ``0755`` stay strings; ``22:22`` is not base 60."""
    proj = build_tree(tmp_path, compose(
        "services:\n  web:\n    image: a\n    ports: [22:22]\n    environment:\n"
        "      DEBUG: off\n      REGION: no\n      VERSION: 3.10\n      MODE: 0755\n"))
    service = _inspect_json(proj)["services"][0]  # type: ignore[index]
    assert service["runtime"]["env"] == {"DEBUG": "off", "REGION": "no", "VERSION": "3.10", "MODE": "0755"}
    assert service["runtime"]["port"] == 22


def test_bom_and_crlf_are_accepted_and_outputs_are_lf_without_bom(tmp_path: Path) -> None:
    """Row 9, for compose.yaml, .env and the Dockerfile."""
    proj = build_tree(tmp_path, {
        "compose.yaml": b"\xef\xbb\xbfservices:\r\n  api:\r\n    build: ./api\r\n    environment:\r\n      GREETING: ${GREETING}\r\n",
        ".env": b"\xef\xbb\xbfGREETING=hello\r\n",
        "api/Dockerfile": b"\xef\xbb\xbfFROM node:20\r\nCMD [\"node\", \"server.js\"]\r\n",
        "api/package.json": b'{"name": "api", "scripts": {"start": "node server.js"}}\r\n',
    })
    out = tmp_path / "out"
    result = cli("convert", proj, "--to", "fly", "--out", out)
    assert result.code == 0, result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf"), path
    assert 'GREETING = "hello"' in (out / "api" / "fly.toml").read_text(encoding="utf-8")


def test_unknown_key_warns_with_line_and_x_extensions_are_silent(tmp_path: Path) -> None:
    """Row 13: a warning with the line (exit 1 under --strict); ``x-*`` says nothing."""
    proj = build_tree(tmp_path, compose("x-anything: {a: 1}\nservices:\n  web:\n    image: nginx:1.27\n    bogus: 1\n    x-note: hi\n"))
    result = cli("inspect", proj)
    assert result.code == 0
    assert "compose.yaml:5:5: warning: unknown service key 'bogus' is ignored [HOP123]" in result.stderr
    assert "x-anything" not in result.stderr and "x-note" not in result.stderr
    strict = cli("inspect", "--strict", proj)
    assert strict.code == 1


def test_remote_build_context_is_recorded_never_fetched(tmp_path: Path) -> None:
    """Row 18: a warning, and no network (the autouse guard fails the test on any connect)."""
    proj = build_tree(tmp_path, compose("services:\n  web:\n    build:\n      context: https://github.com/x/y.git\n"
                                        "  api:\n    build:\n      context: git@github.com:x/y.git\n"))
    result = cli("inspect", proj)
    assert result.code == 0
    assert "[HOP127]" in result.stderr and "not fetched" in result.stderr


def test_env_file_does_not_read_the_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 33: ``LEAK=${AWS_SECRET_ACCESS_KEY}`` in an env file is never filled from the runner."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY)
    proj = build_tree(tmp_path, compose(WEB + "    env_file: app.env\n", **{"app.env": "LEAK=${AWS_SECRET_ACCESS_KEY}\n"}))
    out = tmp_path / "out"
    result = cli("convert", proj, "--to", "fly", "--out", out)
    assert result.code == 0, result.stderr
    assert "[HOP112]" in result.stderr  # "not defined in the env file"
    for text in (result.stdout, result.stderr, *(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())):
        assert CANARY not in text
    assert cli("inspect", "--strict", proj).code == 1


def test_project_dotenv_does_not_read_the_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 33 for the project ``.env`` that feeds interpolation."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY)
    proj = build_tree(tmp_path, compose(WEB + "    environment:\n      GREETING: ${LEAK}\n", **{".env": "LEAK=${AWS_SECRET_ACCESS_KEY}\n"}))
    result = cli("inspect", "--format", "json", proj)
    assert result.code == 0, result.stderr
    assert CANARY not in result.stdout + result.stderr


def test_control_sequences_in_values_are_escaped_in_text_output(tmp_path: Path) -> None:
    """Row 29: ESC/OSC sequences in a value never reach the terminal raw."""
    proj = build_tree(tmp_path, compose(WEB + "    environment:\n      TITLE: \"\\e]0;pwned\\a\\e[2J[/bold]\"\n"))
    for fmt in ("text", "yaml", "json"):
        result = cli("inspect", "--format", fmt, proj)
        assert result.code == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr


def test_failed_read_leaves_out_untouched_even_with_force(tmp_path: Path) -> None:
    proj = build_tree(tmp_path, compose("services: [\n"))
    out = prepare_out(tmp_path)
    before = snapshot(out)
    assert cli("convert", proj, "--to", "fly", "--out", out, "--force").code == 1
    assert snapshot(out) == before
