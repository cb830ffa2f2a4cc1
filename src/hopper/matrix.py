"""The conversion matrix: for every field of the model, how each format's reader and writer carry it.

The table is data, written out by hand: one row per ``Class.field`` reachable from
:class:`~hopper.model.Architecture`, one cell per format with the reader's and the writer's
support (``full``, ``partial`` or ``none``) and a short note. :func:`render_markdown` turns it into
``docs/conversion-matrix.md``; a test checks that every model field has a row (a new field
without a row fails) and that the committed document is the rendered one.

The round-trip property tests use :func:`carried_by` to decide which fields two formats must
agree on after a conversion: a field is compared when both formats read and write it (at least
partially); anything else must come with a diagnostic.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass

from hopper import model

FORMATS: tuple[str, ...] = ("compose", "clevercloud", "fly")
LEVELS: tuple[str, ...] = ("full", "partial", "none")


@dataclass(frozen=True, slots=True)
class Cell:
    read: str
    write: str
    note: str = ""


def _c(spec: str) -> Cell:
    """``"full/partial: why"`` → Cell(read="full", write="partial", note="why")."""
    levels, _, note = spec.partition(":")
    read, _, write = levels.strip().partition("/")
    cell = Cell(read.strip(), write.strip(), note.strip())
    if cell.read not in LEVELS or cell.write not in LEVELS:
        raise ValueError(f"bad matrix cell {spec!r}")
    return cell


def _row(compose: str, clevercloud: str, fly: str) -> dict[str, Cell]:
    return {"compose": _c(compose), "clevercloud": _c(clevercloud), "fly": _c(fly)}


NONE = "none/none"

# fmt: off
MATRIX: dict[str, dict[str, Cell]] = {
    # ------------------------------------------------------------------ Architecture
    "Architecture.name": _row("full/full: top-level name (lower-cased on write, HOP717)",
                              "partial/partial: the prefix every app and add-on name shares, else the folder; written lower-case with '-' (HOP461)", "partial/partial: the project in app names and in fly-setup.sh's header, as a slug"),
    "Architecture.source_format": _row("full/none: set by the reader", "full/none: set by the reader",
                                       "full/none: set by the reader"),
    "Architecture.services": _row("full/full", "full/partial: one app each; a service with no build Clever can run and no image is not written (HOP455)", "full/full: one app each"),
    "Architecture.databases": _row("full/full: postgres containers", "full/partial: PostgreSQL add-ons; other engines are not written (HOP455)",
                                   "full/full: Fly Postgres"),
    "Architecture.object_stores": _row("full/full: MinIO-style containers", "full/full: Cellar add-ons",
                                       "full/full: Tigris"),
    "Architecture.secrets": _row("full/full: names in .env.example, values never", "full/partial: sensitive variables, names only; a secret an add-on provides or nothing written uses is not written (HOP467)",
                                 "full/full: staged secret names; a database's or store's own secret is replaced by Fly's credentials (HOP537), one no app reads is not staged (HOP538)"),
    "Architecture.schedules": _row("partial/none: read from ofelia labels and crond/supercronic crontabs (HOP197, HOP198); not written: compose has no scheduler of its own (HOP722)",
                                   "full/full: clevercloud/cron.json lines", "none/full: a supercronic process group, or scheduled Machines in fly-setup.sh"),
    "Architecture.placement": _row("partial/partial: x-hopper.region(s) hints only (HOP703)",
                                   "full/partial: app zones; written in one zone (HOP460, HOP466)", "full/full: primary_region"),
    "Architecture.pipeline": _row("none/none: no deploy pipeline locally (HOP704)",
                                  "partial/none: clever_git_push; workflows are not written (HOP469)", "full/full: GitHub Actions deploy workflow"),
    "Architecture.extensions": _row("partial/partial: top-level x-* keys kept; other formats' data dropped (HOP714)",
                                    "partial/partial: clevercloud data (input kind) kept; other formats' data dropped (HOP468)", "partial/partial"),
    "Architecture.checkout": _row("none/none: seen at load time (hopper.checkout), not by formats", "none/none: load time",
                                  "none/partial: load time; the runbook says which files of the set replace or sit beside yours"),
    "Checkout.files": _row(NONE, NONE, "none/partial: load time; the runbook's notes"),
    # ------------------------------------------------------------------ Service
    "Service.name": _row("full/full", "full/full", "full/full"),
    "Service.role": _row("full/full: detected, and x-hopper.role on write",
                         "partial/partial: from the runtime type (CC_TASK: worker); a worker is written as a Node app (HOP455)", "partial/partial: from Dockerfile and services"),
    "Service.image": _row("full/full", "partial/partial: a Docker app whose Dockerfile only runs an image (FROM, CMD, ENTRYPOINT); an image-only service is written so (HOP471); a Node or static app's image is not used (HOP469)", "full/full: [build] image"),
    "Service.build": _row("full/full", "partial/partial: runtime type, hooks, CC_* build variables", "full/full"),
    "Service.runtime": _row("full/full", "partial/partial", "full/full"),
    "Service.static_site": _row("full/full: nginx.conf of an nginx front", "partial/partial: static apps, SPA fallback in .htaccess",
                                "full/full: nginx front app"),
    "Service.routes": _row("full/full: nginx proxy locations", "partial/partial: vhosts sharing a domain with path_begin",
                           "full/full: nginx proxy locations"),
    "Service.scaling": _row("partial/partial: deploy.resources.limits + x-hopper hints",
                            "partial/partial: flavors and instance counts", "full/full: [[vm]], http_service"),
    "Service.volumes": _row("full/full", "none/none: instances have no persistent disk (HOP455); FS Buckets are not read (HOP411)", "partial/partial: [[mounts]], named only; bind and tmpfs reported (HOP511, HOP539)"),
    "Service.depends_on": _row("full/full: conditions from healthchecks; bindings and routes add edges",
                               "partial/partial: links (dependencies) to add-ons and apps; written for add-ons (an app reached through a url binding reads back too; others HOP469)", "partial/partial: deploy order"),
    "Service.bindings": _row("full/full: env values pointing at compose service names",
                             "full/partial: add-on variables and resource attributes in environment; an attribute Clever does not provide is left out (HOP455)", "full/full: attached resources' env names"),
    "Service.public": _row("full/full: published ports", "full/full: vhosts at /, or the default domain", "full/full: http_service"),
    "Service.force_https": _row("none/none: plain HTTP locally (HOP706)", "full/full: redirect_https",
                                "full/full: http_service.force_https"),
    "Service.domains": _row("partial/partial: x-hopper.domains hint", "full/full: vhosts at / outside cleverapps.io", "partial/partial: certificates in the runbook"),
    "Service.env_reads": _row("none/none: filled by the code scanner, not by formats", "none/none: code scanner",
                              "none/none: code scanner"),
    "Service.listen_addresses": _row("none/none: seen in the code at load time (hopper.checkout)", "none/none: load time",
                                     "none/partial: load time; HOP550/HOP551"),
    "Service.extensions": _row("partial/partial: service x-* keys kept", "partial/partial: clevercloud data kept; other formats' data dropped (HOP468)", "partial/partial"),
    # ------------------------------------------------------------------ Build
    "Build.context": _row("full/full", "partial/partial: app_folder", "full/full"),
    "Build.dockerfile": _row("full/full: relative to the context in compose, to the root in the model",
                             "partial/partial: Docker apps (dockerfile, relative to app_folder); a Node or static app's Dockerfile is not used (HOP469)", "full/full"),
    "Build.dockerfile_inline": _row("full/full", "none/none: not written for a Docker app (HOP469)", "none/none: a generated Dockerfile replaces it (HOP541)"),
    "Build.target": _row("full/full", "none/none: (HOP469)", "full/partial: [build] build-target of the project's own Dockerfile (HOP541)"),
    "Build.args": _row("full/full", "none/partial: written as app env vars, which Clever sets at build time too; read back as env", "full/partial: [build.args] of the project's own Dockerfile (HOP541)"),
    "Build.secrets": _row("full/full: build secrets from the environment", "none/partial: written as sensitive variables; read back as runtime secrets",
                          "full/full: --build-secret"),
    "Build.runtime": _row("partial/partial: from the image and Dockerfile; node builds get an inline Dockerfile",
                          "partial/partial: node, static and Docker apps; other runtimes read as generic (HOP421); a static app built with Node is reported (HOP469)", "partial/partial: from the Dockerfile"),
    "Build.runtime_version": _row("partial/partial: from the Dockerfile base image", "partial/partial: CC_NODE_VERSION (engines.node in package.json wins on read); not for static apps (HOP469)",
                                  "partial/partial: Dockerfile base image"),
    "Build.node_engines": _row("partial/none: package.json engines.node", "partial/partial: decides whether CC_NODE_VERSION is written (engines.node wins on Clever)",
                               "partial/none"),
    "Build.package_manager": _row("partial/partial: from lockfiles; used in inline Dockerfiles", "partial/partial: package_manager / CC_NODE_BUILD_TOOL; not for static apps (HOP469)",
                                  "partial/partial: generated Dockerfiles, read back from them"),
    "Build.install_command": _row("partial/partial: Dockerfile RUN; inline Dockerfiles", "partial/partial: npm-ci or CC_CUSTOM_BUILD_TOOL (Node); joined to the pre_build hook (static, HOP469)",
                                  "none/none: generated Dockerfiles install with the package manager (HOP541)"),
    "Build.build_command": _row("partial/partial: Dockerfile RUN; inline Dockerfiles", "full/full: post_build hook (Node), pre_build hook or CC_BUILD_COMMAND (static)",
                                "partial/partial: generated Dockerfiles"),
    "Build.start_command": _row("partial/partial: Dockerfile CMD; inline Dockerfiles", "full/full: start_script / CC_RUN_COMMAND",
                                "partial/partial: generated Dockerfiles"),
    "Build.output_dir": _row("partial/partial: static bind mount for fronts without a Dockerfile",
                             "partial/partial: CC_WEBROOT of static apps", "partial/partial: generated Dockerfiles"),
    "Build.workspace": _row("partial/none: read from package.json workspaces", "partial/none",
                            "partial/partial: turbo prune in generated Dockerfiles"),
    "Workspace.root": _row("partial/none", "partial/none", "partial/partial"),
    "Workspace.package": _row("partial/none", "partial/none", "partial/partial"),
    "Workspace.path": _row("partial/none", "partial/none", "partial/partial"),
    "Workspace.tool": _row("partial/none", "partial/none", "partial/partial"),
    "Build.node_install": _row("partial/none: package.json packageManager, lockfile and install files of a Node build context",
                               "partial/none: the same, from the app folder of a Node app or a static app built by a Node hook",
                               "partial/partial: generated Dockerfiles (corepack step, the COPYs before the install); read back from them"),
    "NodeInstall.version": _row("partial/none", "partial/none", "partial/partial: corepack install -g / npm install -g"),
    "NodeInstall.major": _row("partial/none", "partial/none", "partial/partial: the pinned major; Yarn 2+ from yarn install --immutable"),
    "NodeInstall.lockfile": _row("partial/none", "partial/none", "partial/partial: COPY before the install"),
    "NodeInstall.files": _row("partial/none", "partial/none", "partial/partial: COPY before the install"),
    "NodeInstall.manifests": _row("partial/none", "partial/none", "partial/partial: COPY before the install (monorepos)"),
    "Build.context_files": _row("none/none: seen at load time (hopper.checkout), not by formats", "none/none: load time",
                                "none/partial: load time; the build mode, Node version and workflow path filter"),
    "ContextFiles.dockerfile": _row(NONE, NONE, "none/partial: builds the context's own Dockerfile"),
    "ContextFiles.package_json": _row(NONE, NONE, "none/partial: a Node build, not the context's Dockerfile"),
    "ContextFiles.node_engines": _row(NONE, NONE, "none/partial: the Node major of the generated Dockerfile"),
    "ContextFiles.workspace": _row(NONE, NONE, "none/partial: when the reader recorded none"),
    "ContextFiles.workspace_files": _row(NONE, NONE, "none/partial: the workflow's path filter"),
    # ------------------------------------------------------------------ Runtime
    "Runtime.command": _row("full/full", "partial/partial: the CMD of an image-only Docker app; a Node app's start_script, read back as the build's start command (HOP472); not for other Docker apps (HOP469)", "full/partial: [processes]; CMD of a generated Dockerfile (HOP541)"),
    "Runtime.entrypoint": _row("full/full", "partial/partial: the ENTRYPOINT of an image-only Docker app; before the command in a Node app's start_script; otherwise not written (HOP469)", "partial/partial: Dockerfile"),
    "Runtime.port": _row("full/full: expose / ports", "full/partial: 8080 (Docker: container_port); another port, or any port of a static app, is reported (HOP453)", "full/full: internal_port"),
    "Runtime.env": _row("full/full: environment, $ escaped", "full/partial: environment; names Clever sets itself are not written (HOP469)", "full/full: [env]"),
    "Runtime.secret_env": _row("full/full: env entries without a value, from .env", "full/full: sensitive variables",
                               "full/full: fly secrets"),
    "Runtime.health_check": _row("full/full: healthcheck", "partial/partial: CC_HEALTH_CHECK_PATH", "full/full: checks"),
    "Runtime.release_command": _row("partial/partial: x-hopper.release_command hint, or the migration steps of a `sh -c` command (HOP555); not run (HOP705)",
                                    "full/partial: pre_run hook, run at every start (HOP456); read from migration steps of the build hooks too (HOP555)",
                                    "full/full: [deploy] release_command (sh -c when it chains; Managed Postgres' direct URL)"),
    "Runtime.user": _row("full/full", "none/none: (HOP469)", "partial/none: Dockerfile USER (HOP541)"),
    "HealthCheck.path": _row("full/full: probe URL, x-hopper.health_path", "full/full: CC_HEALTH_CHECK_PATH",
                             "full/full: http check path"),
    "HealthCheck.command": _row("full/full: test", "none/none: paths only (HOP457)", "none/none: no fly.toml form gates traffic (HOP512); machine checks not read (HOP361)"),
    "HealthCheck.port": _row("full/full: probe URL", "partial/none: the app's port; another is reported (HOP457)", "full/none: checks use internal_port (HOP541)"),
    "HealthCheck.interval_s": _row("full/full", "none/none: (HOP457)", "full/full"),
    "HealthCheck.timeout_s": _row("full/full", "none/none: (HOP457)", "full/full"),
    "HealthCheck.grace_s": _row("full/full: start_period", "none/none: (HOP457)", "full/full: grace_period"),
    "HealthCheck.retries": _row("full/full", "none/none: (HOP457)", "none/none: Fly checks have no retries (HOP541)"),
    # ------------------------------------------------------------------ StaticSite, CacheRule, Route
    "StaticSite.root": _row("full/full: nginx root", "none/partial: served from CC_WEBROOT (Build.output_dir); a site root outside the system folders becomes CC_WEBROOT", "full/full: nginx root"),
    "StaticSite.index": _row("full/full", "none/none: index.html (HOP469)", "full/full"),
    "StaticSite.spa_fallback": _row("full/full: try_files", "full/full: .htaccess rewrite to index.html (SERVER_FALLBACK_PAGE for the static runtime)", "full/full: try_files"),
    "StaticSite.gzip": _row("full/full", "none/none: (HOP469)", "full/full"),
    "StaticSite.gzip_types": _row("full/full", "none/none: (HOP469)", "full/full"),
    "StaticSite.cache_rules": _row("full/full: locations with expires", "none/none: (HOP469)", "full/full"),
    "CacheRule.pattern": _row("full/full", "none/none: (HOP469)", "full/full"),
    "CacheRule.max_age_s": _row("full/full", "none/none: (HOP469)", "full/full"),
    "CacheRule.immutable": _row("full/full", "none/none: (HOP469)", "full/full"),
    "Route.path_prefix": _row("full/full: location", "full/full: path_begin", "full/full: location"),
    "Route.target_service": _row("full/full: compose service name as host", "full/full: the app holding the path_begin vhost",
                                 "full/full: <app>.flycast"),
    "Route.target_port": _row("full/full", "partial/none: 8080 for Node and Docker targets (HOP453)", "partial/partial: flycast uses port 80"),
    "Route.strip_prefix": _row("full/full: rewrite ... break", "full/partial: Clever never strips (HOP451)", "full/full"),
    "Route.body_size_limit": _row("full/full: client_max_body_size", "none/none: (HOP452)", "full/full"),
    "Route.request_buffering": _row("full/full", "none/none: (HOP452)", "full/full"),
    "Route.response_buffering": _row("full/full", "none/none: (HOP452)", "full/full"),
    "Route.connect_timeout_s": _row("full/full", "none/none: (HOP452)", "full/full"),
    "Route.read_timeout_s": _row("full/full", "none/none: (HOP452)", "full/full"),
    "Route.send_timeout_s": _row("full/full", "none/none: (HOP452)", "full/full"),
    "Route.forwarded_headers": _row("full/full: proxy_set_header", "none/none: (HOP452)", "full/full"),
    "Route.websocket": _row("full/full: Upgrade headers", "none/none: Clever passes WebSocket upgrades without configuration", "full/full"),
    # ------------------------------------------------------------------ Scaling
    "Scaling.min_instances": _row("partial/partial: x-hopper hint", "full/partial: min_instance_count, at least 1 (HOP450)", "partial/partial: Machines: --ha=false or flyctl scale count in fly-setup.sh (HOP569)"),
    "Scaling.max_instances": _row("partial/partial: x-hopper hint", "full/partial: max_instance_count, at most the platform limit (HOP459)", "partial/partial: with autostop, the Machines created (HOP569)"),
    "Scaling.cpu_kind": _row("none/none: not expressed (HOP721)", "partial/none: shared for pico and nano; the flavor follows CPU and memory", "full/full: [[vm]] cpu_kind"),
    "Scaling.cpus": _row("full/full: deploy.resources.limits.cpus", "partial/partial: flavor (HOP459 when rounded up)", "full/partial: rounded to a Machine preset (HOP504)"),
    "Scaling.memory_mb": _row("full/full: deploy.resources.limits.memory", "partial/partial: flavor (HOP459 when rounded up)",
                              "full/partial: rounded to a Machine preset (HOP504)"),
    "Scaling.autostop": _row("partial/partial: x-hopper hint (HOP702)", "full/partial: always off; no scale-to-zero (HOP450)", "full/full: auto_stop_machines"),
    "Scaling.autostart": _row("partial/partial: x-hopper hint (HOP702)", "none/none",
                              "full/full: auto_start_machines"),
    "Scaling.min_running": _row("partial/partial: x-hopper hint (HOP702)", "none/none: (HOP450 when 0)",
                                "full/full: min_machines_running"),
    # ------------------------------------------------------------------ Volume
    "Volume.name": _row("full/full", "none/none: (HOP455)", "full/full: mount source"),
    "Volume.target": _row("full/full", "none/none: (HOP455)", "full/full: destination"),
    "Volume.kind": _row("full/full: volume, bind, tmpfs", "none/none: (HOP455)", "partial/partial: named only"),
    "Volume.source": _row("full/full: bind source", "none/none: (HOP455)", "none/none"),
    "Volume.size_gb": _row("none/none: local volumes grow (HOP712)", "none/none: (HOP455)", "full/full: initial_size"),
    "Volume.read_only": _row("full/full", "none/none: (HOP455)", "none/none"),
    # ------------------------------------------------------------------ Binding, EnvRead
    "Binding.variable": _row("full/full", "full/full", "full/full"),
    "Binding.resource": _row("full/full: the host in the value", "full/full", "full/full"),
    "Binding.attribute": _row("full/full: uri, host, port, user, password, database, endpoint, access_key, "
                              "secret_key, bucket, region, url", "full/partial: uri, host, port, user, password, database, endpoint, access_key, secret_key, bucket, url; region as a literal (read back when the name has REGION)", "full/full"),
    "Binding.secret": _row("partial/partial: credentials come from .env", "full/full", "full/full"),
    "EnvRead.name": _row(NONE, NONE, NONE),
    "EnvRead.file": _row(NONE, NONE, NONE),
    "EnvRead.line": _row(NONE, NONE, NONE),
    "EnvRead.language": _row(NONE, NONE, NONE),
    "EnvRead.build_time": _row(NONE, NONE, NONE),
    "ListenAddress.host": _row(NONE, NONE, "none/partial: HOP550/HOP551"),
    "ListenAddress.file": _row(NONE, NONE, "none/partial: HOP550/HOP551"),
    "ListenAddress.line": _row(NONE, NONE, "none/partial: HOP550/HOP551"),
    "ListenAddress.from_env": _row(NONE, NONE, "none/partial: HOP550/HOP551"),
    # ------------------------------------------------------------------ Database
    "Database.name": _row("full/full: service name", "full/full: the add-on's resource label or name", "full/full"),
    "Database.engine": _row("full/partial: PostgreSQL only (HOP709)", "full/partial: PostgreSQL only (HOP455)", "partial/partial: PostgreSQL"),
    "Database.version": _row("full/full: image tag", "full/partial: major version", "partial/partial"),
    "Database.image": _row("full/full", "none/none: an add-on, not an image", "none/none"),
    "Database.database_name": _row("full/full: POSTGRES_DB", "none/none: generated by the add-on (HOP465)", "none/none: the attach creates its own (HOP542)"),
    "Database.user": _row("full/full: POSTGRES_USER", "none/none: generated by the add-on (HOP465)", "none/none: the attach creates its own (HOP542)"),
    "Database.password_secret": _row("partial/partial: POSTGRES_PASSWORD from .env", "none/none: generated by the add-on (HOP465)",
                                     "none/none: attach sets DATABASE_URL (HOP537)"),
    "Database.plan": _row("none/none: (HOP708)", "full/full", "partial/partial: MPG plan names (HOP507)"),
    "Database.cpus": _row("none/none: (HOP708)", "partial/partial: from the plan table (HOP459)", "none/partial: choose the MPG plan (HOP507)"),
    "Database.memory_mb": _row("none/none: (HOP708)", "partial/partial: from the plan table (HOP459)", "none/partial: choose the MPG plan (HOP507)"),
    "Database.disk_gb": _row("none/none: (HOP708)", "partial/partial: from the plan table (HOP459)", "full/full"),
    "Database.high_availability": _row("none/none: (HOP708)", "none/none: on request only (HOP455)", "partial/partial: MPG is HA; Fly Postgres cluster size"),
    "Database.replicas": _row("none/none: (HOP708)", "none/none: on request only (HOP455)", "partial/partial: Fly Postgres cluster size"),
    "Database.backups": _row("none/none: (HOP708)", "partial/partial: backup = false", "none/none: Fly takes its own (HOP542)"),
    "Database.extensions": _row("partial/partial", "partial/partial: clevercloud data kept; other formats' data dropped (HOP468)", "partial/partial"),
    # ------------------------------------------------------------------ ObjectStore, Bucket
    "ObjectStore.name": _row("full/full: service name", "full/full", "full/full"),
    "ObjectStore.provider": _row("full/partial: written as MinIO (HOP710)", "full/partial: always cellar (HOP470)",
                                 "partial/partial: tigris"),
    "ObjectStore.image": _row("full/full", "none/none", "none/none"),
    "ObjectStore.endpoint": _row("partial/none: the local endpoint replaces it (HOP710)", "partial/none: CELLAR_ADDON_HOST",
                                 "partial/none"),
    "ObjectStore.buckets": _row("full/full: created by the <store>-buckets job", "full/full: clevercloud_cellar_bucket",
                                "full/full"),
    "ObjectStore.extensions": _row("partial/partial", "partial/partial: clevercloud data kept; other formats' data dropped (HOP468)", "partial/partial"),
    "Bucket.name": _row("full/full", "full/partial: invalid names are changed (HOP461)", "full/full"),
    "Bucket.public": _row("full/full: mc anonymous set download", "partial/partial: a public-read policy file beside the Terraform (HOP462)", "full/full"),
    # ------------------------------------------------------------------ Secret
    "Secret.name": _row("full/full", "full/partial: (HOP467)", "full/full"),
    "Secret.source": _row("partial/partial", "partial/none: always env", "partial/partial"),
    "Secret.used_by": _row("full/full: env entries of each service", "full/full: the apps whose environment holds it", "full/full"),
    "Secret.build_time": _row("full/full: build secrets", "none/none: Clever env is present at build time and at run time", "full/full: build secrets"),
    "Secret.digest": _row("partial/none: values are never written", "partial/none: from literal values; values are never written",
                          "none/none: values are never written"),
    # ------------------------------------------------------------------ Schedule
    "Schedule.name": _row("full/none: <service>-cron-<n>", "full/none: <app>-cron-<n>", "none/partial: names the job in the crontab"),
    "Schedule.cron": _row("partial/none: ofelia's seconds and @every made five-field where they keep their meaning (HOP198)", "full/full", "none/full"),
    "Schedule.command": _row("full/none", "full/full", "none/full"),
    "Schedule.service": _row("full/none: the labelled service, or the cron service (or one built the same way)", "full/none: the app that runs code (HOP424)", "none/full: the app whose image runs it"),
    # ------------------------------------------------------------------ Placement, Region
    "Placement.primary": _row("partial/partial: x-hopper.region", "full/partial: the most used app zone; the nearest zone to another platform's region (HOP466)", "full/full: primary_region"),
    "Placement.others": _row("partial/partial: x-hopper.regions", "partial/none: the other zones in use; one zone written (HOP460)", "partial/none: other apps' regions; one region is written (HOP501)"),
    "Region.code": _row("partial/partial: x-hopper", "full/full", "full/full"),
    "Region.platform": _row("partial/partial", "full/full", "full/full"),
    "Region.city": _row("partial/none: from mappings/regions.toml", "full/none: mappings", "full/none: mappings"),
    "Region.country": _row("partial/none: mappings", "full/none: mappings", "full/none: mappings"),
    "Region.latitude": _row("partial/none: mappings", "full/none: mappings", "full/none: mappings"),
    "Region.longitude": _row("partial/none: mappings", "full/none: mappings", "full/none: mappings"),
    "Region.eu": _row("partial/none: mappings", "full/none: mappings", "full/none: mappings"),
    "Region.retired": _row("partial/none: mappings", "full/none: mappings", "full/none: mappings"),
    # ------------------------------------------------------------------ DeployPipeline, Workflow
    "DeployPipeline.provider": _row(NONE, "partial/none: clever_git_push (HOP469)", "full/full"),
    "DeployPipeline.workflows": _row(NONE, "none/none: (HOP469)", "full/full"),
    "Workflow.name": _row(NONE, "none/none: (HOP469)", "full/partial: fly-deploy-<folder> per app"),
    "Workflow.service": _row(NONE, "none/none: (HOP469)", "full/full"),
    "Workflow.path": _row(NONE, "none/none: (HOP469)", "full/partial: .github/workflows/fly-deploy-<folder>.yml"),
    "Workflow.branches": _row(NONE, "none/none: (HOP469)", "full/full"),
    "Workflow.build_secrets": _row(NONE, "none/none: (HOP469)", "full/full"),
    "Workflow.token_secret": _row(NONE, "none/none: (HOP469)", "full/partial: FLY_API_TOKEN_<FOLDER>"),
}
# fmt: on


def model_fields() -> list[str]:
    """``Class.field`` for every field reachable from Architecture (the provenance fields
    ``origin`` and ``key_origins`` excluded), in the order a walk of the model meets them."""
    seen: list[type] = []
    out: list[str] = []

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.append(cls)
        hints = typing.get_type_hints(cls, vars(model))
        for f in dataclasses.fields(cls):
            if f.name in ("origin", "key_origins"):
                continue
            out.append(f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(cls):
            for inner in _dataclasses_in(hints[f.name]):
                walk(inner)

    walk(model.Architecture)
    return out


def _dataclasses_in(tp: object) -> list[type]:
    found: list[type] = []
    stack = [tp]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and dataclasses.is_dataclass(item) and item.__module__ == model.__name__:
            found.append(item)
        stack.extend(typing.get_args(item))
    return sorted(found, key=lambda c: c.__name__)


def carried_by(*formats: str) -> frozenset[str]:
    """Fields every one of ``formats`` reads and writes (at least partially)."""
    out = set()
    for name, row in MATRIX.items():
        cells = [row[f] for f in formats]
        if all(c.read != "none" and c.write != "none" for c in cells):
            out.add(name)
    return frozenset(out)


_SYMBOL = {"full": "✓", "partial": "~", "none": "✗"}


def render_markdown() -> str:
    lines = [
        "# Conversion matrix",
        "",
        "<!-- Generated from src/hopper/matrix.py by `python -m hopper.matrix`; do not edit. -->",
        "",
        "Every field of the model against each format: whether the format's reader fills it (R) and",
        "whether its writer expresses it (W). ✓ full, ~ partial, ✗ not at all. Whatever a writer",
        "cannot express is reported as a diagnostic when a model that has it is written.",
        "The round-trip tests compare two formats on the fields both carry (✓ or ~ in all four cells).",
        "",
    ]
    current = ""
    for name in model_fields():
        cls = name.split(".")[0]
        if cls != current:
            current = cls
            lines += ["", f"## {cls}", "",
                      "| field | " + " | ".join(f"{f} R/W" for f in FORMATS) + " | notes |",
                      "|---|" + "---|" * len(FORMATS) + "---|"]
        row = MATRIX[name]
        cells = [f"{_SYMBOL[row[f].read]} / {_SYMBOL[row[f].write]}" for f in FORMATS]
        notes = "; ".join(f"{f}: {row[f].note}" for f in FORMATS if row[f].note)
        lines.append(f"| `{name.split('.', 1)[1]}` | " + " | ".join(cells) + f" | {notes} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


if __name__ == "__main__":  # pragma: no cover - the generator
    import pathlib

    target = pathlib.Path(__file__).resolve().parents[2] / "docs" / "conversion-matrix.md"
    target.write_text(render_markdown(), encoding="utf-8")
