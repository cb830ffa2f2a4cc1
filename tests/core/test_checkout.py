"""What the load step records of the checkout for writers (hopper.checkout), on small trees."""

from __future__ import annotations

import json
from pathlib import Path

from hopper.checkout import observe, top_files
from hopper.model import Architecture, Build, Role, Service


def _write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _arch(*services: Service) -> Architecture:
    return Architecture(name="shop", services=services)


def test_a_node_context_records_its_engine_workspace_and_root_manifests(tmp_path: Path) -> None:
    _write(tmp_path, "package.json", json.dumps({"name": "shop", "private": True, "workspaces": ["apps/*"]}))
    _write(tmp_path, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    _write(tmp_path, "apps/api/package.json", json.dumps({"name": "@shop/api", "engines": {"node": ">=22"}}))
    _write(tmp_path, "apps/api/server.js", 'app.listen(port, "0.0.0.0");\n')
    api = Service(name="api", role=Role.API, build=Build(context="apps/api"))
    seen = observe(_arch(api), tmp_path).services[0]
    assert seen.build is not None
    found = seen.build.context_files
    assert found is not None
    assert found.package_json and not found.dockerfile
    assert found.node_engines == ">=22"
    assert found.workspace is not None and (found.workspace.root, found.workspace.path) == (".", "apps/api")
    assert found.workspace_files == ("package.json", "pnpm-lock.yaml")
    assert [(a.host, a.file, a.line) for a in seen.listen_addresses] == [("0.0.0.0", "apps/api/server.js", 1)]


def test_a_dockerfile_context_and_a_broken_package_json(tmp_path: Path) -> None:
    _write(tmp_path, "worker/Dockerfile", "FROM python:3.12\n")
    _write(tmp_path, "worker/package.json", "{not json")
    worker = Service(name="worker", role=Role.WORKER, build=Build(context="worker"))
    found = observe(_arch(worker), tmp_path).services[0].build
    assert found is not None and found.context_files is not None
    # The reader reports the broken file; here it is simply not a Node project.
    assert found.context_files.dockerfile and not found.context_files.package_json


def test_services_without_a_build_are_left_as_they_are(tmp_path: Path) -> None:
    cache = Service(name="cache", image="redis:7")
    assert observe(_arch(cache), tmp_path).services[0] == cache
    assert observe(_arch(cache), tmp_path).services[0].listen_addresses == ()


def test_top_files_lists_the_root_one_folder_down_and_the_workflows(tmp_path: Path) -> None:
    for rel in ("compose.yaml", "web/nginx.conf", "web/.dockerignore", "web/src/main.js",
                ".github/workflows/ci.yml", ".github/CODEOWNERS", ".git/config",
                "node_modules/x/package.json", "node_modules/y.js"):
        _write(tmp_path, rel)
    assert top_files(tmp_path, 100) == (".github/workflows/ci.yml", "compose.yaml", "web/.dockerignore",
                                        "web/nginx.conf")
    assert top_files(tmp_path, 2) == (".github/workflows/ci.yml", "compose.yaml")
    assert observe(_arch(), tmp_path).checkout is not None
