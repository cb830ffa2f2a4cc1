"""A small local runner for hopper's composite action and for a workflow that uses it.

It does what the GitHub runner does for the parts hopper's action.yml and the workflow in
docs/github-action.md use: inputs with defaults, the ``${{ }}`` expressions they contain (context
look-ups such as ``inputs.x``, ``github.action_path``, ``steps.x.outputs.y``, ``secrets.X`` and the
status functions in ``if:``), ``shell: bash`` run as ``bash --noprofile --norc -eo pipefail FILE``,
a fresh ``GITHUB_OUTPUT`` file per step, one ``GITHUB_STEP_SUMMARY`` file, and the action's
outputs. An expression it does not understand is an error, so the action or the documented
workflow cannot start using one that this runner would silently get wrong.

Actions other than hopper's are not run: ``actions/checkout`` and ``actions/setup-python`` are
what the test prepared (the repository, this Python); ``github/codeql-action/upload-sarif`` is
recorded with its inputs so the test can check the SARIF file it would upload.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
_LOOKUP = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")


class UnsupportedExpression(Exception):
    pass


def lookup(expr: str, contexts: dict[str, Any]) -> str:
    """A context look-up (``steps.plan.outputs.add``); a missing property is "" as on GitHub."""
    if not _LOOKUP.fullmatch(expr):
        raise UnsupportedExpression(expr)
    head, *rest = expr.split(".")
    if head not in contexts:
        raise UnsupportedExpression(f"unknown context {head!r} in {expr!r}")
    value: Any = contexts[head]
    for part in rest:
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def substitute(text: str, contexts: dict[str, Any]) -> str:
    return _EXPR.sub(lambda m: lookup(m.group(1), contexts), text)


def condition(expr: str | None, *, failed: bool, contexts: dict[str, Any]) -> bool:
    """``if:``: ``||`` of ``&&`` of status functions, look-ups, ``'literals'`` and ``==``/``!=``
    between them (no parentheses: the documented workflow needs none)."""
    if expr is None:
        return not failed
    inner = _EXPR.fullmatch(expr.strip())
    text = (inner.group(1) if inner else expr).strip()
    status = {"always()": True, "success()": not failed, "failure()": failed, "cancelled()": False}

    def value(term: str) -> Any:
        term = term.strip()
        if term in status:
            return status[term]
        if len(term) >= 2 and term[0] == term[-1] == "'":
            return term[1:-1].replace("''", "'")
        return lookup(term, contexts)

    def clause(part: str) -> bool:
        for op in ("==", "!="):
            if op in part:
                left, right = part.split(op, 1)
                equal = str(value(left)).lower() == str(value(right)).lower()
                return equal if op == "==" else not equal
        return bool(value(part))

    result = any(all(clause(c) for c in alt.split("&&")) for alt in text.split("||"))
    # GitHub adds success() to a condition without a status function.
    return result if any(f in text for f in status) else result and not failed


def parse_output_file(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIM`` blocks, as the runner reads GITHUB_OUTPUT."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, _, value = line.partition("=")
        out[name] = value
        i += 1
    return out


@dataclass
class Job:
    """The runner's state for one job: workspace, environment, files, log and step outputs."""

    workspace: Path
    temp: Path
    env: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: list[dict[str, str]] = field(default_factory=list)
    event: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.summary = self.temp / "step_summary.md"
        self.summary.touch()
        self._outputs = 0

    @property
    def stdout(self) -> str:
        return "".join(self.log)

    def github(self, action_path: Path | None = None) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "token": self.env.get("GITHUB_TOKEN_FOR_CONTEXT", ""), "workspace": str(self.workspace),
            "repository": self.env.get("GITHUB_REPOSITORY", ""),
            "event_name": self.env.get("GITHUB_EVENT_NAME", ""), "event": self.event}
        if action_path is not None:
            ctx["action_path"] = str(action_path)
        return ctx

    def run_bash(self, script: str, env: dict[str, str], cwd: Path) -> tuple[int, dict[str, str]]:
        self._outputs += 1
        output = self.temp / f"output_{self._outputs}"
        output.touch()
        script_file = self.temp / f"step_{self._outputs}.sh"
        script_file.write_text(script, encoding="utf-8")
        full_env = {**self.env, **env, "GITHUB_OUTPUT": str(output),
                    "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_WORKSPACE": str(self.workspace),
                    "RUNNER_TEMP": str(self.temp)}
        full_env.pop("GITHUB_TOKEN_FOR_CONTEXT", None)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                              cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600)
        self.log.append(proc.stdout + proc.stderr)
        return proc.returncode, parse_output_file(output)


def run_composite(job: Job, action_dir: Path, with_: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Run ``action_dir/action.yml``'s steps; returns the exit code and the action's outputs."""
    meta = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    assert meta["runs"]["using"] == "composite"
    declared = meta.get("inputs", {})
    unknown = set(with_) - set(declared)
    assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
    base = {"github": job.github(action_dir), "secrets": job.secrets, "runner": {"temp": str(job.temp)}}
    inputs = {name: with_.get(name, substitute(str(spec.get("default", "")), base))
              for name, spec in declared.items()}
    ctx: dict[str, Any] = {**base, "inputs": inputs, "steps": {}}
    for step in meta["runs"]["steps"]:
        assert step.get("shell") == "bash", step
        env = {k: substitute(str(v), ctx) for k, v in step.get("env", {}).items()}
        cwd = job.workspace / substitute(step.get("working-directory", "."), ctx)
        code, outputs = job.run_bash(substitute(step["run"], ctx), env, cwd)
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs, "outcome": "success" if code == 0 else "failure"}
        if code != 0:
            return code, {}
    return 0, {name: substitute(str(spec["value"]), ctx) for name, spec in meta.get("outputs", {}).items()}


def run_workflow(job: Job, workflow: dict[str, Any], action_dir: Path) -> dict[str, int]:
    """Run the single job of ``workflow``; ``uses:`` of hopper's action runs ``action_dir``.
    Returns each step's exit code by name or id."""
    (only,) = workflow["jobs"].values()
    failed = False
    codes: dict[str, int] = {}
    for step in only["steps"]:
        label = step.get("id") or step.get("name") or step.get("uses") or "step"
        ctx = {"github": job.github(), "secrets": job.secrets, "steps": job.steps,
               "runner": {"temp": str(job.temp)}}
        if not condition(step.get("if"), failed=failed, contexts=ctx):
            continue
        uses = step.get("uses", "")
        code = 0
        if uses.startswith(("actions/checkout@", "actions/setup-python@")):
            pass  # the test's repository and this Python
        elif uses.startswith("github/codeql-action/upload-sarif@"):
            job.uploads.append({k: substitute(str(v), ctx) for k, v in step.get("with", {}).items()})
        elif re.fullmatch(r"[\w.-]+/hopper@[\w.-]+", uses):
            with_ = {k: substitute(str(v), ctx) for k, v in step.get("with", {}).items()}
            code, outputs = run_composite(job, action_dir, with_)
            if "id" in step:
                job.steps[step["id"]] = {"outputs": outputs, "outcome": "success" if code == 0 else "failure"}
        elif "run" in step:
            env = {k: substitute(str(v), ctx) for k, v in step.get("env", {}).items()}
            code, outputs = job.run_bash(substitute(step["run"], ctx), env, job.workspace)
            if "id" in step:
                job.steps[step["id"]] = {"outputs": outputs}
        else:
            raise AssertionError(f"the local runner does not know {uses!r}")
        codes[label] = code
        failed = failed or code != 0
    return codes


def base_env(extra: dict[str, str]) -> dict[str, str]:
    """The process environment a runner gives a step, without this test process's own GitHub
    variables (the suite may itself run in GitHub Actions)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_"))}
    return {**env, "CI": "true", "GITHUB_ACTIONS": "true", **extra}
