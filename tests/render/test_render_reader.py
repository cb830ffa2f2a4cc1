"""The Render reader and round trips: render.yaml back into the model (bindings from
fromDatabase/fromService), the writer as a fixed point through the reader, the samples to Render
and back to compose with every loss named, detection, and bad input."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from crossformat import carried, differences, explained
from render_tools import SOURCES, convert, read_back, tree

from hopper import api
from hopper.diagnostics import HopperError
from hopper.formats import detect_format
from hopper.formats.base import WriteOptions
from hopper.formats.compose.writer import write as write_compose
from hopper.formats.render.writer import write as write_render
from support import run_cli

CASES = [(name, front) for name in sorted(SOURCES) for front in ("nginx", "static")]


@pytest.mark.parametrize(("name", "front"), CASES)
def test_writer_is_a_fixed_point_through_the_reader(name: str, front: str) -> None:
    first = dict(convert(name, front=front).files)
    model = read_back(first).model
    second = dict(write_render(model, WriteOptions(extra={"front": front})).files)
    source, fmt = SOURCES[name]
    if api.load(source, fmt=fmt).model.object_stores:
        # The first write drops the store (HOP927): the runbook's section on it goes with it.
        assert "## Object storage stays where it is" in first.pop("RENDER.md")
        second.pop("RENDER.md")
    assert sorted(second) == sorted(first)
    diffs = ["".join(difflib.unified_diff(first[n].splitlines(True), second[n].splitlines(True), n, n))
             for n in sorted(first) if first[n] != second[n]]
    assert not diffs, "\n".join(diffs)


def test_bindings_are_recovered() -> None:
    model = read_back(dict(convert("clevercloud-webapp").files)).model
    api_ = model.service("api")
    assert api_ is not None
    bound = {b.variable: (b.resource, b.attribute, b.secret) for b in api_.bindings}
    assert bound["POSTGRESQL_ADDON_URI"] == ("db", "uri", True)
    assert bound["POSTGRESQL_ADDON_PORT"] == ("db", "port", False)
    assert "SESSION_SECRET" in api_.runtime.secret_env
    assert model.database("db") is not None and model.source_format == "render"
    front = model.service("front")
    assert front is not None and [r.target_service for r in front.routes] == ["api"]


@pytest.mark.parametrize(("name", "front"), CASES)
def test_samples_to_render_and_back_to_compose(name: str, front: str) -> None:
    """source -> model (m1) -> render -> model (m2) -> compose -> model (m3): every difference on
    the fields both formats carry is named by a diagnostic on the way."""
    source, fmt = SOURCES[name]
    m1 = api.load(source, fmt=fmt).model
    written = write_render(m1, WriteOptions(extra={"front": front}))
    m2 = read_back(dict(written.files))
    silent = explained(differences(m1, m2.model, carried(fmt, "render")),
                       written.diagnostics + m2.diagnostics)
    assert not silent, f"differences without a diagnostic: {silent}"
    compose = write_compose(m2.model, WriteOptions())
    folder = tree(dict(compose.files))
    m3 = api.load(folder, fmt="compose")
    silent = explained(differences(m2.model, m3.model, carried("render", "compose")),
                       compose.diagnostics + m3.diagnostics)
    assert not silent, f"render -> compose: differences without a diagnostic: {silent}"


def test_detection(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    (tmp_path / "render.yaml").write_text("services: []\n", encoding="utf-8")
    assert detect_format(tmp_path) == "render"
    (tmp_path / "render.yaml").rename(tmp_path / "render.yml")
    assert detect_format(tmp_path) == "render"


def test_bad_blueprint_is_an_error_with_a_location(tmp_path: Path) -> None:
    (tmp_path / "render.yaml").write_text("services:\n  - name: api\n    envVars: 3\n", encoding="utf-8")
    with pytest.raises(HopperError) as err:
        api.load(tmp_path, fmt="render")
    assert err.value.code == "HOP901" and err.value.line == 3
    (tmp_path / "render.yaml").write_text("- 1\n", encoding="utf-8")
    with pytest.raises(HopperError) as err:
        api.load(tmp_path, fmt="render")
    assert err.value.code == "HOP901"


def test_unknown_references_and_keys_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "render.yaml").write_text(
        "previews:\n  generation: automatic\n"
        "services:\n  - type: web\n    name: api\n    runtime: node\n    buildCommand: npm ci\n"
        "    startCommand: node s.js\n    envVars:\n"
        "      - key: DATABASE_URL\n        fromDatabase: {name: nope, property: connectionString}\n",
        encoding="utf-8")
    result = api.load(tmp_path, fmt="render")
    assert {"HOP902", "HOP903"} <= {d.code for d in result.diagnostics}


def test_cli_option_chooses_the_front_and_refuses_unknown_ones(tmp_path: Path) -> None:
    source, _ = SOURCES["compose-webapp"]
    ok = run_cli("convert", source, "--to", "render", "--option", "front=static", "--out", tmp_path / "o")
    assert ok.code == 0, ok.stderr
    assert "runtime: static" in (tmp_path / "o" / "render.yaml").read_text(encoding="utf-8")
    bad = run_cli("convert", source, "--to", "render", "--option", "front=cdn", "--dry-run")
    assert bad.code == 64 and "front" in bad.stderr
    other = run_cli("convert", source, "--to", "fly", "--option", "front=static", "--dry-run")
    assert other.code == 64 and "no option" in other.stderr


def test_dry_run_plan_says_what_the_front_choice_changes() -> None:
    source, _ = SOURCES["compose-webapp"]
    static = run_cli("convert", source, "--to", "render", "--option", "front=static", "--dry-run")
    assert static.code == 0, static.stderr
    assert "HD903" in static.stdout
    # The URL the Blueprint's rewrite names: the API's Render name, with the project prefix.
    assert "/api/* -> https://webapp-api.onrender.com (public)" in static.stdout
    assert "https://api.onrender.com" not in static.stdout
    nginx = run_cli("convert", source, "--to", "render", "--dry-run")
    assert "HD904" in nginx.stdout


def test_the_plan_says_how_render_builds_each_kind_of_front() -> None:
    """The nginx front is a Docker build of the Dockerfile hopper writes (runtime: docker), not a
    build from source: the plan's HD701 must say so; a static site does build from source."""
    source, _ = SOURCES["compose-webapp"]
    nginx = run_cli("convert", source, "--to", "render", "--dry-run")
    assert nginx.code == 0, nginx.stderr
    assert ("Dockerfile front/Dockerfile -> Dockerfile render/front/Dockerfile, written by hopper "
            "(node 20 with npm, then nginx)") in nginx.stdout
    assert "(platform build)" not in nginx.stdout
    static = run_cli("convert", source, "--to", "render", "--option", "front=static", "--dry-run")
    assert static.code == 0, static.stderr
    assert "Dockerfile front/Dockerfile -> node with npm (platform build)" in static.stdout


def test_an_unreadable_checkout_file_is_named_not_swallowed(tmp_path: Path) -> None:
    """A broken package.json of a runtime: node service and a missing front Dockerfile are each
    a HOP952 warning naming the file (and line), and the Blueprint is still read."""
    source, _ = SOURCES["monorepo-webapp"]
    project = tmp_path / "project"
    shutil.copytree(source, project)
    for rel, text in convert("monorepo-webapp", front="nginx").files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    (project / "apps" / "api" / "package.json").write_text('{"name": \n', encoding="utf-8")
    (project / "render" / "front" / "Dockerfile").unlink()
    result = api.load(project, fmt="render")
    found = {(d.location.file if d.location else None, d.location.line if d.location else None)
             for d in result.diagnostics if d.code == "HOP952"}
    assert ("apps/api/package.json", 2) in found, result.diagnostics
    assert any(f == "render/front/Dockerfile" for f, _ in found), result.diagnostics
    assert {s.name for s in result.model.services} >= {"api", "front"}
