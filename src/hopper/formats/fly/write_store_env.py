"""Object-storage env names the source set by hand, mapped to what Tigris gives on Fly.

``flyctl storage create`` sets ``AWS_REGION`` (``auto``), ``AWS_ENDPOINT_URL_S3``,
``BUCKET_NAME``, ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` on the app (flyio.md §8.3).
A service that already reads one object store through a binding (``S3_BUCKET`` carries its
bucket) often sets the rest of the S3 client's settings as plain variables the reader could not
tie to the store: ``S3_REGION = var.region`` in Terraform, ``S3_ENDPOINT`` from an unset
``${...}``. Left alone they would be asked as secrets in fly-setup.sh although Tigris fills them
(a region is no secret, and its old value -- a Clever region code, MinIO's ``us-east-1`` -- is
wrong for Tigris anyway). Each such name becomes a binding of that store, so the writer derives
it at boot from the Tigris name (hopper-env.sh) instead of staging it.

Which names: those of ``mappings/env-names.toml`` ``[generic.object_store]``, alone or after a
prefix (``MEDIA_S3_REGION``), and an endpoint host (``S3_HOST``), in a service bound to exactly
one object store.
"""

from __future__ import annotations

from dataclasses import replace

from hopper import mappings
from hopper.diagnostics import Diagnostics, Severity, code
from hopper.model import Architecture, Binding, Service

I_STORE_ENV = code("HOP386", Severity.INFO,
                   "an object-storage setting of the source is derived from what Tigris sets, not asked as a secret")

_SECRET_ATTRIBUTES = frozenset({"access_key", "secret_key"})
# An endpoint written as a bare host (Cellar's CELLAR_ADDON_HOST style): the shim gives it the
# host part of AWS_ENDPOINT_URL_S3.
_ENDPOINT_HOSTS = ("S3_HOST", "S3_ENDPOINT_HOST", "STORAGE_HOST", "MINIO_HOST")


def _store_attribute(name: str) -> str | None:
    table = mappings.table("env-names")["generic"]["object_store"]
    if any(name == host or name.endswith("_" + host) for host in _ENDPOINT_HOSTS):
        return "endpoint"
    if name in table:
        return str(table[name])
    for known, attribute in sorted(table.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        if name.endswith("_" + known):
            return str(attribute)
    return None


def _fly_name(attribute: str) -> str:
    table = mappings.table("env-names")["fly"]["object_store"]
    return next(str(n) for n, row in sorted(table.items()) if row["attribute"] == attribute)


def bind_store_names(arch: Architecture, diags: Diagnostics) -> Architecture:
    """The model with each unbound object-storage name of a store's user bound to that store."""
    stores = {o.name for o in arch.object_stores}
    if not stores:
        return arch
    secrets = {s.name: s for s in arch.secrets}
    services: list[Service] = []
    changed = False
    for svc in arch.services:
        bound_stores = {b.resource for b in svc.bindings if b.resource in stores}
        if len(bound_stores) != 1:
            services.append(svc)
            continue
        store = next(iter(bound_stores))
        bound = {b.variable for b in svc.bindings}
        users_of = {n for n, s in secrets.items() if svc.name in s.used_by}
        names = sorted((set(svc.runtime.env) | set(svc.runtime.secret_env) | users_of) - bound)
        added: list[Binding] = []
        for name in names:
            attribute = _store_attribute(name)
            if attribute is None:
                continue
            secret = attribute in _SECRET_ATTRIBUTES
            added.append(Binding(variable=name, resource=store, attribute=attribute, secret=secret,
                                 origin=svc.runtime.origin or svc.origin))
            was = "a secret" if name in svc.runtime.secret_env or name in users_of else "a plain value"
            diags.info(I_STORE_ENV, f"service '{svc.name}' sets {name} ({was} in the source), the {attribute} "
                       f"of object store '{store}': on Fly it is derived from {_fly_name(attribute)}, which "
                       "`flyctl storage create` sets, and is not asked for", svc.runtime.origin or svc.origin)
        if not added:
            services.append(svc)
            continue
        changed = True
        moved = {b.variable for b in added}
        runtime = replace(svc.runtime, env={k: v for k, v in svc.runtime.env.items() if k not in moved})
        services.append(replace(svc, runtime=runtime,
                                bindings=tuple(sorted((*svc.bindings, *added), key=lambda b: b.variable))))
    if not changed:
        return arch
    return replace(arch, services=tuple(services))
