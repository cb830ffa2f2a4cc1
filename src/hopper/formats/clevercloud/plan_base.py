"""The Clever Cloud planner's shared ground: labels and names, the region, foreign extensions.

Every part of the planner (:mod:`.plan_addons`, :mod:`.plan_apps`, :mod:`.plan_wiring`)
derives from :class:`PlannerBase`, which holds the state of one planning run and the naming
rules all of them apply, so that the parts depend on it and never on each other.
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings
from hopper.diagnostics import E_INVALID_NAME, Diagnostics, Location, fail
from hopper.formats.base import WriteOptions
from hopper.formats.clevercloud.addons import AddonKind
from hopper.formats.clevercloud.codes import (
    I_ZONE,
    W_EXTENSION,
    W_MULTI_REGION,
    W_NAME_CHANGED,
    W_UNKNOWN_ZONE,
)
from hopper.model import ARCHITECTURE_NOTES, Architecture, Role, Service
from hopper.shared.placement import Message, RegionPolicy, RegionTexts, choose_region

LABEL = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_RESERVED_VARS = frozenset({"source", "version", "providers", "count", "for_each", "lifecycle",
                            "depends_on", "locals", "organisation", "domain"})


# Clever's zone choice (hopper.shared.placement), lenient where Fly's and Render's refuse: a
# --region hopper does not know is written as given, and so is a zone hopper knows as retired; a
# source region with no known place goes to DEFAULT_ZONE with a note. Only a move is explained.
DEFAULT_ZONE = "par"
ZONE_POLICY = RegionPolicy(platform="clevercloud", default=DEFAULT_ZONE, texts=RegionTexts(
    requested=None,
    unknown_request=Message(code=W_UNKNOWN_ZONE, text=lambda m: f"--region '{m.requested}' is not a "
                            "Clever zone hopper knows; written as given"),
    retired_request=None,
    default=None,
    unknown_place=Message(
        code=I_ZONE, text=lambda s: f"primary region code '{s.code}' (platform {s.platform}) has no "
        f"known place; written in the Clever zone '{DEFAULT_ZONE}'",
        hint=lambda s: "choose the zone with --region"),
    kept=None,
    nearest=Message(
        code=I_ZONE, text=lambda m: f"primary region code '{m.source.code}' (platform "
        f"{m.source.platform}{', ' + m.source.city if m.source.city else ''}) is written as the "
        f"nearest Clever zone '{m.chosen.code}' ({m.chosen.city}, {m.km} km away)"),
))


def as_location(origin: Any) -> Location | None:
    return origin if isinstance(origin, Location) else None


class PlannerBase:
    """The state of one planning run and the naming and region rules every part applies."""

    def __init__(self, arch: Architecture, options: WriteOptions, diags: Diagnostics) -> None:
        self.arch = arch
        self.options = options
        self.diags = diags
        self.flavors: dict[str, dict[str, Any]] = mappings.table("clevercloud-flavors")["flavors"]
        self.runtimes = mappings.table("clevercloud-runtimes")
        self.labels: dict[str, str] = {}  # model name -> label
        self.used: set[str] = set()
        self.bucket_labels: set[str] = set()
        self.bucket_owners: dict[str, str] = {}  # bucket name -> the object store holding it
        self.service_addons: dict[str, AddonKind] = {}  # service name -> the add-on it became
        self.builders: dict[str, Service] = {}  # image tag -> the service that builds it

    def label(self, name: str, where: Location | None) -> str:
        if name in self.labels:
            return self.labels[name]
        candidate = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
        if candidate and not candidate[0].isalpha():
            candidate = f"x-{candidate}"
        candidate = candidate[:40].rstrip("-")
        if not candidate:
            raise fail(E_INVALID_NAME, f"'{name}' cannot be made into a Clever alias", where)
        base, n = candidate, 2
        while candidate in self.used:
            candidate = f"{base}-{n}"
            n += 1
        if candidate != name:
            self.diags.warning(W_NAME_CHANGED, f"'{name}' is written as '{candidate}' (Terraform "
                               "labels and Clever aliases use lower-case letters, digits and '-')",
                               where)
        self.used.add(candidate)
        self.labels[name] = candidate
        return candidate

    def bucket_label(self, bucket: str) -> str:
        """Bucket resources have their own Terraform type, hence their own label namespace."""
        base = re.sub(r"[^a-z0-9-]+", "-", bucket.lower()).strip("-") or "bucket"
        if not base[0].isalpha():
            base = f"b-{base}"
        label, n = base, 2
        while label in self.bucket_labels:
            label = f"{base}-{n}"
            n += 1
        self.bucket_labels.add(label)
        return label

    def project(self) -> str:
        """The architecture's name as Clever names carry it (the prefix of every app and add-on
        name), which is how the reader finds it again."""
        return re.sub(r"[^a-z0-9-]+", "-", self.arch.name.lower()).strip("-")

    def app_name(self, label: str) -> str:
        prefix = self.options.app_prefix
        if prefix is None:
            prefix = self.project()
        if not prefix:
            return label
        return f"{prefix}{label}" if prefix.endswith("-") else f"{prefix}-{label}"

    def var_name(self, env: str) -> str:
        var = re.sub(r"[^a-z0-9_]+", "_", env.lower()).strip("_") or "secret"
        if not var[0].isalpha():
            var = f"v_{var}"
        if var in _RESERVED_VARS:
            var = f"env_{var}"
        return var

    def zone(self) -> str:
        primary = self.arch.placement.primary
        if self.arch.placement.others and primary is not None:
            others = ", ".join(r.code for r in self.arch.placement.others)
            self.diags.warning(W_MULTI_REGION, "the source runs in "
                               f"{1 + len(self.arch.placement.others)} regions; everything is "
                               f"written in one zone: the placement's others "
                               f"({others}) are dropped")
        return choose_region(primary, self.options.region or None, mappings.regions("clevercloud"),
                             ZONE_POLICY, self.diags).code

    def foreign_extensions(self, owner: str, extensions: Any, where: Location | None) -> None:
        """Data another format kept for itself (``extensions["compose"]``...) has no Clever form."""
        for fmt in sorted(extensions or {}):
            if fmt != "clevercloud" and fmt not in ARCHITECTURE_NOTES:
                self.diags.warning(W_EXTENSION, f"{owner}: {fmt}-specific data (extensions) is "
                                   "not written", where)

    @staticmethod
    def serves_http(svc: Service) -> bool:
        if svc.role is Role.WORKER:
            return False
        return svc.public or svc.runtime.port is not None or svc.role in (Role.FRONT, Role.API) \
            or bool(svc.routes)
