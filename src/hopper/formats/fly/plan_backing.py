"""The backing services of the plan: PostgreSQL databases (Managed Postgres clusters or
Postgres apps) and Tigris buckets, which apps attach each one, and the names Fly sets for them.
"""

from __future__ import annotations

from hopper import mappings
from hopper.diagnostics import E_INVALID_NAME, Diagnostics, Severity, code, fail
from hopper.formats.fly import names, placement
from hopper.formats.fly.plan_types import App, DbPlan, StorePlan
from hopper.model import Architecture

W_STORE_SHARED = code("HOP524", Severity.WARNING, "an object store is used by several apps or has several buckets")
W_DB_ENGINE = code("HOP525", Severity.WARNING, "a database engine other than PostgreSQL is not provisioned")
W_DB_VERSION = code("HOP528", Severity.WARNING, "the PostgreSQL version is not offered by Managed Postgres")
I_DB_CREDENTIALS = code("HOP542", Severity.INFO, "a database's name, user or backups setting is Fly's own")
I_BUCKET_NAME = code("HOP540", Severity.INFO, "a bucket name is changed to fit Fly's naming rules")

# The Fly variable each attribute comes from, read from mappings/env-names.toml ([fly.*]).
_FLY_DB_SOURCE = "DATABASE_URL"


def _users(resource: str, apps: list[App]) -> list[App]:
    out = []
    for app in apps:
        members = [app.service, *app.groups.values()]
        if any(b.resource == resource for s in members for b in s.bindings) or \
                any(resource in s.depends_on for s in members):
            out.append(app)
    return out


def plan_databases(arch: Architecture, apps: list[App], prefix: str, project: str, managed: bool,
               region: str, diags: Diagnostics) -> list[DbPlan]:
    out: list[DbPlan] = []
    pg = [d for d in arch.databases if d.engine == "postgresql"]
    for db in arch.databases:
        if db.engine != "postgresql":
            diags.warning(W_DB_ENGINE, f"database '{db.name}' ({db.engine}) is not provisioned: the Fly "
                          "writer creates PostgreSQL only", db.origin)
    linked_any = any(_users(d.name, apps) for d in pg)
    for index, db in enumerate(sorted(pg, key=lambda d: d.name)):
        users = _users(db.name, apps)
        if not users and not linked_any:
            users = [a for a in apps if a.kind in ("api", "generic")]
        variable = _FLY_DB_SOURCE if index == 0 else names.check_env_name(
            f"{names.slug(db.name).replace('-', '_').upper()}_DATABASE_URL", "variable", db.origin)
        name = f"{prefix}{project}-{names.slug(db.name) or 'db'}"
        if not names.APP_NAME_RE.match(name):
            raise fail(E_INVALID_NAME, f"database name {name!r} does not fit Fly's rules", db.origin)
        kept = [f"{what} '{value}'" for what, value in (("database", db.database_name), ("user", db.user))
                if value] + (["its backups setting"] if db.backups is not None else [])
        if kept:
            diags.info(I_DB_CREDENTIALS, f"database '{db.name}': {', '.join(kept)} not kept: the attach "
                       "creates its own database and user (named in DATABASE_URL), and Fly takes the "
                       "backups", db.origin)
        mpg = placement.choose_mpg(db, region, diags) if managed else None
        if managed and db.version and mpg is not None and mpg.major_version is None:
            diags.warning(W_DB_VERSION, f"database '{db.name}' runs PostgreSQL {db.version}; Managed "
                          f"Postgres offers {', '.join(placement.mpg_versions())}", db.origin,
                          hint="pg_restore into a newer major works; into an older one it may not")
        size = 1
        if not managed:
            size = 3 if db.high_availability else max(1, 1 + (db.replicas or 0))
            diags.info(placement.I_DB_PLAN, f"database '{db.name}' becomes Fly Postgres app '{name}' with "
                       f"{size} node(s)", db.origin)
        for app in users:
            app.databases = (*app.databases, (db.name, variable))
        out.append(DbPlan(database=db, name=name, managed=managed, mpg=mpg, cluster_size=size,
                          users=tuple((a.name, variable) for a in users)))
    return out


def plan_stores(arch: Architecture, apps: list[App], prefix: str, project: str,
            diags: Diagnostics) -> list[StorePlan]:
    out: list[StorePlan] = []
    credentialed: dict[str, str] = {}  # app name -> the store whose credentials it receives
    for store in sorted(arch.object_stores, key=lambda o: o.name):
        users = _users(store.name, apps)
        buckets = [b.name for b in store.buckets] or [store.name]
        bucket_names = []
        for bucket in buckets:
            slug = names.slug(bucket) or "media"
            # A bucket already named after the project (Clever's "webapp-media") keeps one prefix.
            own = slug if slug == project or slug.startswith(f"{project}-") else f"{project}-{slug}"
            name = f"{prefix}{own}"[:63].rstrip("-")
            if not names.APP_NAME_RE.match(name):
                raise fail(E_INVALID_NAME, f"bucket name {name!r} is not valid", store.origin)
            bucket_names.append(name)
            if name != f"{prefix}{project}-{bucket}":
                diags.info(I_BUCKET_NAME, f"bucket '{bucket}' of object store '{store.name}' becomes Tigris "
                           f"bucket '{name}'", store.origin)
        # One set of AWS_* names per app: an app that already has a store's credentials does
        # not get a second store's (`fly storage create --app` would set the same names again).
        for app in [a for a in users if a.name in credentialed]:
            diags.warning(W_STORE_SHARED, f"app '{app.name}' already receives the Tigris credentials of "
                          f"object store '{credentialed[app.name]}'; the buckets of object store "
                          f"'{store.name}' are created in the organization, and the app must name them "
                          "itself", store.origin,
                          hint="one Tigris key pair reaches every bucket of the organization it is scoped to")
        users = [a for a in users if a.name not in credentialed]
        for app in users:
            credentialed[app.name] = store.name
        owner = users[0] if users else None
        others = tuple(a.name for a in users[1:])
        if owner is not None:
            owner.stores = (*owner.stores, store.name)
        for other in users[1:]:
            other.runtime_secrets = tuple(sorted({*other.runtime_secrets, *fly_store_names()}))
        if others:
            diags.warning(W_STORE_SHARED, f"object store '{store.name}' is used by {len(users)} apps; "
                          f"`fly storage create` gives credentials to '{owner.name if owner else ''}' only, "
                          f"so fly-setup.sh stages the same names for {', '.join(others)} from your "
                          "environment", store.origin)
        if len(bucket_names) > 1:
            diags.warning(W_STORE_SHARED, f"object store '{store.name}' has {len(bucket_names)} buckets; "
                          f"BUCKET_NAME names the first ('{bucket_names[0]}')", store.origin,
                          hint="the app must name the other buckets itself")
        out.append(StorePlan(store=store, buckets=tuple(bucket_names),
                             owner=owner.name if owner else None, others=others,
                             label=names.slug(store.name) or "storage",
                             public=frozenset(n for n, b in zip(bucket_names, store.buckets, strict=False)
                                              if b.public)))
    return out


def fly_store_names() -> tuple[str, ...]:
    return tuple(sorted(mappings.table("env-names")["fly"]["object_store"]))


def fly_source(kind: str, attribute: str) -> str | None:
    table = mappings.table("env-names")["fly"][kind]
    for name, row in sorted(table.items()):
        if row["attribute"] == attribute:
            return str(name)
    return None
