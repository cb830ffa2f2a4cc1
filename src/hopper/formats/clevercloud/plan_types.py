"""What the Clever Cloud plan is made of: apps, add-ons, computed env values, the whole plan.

The Terraform and shell writers (:mod:`.writer`, :mod:`.write_runbook`) read these types; the
planner (:mod:`.plan`) fills them. They are separate so that each part of the planner can build
them without importing the planner itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hopper import mappings
from hopper.formats.clevercloud.addons import AddonKind
from hopper.model import Service

RESOURCE_TYPES = {"node": "clevercloud_nodejs", "static-apache": "clevercloud_static_apache",
                  "static": "clevercloud_static", "docker": "clevercloud_docker"}


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
