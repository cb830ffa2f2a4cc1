"""Backing services for the compose writer: PostgreSQL and MinIO containers, bucket creation, and
the env values a service receives for each binding.

Locally every database is a ``postgres`` container with a named volume, and every object store a
``minio`` container (whatever the source platform used) plus a one-shot ``minio/mc`` job that
creates its buckets. Credentials are variables the user sets in ``.env``; compose.yaml only names
them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from hopper.formats.compose.write_context import (
    W_BINDING,
    W_DATABASE,
    W_ENGINE,
    W_STORE,
    WriteContext,
    check_service_name,
    check_volume_name,
    ident,
    literal,
)
from hopper.model import Binding, Database, ObjectStore, Service

DEFAULT_POSTGRES_VERSION = "17"
MINIO_IMAGE = "minio/minio"
MC_IMAGE = "minio/mc"
MINIO_PORT = 9000
POSTGRES_PORT = 5432
LOCAL_S3_REGION = "us-east-1"  # MinIO's default region
# S3 bucket naming rules (3-63 characters, lower case, digits, dots and hyphens).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")

_DB_SETTINGS = ("plan", "cpus", "memory_mb", "disk_gb", "high_availability", "replicas", "backups")


def _health(test: list[str]) -> dict[str, Any]:
    return {"test": test, "interval": "5s", "timeout": "5s", "retries": 10}


# ---------------------------------------------------------------------------- PostgreSQL

def db_user(db: Database) -> str:
    return db.user or "postgres"


def db_name(db: Database) -> str:
    # The postgres image creates POSTGRES_DB, which defaults to POSTGRES_USER.
    return db.database_name or db_user(db)


def db_password_var(db: Database) -> str:
    """The ``.env`` variable holding the password: the model's secret when it has a usable name,
    else the image's own POSTGRES_PASSWORD (what the compose reader names it on the way back)."""
    secret = db.password_secret
    if secret is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", secret):
        return secret
    return "POSTGRES_PASSWORD"


def postgres_service(ctx: WriteContext, db: Database) -> dict[str, Any] | None:
    check_service_name(db.name, db.origin)
    if db.engine.lower() not in ("postgresql", "postgres"):
        ctx.diagnostics.warning(
            W_ENGINE, f"database '{db.name}' uses engine '{db.engine}'; only PostgreSQL is written",
            db.origin)
        return None
    lost = [name for name in _DB_SETTINGS if getattr(db, name) is not None]
    if lost:
        ctx.diagnostics.warning(
            W_DATABASE, f"database '{db.name}': {', '.join(lost)} have no local equivalent; "
            "the container uses the machine's resources", db.origin)
    version = db.version or DEFAULT_POSTGRES_VERSION
    image = db.image or f"postgres:{version}-alpine"
    env: dict[str, Any] = {}
    if db.database_name is not None:
        env["POSTGRES_DB"] = literal(db.database_name)
    env["POSTGRES_PASSWORD"] = ctx.var(db_password_var(db), db.name, db.origin)
    if db.user is not None:
        env["POSTGRES_USER"] = literal(db.user)
    volume = f"{db.name}-data"
    check_volume_name(volume, db.origin)
    ctx.volumes[volume] = {}
    # The postgres image keeps its data in /var/lib/postgresql/data up to 17 and in a versioned
    # folder under /var/lib/postgresql from 18 on (its VOLUME moved there).
    major = version.split(".")[0]
    data_dir = "/var/lib/postgresql" if major.isdigit() and int(major) >= 18 else "/var/lib/postgresql/data"
    ctx.healthy.add(db.name)
    return {
        "image": image,
        "environment": env,
        "volumes": [{"type": "volume", "source": volume, "target": data_dir}],
        "expose": [str(POSTGRES_PORT)],
        "healthcheck": _health(["CMD", "pg_isready", "-U", literal(db_user(db)), "-d", literal(db_name(db))]),
    }


# ---------------------------------------------------------------------------- MinIO

def _compose_data(store: ObjectStore) -> dict[str, Any]:
    """What the compose reader kept for a compose writer (the user's own names and pins)."""
    data = store.extensions.get("compose")
    return data if isinstance(data, dict) else {}


_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def store_key_vars(store: ObjectStore) -> tuple[str, str]:
    """The ``.env`` variables of the store's credentials: the user's own when the setup read was
    compose (``MINIO_ROOT_USER``), else named after the store."""
    kept = _compose_data(store).get("credentials") or {}
    user, password = kept.get("access_key"), kept.get("secret_key")
    if isinstance(user, str) and isinstance(password, str) and _VAR.match(user) and _VAR.match(password) \
            and user != password:
        return user, password
    stem = ident(store.name)
    return f"{stem}_ACCESS_KEY", f"{stem}_SECRET_KEY"


def bucket_job_name(store: ObjectStore) -> str:
    kept = (_compose_data(store).get("bucket_job") or {}).get("name")
    return kept if isinstance(kept, str) and kept and kept != store.name else f"{store.name}-buckets"


def bucket_job_image(store: ObjectStore) -> str:
    """The user's ``minio/mc`` image with its pin, else the unpinned default (the job runs mc)."""
    kept = (_compose_data(store).get("bucket_job") or {}).get("image")
    if isinstance(kept, str) and re.fullmatch(r"(?:[\w.:-]+/)?minio/mc(?:[:@][\w.:@-]+)?", kept):
        return kept
    return MC_IMAGE


def minio_services(ctx: WriteContext, store: ObjectStore) -> dict[str, dict[str, Any]]:
    """The MinIO service, and the job that creates the buckets when there are any."""
    check_service_name(store.name, store.origin)
    if store.provider != "minio":
        ctx.diagnostics.warning(
            W_STORE, f"object store '{store.name}' ({store.provider}) runs locally as MinIO"
            + (f"; its endpoint {store.endpoint} is not used" if store.endpoint else ""),
            store.origin)
    user_var, password_var = store_key_vars(store)
    image = store.image if store.provider == "minio" and store.image else MINIO_IMAGE
    volume = f"{store.name}-data"
    check_volume_name(volume, store.origin)
    ctx.volumes[volume] = {}
    credentials = {
        "MINIO_ROOT_PASSWORD": ctx.var(password_var, store.name, store.origin),
        "MINIO_ROOT_USER": ctx.var(user_var, store.name, store.origin),
    }
    ctx.healthy.add(store.name)
    out: dict[str, dict[str, Any]] = {store.name: {
        "image": image,
        "command": ["server", "/data", "--console-address", ":9001"],
        "environment": dict(credentials),
        "volumes": [{"type": "volume", "source": volume, "target": "/data"}],
        "expose": [str(MINIO_PORT)],
        "healthcheck": _health(["CMD", "mc", "ready", "local"]),
    }}
    if not store.buckets:
        return out
    steps = [f"mc alias set local http://{store.name}:{MINIO_PORT} "
             '"$$MINIO_ROOT_USER" "$$MINIO_ROOT_PASSWORD"']
    for bucket in sorted(store.buckets, key=lambda b: b.name):
        if not _BUCKET.match(bucket.name):
            ctx.diagnostics.warning(
                W_STORE, f"bucket '{bucket.name}' of '{store.name}' is not a valid S3 bucket "
                "name; not created", bucket.origin)
            continue
        target = shlex.quote(f"local/{bucket.name}")
        steps.append(f"mc mb --ignore-existing {target}")
        if bucket.public:
            steps.append(f"mc anonymous set download {target}")
    job = bucket_job_name(store)
    check_service_name(job, store.origin)
    out[job] = {
        "image": bucket_job_image(store),
        "depends_on": {store.name: {"condition": "service_healthy"}},
        "environment": credentials,
        "entrypoint": ["/bin/sh", "-c"],
        "command": [" && ".join(steps)],
        "restart": "no",
    }
    return out


# ---------------------------------------------------------------------------- bindings

def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def binding_value(ctx: WriteContext, svc: Service, binding: Binding) -> str | None:
    """The env value that gives ``svc`` the bound attribute locally, or None (with a warning)."""
    arch = ctx.arch
    db = arch.database(binding.resource)
    store = arch.object_store(binding.resource)
    target = arch.service(binding.resource)
    attr = binding.attribute
    # Each attribute is computed only when asked for: computing a credential records its
    # variable in .env.example as used by this service.
    makers: dict[str, Callable[[], str | None]] = {}
    if db is not None and db.engine.lower() in ("postgresql", "postgres"):
        def password() -> str:
            return ctx.var(db_password_var(db), svc.name, binding.origin)

        makers = {
            "uri": lambda: (f"postgresql://{literal(quote(db_user(db), safe=''))}:{password()}@"
                            f"{db.name}:{POSTGRES_PORT}/{literal(quote(db_name(db), safe=''))}"),
            "host": lambda: db.name,
            "port": lambda: str(POSTGRES_PORT),
            "user": lambda: literal(db_user(db)),
            "password": password,
            "database": lambda: literal(db_name(db)),
        }
    elif store is not None:
        user_var, password_var = store_key_vars(store)
        buckets = sorted(b.name for b in store.buckets)
        endpoint = f"http://{store.name}:{MINIO_PORT}"
        makers = {
            "endpoint": lambda: endpoint,
            "uri": lambda: endpoint,
            "url": lambda: endpoint,
            "host": lambda: store.name,
            "port": lambda: str(MINIO_PORT),
            "access_key": lambda: ctx.var(user_var, svc.name, binding.origin),
            "secret_key": lambda: ctx.var(password_var, svc.name, binding.origin),
            "bucket": lambda: literal(buckets[0]) if buckets else None,
            "region": lambda: LOCAL_S3_REGION,
        }
    elif target is not None and target.name != svc.name:
        port = target.runtime.port or 80
        written = svc.runtime.env.get(binding.variable)

        def url() -> str:
            if binding.secret:
                # It carries a credential (redis://:${REDIS_PASSWORD}@cache:6379): the value comes
                # from .env, never rebuilt without its password.
                return ctx.var(binding.variable, svc.name, binding.origin)
            if written and _host_of(written) == target.name:
                return written  # the source's own URL (redis://cache:6379/0): scheme, port and path
            return f"http://{target.name}:{port}"

        makers = {
            "url": url,
            "host": lambda: target.name,
            "port": lambda: str(port),
        }
    maker = makers.get(attr)
    value = maker() if maker is not None else None
    if value is None:
        ctx.diagnostics.warning(
            W_BINDING, f"service '{svc.name}': {binding.variable} carries '{attr}' of "
            f"'{binding.resource}', which compose cannot provide; not set",
            binding.origin or svc.origin)
    return value
