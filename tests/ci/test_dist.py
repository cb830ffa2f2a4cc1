"""Ready to publish: the sdist and the wheel build (``python -m build``, the release workflow's
command), carry complete PyPI metadata, and the wheel installs into a clean virtual environment
and runs there: ``hopper --version``, a conversion of the sample the sdist ships, and
``hopper validate --strict`` on what it wrote. Shell completion works from that install."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from hopper._project import REPOSITORY_URL
from hopper._version import __version__
from support import ROOT

pytestmark = pytest.mark.slow


def _has(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


needs_build = pytest.mark.skipif(not (_has("build") and _has("hatchling")),
                                 reason="build and hatchling (test extras) make the distributions")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # The sdist first, then the wheel built from the sdist (build's default): what PyPI gets.
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob(f"hopper_migrate-{__version__}-py3-none-any.whl")
    return wheel


def _sdist(dist: Path) -> Path:
    (sdist,) = dist.glob(f"hopper_migrate-{__version__}.tar.gz")
    return sdist


@needs_build
def test_the_wheel_carries_complete_pypi_metadata(dist: Path) -> None:
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(wheel.read(name).decode("utf-8"))
    assert meta["Name"] == "hopper-migrate" and meta["Version"] == __version__
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Summary"] and meta["Description-Content-Type"] == "text/markdown"
    assert "# hopper" in meta.get_payload()  # the README is the long description
    assert meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier") or []
    for wanted in ("Development Status :: 3 - Alpha", "Environment :: Console",
                   "Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.13",
                   "Operating System :: POSIX", "Typing :: Typed"):
        assert wanted in classifiers, wanted
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert urls["Source"] == REPOSITORY_URL
    assert {"Documentation", "Issues", "Changelog"} <= set(urls)
    assert all(u.startswith(REPOSITORY_URL) for u in urls.values())
    assert meta.get_all("Keywords") or meta["Keywords"]


def test_pyproject_names_the_project_url_the_reports_link_to() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Source"] == REPOSITORY_URL


@needs_build
def test_the_sdist_holds_what_the_readme_and_the_tests_need(dist: Path) -> None:
    with tarfile.open(_sdist(dist)) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for wanted in ("README.md", "pyproject.toml", "action.yml", "src/hopper/__main__.py",
                   "mappings/regions.toml", "samples/compose-webapp/compose.yaml",
                   "docs/github-action.md", "tests/schemas/sarif-schema-2.1.0.json"):
        assert wanted in names, wanted


@needs_build
def test_the_wheel_installs_and_runs_in_a_clean_venv(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # hopper's dependencies come from the package registry, as for a user's `pip install`.
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", str(_wheel(dist))],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    with tarfile.open(_sdist(dist)) as sdist:
        sdist.extractall(tmp_path / "sdist", filter="data")
    (sample,) = (tmp_path / "sdist").glob("hopper_migrate-*/samples/compose-webapp")
    hopper = str(venv / "bin" / "hopper")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([hopper, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)

    version = run("--version")
    assert version.returncode == 0 and version.stdout == f"hopper {__version__}\n"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import hopper; print(hopper.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(venv))  # the installed copy, not this checkout
    convert = run("convert", str(sample), "--to", "fly", "--out", "out/fly")
    assert convert.returncode == 0, convert.stderr
    assert (work / "out" / "fly" / "MIGRATION.md").is_file()
    validate = run("validate", "out/fly", "--source", str(sample), "--strict")
    assert validate.returncode == 0, validate.stderr
    # Shell completion (README.md): the bash script, then a completion of "hopper dif".
    script = subprocess.run([hopper], cwd=work, env={**env, "_HOPPER_COMPLETE": "source_bash"},
                            capture_output=True, text=True, timeout=60)
    assert script.returncode == 0 and "complete " in script.stdout and "_HOPPER_COMPLETE" in script.stdout
    words = subprocess.run([hopper], cwd=work, env={**env, "_HOPPER_COMPLETE": "complete_bash",
                                                     "COMP_WORDS": "hopper dif", "COMP_CWORD": "1"},
                           capture_output=True, text=True, timeout=60)
    assert words.stdout.split() == ["diff"], words.stdout + words.stderr
