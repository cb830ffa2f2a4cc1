"""Golden output trees of the Fly writer: the files are the spec.

Regenerate on purpose with ``HOPPER_UPDATE_GOLDEN=1`` and read the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fly_writer_models import api_postgres, full
from fly_writer_tools import run_writer

from hopper import api
from hopper.formats.base import ReadOptions, WriteOptions
from support import GOLDEN, ROOT, SAMPLES, assert_golden_tree, copy_tree

CASES = {"api-postgres": api_postgres, "full": full}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_model_cases(case: str) -> None:
    files, _ = run_writer(CASES[case]())
    assert_golden_tree(GOLDEN / "fly" / case, files)


SAMPLE_CASES = ["compose-webapp", "monorepo-webapp"]


def _convert_sample(name: str, where: Path | None = None) -> dict[str, str]:
    source = SAMPLES / name
    if not source.is_dir():
        pytest.skip(f"samples/{name} is not present")
    if where is not None:
        source = copy_tree(source, where / name)
    # As `hopper convert` does by default, the application code is scanned: build-time variables
    # the front reads become build arguments or build secrets.
    return dict(api.convert(source, "fly", read_options=ReadOptions(scan_code=True),
                            write_options=WriteOptions()).files)


@pytest.mark.parametrize("name", SAMPLE_CASES)
def test_golden_samples(name: str) -> None:
    assert_golden_tree(GOLDEN / "fly" / name, _convert_sample(name))


@pytest.mark.parametrize("name", SAMPLE_CASES)
def test_output_is_the_same_from_another_folder(name: str, tmp_path: Path) -> None:
    assert _convert_sample(name) == _convert_sample(name, tmp_path)


def test_output_is_the_same_under_another_hash_seed_and_locale(tmp_path: Path) -> None:
    """Byte-identical trees from separate processes with different hash seeds, TZ and locale."""
    script = (
        "import sys, json; sys.path[:0] = sys.argv[1:3];"
        "from fly_writer_models import full; from fly_writer_tools import run_writer;"
        "print(json.dumps(run_writer(full())[0], sort_keys=True))"
    )
    outputs = []
    for seed, tz in (("1", "UTC"), ("4242", "Asia/Tokyo")):
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz, LC_ALL="C", COLUMNS="40")
        proc = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent),
                               str(ROOT / "tests")],
                              capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
                              timeout=120)
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert str(ROOT) not in outputs[0] and str(tmp_path) not in outputs[0]
