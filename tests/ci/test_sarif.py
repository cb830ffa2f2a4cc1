"""``--format sarif`` (validate, diff, convert --dry-run): SARIF 2.1.0 that validates against the
OASIS schema (vendored in tests/schemas), with rules that link to the docs, repository-relative
locations, suppressions for acknowledged findings, and byte-for-byte deterministic output."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from diff_builders import all_cases

from hopper.diff import diff_models
from hopper.report.sarif import doc_page, doc_pages, help_uri, render_sarif
from support import ROOT, SAMPLES, copy_tree, run_cli

SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SAMPLE_NAMES = ("compose-webapp", "monorepo-webapp", "clevercloud-webapp")


def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def check_sarif(text: str) -> dict[str, Any]:
    """``text`` is one SARIF 2.1.0 document valid under the schema; returned parsed."""
    doc: dict[str, Any] = json.loads(text)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        for loc in result.get("locations", []):
            artifact = loc["physicalLocation"]["artifactLocation"]
            if "uriBaseId" in artifact:
                assert artifact["uriBaseId"] == "%SRCROOT%"
                assert not artifact["uri"].startswith(("/", "../")), artifact
    return doc


def _results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["runs"][0]["results"])


def _uris(doc: dict[str, Any]) -> list[str]:
    return [loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in _results(doc) for loc in r.get("locations", [])]


def test_the_vendored_schema_is_the_published_one() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout holding the samples, the current folder at its root (as in a CI job)."""
    root = tmp_path / "repo"
    for name in SAMPLE_NAMES:
        copy_tree(SAMPLES / name, root / "samples" / name)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(("sample", "target"), [
    ("compose-webapp", "fly"), ("monorepo-webapp", "fly"), ("clevercloud-webapp", "fly"),
    ("compose-webapp", "clevercloud"), ("clevercloud-webapp", "compose"),
])
def test_every_sample_diff_and_validate_give_valid_sarif(repo: Path, sample: str, target: str) -> None:
    out = f"deploy/{target}"
    assert run_cli("-q", "convert", f"samples/{sample}", "--to", target, "--out", out).code == 0
    diff = run_cli("-q", "diff", f"samples/{sample}", out, "--format", "sarif")
    assert diff.code == 0, diff.stderr
    doc = check_sarif(diff.stdout)
    assert _results(doc), "a conversion always has findings"
    for uri in _uris(doc):
        assert (repo / uri).is_file(), uri  # named from the repository root, as upload-sarif needs
    if target == "fly":
        validate = run_cli("-q", "validate", out, "--source", f"samples/{sample}", "--format", "sarif")
        assert validate.code == 0, validate.stderr
        vdoc = check_sarif(validate.stdout)
        for uri in _uris(vdoc):
            assert (repo / uri).is_file(), uri
        assert all(r["level"] == "note" for r in _results(vdoc))  # a set hopper wrote is valid
    dry = run_cli("-q", "convert", f"samples/{sample}", "--to", target, "--dry-run", "--format", "sarif")
    assert dry.code == 0, dry.stderr
    ddoc = check_sarif(dry.stdout)
    # The dry run's files do not exist yet: its locations are the source's files.
    for uri in _uris(ddoc):
        assert uri.startswith(f"samples/{sample}/") and (repo / uri).is_file(), uri


@pytest.mark.parametrize("case", sorted(all_cases()))
def test_every_handmade_plan_gives_valid_sarif(case: str) -> None:
    check_sarif(render_sarif(diff_models(*all_cases()[case])))


BROKEN_FLY = """\
app = 'shop-api'
primary_region = 'cgd'

[http_service]
  internal_prot = 8080
"""


def test_validate_errors_carry_level_line_column_and_docs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "deploy" / "api").mkdir(parents=True)
    (repo / "deploy" / "api" / "fly.toml").write_text(BROKEN_FLY, encoding="utf-8")
    result = run_cli("-q", "validate", "deploy", "--format", "sarif")
    assert result.code == 1  # the exit code does not depend on the format
    doc = check_sarif(result.stdout)
    by_rule = {r["ruleId"]: r for r in _results(doc)}
    region = by_rule["HOP333"]
    assert region["level"] == "error"
    where = region["locations"][0]["physicalLocation"]
    assert where["artifactLocation"] == {"uri": "deploy/api/fly.toml", "uriBaseId": "%SRCROOT%"}
    assert where["region"]["startLine"] == 2
    assert "did you mean 'cdg'?" in region["message"]["text"]
    typo = by_rule["HOP302"]
    assert typo["level"] == "warning" and typo["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["HOP333"]["helpUri"].endswith("/docs/validate.md")
    assert rules["HOP333"]["shortDescription"]["text"]
    # From a subfolder the paths are still the repository root's.
    (repo / "ci").mkdir()
    monkeypatch.chdir(repo / "ci")
    assert run_cli("-q", "validate", "../deploy", "--format", "sarif").stdout == result.stdout


def test_validate_path_prefix_outside_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "fly.toml").write_text(BROKEN_FLY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("-q", "validate", ".", "--format", "sarif", "--path-prefix", "infra")
    assert set(_uris(check_sarif(result.stdout))) == {"infra/api/fly.toml"}


def test_rules_link_to_the_docs_that_describe_them(repo: Path) -> None:
    assert run_cli("-q", "convert", "samples/compose-webapp", "--to", "fly", "--out", "deploy").code == 0
    doc = check_sarif(run_cli("-q", "diff", "samples/compose-webapp", "deploy", "--format", "sarif").stdout)
    findings = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "hopper" and driver["version"]
    for rule in driver["rules"]:
        if rule["id"].startswith("HD"):
            assert rule["helpUri"].endswith(f"/docs/findings.md#{rule['id'].lower()}")
            assert f"### {rule['id']}\n" in findings
            assert rule["name"] and "{" not in rule["shortDescription"]["text"]
        assert rule["help"]["text"].endswith(rule["helpUri"])


def _import_everything() -> None:
    import importlib
    import pkgutil

    import hopper

    for info in pkgutil.walk_packages(hopper.__path__, "hopper."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def test_each_docs_page_named_for_a_code_range_lists_its_codes() -> None:
    """The helpUri of a HOP code opens the page that documents it (or errors.md, which says
    where format-specific codes are listed, for a code outside every range)."""
    from hopper.diagnostics import CODES

    _import_everything()
    pages = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")}
    assert {page for *_, page in doc_pages()} <= set(pages)
    wrong = [(c, doc_page(c)) for c in sorted(CODES) if not re.search(rf"\b{c}\b", pages[doc_page(c)])]
    assert not wrong, f"codes whose SARIF helpUri page does not list them (give them a range in their format's Platform.doc_pages, or in _DOC_PAGES in src/hopper/report/sarif.py): {wrong}"
    assert help_uri("HD201").endswith("#hd201") and doc_page("HOP999") == "errors.md"


# The pages each code linked to before the formats declared their own ranges
# (Platform.doc_pages): moving the ranges into the formats changed no link.
_PAGES_BEFORE = (
    (1, 99, "errors.md"), (100, 159, "compose-input.md"), (160, 189, "detection.md"),
    (190, 199, "x-hopper.md"), (200, 299, "detection.md"), (300, 359, "validate.md"),
    (360, 369, "fly-input.md"), (370, 373, "validate.md"), (374, 379, "fly-input.md"),
    (380, 399, "validate.md"), (400, 499, "clevercloud.md"), (500, 599, "fly-output.md"),
    (600, 699, "env-scan.md"), (700, 799, "compose-output.md"), (850, 870, "diff.md"),
    (871, 879, "github-action.md"), (900, 949, "render.md"),
    (950, 954, "render.md"),  # the Render range grew later (high availability)
)
_EXCEPTIONS_BEFORE = {**{f"HOP{n}": "detection.md" for n in range(193, 200)},
                      **{f"HOP{n}": "fly-output.md" for n in range(386, 390)}}


def _page_before(code_name: str) -> str:
    if code_name in _EXCEPTIONS_BEFORE:
        return _EXCEPTIONS_BEFORE[code_name]
    number = int(code_name[3:])
    return next((page for first, last, page in _PAGES_BEFORE if first <= number <= last), "errors.md")


def test_the_formats_doc_pages_link_every_code_where_it_linked_before() -> None:
    from hopper.diagnostics import CODES

    _import_everything()
    moved = [(c, _page_before(c), doc_page(c)) for c in sorted(CODES) if c.startswith("HOP")
             and doc_page(c) != _page_before(c)]
    assert not moved
    for number in range(1, 1000):  # codes not declared yet too
        assert doc_page(f"HOP{number:03d}") == _page_before(f"HOP{number:03d}"), number


def test_a_render_and_a_fly_diagnostic_link_their_platform_pages() -> None:
    from hopper.diagnostics import Diagnostic, Location, Severity
    from hopper.formats.fly.plan_runtime import W_VOLUME
    from hopper.formats.render.codes import E_NO_BLUEPRINT
    from hopper.report.sarif import render_diagnostics_sarif

    where = Location(file="render.yaml", line=1, col=1)
    doc = check_sarif(render_diagnostics_sarif((
        Diagnostic(code=E_NO_BLUEPRINT, severity=Severity.ERROR, message="m", location=where),
        Diagnostic(code=W_VOLUME, severity=Severity.WARNING, message="m", location=where))))
    uris = {r["id"]: r["helpUri"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert uris[E_NO_BLUEPRINT].endswith("/docs/render.md"), uris
    assert uris[W_VOLUME].endswith("/docs/fly-output.md"), uris


ACK = """\
acknowledgements:
  - code: HD201
    service: api
    reason: Cold starts are fine for this internal API.
  - code: HD103
    reason: Nothing leaves the EU here.
"""


def test_acknowledged_findings_are_suppressed_and_stale_acks_are_notes(repo: Path) -> None:
    assert run_cli("-q", "convert", "samples/compose-webapp", "--to", "fly", "--out", "deploy").code == 0
    (repo / "hopper.ack.yaml").write_text(ACK, encoding="utf-8")
    doc = check_sarif(run_cli("-q", "diff", "samples/compose-webapp", "deploy", "--format", "sarif").stdout)
    suppressed = [r for r in _results(doc) if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["HD201"]
    assert suppressed[0]["suppressions"] == [{"kind": "external", "status": "accepted",
                                              "justification": "Cold starts are fine for this internal API."}]
    (stale,) = [r for r in _results(doc) if r["ruleId"] == "HOP870"]
    assert stale["level"] == "note" and "HD103" in stale["message"]["text"]
    loc = stale["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "hopper.ack.yaml" and loc["region"]["startLine"] == 5


def test_output_is_deterministic_and_sorted(repo: Path) -> None:
    assert run_cli("-q", "convert", "samples/compose-webapp", "--to", "fly", "--out", "deploy").code == 0
    first = run_cli("-q", "diff", "samples/compose-webapp", "deploy", "--format", "sarif").stdout
    second = run_cli("-q", "diff", "samples/compose-webapp", "deploy", "--format", "sarif").stdout
    assert first == second
    results = _results(json.loads(first))
    keys = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] if r.get("locations") else "")
            for r in results]
    assert keys == sorted(keys)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", first)  # no timestamps
    assert str(repo) not in first  # no absolute paths for files in the repository


def test_secret_values_never_reach_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from support import CANARY

    copy_tree(SAMPLES / "compose-webapp", tmp_path / "app")
    compose = tmp_path / "app" / "compose.yaml"
    text = compose.read_text(encoding="utf-8")
    compose.write_text(re.sub(r"^(\s+POSTGRES_PASSWORD: ).*$", rf"\g<1>{CANARY}", text, count=1, flags=re.M), encoding="utf-8")
    assert CANARY in compose.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("-q", "convert", "app", "--to", "fly", "--dry-run", "--format", "sarif")
    assert result.code == 0, result.stderr
    check_sarif(result.stdout)
    assert CANARY not in result.stdout + result.stderr


def test_sarif_is_refused_where_it_means_nothing() -> None:
    assert run_cli("inspect", str(SAMPLES / "compose-webapp"), "--format", "sarif").code == 64
