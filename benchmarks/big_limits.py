"""Run the hopper CLI with the file-size limits raised (benchmark use only).

    python benchmarks/big_limits.py inspect compose-5000.yaml --format json

hopper refuses compose files over ``Limits.max_file_bytes`` (4 MiB) with HOP004; the
5000-service benchmark file is 5.2 MB. This runs the very same CLI code path
(``hopper.cli.run``) with only the read limits raised, so the scaling from 1000 to 5000
services can be measured as a whole process.
"""

from __future__ import annotations

import dataclasses
import sys

from hopper import cli
from hopper.diagnostics import Limits

BIG = Limits(max_file_bytes=256 * 1024 * 1024, max_total_bytes=1024 * 1024 * 1024)
_read_options = cli._read_options


def _big_read_options(*args: object, **kwargs: object) -> object:
    options = _read_options(*args, **kwargs)  # type: ignore[arg-type]
    return dataclasses.replace(options, limits=BIG)


cli._read_options = _big_read_options  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(cli.run(sys.argv[1:]))
