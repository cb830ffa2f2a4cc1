"""Scanning build contexts: golden reads per fixture context, confinement, skips and limits."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from envscan_fixtures import SHOP, shop_architecture

from hopper.diagnostics import InputError, Limits
from hopper.envscan import scan_architecture, scan_directory, scan_paths
from hopper.model import EnvRead
from support import GOLDEN, SAMPLES, assert_golden

GOLDEN_DIR = GOLDEN / "envscan"


def render(reads: tuple[EnvRead, ...]) -> str:
    return "".join(f"{r.file}:{r.line}\t{r.language}\t{'build' if r.build_time else 'run'}\t{r.name}\n"
                   for r in reads)


@pytest.mark.parametrize("context", ["api", "front", "worker"])
def test_scan_of_each_fixture_context_matches_golden(context: str) -> None:
    assert_golden(GOLDEN_DIR / f"scan-{context}.txt", render(scan_directory(SHOP, context)))


def test_decoys_are_never_reported() -> None:
    names = {r.name for c in ("api", "front", "worker") for r in scan_directory(SHOP, c)}
    decoys = {n for n in names if "DECOY" in n}
    assert decoys == set()
    # writes and deletes are not reads; Vite's own MODE is not an env var
    assert not names & {"WRITTEN_BY_APP", "WRITTEN_BY_WORKER", "DELETED_BY_WORKER", "MODE"}


def test_every_python_pattern_is_found() -> None:
    reads = {(r.file.rsplit("/", 1)[1], r.name) for r in scan_directory(SHOP, "worker")}
    expected = {
        ("db.py", "POSTGRESQL_ADDON_URI"),  # os.environ[...]
        ("db.py", "POSTGRESQL_ADDON_DIRECT_URI"),  # os.environ.get
        ("db.py", "POSTGRESQL_ADDON_HOST"),  # from os import getenv
        ("db.py", "DB_POOL_SIZE"),  # from os import environ as env_vars
        ("db.py", "PGSSLMODE"),  # "X" in os.environ
        ("storage.py", "CELLAR_ADDON_KEY_ID"),  # env = system.environ; env[...]
        ("storage.py", "CELLAR_ADDON_HOST"),  # import os as system; system.getenv
        ("settings.py", "WORKER_CONCURRENCY"),  # pydantic field + env_prefix
        ("settings.py", "REDIS_URL"),  # Field(alias=...)
        ("settings.py", "CC_REGION"),  # AliasChoices
        ("settings.py", "WORKER_SENTRY_DSN"),  # subclass inherits the prefix
        ("settings.py", "CELLAR_ADDON_KEY_ID"),  # field name, no prefix
        ("django_settings.py", "DEBUG"),  # Env(DEBUG=...) and env("DEBUG")
        ("django_settings.py", "DJANGO_SECRET_KEY"),  # env.str
        ("django_settings.py", "DATABASE_URL"),  # env.db() default
        ("django_settings.py", "REDIS_CACHE_URL"),  # env.cache_url("X")
    }
    assert expected <= reads
    assert not any(n in ("INSTANCES", "_CACHE", "WORKER_INSTANCES") for _, n in reads)


def test_every_javascript_pattern_is_found() -> None:
    reads = {(r.file.rsplit("/", 1)[1], r.name, r.build_time)
             for c in ("api", "front") for r in scan_directory(SHOP, c)}
    expected = {
        ("db.ts", "POSTGRESQL_ADDON_URI", False),  # process.env.X
        ("db.ts", "POSTGRESQL_ADDON_HOST", False),  # process.env["X"]
        ("storage.ts", "CELLAR_ADDON_KEY_ID", False),  # destructuring, shorthand
        ("storage.ts", "CELLAR_ADDON_KEY_SECRET", False),  # destructuring, renamed
        ("storage.ts", "MEDIA_BUCKET", False),  # destructuring with a default
        ("storage.ts", "CELLAR_ADDON_HOST", False),  # inside a template substitution
        ("storage.ts", "SCALE_DIVISOR", False),  # after a division, not a regex
        ("server.ts", "INSTANCE_NUMBER", False),  # const env = process.env; env.X
        ("server.ts", "CC_APP_NAME", False),  # process.env?.X
        ("server.ts", "SENTRY_DSN", False),  # "X" in process.env
        ("main.tsx", "VITE_API_URL", True),  # import.meta.env.X
        ("main.tsx", "VITE_SENTRY_DSN", True),  # destructuring import.meta.env
        ("main.tsx", "VITE_TITLE", True),  # JSX expression, bracket form
    }
    assert expected <= reads


def test_dockerfile_and_shell_reads() -> None:
    reads = {(r.file, r.name, r.build_time) for c in ("api", "front") for r in scan_directory(SHOP, c)}
    assert ("api/Dockerfile", "PORT", False) in reads  # CMD shell form expands at run time
    assert ("api/Dockerfile", "NPM_TOKEN", True) in reads  # build secret
    assert ("front/Dockerfile", "VITE_API_URL", True) in reads  # ARG
    assert ("api/scripts/migrate.sh", "POSTGRESQL_ADDON_URI", False) in reads
    assert ("api/Dockerfile", "NODE_ENV", False) not in reads  # set by ENV in the Dockerfile


def test_computed_names_are_reported_not_guessed() -> None:
    result = scan_paths(SHOP, ("api", "worker"))
    dynamic = sorted(str(d.location) for d in result.diagnostics if d.code == "HOP623")
    assert dynamic == ["api/src/server.ts:20", "worker/worker/storage.py:13"]


def test_skips_dependency_and_build_folders(tmp_path: Path) -> None:
    for folder in ("node_modules/pkg", "dist", "build", ".git", "vendor", "src"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "index.js").write_text("process.env.FROM_" + folder.split("/")[0].strip(".").upper() + ";\n")
    names = {r.name for r in scan_directory(tmp_path, ".")}
    assert names == {"FROM_SRC"}


def test_context_outside_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(InputError) as caught:
        scan_directory(tmp_path / "project", "../elsewhere")
    assert caught.value.code == "HOP002"
    with pytest.raises(InputError) as missing:
        scan_directory(tmp_path / "project", "nope")
    assert missing.value.code == "HOP001"


def test_symlinks_leaving_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.js").write_text("process.env.OUTSIDE_READ;\n")
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text("process.env.INSIDE_READ;\n")
    os.symlink(outside / "secret.js", root / "src" / "linked.js")
    os.symlink(outside, root / "src" / "linked-dir")
    result = scan_paths(root, ("src",))
    assert {r.name for r in result.reads} == {"INSIDE_READ"}
    assert [d.code for d in result.diagnostics] == ["HOP624"]
    # a context that is itself a link out of the root is refused
    os.symlink(outside, root / "ctx")
    with pytest.raises(InputError):
        scan_directory(root, "ctx")


def test_unreadable_and_unparsable_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def broken(:\n    os.environ['X']\n")
    (tmp_path / "latin.js").write_bytes("process.env.LATIN; // caf\xe9\n".encode("latin-1"))
    (tmp_path / "good.py").write_text("import os\nos.environ['GOOD']\n")
    result = scan_paths(tmp_path, (".",))
    assert {r.name for r in result.reads} == {"GOOD"}
    assert [(d.code, d.location.file if d.location else None) for d in result.diagnostics] == [
        ("HOP620", "bad.py"), ("HOP620", "latin.js")]
    assert result.diagnostics[0].location is not None and result.diagnostics[0].location.line == 1


def test_file_count_limit_stops_the_scan(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.js").write_text(f"process.env.N{i};\n")
    result = scan_paths(tmp_path, (".",), limits=Limits(max_files=3))
    assert {r.name for r in result.reads} == {"N0", "N1", "N2"}
    assert [d.code for d in result.diagnostics] == ["HOP621"]


def test_scan_architecture_fills_env_reads_and_marks_static_front_build_time() -> None:
    arch, notes = scan_architecture(shop_architecture(), SHOP)
    by_name = {s.name: s for s in arch.services}
    assert by_name["cache"].env_reads == ()
    assert {r.name for r in by_name["api"].env_reads} >= {"POSTGRESQL_ADDON_URI", "PORT"}
    front_code = [r for r in by_name["front"].env_reads if r.language == "typescript"]
    assert front_code and all(r.build_time for r in front_code)
    assert all(not r.file.startswith("/") for s in arch.services for r in s.env_reads)
    assert {d.code for d in notes} == {"HOP623"}


def test_scan_architecture_warns_about_a_bad_context(tmp_path: Path) -> None:
    from dataclasses import replace

    from hopper.model import Build

    arch = shop_architecture()
    api = replace(arch.services[0], build=Build(context="../../etc"))
    arch = replace(arch, services=(api,))
    scanned, notes = scan_architecture(arch, SHOP)
    assert scanned.services[0].env_reads == ()
    assert [d.code for d in notes] == ["HOP622"]


def test_scan_is_deterministic_across_runs() -> None:
    first = scan_paths(SHOP, ("api", "front", "worker"))
    second = scan_paths(SHOP, ("api", "front", "worker"))
    assert first == second


# A deliberately naive oracle for realistic code (no decoys): the obvious textual reads on lines
# that are not comments. The scanner must find at least these.
_ORACLE = re.compile(
    r"process\.env\.([A-Z_][A-Z0-9_]*)|import\.meta\.env\.([A-Z_][A-Z0-9_]*)"
    r"|os\.environ\[[\"']([A-Z_][A-Z0-9_]*)|os\.(?:environ\.get|getenv)\([\"']([A-Z_][A-Z0-9_]*)")
_BUILTINS = {"MODE", "BASE_URL", "PROD", "DEV", "SSR"}


def _oracle(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*"):
        if any(part in ("node_modules", "dist", ".git") for part in path.parts):
            continue
        if path.suffix not in (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".py") or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("//", "#", "*", "/*")):
                continue
            for m in _ORACLE.finditer(line):
                found.add(next(g for g in m.groups() if g))
    return found - _BUILTINS


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples/ not written yet")
def test_scan_of_samples_finds_what_they_read() -> None:
    checked = 0
    for sample in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        expected = _oracle(sample)
        if not expected:
            continue
        found = {r.name for r in scan_directory(sample, ".")}
        assert expected <= found, f"{sample.name}: missed {sorted(expected - found)}"
        checked += 1
    assert checked, "no sample reads any env var: is the oracle still right?"
