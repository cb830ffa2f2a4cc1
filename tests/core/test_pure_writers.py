"""Writers are pure functions of the model: ``hopper.write(load(x).model, target)`` writes exactly
the files ``hopper convert x --to target`` writes, for every sample and every target format.

What a writer needs from the source tree (workspace layout, package manager and lockfile, Node
engine, which Dockerfiles exist, the code's listen addresses, the files at the top of the
repository) is recorded in the model by one step at load time (:mod:`hopper.checkout`); the
model's native form carries it, so a model read back from JSON writes the same files too.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import hopper
from hopper.formats import FORMAT_NAMES, get_format
from hopper.formats.base import ReadOptions, process_environ
from support import SAMPLES, copy_tree, run_cli

# Every setup in samples/: each folder, and the Clever Cloud sample's second description (the
# `clever` CLI export), which hopper reads on its own as well.
SAMPLE_INPUTS = sorted([p.name for p in SAMPLES.iterdir() if p.is_dir()] + ["clevercloud-webapp/export"])
TARGETS = [name for name in FORMAT_NAMES if get_format(name).write is not None]

# `hopper convert` reads with the process environment and scans the application code by
# default; the library is given the same read options, so only the write path is compared.
CONVERT_READ = {"scan_code": True}


def _read_options() -> ReadOptions:
    return ReadOptions(environ=process_environ(), **CONVERT_READ)


def _converted(source: Path, target: str, out: Path) -> dict[str, str]:
    done = run_cli("convert", source, "--to", target, "--out", out)
    assert done.code == 0, done.stderr
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("sample", SAMPLE_INPUTS)
def test_write_of_the_loaded_model_is_what_convert_writes(sample: str, target: str, tmp_path: Path) -> None:
    source = SAMPLES / sample
    expected = _converted(source, target, tmp_path / "out")
    model = hopper.load(source, options=_read_options()).model
    assert dict(hopper.write(model, target).files) == expected
    # The native form carries what was seen in the checkout: read back, it writes the same.
    again = hopper.load_model(hopper.dump_model(model, "json"))
    assert dict(hopper.write(again, target).files) == expected


@pytest.mark.parametrize("target", TARGETS)
def test_writing_never_reads_the_source_tree(target: str, tmp_path: Path) -> None:
    """Loaded from a copy that is then deleted, the model still writes what convert wrote."""
    source = copy_tree(SAMPLES / "monorepo-webapp", tmp_path / "monorepo-webapp")
    expected = _converted(source, target, tmp_path / "out")
    model = hopper.load(source, options=_read_options()).model
    shutil.rmtree(source)
    assert dict(hopper.write(model, target).files) == expected


def test_the_model_records_what_writers_need_from_the_checkout() -> None:
    model = hopper.load(SAMPLES / "monorepo-webapp", options=_read_options()).model
    assert model.checkout is not None
    assert {"compose.yaml", "package.json", "pnpm-lock.yaml", "turbo.json"} <= set(model.checkout.files)
    builds = {s.name: s.build for s in model.services if s.build is not None}
    assert builds
    for build in builds.values():
        found = build.context_files
        assert found is not None and found.package_json
        assert found.workspace is not None and found.workspace.root == "."
        assert set(found.workspace_files) >= {"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml",
                                              "turbo.json"}
    dumped = hopper.dump_model(model, "json")
    assert '"context_files"' in dumped and '"checkout"' in dumped


def test_a_model_built_in_code_assumes_no_checkout() -> None:
    """Without what load records, the runbook does not claim to have looked at the repository."""
    model = hopper.load(SAMPLES / "compose-webapp", options=_read_options()).model
    seen = hopper.write(model, "fly").files["MIGRATION.md"]
    assert "None of the files replaces one of yours" in seen
    assert "beside your `front/nginx.conf`" in seen
    bare = dataclasses.replace(model, checkout=None)
    unseen = hopper.write(bare, "fly").files["MIGRATION.md"]
    assert "None of the files replaces one of yours" not in unseen
    assert "beside your `front/nginx.conf`" not in unseen
