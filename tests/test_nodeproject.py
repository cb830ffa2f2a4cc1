"""hopper.shared.nodeproject: package.json, lockfiles, package managers, monorepo workspaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopper.diagnostics import InputError
from hopper.shared.nodeproject import E_PACKAGE_JSON, node_major, read_node_project, run_command


def _pkg(folder: Path, data: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(data), encoding="utf-8")


def test_plain_project(tmp_path: Path) -> None:
    _pkg(tmp_path / "api", {"name": "api", "scripts": {"build": "tsc", "start": "node dist/index.js"},
                            "engines": {"node": ">=20.11"}, "dependencies": {"express": "^4"}})
    (tmp_path / "api" / "package-lock.json").write_text("{}")
    project = read_node_project(tmp_path / "api", tmp_path)
    assert project is not None
    assert project.path == "api" and project.name == "api"
    assert project.build_script == "tsc" and project.start_script == "node dist/index.js"
    assert project.node_major == "20"
    assert project.package_manager == "npm" and project.lockfile == "api/package-lock.json"
    assert project.install_command() == "npm ci" and project.run_command("build") == "npm run build"
    assert project.dependencies == ("express",)
    assert project.workspace is None and project.location.file == "api/package.json"


@pytest.mark.parametrize(("lockfile", "manager"), [
    ("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("bun.lockb", "bun"), ("bun.lock", "bun"),
    ("package-lock.json", "npm"),
])
def test_lockfile_names_the_package_manager(tmp_path: Path, lockfile: str, manager: str) -> None:
    _pkg(tmp_path, {"name": "x"})
    (tmp_path / lockfile).write_text("")
    project = read_node_project(tmp_path, tmp_path)
    assert project is not None and project.package_manager == manager and project.path == "."


def test_package_manager_field_wins(tmp_path: Path) -> None:
    _pkg(tmp_path, {"packageManager": "pnpm@9.1.0+sha512.abc"})
    (tmp_path / "package-lock.json").write_text("{}")
    project = read_node_project(tmp_path, tmp_path)
    assert project is not None
    assert (project.package_manager, project.package_manager_version) == ("pnpm", "9.1.0")
    # package-lock.json is npm's: pnpm has no lockfile to check the install against.
    assert project.lockfile is None and project.install_command() == "pnpm install"
    assert [d.code for d in project.notes] == ["HOP194", "HOP193"]


def test_no_package_json(tmp_path: Path) -> None:
    assert read_node_project(tmp_path, tmp_path) is None


def test_monorepo_with_pnpm_workspace_and_turbo(tmp_path: Path) -> None:
    _pkg(tmp_path, {"name": "root", "private": True})
    (tmp_path / "pnpm-workspace.yaml").write_text("packages:\n  - 'apps/*'\n  - 'packages/**'\n")
    (tmp_path / "pnpm-lock.yaml").write_text("")
    (tmp_path / "turbo.json").write_text("{}")
    _pkg(tmp_path / "apps" / "web", {"name": "@acme/web", "scripts": {"build": "vite build"}})
    project = read_node_project(tmp_path / "apps" / "web", tmp_path)
    assert project is not None and project.workspace is not None
    assert project.workspace.root == "." and project.workspace.path == "apps/web"
    assert project.workspace.package == "@acme/web" and project.workspace.tool == "turbo"
    assert project.package_manager == "pnpm" and project.lockfile == "pnpm-lock.yaml"
    assert project.run_command("build") == "pnpm run build"
    root = read_node_project(tmp_path, tmp_path)
    assert root is not None and root.workspaces == ("apps/*", "packages/**")


def test_npm_workspaces_object_form_and_exclusion(tmp_path: Path) -> None:
    _pkg(tmp_path, {"workspaces": {"packages": ["services/*", "!services/legacy"]}})
    (tmp_path / "yarn.lock").write_text("")
    _pkg(tmp_path / "services" / "api", {"name": "api"})
    _pkg(tmp_path / "services" / "legacy", {"name": "legacy"})
    api = read_node_project(tmp_path / "services" / "api", tmp_path)
    assert api is not None and api.workspace is not None and api.package_manager == "yarn"
    assert run_command("yarn", "start") == "yarn start"
    legacy = read_node_project(tmp_path / "services" / "legacy", tmp_path)
    assert legacy is not None and legacy.workspace is None


@pytest.mark.parametrize(("text", "line", "col"), [
    ('{\n  "name": "x",\n  "scripts": {,}\n}\n', 3, 15),
    ("[1, 2]", 1, None),
])
def test_bad_package_json_has_a_position(tmp_path: Path, text: str, line: int, col: int | None) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text(text)
    with pytest.raises(InputError) as info:
        read_node_project(tmp_path / "api", tmp_path)
    assert info.value.code == E_PACKAGE_JSON
    assert (info.value.path, info.value.line, info.value.col) == ("api/package.json", line, col)


@pytest.mark.parametrize(("spec", "major"), [
    (">=20", "20"), ("20.x", "20"), ("^18.17.0", "18"), ("18 || 20", "20"), ("lts/*", None), (None, None),
])
def test_node_major(spec: str | None, major: str | None) -> None:
    assert node_major(spec) == major
