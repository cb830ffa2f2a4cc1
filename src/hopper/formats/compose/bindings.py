"""Bindings and secret env: which env var of a service carries what, and which values are secret.

A binding is found from the value (a URL or a bare host naming another service:
``postgres://app:…@db:5432/app``, ``DB_HOST=db``, ``S3_ENDPOINT=http://minio:9000``) or, for
values that name no host (``DB_USER=app``, ``S3_BUCKET=media``), from the variable's name in
``mappings/env-names.toml`` ``[generic.*]`` when the project has exactly one resource of that kind
(or the value equals what that resource was configured with).

The raw value's variable references (:class:`~hopper.formats.compose.interpolation.EnvRefs`) are
read too, so that a project read without its ``.env`` keeps its facts: ``X: ${POSTGRES_PASSWORD}``
is the password of the database whose ``POSTGRES_PASSWORD`` takes its value from that same
variable, and a value that references a secret-looking variable is a secret, set or not.

Secret values never leave this module: a secret env var becomes its name plus a digest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hopper import mappings
from hopper.diagnostics import Diagnostic, Location, Severity, code, info
from hopper.formats.compose.interpolation import EnvRefs
from hopper.model import Binding, secret_digest
from hopper.secrets import looks_secret, name_looks_secret, url_has_credentials, value_looks_secret

I_BINDING = code("HOP180", Severity.INFO, "an env var found to carry an attribute of a database, store or service")
I_SECRET_ENV = code("HOP181", Severity.INFO, "an env var classified as secret, and why (never its value)")

SECRET_ATTRIBUTES = frozenset({"password", "secret_key", "access_key"})
_KIND_DEFAULT_HOST_ATTRIBUTE = {"database": "host", "object_store": "endpoint", "service": "url"}
_KIND_URL_ATTRIBUTE = {"database": "uri", "object_store": "endpoint", "service": "url"}
ResolveHost = Callable[[str], str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    name: str
    kind: str  # "database", "object_store", "service"
    # Values the resource was configured with, to recognise an app's copy of them by value
    # (compared in memory only; never stored): attribute → value.
    known_values: Mapping[str, str] = field(default_factory=dict)
    # Variables the resource's own credential env takes its value from (``POSTGRES_PASSWORD:
    # ${DB_PASSWORD}`` gives ``{"DB_PASSWORD": "password"}``): variable → attribute.
    credential_vars: Mapping[str, str] = field(default_factory=dict)


@functools.cache
def generic_names() -> dict[str, dict[str, str]]:
    """``{"database": {"DATABASE_URL": "uri", ...}, "object_store": {...}}`` (read once).

    Besides the usual names of compose projects, the names platforms inject (Clever Cloud's
    ``POSTGRESQL_ADDON_PORT``, Fly's ``BUCKET_NAME``...) count too: a project converted from
    one of them keeps reading those names, and they mean the same attribute here."""
    table = mappings.table("env-names")
    out: dict[str, dict[str, str]] = {kind: dict(names) for kind, names in table.get("generic", {}).items()}
    for platform in ("clevercloud", "fly"):
        for kind in ("database", "object_store"):
            for name, row in table.get(platform, {}).get(kind, {}).items():
                if isinstance(row, dict) and "attribute" in row:
                    out.setdefault(kind, {}).setdefault(name, str(row["attribute"]))
    return out


@functools.lru_cache(maxsize=4096)
def _name_attribute(var: str) -> tuple[str, str] | None:
    """(kind, attribute) for a generic env name, also with an app prefix (``APP_DATABASE_URL``)."""
    best: tuple[int, str, str] | None = None
    for kind, names in generic_names().items():
        for known, attribute in names.items():
            if var == known or var.endswith("_" + known):
                candidate = (len(known), kind, attribute)
                if best is None or candidate > best:
                    best = candidate
    return (best[1], best[2]) if best else None


Owners = Mapping[str, tuple[tuple[str, str], ...]]


def credential_owners(resources: Mapping[str, Resource]) -> dict[str, tuple[tuple[str, str], ...]]:
    """variable → the (resource, attribute) pairs whose credential env references it, sorted.
    Built once per project: looking it up per env var keeps big projects linear."""
    owners: dict[str, list[tuple[str, str]]] = {}
    for resource in resources.values():
        for variable, attribute in resource.credential_vars.items():
            owners.setdefault(variable, []).append((resource.name, attribute))
    return {variable: tuple(sorted(found)) for variable, found in owners.items()}


def find_bindings(service: str, env: Mapping[str, str | None], resources: Mapping[str, Resource],
                  resolve_host: ResolveHost, locate: Callable[..., Location | None],
                  out: list[Diagnostic], *, refs: Mapping[str, EnvRefs] | None = None,
                  prefer: frozenset[str] = frozenset(), owners: Owners | None = None) -> list[Binding]:
    """``refs``: the references of the service's raw env values; ``prefer``: the services it
    depends on, to choose between resources whose credentials come from one variable;
    ``owners``: :func:`credential_owners` of ``resources`` (computed here when not given)."""
    bindings: list[Binding] = []
    if refs and owners is None:
        owners = credential_owners(resources)
    for var in sorted(env):
        value = env[var]
        ref = refs.get(var) if refs else None
        found = _bind(service, var, value, resources, resolve_host, ref, prefer, owners or {})
        if found is None:
            continue
        resource, attribute, why = found
        secret = attribute in SECRET_ATTRIBUTES or looks_secret(var, value) or (
            value is not None and url_has_credentials(value))
        loc = locate("services", service, "environment", var)
        bindings.append(Binding(variable=var, resource=resource, attribute=attribute, secret=secret, origin=loc))
        out.append(info(I_BINDING, f"{service}: {var} carries the {attribute} of {resource} ({why})", loc))
    return bindings


# The reader binds every service against the same resources: index them by kind once per
# project (a one-entry cache, checked by identity), not once per env var (quadratic).
_KIND_INDEX: list[Any] = [None, {}]


def _of_kind(resources: Mapping[str, Resource], kind: str) -> list[Resource]:
    if _KIND_INDEX[0] is not resources:
        index: dict[str, list[Resource]] = {}
        for resource in resources.values():
            index.setdefault(resource.kind, []).append(resource)
        _KIND_INDEX[0], _KIND_INDEX[1] = resources, index
    found: list[Resource] = _KIND_INDEX[1].get(kind, [])
    return found


def _bind(service: str, var: str, value: str | None, resources: Mapping[str, Resource],
          resolve_host: ResolveHost, refs: EnvRefs | None = None,
          prefer: frozenset[str] = frozenset(), owners: Owners | None = None) -> tuple[str, str, str] | None:
    named = _name_attribute(var)
    if value:
        text = value.strip()
        if "://" in text:
            host = _url_host(text)
            target = resolve_host(host) if host else None
            if target is not None and target != service and target in resources:
                kind = resources[target].kind
                attribute = _KIND_URL_ATTRIBUTE[kind]
                if kind == "database" and named and named[0] == "database" and named[1] != "uri":
                    attribute = named[1]
                return target, attribute, f"its URL points at host '{host}'"
        elif _may_name_a_host(var, named):
            host = text.split(":", 1)[0] if text.count(":") <= 1 else text
            target = resolve_host(host) if host and " " not in host else None
            if target is not None and target != service and target in resources:
                kind = resources[target].kind
                attribute = named[1] if named and named[0] == kind else _KIND_DEFAULT_HOST_ATTRIBUTE[kind]
                return target, attribute, f"its value is the host '{host}'"
    if refs is not None and owners:
        by_reference = _bind_by_reference(service, value, refs, resources, prefer, owners)
        if by_reference is not None:
            return by_reference
    if named is None:
        return None
    kind, attribute = named
    candidates = _of_kind(resources, kind)
    if value:
        by_value = [r for r in candidates if r.known_values.get(attribute) == value]
        if len(by_value) == 1:
            return by_value[0].name, attribute, f"its value matches {by_value[0].name}'s {attribute}"
    if len(candidates) == 1:
        return candidates[0].name, attribute, f"its name is a usual name for {_a(kind)} {attribute}"
    return None


def _bind_by_reference(service: str, value: str | None, refs: EnvRefs, resources: Mapping[str, Resource],
                       prefer: frozenset[str], owners_of: Owners) -> tuple[str, str, str] | None:
    """A value that is one reference to a variable a resource takes a credential from carries
    that credential; a URL template using such a variable carries the resource's URL. Decided
    from names only, so the answer is the same with or without a ``.env``."""
    for ref in refs.names:
        owners = [o for o in owners_of.get(ref, ()) if o[0] != service]
        if not owners:
            continue
        preferred = [o for o in owners if o[0] in prefer]
        resource, attribute = preferred[0] if len(preferred) == 1 else owners[0]
        others = [name for name, _ in owners if name != resource]
        also = f"; {', '.join(others)} also use it" if others else ""
        if refs.single:
            return resource, attribute, f"its value comes from ${{{ref}}}, the {attribute} of {resource}{also}"
        if value is not None and "://" in value:
            kind = resources[resource].kind
            url_attribute = _KIND_URL_ATTRIBUTE[kind]
            return resource, url_attribute, f"its URL uses ${{{ref}}}, the {attribute} of {resource}{also}"
        return None
    return None


_HOST_ATTRIBUTES = frozenset({"host", "endpoint", "uri", "url"})
_HOST_SUFFIXES = ("HOST", "HOSTNAME", "ADDR", "ADDRESS", "SERVER", "URL", "URI", "ENDPOINT")


def _may_name_a_host(var: str, named: tuple[str, str] | None) -> bool:
    """A bare value is read as a host name only for variables meant to hold one, so that an
    access key or user that happens to equal a service name is not mistaken for it (and a
    secret value is never echoed as a host in a message)."""
    if named is not None:
        return named[1] in _HOST_ATTRIBUTES
    if looks_secret(var, None):
        return False
    return var.upper().rsplit("_", 1)[-1] in _HOST_SUFFIXES


def _a(kind: str) -> str:
    return "an object store" if kind == "object_store" else f"a {kind}"


def _url_host(value: str) -> str | None:
    try:
        return urlsplit(value).hostname
    except ValueError:
        return None


# ---------------------------------------------------------------------------- secret env

@dataclass(slots=True)
class EnvSplit:
    plain: dict[str, str] = field(default_factory=dict)
    secret: dict[str, str | None] = field(default_factory=dict)  # name → digest (None: no value)


def split_env(service: str, env: Mapping[str, str | None], *, force_secret: frozenset[str],
              force_plain: frozenset[str], bound_secret: frozenset[str],
              locate: Callable[..., Location | None], out: list[Diagnostic],
              refs: Mapping[str, EnvRefs] | None = None) -> EnvSplit:
    """Sort a service's env into plain values and secret names (with digests). ``refs``: the
    references of the raw values; a secret whose value used an unset variable gets no digest
    (hopper never saw its value)."""
    split = EnvSplit()
    for var in sorted(env):
        value = env[var]
        ref = refs.get(var) if refs else None
        why = _secret_reason(var, value, force_secret, force_plain, bound_secret, ref)
        if why is None:
            if value is not None:
                split.plain[var] = value
            continue
        known = value is not None and not (ref is not None and ref.unset)
        split.secret[var] = secret_digest(var, value) if known and value is not None else None
        out.append(info(I_SECRET_ENV, f"{service}: {var} is treated as a secret ({why}); its value is not kept",
                        locate("services", service, "environment", var)))
    return split


def _secret_reason(var: str, value: str | None, force_secret: frozenset[str], force_plain: frozenset[str],
                   bound_secret: frozenset[str], ref: EnvRefs | None = None) -> str | None:
    if var in force_plain:
        return None
    if var in force_secret:
        return "x-hopper.secrets names it"
    if name_looks_secret(var):
        return "its name looks secret"
    secret_ref = next((n for n in ref.names if name_looks_secret(n)), None) if ref is not None else None
    if secret_ref is not None:
        return f"its value comes from ${{{secret_ref}}}, whose name looks secret"
    if value is not None and url_has_credentials(value):
        return "its value is a URL with credentials"
    if value is not None and value_looks_secret(value):
        return "its value looks like a random token"
    if var in bound_secret:
        return "it carries a credential of a backing service"
    if value is None:
        # `environment: [VAR]`: compose takes the value from the shell at run time. On a platform
        # it has to be set out of band, like a secret, and hopper has no value to show anyway.
        return "it has no value in the project; compose takes it from the shell"
    return None
