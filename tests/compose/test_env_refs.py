"""Variable references of env values (``ComposeProject.env_refs``) and what the reader does with
them: a project read without its ``.env`` keeps its credential bindings and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from compose_load_support import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper.diagnostics import Diagnostic
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.compose.interpolation import EnvRefs, references
from hopper.formats.compose.project import ComposeProject, load_project
from hopper.formats.compose.reader import read
from hopper.formats.compose.writer import write
from hopper.model import Architecture, Binding, Build, Database, ObjectStore, Role, Runtime, Service
from support import CANARY

# ---------------------------------------------------------------------------- references()


@pytest.mark.parametrize(("text", "names", "single"), [
    ("${X}", ("X",), True),
    ("$X", ("X",), True),
    ("${X:-default}", ("X",), True),
    ("${X-default}", ("X",), True),
    ("${X:?set X}", ("X",), True),
    ("${X?set X}", ("X",), True),
    ("${X:+alt}", ("X",), False),  # the value is "alt", not X's
    ("${X+alt}", ("X",), False),
    (" ${X}", ("X",), False),
    ("${X}${Y}", ("X", "Y"), False),
    ("${X}/${X}", ("X",), False),
    ("postgres://app:${PW}@db:5432/app", ("PW",), False),
    ("${A:-${B}}", ("A", "B"), True),  # nested defaults reference both; A is the variable
    ("${A:-${B:-${C}}}", ("A", "B", "C"), True),
    ("${A:-$$B}", ("A",), True),  # an escaped $ in a default is not a reference
    ("pre$X.post", ("X",), False),
])
def test_references(text: str, names: tuple[str, ...], single: bool) -> None:
    assert references(text) == EnvRefs(names, single)


@pytest.mark.parametrize("text", ["plain", "$$X", "$${X}", "$$", "a$", "$", "100$ off", "${1}",
                                  "${}", "${A B}", "${A:x}", "${UNCLOSED"])
def test_no_references(text: str) -> None:
    # `$$` is an escape, a lone `$` is literal, an invalid template has nothing to reference
    # (kept as written with --no-interpolate, so this never raises).
    assert references(text) is None


def test_references_stop_at_an_invalid_template() -> None:
    assert references("${A}-${1}-${B}") == EnvRefs(("A",), False)


@pytest.mark.parametrize(("text", "unset"), [
    ("${SET}", False), ("${MISSING}", True), ("$MISSING", True), ("${EMPTY}", False),
    ("${MISSING:-d}", False), ("${MISSING-d}", False), ("${EMPTY:-d}", False),
    ("${MISSING:-${ALSO_MISSING}}", True), ("${SET:-${MISSING}}", False),
    ("${EMPTY:-${MISSING}}", True), ("${EMPTY-${MISSING}}", False),
    ("${SET:+${MISSING}}", True), ("${MISSING:+${MISSING2}}", False),
    ("${SET:?err}", False), ("x${SET}y${MISSING}", True),
])
def test_unset_is_known_from_the_lookup(text: str, unset: bool) -> None:
    env = {"SET": "v", "EMPTY": ""}
    refs = references(text, env.get)
    assert refs is not None and refs.unset is unset


# ---------------------------------------------------------------------------- the project layer


def _load(root: Path, **kwargs: object) -> ComposeProject:
    return load_project(root, ReadOptions(**kwargs))  # type: ignore[arg-type]


def test_mapping_and_list_forms(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": """\
        services:
          a:
            image: x
            environment:
              PW: ${DB_PASSWORD}
              URL: postgres://app:${DB_PASSWORD}@db/app
              LITERAL: $$NOT_A_REF
              PLAIN: text
              ${KEY_REF}: value
              NUMBER: 3
          b:
            image: x
            environment:
              - PW=${DB_PASSWORD:-dev}
              - A${X}=v
              - DUP=${FIRST}
              - DUP=second
              - BARE
    """})
    project = _load(tmp_path)
    assert project.env_refs == {
        "a": {"PW": EnvRefs(("DB_PASSWORD",), True, unset=True),
              "URL": EnvRefs(("DB_PASSWORD",), False, unset=True)},
        "b": {"PW": EnvRefs(("DB_PASSWORD",), True)},
    }
    env = project.services["a"]["environment"]
    # A mapping key is never interpolated nor read as a reference.
    assert env["${KEY_REF}"] == "value" and env["LITERAL"] == "$NOT_A_REF"
    # The values handed on are plain strings (the carrier is gone).
    assert all(type(v) is str for s in project.services.values()
               for v in s["environment"].values() if v is not None)
    # A name holding a reference is only known after interpolation: no references recorded.
    assert "A" in project.services["b"]["environment"]


def test_override_file_replaces_the_references_with_the_value(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "compose.yaml": """\
            services:
              a:
                image: x
                environment: {KEEP: "${K}", REPLACED: "${R}", ADDED: plain}
        """,
        "compose.override.yaml": """\
            services:
              a:
                environment: {REPLACED: literal, ADDED: "${NEW_SECRET}"}
        """})
    refs = _load(tmp_path).env_refs["a"]
    assert refs == {"KEEP": EnvRefs(("K",), True, unset=True),
                    "ADDED": EnvRefs(("NEW_SECRET",), True, unset=True)}


def test_reset_and_override_tags(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "compose.yaml": """\
            services:
              a:
                image: x
                environment: {A: "${A}", B: "${B}"}
              b:
                image: x
                environment: {A: "${A}"}
        """,
        "compose.override.yaml": """\
            services:
              a:
                environment: !override {B: "${OTHER}"}
              b:
                environment: !reset {}
        """})
    project = _load(tmp_path)
    assert project.env_refs == {"a": {"B": EnvRefs(("OTHER",), True, unset=True)}}


def test_extends_in_the_file_and_from_another_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "compose.yaml": """\
            services:
              base:
                image: x
                environment: {PW: "${PW}", KEPT: "${KEPT:-k}"}
              child:
                extends: base
                environment: {PW: overridden}
              remote:
                extends: {file: common/base.yaml, service: common}
        """,
        "common/base.yaml": """\
            services:
              common:
                image: x
                environment: ["TOKEN=${API_TOKEN}"]
        """})
    refs = _load(tmp_path).env_refs
    assert refs["child"] == {"KEPT": EnvRefs(("KEPT",), True)}
    assert refs["remote"] == {"TOKEN": EnvRefs(("API_TOKEN",), True, unset=True)}


def test_include_interpolates_with_its_own_env(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "compose.yaml": """\
            include: [sub/compose.yaml]
            services:
              a: {image: x}
        """,
        "sub/compose.yaml": """\
            services:
              included:
                image: x
                environment: {PW: "${SUB_PASSWORD}", MISSING: "${NOWHERE}"}
        """,
        "sub/.env": "SUB_PASSWORD=from-sub-env\n"})
    project = _load(tmp_path)
    assert project.env_refs["included"] == {
        "PW": EnvRefs(("SUB_PASSWORD",), True, unset=False),
        "MISSING": EnvRefs(("NOWHERE",), True, unset=True)}


def test_env_file_values_have_no_references(tmp_path: Path) -> None:
    # env_file values are interpolated from the file itself, never from the process or .env.
    write_tree(tmp_path, {
        "compose.yaml": """\
            services:
              a:
                image: x
                env_file: app.env
                environment: {BOTH: "${FROM_ENVIRONMENT}"}
        """,
        "app.env": "FROM_FILE=${SOMETHING}\nBOTH=file\n"})
    project = _load(tmp_path)
    assert project.env_refs["a"] == {"BOTH": EnvRefs(("FROM_ENVIRONMENT",), True, unset=True)}
    assert project.services["a"]["environment"]["FROM_FILE"] == ""


def test_no_interpolate_keeps_references_without_unset(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": """\
        services:
          a: {image: x, environment: {PW: "${PW}"}}
    """})
    project = _load(tmp_path, interpolate=False)
    assert project.env_refs == {"a": {"PW": EnvRefs(("PW",), True, unset=False)}}
    assert project.services["a"]["environment"]["PW"] == "${PW}"


def test_only_names_are_kept(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": "services:\n  a: {image: x, environment: {PW: '${PW}'}}\n",
                          ".env": f"PW={CANARY}\n"})
    project = _load(tmp_path)
    assert CANARY not in repr(project.env_refs)


# ---------------------------------------------------------------------------- the reader

HERMETIC = """\
    services:
      api:
        image: node:20-alpine
        command: [node, server.js]
        expose: ["3000"]
        depends_on: [db, media]
        environment:
          DB_PASS: ${DB_PASSWORD}
          DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
          READ_URL: postgresql://app:${DB_PASSWORD}@${READ_HOST}/app
          PGUSER: ${DB_USER}
          S3_KEY_ID: ${MEDIA_ACCESS_KEY}
          S3_KEY: ${MEDIA_SECRET_KEY}
          COPY: ${JWT_SECRET}
          ESCAPED: $$JWT_SECRET
          GREETING: ${HELLO}
      db:
        image: postgres:16-alpine
        environment:
          POSTGRES_PASSWORD: ${DB_PASSWORD}
          POSTGRES_USER: ${DB_USER}
      media:
        image: minio/minio
        command: [server, /data]
        environment:
          MINIO_ROOT_USER: ${MEDIA_ACCESS_KEY}
          MINIO_ROOT_PASSWORD: ${MEDIA_SECRET_KEY}
"""
DOTENV = ("DB_PASSWORD=pw-1\nDB_USER=app\nMEDIA_ACCESS_KEY=media-user\nMEDIA_SECRET_KEY=media-pw-2\n"
          "JWT_SECRET=jwt-3\nHELLO=hi\nREAD_HOST=db\n")


def _read(root: Path) -> tuple[Architecture, tuple[Diagnostic, ...]]:
    result = read(root, ReadOptions(environ={}))
    return result.model, result.diagnostics


def _messages(diagnostics: tuple[Diagnostic, ...], code: str) -> list[str]:
    return [d.message for d in diagnostics if d.code == code]


@pytest.fixture
def hermetic(tmp_path: Path) -> tuple[Architecture, tuple[Diagnostic, ...]]:
    write_tree(tmp_path, {"compose.yaml": HERMETIC})
    return _read(tmp_path)


def _bindings(arch: Architecture, service: str) -> dict[str, tuple[str, str, bool]]:
    svc = arch.service(service)
    assert svc is not None
    return {b.variable: (b.resource, b.attribute, b.secret) for b in svc.bindings}


def test_a_bare_reference_to_a_credential_variable_is_a_binding(hermetic: tuple[Architecture, tuple[Diagnostic, ...]]) -> None:
    arch, diagnostics = hermetic
    bindings = _bindings(arch, "api")
    assert bindings["DB_PASS"] == ("db", "password", True)
    assert bindings["PGUSER"] == ("db", "user", False)
    assert bindings["S3_KEY_ID"] == ("media", "access_key", True)
    assert bindings["S3_KEY"] == ("media", "secret_key", True)
    assert "api: DB_PASS carries the password of db (its value comes from ${DB_PASSWORD}, the password of db)" \
        in _messages(diagnostics, "HOP180")


def test_a_url_template_using_a_credential_variable_is_the_uri(hermetic: tuple[Architecture, tuple[Diagnostic, ...]]) -> None:
    arch, diagnostics = hermetic
    bindings = _bindings(arch, "api")
    assert bindings["DATABASE_URL"] == ("db", "uri", True)  # found by its host, secret by reference
    # Its host is a variable too: only the reference tells which database it is.
    assert bindings["READ_URL"] == ("db", "uri", True)
    assert any("READ_URL carries the uri of db (its URL uses ${DB_PASSWORD}, the password of db)" in m
               for m in _messages(diagnostics, "HOP180"))


def test_a_reference_to_a_secret_looking_variable_is_a_secret(hermetic: tuple[Architecture, tuple[Diagnostic, ...]]) -> None:
    arch, diagnostics = hermetic
    api = arch.service("api")
    assert api is not None
    assert {"COPY", "DATABASE_URL", "READ_URL", "DB_PASS", "S3_KEY", "S3_KEY_ID"} <= set(api.runtime.secret_env)
    assert "api: COPY is treated as a secret (its value comes from ${JWT_SECRET}, whose name looks secret); " \
        "its value is not kept" in _messages(diagnostics, "HOP181")
    secrets = {s.name: s for s in arch.secrets}
    # The variable was unset: hopper never saw a value, so there is no digest.
    assert secrets["COPY"].used_by == ("api",) and secrets["COPY"].digest is None
    # `$$` is an escape: a literal text, not a reference.
    assert api.runtime.env["ESCAPED"] == "$JWT_SECRET"
    # A reference to an unset variable that is neither a credential nor secret-looking is a
    # value the target must receive (issue 13): never the empty text hopper interpolated.
    assert "GREETING" not in api.runtime.env and "GREETING" in api.runtime.secret_env
    assert secrets["GREETING"].digest is None
    # Credentials are never kept as plain empty values.
    assert not {"COPY", "DB_PASS", "PGUSER", "S3_KEY", "S3_KEY_ID", "READ_URL"} & set(api.runtime.env)


def test_password_secret_is_the_referenced_variable(hermetic: tuple[Architecture, tuple[Diagnostic, ...]]) -> None:
    arch, diagnostics = hermetic
    (db,) = arch.databases
    assert db.password_secret == "DB_PASSWORD"
    secrets = {s.name: s for s in arch.secrets}
    assert "POSTGRES_PASSWORD" not in secrets
    assert secrets["DB_PASSWORD"].used_by == ("db",) and secrets["DB_PASSWORD"].digest is None
    assert any("password in secret DB_PASSWORD (POSTGRES_PASSWORD is set from it)" in m
               for m in _messages(diagnostics, "HOP170"))


def test_store_credentials_that_reference_secret_variables_are_secrets(hermetic: tuple[Architecture, tuple[Diagnostic, ...]]) -> None:
    arch, _ = hermetic
    secrets = {s.name: s for s in arch.secrets}
    assert secrets["MINIO_ROOT_USER"].used_by == ("media",)
    assert secrets["MINIO_ROOT_PASSWORD"].used_by == ("media",)


def test_same_bindings_and_secrets_with_and_without_dotenv(tmp_path: Path) -> None:
    write_tree(tmp_path / "bare", {"compose.yaml": HERMETIC})
    write_tree(tmp_path / "env", {"compose.yaml": HERMETIC, ".env": DOTENV})
    bare, _ = _read(tmp_path / "bare")
    full, _ = _read(tmp_path / "env")
    for name in ("api",):
        b, f = bare.service(name), full.service(name)
        assert b is not None and f is not None
        assert b.bindings == f.bindings
        # GREETING: ${HELLO} is plain with a value, and a value to receive without one.
        assert tuple(n for n in b.runtime.secret_env if n != "GREETING") == f.runtime.secret_env
        assert "GREETING" in b.runtime.secret_env and f.runtime.env["GREETING"] == "hi"
    assert [(s.name, s.used_by) for s in bare.secrets if s.name != "GREETING"] == \
        [(s.name, s.used_by) for s in full.secrets]
    assert [d.password_secret for d in bare.databases] == [d.password_secret for d in full.databases]
    # With a value, secrets get a digest; the digest of one variable agrees across services.
    digests = {s.name: s.digest for s in full.secrets}
    assert digests["DB_PASSWORD"] is not None and digests["COPY"] is not None


def test_two_databases_sharing_a_variable_prefer_the_dependency(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": """\
        services:
          api:
            image: node:20-alpine
            command: [node, server.js]
            expose: ["3000"]
            depends_on: [second]
            environment: {THE_PW: "${POSTGRES_PASSWORD}"}
          first:
            image: postgres:16
            environment: {POSTGRES_PASSWORD: "${POSTGRES_PASSWORD}"}
          second:
            image: postgres:16
            environment: {POSTGRES_PASSWORD: "${POSTGRES_PASSWORD}"}
    """})
    arch, diagnostics = _read(tmp_path)
    assert _bindings(arch, "api") == {"THE_PW": ("second", "password", True)}
    assert any("THE_PW carries the password of second (its value comes from ${POSTGRES_PASSWORD}, the "
               "password of second; first also use it)" in m for m in _messages(diagnostics, "HOP180"))


def test_a_template_password_keeps_the_container_key(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": """\
        services:
          db:
            image: postgres:16
            environment: {POSTGRES_PASSWORD: "prefix-${PW}"}
          api:
            image: node:20-alpine
            command: [node, server.js]
            environment: {X: "${PW}"}
    """})
    arch, _ = _read(tmp_path)
    assert arch.databases[0].password_secret == "POSTGRES_PASSWORD"
    # Not one reference: the database's password is not PW's value, so X binds to nothing.
    assert _bindings(arch, "api") == {}


def test_x_hopper_plain_still_wins(tmp_path: Path) -> None:
    write_tree(tmp_path, {"compose.yaml": """\
        services:
          api:
            image: node:20-alpine
            command: [node, server.js]
            environment: {SHOWN: "${SOME_TOKEN:-public}"}
            x-hopper: {plain: [SHOWN]}
    """})
    arch, _ = _read(tmp_path)
    api = arch.service("api")
    assert api is not None and api.runtime.env == {"SHOWN": "public"} and not arch.secrets


# ---------------------------------------------------------------------------- round trips


def _round_trip(arch: Architecture, tmp_path: Path) -> Architecture:
    files = write(arch, WriteOptions()).files
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return read(tmp_path, ReadOptions(environ={})).model


def _model(password_secret: str | None) -> Architecture:
    api = Service(
        name="api", role=Role.API,
        build=Build(context="api", dockerfile="api/Dockerfile", runtime="node"),
        runtime=Runtime(port=3000),
        bindings=(Binding(variable="PGPASS", resource="db", attribute="password", secret=True),
                  Binding(variable="S3_ID", resource="media", attribute="access_key", secret=True),
                  Binding(variable="S3_PW", resource="media", attribute="secret_key", secret=True)),
    )
    return Architecture(name="app", services=(api,),
                        databases=(Database(name="db", password_secret=password_secret),),
                        object_stores=(ObjectStore(name="media", provider="minio"),))


@pytest.mark.parametrize("secret", ["DB_PASSWORD", "POSTGRES_PASSWORD"])
def test_password_secret_survives_a_compose_round_trip(secret: str, tmp_path: Path) -> None:
    again = _round_trip(_model(secret), tmp_path)
    assert again.databases[0].password_secret == secret
    api = again.service("api")
    assert api is not None
    assert {(b.variable, b.resource, b.attribute, b.secret) for b in api.bindings} == {
        ("PGPASS", "db", "password", True), ("S3_ID", "media", "access_key", True),
        ("S3_PW", "media", "secret_key", True)}
    assert set(api.runtime.secret_env) == {"PGPASS", "S3_ID", "S3_PW"} and not api.runtime.env


@settings(max_examples=30, deadline=None, database=None)
@given(st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True))
def test_any_password_secret_name_survives(secret: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hopper-envrefs-") as folder:
        again = _round_trip(_model(secret), Path(folder))
    assert again.databases[0].password_secret == secret
    api = again.service("api")
    assert api is not None and ("PGPASS", "db", "password") in {
        (b.variable, b.resource, b.attribute) for b in api.bindings}
