"""The compose project loader: discovery, normalised shapes, include/extends/profiles, bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from compose_load_support import write_tree

from hopper.diagnostics import HopperError, LimitError, Limits
from hopper.formats.base import ReadOptions
from hopper.formats.compose.finish import parse_duration, parse_size
from hopper.formats.compose.project import load_project
from support import CORPUS, corpus_params


def load(root: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return load_project(root, ReadOptions(**kwargs))  # type: ignore[arg-type]


def fails(root: Path, **kwargs: object) -> HopperError:
    with pytest.raises(HopperError) as info:
        load(root, **kwargs)
    err = info.value
    assert "Traceback" not in str(err)
    return err


FULL = """\
name: My_App!
x-hopper: {region: par}
x-common: &common
  restart: unless-stopped
services:
  api:
    <<: *common
    build:
      context: ./api
      args: [NODE_ENV=production, EMPTY]
    command: node server.js --port "3000"
    entrypoint: ["/bin/sh", "-c"]
    environment:
      - DB_URL=postgres://db/app
      - FROM_HOST
    env_file: [api.env]
    ports: ["3000", "127.0.0.1:8080:80/udp", {target: 9000, published: 9001}]
    expose: [4000, "4001"]
    volumes: ["./data:/data:ro", "cache:/cache", "/anon"]
    secrets: [db_password]
    depends_on: [db]
    healthcheck:
      test: curl -f http://localhost/
      interval: 1m30s
      timeout: 500ms
      retries: "3"
    deploy:
      replicas: "2"
      resources: {limits: {cpus: "0.5", memory: 512M}}
    labels: {traefik.enable: true}
    x-hopper: {role: api}
  db:
    image: postgres:16
    depends_on: {}
secrets:
  db_password: {file: ./secrets/db.txt}
volumes:
  cache:
"""


@pytest.fixture
def full(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {
        "compose.yaml": FULL,
        "api.env": "DB_URL=ignored\nNODE_ENV=dev\nQUOTED='$$x ${NODE_ENV}'\nREF=${NODE_ENV}-1\n",
    })


def test_normalised_contract(full: Path) -> None:
    project = load(full, environ={"FROM_HOST": "h"})
    assert project.root == full.resolve()
    assert project.name == "my_app"
    assert project.files == ("compose.yaml",)
    assert list(project.services) == ["api", "db"]
    api = project.services["api"]
    assert api["environment"] == {"NODE_ENV": "dev", "QUOTED": "$$x ${NODE_ENV}",
                                  "REF": "dev-1", "DB_URL": "postgres://db/app", "FROM_HOST": None}
    assert api["build"] == {"context": "api", "dockerfile": None, "dockerfile_inline": None,
                            "target": None, "args": {"NODE_ENV": "production", "EMPTY": None},
                            "secrets": []}
    assert api["command"] == ["node", "server.js", "--port", "3000"]
    assert api["entrypoint"] == ["/bin/sh", "-c"]
    assert api["ports"] == [
        {"target": 3000, "published": None, "host_ip": None, "protocol": "tcp"},
        {"target": 80, "published": "8080", "host_ip": "127.0.0.1", "protocol": "udp"},
        {"target": 9000, "published": "9001", "host_ip": None, "protocol": "tcp"},
    ]
    assert api["expose"] == ["4000", "4001"]
    assert api["volumes"] == [
        {"type": "bind", "source": "data", "target": "/data", "read_only": True},
        {"type": "volume", "source": "cache", "target": "/cache", "read_only": False},
        {"type": "volume", "source": None, "target": "/anon", "read_only": False},
    ]
    assert api["secrets"] == [{"source": "db_password", "target": "/run/secrets/db_password"}]
    assert api["depends_on"] == {"db": {"condition": "service_started", "required": True,
                                        "restart": False}}
    assert api["healthcheck"] == {"test": ["CMD-SHELL", "curl -f http://localhost/"],
                                  "interval_s": 90.0, "timeout_s": 0.5, "start_period_s": None,
                                  "start_interval_s": None, "retries": 3, "disable": False}
    assert api["deploy"] == {"replicas": 2,
                             "resources": {"limits": {"cpus": 0.5, "memory": 512 * 1024**2}}}
    assert api["labels"] == {"traefik.enable": "true"}
    assert api["restart"] == "unless-stopped"
    assert api["x-hopper"] == {"role": "api"}
    assert project.extensions["x-hopper"] == {"region": "par"}
    assert project.secrets == {"db_password": {"file": "secrets/db.txt"}}
    assert project.volumes == {"cache": {}}
    loc = project.locations[("services", "api", "environment", "DB_URL")]
    assert (loc.file, loc.line) == ("compose.yaml", 14)
    loc = project.locations[("services", "api", "environment", "NODE_ENV")]
    assert (loc.file, loc.line) == ("api.env", 2)
    assert project.locations[("services", "api", "ports", 1)].line == 17


def test_discovery_with_override_and_multiple_defaults(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: a\n    environment: {A: '1'}\n",
        "docker-compose.yml": "services:\n  other: {image: x}\n",
        "compose.override.yaml": "services:\n  web:\n    environment: {B: '2'}\n",
    })
    project = load(root)
    assert project.files == ("compose.yaml", "compose.override.yaml")
    assert project.services["web"]["environment"] == {"A": "1", "B": "2"}
    assert [d.code for d in project.diagnostics] == ["HOP129"]


def test_explicit_files_and_env_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "a.yaml": "services:\n  web:\n    image: app:${TAG}\n    command: run\n",
        "b.yaml": "services:\n  web:\n    command: [other, cmd]\n",
        ".env": "TAG=dotenv\n",
        "one.env": "TAG=one\n",
        "two.env": "TAG=two\n",
    })
    project = load(root, files=(str(root / "a.yaml"), "b.yaml"))
    assert project.services["web"]["image"] == "app:dotenv"
    assert project.services["web"]["command"] == ["other", "cmd"]
    assert project.files == ("a.yaml", "b.yaml")
    project = load(root, files=("a.yaml",), env_files=("one.env", "two.env"))
    assert project.services["web"]["image"] == "app:two"
    project = load(root, files=("a.yaml",), env_files=("one.env",), environ={"TAG": "env"})
    assert project.services["web"]["image"] == "app:env"
    project = load(root, files=("a.yaml",), interpolate=False)
    assert project.services["web"]["image"] == "app:${TAG}"


def test_dotenv_never_reads_the_process_environment(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: x\n    env_file: app.env\n",
        "app.env": "LEAK=${AWS_SECRET_ACCESS_KEY}\n",
        ".env": "ALSO=${AWS_SECRET_ACCESS_KEY}\n",
    })
    os.environ["AWS_SECRET_ACCESS_KEY"] = "canary-secret"
    try:
        project = load(root, environ={"AWS_SECRET_ACCESS_KEY": "canary-secret"})
    finally:
        del os.environ["AWS_SECRET_ACCESS_KEY"]
    assert project.services["web"]["environment"] == {"LEAK": ""}
    rendered = " ".join(d.render() for d in project.diagnostics)
    assert "canary" not in rendered and "HOP112" in rendered


def test_include_and_extends(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "compose.yaml": """\
            include:
              - path: sub/compose.yaml
                env_file: sub/sub.env
            services:
              web:
                extends: {file: base.yaml, service: base}
                environment: {OWN: "1"}
              worker:
                extends: web
                command: work
        """,
        "base.yaml": "services:\n  base:\n    image: base\n    environment: {BASE: '1'}\n"
                     "    build: ./app\n",
        "sub/compose.yaml": "services:\n  cache:\n    image: redis:${REDIS}\n"
                            "    build: .\n",
        "sub/sub.env": "REDIS=7\n",
    })
    project = load(root)
    assert set(project.services) == {"cache", "web", "worker"}
    assert project.services["cache"]["image"] == "redis:7"
    assert project.services["cache"]["build"]["context"] == "sub"
    assert project.services["web"]["image"] == "base"
    assert project.services["web"]["build"]["context"] == "app"
    assert project.services["web"]["environment"] == {"BASE": "1", "OWN": "1"}
    assert project.services["worker"]["command"] == ["work"]
    assert project.services["worker"]["environment"] == {"BASE": "1", "OWN": "1"}
    assert "sub/compose.yaml" in project.files and "base.yaml" in project.files
    loc = project.locations[("services", "web", "image")]
    assert loc.file == "base.yaml"


def test_extends_cycle(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": """\
        services:
          a: {extends: b, image: x}
          b: {extends: a}
    """})
    err = fails(root)
    assert err.code == "HOP125" and err.path == "compose.yaml"


def test_profiles(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": """\
        services:
          web: {image: x}
          debug: {image: y, profiles: [dev]}
          tools: {image: z, profiles: [ops]}
    """})
    assert set(load(root).services) == {"web"}
    assert set(load(root, profiles=("dev",)).services) == {"web", "debug"}
    assert set(load(root, environ={"COMPOSE_PROFILES": "dev,ops"}).services) == \
        {"web", "debug", "tools"}
    assert set(load(root, profiles=("*",)).services) == {"web", "debug", "tools"}


def test_depends_on_disabled_profile_is_an_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": """\
        services:
          web: {image: x, depends_on: [db]}
          db: {image: y, profiles: [data]}
    """})
    err = fails(root)
    assert err.code == "HOP124" and err.diagnostic.hint and "data" in err.diagnostic.hint
    assert load(root, profiles=("data",)).services["web"]["depends_on"]["db"]["required"]


def test_remote_context_and_unknown_keys_warn(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": """\
        servics: {}
        services:
          web:
            build: https://github.com/acme/app.git#main
            imagee: x
            x-anything: 1
    """})
    project = load(root)
    codes = sorted(d.code for d in project.diagnostics)
    assert codes == ["HOP123", "HOP123", "HOP127"]
    hints = [d.hint for d in project.diagnostics if d.code == "HOP123"]
    assert "did you mean 'services'?" in hints and "did you mean 'image'?" in hints
    assert project.services["web"]["build"]["context"] == "https://github.com/acme/app.git#main"


@pytest.mark.parametrize(("spec", "expected"), [
    ("8000-8001:80-81", [(80, "8000"), (81, "8001")]),
    ("8000-8005:80", [(80, "8000-8005")]),
    ("3000-3001", [(3000, None), (3001, None)]),
    ("[::1]:82:82/udp", [(82, "82")]),
    ("127.0.0.1::81", [(81, None)]),
])
def test_port_short_syntax(tmp_path: Path, spec: str, expected: list[tuple[int, str | None]]) -> None:
    root = write_tree(tmp_path, {"compose.yaml": f"services:\n  w:\n    image: x\n"
                                                  f"    ports: ['{spec}']\n"})
    ports = load(root).services["w"]["ports"]
    assert [(p["target"], p["published"]) for p in ports] == expected


def test_durations_and_sizes() -> None:
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration(10) == 10.0
    with pytest.raises(ValueError):
        parse_duration("10 minutes")
    assert parse_size("1g") == 1024**3 and parse_size("100") == 100 and parse_size("1.5kb") == 1536


# ------------------------------------------------------------------ bad input (ecosystem §2.4)

BAD = [
    # (row, files, code, (file, line, col))
    ("1 alias bomb", {"compose.yaml": "services: {}\n" + "\n".join(
        ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
        + [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)])},
     "HOP103", ("compose.yaml", 1, 1)),
    ("2 recursive alias", {"compose.yaml": "x-a: &x [1, *x]\nservices: {}\n"},
     "HOP104", ("compose.yaml", 1, 6)),
    ("4 duplicate key", {"compose.yaml": "services:\n  web: {image: a}\n  web: {image: b}\n"},
     "HOP102", ("compose.yaml", 3, 3)),
    ("4 duplicate merge", {"compose.yaml": "x: &x {image: a}\nservices:\n  web:\n"
                                           "    <<: *x\n    <<: *x\n"},
     "HOP102", ("compose.yaml", 5, 5)),
    ("5 deep nesting", {"compose.yaml": "services: " + "[" * 2000 + "]" * 2000 + "\n"},
     "HOP006", ("compose.yaml", 1, None)),
    ("8 invalid utf-8", {"compose.yaml": b"services:\n  web:\n    image: \xff\n"},
     "HOP003", ("compose.yaml", 3, 12)),
    ("8 NUL byte", {"compose.yaml": b"services:\n  web: \x00\n"},
     "HOP003", ("compose.yaml", 2, 8)),
    ("10 empty file", {"compose.yaml": "# nothing\n"}, "HOP121", ("compose.yaml", None, None)),
    ("10 no services", {"compose.yaml": "volumes: {}\n"}, "HOP121", ("compose.yaml", None, None)),
    ("10 wrong top-level", {"compose.yaml": "- a\n- b\n"}, "HOP120", ("compose.yaml", 1, 1)),
    ("11 syntax error", {"compose.yaml": "services:\n  web: [\n"}, "HOP101", ("compose.yaml", 3, 1)),
    ("14 service ..", {"compose.yaml": "services:\n  ..: {image: a}\n"},
     "HOP009", ("compose.yaml", 2, 3)),
    ("14 service -rf", {"compose.yaml": "services:\n  -rf: {image: a}\n"},
     "HOP009", ("compose.yaml", 2, 3)),
    ("14 service a/b", {"compose.yaml": "services:\n  a/b: {image: a}\n"},
     "HOP009", ("compose.yaml", 2, 3)),
    ("14 env key with =", {"compose.yaml": "services:\n  w:\n    environment:\n      'A=B': x\n"},
     "HOP114", ("compose.yaml", 4, 7)),
    ("14 env key with newline", {"compose.yaml": "services:\n  w:\n    environment:\n"
                                                 "      \"A\\nB\": x\n"},
     "HOP114", ("compose.yaml", 4, 7)),
    ("15 env_file outside", {"compose.yaml": "services:\n  w:\n    image: a\n"
                                             "    env_file: ../../../../etc/passwd\n"},
     "HOP002", ("compose.yaml", 4, 5)),
    ("15 env_file absolute", {"compose.yaml": "services:\n  w:\n    image: a\n"
                                              "    env_file: [/etc/passwd]\n"},
     "HOP002", ("compose.yaml", 4, 16)),
    ("15 env_file home", {"compose.yaml": "services:\n  w:\n    image: a\n    env_file: ~/x\n"},
     "HOP002", ("compose.yaml", 4, 5)),
    ("15 include outside", {"compose.yaml": "include: [../other/compose.yaml]\n"
                                            "services: {w: {image: a}}\n"},
     "HOP002", ("compose.yaml", 1, 11)),
    ("15 extends outside", {"compose.yaml": "services:\n  w:\n    extends:\n"
                                            "      file: /etc/compose.yaml\n      service: x\n"},
     "HOP002", ("compose.yaml", 3, 5)),
    ("34 invalid interpolation", {"compose.yaml": "services:\n  w:\n    image: 'a${'\n"},
     "HOP110", ("compose.yaml", 3, 5)),
    ("unknown depends_on", {"compose.yaml": "services:\n  w:\n    image: a\n"
                                            "    depends_on: [nope]\n"},
     "HOP124", ("compose.yaml", 4, 18)),
    ("env file syntax", {"compose.yaml": "services:\n  w: {image: a, env_file: e.env}\n",
                         "e.env": "OK=1\nthis is not valid\n"},
     "HOP113", ("e.env", 2, 1)),
    ("required variable in an env file", {"compose.yaml": "services:\n  w: {image: a, env_file: e.env}\n",
                                          "e.env": "OK=1\nX=${NOPE:?needed}\n"},
     "HOP111", ("e.env", 2, 1)),
]


@pytest.mark.parametrize(("row", "files", "code", "where"), BAD, ids=[b[0] for b in BAD])
def test_bad_input(tmp_path: Path, row: str, files: dict[str, str | bytes], code: str,
                   where: tuple[str, int | None, int | None]) -> None:
    root = write_tree(tmp_path / "proj", files)
    err = fails(root)
    assert err.code == code, err
    file, line, col = where
    assert err.path == file
    if line is not None:
        assert err.line == line, err
    if col is not None:
        assert err.col == col, err
    assert err.diagnostic.render().startswith(f"{file}:")


def test_symlink_outside_root_is_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "outside.env"
    secret.write_text("TOKEN=canary-7f3c9e1d-secret-value\n")
    root = write_tree(tmp_path / "proj", {
        "compose.yaml": "services:\n  w:\n    image: a\n    env_file: link.env\n"})
    (root / "link.env").symlink_to(secret)
    err = fails(root)
    assert err.code == "HOP002" and (err.path, err.line) == ("compose.yaml", 4)
    assert "link.env" in str(err) and "canary" not in str(err)


def test_compose_file_symlinked_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("services: {w: {image: a}}\n")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "compose.yaml").symlink_to(tmp_path / "real.yaml")
    assert fails(root).code == "HOP002"


def test_huge_file_is_a_limit_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services: {w: {image: a}}\n" + "#" * 5000})
    with pytest.raises(LimitError) as info:
        load(root, limits=Limits(max_file_bytes=1000))
    assert info.value.code == "HOP004" and info.value.path == "compose.yaml"


def test_too_many_services(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n" + "".join(
        f"  s{i}: {{image: a}}\n" for i in range(5))})
    with pytest.raises(LimitError) as info:
        load(root, limits=Limits(max_services=3))
    assert info.value.code == "HOP010"


def test_no_compose_file(tmp_path: Path) -> None:
    assert fails(tmp_path).code == "HOP001"


# ------------------------------------------------------------------ the corpus

def _corpus_files() -> list[Path]:
    return sorted(p for p in (CORPUS / "compose").rglob("*")
                  if p.is_file() and p.suffix in (".yml", ".yaml") and "compose" in p.name)


@pytest.mark.parametrize("path", corpus_params(_corpus_files, ids=lambda p: str(p.relative_to(CORPUS))))
def test_corpus_loads_or_fails_cleanly(path: Path) -> None:
    try:
        project = load_project(path, ReadOptions())
    except HopperError as err:
        assert err.code.startswith("HOP")
        return
    assert project.services
