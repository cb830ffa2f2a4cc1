"""Interrupted and concurrent converts (issue 20): a real ``hopper convert`` process, Ctrl-C at
varied moments or a second run on the same ``--out``. Bounded loops (a few dozen tries within a
fixed time budget): never a temporary file, never a new or half-filled folder after a failed
run, never two runs that both succeed without ``--force``, never a tree mixing two runs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from security_support import snapshot

from hopper import output
from hopper.diagnostics import OutputError

BUDGET_S = 4.0  # per test: no new try once this much time went by...
MIN_TRIES = 3  # ...unless fewer than this many ran (a loaded machine is slow, not a pass)
MAX_TRIES = 30


def _go_on(tries: int, deadline: float) -> bool:
    return tries < MIN_TRIES or (tries < MAX_TRIES and time.monotonic() < deadline)


def _project(base: Path, services: int, note: str) -> Path:
    lines = ["services:"]
    for i in range(services):
        lines += [f"  svc{i}:", "    image: node:20", "    command: node server.js", "    ports: ['3000:3000']",
                  "    environment:", f"      NOTE: {note}-{i}"]
    base.mkdir(parents=True)
    (base / "compose.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base


def _start(project: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "hopper", "--quiet", "convert", str(project), "--to", "fly",
                             "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.name.startswith(".hopper-"))


def _reference(project: Path, at: Path) -> dict[str, bytes | str]:
    done = subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(project), "--to", "fly",
                           "--out", str(at)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return snapshot(at)


def _writing_started(out: Path, existing: bool) -> bool:
    if not existing:
        return out.exists()
    return any(p.name.startswith(".hopper-") for p in out.iterdir()) or any(p.is_dir() for p in out.iterdir())


@pytest.mark.parametrize("existing", [False, True], ids=["new-out", "existing-out-force"])
def test_ctrl_c_at_varied_moments_leaves_nothing(existing: bool, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", 300, "x")
    started = time.monotonic()
    reference = _reference(project, tmp_path / "reference")
    full = time.monotonic() - started
    deadline = time.monotonic() + BUDGET_S
    outcomes: dict[str, int] = {}
    attempt = 0
    while _go_on(attempt, deadline):
        attempt += 1
        arena = tmp_path / f"try{attempt}"
        arena.mkdir()
        out = arena / "deep" / "out"
        if existing:
            out.mkdir(parents=True)
            (out / "keep.txt").write_text("mine\n", encoding="utf-8")
        before = snapshot(arena)
        proc = _start(project, out, *(["--force"] if existing else []))
        if attempt % 2 == 0:
            # Odd tries: Ctrl-C at a spread of moments across the whole run (start-up, reading).
            time.sleep(full * (0.1 + 0.9 * attempt / MAX_TRIES))
        else:
            # Even tries: Ctrl-C a varied few milliseconds after the first write shows on disk.
            while proc.poll() is None and not _writing_started(out, existing):
                time.sleep(0.001)
            time.sleep(0.003 * attempt)
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
        if proc.returncode in (0, 130):  # hopper's own code was running: one line, no traceback
            assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
        assert not _leftovers(arena), (attempt, _leftovers(arena))
        if proc.returncode == 0:
            outcomes["finished"] = outcomes.get("finished", 0) + 1
            after = snapshot(out)
            after.pop("keep.txt", None)
            assert after == reference, f"try {attempt}: a finished run wrote a different tree"
        else:
            # 130: hopper's Ctrl-C exit. -SIGINT or 1: the interpreter itself was still starting
            # (site, runpy, importing the hopper package), before any hopper code could run; Python
            # prints its own traceback then, and nothing can have been written.
            assert proc.returncode in (130, -signal.SIGINT, 1), (proc.returncode, stderr)
            if proc.returncode != 130:
                assert "hopper/__main__.py" not in stderr and "hopper/cli.py" not in stderr, stderr
            outcomes["interrupted"] = outcomes.get("interrupted", 0) + 1
            assert snapshot(arena) == before, f"try {attempt}: an interrupted run changed the disk"
    assert outcomes.get("interrupted", 0) >= 1, outcomes


def test_concurrent_converts_never_both_succeed_without_force(tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", 30, "x")
    reference = _reference(project, tmp_path / "reference")
    deadline = time.monotonic() + BUDGET_S
    tries = 0
    while _go_on(tries, deadline):
        out = tmp_path / f"out{tries}"
        procs = [_start(project, out), _start(project, out)]
        results = [(p.wait(timeout=60), p.communicate()[1]) for p in procs]
        codes = sorted(code for code, _err in results)
        assert codes == [0, 1], results
        loser = next(err for code, err in results if code == 1)
        assert "[HOP040]" in loser or "[HOP043]" in loser, loser
        assert snapshot(out) == reference
        assert not _leftovers(out)
        tries += 1


def test_concurrent_forced_converts_never_mix_trees(tmp_path: Path) -> None:
    first = _project(tmp_path / "a", 30, "from-a")
    second = _project(tmp_path / "b", 30, "from-b")
    references = [_reference(first, tmp_path / "ref-a"), _reference(second, tmp_path / "ref-b")]
    assert references[0] != references[1]
    deadline = time.monotonic() + BUDGET_S
    tries = 0
    while _go_on(tries, deadline):
        out = tmp_path / f"out{tries}"
        procs = [_start(first, out, "--force"), _start(second, out, "--force")]
        results = [(p.wait(timeout=60), p.communicate()[1]) for p in procs]
        for code, err in results:
            assert code == 0 or (code == 1 and "[HOP043]" in err), (code, err)
            if code == 1:
                assert "another hopper run" in err
        assert snapshot(out) in references, f"try {tries}: the tree mixes both runs' files"
        assert not _leftovers(out)
        tries += 1


def _race(out: Path, trees: list[dict[str, str]], force: bool) -> list[OutputError | None]:
    """Two write_tree calls on ``out`` released at the same instant, in two threads."""
    gate = threading.Barrier(len(trees))
    outcome: list[OutputError | None] = [None] * len(trees)

    def one(index: int) -> None:
        gate.wait()
        try:
            output.write_tree(out, trees[index], force=force)
        except OutputError as exc:
            outcome[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(trees))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


@pytest.mark.parametrize("force", [False, True])
def test_racing_writes_in_process(force: bool, tmp_path: Path) -> None:
    """The same race, cheaper, many times: the lock is per open folder, so two threads contend
    exactly like two processes."""
    trees = [{f"app{i}/fly.toml": f"app = 'app{i}'  # {who}\n" for i in range(200)} for who in ("a", "b")]
    expected = [{rel: text.encode() for rel, text in tree.items()} for tree in trees]
    deadline = time.monotonic() + BUDGET_S
    attempt = 0
    while _go_on(attempt, deadline):
        attempt += 1
        out = tmp_path / f"out{attempt}"
        outcome = _race(out, trees, force)
        failures = [exc for exc in outcome if exc is not None]
        if not force:
            assert len(failures) == 1, outcome
        for exc in failures:
            assert exc.code in ("HOP040", "HOP043"), exc
            assert force is False or exc.code == "HOP043"
        files = {rel: data for rel, data in snapshot(out).items() if data != "<dir>"}
        assert files in expected, f"try {attempt}: the tree mixes both runs' files"
        assert not _leftovers(out)


def test_lock_is_released_when_a_run_is_killed(tmp_path: Path) -> None:
    """A run killed outright (no clean-up at all) leaves no lock behind: the next run proceeds."""
    project = _project(tmp_path / "proj", 150, "x")
    out = tmp_path / "out"
    proc = _start(project, out)
    while not out.exists() and proc.poll() is None:
        time.sleep(0.005)
    proc.kill()
    proc.wait(timeout=60)
    again = subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(project), "--to", "fly",
                            "--out", str(out), "--force"], capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert "HOP043" not in again.stderr
