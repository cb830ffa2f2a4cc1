"""Hypothesis strategies for valid architectures of the seed's shape.

A generated :class:`Architecture` has a front (nginx, static site, routes to the API), an API,
sometimes a worker, zero to two PostgreSQL databases, zero to two object stores with buckets,
secrets the services use, and bindings from services to those resources. Names are unique and
collections are sorted by name, as the readers produce them. Sizes are bounded so examples stay
quick.
"""

from __future__ import annotations

from hypothesis import strategies as st

from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Bucket,
    Build,
    Database,
    HealthCheck,
    ObjectStore,
    Role,
    Route,
    Runtime,
    Scaling,
    Secret,
    Service,
    StaticSite,
    Volume,
)
from hopper.secrets import looks_secret, name_looks_secret

NAME = st.from_regex(r"[a-z][a-z0-9]{1,7}", fullmatch=True)
ENV_NAME = st.from_regex(r"[A-Z][A-Z0-9_]{1,10}", fullmatch=True)
# A name every reader keeps as a plain variable: the readers classify by name (hopper.secrets),
# so a plain ``...TOKEN`` in a model is read back as a secret, and a model holding one is not
# a model any reader produces; the fixed-point properties only hold for readers' models.
PLAIN_ENV_NAME = ENV_NAME.filter(lambda v: not name_looks_secret(v))
# Any text but NUL and lone surrogates, which no format can carry (refused with HOP715).
VALUE = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                max_size=12)
# The same without control characters (Unicode category C*, but keeping tab and newline).
PRINTABLE_VALUE = st.text(alphabet=st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf"), whitelist_characters="\t\n"), max_size=12)
PORT = st.integers(min_value=1024, max_value=65000)
SECONDS = st.integers(min_value=1, max_value=120).map(float)
BUCKET = st.from_regex(r"[a-z][a-z0-9-]{2,10}[a-z0-9]", fullmatch=True)
DB_ATTRS = ("uri", "host", "port", "user", "password", "database")
STORE_ATTRS = ("endpoint", "access_key", "secret_key", "bucket", "region")


@st.composite
def architectures(draw: st.DrawFn, *, with_worker: bool | None = None,
                  bare_credentials: bool = True,
                  values: st.SearchStrategy[str] = VALUE) -> Architecture:
    """``bare_credentials=False`` leaves out bindings whose whole value is a credential (a
    database password, an object store's access or secret key)."""
    names = draw(st.lists(NAME, min_size=7, max_size=7, unique=True).filter(
        lambda ns: all(not a.startswith(f"{b}-") for a in ns for b in ns)))
    front_name, api_name, worker_name, db1, db2, store1, store2 = names
    n_db = draw(st.integers(0, 2))
    n_store = draw(st.integers(0, 2))
    databases = tuple(
        Database(name=name, version=draw(st.sampled_from([None, "15", "16", "17"])),
                 database_name=draw(st.one_of(st.none(), NAME)), user=draw(st.one_of(st.none(), NAME)),
                 password_secret="POSTGRES_PASSWORD")
        for name in [db1, db2][:n_db])
    stores = tuple(
        ObjectStore(name=name, provider="minio",
                    buckets=tuple(Bucket(name=b, public=draw(st.booleans()))
                                  for b in sorted(draw(st.lists(BUCKET, max_size=2, unique=True)))))
        for name in [store1, store2][:n_store])

    used_vars: set[str] = set()

    def env(svc_name: str) -> dict[str, str]:
        out = draw(st.dictionaries(PLAIN_ENV_NAME, values, max_size=3))
        # A value can look secret too (``a://b:c@d`` carries a password): such a pair is a secret.
        out = {k: v for k, v in out.items() if k not in used_vars and not looks_secret(k, v)}
        used_vars.update(out)
        return out

    def bindings() -> tuple[Binding, ...]:
        out = []
        for db in databases:
            if draw(st.booleans()):
                attr = draw(st.sampled_from(
                    [a for a in DB_ATTRS if bare_credentials or a != "password"]))
                secret = attr in ("uri", "password")
                var = draw((ENV_NAME if secret else PLAIN_ENV_NAME).filter(lambda v: v not in used_vars))
                used_vars.add(var)
                out.append(Binding(variable=var, resource=db.name, attribute=attr, secret=secret))
        for store in stores:
            if draw(st.booleans()):
                choices = [a for a in STORE_ATTRS if store.buckets or a != "bucket"]
                if not bare_credentials:
                    choices = [a for a in choices if a not in ("access_key", "secret_key")]
                attr = draw(st.sampled_from(choices))
                secret = attr in ("access_key", "secret_key")
                var = draw((ENV_NAME if secret else PLAIN_ENV_NAME).filter(lambda v: v not in used_vars))
                used_vars.add(var)
                out.append(Binding(variable=var, resource=store.name, attribute=attr, secret=secret))
        return tuple(sorted(out, key=lambda b: b.variable))

    secret_names = sorted(draw(st.lists(
        ENV_NAME.filter(lambda v: v != "POSTGRES_PASSWORD"), max_size=2, unique=True)))
    api_port = draw(PORT)
    api = Service(
        name=api_name, role=Role.API,
        build=Build(context=api_name, dockerfile=f"{api_name}/Dockerfile", runtime="node"),
        runtime=Runtime(
            port=api_port, env=env(api_name),
            health_check=draw(st.one_of(st.none(), st.builds(
                HealthCheck, path=st.sampled_from(["/health", "/healthz"]),
                interval_s=st.one_of(st.none(), SECONDS), retries=st.one_of(st.none(), st.integers(1, 5))))),
            release_command=draw(st.one_of(st.none(), st.just("npm run migrate"))),
        ),
        bindings=bindings(),
        scaling=Scaling(memory_mb=draw(st.one_of(st.none(), st.sampled_from([256, 512, 1024]))),
                        autostop=draw(st.one_of(st.none(), st.sampled_from(list(Autostop)))),
                        min_running=draw(st.one_of(st.none(), st.integers(0, 2)))),
    )
    routes = (Route(path_prefix="/api/", target_service=api_name, strip_prefix=draw(st.booleans()),
                    body_size_limit=draw(st.one_of(st.none(), st.sampled_from(["10m", "50m"])))),)
    front = Service(
        name=front_name, role=Role.FRONT,
        build=Build(context=front_name, dockerfile=f"{front_name}/Dockerfile", runtime="node"),
        runtime=Runtime(port=draw(st.sampled_from([80, 8080]))),
        static_site=StaticSite(spa_fallback=draw(st.booleans()), gzip=draw(st.booleans())),
        routes=routes, public=True,
    )
    services = [api, front]
    if with_worker if with_worker is not None else draw(st.booleans()):
        services.append(Service(
            name=worker_name, role=Role.WORKER,
            build=Build(context=api_name, dockerfile=f"{api_name}/Dockerfile", runtime="node"),
            runtime=Runtime(command=("node", "worker.js"), env=env(worker_name)),
            bindings=bindings(),
            volumes=tuple(Volume(name=f"{worker_name}-cache", target="/cache")
                          for _ in range(draw(st.integers(0, 1)))),
        ))
    users = {name: tuple(sorted(draw(st.lists(st.sampled_from([s.name for s in services]),
                                               min_size=1, max_size=2, unique=True))))
             for name in secret_names}
    services = [
        _with_secret_env(svc, sorted(n for n, u in users.items() if svc.name in u)) for svc in services]
    secrets = tuple(Secret(name=n, used_by=users[n]) for n in secret_names)
    return Architecture(
        name=draw(NAME),
        services=tuple(sorted(services, key=lambda s: s.name)),
        databases=databases,
        object_stores=stores,
        secrets=secrets,
    )


def _with_secret_env(svc: Service, names: list[str]) -> Service:
    from dataclasses import replace

    names = [n for n in names if n not in svc.runtime.env and n not in {b.variable for b in svc.bindings}]
    return replace(svc, runtime=replace(svc.runtime, secret_env=tuple(names)))
