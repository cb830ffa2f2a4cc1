"""In-process timings that a whole-process run cannot isolate (performance reference P9, P10, P12).

    python benchmarks/inprocess.py DATA_DIR [--json]

DATA_DIR holds the files written by benchmarks/generate.py (nginx-1000.conf, compose-10.yaml,
compose-100.yaml). Measured, each as the median of k runs after one warm-up
(``time.perf_counter``):

- nginx: ``hopper.shared.nginx.read.parse_nginx`` of the 1000-location file (crossplane parse plus hopper's
  interpretation), then ``crossplane.build`` of the same payload (the rebuild);
- diff: ``hopper.diff.diff_models`` of two 1000-service models, 1 % of services changed (the
  models of benchmarks/bench_diff.py);
- templates: how many Jinja templates were compiled while converting two compose projects to
  Fly (each template must be compiled once per process), and 1000 renders of the node
  Dockerfile template.

Prints a small table, or one JSON object with ``--json`` (benchmarks/run.py reads it).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def median_ms(fn: Callable[[], object], k: int) -> tuple[float, float]:
    """Median and min of ``k`` timed calls after one warm-up, in milliseconds."""
    fn()
    times = []
    for _ in range(k):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def bench_nginx(data: Path) -> dict[str, float]:
    import crossplane

    from hopper.shared.nginx.read import parse_nginx

    conf = data / "nginx-1000.conf"
    parse, parse_min = median_ms(lambda: parse_nginx(conf, data), 9)
    payload = crossplane.parse(str(conf), single=True, comments=False)["config"][0]["parsed"]
    build, build_min = median_ms(lambda: crossplane.build(payload), 9)
    return {"parse_ms": parse, "parse_min_ms": parse_min, "build_ms": build,
            "build_min_ms": build_min}


def bench_diff() -> dict[str, float]:
    import bench_diff

    from hopper.diff import diff_models

    before = bench_diff.model(1000)
    after = bench_diff.changed(bench_diff.model(1000))
    diff_ms, diff_min = median_ms(lambda: diff_models(before, after), 7)
    return {"diff_ms": diff_ms, "diff_min_ms": diff_min}


def bench_templates(data: Path) -> dict[str, Any]:
    from hopper import api, templating

    recorded: list[tuple[str, dict[str, Any]]] = []
    real_render = templating.render

    def recording_render(name: str, **context: Any) -> str:
        recorded.append((name, context))
        return real_render(name, **context)

    before = templating.COMPILE_COUNT["n"]
    templating.render = recording_render
    try:
        api.convert(data / "compose-10.yaml", "fly")
        after_first = templating.COMPILE_COUNT["n"]
        api.convert(data / "compose-100.yaml", "fly")
        after_second = templating.COMPILE_COUNT["n"]
    finally:
        templating.render = real_render
    # Replay the renders the conversions really made (real templates, real contexts), cycled
    # up to 1000 renders.
    env = templating.environment()
    batch = [recorded[i % len(recorded)] for i in range(1000)]
    renders, _ = median_ms(lambda: [env.get_template(n).render(**c) for n, c in batch], 5)
    return {
        "compiled_first": after_first - before,
        "compiled_second": after_second - after_first,
        "templates_used": len({name for name, _ in recorded}),
        "render_1000_ms": renders,
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 64
    data = Path(argv[0])
    result: dict[str, Any] = {}
    result["nginx"] = bench_nginx(data)
    result["diff"] = bench_diff()
    result["templates"] = bench_templates(data)
    if "--json" in argv:
        print(json.dumps(result, sort_keys=True))
    else:
        for group, values in result.items():
            for key, value in values.items():
                shown = f"{value:.1f}" if isinstance(value, float) else str(value)
                print(f"{group:10} {key:18} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
