"""Issue 14, class 12: the Fly set sits beside the source setup without breaking it.

The set is laid out as the repository's root, and the compose or Clever Cloud setup must keep
running from the same repository until the cut-over: no file of the set may take the path of a
file of the source (`front/Dockerfile`, `front/nginx.conf`, `.dockerignore` were replaced
before). hopper's files carry names of their own that fly.toml and the Dockerfile name
(`Dockerfile.fly`, `Dockerfile.fly.dockerignore`, `nginx.fly.conf`), the Fly reader finds them
through those references, MIGRATION.md says where each goes, and `hopper validate` reports an
ignore file that is missing (HOP395) and a set file that would replace a repository file (HOP396).
"""

from __future__ import annotations

import posixpath
import tomllib
from pathlib import Path

import pytest
from fly_writer_tools import materialise

from hopper import api
from hopper.diagnostics import HopperError, Severity
from hopper.formats.base import ReadOptions
from hopper.formats.fly.setfiles import DOCKERFILE, IGNOREFILE, NGINX_CONF, RUNBOOK
from hopper.formats.fly.validate import validate_path
from support import CORPUS, SAMPLES, copy_tree, corpus_params, run_cli

SAMPLE_NAMES = ["compose-webapp", "clevercloud-webapp", "monorepo-webapp"]
_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
# The only path of the set a repository may already hold: hopper's own app config.
HOPPER_OWNED = frozenset({"fly.toml"})


def _corpus_sources() -> list[Path]:
    compose = sorted(p for p in (CORPUS / "compose").rglob("*") if p.name in _COMPOSE_NAMES)
    clever = sorted(p for p in (CORPUS / "clevercloud").iterdir() if p.is_dir())
    return compose + clever


def _converted(source: Path) -> tuple[dict[str, str], Path]:
    read = api.load(source, options=ReadOptions(scan_code=False))
    root = read.root or (source if source.is_dir() else source.parent)
    return dict(api.convert(source, "fly", read_options=ReadOptions(scan_code=False)).files), root


def _source_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def _assert_beside(files: dict[str, str], root: Path) -> None:
    overwritten = sorted(rel for rel in files
                         if rel != RUNBOOK and rel in _source_files(root)
                         and posixpath.basename(rel) not in HOPPER_OWNED)
    assert overwritten == [], f"the set would replace source files: {overwritten}"
    # Every file fly.toml names is in the set (or is the repository's own Dockerfile), resolved
    # relative to the fly.toml folder as flyctl does.
    for rel, text in files.items():
        if posixpath.basename(rel) != "fly.toml":
            continue
        build = tomllib.loads(text).get("build") or {}
        folder = posixpath.dirname(rel)
        for key in ("dockerfile", "ignorefile"):
            if key in build:
                named = posixpath.normpath(posixpath.join(folder, build[key]))
                assert named in files or (root / named).is_file(), f"{rel}: [build] {key} {named}"


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_sample_sets_replace_no_source_file(sample: str) -> None:
    files, root = _converted(SAMPLES / sample)
    _assert_beside(files, root)


@pytest.mark.parametrize("source", corpus_params(_corpus_sources, ids=lambda p: str(p.relative_to(CORPUS))))
def test_corpus_sets_replace_no_source_file(source: Path) -> None:
    try:
        files, root = _converted(source)
    except HopperError as err:  # refused with a clean error: nothing written, nothing to lay over
        assert err.code.startswith("HOP")
        return
    _assert_beside(files, root)


def test_compose_front_gets_files_of_its_own_named_from_fly_toml() -> None:
    files, _root = _converted(SAMPLES / "compose-webapp")
    assert {"front/Dockerfile", "front/nginx.conf", "front/.dockerignore", ".dockerignore"}.isdisjoint(files)
    build = tomllib.loads(files["front/fly.toml"])["build"]
    assert (build["dockerfile"], build["ignorefile"]) == (DOCKERFILE, IGNOREFILE)
    assert f'COPY ["front/{NGINX_CONF}", "/etc/nginx/nginx.conf"]' in files[f"front/{DOCKERFILE}"]
    assert "**/.env" in files[f"front/{IGNOREFILE}"]
    # The API keeps the repository's own Dockerfile: referenced, not written.
    assert tomllib.loads(files["api/fly.toml"])["build"]["dockerfile"] == "Dockerfile"
    assert "api/Dockerfile" not in files and f"api/{DOCKERFILE}" not in files


def test_runbook_says_where_each_file_goes() -> None:
    files, _root = _converted(SAMPLES / "compose-webapp")
    runbook = files[RUNBOOK]
    rows = {line.split(" | ")[0].strip("| `"): line for line in runbook.splitlines()
            if line.startswith("| `") and " | " in line}
    assert set(files) - {RUNBOOK} <= set(rows)
    assert "beside your `front/Dockerfile`" in rows[f"front/{DOCKERFILE}"]
    assert "beside your `front/nginx.conf`" in rows[f"front/{NGINX_CONF}"]
    assert "beside your `front/.dockerignore`" in rows[f"front/{IGNOREFILE}"]
    assert "builds your `api/Dockerfile`" in rows["api/fly.toml"]
    assert "compose setup keeps working from the same repository until the cut-over" in runbook


def test_runbook_marks_a_path_the_repository_already_has(tmp_path: Path) -> None:
    source = copy_tree(SAMPLES / "compose-webapp", tmp_path / "repo")
    (source / "front" / "fly.toml").write_text("app = 'old'\n", encoding="utf-8")
    runbook = dict(api.convert(source, "fly", fmt="compose").files)[RUNBOOK]
    assert "| `front/fly.toml` | **replaces** your `front/fly.toml` |" in runbook
    assert "**Copying the set replaces `front/fly.toml`**" in runbook
    assert "keeps working from the same repository" not in runbook


def test_reader_finds_the_nginx_config_through_the_copy_line(tmp_path: Path) -> None:
    files, _root = _converted(SAMPLES / "compose-webapp")
    out = materialise(files, tmp_path / "set")
    front = api.load(out).model.service("front")
    assert front is not None and front.routes and front.static_site is not None
    # Not a name hopper looks for: the COPY line is followed wherever it points.
    (out / "front" / NGINX_CONF).rename(out / "front" / "edge.conf")
    docker = out / "front" / DOCKERFILE
    docker.write_text(docker.read_text().replace(f"front/{NGINX_CONF}", "front/edge.conf"))
    moved = api.load(out).model.service("front")
    assert moved is not None and [r.path_prefix for r in moved.routes] == [r.path_prefix for r in front.routes]
    origins = {r.origin.file for r in moved.routes if r.origin is not None}
    assert origins == {"front/edge.conf"}


def test_validate_reports_a_missing_ignore_file(tmp_path: Path) -> None:
    out = materialise(_converted(SAMPLES / "compose-webapp")[0], tmp_path / "set")
    assert not [d for d in validate_path(out) if d.code == "HOP395"]
    (out / "front" / IGNOREFILE).unlink()
    (diag,) = [d for d in validate_path(out) if d.code == "HOP395"]
    assert diag.severity is Severity.ERROR and diag.location is not None
    assert diag.location.file == "front/fly.toml"
    line = (out / "front" / "fly.toml").read_text().splitlines()[diag.location.line - 1]  # type: ignore[operator]
    assert line.startswith("ignorefile = ")
    assert f"front/{IGNOREFILE}" in diag.message
    result = run_cli("validate", out)
    assert result.code == 1 and "HOP395" in result.stderr
    # The repository given with --source has it: the set may leave it out.
    repo = copy_tree(SAMPLES / "compose-webapp", tmp_path / "repo")
    (repo / "front" / IGNOREFILE).write_text(".git\n", encoding="utf-8")
    assert not [d for d in validate_path(out, source=repo) if d.code == "HOP395"]


def test_validate_reports_a_set_file_that_replaces_a_repository_file(tmp_path: Path) -> None:
    files, _root = _converted(SAMPLES / "compose-webapp")
    out = materialise(files, tmp_path / "set")
    repo = copy_tree(SAMPLES / "compose-webapp", tmp_path / "repo")
    assert not [d for d in validate_path(out, source=repo) if d.code == "HOP396"]
    # The set as hopper wrote it before: its own Dockerfile and nginx config over the front's.
    (out / "front" / "Dockerfile").write_text(files[f"front/{DOCKERFILE}"], encoding="utf-8")
    (out / "front" / "nginx.conf").write_text(files[f"front/{NGINX_CONF}"], encoding="utf-8")
    found = [d for d in validate_path(out, source=repo) if d.code == "HOP396"]
    assert sorted(d.location.file for d in found if d.location) == ["front/Dockerfile", "front/nginx.conf"]
    assert all(d.severity is Severity.WARNING for d in found)
    assert "front/Dockerfile" in found[0].message and "Dockerfile.fly" in (found[0].hint or "")
    strict = run_cli("validate", out, "--source", repo, "--strict")
    assert strict.code != 0 and "HOP396" in strict.stderr
    # The same content, or a file hopper wrote into the repository earlier, is not a loss.
    (repo / "front" / "nginx.conf").write_text(files[f"front/{NGINX_CONF}"], encoding="utf-8")
    (repo / "front" / "Dockerfile").write_text("# Front written by hopper\nFROM nginx\n", encoding="utf-8")
    assert not [d for d in validate_path(out, source=repo) if d.code == "HOP396"]


def test_plan_names_a_service_fly_builds_from_hoppers_dockerfile(tmp_path: Path) -> None:
    from hopper.diff import diff_models  # noqa: PLC0415

    for sample, expected in (("compose-webapp", [("front", "front/Dockerfile", f"front/{DOCKERFILE}")]),
                             ("clevercloud-webapp", [])):
        converted = api.convert(SAMPLES / sample, "fly")
        out = materialise(dict(converted.files), tmp_path / sample)
        plan = diff_models(converted.source, api.load(out, fmt="fly").model)
        found = [(f.subject, f.before, f.after) for f in plan.findings if f.code == "HD416"]
        # The API keeps its own Dockerfile (compose) or never had one (Clever builds from source).
        assert found == expected, sample


def test_a_fly_sources_own_ignore_file_is_carried_from_the_new_folder(tmp_path: Path) -> None:
    # epicweb-dev/epic-stack: the Dockerfile and its ignore file live in other/, named from a
    # fly.toml at the root. Written again, fly.toml moves into the app's folder: both paths
    # still lead to the same files.
    repo = tmp_path / "repo"
    (repo / "other").mkdir(parents=True)
    (repo / "fly.toml").write_text('app = "epic"\nprimary_region = "cdg"\n\n[build]\ndockerfile = "/other/Dockerfile"\n'
                                   'ignorefile = "/other/Dockerfile.dockerignore"\n\n[http_service]\ninternal_port = 8080\n',
                                   encoding="utf-8")
    (repo / "other" / "Dockerfile").write_text('FROM node:22-slim\nEXPOSE 8080\nCMD ["node", "server.js"]\n',
                                              encoding="utf-8")
    (repo / "other" / "Dockerfile.dockerignore").write_text("node_modules\n", encoding="utf-8")
    files = dict(api.convert(repo, "fly").files)
    (config,) = [rel for rel in files if rel.endswith("fly.toml")]
    build = tomllib.loads(files[config])["build"]
    folder = posixpath.dirname(config)
    assert posixpath.normpath(posixpath.join(folder, build["dockerfile"])) == "other/Dockerfile"
    assert posixpath.normpath(posixpath.join(folder, build["ignorefile"])) == "other/Dockerfile.dockerignore"
    out = materialise(files, tmp_path / "set")
    # The set refers to the repository's files: checked with --source, an info without it.
    assert not [d for d in validate_path(out) if d.code == "HOP395"]
    assert not [d for d in validate_path(out, source=repo) if d.code == "HOP395"]
    (repo / "other" / "Dockerfile.dockerignore").unlink()
    assert [d.code for d in validate_path(out, source=repo) if d.code == "HOP395"] == ["HOP395"]
