"""Read an emitted Fly set the way flyctl and the setup script would use it.

- Every ``fly.toml`` (parsed with tomllib: flyctl's own reading is the validator's business).
- Every ``flyctl deploy`` invocation in ``fly-setup.sh`` and ``.github/workflows/*.yml``, with
  flyctl's path rule: it changes into the working-directory argument **before** it reads
  ``--config`` (so ``flyctl deploy api --config api/fly.toml`` looks for ``api/api/fly.toml``).
  The build context is that working directory; ``[build] dockerfile`` is relative to fly.toml.
- From ``fly-setup.sh``: the apps given a private (Flycast) address, the Postgres and storage
  attachments (which app gets ``DATABASE_URL`` or ``AWS_*``/``BUCKET_NAME``), the secrets it
  stages per app.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SKIP = {".git", "node_modules"}


@dataclass(frozen=True, slots=True)
class DeployCommand:
    where: str  # "fly-setup.sh:158"
    text: str  # the command as written
    workdir: str  # the working-directory argument ("." when absent)
    config: str | None  # --config as written
    flycast: bool  # --flycast or --no-public-ips: no public address
    build_args: tuple[str, ...] = ()  # names passed with --build-arg NAME=...
    build_secrets: tuple[str, ...] = ()

    def resolved_config(self) -> str:
        """The fly.toml flyctl reads, relative to the repository root (POSIX)."""
        base = PurePosixPath(self.workdir)
        config = PurePosixPath(self.config) if self.config else PurePosixPath("fly.toml")
        return _normal(base / config)


@dataclass(slots=True)
class FlyApp:
    name: str
    config_path: str  # relative to the set's root
    config: dict[str, Any]
    deploys: list[DeployCommand] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.config_path).parent)

    def get(self, *keys: str) -> Any:
        node: Any = self.config
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "postgres" or "storage"
    app: str
    resource: str  # cluster or bucket name
    variable: str = "DATABASE_URL"
    managed: bool = True  # mpg (pooled URL) or fly postgres (Flycast URL)


@dataclass(slots=True)
class FlySet:
    root: Path
    apps: dict[str, FlyApp] = field(default_factory=dict)  # by app name
    deploys: list[DeployCommand] = field(default_factory=list)
    private_apps: set[str] = field(default_factory=set)  # given a Flycast address
    attachments: list[Attachment] = field(default_factory=list)
    staged_secrets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    postgres_versions: dict[str, str] = field(default_factory=dict)  # cluster -> major
    problems: list[str] = field(default_factory=list)

    def app_for_config(self, resolved: str) -> FlyApp | None:
        return next((a for a in self.apps.values() if a.config_path == resolved), None)


def _normal(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or "."


def read_set(root: Path) -> FlySet:
    found = FlySet(root=root)
    for path in sorted(root.rglob("fly.toml")):
        rel = path.relative_to(root)
        if SKIP.intersection(rel.parts):
            continue
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            found.problems.append(f"{rel.as_posix()}: does not parse: {exc}")
            continue
        name = config.get("app")
        if not isinstance(name, str):
            found.problems.append(f"{rel.as_posix()}: no app name")
            continue
        found.apps[name] = FlyApp(name=name, config_path=rel.as_posix(), config=config)
    setup = root / "fly-setup.sh"
    if setup.is_file():
        _read_setup(setup.read_text(encoding="utf-8"), found)
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        for wf in sorted(workflows.glob("*.y*ml")):
            _read_workflow(wf, found)
    for deploy in found.deploys:
        app = found.app_for_config(deploy.resolved_config())
        if app is not None:
            app.deploys.append(deploy)
            if deploy.flycast and deploy.where.startswith("fly-setup.sh"):
                found.private_apps.add(app.name)
    return found


def _read_workflow(path: Path, found: FlySet) -> None:
    import yaml  # noqa: PLC0415

    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        found.problems.append(f".github/workflows/{path.name}: does not parse: {exc}")
        return
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in (jobs or {}).values():
        for step in (job.get("steps") or []) if isinstance(job, dict) else []:
            run = step.get("run") if isinstance(step, dict) else None
            if not isinstance(run, str):
                continue
            for command in run.splitlines():
                number = next((n for n, line in enumerate(text.splitlines(), 1)
                               if "flyctl deploy" in line and command.strip()[:30] in line.replace('\\"', '"')), 0)
                _deploy_line(command, f".github/workflows/{path.name}:{number}", found)


_DEPLOY = re.compile(r"(?:^|[\s\"'])flyctl deploy\b(.*)$")


def _deploy_line(line: str, where: str, found: FlySet) -> None:
    m = _DEPLOY.search(line)
    if m is None or line.lstrip().startswith("#"):
        return
    rest = m.group(1).strip()
    try:
        words = shlex.split(rest)
    except ValueError:
        return
    workdir, config, flycast = ".", None, False
    args: list[str] = []
    secrets: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("--config", "-c") and i + 1 < len(words):
            config = words[i + 1]
            i += 2
            continue
        if word.startswith("--config="):
            config = word.split("=", 1)[1]
        elif word in ("--flycast", "--no-public-ips"):
            flycast = True
        elif word in ("--build-arg", "--build-secret") and i + 1 < len(words):
            (args if word == "--build-arg" else secrets).append(words[i + 1].split("=", 1)[0])
            i += 2
            continue
        elif not word.startswith("-"):
            workdir = word
        i += 1
    found.deploys.append(DeployCommand(where=where, text=f"flyctl deploy {rest}", workdir=workdir,
                                       config=config, flycast=flycast, build_args=tuple(args),
                                       build_secrets=tuple(secrets)))


def _read_setup(text: str, found: FlySet) -> None:
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        where = f"fly-setup.sh:{number}"
        if line.startswith("run flyctl deploy"):
            _deploy_line(line[len("run "):], where, found)
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if words[:1] == ["stage_secrets"] and len(words) >= 3:
            found.staged_secrets[words[1]] = tuple(words[3:])
        if words[:1] != ["run"]:
            continue
        cmd = words[1:]
        app = _flag(cmd, "--app")
        if cmd[:4] == ["flyctl", "ips", "allocate-v6", "--private"] and app:
            found.private_apps.add(app)
        elif cmd[:3] in (["flyctl", "mpg", "attach"], ["flyctl", "postgres", "attach"]) and app:
            managed = cmd[1] == "mpg"
            resource = cmd[3] if len(cmd) > 3 and not cmd[3].startswith("-") else "postgres"
            if managed:  # the cluster id is looked up at run time; the name is in `mpg create`
                resource = next(iter(found.postgres_versions), resource)
            found.attachments.append(Attachment(
                kind="postgres", app=app, resource=resource, managed=managed,
                variable=_flag(cmd, "--variable-name") or "DATABASE_URL"))
        elif cmd[:3] in (["flyctl", "mpg", "create"], ["flyctl", "postgres", "create"]):
            name = _flag(cmd, "--name") or "postgres"
            found.postgres_versions[name] = _flag(cmd, "--pg-major-version") or ""
        elif cmd[:3] == ["flyctl", "storage", "create"] and app:
            found.attachments.append(Attachment(kind="storage", app=app,
                                                resource=_flag(cmd, "--name") or f"{app}-bucket"))


def _flag(words: list[str], name: str) -> str | None:
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None
