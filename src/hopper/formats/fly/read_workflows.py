"""The GitHub workflow steps that run ``flyctl deploy``, and how flyctl resolves the config a
deploy names (``--config`` is read inside the working-directory argument, reference flyio.md §1).

A deploy step says which app a workflow deploys, from which branches, with which build secrets
and build arguments and which token secret; fly-setup.sh's own ``flyctl deploy`` lines are read
the same way (:func:`setup_deploy_step`).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import (
    E_TOO_LARGE,
    Diagnostic,
    HopperError,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    error,
    warning,
)
from hopper.formats.fly.read_paths import inside, rel

W_WORKFLOW = code("HOP370", Severity.WARNING, "a GitHub workflow could not be read; it was skipped")
E_DEPLOY_CONFIG_DIR = code("HOP381", Severity.ERROR, "flyctl deploy reads --config inside its working-directory argument, where the config is not")


def config_read_inside_directory(directory: str | None, written: str | None,
                                 root: Path) -> tuple[str, str, str] | None:
    """``(directory, written, resolved)`` when ``flyctl deploy DIRECTORY --config WRITTEN`` will
    not find its config because flyctl reads WRITTEN inside DIRECTORY, while WRITTEN exists
    relative to where the command runs (the usual mistake: ``deploy api --config api/fly.toml``)."""
    if not directory or directory == "." or not written or PurePosixPath(written).is_absolute():
        return None
    resolved = _normpath(PurePosixPath(directory) / written)
    if (root / resolved).is_file() or not (root / written).is_file() or not inside(root / written, root):
        return None
    return directory, written, resolved


def misread_error(misread: tuple[str, str, str], where: Location) -> Diagnostic:
    directory, written, resolved = misread
    fixed = posixpath.relpath(written, directory)
    return error(E_DEPLOY_CONFIG_DIR, f"flyctl deploy changes into '{directory}' before it reads "
                 f"--config, so '{written}' is read as '{resolved}', which does not exist", where,
                 hint=f"write --config {fixed} (relative to '{directory}'), or run from the root "
                 f"without the directory argument")


@dataclass(frozen=True)
class DeployStep:
    """One ``flyctl deploy`` found in a workflow."""

    workflow: str  # the workflow file, relative to the root
    workflow_name: str
    job: str
    location: Location
    config: str | None = None  # --config as flyctl resolves it (inside the directory), relative to the root
    config_written: str | None = None  # --config as written
    app: str | None = None  # --app, when literal
    directory: str | None = None  # positional WORKING_DIRECTORY or the step's working-directory
    build_secrets: tuple[str, ...] = ()
    build_args: tuple[str, ...] = ()
    remote_only: bool = False
    image: bool = False  # --image: deploys a prebuilt image
    build_only: bool = False
    single: bool = False  # --ha=false: the first deploy creates one Machine, not two
    token_secret: str | None = None
    branches: tuple[str, ...] = ()


_SECRET_REF = re.compile(r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# A quick look before the YAML is parsed: `run: "flyctl deploy ..."` is a quoted scalar, so a
# quote may stand right before the command.
_DEPLOY = re.compile(r"(?:^|[\s;&|(\"'])(?:flyctl|fly)\s+deploy\b")


def find_deploy_steps(root: Path, limits: Limits) -> tuple[tuple[DeployStep, ...], tuple[Diagnostic, ...]]:
    folder = root / ".github" / "workflows"
    if not folder.is_dir():
        return (), ()
    steps: list[DeployStep] = []
    diags: list[Diagnostic] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yml", ".yaml") or not path.is_file() or not inside(path, root):
            continue
        shown = rel(path, root)
        try:
            if path.stat().st_size > limits.max_file_bytes:
                raise LimitError(error(E_TOO_LARGE, "workflow over the size limit", Location(file=shown)))
            from hopper._yaml import decode_bytes, load_yaml  # noqa: PLC0415

            text = decode_bytes(path.read_bytes(), shown)
            if not _DEPLOY.search(text):
                continue
            data, index = load_yaml(text, shown, limits)
        except HopperError as exc:
            first = exc.diagnostic
            diags.append(warning(W_WORKFLOW, f"workflow skipped: {first.message}", first.location))
            continue
        steps.extend(_steps_of(data, index, shown))
    return tuple(steps), tuple(diags)


def _steps_of(data: Any, index: Any, shown: str) -> list[DeployStep]:
    if not isinstance(data, dict):
        return []
    # YAML 1.1 loaders turn the key `on` into True; hopper._yaml keeps it a string, but accept both.
    trigger = data.get("on", data.get(True))
    branches = _branches(trigger)
    name = data.get("name") if isinstance(data.get("name"), str) else PurePosixPath(shown).stem
    jobs = data.get("jobs")
    out: list[DeployStep] = []
    if not isinstance(jobs, dict):
        return out
    for job_name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        job_env: dict[str, Any] = job["env"] if isinstance(job.get("env"), dict) else {}
        defaults = job.get("defaults", {})
        job_dir = None
        if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
            job_dir = defaults["run"].get("working-directory")
        for step_index, step in enumerate(job.get("steps") or []):
            if not isinstance(step, dict) or not isinstance(step.get("run"), str):
                continue
            run = step["run"]
            env = dict(job_env)
            if isinstance(step.get("env"), dict):
                env.update(step["env"])
            token = None
            for var in ("FLY_API_TOKEN", "FLY_ACCESS_TOKEN"):
                match = _SECRET_REF.search(str(env.get(var, "")))
                if match:
                    token = match.group(1)
                    break
            workdir = step.get("working-directory", job_dir)
            loc = index.nearest(("jobs", job_name, "steps", step_index, "run"))
            for command in _deploy_commands(run):
                out.append(_parse_deploy(command, shown, str(name), str(job_name), loc, token,
                                         workdir if isinstance(workdir, str) else None, branches))
    return out


def _branches(trigger: Any) -> tuple[str, ...]:
    if isinstance(trigger, dict):
        push = trigger.get("push")
        if isinstance(push, dict) and isinstance(push.get("branches"), list):
            return tuple(str(b) for b in push["branches"])
    return ()


def _deploy_commands(run: str) -> list[list[str]]:
    """The argument lists of each ``flyctl deploy`` in a ``run:`` script."""
    joined = re.sub(r"\\\r?\n", " ", run)
    out: list[list[str]] = []
    for line in joined.splitlines():
        for part in re.split(r"&&|;|\|\|", line):
            if not _DEPLOY.search(" " + part):
                continue
            # ${{ ... }} expressions contain spaces; make each one a single opaque word.
            masked = re.sub(r"\$\{\{.*?\}\}", lambda m: m.group(0).replace(" ", ""), part)
            try:
                words = shlex.split(masked, comments=True)
            except ValueError:
                words = masked.split()
            for start, word in enumerate(words):
                if word in ("fly", "flyctl") and start + 1 < len(words) and words[start + 1] == "deploy":
                    out.append(words[start + 2:])
                    break
    return out


def _parse_deploy(args: list[str], shown: str, workflow_name: str, job: str, loc: Location,
                  token: str | None, workdir: str | None, branches: tuple[str, ...]) -> DeployStep:
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
    positional: list[str] = []
    with_value = {"-c": "config", "--config": "config", "-a": "app", "--app": "app",
                  "--build-secret": "build_secret", "--build-arg": "build_arg",
                  "--image": "image", "-i": "image", "--dockerfile": "dockerfile",
                  "--image-label": "label", "-e": "env", "--env": "env", "-r": "region",
                  "--region": "region", "--strategy": "strategy", "--wait-timeout": "wait"}
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--") and "=" in word:
            key, _, value = word.partition("=")
            if key in with_value:
                values.setdefault(with_value[key], []).append(value)
            else:
                flags.add(key)
        elif word in with_value:
            if i + 1 < len(args):
                values.setdefault(with_value[word], []).append(args[i + 1])
            i += 1
        elif word.startswith("-"):
            flags.add(word)
        else:
            positional.append(word)
        i += 1
    written = values["config"][-1] if values.get("config") else None
    config, directory = resolve_deploy_paths(positional[0] if positional else None, written, workdir)
    app = values.get("app", [None])[-1]
    if app is not None and ("${{" in app or "$" in app):
        app = None
    secrets = tuple(sorted({v.split("=", 1)[0] for v in values.get("build_secret", [])}))
    build_args = tuple(sorted({v.split("=", 1)[0] for v in values.get("build_arg", [])}))
    return DeployStep(
        workflow=shown, workflow_name=workflow_name, job=job, location=loc, config=config,
        app=app, directory=directory, build_secrets=secrets, build_args=build_args,
        config_written=written,
        remote_only="--remote-only" in flags, image=bool(values.get("image")),
        build_only="--build-only" in flags, token_secret=token, branches=branches,
        single="--ha=false" in args,
    )


def setup_deploy_step(words: tuple[str, ...], where: Location) -> DeployStep:
    """A ``flyctl deploy ...`` line of fly-setup.sh (``words`` after ``flyctl``), read like a
    workflow step run from the root."""
    return _parse_deploy(list(words[1:]), where.file or "", "fly-setup.sh", "", where, None, None, ())


def resolve_deploy_paths(directory: str | None, config: str | None,
                         workdir: str | None = None) -> tuple[str | None, str | None]:
    """``(config, directory)`` of ``flyctl deploy [DIRECTORY] [--config CONFIG]`` run from
    ``workdir`` (relative to the root), resolved the way flyctl does: it changes into DIRECTORY
    first, then reads CONFIG relative to it (``fly.toml`` there when CONFIG is not given)."""
    base = PurePosixPath(workdir) if workdir else PurePosixPath(".")
    folder = _normpath(base / directory) if directory else (_normpath(base) if workdir else None)
    inside_dir = PurePosixPath(folder) if folder else base
    if config is not None:
        return _normpath(inside_dir / config), folder
    return (_normpath(inside_dir / "fly.toml") if folder else None), folder


def _normpath(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts) or "."
