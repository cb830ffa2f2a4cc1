"""Unit tests of the three language scanners, with the decoys each must not report."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper.envscan.javascript import rename, scan_js, tokenize
from hopper.envscan.python import PythonSyntaxError, scan_python
from hopper.envscan.shell import scan_dockerfile, scan_shell


def js_names(source: str, *, jsx: bool = True) -> list[str]:
    return [r.name for r in scan_js(source, jsx=jsx).reads]


# ---------------------------------------------------------------------------- JavaScript

@pytest.mark.parametrize(("source", "expected"), [
    ("process.env.A", ["A"]),
    ("process.env?.A", ["A"]),
    ("process?.env?.A", ["A"]),
    ("globalThis.process.env.A", ["A"]),
    ("process.env['A']", ["A"]),
    ('process.env?.["A"]', ["A"]),
    ("process.env[`A`]", ["A"]),
    ("const { A, B: b, 'C': c, D = 1, ...rest } = process.env", ["A", "B", "C", "D"]),
    ("({ A } = process.env)", ["A"]),
    ("const e = process.env; e.A; e['B']", ["A", "B"]),
    ("if ('A' in process.env) {}", ["A"]),
    ("import.meta.env.VITE_A", ["VITE_A"]),
    ("const { VITE_A } = import.meta.env", ["VITE_A"]),
    ("Bun.env.A", ["A"]),
    ("Deno.env.get('A')", ["A"]),
    ("x = `${process.env.A}-${`${process.env.B}`}`", ["A", "B"]),
])
def test_js_patterns(source: str, expected: list[str]) -> None:
    assert js_names(source) == expected


@pytest.mark.parametrize("source", [
    "// process.env.A",
    "/* process.env.A */",
    "'process.env.A'",
    '"process.env.A"',
    "`process.env.A`",
    "x = /process.env.A/g",
    "x = a.process.env.A",  # not the global process
    "process.env.A = 1",  # a write
    "process.env.A += 'x'",
    "foo.env.A",
    "process.env.hasOwnProperty('x')",
    "const el = <p>Don't process.env.A</p>",
    "const el = <p title='process.env.A'>x</p>",
    "#!/usr/bin/env node process.env.A\n",
])
def test_js_decoys(source: str) -> None:
    assert js_names(source) == []


def test_js_division_is_not_a_regex() -> None:
    # After a value, "/" divides: both reads are real, the "/ 2 /" is not a regex literal.
    assert js_names("a = b / 2 / process.env.A; c = (d) / process.env.B") == ["A", "B"]


def test_js_regex_after_keyword_hides_its_text() -> None:
    assert js_names("function f() { return /process.env.A/.test(s) }; process.env.B") == ["B"]


def test_jsx_expressions_are_code_and_generics_are_not_elements() -> None:
    src = "const f = <T,>(x: T) => x;\nconst e = <div a={process.env.A}>{process.env.B}<br/></div>; process.env.C"
    assert js_names(src) == ["A", "B", "C"]


def test_ts_type_assertion_is_not_jsx() -> None:
    assert js_names("const x = <string>process.env.A;", jsx=False) == ["A"]


def test_js_lines_and_dynamic() -> None:
    scan = scan_js("\n\nconst a = process.env.A;\nconst b = process.env[key];\n")
    assert [(r.name, r.line) for r in scan.reads] == [("A", 3)]
    assert scan.dynamic_lines == (4,)


def test_js_escaped_key_is_found_but_not_rewritable() -> None:
    (read,) = scan_js("process.env['\\u0041']").reads
    assert read.name == "A" and not read.rewritable


def test_js_rename_forms() -> None:
    src = "const { A, B: b } = process.env; process.env['C']; process.env.D"
    renamed = {r.name: rename(src, r, "NEW") for r in scan_js(src).reads}
    assert renamed == {"A": "NEW: A", "B": "NEW", "C": "'NEW'", "D": "NEW"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("process.env.AB'\"`/${}<>*\n\\ ()[]=;:,?#x")), max_size=80))
def test_tokenizer_is_total_and_spans_are_in_order(source: str) -> None:
    tokens = tokenize(source)
    assert all(0 <= t.start <= t.end <= len(source) for t in tokens)
    for read in scan_js(source).reads:
        assert 0 <= read.start < read.end <= len(source)


# ---------------------------------------------------------------------------- Python

def py_names(source: str) -> list[str]:
    return [r.name for r in scan_python(source).reads]


@pytest.mark.parametrize(("source", "expected"), [
    ("import os\nos.environ['A']", ["A"]),
    ("import os\nos.environ.get('A')", ["A"]),
    ("import os\nos.environ.setdefault('A', '1')", ["A"]),
    ("import os\nos.getenv('A')", ["A"]),
    ("import os as o\no.getenv('A')", ["A"]),
    ("from os import environ as E\nE['A']", ["A"]),
    ("from os import getenv as g\ng('A')", ["A"]),
    ("import os\nenv = os.environ\nenv.get('A')", ["A"]),
    ("import os\n'A' in os.environ", ["A"]),
    ("import os\nos.environ.get(r'A')", ["A"]),
])
def test_python_patterns(source: str, expected: list[str]) -> None:
    assert py_names(source) == expected


@pytest.mark.parametrize("source", [
    "# os.environ['A']",
    "'os.environ[\"A\"]'",
    "os.environ['A']",  # os never imported
    "import os\ndef f(os):\n    return os.environ['A']",
    "import os\ndef f():\n    os = object()\n    return os.environ['A']",
    "import os\nos = object()\nos.environ['A']",  # may be either: not counted
    "import os\nos.environ['A'] = '1'",
    "import os\ndel os.environ['A']",
    "from mylib import environ\nenviron['A']",
])
def test_python_decoys(source: str) -> None:
    assert py_names(source) == []


def test_python_computed_name_is_dynamic() -> None:
    scan = scan_python("import os\nname = 'A'\nos.environ[name]\nos.getenv(f'X_{name}')\n")
    assert scan.reads == () and scan.dynamic_lines == (3, 4)


def test_python_bytes_and_escaped_literals_are_not_rewritable() -> None:
    reads = scan_python("import os\nos.environ.get('\\x41')\n").reads
    assert [(r.name, r.literal is None) for r in reads] == [("A", True)]


def test_pydantic_settings_prefix_alias_and_v1_env() -> None:
    src = (
        "from pydantic import BaseSettings, Field\n"
        "class S(BaseSettings):\n"
        "    db: str = Field(..., env='DATABASE_URL')\n"
        "    port: int = 8080\n"
        "    class Config:\n"
        "        env_prefix = 'app_'\n"
        "class T(BaseSettings, env_prefix='t_'):\n"
        "    x: int\n"
        "class NotSettings:\n"
        "    y: int\n"
    )
    assert py_names(src) == ["DATABASE_URL", "APP_PORT", "T_X"]


def test_django_environ_defaults() -> None:
    src = ("import environ\nenv = environ.Env()\nenv.db()\nenv.cache()\nenv.email_url()\n"
           "env.db_url(var='PRIMARY_DB')\nenv.read_env()\n")
    assert py_names(src) == ["DATABASE_URL", "CACHE_URL", "EMAIL_URL", "PRIMARY_DB"]


def test_python_syntax_error_has_a_position() -> None:
    with pytest.raises(PythonSyntaxError) as caught:
        scan_python("x = (\n")
    assert caught.value.line is not None


# ---------------------------------------------------------------------------- shell, Dockerfile

def test_shell_reads_and_decoys() -> None:
    src = (
        "#!/bin/sh\n"
        "# $COMMENT\n"
        "echo \"$A ${B:-x} ${#C}\" '$SINGLE' $1 $$ $HOME\n"
        "D=1\n"
        "echo $D\n"
        "cat <<'EOF'\n$QUOTED_HEREDOC\nEOF\n"
        "cat <<EOF\n$HEREDOC\nEOF\n"
        "for I in 1 2; do echo $I; done\n"
    )
    assert [(r.name, r.line) for r in scan_shell(src)] == [
        ("A", 3), ("B", 3), ("C", 3), ("HEREDOC", 10)]


def test_dockerfile_build_and_run_reads() -> None:
    src = (
        "ARG BASE=node:22\n"
        "FROM $BASE\n"
        "ARG TOKEN\n"
        "ENV APP_HOME=/app\n"
        "ENV OTHER=$APP_HOME\n"
        "RUN --mount=type=secret,id=NPM_TOKEN \\\n"
        "    echo $TOKEN $EXTERNAL > /dev/null\n"
        "RUN X=\"$(cat /run/secrets/API_KEY)\" make\n"
        "CMD exec node server.js --port $PORT --home $APP_HOME\n"
        "ENTRYPOINT [\"/bin/sh\", \"-c\", \"$NOT_EXPANDED\"]\n"
    )
    assert [(r.name, r.line, r.build_time) for r in scan_dockerfile(src)] == [
        ("BASE", 1, True), ("TOKEN", 3, True), ("NPM_TOKEN", 6, True), ("EXTERNAL", 7, True),
        ("API_KEY", 8, True), ("PORT", 9, False)]
