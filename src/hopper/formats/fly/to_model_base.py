"""The state of one reading of a Fly setup, and the parts of it that need no other: the
services' names (hopper's own layout, ``<prefix><project>-<folder>``, or the apps' own), what
fly-setup.sh says about databases, buckets, secrets, private apps and domains, the primary
region, and the deploy workflows.

The reader is built in layers, each a subclass of the one below, so a layer calls only its own
methods and those below: :class:`ReaderBase` here, :class:`to_model_service.ServiceParts`,
:class:`to_model_wiring.Wiring`, and :class:`to_model.ModelBuilder`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, Location, Severity, code
from hopper.formats.fly.config_names import FLY_CONFIG_NAMES
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.read_layout import Layout
from hopper.formats.fly.read_scale import stated_counts
from hopper.formats.fly.read_secrets import move_config_secrets
from hopper.formats.fly.read_setup_script import SetupScript, has_flag, option, secret_names
from hopper.formats.fly.read_variants import environment_like
from hopper.formats.fly.read_workflows import setup_deploy_step
from hopper.model import (
    Bucket,
    Database,
    DeployPipeline,
    ObjectStore,
    Placement,
    Region,
    Schedule,
    Secret,
    Workflow,
)

I_INFERRED = code("HOP360", Severity.INFO, "a component or setting hopper inferred, with its evidence")
W_REGION = code("HOP366", Severity.WARNING, "a region code hopper does not know, or a retired one")
W_NO_APP_NAME = code("HOP363", Severity.WARNING, "a config without an app name; hopper named it after its file or folder")


@dataclass
class Evidence:
    """What the setup says about one app's secrets and attachments."""

    secrets: dict[str, Location] = field(default_factory=dict)  # name -> where it was seen
    databases: dict[str, tuple[str, Location]] = field(default_factory=dict)  # var -> (db, where)
    stores: dict[str, tuple[str, Location]] = field(default_factory=dict)  # var -> (store, where)
    private: Location | None = None  # evidence the app has no public IPs
    domains: list[str] = field(default_factory=list)
    domain_origins: dict[str, Location] = field(default_factory=dict)  # the certs command


class ReaderBase:
    """The reading's state, the services' names and the evidence of fly-setup.sh."""

    def __init__(self, layout: Layout, apps: list[FlyApp], diags: Diagnostics, given: Path) -> None:
        self.layout = layout
        self.schedules: list[Schedule] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.count_origins: dict[str, dict[str, Location]] = {}
        self.apps = apps
        self.diags = diags
        self.given = given
        self.names: dict[int, str] = {}  # id(app) -> service name
        self.app_to_service: dict[str, str] = {}
        self.evidence: dict[str, Evidence] = {}  # by Fly app name
        self.databases: dict[str, Database] = {}
        self.stores: dict[str, ObjectStore] = {}
        self.secrets: dict[str, Secret] = {}
        # service name -> "flycast" or "internal": how the fronts' nginx reaches it (the plan
        # compares it with how the source reached the same service).
        self.reached_as: dict[str, str] = {}
        # hopper's own layout: apps are named <prefix><project>-<folder> (the project is in
        # the header of fly-setup.sh), and so are databases and buckets.
        self.project = layout.setup.project if layout.setup is not None else None
        self.prefix = ""
        # Credentials in commands and secret-named build args, moved to named secrets before
        # anything reads the config.
        self.moved = {id(app): move_config_secrets(app.config, diags) for app in apps}

    def info(self, message: str, location: Location | None) -> None:
        self.diags.info(I_INFERRED, message, location)

    def add_secret(self, key: str, service: str, source: str, where: Location, build_time: bool = False) -> None:
        existing = self.secrets.get(key)
        used = tuple(sorted({*(existing.used_by if existing else ()), service}))
        self.secrets[key] = Secret(name=key, source=existing.source if existing else source,
                                   used_by=used, build_time=build_time or bool(existing and existing.build_time),
                                   origin=existing.origin if existing else where)

    def name_services(self) -> None:
        used: set[str] = set()
        for app in self.apps:
            fly_name = app.name
            folder = PurePosixPath(app.folder).name if app.folder != "." else ""
            # fly.toml, or an environment's config of the app (fly.production.toml): the
            # folder names the app. fly.api.toml names an app of its own.
            variant = self.layout.variants.get(app.config.path)
            plain = app.config_path.name in FLY_CONFIG_NAMES or (variant is not None and environment_like(variant))
            if fly_name is None:
                stem = app.config_path.name
                if plain:
                    fly_name = folder or self.layout.root.resolve().name or "app"
                else:
                    fly_name = re.sub(r"^fly[.-]|[.-]fly$", "", Path(stem).stem).replace(".", "-") or "app"
                if app.placeholder_name is not None:
                    self.diags.warning(W_NO_APP_NAME, f"the app name {app.placeholder_name!r} in {app.config.path} "
                                       f"is a template placeholder; using '{fly_name}'", app.config.location("app"),
                                       hint="fill in the template (or pass the app name to flyctl with -a)")
                else:
                    self.diags.warning(W_NO_APP_NAME, f"no app name in {app.config.path}; using '{fly_name}'",
                                       Location(file=app.config.path),
                                       hint="add app = '<name>' (flyctl needs it, or -a)")
            own = self.project is not None and folder and fly_name.endswith(f"{self.project}-{folder}")
            if own:
                self.prefix = fly_name[: -len(f"{self.project}-{folder}")]
            candidate = folder if (folder and plain and (len(self.apps) > 1 or own)) else fly_name
            if candidate == fly_name and variant is not None and plain and fly_name.endswith(f"-{variant}"):
                candidate = fly_name[: -len(variant) - 1]  # wdcc-uabc-staging -> wdcc-uabc
            if candidate in used:
                candidate = fly_name
            base, n = candidate, 2
            while candidate in used:
                candidate = f"{base}-{n}"
                n += 1
            used.add(candidate)
            self.names[id(app)] = candidate
            self.app_to_service.setdefault(fly_name, candidate)

    def unprefixed(self, fly_name: str) -> str:
        """``pg`` for ``<prefix><project>-pg`` in hopper's own layout; other names unchanged."""
        stem = f"{self.prefix}{self.project}-"
        if self.project is not None and fly_name.startswith(stem) and len(fly_name) > len(stem):
            return fly_name[len(stem):]
        return fly_name

    def fly_name(self, app: FlyApp) -> str:
        return app.name or self.names[id(app)]

    def arch_name(self) -> str:
        if self.project is not None:
            return self.project
        fly_names = [self.fly_name(a) for a in self.apps]
        services = [self.names[id(a)] for a in self.apps]
        prefixes = {f[: -len(s) - 1] for f, s in zip(fly_names, services, strict=True)
                    if f.endswith("-" + s) and len(f) > len(s) + 1}
        if len(prefixes) == 1 and len(self.apps) > 1:
            return prefixes.pop()
        if len(self.apps) == 1:
            variant = self.layout.variants.get(self.apps[0].config.path)
            if variant is not None and environment_like(variant) and fly_names[0].endswith(f"-{variant}"):
                return fly_names[0][: -len(variant) - 1]
            return fly_names[0]
        root = self.layout.root.resolve().name
        return root or "fly-app"

    def gather_evidence(self) -> None:
        self.counts = stated_counts(self.layout, self.apps, self.count_origins)
        for app in self.apps:
            self.evidence[self.fly_name(app)] = Evidence()
        setup = self.layout.setup
        if setup is not None:
            self.read_setup(setup)

    def ev(self, app: str | None) -> Evidence | None:
        if app is None:
            if len(self.apps) == 1:
                return self.evidence[self.fly_name(self.apps[0])]
            return None
        return self.evidence.get(app)

    def read_setup(self, setup: SetupScript) -> None:
        for cmd in setup.commands:
            words = cmd.words
            app = option(words, "-a", "--app")
            if words[:2] == ("postgres", "create") or words[:2] == ("pg", "create"):
                fly_db = option(words, "-n", "--name") or "db"
                name = self.unprefixed(fly_db)
                size = option(words, "--initial-cluster-size")
                disk = option(words, "--volume-size")
                self.databases[name] = Database(
                    name=name, plan=option(words, "--vm-size"),
                    disk_gb=int(disk) if disk and disk.isdigit() else None,
                    high_availability=(int(size) > 1) if size and size.isdigit() else None,
                    replicas=(int(size) - 1) if size and size.isdigit() and int(size) > 1 else None,
                    extensions={"fly": _db_extension("unmanaged", fly_db, words)}, origin=cmd.location)
                self.info(f"database '{name}': Fly Postgres app created by the setup script", cmd.location)
            elif words[:2] == ("mpg", "create"):
                fly_db = option(words, "-n", "--name") or "db"
                name = self.unprefixed(fly_db)
                disk = option(words, "--volume-size")
                self.databases[name] = Database(
                    name=name, plan=option(words, "--plan"), version=option(words, "--pg-major-version"),
                    disk_gb=int(disk) if disk and disk.isdigit() else None, high_availability=True,
                    extensions={"fly": _db_extension("managed", fly_db, words)}, origin=cmd.location)
                self.info(f"database '{name}': Managed Postgres cluster created by the setup script", cmd.location)
            elif words[:2] in (("postgres", "attach"), ("pg", "attach"), ("mpg", "attach")):
                target = next((w for w in words[2:] if not w.startswith("-") and w != app
                               and words[words.index(w) - 1] not in ("-a", "--app", "--variable-name",
                                                                      "--database-name", "--database-user",
                                                                      "-d", "-u", "--database", "--username")), None)
                variable = option(words, "--variable-name") or "DATABASE_URL"
                ev = self.ev(app)
                if ev is not None:
                    if target is not None and self.unprefixed(target) in self.databases:
                        target = self.unprefixed(target)
                    # An attach by cluster id follows the create of its cluster in the script.
                    db = target if target in self.databases else (
                        next(reversed(self.databases), None) or target or "db")
                    ev.databases[variable] = (db, cmd.location)
                    ev.secrets[variable] = cmd.location
            elif words[:2] in (("storage", "create"), ("tigris", "create"), ("ext", "tigris")):
                bucket = option(words, "-n", "--name") or "storage"
                public = has_flag(words, "-p", "--public")
                label = next((lbl for lbl, line in reversed(setup.store_labels)
                              if cmd.location.line is not None and line < cmd.location.line), None)
                name = label or bucket
                if label is not None:
                    bucket = self.unprefixed(bucket)
                    if name in self.stores:
                        store = self.stores[name]
                        self.stores[name] = replace(store, buckets=(*store.buckets, Bucket(name=bucket, public=public)))
                    else:
                        self.stores[name] = ObjectStore(name=name, provider="tigris",
                                                        endpoint="https://fly.storage.tigris.dev",
                                                        buckets=(Bucket(name=bucket, public=public),),
                                                        origin=cmd.location)
                        self.info(f"object store '{name}': Tigris bucket created by the setup script", cmd.location)
                else:
                    self.stores[name] = ObjectStore(
                        name=name, provider="tigris", endpoint="https://fly.storage.tigris.dev",
                        buckets=(Bucket(name=name, public=public),), origin=cmd.location)
                    self.info(f"object store '{name}': Tigris bucket created by the setup script", cmd.location)
                ev = self.ev(app)
                if ev is not None:
                    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3",
                                     "AWS_REGION", "BUCKET_NAME"):
                        ev.stores[variable] = (name, cmd.location)
                        ev.secrets[variable] = cmd.location
            elif words[:2] in (("secrets", "set"), ("secrets", "import")):
                ev = self.ev(app)
                if ev is not None:
                    for name in secret_names(words[2:]):
                        ev.secrets.setdefault(name, cmd.location)
            elif words[:2] == ("ips", "allocate-v6") and has_flag(words, "--private"):
                ev = self.ev(app)
                if ev is not None:
                    ev.private = cmd.location
            elif words[:1] == ("deploy",) and has_flag(words, "--flycast", "--no-public-ips"):
                config = setup_deploy_step(words, cmd.location).config  # as flyctl resolves it
                target_app = app or self.app_for_config(config)
                ev = self.ev(target_app)
                if ev is not None:
                    ev.private = cmd.location
            elif words[:2] == ("certs", "add") or words[:2] == ("certs", "create"):
                domain = next((w for w in words[2:] if not w.startswith("-") and w != app), None)
                ev = self.ev(app)
                if ev is not None and domain:
                    ev.domains.append(domain)
                    ev.domain_origins.setdefault(domain, cmd.location)

    def app_for_config(self, config: str | None) -> str | None:
        if config is None:
            return None
        clean = PurePosixPath(config.lstrip("./") if config.startswith("./") else config).as_posix()
        for app in self.apps:
            if app.config.path == clean:
                return self.fly_name(app)
        return None

    def placement(self) -> Placement:
        known = mappings.regions("fly")
        primary: Region | None = None
        others: dict[str, Region] = {}
        ordered = sorted(self.apps, key=lambda a: (a.nginx is None, a.config.path))
        for app in ordered:
            code_ = app.config.data.get("primary_region")
            if not isinstance(code_, str) or not code_:
                continue
            info = known.get(code_)
            where = app.config.location("primary_region")
            if info is None:
                self.diags.warning(W_REGION, f"primary_region '{code_}' is not a Fly region hopper "
                                   "knows; it is ignored", where)
                continue
            if info.retired:
                self.diags.warning(W_REGION, f"primary_region '{code_}' is retired; Fly will not "
                                   "create Machines there", where,
                                   hint=f"use {info.replacement}" if info.replacement else None)
            region = Region(code=code_, platform="fly", city=info.city, country=info.country,
                            latitude=info.latitude, longitude=info.longitude, eu=info.eu,
                            retired=info.retired, origin=where)
            if primary is None:
                primary = region
            elif code_ != primary.code:
                others.setdefault(code_, region)
        return Placement(primary=primary, others=tuple(others[k] for k in sorted(others)))

    def pipeline(self) -> DeployPipeline:
        workflows: dict[str, Workflow] = {}
        for app in self.apps:
            for step in app.deploys:
                name = f"{step.workflow_name}/{step.job}"
                key = f"{name}/{self.names[id(app)]}"
                workflows[key] = Workflow(
                    name=name, service=self.names[id(app)], path=step.workflow,
                    branches=step.branches, build_secrets=step.build_secrets,
                    token_secret=step.token_secret, origin=step.location)
        if not workflows:
            return DeployPipeline()
        return DeployPipeline(provider="github_actions",
                              workflows=tuple(workflows[k] for k in sorted(workflows)))


def _db_extension(kind: str, fly_db: str, words: tuple[str, ...]) -> dict[str, Any]:
    """The database's Fly facts; ``region`` is where the setup script creates it (it may differ
    from the apps' primary_region: Managed Postgres is offered in fewer regions)."""
    out: dict[str, Any] = {"kind": kind, "name": fly_db}
    region = option(words, "-r", "--region")
    if region and re.fullmatch(r"[a-z]{3}", region):  # not a "$REGION" the script sets
        out["region"] = region
    return out
