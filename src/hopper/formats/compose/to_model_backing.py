"""The compose model builder's backing services: PostgreSQL databases, S3-compatible stores and their
buckets (bucket-init helpers folded into the store they prepare), and the credentials each
service's env carries for them.

Separate from :mod:`.to_model` (the deployable services) because a backing service becomes a
model component of its own, not a Service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hopper.diagnostics import Severity, code, info, warning
from hopper.formats.compose import backing, bindings, keys
from hopper.formats.compose.detect import command_text
from hopper.formats.compose.to_model_base import ROLE_OF_KIND, Entry, ReaderBase, env_of
from hopper.model import Binding, Database, ObjectStore, secret_digest

W_BUCKET_INIT_UNATTACHED = code("HOP186", Severity.WARNING,
                                "a bucket-creating service names no object store of the project")


class BackingReader(ReaderBase):
    """Reads the backing services of a compose project (see :class:`~.to_model_base.ReaderBase`)."""

    def _fold_bucket_inits(self) -> dict[str, dict[str, dict[str, tuple[bool, str]]]]:
        """Bucket-creating helpers: {helper: {store: {bucket: (public, where)}}}."""
        stores = [n for n, e in self.entries.items() if e.detection.kind == "object_store"]
        folded: dict[str, dict[str, dict[str, tuple[bool, str]]]] = {}
        for name, entry in list(self.entries.items()):
            if entry.detection.kind != "bucket_init":
                continue
            targets = backing.init_targets(entry.svc, stores)
            if not targets:
                self.out.append(warning(W_BUCKET_INIT_UNATTACHED, f"{name}: creates buckets but names no object "
                                        "store of this project; carried as a generic service",
                                        self.locate("services", name)))
                entry.detection = replace(entry.detection, kind="generic")
                continue
            found = backing.buckets_from_command(command_text(entry.svc))
            where = f"service {name}'s command"
            folded[name] = {targets[0]: {bucket: (public, where) for bucket, public in found}}
            self.folded_into[name] = targets[0]
            self.out.append(info(backing.I_BUCKET_INIT, f"{name}: folded into object store {targets[0]} "
                                 f"(creates {', '.join(b for b, _ in found) or 'no bucket hopper can read'})",
                                 self.locate("services", name)))
        return folded

    def _databases(self) -> list[Database]:
        out: list[Database] = []
        for name, entry in self.entries.items():
            if entry.detection.kind != "database":
                continue
            plain, file_var = backing.pg_password_env(entry.svc)
            secret_name = plain
            ref = self.refs(name).get(plain) if plain is not None else None
            if plain is not None and ref is not None and ref.single and ref.names[0] != plain:
                # `POSTGRES_PASSWORD: ${DB_PASSWORD}`: the secret the user sets is DB_PASSWORD.
                secret_name = ref.names[0]
                self.password_from[name] = (plain, secret_name)
            if secret_name is None and file_var is not None:
                secret_name = self._secret_for_file(entry.svc, str(env_of(entry.svc).get(file_var) or ""))
            out.append(backing.read_database(name, entry.svc, entry.detection.base_image,
                                             password_secret=secret_name, locate=self.locate,
                                             version_hint=entry.hints.version, out=self.out,
                                             password_env=plain))
        return out

    def _secret_for_file(self, svc: dict[str, Any], path: str) -> str | None:
        for ref in svc.get("secrets") or []:
            if not isinstance(ref, dict):
                continue
            source = str(ref.get("source"))
            target = str(ref.get("target") or source)
            if path in (target, f"/run/secrets/{target}"):
                return source
        return None

    def _resources(self) -> dict[str, bindings.Resource]:
        out: dict[str, bindings.Resource] = {}
        for name, entry in self.entries.items():
            env = env_of(entry.svc)
            kind = entry.detection.kind
            if kind == "database":
                known = {"user": env.get("POSTGRES_USER") or env.get("POSTGRESQL_USERNAME") or "postgres",
                         "password": env.get("POSTGRES_PASSWORD") or env.get("POSTGRESQL_PASSWORD") or "",
                         "database": env.get("POSTGRES_DB") or env.get("POSTGRESQL_DATABASE") or ""}
                out[name] = bindings.Resource(name=name, kind="database",
                                              known_values={k: v for k, v in known.items() if v},
                                              credential_vars=self._credential_vars(name, kind))
            elif kind == "object_store":
                known = {"access_key": env.get("MINIO_ROOT_USER") or env.get("MINIO_ACCESS_KEY") or "",
                         "secret_key": env.get("MINIO_ROOT_PASSWORD") or env.get("MINIO_SECRET_KEY") or ""}
                out[name] = bindings.Resource(name=name, kind="object_store",
                                              known_values={k: v for k, v in known.items() if v},
                                              credential_vars=self._credential_vars(name, kind))
            elif kind in ROLE_OF_KIND:
                out[name] = bindings.Resource(name=name, kind="service")
        return out

    def _credential_vars(self, name: str, kind: str) -> dict[str, str]:
        """The variables this backing service's credential env is exactly one reference to."""
        out: dict[str, str] = {}
        refs = self.refs(name)
        for env_name, attribute in backing.CREDENTIAL_ENV.get(kind, {}).items():
            ref = refs.get(env_name)
            if ref is not None and ref.single:
                out.setdefault(ref.names[0], attribute)
        return out

    def _backing_env(self, name: str, entry: Entry, env: Mapping[str, str | None]) -> None:
        carried = backing.PG_CARRIED_ENV if entry.detection.kind == "database" else backing.STORE_CARRIED_ENV
        split = bindings.split_env(name, env, force_secret=entry.hints.secrets, force_plain=entry.hints.plain,
                                   bound_secret=frozenset(), locate=self.locate, out=self.out,
                                   refs=self.refs(name))
        password_env, password_var = self.password_from.get(name, (None, None))
        for var, digest in split.secret.items():
            secret = var
            if var == password_env and password_var is not None:
                secret = password_var
                value = env.get(var)
                digest = secret_digest(secret, value) if digest is not None and value is not None else None
            self._add_secret(secret, "env", name, digest, self.locate("services", name, "environment", var))
        for var in sorted(split.plain):
            if var not in carried:
                self.out.append(warning(keys.W_KEY_NOT_CARRIED,
                                        f"services.{name}.environment.{var} is not carried into the model",
                                        self.locate("services", name, "environment", var),
                                        hint="a managed database or store on the target is configured there"))
        self._service_secret_refs(name, entry.svc)

    def _collect_store_facts(self, service_bindings: tuple[Binding, ...], env: Mapping[str, str | None],
                             store_buckets: dict[str, dict[str, tuple[bool, str]]],
                             endpoints: dict[str, str]) -> None:
        for b in service_bindings:
            value = env.get(b.variable)
            if b.resource not in store_buckets or not value or b.secret:
                continue
            if b.attribute == "bucket" and backing.valid_bucket(value):
                store_buckets[b.resource].setdefault(value, (False, f"{b.variable}"))
            elif b.attribute == "endpoint" and "://" in value:
                endpoints.setdefault(b.resource, value)

    def _stores(self, store_buckets: dict[str, dict[str, tuple[bool, str]]],
                endpoints: dict[str, str]) -> list[ObjectStore]:
        out: list[ObjectStore] = []
        for name, entry in self.entries.items():
            if entry.detection.kind != "object_store":
                continue
            buckets = dict(store_buckets.get(name, {}))
            for bucket, public in backing.buckets_from_env(env_of(entry.svc)):
                buckets[bucket] = (public, "MINIO_DEFAULT_BUCKETS")
            for bucket, public in entry.hints.buckets.items():
                buckets[bucket] = (public, "x-hopper.buckets")
            out.append(backing.make_store(name, entry.svc, provider=entry.detection.provider,
                                          base_image=entry.detection.base_image, buckets=buckets,
                                          endpoint=endpoints.get(name), locate=self.locate, out=self.out,
                                          compose=self._store_compose_data(name)))
        return out

    def _store_compose_data(self, name: str) -> dict[str, Any]:
        """What only a compose writer uses, so compose -> compose keeps the user's choices: the
        variables the store's credentials are set from, and its bucket job's name and image."""
        data: dict[str, Any] = {}
        credentials = {attribute: var for var, attribute in sorted(self._credential_vars(name, "object_store").items())}
        if set(credentials) == {"access_key", "secret_key"}:
            data["credentials"] = credentials
        for helper, store in sorted(self.folded_into.items()):
            image = self.entries[helper].svc.get("image") if helper in self.entries else None
            if store == name:
                data["bucket_job"] = {"name": helper, **({"image": image} if isinstance(image, str) else {})}
                break
        return data
