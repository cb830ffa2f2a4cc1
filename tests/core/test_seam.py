"""The seam, proven mechanically: a platform is its folder (``formats/<name>/``), its templates and
its ``mappings/`` data, and nothing else.

* Removal: a copy of the installed package without Render's folder, templates (and their compiled
  modules) and mapping data runs every other conversion byte for byte as the full package does,
  refuses ``--to render`` as a usage error, and no longer offers Render in ``convert --help`` (the
  pre-rendered help notices that the format folders changed and lets typer render it).
* Addition: a copy with a made-up fifth format folder (one file, ``demo.txt``) shows it in
  ``hopper formats``, in ``convert --to`` and in the conversion matrix, and converts to it and
  detects it back, with nothing outside its folder changed.

Each copy runs in one subprocess (``PYTHONPATH`` = the copy) that runs hopper's commands as
``hopper ARGS`` would (``hopper.__main__.main``, output captured); the full package runs the same
way, so the outputs compare byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import hopper
from hopper import mappings
from hopper.formats import format_names
from support import ROOT

REMOVED = "render"
SAMPLE = ROOT / "samples" / "compose-webapp"
KEPT = tuple(name for name in format_names() if name != REMOVED)  # in the order users see them
PACKAGE = Path(hopper.__file__).parent

# Runs hopper commands in one process, each as `hopper ARGS` would, and prints their exit codes
# and outputs as JSON. "@matrix" prints the rendered conversion matrix instead.
DRIVER = r'''
import contextlib, io, json, sys
import hopper
from hopper.__main__ import main

results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if args == ["@matrix"]:
            from hopper.matrix import render_markdown
            out.write(render_markdown())
        else:
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps({"package": hopper.__file__, "results": results}))
'''


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    out: str
    err: str


def _run(lib: Path, commands: list[list[str]]) -> tuple[str, dict[str, Run]]:
    """Run ``commands`` with the hopper package found in ``lib``; the package's file and each
    command's result (keyed by the command line)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HOPPER_MAPPINGS_DIR", "PYTHONPATH")}
    env.update(PYTHONPATH=str(lib), COLUMNS="100")  # wide: the pre-rendered help would be used
    proc = subprocess.run([sys.executable, "-P", "-c", DRIVER, json.dumps(commands)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return data["package"], {" ".join(c): Run(*r) for c, r in zip(commands, data["results"], strict=True)}


def _copy_package(root: Path) -> Path:
    """The installed package and its mappings, copied under ``root`` in a source checkout's
    layout (``lib/hopper``, ``mappings/``); returns ``lib``."""
    lib = root / "lib"
    # With its __pycache__ (copied with their sources' times, so still valid): the copy's
    # subprocess does not compile the whole package again.
    shutil.copytree(PACKAGE, lib / "hopper")
    if not (lib / "hopper" / "mappings").is_dir():  # a source checkout: mappings/ beside src/
        shutil.copytree(mappings.search_path()[-1], root / "mappings")
    return lib


def _mappings_dir(lib: Path) -> Path:
    packaged = lib / "hopper" / "mappings"
    return packaged if packaged.is_dir() else lib.parent / "mappings"


def _drop_platform_data(folder: Path, name: str) -> None:
    """Remove a platform's mapping data: its own files (``prices-<name>.toml``) and its sections
    of the shared tables (``[<name>]``, ``[<name>.runtime]``, ``[platform.<name>]``)."""
    for path in sorted(folder.glob("*.toml")):
        if name in path.stem.split("-"):
            path.unlink()
            continue
        kept: list[str] = []
        dropping = False
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", line)
            if header:
                dropping = name in [part.strip().strip('"') for part in header.group(1).split(".")]
            if not dropping:
                kept.append(line)
        text = "".join(kept)
        assert f"[{name}" not in text and f".{name}]" not in text, path
        tomllib.loads(text)  # still a table
        path.write_text(text, encoding="utf-8")


def _sample_commands() -> list[list[str]]:
    sample = str(SAMPLE.relative_to(ROOT))
    return [["convert", sample, "--to", target, "--dry-run"] for target in KEPT] + [["inspect", sample]]


@pytest.fixture(scope="module")
def full() -> dict[str, Run]:
    if not SAMPLE.is_dir() or not (PACKAGE / "formats" / REMOVED).is_dir():
        pytest.skip(f"needs {SAMPLE.name} and formats/{REMOVED}/")
    return _run(PACKAGE.parent, _sample_commands())[1]


@pytest.fixture(scope="module")
def removed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Run]]:
    if not (PACKAGE / "formats" / REMOVED).is_dir():
        pytest.skip(f"the installed package has no formats/{REMOVED}/")
    lib = _copy_package(tmp_path_factory.mktemp("without-" + REMOVED))
    package = lib / "hopper"
    shutil.rmtree(package / "formats" / REMOVED)
    shutil.rmtree(package / "templates" / REMOVED, ignore_errors=True)
    for compiled in (package / "_templates").glob(f"{REMOVED}_*.py"):
        compiled.unlink()
    _drop_platform_data(_mappings_dir(lib), REMOVED)
    sample = str(SAMPLE.relative_to(ROOT))
    commands = [["formats"], ["--help"], ["convert", "--help"], *_sample_commands(),
                ["convert", sample, "--to", REMOVED, "--dry-run"]]
    found, results = _run(lib, commands)
    return lib, found, results


def test_the_copy_without_the_platform_runs_from_the_copy(removed: tuple[Path, str, dict[str, Run]]) -> None:
    lib, found, _ = removed
    assert Path(found).is_relative_to(lib), found


def test_formats_lists_the_others_and_not_the_removed_one(removed: tuple[Path, str, dict[str, Run]]) -> None:
    listing = removed[2]["formats"]
    assert listing.code == 0 and not listing.err
    listed = {line.split()[0] for line in listing.out.splitlines() if line and not line[0].isspace()}
    assert listed == set(KEPT)


def test_other_conversions_are_byte_identical_without_the_platform(
        removed: tuple[Path, str, dict[str, Run]], full: dict[str, Run]) -> None:
    results = removed[2]
    for command in (" ".join(c) for c in _sample_commands()):
        assert results[command] == full[command], command
        assert results[command].code == 0, results[command].err


def test_the_removed_target_is_a_usage_error(removed: tuple[Path, str, dict[str, Run]]) -> None:
    refused = next(r for c, r in removed[2].items() if c.endswith(f"--to {REMOVED} --dry-run"))
    assert refused.code == 64 and not refused.out
    choices = ", ".join(f"'{name}'" for name in KEPT)
    assert f"Invalid value for '--to': '{REMOVED}' is not one of {choices}" in refused.err
    assert "Traceback" not in refused.err


def test_convert_help_is_not_served_stale(removed: tuple[Path, str, dict[str, Run]]) -> None:
    """_cli_help.py was rendered with Render registered: the fast path must notice that the
    format folders differ and let typer render the help."""
    help_text = removed[2]["convert --help"]
    assert help_text.code == 0
    assert f"--to [{'|'.join(KEPT)}]" in help_text.out
    assert "render" not in help_text.out.lower()


def test_program_help_names_no_removed_platform(removed: tuple[Path, str, dict[str, Run]]) -> None:
    help_text = removed[2]["--help"]
    assert help_text.code == 0 and "Usage: hopper" in help_text.out
    assert "render" not in help_text.out.lower()


def test_the_fast_path_refuses_help_rendered_for_other_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    from hopper import _cli_help
    from hopper.__main__ import _prerendered_help
    from hopper.formats import format_names

    monkeypatch.setenv("COLUMNS", "100")
    assert format_names() == _cli_help.FORMATS
    assert _prerendered_help(["convert", "--help"]) == _cli_help.COMMANDS["convert"]
    monkeypatch.setattr(_cli_help, "FORMATS", (*format_names(), "another"))
    assert _prerendered_help(["convert", "--help"]) is None
    assert _prerendered_help(["--help"]) is None


# ------------------------------------------------------------------------------ a fifth format

DEMO_INIT = '''"""A made-up platform (tests/core/test_seam.py): demo.txt lists one service name a line."""

from __future__ import annotations

from pathlib import Path

from hopper.formats.base import (Format, Platform, ReadOptions, ReadResult, WriteOptions,
                                 WriteResult, matrix_column)
from hopper.model import Architecture, Service


def _file(path: Path) -> Path:
    return path if path.is_file() else path / "demo.txt"


def _read(path: Path, options: ReadOptions) -> ReadResult:
    names = _file(path).read_text(encoding="utf-8").split()
    return ReadResult(model=Architecture(name=_file(path).parent.name, source_format="demo",
                                         services=tuple(Service(name=n) for n in names)))


def _write(arch: Architecture, options: WriteOptions) -> WriteResult:
    return WriteResult(files={"demo.txt": "".join(f"{s.name}\\n" for s in arch.services)})


FORMAT = Format(
    name="demo",
    description="Demo Cloud (demo.txt: one service name a line)",
    detect=lambda path: _file(path).name == "demo.txt" and _file(path).is_file(),
    read=_read,
    write=_write,
    platform=Platform(label="Demo Cloud", rank=99, detect_priority=5, secret_store="nowhere",
                      tls_edge=None, dockerfile_builds=False, build_sees_runtime_env=False,
                      hosts_are_service_names=False, has_regions=False, cost_note="not priced",
                      matrix=matrix_column(__name__)),
)
'''


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Run]]:
    from hopper.matrix import model_fields

    if not SAMPLE.is_dir():
        pytest.skip(f"needs {SAMPLE.name}")
    root = tmp_path_factory.mktemp("with-demo")
    lib = _copy_package(root)
    folder = lib / "hopper" / "formats" / "demo"
    folder.mkdir()
    (folder / "__init__.py").write_text(DEMO_INIT, encoding="utf-8")
    carried = {"Architecture.name", "Architecture.services", "Service.name"}
    (folder / "matrix.toml").write_text("".join(
        f'"{field}" = "{"partial/partial: demo.txt" if field in carried else "none/none"}"\n'
        for field in model_fields()), encoding="utf-8")
    out = root / "out"
    commands = [["formats"], ["convert", "--help"],
                ["convert", str(SAMPLE.relative_to(ROOT)), "--to", "demo", "--out", str(out)],
                ["inspect", str(out), "--format", "json"], ["@matrix"]]
    return out, _run(lib, commands)[1]


def test_a_new_format_folder_is_listed(added: tuple[Path, dict[str, Run]]) -> None:
    listing = added[1]["formats"]
    assert listing.code == 0
    assert re.search(r"^demo\s+read\+write\s+Demo Cloud", listing.out, re.MULTILINE), listing.out


def test_a_new_format_folder_is_a_convert_target(added: tuple[Path, dict[str, Run]]) -> None:
    out, results = added
    help_text = results["convert --help"].out
    assert f"--to [{'|'.join((*format_names(), 'demo'))}]" in help_text, help_text
    converted = next(r for c, r in results.items() if c.endswith(f"--to demo --out {out}"))
    assert converted.code == 0, converted.err
    assert (out / "demo.txt").read_text(encoding="utf-8") == "api\nfront\n"  # the sample's services
    inspected = next(r for c, r in results.items() if c.startswith("inspect"))
    assert inspected.code == 0, inspected.err
    assert '"source_format": "demo"' in inspected.out


def test_a_new_format_folder_is_a_matrix_column(added: tuple[Path, dict[str, Run]]) -> None:
    matrix = added[1]["@matrix"]
    assert matrix.code == 0, matrix.err
    columns = " | ".join(f"{name} R/W" for name in (*format_names(), "demo"))
    assert f"| field | {columns} | notes |" in matrix.out
    assert "demo: demo.txt" in matrix.out
