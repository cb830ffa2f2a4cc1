"""Where one hopper command spends its CPU time, in process: imports, dataclass code generation,
regular expressions compiled, reading, writing, printing.

    python benchmarks/where.py inspect samples/compose-webapp
    python benchmarks/where.py convert compose-1000.yaml --to fly --out /tmp/out --force

Runs the command through ``hopper.cli.run`` in this (fresh) interpreter with timers around
``dataclasses._process_class``, ``re._compile`` and the CLI's steps (``api.load``,
``api.write``, ``output.write_tree``, the dry run's read-back, the report of diagnostics, the
JSON dump, Jinja2's environment) and prints their CPU time (``time.process_time``) to
stderr. The timers nest: dataclass and regex time happens inside imports and reading.
"""

from __future__ import annotations

import time

T0 = time.process_time()

import collections  # noqa: E402
import dataclasses  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

ACC: collections.Counter[str] = collections.Counter()


def timed(module: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            ACC[label] += time.process_time() - start

    setattr(module, name, wrapper)


def main(argv: list[str]) -> int:
    timed(dataclasses, "_process_class", "dataclass code generation")
    timed(re, "_compile", "regular expressions compiled (and re's cache lookups)")
    from hopper import api, cli, native, output, templating
    from hopper.cli import run

    imported = time.process_time()
    timed(api, "load", "load (read the input)")
    timed(api, "write", "write (model -> files)")
    timed(output, "write_tree", "write_tree (files -> disk)")
    timed(output, "write_scratch_tree", "dry run: scratch tree")
    timed(cli, "_dry_run_plan", "dry run: read back + plan")
    timed(cli, "_report", "print diagnostics")
    timed(native, "dump", "dump (inspect's output)")
    timed(templating, "environment", "jinja2 import + environment")
    try:
        code = run(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    total = time.process_time()
    print(f"total {1000 * (total - T0):.0f} ms of CPU (importing hopper.cli "
          f"{1000 * (imported - T0):.0f} ms), exit {code}", file=sys.stderr)
    for label, seconds in ACC.most_common():
        print(f"  {label}: {1000 * seconds:.0f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
