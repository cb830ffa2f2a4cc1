"""Bindings from env values and names, and the secret/plain split (values never kept)."""

from __future__ import annotations

from hopper.diagnostics import Diagnostic
from hopper.formats.compose.bindings import Resource, find_bindings, split_env
from hopper.model import secret_digest

RESOURCES = {
    "db": Resource(name="db", kind="database", known_values={"user": "app", "password": "pw-123"}),
    "minio": Resource(name="minio", kind="object_store", known_values={"access_key": "minio"}),
    "api": Resource(name="api", kind="service"),
}
HOSTS = {"db": "db", "postgres-alias": "db", "minio": "minio", "api": "api"}


def _bind(env: dict[str, str | None], resources: dict[str, Resource] = RESOURCES) -> dict[str, tuple[str, str, bool]]:
    out: list[Diagnostic] = []
    found = find_bindings("web", env, resources, HOSTS.get, lambda *k: None, out)
    assert len(out) == len(found)
    return {b.variable: (b.resource, b.attribute, b.secret) for b in found}


def test_urls_and_hosts() -> None:
    assert _bind({
        "DATABASE_URL": "postgres://app:pw-123@db:5432/app",
        "READ_URL": "postgresql://postgres-alias/app",
        "S3_ENDPOINT": "http://minio:9000",
        "API_URL": "http://api:3000/v1",
        "DB_HOST": "db",
        "PGHOST": "db:5432",
        "ELSEWHERE_URL": "https://example.com",
    }) == {
        "DATABASE_URL": ("db", "uri", True),
        "READ_URL": ("db", "uri", False),
        "S3_ENDPOINT": ("minio", "endpoint", False),
        "API_URL": ("api", "url", False),
        "DB_HOST": ("db", "host", False),
        "PGHOST": ("db", "host", False),
    }


def test_names_and_values_without_hosts() -> None:
    assert _bind({"DB_USER": "app", "DB_PASSWORD": None, "S3_BUCKET": "media", "APP_DATABASE_PORT": "5432",
                  "LOG_LEVEL": "debug"}) == {
        "DB_USER": ("db", "user", False), "DB_PASSWORD": ("db", "password", True),
        "S3_BUCKET": ("minio", "bucket", False), "APP_DATABASE_PORT": ("db", "port", False)}


def test_a_credential_equal_to_a_service_name_is_not_a_host() -> None:
    # MINIO_ROOT_USER=minio is common: the access key must not be read as "the host minio".
    found = _bind({"S3_ACCESS_KEY": "minio"})
    assert found == {"S3_ACCESS_KEY": ("minio", "access_key", True)}


def test_two_databases_need_a_value_match() -> None:
    two = dict(RESOURCES, other=Resource(name="other", kind="database", known_values={"user": "x"}))
    assert _bind({"DB_USER": "app", "DB_NAME": "app"}, two) == {"DB_USER": ("db", "user", False)}


def test_binding_messages_never_contain_secret_values() -> None:
    out: list[Diagnostic] = []
    find_bindings("web", {"DB_PASSWORD": "pw-123", "DATABASE_URL": "postgres://app:pw-123@db/app"},
                  RESOURCES, HOSTS.get, lambda *k: None, out)
    assert out and all("pw-123" not in d.message for d in out)


def test_split_env() -> None:
    out: list[Diagnostic] = []
    split = split_env("web", {
        "NODE_ENV": "production", "API_TOKEN": "t0k", "FROM_HOST": None, "JWT_KEY": None,
        "SMTP": "smtp://u:p4ss@mail:25", "RANDOM": "aZ3kP9qL2mX7vB4nR8tY1wE6", "MODE": "x", "PUBLIC_THING": "v",
        "CARRIES": "plain-looking",
    }, force_secret=frozenset({"MODE"}), force_plain=frozenset({"API_TOKEN"}),
        bound_secret=frozenset({"CARRIES"}), locate=lambda *k: None, out=out)
    assert split.plain == {"NODE_ENV": "production", "API_TOKEN": "t0k", "PUBLIC_THING": "v"}
    assert set(split.secret) == {"JWT_KEY", "SMTP", "RANDOM", "MODE", "CARRIES", "FROM_HOST"}
    assert split.secret["SMTP"] == secret_digest("SMTP", "smtp://u:p4ss@mail:25")
    assert split.secret["JWT_KEY"] is None
    text = " ".join(d.message for d in out)
    assert "p4ss" not in text and "aZ3kP9" not in text
