"""How a Clever Cloud app is built and released, read into the model's Build and release command.

Build hooks and build tools become build commands, a static webroot becomes a static site (with
the ``.htaccess`` the build copies), a Dockerfile app is kept as is, and the migration steps of
the hooks become the release command. It is separate from :mod:`.to_model` because it is the one
part of reading an app that looks into the source tree (the Node project, the Dockerfile).
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, Location
from hopper.formats.clevercloud.codes import I_HTACCESS_ASSUMED, W_HTACCESS_IGNORED
from hopper.formats.clevercloud.files import SourceFiles
from hopper.formats.clevercloud.read_hints import htaccess_spa, webroot_htaccess
from hopper.formats.clevercloud.setup import AppSpec, Setup
from hopper.model import Build, NodeInstall, Role, StaticSite, Workspace

HTTP_PORT = 8080


_HTACCESS_COPY = re.compile(r"(?:\s*&&\s*)?\bcp (clevercloud/[A-Za-z0-9_.-]+\.htaccess) \S*\.htaccess\s*$")
_COREPACK = "corepack enable && "


class AppBuildReader:
    """The build part of :class:`~.to_model.ModelBuilder`, which sets these attributes."""

    setup: Setup
    files: SourceFiles
    diags: Diagnostics

    def _release_from_hooks(self, app: AppSpec, hooks: dict[str, str]) -> str | None:
        """The release command: the migration steps of the build hooks (Clever runs them with
        the add-ons reachable; a target's image build has no database), then CC_PRE_RUN_HOOK.
        The build hooks keep their other steps; seeds are left out (hopper.migrations)."""
        from hopper.diagnostics import Diagnostic  # noqa: PLC0415
        from hopper.migrations import I_MIGRATION, report_seeds, split_command  # noqa: PLC0415

        folder = (app.app_folder or "").strip("/") or None
        project = self._node_project(folder)
        scripts = dict(project.scripts) if project is not None else {}
        parts: list[str] = []
        for hook, var in (("pre_build", "CC_PRE_BUILD_HOOK"), ("post_build", "CC_POST_BUILD_HOOK")):
            if hook not in hooks:
                continue
            found = split_command(hooks[hook], scripts)
            if found.migrate is None:
                continue
            where = app.env[var].origin if var in app.env else app.origin
            self.diags.info(I_MIGRATION, f"app '{app.key}': {var} runs the migration '{found.migrate}'; "
                            "it becomes the release command (once per deploy, before the new version "
                            "starts), not a build step", where)
            out: list[Diagnostic] = []
            report_seeds(f"app '{app.key}' {var}", found, where, out)
            for diag in out:
                self.diags.add(diag)
            parts.append(found.migrate)
            if found.rest:
                hooks[hook] = found.rest
            else:
                del hooks[hook]
        if hooks.get("pre_run"):
            parts.append(hooks["pre_run"])
        return " && ".join(parts) or None

    def _build(self, app: AppSpec, kind: str, role: Role, hooks: dict[str, str],
               typed: dict[str, str], start: str | None, build_tool: str | None,
               folder: str | None, ext: dict[str, Any]) -> tuple[Build | None, StaticSite | None, int | None]:
        build_cmd = hooks.get("post_build") or hooks.get("pre_build")
        if hooks.get("post_build") and hooks.get("pre_build"):
            ext.setdefault("hooks", {})["pre_build"] = hooks["pre_build"]
        context = folder or "."
        if kind == "node":
            tools = mappings.table("clevercloud-runtimes")["node_build_tools"]
            manager = tools.get(build_tool or "") if build_tool else None
            install = None
            if build_tool == "custom":
                install = app.custom_build_tool or typed.get("CC_CUSTOM_BUILD_TOOL")
            elif build_tool == "npm-ci":
                install = "npm ci"
            if build_tool:
                ext["build_tool"] = build_tool
            version = typed.get("CC_NODE_VERSION")
            workspace: Workspace | None = None
            node_install: NodeInstall | None = None
            project = self._node_project(folder)
            if project is not None:
                # Clever's legacy precedence: engines.node wins over CC_NODE_VERSION.
                version = project.node_major or version
                manager = manager or project.package_manager
                workspace = project.workspace
                if manager == (project.package_manager or "npm"):
                    node_install = project.install
                    self.diags.extend(project.notes)
            if typed.get("CC_NODE_DEV_DEPENDENCIES") or app.dev_dependencies is not None:
                ext["dev_dependencies"] = (app.dev_dependencies if app.dev_dependencies is not None
                                           else typed.get("CC_NODE_DEV_DEPENDENCIES") == "install")
            return Build(context=context, runtime="node", runtime_version=version,
                         package_manager=manager, install_command=install,
                         build_command=build_cmd, start_command=start, workspace=workspace,
                         node_install=node_install, origin=app.origin), None, HTTP_PORT
        if kind in ("static-apache", "static"):
            webroot = typed.get("CC_WEBROOT")
            if kind == "static" and typed.get("CC_BUILD_COMMAND"):
                build_cmd = typed["CC_BUILD_COMMAND"]
            output = webroot.strip("/") or None if webroot else None
            spa = False
            spa_origin: Location | None = None
            copied = _HTACCESS_COPY.search(build_cmd or "")
            if copied and build_cmd is not None:
                # hopper's own SPA fallback: a .htaccess copied into the webroot by the hook.
                build_cmd = build_cmd[:copied.start()] or None
                spa = True
                if self.setup.project_dir is not None:
                    file = self.setup.project_dir / (folder or "") / copied.group(1)
                    if file.is_file() and self.files.inside(file):
                        spa = htaccess_spa(self.files.read_text(file))
                        spa_origin = Location(file=self.files.rel(file))
            elif kind == "static":
                spa = bool(typed.get("SERVER_FALLBACK_PAGE"))
            if not copied and kind == "static-apache" and self.setup.project_dir is not None:
                found, ignored = webroot_htaccess(self.files, self.setup.project_dir, webroot,
                                                  folder)
                if found is not None:
                    spa, spa_origin = found
                elif ignored and build_cmd:
                    # The webroot is built: the build may copy the file there (hopper cannot
                    # see into build scripts). Read it, and say what that assumes.
                    outside = ignored[0]
                    spa = htaccess_spa(self.files.read_text(self.setup.project_dir / outside))
                    spa_origin = Location(file=outside)
                    self.diags.info(I_HTACCESS_ASSUMED, f"app '{app.key}': {outside} is outside "
                                       f"the webroot ({webroot}); Apache applies it only if the "
                                       f"build ({build_cmd}) copies it there, which hopper assumes",
                                       spa_origin, hint="check that the built webroot holds .htaccess")
                    ignored = ignored[1:]
                for rel in ignored:
                    self.diags.warning(W_HTACCESS_IGNORED, f"app '{app.key}': {rel} is outside "
                                       f"the webroot ({webroot or '/'}), where Apache does not "
                                       "read it; its rules (an SPA fallback?) do not apply on "
                                       "Clever", Location(file=rel),
                                       hint="move it into the webroot, or have the build copy it there")
            # CC_WEBROOT names a folder of the repository (Build.output_dir); where another
            # platform serves the files from is that platform's business, so the site keeps the
            # model's default root.
            site = StaticSite(spa_fallback=spa, origin=spa_origin or app.origin)
            # A hook that builds with Node (CC_NODE_VERSION chooses its version on any runtime;
            # pnpm and Yarn need corepack switched on first) is a Node build of the site.
            manager = None
            if build_cmd is not None and build_cmd.startswith(_COREPACK):
                build_cmd = build_cmd[len(_COREPACK):] or None
                first = (build_cmd or "").split(" ", 1)[0]
                manager = first if first in ("pnpm", "yarn") else None
            node_version = typed.get("CC_NODE_VERSION")
            runtime = "node" if node_version or manager else "static"
            static_install: NodeInstall | None = None
            project = self._node_project(folder) if runtime == "node" and build_cmd else None
            if project is not None and manager in (None, project.package_manager or "npm"):
                # The hook builds with the checkout's package manager: what installing needs.
                manager, static_install = project.package_manager or "npm", project.install
                self.diags.extend(project.notes)
            return Build(context=context, runtime=runtime, runtime_version=node_version,
                         package_manager=manager, build_command=build_cmd, node_install=static_install,
                         output_dir=output, origin=app.origin), site, None
        if kind == "docker":
            port = app.container_port
            if port is None and typed.get("CC_DOCKER_EXPOSED_HTTP_PORT", "").isdigit():
                port = int(typed["CC_DOCKER_EXPOSED_HTTP_PORT"])
            dockerfile = app.dockerfile or typed.get("CC_DOCKERFILE") or "Dockerfile"
            if folder:
                dockerfile = f"{folder}/{dockerfile}"
            return Build(context=context, dockerfile=dockerfile, origin=app.origin), None, port or HTTP_PORT
        if kind == "unknown":
            return None, None, None
        return Build(context=context, runtime=kind, build_command=build_cmd, start_command=start,
                     origin=app.origin), None, HTTP_PORT

    def _image_as_is(self, dockerfile: str | None
                     ) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
        """(image, entrypoint, command) when the app's Dockerfile only runs an image as it is:
        one ``FROM`` and at most an exec-form ``ENTRYPOINT`` and ``CMD`` (what hopper writes for
        an image-only service). Anything else is a real build and stays one."""
        if self.setup.project_dir is None or not dockerfile:
            return None
        path = self.setup.project_dir / dockerfile
        if not path.is_file() or not self.files.inside(path):
            return None
        import dockerfile as parser  # noqa: PLC0415 - heavy: only when a Dockerfile is there

        try:
            instructions = parser.parse_string(self.files.read_text(path))
        except parser.GoParseError:
            return None  # not read as an image: the app stays a Docker build
        image: str | None = None
        found: dict[str, tuple[str, ...]] = {}
        for ins in instructions:
            name = (ins.cmd or "").upper()
            if name == "FROM" and image is None and len(ins.value) == 1 and not ins.flags:
                image = str(ins.value[0])
            elif name in ("CMD", "ENTRYPOINT") and ins.json and name not in found:
                found[name] = tuple(str(v) for v in ins.value)
            else:
                return None
        if image is None or "$" in image:
            return None
        return image, found.get("ENTRYPOINT", ()), found.get("CMD", ())

    def _node_project(self, folder: str | None) -> Any:
        if self.setup.project_dir is None:
            return None
        from hopper.shared.nodeproject import read_node_project  # noqa: PLC0415

        target = self.setup.project_dir / (folder or "")
        if not (target / "package.json").is_file():
            return None
        return read_node_project(target, self.setup.project_dir, self.files.limits)
