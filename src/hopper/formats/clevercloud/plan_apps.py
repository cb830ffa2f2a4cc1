"""The Clever Cloud planner's apps: the runtime kind and flavor of each service, its build and
start (Node.js, static, Docker), its port and runtime env, and what Clever cannot express.

Separate from the add-ons (:mod:`.plan_addons`) and the wiring (:mod:`.plan_wiring`): an app is
planned from its own service; how it reaches the others is decided afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings
from hopper.domains import check_domain
from hopper.formats.clevercloud.codes import (
    I_IMAGE_DOCKERFILE,
    I_PORT,
    I_START_SCRIPT,
    I_WORKER,
    W_DEV_VALUE,
    W_FLAVOR_FIT,
    W_HEALTH_OPTIONS,
    W_NO_BUILD,
    W_NO_HTTP,
    W_NO_SCALE_TO_ZERO,
    W_NO_WEBROOT,
    W_NODE_ENGINES,
    W_NOT_EXPRESSED,
    W_PORT,
    W_PRE_RUN,
    W_UNSUPPORTED_COMPONENT,
)
from hopper.formats.clevercloud.plan_base import PlannerBase, as_location
from hopper.formats.clevercloud.plan_types import RESOURCE_TYPES, AppPlan
from hopper.formats.clevercloud.setup import WORKER_RESPONDER
from hopper.model import Autostop, Role, Service
from hopper.secrets import exec_argv, secret_refs, shell_line

# An image reference as `FROM` takes it: registry/name:tag@digest, nothing a Dockerfile would
# expand or split.
IMAGE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


_TRUE = frozenset({"1", "true", "yes", "on"})
_ENV_NAMES = frozenset({"NODE_ENV", "APP_ENV", "ENV", "ENVIRONMENT", "RAILS_ENV", "RACK_ENV",
                        "FLASK_ENV", "DJANGO_ENV", "MIX_ENV", "SYMFONY_ENV"})


_LOCAL = re.compile(r"(^|[/@,\s:])(localhost|127\.0\.0\.1|0\.0\.0\.0)([:/,\s]|$)")


class AppPlanner(PlannerBase):
    """Plans one Clever app per deployable service."""

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
                                       "written", as_location(sc.origin) or as_location(svc.origin))
                return name
        self.diags.warning(W_FLAVOR_FIT, f"service '{svc.name}' is bigger than any flavor; "
                           f"'{ordered[-1]}' written", as_location(svc.origin))
        return ordered[-1]

    def app(self, svc: Service, zone: str) -> AppPlan | None:
        where = as_location(svc.origin)
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
                               as_location(sc.origin) or where)
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
                        as_location(svc.origin))
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
                               as_location(app.service.runtime.origin) or as_location(app.service.origin),
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
                        as_location(svc.origin))

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
                               "cannot be expressed on Clever Cloud; not written", as_location(svc.origin))

    def runtime_env(self, app: AppPlan, svc: Service, kind: str, ext: dict[str, Any]) -> None:
        where = as_location(svc.origin)
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
                                   as_location(health.origin) or where)
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
                                   "per deploy; make it idempotent", as_location(rt.origin) or where)
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
                                   as_location(build.origin) or as_location(svc.origin),
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
        port, where = rt.port, as_location(rt.origin) or as_location(svc.origin)
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
                               "If the app needs one, set CC_POST_BUILD_HOOK", as_location(build.origin))
        # A command replaces the image's start command (compose `command:`): on Clever it is the
        # start script.
        rt = svc.runtime
        app.start_script = shell_line([*rt.entrypoint, *rt.command]) if rt.command \
            else build.start_command
        if rt.command:
            self.diags.info(I_START_SCRIPT, f"service '{svc.name}': its command is the start "
                            f"script ({app.start_script}); read back, it is the build's start "
                            "command", as_location(rt.origin) or as_location(svc.origin))
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
                            as_location(svc.origin))

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
                               "root)", as_location(build.origin) or as_location(svc.origin),
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
                               + "the rest is not written", as_location(build.origin) or as_location(svc.origin))
        if site is not None and site.spa_fallback:
            # Kept beside the app (inside APP_FOLDER when there is one) and copied into the
            # built webroot by the build hook: the webroot itself is build output.
            rel = f"clevercloud/{app.label}.htaccess"
            target = f"{output.strip('/')}/.htaccess" if output else ".htaccess"
            app.htaccess = f"{app.app_folder}/{rel}" if app.app_folder else rel
            steps.append(f"cp {rel} {target}")
        if steps:
            app.hooks["pre_build"] = " && ".join(steps)
