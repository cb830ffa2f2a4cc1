"""How the compose writer builds a service: ``build:`` with its context, Dockerfile, args and
build secrets, an inline Dockerfile for a Node service that has none, or the host folder a
static front serves.

Separate from :mod:`.writer` (one compose service per model service) and :mod:`.write_runtime`
(what the running container gets) because it is what happens before the container exists.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from hopper.formats.compose.write_context import (
    I_BUILD_SECRET,
    I_STATIC,
    W_BUILD,
    WriteContext,
    env_key,
    literal,
)
from hopper.model import Build, Service
from hopper.shared.nodebuild import NodeStage, node_stage, workspace_of

# The image the compose writer runs nginx fronts with (writer.NGINX_IMAGE).
NGINX_IMAGE = "nginx:1.27-alpine"

_NODE_INSTALL = {
    "npm": "npm ci",
    "pnpm": "corepack enable && pnpm install --frozen-lockfile",
    "yarn": "corepack enable && yarn install --frozen-lockfile",
}


def has_dockerfile(build: Build) -> bool:
    return build.dockerfile is not None or build.dockerfile_inline is not None


def builds_front(svc: Service, build: Build) -> bool:
    """Whether a front without a Dockerfile is built in an image: its files come from a Node.js
    build hopper can write a stage for (a front read from a platform that builds it from its
    source)."""
    return (svc.static_site is not None and not has_dockerfile(build) and build.runtime == "node"
            and build.build_command is not None and _front_stage(build) is not None)


def build_spec(ctx: WriteContext, svc: Service, build: Build) -> dict[str, Any]:
    context = build.context or "."
    stage = None
    if builds_front(svc, build):
        stage = _front_stage(build)
    elif not has_dockerfile(build) and _node_dockerfile(build) is not None:
        stage = _workspace_stage(build)
    if stage is not None:
        # A monorepo package installs at the workspace root, which is then the build context.
        context = stage.context
    out: dict[str, Any] = {"context": literal(context)}
    if build.dockerfile is not None:
        # The model keeps the Dockerfile relative to the project root; compose wants it
        # relative to the context.
        out["dockerfile"] = literal(posixpath.relpath(build.dockerfile, context))
    elif build.dockerfile_inline is not None:
        out["dockerfile_inline"] = literal(build.dockerfile_inline)
    elif builds_front(svc, build):
        assert stage is not None
        out["dockerfile_inline"] = literal(_front_dockerfile(svc, build, stage))
        ctx.diagnostics.info(I_STATIC, f"service '{svc.name}' is built from ./{context} by an inline "
                             "Dockerfile (its Node.js build, then nginx serving the files)", build.origin)
    else:
        inline = _node_dockerfile(build)
        if inline is not None:
            out["dockerfile_inline"] = literal(inline)
            ctx.diagnostics.warning(W_BUILD, f"service '{svc.name}' has no Dockerfile; hopper wrote "
                                    "an inline one from its Node.js build settings", build.origin)
        else:
            ctx.diagnostics.warning(W_BUILD, f"service '{svc.name}' has no Dockerfile; compose "
                                    f"will look for {posixpath.join(context, 'Dockerfile')}",
                                    build.origin)
    if build.target is not None:
        out["target"] = literal(build.target)
    if build.args:
        out["args"] = {env_key(k, build.origin): literal(v) for k, v in sorted(build.args.items())}
    names = set(build.secrets) | {
        s.name for s in ctx.arch.secrets if s.build_time and svc.name in s.used_by}
    if names:
        sources = {s.name: s for s in ctx.arch.secrets}
        for name in sorted(names):
            ctx.var(name, f"{svc.name} (build)", build.origin)
            ctx.secrets[name] = {"environment": name}
            secret = sources.get(name)
            if secret is not None and secret.source not in ("compose_secret", "env"):
                # A Fly --build-secret (source "build") or a platform's: compose reads it as
                # its own secret, from the variable of the same name.
                ctx.diagnostics.info(I_BUILD_SECRET, f"secret '{name}': the {secret.source} secret of "
                                     f"service '{svc.name}' is passed to its build as a Compose secret "
                                     f"read from the environment variable {name}", secret.origin)
        out["secrets"] = sorted(names)
    return out


def _node_dockerfile(build: Build) -> str | None:
    version = build.runtime_version or "22"
    if build.runtime != "node" or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", version):
        return None
    commands = [build.install_command, build.build_command, build.start_command]
    if any(c is not None and ("\n" in c or "\r" in c or not c.strip()) for c in commands):
        return None
    from hopper.templating import render  # noqa: PLC0415

    workspace = _workspace_stage(build)
    if workspace is not None:
        return "\n".join([f"FROM node:{version}-slim", *workspace.lines(),
                          f"CMD {json.dumps(['sh', '-c', build.start_command or _start(workspace.manager)])}"]) + "\n"
    manager = build.package_manager or "npm"
    install = build.install_command or _NODE_INSTALL.get(manager, f"{manager} install")
    if build.install_command is None and build.node_install is not None:
        # What the checkout says (lockfile, version): the same commands as the Fly writer's.
        from hopper.shared.packagemanager import install_command, setup  # noqa: PLC0415

        major = version.split(".")[0]
        steps = setup(manager, build.node_install, int(major) if major.isdigit() else None).steps
        install = " && ".join([*steps, install_command(manager, build.node_install)])
    return render(
        "compose/node.Dockerfile.j2",
        version=version,
        install=install,
        build=build.build_command,
        start=build.start_command or f"{manager} start",
    )


def _start(manager: str) -> str:
    return "npm start" if manager == "npm" else f"{manager} start"


def _major(build: Build) -> int | None:
    major = (build.runtime_version or "22").split(".")[0]
    return int(major) if major.isdigit() else None


def _workspace_stage(build: Build) -> NodeStage | None:
    """The install stage of a monorepo package (shared with the other writers), or None."""
    if build.runtime != "node" or workspace_of(build) is None:
        return None
    return node_stage(build, _major(build))


def _front_stage(build: Build) -> NodeStage | None:
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", build.runtime_version or "22"):
        return None
    return node_stage(build, _major(build))


def _front_dockerfile(svc: Service, build: Build, stage: NodeStage) -> str:
    """The front's files built with Node.js, served by nginx (the writer mounts its nginx.conf)."""
    site = svc.static_site
    root = site.root if site is not None else "/usr/share/nginx/html"
    # The output folder is the package's (or the project's); a reader may give it from the root.
    project = posixpath.normpath(posixpath.join(stage.context, stage.package_dir or "."))
    out = posixpath.normpath(build.output_dir or "dist")
    if project != "." and out.startswith(project + "/"):
        out = out[len(project) + 1:]
    dist = posixpath.normpath(posixpath.join("/app", stage.package_dir or ".", out))
    lines = [f"FROM node:{build.runtime_version or '22'}-slim AS build", *stage.lines(), "",
             f"FROM {NGINX_IMAGE}", f"COPY --from=build {json.dumps([dist + '/', root.rstrip('/') + '/'])}"]
    return "\n".join(lines) + "\n"


def static_bind(ctx: WriteContext, svc: Service, build: Build) -> dict[str, Any] | None:
    """A front built without a Dockerfile (Clever static apps): serve the host's build output."""
    site = svc.static_site
    if site is None:
        return None
    source = posixpath.normpath(posixpath.join(build.context or ".", build.output_dir or "."))
    how = (f"run `{build.build_command}` in ./{build.context or '.'} first" if build.build_command
           else "build the files first")
    ctx.diagnostics.info(I_STATIC, f"service '{svc.name}' serves ./{source} from the host; {how}",
                         build.origin or svc.origin)
    return {"type": "bind", "source": literal(f"./{source}"), "target": literal(site.root),
            "read_only": True}
