"""The neutral model -> what to create on Clever Cloud (apps, add-ons, buckets, vhosts, env).

The Terraform and shell writers both render this one plan, so they always agree. Every choice
that loses something (no scale-to-zero, no prefix stripping, a flavor rounded up...) is a
warning naming the user's own key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hopper import mappings
from hopper.diagnostics import E_INVALID_NAME, Diagnostics, Location, fail
from hopper.domains import check_domain
from hopper.formats.base import WriteOptions
from hopper.formats.clevercloud.addons import AddonKind, attribute_for, kind_of, tf_expression
from hopper.formats.clevercloud.codes import (
    I_BOUND_VALUE,
    I_CELLAR,
    I_DOMAIN,
    I_IMAGE_DOCKERFILE,
    I_PORT,
    I_SERVICE_ADDON,
    I_START_SCRIPT,
    I_WORKER,
    I_ZONE,
    W_ADDON_ZONE,
    W_CELLAR_ZONE,
    W_DB_IDENTITY,
    W_DEV_VALUE,
    W_EXTENSION,
    W_FLAVOR_FIT,
    W_HEALTH_OPTIONS,
    W_MULTI_REGION,
    W_NAME_CHANGED,
    W_NO_BUILD,
    W_NO_HTTP,
    W_NO_SCALE_TO_ZERO,
    W_NO_WEBROOT,
    W_NODE_ENGINES,
    W_NOT_EXPRESSED,
    W_PORT,
    W_PRE_RUN,
    W_PUBLIC_BUCKET,
    W_ROUTE_OPTION,
    W_ROUTE_STRIP,
    W_SECRET_DROPPED,
    W_UNKNOWN_ZONE,
    W_UNSUPPORTED_COMPONENT,
)
from hopper.formats.clevercloud.setup import WORKER_RESPONDER
from hopper.model import (
    ARCHITECTURE_NOTES,
    Architecture,
    Autostop,
    Binding,
    Database,
    ObjectStore,
    Role,
    Service,
    sorted_by_name,
)
from hopper.secrets import exec_argv, secret_refs, shell_line

LABEL = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
# An image reference as `FROM` takes it: registry/name:tag@digest, nothing a Dockerfile would
# expand or split.
IMAGE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_RESERVED_VARS = frozenset({"source", "version", "providers", "count", "for_each", "lifecycle",
                            "depends_on", "locals", "organisation", "domain"})
RESOURCE_TYPES = {"node": "clevercloud_nodejs", "static-apache": "clevercloud_static_apache",
                  "static": "clevercloud_static", "docker": "clevercloud_docker"}
HTACCESS = """RewriteEngine On
RewriteCond %{REQUEST_FILENAME} -f [OR]
RewriteCond %{REQUEST_FILENAME} -d
RewriteRule ^ - [L]
RewriteRule ^ /index.html [L]
"""


_TRUE = frozenset({"1", "true", "yes", "on"})
_ENV_NAMES = frozenset({"NODE_ENV", "APP_ENV", "ENV", "ENVIRONMENT", "RAILS_ENV", "RACK_ENV",
                        "FLASK_ENV", "DJANGO_ENV", "MIX_ENV", "SYMFONY_ENV"})
_LOCAL = re.compile(r"(^|[/@,\s:])(localhost|127\.0\.0\.1|0\.0\.0\.0)([:/,\s]|$)")
# The end of a credential's name, beside a bound host (MB_DB_HOST): the attribute it carries.
_CREDENTIAL_SUFFIXES = {"USER": "user", "USERNAME": "user", "PASS": "password",
                        "PASSWORD": "password", "PWD": "password", "DB": "database",
                        "DBNAME": "database", "NAME": "database", "DATABASE": "database",
                        "PORT": "port"}


@dataclass(frozen=True, slots=True)
class EnvRef:
    """An env var whose value Terraform computes from a resource attribute."""

    expr: str  # the HCL expression (built from validated labels only)
    copy_from: str  # for the shell path: what the user copies, in words
    literal: str | None = None  # the value itself, when it is known and not secret
    # For the shell path: the variable a linked add-on injects that carries the value (with a
    # prefix such as "https://"), so clever-setup.sh sets it once the add-on exists.
    source: str | None = None
    prefix: str = ""
    app: str | None = None  # ...or the label of the app whose first domain (https://) it is


@dataclass(slots=True)
class AppPlan:
    service: Service
    label: str
    name: str
    kind: str
    region: str
    smallest: str
    biggest: str
    build_flavor: str | None
    min_instances: int
    max_instances: int
    redirect_https: bool | None = None
    sticky_sessions: bool | None = None
    env: dict[str, str] = field(default_factory=dict)  # non-secret values, CC_* included
    secrets: dict[str, str] = field(default_factory=dict)  # env name -> variable name
    refs: dict[str, EnvRef] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # add-on labels (resource type, label)
    hooks: dict[str, str] = field(default_factory=dict)
    start_script: str | None = None
    build_tool: str | None = None
    app_folder: str | None = None
    vhosts: list[tuple[str, str]] | None = None  # (fqdn or "${DOMAIN}", path_begin)
    htaccess: str | None = None  # repo path of the SPA .htaccess to write
    generated: dict[str, str] = field(default_factory=dict)  # repo files written for the app
    dockerfile: str | None = None
    container_port: int | None = None
    domains: tuple[str, ...] = ()  # the service's custom domains, checked

    @property
    def rtype(self) -> str:
        return RESOURCE_TYPES[self.kind]


@dataclass(slots=True)
class AddonPlan:
    label: str
    name: str
    provider: str  # "postgresql-addon", "cellar-addon", or a service add-on's provider
    region: str
    plan: str  # "" when the CLI's default plan is used
    version: str | None = None
    backup: bool | None = None
    buckets: list[tuple[str, str]] = field(default_factory=list)  # (label, bucket name)
    kind: AddonKind | None = None  # set for a backing service that became an add-on
    month: float | None = None  # EUR per month of the plan, when known

    @property
    def rtype(self) -> str:
        if self.kind is not None:
            return self.kind.resource
        return "clevercloud_postgresql" if self.provider == "postgresql-addon" else "clevercloud_cellar"


@dataclass(slots=True)
class Plan:
    name: str
    apps: list[AppPlan] = field(default_factory=list)
    addons: list[AddonPlan] = field(default_factory=list)
    domain_default: str | None = None  # set when routing needs a shared domain variable
    organisation: str | None = None
    secret_vars: dict[str, str] = field(default_factory=dict)  # variable -> description
    files: dict[str, str] = field(default_factory=dict)  # extra repo files


def cellar_host(zone: str) -> str:
    hosts: dict[str, str] = mappings.table("clevercloud-runtimes")["cellar"]["hosts"]
    return hosts.get(zone, hosts["par"])


def _loc(origin: Any) -> Location | None:
    return origin if isinstance(origin, Location) else None


class Planner:
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

    # ------------------------------------------------------------------ names
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

    # ------------------------------------------------------------------ region
    def zone(self) -> str:
        zones = mappings.regions("clevercloud")
        wanted = self.options.region
        primary = self.arch.placement.primary
        if self.arch.placement.others and primary is not None:
            others = ", ".join(r.code for r in self.arch.placement.others)
            self.diags.warning(W_MULTI_REGION, "the source runs in "
                               f"{1 + len(self.arch.placement.others)} regions; everything is "
                               f"written in one zone: the placement's others "
                               f"({others}) are dropped")
        if wanted:
            if wanted not in zones:
                self.diags.warning(W_UNKNOWN_ZONE, f"--region '{wanted}' is not a Clever zone "
                                   "hopper knows; written as given")
            return wanted
        if primary is None:
            return "par"
        if primary.platform == "clevercloud" and primary.code in zones:
            return primary.code
        where = _loc(primary.origin)
        if primary.latitude is not None and primary.longitude is not None:
            place = mappings.RegionInfo(platform=primary.platform, code=primary.code,
                                        city=primary.city or "", country=primary.country or "",
                                        latitude=primary.latitude, longitude=primary.longitude)
            nearest = mappings.nearest_region(place, "clevercloud")
            km = round(mappings.distance_km(place, nearest))
            self.diags.info(I_ZONE, f"primary region code '{primary.code}' (platform {primary.platform}"
                            f"{', ' + primary.city if primary.city else ''}) is written as the "
                            f"nearest Clever zone '{nearest.code}' ({nearest.city}, {km} km away)",
                            where)
            return nearest.code
        self.diags.info(I_ZONE, f"primary region code '{primary.code}' (platform {primary.platform}) has no "
                        "known place; written in the Clever zone 'par'", where,
                        hint="choose the zone with --region")
        return "par"

    # ------------------------------------------------------------------ plan
    def plan(self) -> Plan:
        project = self.project()
        if project and project != self.arch.name:
            self.diags.warning(W_NAME_CHANGED, f"the architecture name '{self.arch.name}' is "
                               f"written as '{project}', the prefix of every app and add-on name "
                               "(lower-case letters, digits and '-')", _loc(self.arch.origin))
        plan = Plan(name=project or self.arch.name, organisation=self.options.org)
        zone = self.zone()
        # By name, whatever order the model lists them in: the output depends on content only.
        for db in sorted_by_name(self.arch.databases):
            addon = self.database(db, zone)
            if addon is not None:
                plan.addons.append(addon)
        for store in sorted_by_name(self.arch.object_stores):
            plan.addons.append(self.store(store, zone, plan))
        for svc in sorted_by_name(self.arch.services):
            kind = kind_of(svc)
            if kind is not None:
                plan.addons.append(self.service_addon(svc, kind, zone))
        self.builders = {svc.image: svc for svc in sorted_by_name(self.arch.services)
                         if svc.image and svc.build is not None}
        for svc in sorted_by_name(self.arch.services):
            if svc.name in self.service_addons:
                continue
            app = self.app(svc, zone)
            if app is not None:
                plan.apps.append(app)
        self.wire(plan)
        self.foreign_extensions(f"the architecture '{self.arch.name}'", self.arch.extensions,
                                _loc(self.arch.origin))
        self.dropped_secrets(plan)
        workflows = self.arch.pipeline.workflows
        if workflows:
            self.diags.warning(W_NOT_EXPRESSED, "the deploy pipeline (workflows "
                               f"{', '.join(w.name for w in workflows)}) is not written: Clever "
                               "Cloud deploys what is pushed to each app (git push, clever deploy)",
                               _loc(workflows[0].origin))
        if self.arch.schedules:
            # Where the reader found it: the repository's clevercloud/ folder.
            cron = [f"{s.cron} {s.command}" for s in self.arch.schedules]
            plan.files["clevercloud/cron.json"] = json.dumps(cron, indent=2, ensure_ascii=False) + "\n"
        return plan

    def foreign_extensions(self, owner: str, extensions: Any, where: Location | None) -> None:
        """Data another format kept for itself (``extensions["compose"]``...) has no Clever form."""
        for fmt in sorted(extensions or {}):
            if fmt != "clevercloud" and fmt not in ARCHITECTURE_NOTES:
                self.diags.warning(W_EXTENSION, f"{owner}: {fmt}-specific data (extensions) is "
                                   "not written", where)

    def dropped_secrets(self, plan: Plan) -> None:
        """Say why a secret of the source has no variable on Clever: the add-on provides it, or
        nothing written uses it."""
        written = {name for app in plan.apps for name in app.secrets}
        apps = {a.service.name: a for a in plan.apps}
        passwords = {db.password_secret: db.name for db in self.arch.databases if db.password_secret}
        for secret in self.arch.secrets:
            bound = sorted({(b.resource, s.name) for s in self.arch.services if s.name in apps
                            for b in s.bindings if b.variable == secret.name})
            if secret.name in written:
                # Written for some apps; where an app binds that name, the binding sets it.
                binders = sorted({u for _, u in bound} & set(secret.used_by))
                if binders:
                    self.diags.warning(W_SECRET_DROPPED, f"secret '{secret.name}' is not written "
                                       f"for {', '.join(repr(u) for u in binders)}: there its value "
                                       "comes from the resource it binds (used_by changes)",
                                       _loc(secret.origin))
                continue
            if bound:
                providers = ", ".join(f"'{r}'" for r in sorted({r for r, _ in bound}))
                why = (f"its value comes from {providers}, bound in "
                       + ", ".join(f"'{u}'" for u in sorted({u for _, u in bound})))
            elif secret.name in passwords:
                why = (f"the password of database '{passwords[secret.name]}' is generated by its "
                       "add-on")
            elif secret.used_by and all(u in self.service_addons for u in secret.used_by):
                why = (f"it configures {', '.join(repr(u) for u in secret.used_by)}, which Clever "
                       "runs as an add-on that keeps its own credentials")
            elif not any(u in apps for u in secret.used_by):
                users = ", ".join(f"'{u}'" for u in secret.used_by) or "nothing"
                why = f"it is used by {users}, not written as a Clever app"
            else:
                why = "its name is not a valid Clever variable or Clever sets it itself"
            self.diags.warning(W_SECRET_DROPPED, f"secret '{secret.name}' is not written: {why}",
                               _loc(secret.origin))

    def database(self, db: Database, zone: str) -> AddonPlan | None:
        where = _loc(db.origin)
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
        where = _loc(svc.origin)
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
                           f"plan; '{biggest}' written", _loc(db.origin))
        return biggest

    def store(self, store: ObjectStore, zone: str, plan: Plan) -> AddonPlan:
        where = _loc(store.origin)
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
                                   _loc(bucket.origin))
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
                                "them with the project's name", _loc(bucket.origin))
                name = prefixed
            owner = self.bucket_owners.setdefault(name, store.name)
            if owner != store.name:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"bucket '{bucket.name}' of object "
                                   f"store '{store.name}' has the name of a bucket of '{owner}': "
                                   "Cellar bucket names are unique, so creating the second "
                                   "fails; rename one", _loc(bucket.origin))
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
                                   f"cannot say so; apply {path} with s3cmd setpolicy", _loc(bucket.origin))
        return addon

    # ------------------------------------------------------------------ apps
    def kind(self, svc: Service) -> str | None:
        build = svc.build
        if svc.static_site is not None and svc.role is Role.FRONT:
            return "static-apache"
        if build is not None and build.runtime == "static":
            return "static-apache"
        if build is not None and build.runtime == "node":
            return "node"
        ext = svc.extensions.get("clevercloud", {}) if isinstance(svc.extensions, dict) else {}
        if ext.get("kind") in RESOURCE_TYPES:
            return str(ext["kind"])
        if build is not None and (build.dockerfile or build.dockerfile_inline):
            return "docker"
        if build is not None and build.start_command:
            return "node"
        if build is None and svc.image and IMAGE_REF.match(svc.image):
            return "docker"  # through a one-line Dockerfile: see image_dockerfile()
        return None

    def flavor(self, svc: Service, kind: str, ext: dict[str, Any]) -> str:
        sc = svc.scaling
        allowed = {n: f for n, f in self.flavors.items() if kind not in f.get("not_for", [])}
        ordered = sorted(allowed, key=lambda n: allowed[n]["order"])
        if sc.cpus is None and sc.memory_mb is None:
            wanted = ext.get("smallest_flavor")
            if isinstance(wanted, str) and wanted in allowed:
                return wanted
            return str(mappings.table("clevercloud-flavors")["defaults"].get(kind, "XS"))
        for name in ordered:
            spec = allowed[name]
            if (sc.cpus or 0) <= spec["cpus"] and (sc.memory_mb or 0) <= spec["memory_mb"]:
                exact = (sc.cpus in (None, spec["cpus"])) and (sc.memory_mb in (None, spec["memory_mb"]))
                if not exact:
                    self.diags.warning(W_FLAVOR_FIT, f"service '{svc.name}': {sc.cpus or '?'} CPU / "
                                       f"{sc.memory_mb or '?'} MB fits no flavor exactly; "
                                       f"'{name}' ({spec['cpus']} CPU, {spec['memory_mb']} MB) "
                                       "written", _loc(sc.origin) or _loc(svc.origin))
                return name
        self.diags.warning(W_FLAVOR_FIT, f"service '{svc.name}' is bigger than any flavor; "
                           f"'{ordered[-1]}' written", _loc(svc.origin))
        return ordered[-1]

    def app(self, svc: Service, zone: str) -> AppPlan | None:
        where = _loc(svc.origin)
        svc = self.built_by_another(svc)
        kind = self.kind(svc)
        if kind is None:
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{svc.name}' has no Node, "
                               "static or Dockerfile build that Clever can run (an image alone "
                               "cannot be deployed); not written", where,
                               hint="give it a Dockerfile (`FROM <image>`) and convert again")
            return None
        ext = svc.extensions.get("clevercloud", {}) if isinstance(svc.extensions, dict) else {}
        ext = ext if isinstance(ext, dict) else {}
        label = self.label(svc.name, where)
        self.foreign_extensions(f"service '{svc.name}'", svc.extensions, where)
        smallest = self.flavor(svc, kind, ext)
        biggest = ext.get("biggest_flavor") if ext.get("smallest_flavor") == smallest else None
        sc = svc.scaling
        low = max(1, sc.min_instances or 1)
        high = max(low, sc.max_instances or low)
        limit = int(mappings.table("clevercloud-flavors")["limits"]["max_instances"])
        if high > limit:
            self.diags.warning(W_FLAVOR_FIT, f"service '{svc.name}': at most {limit} instances "
                               "on Clever Cloud", where)
            high = limit
            low = min(low, limit)
        if sc.autostop in (Autostop.STOP, Autostop.SUSPEND) or sc.min_running == 0 \
                or sc.min_instances == 0:
            self.diags.warning(W_NO_SCALE_TO_ZERO, f"service '{svc.name}' stops when idle; Clever "
                               "Cloud has no scale-to-zero, so it will run (and bill) all the time",
                               _loc(sc.origin) or where)
        # Public apps redirect HTTP to HTTPS, as the Fly writer's force_https: the source said
        # otherwise only if it set force_https to false.
        redirect = svc.force_https if svc.force_https is not None else (True if svc.public else None)
        app = AppPlan(service=svc, label=label, name=str(ext.get("name") or self.app_name(label)),
                      kind=kind, region=zone, smallest=smallest,
                      biggest=str(biggest) if isinstance(biggest, str) else smallest,
                      build_flavor=ext.get("build_flavor") if isinstance(ext.get("build_flavor"), str) else None,
                      min_instances=low, max_instances=high,
                      domains=tuple(check_domain(d, where) for d in svc.domains),
                      redirect_https=redirect,
                      sticky_sessions=ext.get("sticky_sessions") if isinstance(ext.get("sticky_sessions"), bool) else None)
        clever_env = ext.get("env")
        if isinstance(clever_env, dict):
            app.env.update({str(k): str(v) for k, v in clever_env.items()})
        self.runtime_env(app, svc, kind, ext)
        self.dev_values(app)
        if kind == "docker" and svc.build is None:
            self.image_dockerfile(app, svc)
        self.not_expressed(svc, kind)
        if kind == "docker" and not self.serves_http(svc):
            # Clever's Docker runtime has no workers (no CC_WORKER_COMMAND) and declares a
            # deployment healthy only once something answers on 8080.
            app.vhosts = []
            self.diags.warning(W_NO_HTTP, f"service '{svc.name}' serves no HTTP, but a Clever "
                               "Docker app is deployed only once it answers on port 8080, and "
                               "Docker apps cannot run workers (CC_WORKER_COMMAND): as written, "
                               "its deployment does not complete", where,
                               hint="make the image answer on 8080 next to its process, or build "
                                    "it as a Node app so it runs as CC_WORKER_COMMAND")
        return app

    def built_by_another(self, svc: Service) -> Service:
        """A service that runs an image another service builds (``image: app-server`` next to
        ``build: .`` with the same tag) is built from that source on Clever too: the tag exists
        only on the machine that ran compose, so ``FROM <tag>`` cannot be pulled."""
        builder = self.builders.get(svc.image or "") if svc.build is None else None
        if builder is None or builder.name == svc.name:
            return svc
        from dataclasses import replace  # noqa: PLC0415

        self.diags.info(I_IMAGE_DOCKERFILE, f"service '{svc.name}' runs the image '{svc.image}' "
                        f"that '{builder.name}' builds: it is built from the same source "
                        f"({builder.build.context if builder.build else '.'}), not pulled",
                        _loc(svc.origin))
        return replace(svc, build=builder.build, image=None)

    def dev_values(self, app: AppPlan) -> None:
        """Compose files are usually written for a laptop: DEBUG on and localhost hosts would
        go to production as they are."""
        found = []
        for name, value in sorted(app.env.items()):
            upper, low = name.upper(), value.strip().lower()
            debug = (upper == "DEBUG" or upper.endswith("_DEBUG")) and low in _TRUE
            dev_env = upper in _ENV_NAMES and low in ("dev", "development", "local")
            local = upper.endswith(("HOSTS", "HOST", "HOSTNAME", "ORIGINS", "_URL", "DOMAIN")) \
                and _LOCAL.search(value) is not None
            if debug or dev_env or local:
                found.append(f"{name}={value}")
        if found:
            self.diags.warning(W_DEV_VALUE, f"service '{app.service.name}': development values "
                               f"are copied as they are: {', '.join(found)}",
                               _loc(app.service.runtime.origin) or _loc(app.service.origin),
                               hint="set production values in the app's env file or Terraform "
                                    "environment before the first deploy")

    def image_dockerfile(self, app: AppPlan, svc: Service) -> None:
        """Clever has no "run this image": a Docker app builds a Dockerfile from its repository.
        An image-only service gets one that is only ``FROM <image>`` (and its command), in a
        folder of its own; the reader reads such a Dockerfile back as the image."""
        from hopper.templating import render  # noqa: PLC0415 - jinja2 only when needed

        rt = svc.runtime
        entrypoint, command = rt.entrypoint, rt.command
        if secret_refs((*entrypoint, *command)):  # exec form has no shell to expand "${NAME}"
            entrypoint, command = ((exec_argv((*entrypoint, *command)), ()) if entrypoint
                                   else ((), exec_argv(command)))
        app.app_folder = app.label
        path = f"{app.label}/Dockerfile"
        app.generated[path] = render("clevercloud/image.Dockerfile.j2", service=svc.name,
                                     image=svc.image, entrypoint=list(entrypoint),
                                     command=list(command))
        self.diags.info(I_IMAGE_DOCKERFILE, f"service '{svc.name}' runs the image '{svc.image}': "
                        f"Clever builds Docker apps from a Dockerfile, so hopper wrote {path} "
                        "(FROM the image, with its command); commit it in the app's repository",
                        _loc(svc.origin))

    def not_expressed(self, svc: Service, kind: str) -> None:
        """One warning listing the service's settings that have no Clever form."""
        rt, build, site = svc.runtime, svc.build, svc.static_site
        lost: list[str] = []
        platform = set(mappings.table("env-names")["clevercloud"]["runtime"]["names"])
        # PORT is the port rule's (see port()): the app follows Clever's PORT=8080.
        lost += [f"env {name} (Clever sets it)" for name in sorted(rt.env)
                 if name in platform and name != "PORT"]
        if rt.user:
            lost.append(f"user '{rt.user}'")
        bound = {b.resource for b in svc.bindings}
        apps = [d for d in svc.depends_on if self.arch.service(d) is not None and d not in bound
                and d not in self.service_addons]
        if apps:
            lost.append(f"depends_on {', '.join(apps)} (Clever deploys each app on its own)")
        if kind in ("node", "static-apache"):
            # Clever runs these on its own runtime: a container image or Dockerfile goes unused.
            runtime = "Node.js" if kind == "node" else "Apache static"
            if svc.image:
                lost.append(f"image '{svc.image}' (Clever's {runtime} runtime runs the app)")
            if build is not None and build.dockerfile:
                lost.append(f"Dockerfile {build.dockerfile} (Clever builds {runtime} apps itself)")
        generated = kind == "docker" and build is None  # FROM <image> with its command
        if kind != "node" and rt.command and not generated:
            lost.append("command (the image's own start command runs)")
        if rt.entrypoint and not generated and (kind != "node" or not rt.command):
            lost.append("entrypoint")
        if build is not None and build.target:
            lost.append(f"build target '{build.target}'")
        if build is not None and build.dockerfile_inline and kind == "docker":
            lost.append("dockerfile_inline (save it as a Dockerfile)")
        if site is not None and kind == "static-apache":
            if site.index != "index.html":
                lost.append(f"index '{site.index}'")
            if site.gzip or site.gzip_types:
                lost.append("gzip")
            if site.cache_rules:
                lost.append("cache_rules (set them in .htaccess)")
        if lost:
            self.diags.warning(W_NOT_EXPRESSED, f"service '{svc.name}': {', '.join(lost)} "
                               "cannot be expressed on Clever Cloud; not written", _loc(svc.origin))

    def runtime_env(self, app: AppPlan, svc: Service, kind: str, ext: dict[str, Any]) -> None:
        where = _loc(svc.origin)
        build = svc.build
        rt = svc.runtime
        platform = set(mappings.table("env-names")["clevercloud"]["runtime"]["names"])
        for name, value in sorted(rt.env.items()):
            if name in platform:
                continue
            if not ENV_NAME.match(name):
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{svc.name}': env name "
                                   f"'{name}' is not valid on Clever Cloud; left out", where)
                continue
            app.env[name] = value
        if build is not None:
            for name, value in sorted(build.args.items()):
                if ENV_NAME.match(name) and name not in app.env:
                    app.env[name] = value  # Clever env vars are present at build time too
        for name in sorted({*rt.secret_env, *(build.secrets if build else ())}):
            if ENV_NAME.match(name) and name not in platform:
                app.secrets[name] = self.var_name(name)
        self.port(app, svc, kind)
        if build is not None and build.context and build.context not in (".", "./"):
            app.app_folder = build.context.strip("/").removeprefix("./")
        health = rt.health_check
        if health is not None:
            if health.path:
                app.env["CC_HEALTH_CHECK_PATH"] = health.path
            timing = [k for k in ("interval_s", "timeout_s", "grace_s", "retries")
                      if getattr(health, k) is not None]
            if health.port is not None and health.port != rt.port:
                timing.append(f"port {health.port} (Clever checks the app's port)")
            if timing or health.command:
                what = ", ".join(timing + (["a command check"] if health.command else []))
                self.diags.warning(W_HEALTH_OPTIONS, f"service '{svc.name}': health check {what} "
                                   "cannot be expressed (Clever checks paths only, at deploy)",
                                   _loc(health.origin) or where)
        if svc.volumes:
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{svc.name}': volumes "
                               f"({', '.join(v.name for v in svc.volumes)}) are not written; Clever "
                               "instances have no persistent disk (use Cellar or an FS Bucket)", where)
        extra_hooks = ext.get("hooks")
        for hook, command in sorted((extra_hooks if isinstance(extra_hooks, dict) else {}).items()):
            if hook in ("pre_build", "run_succeed", "run_failed") and isinstance(command, str):
                app.hooks[hook] = command
        if rt.release_command:
            app.hooks["pre_run"] = rt.release_command
            if svc.extensions.get("clevercloud") is None:
                self.diags.warning(W_PRE_RUN, f"service '{svc.name}': the release command runs "
                                   "as CC_PRE_RUN_HOOK, at every instance start rather than once "
                                   "per deploy; make it idempotent", _loc(rt.origin) or where)
        if kind == "node":
            self.node(app, svc, ext)
        elif kind == "static-apache":
            self.static(app, svc)
        elif kind == "docker" and build is not None and build.dockerfile:
            dockerfile = build.dockerfile
            if app.app_folder and dockerfile.startswith(app.app_folder + "/"):
                dockerfile = dockerfile[len(app.app_folder) + 1:]
            if dockerfile != "Dockerfile":
                app.dockerfile = dockerfile

    def node_version(self, app: AppPlan, svc: Service) -> None:
        """CC_NODE_VERSION, unless package.json engines.node decides: Clever's Node runtime
        honours engines.node over CC_NODE_VERSION, so writing both would promise a version the
        app does not get. Other runtimes (static apps' hooks) use CC_NODE_VERSION."""
        build = svc.build
        if build is None:
            return
        engines = build.node_engines
        if app.kind == "node" and engines:
            pinned = re.fullmatch(r"[~^=v]?\s*(\d+)(\.[\dx*]+)*", engines.strip())
            if build.runtime_version and (pinned is None or pinned.group(1) != build.runtime_version.split(".")[0]):
                self.diags.warning(W_NODE_ENGINES, f"service '{svc.name}': package.json engines.node "
                                   f"'{engines}' decides the Node version on Clever (it wins over "
                                   f"CC_NODE_VERSION), not {build.runtime_version} as in the source"
                                   + ("; Clever installs the newest Node it allows" if pinned is None else ""),
                                   _loc(build.origin) or _loc(svc.origin),
                                   hint=f"pin engines.node to \"{build.runtime_version}.x\" to keep Node "
                                        f"{build.runtime_version}")
            return
        if build.runtime_version:
            app.env["CC_NODE_VERSION"] = build.runtime_version

    def port(self, app: AppPlan, svc: Service, kind: str) -> None:
        """One rule for every app: Clever sets PORT=8080 and sends traffic to 8080. An app that
        reads PORT (the source sets it) follows it, so nothing is written; a Docker app with a
        port of its own gets container_port; a Node app with one must be changed."""
        rt = svc.runtime
        port, where = rt.port, _loc(rt.origin) or _loc(svc.origin)
        http = int(self.runtimes["http"]["port"])
        reads_port = "PORT" in rt.env
        if port is None or (port == http and kind != "static-apache"):
            return
        if kind == "static-apache":
            self.diags.warning(W_PORT, f"service '{svc.name}' listens on {port}; a Clever static "
                               f"app is served by Clever's Apache on {http}: the port is not "
                               "written", where)
        elif reads_port:
            self.diags.info(I_PORT, f"service '{svc.name}' listens on PORT ({rt.env['PORT']} in "
                            f"the source); Clever sets PORT={http} and routes to it, so the port "
                            "is not written", where)
        elif kind == "docker":
            app.container_port = port
        else:
            self.diags.warning(W_PORT, f"service '{svc.name}' listens on {port}; Clever routes to "
                               f"{http} and sets PORT={http}: make the app listen on "
                               "process.env.PORT", where)

    def node(self, app: AppPlan, svc: Service, ext: dict[str, Any]) -> None:
        build = svc.build
        if build is None:
            return
        tools = self.runtimes["node_build_tools_write"]
        tool = ext.get("build_tool") if isinstance(ext.get("build_tool"), str) else None
        if tool is None and (build.install_command or "").strip() == "npm ci":
            tool = "npm-ci"
        if tool is None and build.package_manager in tools:
            tool = str(tools[build.package_manager])
            if build.package_manager == "yarn" and build.node_install is not None \
                    and (build.node_install.major or 1) < 2:
                # Yarn 1: Clever detects it from yarn.lock (yarn-berry would run Yarn 4 on a
                # v1 lockfile), so no build tool is written.
                tool = None
        if tool == "custom" or (tool is None and build.install_command
                                and not build.install_command.startswith(("npm ", "yarn", "pnpm", "bun"))):
            tool = "custom"
            if build.install_command:
                app.env["CC_CUSTOM_BUILD_TOOL"] = build.install_command
        app.build_tool = tool if tool != "npm" or "build_tool" in ext else None
        self.node_version(app, svc)
        if build.build_command:
            app.hooks["post_build"] = build.build_command
        elif svc.role in (Role.API, Role.WORKER):
            self.diags.warning(W_NO_BUILD, f"service '{svc.name}': no build command; Clever runs "
                               "no build step for Node by itself (only the dependency install). "
                               "If the app needs one, set CC_POST_BUILD_HOOK", _loc(build.origin))
        # A command replaces the image's start command (compose `command:`): on Clever it is the
        # start script.
        rt = svc.runtime
        app.start_script = shell_line([*rt.entrypoint, *rt.command]) if rt.command \
            else build.start_command
        if rt.command:
            self.diags.info(I_START_SCRIPT, f"service '{svc.name}': its command is the start "
                            f"script ({app.start_script}); read back, it is the build's start "
                            "command", _loc(rt.origin) or _loc(svc.origin))
        if not self.serves_http(svc) and app.start_script:
            # Clever declares a deployment healthy once something answers on 8080; a worker has
            # nothing there. It runs as CC_WORKER_COMMAND (supervised, restarted on failure) and
            # the app's own process is a minimal responder on PORT, reached by nobody (no vhost).
            app.env["CC_WORKER_COMMAND"] = app.start_script
            app.env["CC_WORKER_RESTART"] = "always"
            app.start_script = WORKER_RESPONDER
            app.vhosts = []
            self.diags.info(I_WORKER, f"service '{svc.name}' serves no HTTP: its command runs as "
                            "CC_WORKER_COMMAND, and the app answers Clever's deploy check on "
                            "PORT with a minimal responder (no domain routes to it)",
                            _loc(svc.origin))

    def static(self, app: AppPlan, svc: Service) -> None:
        build = svc.build
        site = svc.static_site
        output = build.output_dir if build is not None else None
        if output is None and site is not None and site.root.startswith("/") and \
                not site.root.startswith(("/usr/", "/var/", "/srv/", "/app/", "/opt/")):
            output = site.root.strip("/") or None
        # One rule for every path hopper writes: relative to APP_FOLDER, where Clever runs the
        # hooks and from where it reads CC_WEBROOT. A build output named from the repository
        # root (apps/front/dist) loses the app folder's prefix.
        if output and app.app_folder and output.strip("/").startswith(app.app_folder + "/"):
            output = output.strip("/")[len(app.app_folder) + 1:]
        if output:
            app.env["CC_WEBROOT"] = "/" + output.strip("/")
        elif build is not None and build.build_command:
            self.diags.warning(W_NO_WEBROOT, f"service '{svc.name}': the build's output folder is "
                               "unknown, so CC_WEBROOT is not set (Clever serves the repository "
                               "root)", _loc(build.origin) or _loc(svc.origin),
                               hint="set CC_WEBROOT to the folder your build writes (dist, build...)")
        steps = [c for c in (build.install_command if build else None,
                             build.build_command if build else None) if c]
        if build is not None and build.runtime == "node":
            # Hooks have Node on every runtime; CC_NODE_VERSION chooses its version there.
            self.node_version(app, svc)
            if steps and build.package_manager in ("pnpm", "yarn"):
                # pnpm and Yarn come with Node through corepack, which must be switched on.
                steps.insert(0, "corepack enable")
        elif build is not None and build.runtime not in (None, "static"):
            joined = " and ".join(k for k in ("install_command", "build_command")
                                  if getattr(build, k))
            self.diags.warning(W_NOT_EXPRESSED, f"service '{svc.name}': its {build.runtime} build "
                               "has no static-app form: "
                               + (f"{joined} run{'s' if ' and ' not in joined else ''} as the "
                                  "pre_build hook, " if joined else "")
                               + "the rest is not written", _loc(build.origin) or _loc(svc.origin))
        if site is not None and site.spa_fallback:
            # Kept beside the app (inside APP_FOLDER when there is one) and copied into the
            # built webroot by the build hook: the webroot itself is build output.
            rel = f"clevercloud/{app.label}.htaccess"
            target = f"{output.strip('/')}/.htaccess" if output else ".htaccess"
            app.htaccess = f"{app.app_folder}/{rel}" if app.app_folder else rel
            steps.append(f"cp {rel} {target}")
        if steps:
            app.hooks["pre_build"] = " && ".join(steps)

    # ------------------------------------------------------------------ wiring
    def wire(self, plan: Plan) -> None:
        apps = {a.service.name: a for a in plan.apps}
        addons = {a.label: a for a in plan.addons}
        names = mappings.table("env-names")["clevercloud"]
        clever_names = {**names["database"], **names["object_store"]}
        for app in plan.apps:
            for binding in (*app.service.bindings, *self.sibling_credentials(app, addons)):
                self.bind(plan, app, binding, apps, addons, clever_names)
            # A dependency on an add-on is a link even without a variable of the app's own:
            # linking is what hands the app the add-on's credentials on Clever.
            for dep in app.service.depends_on:
                label = self.labels.get(dep)
                if label in addons and label not in app.links:
                    app.links.append(label)
            if app.htaccess:
                plan.files[app.htaccess] = HTACCESS
            plan.files.update(app.generated)
        self.routes(plan, apps)
        order = {a.label: i for i, a in enumerate(plan.addons)}
        for app in plan.apps:
            app.links.sort(key=lambda label: order.get(label, len(order)))
            for env_name, var in app.secrets.items():
                plan.secret_vars.setdefault(var, f"secret {env_name}")

    def bind(self, plan: Plan, app: AppPlan, b: Binding, apps: dict[str, AppPlan],
             addons: dict[str, AddonPlan], clever_names: dict[str, Any]) -> None:
        label = self.labels.get(b.resource)
        addon = addons.get(label) if label else None
        where = _loc(b.origin)
        app.secrets.pop(b.variable, None)
        if app.env.pop(b.variable, None) is not None:
            self.diags.info(I_BOUND_VALUE, f"service '{app.service.name}': env {b.variable} is "
                            f"set from the {b.attribute} of '{b.resource}' on Clever; the source's "
                            "own value is not written", where)
        if addon is not None:
            if addon.label not in app.links:
                app.links.append(addon.label)
            if addon.kind is not None:
                self.bind_service_addon(app, b, addon)
                return
            spec = clever_names.get(b.variable)
            if spec is not None and spec["attribute"] == b.attribute:
                return  # linking the add-on injects this very variable
            ref = self.addon_ref(addon, b.attribute, plan)
            if ref is not None and b.attribute == "region" and "REGION" not in b.variable.upper():
                self.diags.warning(W_NOT_EXPRESSED, f"service '{app.service.name}': {b.variable} "
                                   f"carries the region of '{b.resource}', written as the value "
                                   f"{ref.literal!r} (Cellar injects no region variable); only a "
                                   "name with REGION in it reads back as that binding", where)
            if ref is None:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                                   f"{b.variable} carries the {b.attribute} of '{b.resource}', "
                                   "which Clever does not provide; left out", where)
                return
            app.refs[b.variable] = ref
            return
        target = apps.get(b.resource)
        if target is not None and b.attribute == "url" and not self.serves_http(target.service):
            self.diags.warning(W_NO_HTTP, f"service '{app.service.name}': {b.variable} points at "
                               f"'{b.resource}', which serves no HTTP; Clever apps are reached "
                               "only over HTTP(S) through their domain, so it is left out", where)
            return
        if target is not None and b.attribute == "url":
            domain = self.public_domain(target)
            if domain is not None:
                app.env[b.variable] = f"https://{domain}"
            else:
                app.refs[b.variable] = EnvRef(
                    f'"https://${{tolist({target.rtype}.{target.label}.vhosts)[0].fqdn}}"',
                    f"https:// + the domain of app {target.label}", app=target.label)
            return
        if b.resource in self.arch.resource_names():
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                               f"{b.variable} points at '{b.resource}', which is not written; "
                               "left out", where)

    def sibling_credentials(self, app: AppPlan, addons: dict[str, AddonPlan]) -> list[Binding]:
        """A database's credentials come as a set: when MB_DB_HOST is bound to an add-on, the
        MB_DB_USER, MB_DB_PASS, MB_DB_DBNAME and MB_DB_PORT beside it must come from the same
        add-on, never from the source's own values (which name a database that does not exist
        on Clever)."""
        out: list[Binding] = []
        bound = {b.variable for b in app.service.bindings}
        names = {*app.env, *app.secrets}
        for b in app.service.bindings:
            label = self.labels.get(b.resource)
            addon = addons.get(label) if label else None
            if addon is None or addon.provider == "cellar-addon" or \
                    attribute_for(b.variable, b.attribute) not in ("host", "uri", "url"):
                continue
            m = re.fullmatch(r"(.*?)_?(HOST|HOSTNAME|SERVER|URL|URI)", b.variable)
            if m is None or not m.group(1):
                continue
            prefix = m.group(1)
            for name in sorted(names - bound):
                rest = name[len(prefix):].lstrip("_") if name.startswith(prefix) else None
                attribute = _CREDENTIAL_SUFFIXES.get(rest or "")
                if attribute is not None:
                    out.append(Binding(variable=name, resource=b.resource, attribute=attribute,
                                       secret=attribute == "password", origin=b.origin))
                    bound.add(name)
        return out

    @staticmethod
    def serves_http(svc: Service) -> bool:
        if svc.role is Role.WORKER:
            return False
        return svc.public or svc.runtime.port is not None or svc.role in (Role.FRONT, Role.API) \
            or bool(svc.routes)

    def bind_service_addon(self, app: AppPlan, b: Binding, addon: AddonPlan) -> None:
        kind = addon.kind
        assert kind is not None
        attribute = attribute_for(b.variable, b.attribute)
        injected = kind.env.get(attribute)
        if injected == b.variable:
            return  # linking the add-on injects this very variable
        expr = tf_expression(kind, f"{addon.rtype}.{addon.label}", attribute)
        if expr is None:
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                               f"{b.variable} carries the {attribute} of '{b.resource}', which "
                               f"the {kind.provider} add-on does not provide; left out",
                               _loc(b.origin))
            return
        copy = (f"the value of {injected}" if injected
                else f"the {attribute} of add-on {addon.name} (clever addon list)")
        app.refs[b.variable] = EnvRef(expr, copy, source=injected)

    def addon_ref(self, addon: AddonPlan, attribute: str, plan: Plan) -> EnvRef | None:
        r = f"{addon.rtype}.{addon.label}"
        if addon.provider == "postgresql-addon":
            # The add-on's attributes in the provider are named like the model's; the variable
            # Clever injects for each comes from mappings/env-names.toml (first listed wins, so
            # POSTGRESQL_ADDON_URI rather than its DIRECT_ variant).
            injected: dict[str, str] = {}
            for name, row in mappings.table("env-names")["clevercloud"]["database"].items():
                injected.setdefault(str(row["attribute"]), name)
            if attribute not in ("uri", "host", "port", "database", "user", "password"):
                return None
            expr = f"tostring({r}.port)" if attribute == "port" else f"{r}.{attribute}"
            return EnvRef(expr, f"the value of {injected[attribute]}", source=injected[attribute])
        if attribute == "endpoint":
            return EnvRef(f'"https://${{{r}.host}}"', "https:// + the value of CELLAR_ADDON_HOST",
                          source="CELLAR_ADDON_HOST", prefix="https://")
        if attribute == "access_key":
            return EnvRef(f"{r}.key_id", "the value of CELLAR_ADDON_KEY_ID",
                          source="CELLAR_ADDON_KEY_ID")
        if attribute == "secret_key":
            return EnvRef(f"{r}.key_secret", "the value of CELLAR_ADDON_KEY_SECRET",
                          source="CELLAR_ADDON_KEY_SECRET")
        if attribute == "region":
            region = str(self.runtimes["cellar"]["sdk_region"])
            return EnvRef(f'"{region}"', region, region)
        if attribute == "bucket":
            if not addon.buckets:
                name = addon.name
                addon.buckets.append((self.bucket_label(name), name))
            if len(addon.buckets) > 1:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"object store '{addon.label}' has "
                                   f"{len(addon.buckets)} buckets; bucket variables get the first")
            blabel, bname = addon.buckets[0]
            return EnvRef(f"clevercloud_cellar_bucket.{blabel}.id", bname, bname)
        return None

    def public_domain(self, app: AppPlan) -> str | None:
        if app.domains:
            return app.domains[0]
        for fqdn, _path in self.cleverapps_roots(app):
            if not self.default_domain(app, fqdn):
                return fqdn
        return None

    @staticmethod
    def cleverapps_roots(app: AppPlan) -> list[tuple[str, str]]:
        """The app's own ``*.cleverapps.io`` vhosts at ``/``, as read from a Clever setup."""
        ext = app.service.extensions.get("clevercloud", {})
        vh = ext.get("cleverapps_vhosts") if isinstance(ext, dict) else None
        if not isinstance(vh, list):
            return []
        return [(check_domain(str(v["fqdn"])), str(v.get("path_begin", "/"))) for v in vh
                if isinstance(v, dict) and isinstance(v.get("fqdn"), str)
                and str(v.get("path_begin", "/")) in ("/", "")]

    @staticmethod
    def default_domain(app: AppPlan, fqdn: str) -> bool:
        """``<app name>.cleverapps.io`` is the default of the shared ``domain`` variable hopper
        declares for path routing: read back, it is that variable again, not a domain of the
        user's (so writing what was read writes the same variable)."""
        return fqdn == f"{app.name}.cleverapps.io"

    def routes(self, plan: Plan, apps: dict[str, AppPlan]) -> None:
        for app in plan.apps:
            svc = app.service
            own: list[tuple[str, str]] = [(d, "/") for d in app.domains]
            own += [(f, p) for f, p in self.cleverapps_roots(app)
                    if not (svc.routes and self.default_domain(app, f))]
            if own:
                app.vhosts = own
            elif not svc.public:
                app.vhosts = []
        for app in plan.apps:
            svc = app.service
            if not svc.routes:
                continue
            domain = self.public_domain(app)
            if domain is None:
                domain = "${DOMAIN}"
                if plan.domain_default is None:
                    plan.domain_default = f"{app.name}.cleverapps.io"
                    self.diags.info(I_DOMAIN, f"service '{svc.name}' routes paths to other apps: "
                                    "Clever needs a domain they share; hopper declares the "
                                    f"variable 'domain' (default {plan.domain_default})",
                                    _loc(svc.origin))
                if app.vhosts is None or not any(f == domain for f, _ in app.vhosts):
                    app.vhosts = [*(app.vhosts or []), (domain, "/")]
            for route in svc.routes:
                where = _loc(route.origin) or _loc(svc.origin)
                target = apps.get(route.target_service)
                if target is None:
                    self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{svc.name}': route "
                                       f"{route.path_prefix} goes to '{route.target_service}', "
                                       "which is not written", where)
                    continue
                if route.strip_prefix:
                    self.diags.warning(W_ROUTE_STRIP, f"service '{svc.name}': route "
                                       f"{route.path_prefix} strips its prefix; Clever path routing "
                                       f"passes {route.path_prefix}... unchanged to "
                                       f"'{target.label}', so it must serve that prefix", where)
                lost = [k for k in ("body_size_limit", "request_buffering", "response_buffering",
                                    "connect_timeout_s", "read_timeout_s", "send_timeout_s")
                        if getattr(route, k) is not None]
                if route.forwarded_headers:
                    lost.append("forwarded_headers")
                if lost:
                    self.diags.warning(W_ROUTE_OPTION, f"service '{svc.name}': route "
                                       f"{route.path_prefix} sets {', '.join(lost)}, which Clever's "
                                       "load balancers do not let you set", where)
                path = "/" + route.path_prefix.strip("/")
                entry = (domain, path)
                current = target.vhosts
                if current is None:
                    # Managing vhosts drops the default domain: keep a public app reachable.
                    current = [(f"{target.name}.cleverapps.io", "/")] if target.service.public else []
                if entry not in current:
                    target.vhosts = [*current, entry]
                if target.redirect_https is None:
                    target.redirect_https = True  # reached from the internet through the route
