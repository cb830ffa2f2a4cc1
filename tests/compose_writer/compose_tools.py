"""Checks of emitted compose projects by the tools that consume them."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any


@functools.cache
def compose_schema() -> dict[str, Any]:
    import check_jsonschema

    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def schema_errors(document: Any) -> list[str]:
    import jsonschema

    schema = compose_schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(document))


def docker_compose() -> str | None:
    return shutil.which("docker-compose")


def write_tree(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def compose_config(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``docker compose config`` in ``folder`` with a hermetic environment."""
    binary = docker_compose()
    assert binary is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder)}
    return subprocess.run([binary, "config", "--format", "json", *extra], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
