"""Backing services Clever Cloud manages as add-ons (Redis, MongoDB, MySQL, Metabase, Keycloak).

A compose project runs these as containers; on Clever Cloud a Docker app cannot stand in for them
(apps are reached over HTTP only, through the load balancers), so an image listed in
``mappings/clevercloud-addons.toml`` becomes the add-on, and whoever reads it gets the variables
the add-on injects once linked, or the matching Terraform attribute.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from hopper import mappings
from hopper.model import Service


@dataclass(frozen=True, slots=True)
class AddonKind:
    key: str  # "redis", "mongodb"...
    provider: str  # the `clever addon create` slug
    resource: str  # the Terraform resource type
    plan: str  # "" when the CLI default is used
    tf_plan: bool  # the resource has a plan attribute
    month: float | None  # EUR per month of the plan, when known
    zones: tuple[str, ...]  # () when offered in every zone
    env: dict[str, str]  # binding attribute -> the variable linking injects
    tf: dict[str, str]  # binding attribute -> resource attribute or "${attr}" template
    serves_http: bool
    owns_env: frozenset[str]


@functools.cache
def kinds() -> dict[str, AddonKind]:
    data: dict[str, Any] = mappings.table("clevercloud-addons")["addons"]
    out: dict[str, AddonKind] = {}
    for key, row in data.items():
        out[key] = AddonKind(
            key=key, provider=str(row["provider"]), resource=str(row["resource"]),
            plan=str(row.get("plan") or ""), tf_plan=bool(row.get("tf_plan", True)),
            month=float(row["month"]) if "month" in row else None,
            zones=tuple(row.get("zones", ())), env={str(k): str(v) for k, v in row["env"].items()},
            tf={str(k): str(v) for k, v in row["tf"].items()},
            serves_http=bool(row.get("serves_http", False)),
            owns_env=frozenset(row.get("owns_env", ())))
    return out


def image_path(image: str) -> tuple[str, str]:
    """(registry/path, path) of an image reference, tag, digest and ``library/`` removed."""
    rest = image.partition("@")[0]
    first, sep, remainder = rest.partition("/")
    registry = ""
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    slash, colon = rest.rfind("/"), rest.rfind(":")
    if colon > slash:
        rest = rest[:colon]
    path = rest.lower().removeprefix("library/")
    return (f"{registry}/{path}" if registry else path), path


def kind_of(svc: Service) -> AddonKind | None:
    """The add-on a service stands for: an image-only service whose image Clever offers."""
    if svc.build is not None or not svc.image:
        return None
    full, path = image_path(svc.image)
    for kind in kinds().values():
        images = mappings.table("clevercloud-addons")["addons"][kind.key]["images"]
        if full in images or path in images:
            return kind
    return None


_HOSTISH = re.compile(r"_(HOST|HOSTNAME|SERVER)$")
_PORTISH = re.compile(r"_PORT$")


def attribute_for(variable: str, attribute: str) -> str:
    """Readers bind a variable that names another service by its ``url``; for an add-on, a
    ``*_HOST`` variable wants the host and a ``*_PORT`` the port."""
    if attribute != "url":
        return attribute
    if _HOSTISH.search(variable.upper()):
        return "host"
    if _PORTISH.search(variable.upper()):
        return "port"
    return "url"


def tf_expression(kind: AddonKind, ref: str, attribute: str) -> str | None:
    """The HCL expression of an add-on attribute, built from the validated ``ref``."""
    spec = kind.tf.get(attribute)
    if spec is None:
        return None
    if "${" in spec:
        return '"' + re.sub(r"\$\{([a-z_]+)\}", lambda m: "${" + f"{ref}.{m.group(1)}" + "}", spec) + '"'
    return f"tostring({ref}.{spec})" if spec == "port" else f"{ref}.{spec}"
