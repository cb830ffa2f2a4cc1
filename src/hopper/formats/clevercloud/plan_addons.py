"""The Clever Cloud planner's add-ons: PostgreSQL, Cellar buckets, and backing services
(Redis, MongoDB...) that become add-ons, each with the plan that fits its size.

Separate from the apps (:mod:`.plan_apps`) and the wiring between them (:mod:`.plan_wiring`):
an add-on is planned from its model component alone.
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings
from hopper.formats.clevercloud.addons import AddonKind
from hopper.formats.clevercloud.codes import (
    I_CELLAR,
    I_SERVICE_ADDON,
    W_ADDON_ZONE,
    W_CELLAR_ZONE,
    W_DB_IDENTITY,
    W_FLAVOR_FIT,
    W_NAME_CHANGED,
    W_NOT_EXPRESSED,
    W_PUBLIC_BUCKET,
    W_UNSUPPORTED_COMPONENT,
)
from hopper.formats.clevercloud.plan_base import PlannerBase, as_location
from hopper.formats.clevercloud.plan_types import AddonPlan, Plan
from hopper.model import Database, ObjectStore, Service

BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class AddonPlanner(PlannerBase):
    """Plans the add-ons of the databases, object stores and backing services."""

    def database(self, db: Database, zone: str) -> AddonPlan | None:
        where = as_location(db.origin)
        if db.engine != "postgresql":
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"database '{db.name}' ({db.engine}) is "
                               "not written: hopper writes PostgreSQL add-ons only", where)
            return None
        pg = mappings.table("clevercloud-flavors")["postgresql"]
        plans: dict[str, dict[str, Any]] = pg["plans"]
        plan = db.plan if db.plan in plans else self.fit_plan(db, plans, pg["default_plan"])
        if db.high_availability or db.replicas:
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"database '{db.name}': replicas / high "
                               "availability are on request only on Clever Cloud; not written", where)
        chosen = [f"{k} '{getattr(db, k)}'" for k in ("database_name", "user", "password_secret")
                  if getattr(db, k)]
        if chosen:
            self.diags.warning(W_DB_IDENTITY, f"database '{db.name}': {', '.join(chosen)} cannot "
                               "be chosen on Clever Cloud; the add-on generates its own "
                               "(POSTGRESQL_ADDON_DB, _USER, _PASSWORD)", where)
        self.foreign_extensions(f"database '{db.name}'", db.extensions, where)
        ext = db.extensions.get("clevercloud", {}) if isinstance(db.extensions, dict) else {}
        label = self.label(db.name, where)
        return AddonPlan(label=label, name=str(ext.get("name") or self.app_name(label)),
                         provider="postgresql-addon", region=zone, plan=plan,
                         version=db.version.split(".")[0] if db.version else None,
                         backup=False if db.backups is False and plan != "dev" else None)

    def service_addon(self, svc: Service, kind: AddonKind, zone: str) -> AddonPlan:
        """A Redis, MongoDB... container becomes the add-on Clever runs for it (never a Docker
        app: Clever routes only HTTP to apps)."""
        where = as_location(svc.origin)
        label = self.label(svc.name, where)
        self.service_addons[svc.name] = kind
        region = zone
        if kind.zones and zone not in kind.zones:
            region = kind.zones[0]
            self.diags.warning(W_ADDON_ZONE, f"service '{svc.name}': the {kind.provider} add-on "
                               f"is not offered in '{zone}'; written in '{region}'", where,
                               hint=f"{kind.provider} zones: {', '.join(kind.zones)}")
        given = sorted({*svc.runtime.env, *svc.runtime.secret_env})
        owned = [n for n in given if n in kind.owns_env]
        injected = ", ".join(sorted(set(kind.env.values()))) or "nothing (reach it at its host)"
        self.diags.info(I_SERVICE_ADDON, f"service '{svc.name}' (image {svc.image}) becomes the "
                        f"Clever add-on {kind.provider} ({kind.resource}"
                        f"{', plan ' + kind.plan if kind.plan else ''}): Clever runs and backs it "
                        f"up; linked apps receive {injected}"
                        + (f"; {', '.join(owned)} configure what the add-on manages itself and "
                           "are not written" if owned else ""), where)
        lost = [f"env {n}" for n in given if n not in kind.owns_env]
        if svc.runtime.command:
            lost.append("command")
        if svc.volumes:
            lost.append(f"volumes ({', '.join(v.name for v in svc.volumes)}: copy the data "
                        "into the add-on)")
        if svc.scaling.cpus is not None or svc.scaling.memory_mb is not None:
            lost.append(f"size (plan '{kind.plan or 'default'}' is written; choose another "
                        "with `clever addon providers show " + kind.provider + "`)")
        if lost:
            self.diags.warning(W_NOT_EXPRESSED, f"service '{svc.name}': {', '.join(lost)} "
                               f"cannot be expressed on the {kind.provider} add-on; not written",
                               where)
        ext = svc.extensions.get("clevercloud", {}) if isinstance(svc.extensions, dict) else {}
        return AddonPlan(label=label, name=str(ext.get("name") or self.app_name(label)),
                         provider=kind.provider, region=region, plan=kind.plan, kind=kind,
                         month=kind.month)

    def fit_plan(self, db: Database, plans: dict[str, dict[str, Any]], default: str) -> str:
        if db.memory_mb is None and db.disk_gb is None and db.cpus is None:
            return default
        ordered = sorted((p for p in plans.items() if p[1]["cpus"]), key=lambda kv: kv[1]["order"])
        for name, spec in ordered:
            if (db.memory_mb or 0) <= spec["memory_mb"] and (db.disk_gb or 0) <= spec["disk_gb"] \
                    and (db.cpus or 0) <= spec["cpus"]:
                return name
        biggest = ordered[-1][0]
        self.diags.warning(W_FLAVOR_FIT, f"database '{db.name}' is bigger than any PostgreSQL "
                           f"plan; '{biggest}' written", as_location(db.origin))
        return biggest

    def store(self, store: ObjectStore, zone: str, plan: Plan) -> AddonPlan:
        where = as_location(store.origin)
        cellar_zones = self.runtimes["cellar"]["zones"]
        region = zone
        if zone not in cellar_zones:
            region = self.runtimes["cellar"]["fallback"]
            self.diags.warning(W_CELLAR_ZONE, f"object store '{store.name}': Cellar is not "
                               f"offered in '{zone}'; written in '{region}'", where,
                               hint=f"Cellar zones: {', '.join(cellar_zones)}")
        label = self.label(store.name, where)
        self.foreign_extensions(f"object store '{store.name}'", store.extensions, where)
        if store.provider != "cellar":
            self.diags.info(I_CELLAR, f"object store '{store.name}' ({store.provider}) becomes a "
                            "Cellar add-on (S3-compatible); its provider is now cellar", where)
        ext = store.extensions.get("clevercloud", {}) if isinstance(store.extensions, dict) else {}
        addon = AddonPlan(label=label, name=str(ext.get("name") or self.app_name(label)),
                          provider="cellar-addon", region=region, plan="S")
        buckets = list(store.buckets)
        for bucket in buckets:
            name = bucket.name
            if not BUCKET.match(name):
                fixed = re.sub(r"[^a-z0-9.-]+", "-", name.lower()).strip("-.")[:63] or "bucket"
                if len(fixed) < 3:
                    fixed = f"{fixed}-bucket"
                self.diags.warning(W_NAME_CHANGED, f"bucket '{name}' is written as '{fixed}' "
                                   "(Cellar bucket names: lower-case letters, digits, '-', '.')",
                                   as_location(bucket.origin))
                name = fixed
            # The Terraform label (and the policy file's name) is the bucket's own name, without
            # the project's prefix, so that writing what was read gives the same label.
            own = self.app_name("")
            label_source = name[len(own):] if own and name.startswith(own) and len(name) > len(own) else name
            prefixed = self.app_name(name)
            if store.provider != "cellar" and not name.startswith(self.app_name("")) \
                    and BUCKET.match(prefixed):
                # Bucket names are global per Cellar cluster: "media" is surely taken. The
                # project's prefix, as on every app and add-on name, makes it the project's.
                self.diags.info(I_CELLAR, f"bucket '{bucket.name}' of object store "
                                f"'{store.name}' is written as '{prefixed}': "
                                "Cellar bucket names are global per cluster, so hopper prefixes "
                                "them with the project's name", as_location(bucket.origin))
                name = prefixed
            owner = self.bucket_owners.setdefault(name, store.name)
            if owner != store.name:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"bucket '{bucket.name}' of object "
                                   f"store '{store.name}' has the name of a bucket of '{owner}': "
                                   "Cellar bucket names are unique, so creating the second "
                                   "fails; rename one", as_location(bucket.origin))
            blabel = self.bucket_label(label_source)
            addon.buckets.append((blabel, name))
            if bucket.public:
                policy = ("{\n"
                          '  "Version": "2012-10-17",\n'
                          '  "Statement": [\n'
                          "    {\n"
                          '      "Effect": "Allow",\n'
                          '      "Principal": {"AWS": ["*"]},\n'
                          '      "Action": ["s3:GetObject"],\n'
                          f'      "Resource": ["arn:aws:s3:::{name}/*"]\n'
                          "    }\n"
                          "  ]\n"
                          "}\n")
                path = f"clevercloud/{blabel}-policy.json"
                plan.files[path] = policy
                self.diags.warning(W_PUBLIC_BUCKET, f"bucket '{bucket.name}' is public: Terraform "
                                   f"cannot say so; apply {path} with s3cmd setpolicy", as_location(bucket.origin))
        return addon
