"""The samples and every compose project of the corpus, converted to Clever Cloud, are free of
the classes of issue 21: each check below is one class, run on every emitted tree."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hopper import api
from hopper.diagnostics import HopperError
from hopper.formats.base import WriteOptions
from hopper.formats.clevercloud.addons import kind_of
from hopper.formats.clevercloud.writer import write
from support import CORPUS, SAMPLES, corpus_params

SCHEMA = json.loads((Path(__file__).parent / "provider-schema.json").read_text(encoding="utf-8"))
TERRAFORM = Path("/usr/local/bin/terraform")
_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def _compose_files() -> list[Path]:
    return sorted(p for p in (CORPUS / "compose").rglob("*") if p.name in _COMPOSE_NAMES)


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _check_tree(model: Any, files: dict[str, str], tmp_path: Path) -> None:
    import hcl2

    main = hcl2.loads(files["terraform/main.tf"])
    resources: dict[str, dict[str, Any]] = {}
    for entry in main.get("resource", []):
        for rtype, bodies in entry.items():
            for label, body in bodies.items():
                resources[f"{_plain(rtype)}.{_plain(label)}"] = _plain(body)
    no_vhosts = {key for key, body in resources.items() if body.get("vhosts") == []}
    built_images = {s.image for s in model.services if s.image and s.build is not None}
    for key, body in resources.items():
        rtype, label = key.split(".", 1)
        spec = SCHEMA["resources"][rtype]  # every resource type is in the provider's schema
        assert set(body) <= set(spec["required"]) | set(spec["optional"]), key
        assert set(spec["required"]) <= set(body), key
        env = body.get("environment", {})
        # 1. no HTTP(S) binding to an app that has no domain, no https:// Redis.
        for name, value in env.items():
            for other in no_vhosts:
                assert f"{other}.vhosts" not in str(value), (key, name)
        # 4. paths relative to APP_FOLDER.
        folder = body.get("app_folder")
        webroot = env.get("CC_WEBROOT", "")
        if folder:
            assert not webroot.strip("/").startswith(folder.strip("/") + "/"), key
        # 10. public apps redirect to HTTPS.
        if body.get("vhosts"):
            assert body.get("redirect_https") is True, key
        if rtype == "clevercloud_cellar_bucket" and model.source_format != "clevercloud":
            prefix = re.sub(r"[^a-z0-9-]+", "-", model.name.lower()).strip("-")
            assert body["id"].startswith(prefix + "-"), key  # 6. prefixed bucket names
    # 1. a service Clever offers as an add-on is never a Docker app.
    for svc in model.services:
        if kind_of(svc) is not None:
            assert not any(k.endswith(f".{svc.name.lower()}") and k.startswith("clevercloud_docker")
                           for k in resources), svc.name
    # 2. no Dockerfile FROM an image that only a local build makes.
    for path, text in files.items():
        if path.endswith("Dockerfile"):
            first = re.search(r"^FROM\s+(\S+)", text, re.M)
            assert first is None or first.group(1) not in built_images, path
    # terraform fmt on the whole tree.
    if TERRAFORM.exists():
        for rel, text in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
        proc = subprocess.run([str(TERRAFORM), "fmt", "-check", "-recursive", str(tmp_path / "terraform")],
                              capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("sample", ["clevercloud-webapp", "compose-webapp", "monorepo-webapp"])
def test_samples_convert_without_the_classes(sample: str, tmp_path: Path) -> None:
    model = api.load(SAMPLES / sample).model
    _check_tree(model, dict(write(model, WriteOptions()).files), tmp_path)


@pytest.mark.parametrize("compose_file", corpus_params(_compose_files, ids=lambda p: str(p.relative_to(CORPUS))))
def test_corpus_compose_projects_convert_without_the_classes(compose_file: Path, tmp_path: Path) -> None:
    try:
        model = api.load(compose_file).model
        files = dict(write(model, WriteOptions()).files)
    except HopperError as err:  # refused with a clean error (a missing env_file...): nothing to check
        assert err.code.startswith("HOP")
        return
    _check_tree(model, files, tmp_path)
