"""What real repositories contain converts with a warning (issue 13), and fails under --strict.

Each case was a refusal before: a git-ignored .env, a ${VAR:?} the operator sets, a port built
from an unset variable, a secret named db-password, a compose file in docker/ that builds ../api.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from compose_load_support import write_tree

from hopper.diagnostics import Diagnostic
from hopper.formats.base import ReadOptions
from hopper.formats.compose.project import load_project
from hopper.formats.compose.reader import read
from support import CANARY, run_cli


def converts_with(root: Path, code: str, tmp_path: Path, *extra: str) -> str:
    """``convert`` succeeds with the warning ``code``; ``--strict`` fails and writes nothing.
    Returns the warnings printed."""
    out = tmp_path / "out"
    done = run_cli("convert", root, *extra, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    assert f"[{code}]" in done.stderr, done.stderr
    strict_out = tmp_path / "strict"
    strict = run_cli("convert", root, *extra, "--to", "fly", "--out", strict_out, "--strict")
    assert strict.code == 1, strict.stderr
    assert f"[{code}]" in strict.stderr
    assert not strict_out.exists()
    return done.stderr


def _codes(diagnostics: tuple[Diagnostic, ...], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


API = "services:\n  api:\n    image: node:20-alpine\n    command: [node, server.js]\n    ports: ['3000:3000']\n"


# ---------------------------------------------------------------------------- env_file


def test_missing_env_file_is_a_warning(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": API + "    env_file: .env\n"})
    stderr = converts_with(root, "HOP141", tmp_path)
    assert "compose.yaml:6:5: warning: env_file '.env' does not exist (service api)" in stderr


def test_missing_env_file_takes_names_from_the_example_never_values(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": API + "    env_file: [.env]\n  worker:\n    image: node:20-alpine\n"
                        "    command: [node, worker.js]\n    env_file: .env\n",
        ".env.example": f"API_TOKEN={CANARY}\n# a comment\nLOG_LEVEL=debug\nexport FEATURE_X=on\n"})
    result = read(root, ReadOptions())
    api = result.model.service("api")
    assert api is not None
    # Names only: each is a value the target must receive; the placeholders are not values.
    assert set(api.runtime.secret_env) >= {"API_TOKEN", "LOG_LEVEL", "FEATURE_X"}
    assert "LOG_LEVEL" not in api.runtime.env
    assert all(s.digest is None for s in result.model.secrets)
    [warn] = _codes(result.diagnostics, "HOP141")  # once per file, not once per service
    assert "the names in .env.example (3) are kept" in warn.message
    assert CANARY not in repr(result)
    stderr = converts_with(root, "HOP141", tmp_path)
    assert CANARY not in stderr
    assert CANARY not in "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())


@pytest.mark.parametrize("example", [".env.sample", ".env.template", "example.env", "app.env.example"])
def test_each_example_name_is_read(tmp_path: Path, example: str) -> None:
    root = write_tree(tmp_path, {"compose.yaml": API + "    env_file: app.env\n", example: "ONLY_NAME=x\n"})
    api = read(root, ReadOptions()).model.service("api")
    assert api is not None and "ONLY_NAME" in api.runtime.secret_env


def test_required_false_is_silent(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": API + "    env_file:\n      - path: .env\n"
                                                       "        required: false\n"})
    result = read(root, ReadOptions())
    assert not [d for d in result.diagnostics if d.severity.value == "warning" and d.code.startswith(("HOP14", "HOP15"))]


def test_an_explicit_env_file_that_is_missing_still_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": API})
    done = run_cli("inspect", root, "--env-file", "nope.env")
    assert done.code == 1 and "[HOP001]" in done.stderr


# ---------------------------------------------------------------------------- unset variables


def test_unset_required_variable_is_a_value_to_receive(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": API + "    environment:\n"
                                       "      PUBLIC_HOST: ${HOP_T_HOST:?set the host}\n"
                                       "      OTHER: ${HOP_T_HOST:?set the host}\n"})
    result = read(root, ReadOptions())
    api = result.model.service("api")
    assert api is not None
    assert {"PUBLIC_HOST", "OTHER"} <= set(api.runtime.secret_env)
    [warn] = _codes(result.diagnostics, "HOP142")  # reported once, with its location
    assert warn.render().startswith("compose.yaml:7:7: warning: required variable HOP_T_HOST is not set")
    converts_with(root, "HOP142", tmp_path)


def test_required_variable_set_agrees_with_compose(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": API + "    environment:\n      H: ${HOST:?x}\n"})
    result = read(root, ReadOptions(environ={"HOST": "example.org"}))
    api = result.model.service("api")
    assert api is not None and api.runtime.env["H"] == "example.org"
    assert not _codes(result.diagnostics, "HOP142")


def test_unset_plain_variable_is_a_value_to_receive(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": API + "    environment:\n      GREETING: ${HOP_T_HELLO}\n"
                                                       "      FROM_SHELL:\n"})
    result = read(root, ReadOptions())
    api = result.model.service("api")
    assert api is not None
    assert "GREETING" not in api.runtime.env and "GREETING" in api.runtime.secret_env
    assert "FROM_SHELL" in api.runtime.secret_env  # environment: [VAR] passes the host's value
    assert len(_codes(result.diagnostics, "HOP112")) == 1


def test_list_form_name_without_value_is_kept(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": API + "    environment: [VAR_NAME, B=1]\n"})
    api = read(root, ReadOptions()).model.service("api")
    assert api is not None and "VAR_NAME" in api.runtime.secret_env and api.runtime.env["B"] == "1"


def test_port_from_unset_variable_keeps_the_container_port(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": "services:\n  api:\n    image: node:20-alpine\n"
                                       "    command: [node, server.js]\n"
                                       "    ports: ['${HOP_T_PORT}:3000', '${HOP_T_UDP}:${HOP_T_UDP}/udp']\n"})
    project = load_project(root, ReadOptions())
    assert project.services["api"]["ports"] == [
        {"target": 3000, "published": None, "host_ip": None, "protocol": "tcp"}]
    warns = _codes(project.diagnostics, "HOP143")
    assert [w.location.line if w.location else None for w in warns] == [5, 5]
    assert "keeps container port 3000" in warns[0].message and "left out" in warns[1].message
    converts_with(root, "HOP143", tmp_path)


def test_volume_from_unset_variable_keeps_the_target(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  db:\n    image: postgres:16\n    volumes:\n"
                                 "      - ${HOP_T_DATA}/pg:/var/lib/postgresql/data\n"
                                 "      - ${HOP_T_CONF}:/etc/app.conf:ro\n"})
    project = load_project(root, ReadOptions())
    assert project.services["db"]["volumes"] == [
        {"type": "volume", "source": None, "target": "/var/lib/postgresql/data", "read_only": False}]
    assert len(_codes(project.diagnostics, "HOP143")) == 2


def test_image_tag_from_unset_variable_keeps_the_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:${HOP_T_TAG}\n"})
    project = load_project(root, ReadOptions())
    assert project.services["web"]["image"] == "nginx"
    assert _codes(project.diagnostics, "HOP143")


def test_set_variables_agree_with_compose(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:${TAG}\n"
                                 "    ports: ['${PORT}:80']\n    volumes: ['${DATA}/x:/data']\n"})
    project = load_project(root, ReadOptions(environ={"TAG": "1.27", "PORT": "8080", "DATA": "./d"}))
    web = project.services["web"]
    assert web["image"] == "nginx:1.27"
    assert web["ports"][0]["published"] == "8080" and web["ports"][0]["target"] == 80
    assert web["volumes"][0]["source"] == "d/x" and web["volumes"][0]["type"] == "bind"
    assert not _codes(project.diagnostics, "HOP143")


# ---------------------------------------------------------------------------- names


def test_names_with_dots_and_hyphens_are_read_and_translated_for_fly(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "services:\n  search:\n    image: elasticsearch:8.15.0\n    ports: ['9200:9200']\n"
                        "    environment:\n      discovery.type: single-node\n"
                        "    secrets: [db-password]\n"
                        "secrets:\n  db-password:\n    file: db/password.txt\n"})
    stderr = converts_with(root, "HOP590", tmp_path)
    assert "secret 'db-password' is set on Fly as 'db_password'" in stderr
    toml = (tmp_path / "out" / "search" / "fly.toml").read_text()
    assert '"discovery.type" = "single-node"' in toml
    import tomllib

    assert tomllib.loads(toml)["env"]["discovery.type"] == "single-node"
    script = (tmp_path / "out" / "fly-setup.sh").read_text()
    assert "db_password" in script and "db-password" not in script


# ---------------------------------------------------------------------------- project root


def _repo(tmp_path: Path, git: bool) -> Path:
    root = write_tree(tmp_path / "repo", {
        "docker/docker-compose.yml": "services:\n  api:\n    build: ../api\n    env_file: ../.env\n"
                                     "    ports: ['3000:3000']\n",
        "api/Dockerfile": "FROM node:20-alpine\nCMD [\"node\", \"server.js\"]\n",
        "api/package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n',
        ".env": "LOG_LEVEL=info\n",
    })
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_compose_in_a_subfolder_reads_the_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path, git=True)
    result = read(root / "docker", ReadOptions())
    api = result.model.service("api")
    assert api is not None and api.build is not None
    assert api.build.context == "api" and api.runtime.env["LOG_LEVEL"] == "info"
    assert result.root == root.resolve()
    assert result.model.name == "docker"  # the project name still comes from the compose folder
    out = tmp_path / "out"
    assert run_cli("convert", root / "docker", "--to", "fly", "--out", out).code == 0
    # The build context is the repository's api/, not docker/../api.
    assert "flyctl deploy api --config" in (out / ".github" / "workflows" / "fly-deploy-api.yml").read_text()


def test_nothing_outside_the_repository_is_read(tmp_path: Path) -> None:
    root = _repo(tmp_path, git=False)
    done = run_cli("inspect", root / "docker")
    assert done.code == 1 and "[HOP002]" in done.stderr


def test_the_repository_folder_finds_compose_in_docker(tmp_path: Path) -> None:
    root = _repo(tmp_path, git=False)
    result = read(root, ReadOptions())
    api = result.model.service("api")
    assert api is not None and api.build is not None and api.build.context == "api"
    assert result.root is None  # the folder given is the root


def test_every_service_in_a_profile(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": API + "    profiles: [app]\n"})
    stderr = converts_with(root, "HOP150", tmp_path)
    assert "every service needs a profile" in stderr
    assert load_project(root, ReadOptions(profiles=("app",))).diagnostics == ()
