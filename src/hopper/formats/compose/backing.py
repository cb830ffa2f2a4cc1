"""Backing services: PostgreSQL containers become a :class:`Database`, S3-compatible stores an
:class:`ObjectStore` (with the buckets hopper can find), and bucket-creating helpers are folded in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, info
from hopper.formats.compose.detect import command_text, parse_image
from hopper.model import Bucket, Database, ObjectStore

I_DATABASE = code("HOP170", Severity.INFO, "what hopper read about a PostgreSQL service")
I_OBJECT_STORE = code("HOP171", Severity.INFO, "what hopper read about an object store service")
I_BUCKET_INIT = code("HOP172", Severity.INFO, "a bucket-creating helper service was folded into its object store")
I_BUCKET_FOUND = code("HOP173", Severity.INFO, "a bucket and where hopper found it")

# Env names the PostgreSQL images read: (database, user, password, password file).
_PG_ENV = {
    "database": ("POSTGRES_DB", "POSTGRESQL_DATABASE", "POSTGRESQL_DB"),
    "user": ("POSTGRES_USER", "POSTGRESQL_USERNAME", "POSTGRESQL_USER"),
    "password": ("POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD"),
    "password_file": ("POSTGRES_PASSWORD_FILE", "POSTGRESQL_PASSWORD_FILE"),
}
# Env names whose value is a credential of the backing service, per kind: env name → attribute.
# An app env var that references the same variable carries that attribute (bindings.py).
CREDENTIAL_ENV: dict[str, dict[str, str]] = {
    "database": {
        **{n: "password" for n in _PG_ENV["password"]},
        **{n: "user" for n in _PG_ENV["user"]},
        **{n: "database" for n in _PG_ENV["database"]},
    },
    "object_store": {
        "MINIO_ROOT_USER": "access_key", "MINIO_ACCESS_KEY": "access_key",
        "MINIO_ROOT_PASSWORD": "secret_key", "MINIO_SECRET_KEY": "secret_key",
    },
}
# Env names an image reads that the Database record itself carries (no warning when dropped).
PG_CARRIED_ENV = frozenset(n for names in _PG_ENV.values() for n in names) | {"PGDATA"}
STORE_CARRIED_ENV = frozenset({
    "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY",
    "MINIO_DEFAULT_BUCKETS", "MINIO_BROWSER", "MINIO_CONSOLE_ADDRESS", "SERVICES", "AWS_DEFAULT_REGION",
    "MINIO_REGION", "MINIO_REGION_NAME", "DEFAULT_REGION",
})


def read_database(name: str, svc: dict[str, Any], base_image: str | None, *, password_secret: str | None,
                  locate: Callable[..., Location | None], version_hint: str | None,
                  out: list[Diagnostic], password_env: str | None = None) -> Database:
    """``password_env``: the env name that sets the password, when ``password_secret`` is the
    variable it references rather than that name."""
    env = svc.get("environment") or {}
    image = base_image or (svc.get("image") if isinstance(svc.get("image"), str) else None)
    ref = parse_image(image) if image else None
    version = version_hint or (ref.major if ref else None)
    database = _first(env, _PG_ENV["database"])
    user = _first(env, _PG_ENV["user"])
    # The official image defaults both to "postgres" when unset.
    user_effective = user or "postgres"
    database_effective = database or user_effective
    parts = [f"image {image}" if image else "no image", f"version {version or 'unknown'}",
             f"database '{database_effective}'" + ("" if database else " (image default)"),
             f"user '{user_effective}'" + ("" if user else " (image default)")]
    if password_secret:
        parts.append(f"password in secret {password_secret}" + (
            f" ({password_env} is set from it)"
            if password_env and password_env != password_secret else ""))
    out.append(info(I_DATABASE, f"{name}: PostgreSQL database ({', '.join(parts)})", locate("services", name)))
    volumes = [str(v.get("source")) for v in svc.get("volumes") or []
               if isinstance(v, dict) and v.get("type") == "volume" and v.get("source")]
    extensions: dict[str, Any] = {}
    if volumes:
        extensions["compose"] = {"volumes": sorted(volumes)}
    return Database(
        name=name,
        engine="postgresql",
        version=version,
        image=image,
        # Unset stays None (the source did not say); the message above names the image default.
        database_name=database,
        user=user,
        password_secret=password_secret,
        extensions=extensions,
        origin=locate("services", name),
    )


def pg_password_env(svc: dict[str, Any]) -> tuple[str | None, str | None]:
    """(env name holding the password, env name holding a password *file*), whichever is set."""
    env = svc.get("environment") or {}
    plain = next((n for n in _PG_ENV["password"] if n in env), None)
    file = next((n for n in _PG_ENV["password_file"] if n in env), None)
    return plain, file


def _first(env: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for n in names:
        value = env.get(n)
        if isinstance(value, str) and value:
            return value
    return None


# ---------------------------------------------------------------------------- object stores

_MC_MB = re.compile(r"\bmc\s+mb\b((?:\s+-{1,2}[\w-]+)*)\s+([^\s;&|'\"]+)")
_MC_PUBLIC = re.compile(r"\bmc\s+(?:anonymous|policy)\s+set\s+(?:public|download)\s+([^\s;&|'\"]+)")
_S3_MB = re.compile(r"\bs3\s+mb\s+s3://([^\s;&|'\"/]+)")
_S3API_CREATE = re.compile(r"create-bucket\s+--bucket\s+([^\s;&|'\"]+)")


def buckets_from_command(text: str) -> list[tuple[str, bool]]:
    """Buckets an init command creates, with whether it makes them public."""
    found: dict[str, bool] = {}
    for m in _MC_MB.finditer(text):
        bucket = m.group(2).rstrip("/").split("/")[-1]
        if valid_bucket(bucket):
            found.setdefault(bucket, False)
    for m in _S3_MB.finditer(text):
        if valid_bucket(m.group(1)):
            found.setdefault(m.group(1), False)
    for m in _S3API_CREATE.finditer(text):
        if valid_bucket(m.group(1)):
            found.setdefault(m.group(1), False)
    for m in _MC_PUBLIC.finditer(text):
        bucket = m.group(1).rstrip("/").split("/")[-1]
        if bucket in found:
            found[bucket] = True
    return sorted(found.items())


def buckets_from_env(env: dict[str, Any]) -> list[tuple[str, bool]]:
    """``MINIO_DEFAULT_BUCKETS=media:public,uploads`` (bitnami/minio)."""
    raw = env.get("MINIO_DEFAULT_BUCKETS")
    if not isinstance(raw, str):
        return []
    out: list[tuple[str, bool]] = []
    for item in raw.split(","):
        bucket, _, policy = item.strip().partition(":")
        if valid_bucket(bucket):
            out.append((bucket, policy in ("public", "download")))
    return out


def valid_bucket(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,62}", name)) and "$" not in name


def init_targets(init_svc: dict[str, Any], stores: list[str]) -> list[str]:
    """The stores a bucket-init service works on: named in depends_on, or in its command."""
    deps = init_svc.get("depends_on") or {}
    named = [s for s in stores if s in deps]
    if named:
        return named
    text = command_text(init_svc) + " " + " ".join(str(v) for v in (init_svc.get("environment") or {}).values() if v)
    return [s for s in stores if re.search(rf"(?<![\w.-]){re.escape(s)}(?![\w-])", text)]


def make_store(name: str, svc: dict[str, Any], *, provider: str | None, base_image: str | None,
               buckets: dict[str, tuple[bool, str]], endpoint: str | None,
               locate: Callable[..., Location | None], out: list[Diagnostic],
               compose: dict[str, Any] | None = None) -> ObjectStore:
    """``buckets`` maps bucket → (public, where it was found); ``compose`` is kept for the
    compose writer (``extensions["compose"]``)."""
    for bucket, (public, where) in sorted(buckets.items()):
        out.append(info(I_BUCKET_FOUND, f"{name}: bucket '{bucket}'{' (public)' if public else ''} from {where}",
                        locate("services", name)))
    out.append(info(I_OBJECT_STORE, f"{name}: object store ({provider or 's3'}, image {base_image or 'unknown'}, "
                    f"{len(buckets)} bucket(s))", locate("services", name)))
    return ObjectStore(
        name=name,
        provider=provider or "s3",
        image=base_image,
        endpoint=endpoint,
        buckets=tuple(Bucket(name=b, public=p) for b, (p, _) in sorted(buckets.items())),
        extensions={"compose": compose} if compose else {},
        origin=locate("services", name),
    )
