"""Renderer safety and limits: escaping, colour, caps, secrets, Mermaid ids, the docs."""

from __future__ import annotations

import json
import re

import pytest
from diff_builders import all_cases, arch, svc

from hopper.diff import diff_models
from hopper.findings.docs import render as render_findings_doc
from hopper.findings.table import SPECS
from hopper.model import Binding, Database, Role, Route, Runtime, Secret, secret_digest
from hopper.report import render_mermaid, render_plan
from hopper.report.github import escape_data, escape_property
from hopper.report.markdown import MARKDOWN_LIMIT
from support import CANARY, ROOT

FORMATS = ("text", "markdown", "json", "github")
HOSTILE = "x\x1b[2J\x1b]0;title\x07\n::error::forged|<script>@here`]\"#;\u202e"


def hostile_pair() -> tuple[object, object]:
    before = arch(HOSTILE, "compose",
                  svc(HOSTILE, Role.FRONT, public=True,
                      routes=(Route(path_prefix="/a/" + HOSTILE, target_service="api"),)),
                  svc("api", runtime=Runtime(env={"NOTE": HOSTILE})))
    after = arch(HOSTILE, "compose",
                 svc(HOSTILE, Role.FRONT, public=False),
                 svc("api", runtime=Runtime(env={"NOTE": HOSTILE + "2"})))
    return before, after


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_never_reach_the_output(fmt: str) -> None:
    plan = diff_models(*hostile_pair())  # type: ignore[arg-type]
    text = render_plan(plan, fmt, color=False)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b" in text or fmt == "json"
    if fmt == "json":
        json.loads(text)


def test_github_output_cannot_forge_a_workflow_command() -> None:
    text = render_plan(diff_models(*hostile_pair()), "github", color=False)  # type: ignore[arg-type]
    for line in text.splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice ", "hopper: ")), line
        assert not line.startswith("::error::forged")


def test_github_escaping_rules() -> None:
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_caps_annotations_per_level() -> None:
    many = tuple(svc(f"s{i:02d}", Role.FRONT, public=True) for i in range(25))
    hidden = tuple(svc(f"s{i:02d}", Role.FRONT, public=False) for i in range(25))
    text = render_plan(diff_models(arch("a", "compose", *many), arch("a", "compose", *hidden)),
                       "github", color=False)
    lines = text.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert "15 breaking more findings are not annotated" in text


def test_markdown_escapes_and_stays_under_the_cap() -> None:
    text = render_plan(diff_models(*hostile_pair()), "markdown", color=False)  # type: ignore[arg-type]
    # Outside code spans (where Markdown and HTML are inert) no raw HTML or @mention survives.
    prose = re.sub(r"```mermaid\n.*?```", "", text, flags=re.S)
    prose = re.sub(r"(`+)(?:(?!\1).)+?\1", "", prose)
    assert "<script>" not in prose and "@here" not in prose
    assert "<script>" in text  # shown verbatim inside a code span
    big_b = arch("a", "compose", *(svc(f"service-{i:04d}", Role.FRONT, public=True,
                                      domains=(f"d{i}.example.com",)) for i in range(600)))
    big_a = arch("a", "compose", *(svc(f"service-{i:04d}", Role.FRONT, public=False)
                                   for i in range(600)))
    big = render_plan(diff_models(big_b, big_a), "markdown", color=False)
    assert len(big.encode()) <= MARKDOWN_LIMIT
    assert "not shown (size limit)" in big
    assert "🛑 breaking" in big


def test_text_colour_only_when_asked() -> None:
    plan = diff_models(*all_cases()["category-routing"])
    assert "\x1b[" in render_plan(plan, "text", color=True)
    assert "\x1b[" not in render_plan(plan, "text", color=False)


def test_canary_secret_values_never_appear() -> None:
    before = arch("a", "compose",
                  svc("api", runtime=Runtime(env={"API_TOKEN": CANARY, "DATABASE_URL":
                                                  f"postgres://u:{CANARY}@db/app"},
                                             secret_env=("JWT_SECRET",)),
                      bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri"),)),
                  databases=(Database(name="db"),),
                  secrets=(Secret(name="JWT_SECRET", used_by=("api",),
                                  digest=secret_digest("JWT_SECRET", CANARY)),))
    after = arch("a", "fly",
                 svc("api", runtime=Runtime(env={"API_TOKEN": CANARY + "-new",
                                                 "JWT_SECRET": CANARY,
                                                 "DATABASE_URL": f"postgres://u:{CANARY}2@db/app"})),
                 secrets=(Secret(name="JWT_SECRET", used_by=("api",),
                                 digest=secret_digest("JWT_SECRET", CANARY + "x")),))
    plans = [diff_models(before, after), diff_models(after, before)]
    plans += [diff_models(*case) for case in all_cases().values()]
    for plan in plans:
        assert plan.findings
        for fmt in FORMATS:
            assert CANARY not in render_plan(plan, fmt, color=True)
    codes = {f.code for f in plans[0].findings}
    assert {"HD302", "HD309"} <= codes


def test_mermaid_ids_are_generated_and_labels_quoted() -> None:
    before, _ = hostile_pair()
    text = render_mermaid(before)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    node = re.compile(r'^  (net|[sdo]\d+)(\(\(internet\)\)|\[.*\]|\[\(.*\)\]|\[/.*/\])$')
    edge = re.compile(r'^  (net|[sdo]\d+) (-->|-\.->)(\|"[^"]*"\|)? [sdo]\d+$')
    for line in lines[1:]:
        assert node.match(line) or edge.match(line), line
    assert "\n::" not in text and "<script>" not in text and "\x1b" not in text


def test_every_finding_code_is_documented() -> None:
    doc = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for finding_code, spec in SPECS.items():
        assert f"### {finding_code}\n" in doc, finding_code
        assert spec.slug in doc
    assert doc == render_findings_doc(), "docs/findings.md is stale: python -m hopper.findings.docs"


def test_diff_docs_cover_formats_exit_codes_and_acks() -> None:
    doc = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    for needle in ("--format text", "--format markdown", "--format json", "--format github",
                   "--detailed-exitcode", "--fail-on", "hopper.ack.yaml", "workflow_run",
                   "format_version", "HOP850", "HOP851", "HOP852", "HOP853", "60,000"):
        assert needle in doc, needle
