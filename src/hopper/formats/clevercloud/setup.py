"""A Clever Cloud setup in Clever's own vocabulary: apps, add-ons, buckets, env, vhosts.

The three readers (Terraform, export bundle, repo hints) fill these records; :mod:`.to_model`
turns them into the neutral model. Keeping Clever's words here lets each reader stay a thin
translation of its source, and keeps the Clever rules (CC_* variables, flavors, vhost routing)
in one place.

Secret values never land here either: an :class:`EnvEntry` keeps a value only when it is not a
secret; a secret keeps its digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import Location

# What hopper's worker apps run as their main process: Clever waits for an answer on PORT
# before it declares a deployment healthy, and a worker (CC_WORKER_COMMAND) has none of its own.
# Read back, an app running it is the worker its CC_WORKER_COMMAND names.
WORKER_RESPONDER = ("node -e \"require('http').createServer((q, s) => s.end('worker'))"
                    ".listen(process.env.PORT)\"")

POSTGRESQL = "postgresql-addon"
CELLAR = "cellar-addon"


@dataclass(frozen=True, slots=True)
class BoundRef:
    """The env var carries an attribute of an add-on, a bucket or another app."""

    resource: str  # the key of an AddonSpec or AppSpec
    attribute: str  # a model binding attribute: uri, host, endpoint, access_key, bucket, url...
    secret: bool = False


@dataclass(slots=True)
class EnvEntry:
    name: str
    value: str | None = None  # the literal value, only when known and not secret
    secret: bool = False
    digest: str | None = None  # secret_digest of the value, when a secret's value was known
    bound: BoundRef | None = None
    unresolved: str | None = None  # the Terraform expression that could not be resolved
    origin: Location | None = None


@dataclass(slots=True)
class Vhost:
    fqdn: str | None  # None when the domain is not a literal
    path_begin: str = "/"
    text: str = ""  # the domain as written, to group apps sharing an unresolved domain
    origin: Location | None = None

    @property
    def key(self) -> str:
        return self.fqdn if self.fqdn is not None else self.text


@dataclass(slots=True)
class AppSpec:
    key: str  # the Terraform label or the bundle alias; becomes the service name
    kind: str  # "node", "static-apache", "static", "docker", or another runtime slug
    name: str | None = None  # the Clever application name, when literal
    region: str | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    smallest_flavor: str | None = None
    biggest_flavor: str | None = None
    build_flavor: str | None = None
    redirect_https: bool | None = None
    sticky_sessions: bool | None = None
    vhosts: list[Vhost] | None = None  # None: not managed (the default cleverapps.io domain)
    env: dict[str, EnvEntry] = field(default_factory=dict)
    exposed_env: dict[str, EnvEntry] = field(default_factory=dict)
    hooks: dict[str, str] = field(default_factory=dict)  # pre_build, post_build, pre_run...
    start_script: str | None = None
    build_tool: str | None = None  # CC_NODE_BUILD_TOOL
    custom_build_tool: str | None = None
    dev_dependencies: bool | None = None
    app_folder: str | None = None
    dockerfile: str | None = None
    container_port: int | None = None
    links: list[str] = field(default_factory=list)  # keys of linked add-ons and apps
    extra: dict[str, Any] = field(default_factory=dict)  # Clever-only settings, carried through
    origin: Location | None = None
    # model field path ("scaling.min_instances", "runtime.env.NODE_ENV") -> the key that set it
    locations: dict[str, Location] = field(default_factory=dict)


@dataclass(slots=True)
class BucketSpec:
    name: str
    label: str | None = None  # the Terraform resource label, which names its policy file
    origin: Location | None = None


@dataclass(slots=True)
class AddonSpec:
    key: str
    provider: str  # "postgresql-addon", "cellar-addon", or another provider slug
    name: str | None = None
    plan: str | None = None
    region: str | None = None
    version: str | None = None
    backup: bool | None = None
    host: str | None = None  # Cellar endpoint host (not a secret)
    buckets: list[BucketSpec] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    origin: Location | None = None
    locations: dict[str, Location] = field(default_factory=dict)  # model field -> its key


@dataclass(slots=True)
class Setup:
    name: str
    source: str  # "terraform", "bundle", "hints"
    apps: list[AppSpec] = field(default_factory=list)
    addons: list[AddonSpec] = field(default_factory=list)
    project_dir: Path | None = None  # where package.json, .htaccess... may be found
    cron: list[str] = field(default_factory=list)
    cron_origin: Location | None = None
    # (policy file stem, bucket name) from clevercloud/<stem>-policy.json public-read policies
    public_buckets: set[tuple[str, str]] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)

    def addon(self, key: str) -> AddonSpec | None:
        return next((a for a in self.addons if a.key == key), None)

    def app(self, key: str) -> AppSpec | None:
        return next((a for a in self.apps if a.key == key), None)
