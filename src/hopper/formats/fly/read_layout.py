"""Finding the pieces of a Fly setup on disk: app configs, their Dockerfiles, the nginx config a
Dockerfile copies in, the GitHub workflows that run ``flyctl deploy``, and ``fly-setup.sh``.

Shared by the reader and ``hopper validate``. Everything stays inside the project root; every
file goes through the size limits. Parsing of Dockerfiles and nginx is delegated to
:mod:`hopper.dockerfile` and :mod:`hopper.nginx`; this module only decides *which* files.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_OUTSIDE_ROOT,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
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
from hopper.formats.fly.config_names import is_config_name, variant_of
from hopper.formats.fly.read_variants import choose

if TYPE_CHECKING:
    from hopper.dockerfile import Dockerfile
    from hopper.nginx import NginxConfig

W_WORKFLOW = code("HOP370", Severity.WARNING, "a GitHub workflow could not be read; it was skipped")
W_DEPLOY_CONFIG_MISSING = code("HOP371", Severity.WARNING, "a workflow deploys a fly.toml that does not exist")
W_SETUP_SCRIPT = code("HOP372", Severity.WARNING, "a line of fly-setup.sh could not be read")
E_DEPLOY_CONFIG_DIR = code("HOP381", Severity.ERROR, "flyctl deploy reads --config inside its working-directory argument, where the config is not")

# Folders never searched for apps: dependencies, VCS data, build output.
_SKIP_DIRS = frozenset({"node_modules", ".git", ".venv", "venv", "__pycache__", "dist", "build",
                        "vendor", "target", ".next", ".turbo"})
_SEARCH_DEPTH = 3  # root, and three levels of subfolders (apps/web/fly.toml, fly/backend/fly.toml)
NGINX_DIRS = ("/etc/nginx/",)


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Layout:
    root: Path
    configs: tuple[Path, ...]  # fly configs, sorted by relative path
    workflows: tuple[DeployStep, ...] = ()
    setup: SetupScript | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    # The environment variant of each config read that has one (``fly.staging.toml`` -> staging).
    variants: dict[str, str] = field(default_factory=dict)


def find_layout(path: Path, limits: Limits, variant: str | None = None) -> Layout:
    """The configs under ``path`` (a folder, or one config file) plus workflows and setup script.

    A folder contributes ``fly.toml`` (or ``fly.json``/``fly.yaml``) and named configs
    (``fly.staging.toml``, ``fly.api.toml``) at its root and in subfolders down to three levels,
    plus any config a workflow deploys with ``--config``; of the environment variants of one
    app, one is read (:mod:`read_variants`, ``variant`` names it).
    """
    if not path.exists():
        raise HopperError(error(E_FILE_NOT_FOUND, "no such file or folder", Location(file=str(path))))
    if path.is_file():
        root = path.parent
        steps, diags = find_deploy_steps(root, limits)
        named = variant_of(path.name)
        return Layout(root=root, configs=(path,), workflows=steps,
                      setup=read_setup_script(root, limits), diagnostics=diags,
                      variants={path.name: named} if named else {})
    root = path
    found: dict[str, Path] = {}
    for candidate in _walk_configs(root, limits):
        found[rel(candidate, root)] = candidate
    steps, diags = find_deploy_steps(root, limits)
    diagnostics = list(diags)
    for step in steps:
        if step.config is None:
            continue
        target = root / step.config
        if not inside(target, root):
            continue
        if target.is_file():
            found.setdefault(rel(target, root), target)
        elif (misread := config_read_inside_directory(step.directory, step.config_written, root)):
            diagnostics.append(misread_error(misread, step.location))
        else:
            diagnostics.append(warning(W_DEPLOY_CONFIG_MISSING,
                                       f"the workflow deploys '{step.config}', which does not exist",
                                       step.location))
    choice = choose(found, root, limits, variant)
    diagnostics.extend(choice.diagnostics)
    return Layout(root=root, configs=choice.configs, workflows=steps, setup=read_setup_script(root, limits),
                  diagnostics=tuple(diagnostics), variants=choice.variants)


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


def _walk_configs(root: Path, limits: Limits) -> Iterator[Path]:
    seen = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limits.max_files * 10:
                raise LimitError(error(E_TOO_MANY_FILES, "too many files to search for fly.toml",
                                       Location(file=rel(root, root) or ".")))
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth < _SEARCH_DEPTH and entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                    stack.append((entry, depth + 1))
            elif is_config_name(entry.name):
                yield entry


# ----------------------------------------------------------------------------- Dockerfile and nginx


def dockerfile_for(config_dir: Path, build: dict[str, Any], root: Path,
                   context: Path | None) -> Path | None:
    """The Dockerfile flyctl would build for this app, when it is a local file.

    ``[build] dockerfile`` is relative to the fly.toml folder; without it flyctl uses
    ``Dockerfile`` in the working directory (the build context).
    """
    if (build.get("image") or build.get("builder") or build.get("builtin")) and not build.get("dockerfile"):
        return None
    written = build.get("dockerfile")
    if isinstance(written, str) and written:
        if written.startswith(("http://", "https://")):
            return None
        candidate = config_dir / config_relative(written)
        return candidate if inside(candidate, root) else None
    for folder in (config_dir, context):
        if folder is None:
            continue
        for name in ("Dockerfile", "Containerfile"):
            candidate = folder / name
            if candidate.is_file() and inside(candidate, root):
                return candidate
    return None


def config_relative(written: str) -> str:
    """``[build] dockerfile`` as flyctl resolves it: joined to the config's folder with Go's
    ``filepath.Join``, so a leading ``/`` (``/other/Dockerfile``) is still inside that folder."""
    return written.lstrip("/") or "."


def nginx_copies(docker: Dockerfile) -> list[tuple[str, str, Location]]:
    """``(source, destination, location)`` for every COPY/ADD of the final stage (or a stage it
    copies from the build context) that lands under /etc/nginx."""
    out: list[tuple[str, str, Location]] = []
    stage = docker.final
    for copy in stage.copies:
        if copy.from_stage is not None:
            continue
        dest = copy.destination
        if not dest.startswith(NGINX_DIRS):
            continue
        for source in copy.sources:
            out.append((source, dest, copy.location))
    return out


def nginx_config_for(docker: Dockerfile, contexts: list[Path], root: Path,
                     limits: Limits) -> tuple[NginxConfig | None, list[Diagnostic]]:
    """The nginx configuration a Dockerfile copies into /etc/nginx, parsed, or None."""
    from hopper.nginx import parse_nginx  # noqa: PLC0415

    copies = nginx_copies(docker)
    if not copies:
        return None, []
    mounts: dict[str, Path] = {}
    top: Path | None = None
    for source, dest, where in copies:
        escaping = _escaping(source, contexts, root)
        if escaping is not None:
            return None, [error(E_OUTSIDE_ROOT, f"COPY source '{source}' resolves outside the project "
                                "root", where, hint="hopper reads only files inside the project folder")]
        local = _first_existing(source, contexts, root)
        if local is None:
            continue
        target = dest
        if local.is_file() and dest.endswith("/"):
            target = dest + PurePosixPath(source).name
        mounts[target.rstrip("/")] = local
        if local.is_file() and (top is None or target.endswith("/nginx.conf")):
            top = local
        elif local.is_dir() and top is None:
            confs = sorted(p for p in local.glob("*.conf") if p.is_file())
            if target.rstrip("/").endswith("/nginx") and (local / "nginx.conf").is_file():
                top = local / "nginx.conf"
            elif confs:
                top = confs[0]
    if top is None:
        return None, []
    try:
        config = parse_nginx(top, root, limits, mounts=mounts)
    except HopperError as exc:
        return None, list(exc.diagnostics)
    return config, list(config.diagnostics)


def _escaping(source: str, contexts: list[Path], root: Path) -> Path | None:
    """The first candidate for ``source`` that exists (or is a link) but resolves outside the
    root: a planted symlink or a ``..`` path, refused rather than skipped."""
    clean = source.lstrip("/")
    if any(ch in clean for ch in "*?[") or "$" in clean:
        return None
    for context in contexts:
        candidate = context / clean
        if candidate.exists() or candidate.is_symlink():
            return None if inside(candidate, root) else candidate
    return None


def _first_existing(source: str, contexts: list[Path], root: Path) -> Path | None:
    clean = source.lstrip("/")
    if any(ch in clean for ch in "*?[") or "$" in clean:
        return None
    for context in contexts:
        candidate = context / clean
        if candidate.exists() and inside(candidate, root):
            return candidate
    return None


# ----------------------------------------------------------------------------- workflows


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


# ----------------------------------------------------------------------------- fly-setup.sh


@dataclass(frozen=True)
class SetupCommand:
    words: tuple[str, ...]  # after `fly`/`flyctl`, shell variables substituted when known
    location: Location


@dataclass(frozen=True)
class SetupScript:
    file: str
    commands: tuple[SetupCommand, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # What hopper's own comments say: the project the apps are named after, the platform the
    # setup was written from, and each object store's name with the line its section starts at.
    project: str | None = None
    written_from: str | None = None
    store_labels: tuple[tuple[str, int], ...] = ()

    def find(self, *prefix: str) -> Iterator[SetupCommand]:
        for command in self.commands:
            if command.words[:len(prefix)] == prefix:
                yield command


_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def read_setup_script(root: Path, limits: Limits) -> SetupScript | None:
    """The ``fly ...`` commands of ``fly-setup.sh`` (as hopper writes it), with simple
    ``NAME=value`` / ``NAME="${NAME:-value}"`` assignments substituted."""
    path = root / "fly-setup.sh"
    if not path.is_file() or not inside(path, root):
        return None
    shown = rel(path, root)
    raw = path.read_bytes()
    if len(raw) > limits.max_file_bytes:
        return SetupScript(file=shown, diagnostics=(warning(W_SETUP_SCRIPT, "fly-setup.sh is over the size limit; ignored", Location(file=shown)),))
    text = raw.decode("utf-8", errors="replace")
    variables: dict[str, str] = {}
    commands: list[SetupCommand] = []
    diags: list[Diagnostic] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        logical.append((start, buffer + line))
        buffer = ""
    if buffer:
        logical.append((start, buffer))
    project = written_from = None
    store_labels: list[tuple[str, int]] = []
    for number, line in logical:
        stripped = line.strip()
        if stripped.startswith("#") and (match := _HEADER.match(stripped)):
            project, written_from = match.group(1), match.group(2)
        elif stripped.startswith("#") and (match := _STORE_LABEL.match(stripped)):
            store_labels.append((match.group(1), number))
        if not stripped or stripped.startswith("#"):
            continue
        loc = Location(file=shown, line=number)
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError:
            diags.append(warning(W_SETUP_SCRIPT, "unbalanced quotes; line skipped", loc))
            continue
        if not words:
            continue
        if len(words) == 1 and (match := _ASSIGN.match(words[0])):
            variables[match.group(1)] = _substitute(match.group(2), variables)
            continue
        if words[0] == "stage_secrets" and len(words) >= 3:
            # hopper's helper: `stage_secrets APP FOLDER NAME...` runs `flyctl secrets set
            # --stage --app APP NAME=-` per name (the value on stdin), so it reads as that.
            app, names = _substitute(words[1], variables), words[3:]
            commands.append(SetupCommand(
                words=("secrets", "set", "--stage", "--app", app, *(f"{n}=-" for n in names)),
                location=loc))
            continue
        for i, word in enumerate(words):
            if word in ("fly", "flyctl") and i + 1 < len(words):
                rest = tuple(_substitute(w, variables) for w in words[i + 1:])
                commands.append(SetupCommand(words=rest, location=loc))
                break
    return SetupScript(file=shown, commands=tuple(commands), diagnostics=tuple(diags),
                       project=project, written_from=written_from, store_labels=tuple(store_labels))


_HEADER = re.compile(r"^# One-time Fly\.io provisioning for ([a-z0-9][a-z0-9-]*), written by hopper"
                     r"(?: from the ([a-z0-9-]+) setup)?\.")
_STORE_LABEL = re.compile(r"^# Object store ([a-z0-9][a-z0-9-]*) \(Tigris\):")


def _substitute(word: str, variables: dict[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        if name in variables:
            return variables[name]
        return default if default is not None else match.group(0)

    return _VAR.sub(repl, word)


def option(words: tuple[str, ...], *names: str) -> str | None:
    """The value of ``--name VALUE`` / ``--name=VALUE`` / ``-n VALUE`` in a command."""
    for i, word in enumerate(words):
        for name in names:
            if word == name and i + 1 < len(words):
                return words[i + 1]
            if word.startswith(name + "="):
                return word[len(name) + 1:]
    return None


def has_flag(words: tuple[str, ...], *names: str) -> bool:
    return any(w in names for w in words)


def secret_names(words: tuple[str, ...]) -> list[str]:
    """NAME of each NAME=VALUE argument of ``fly secrets set`` (values are never kept)."""
    out = []
    for word in words:
        if word.startswith("-"):
            continue
        name, eq, _ = word.partition("=")
        if eq and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            out.append(name)
    return out


# ----------------------------------------------------------------------------- private hostnames

_INTERNAL = re.compile(
    r"^(?:(?:top\d+\.nearest\.of|global|[a-z]{3})\.|[0-9a-f]+\.vm\.|[a-z0-9_-]+\.process\.)?"
    r"(?P<app>[a-z0-9][a-z0-9-]*)\.internal\.?$")
_FLYCAST = re.compile(r"^(?P<app>[a-z0-9][a-z0-9-]*)\.flycast\.?$")


def fly_host_app(host: str) -> tuple[str, str] | None:
    """``(app, "flycast"|"internal")`` for a Fly private hostname, else None.

    Understands ``<app>.flycast``, ``<app>.internal``, ``top<N>.nearest.of.<app>.internal``,
    ``global.<app>.internal``, ``<region>.<app>.internal``, ``<id>.vm.<app>.internal`` and
    ``<group>.process.<app>.internal``.
    """
    lower = host.lower()
    match = _FLYCAST.match(lower)
    if match:
        return match.group("app"), "flycast"
    match = _INTERNAL.match(lower)
    if match:
        return match.group("app"), "internal"
    return None
