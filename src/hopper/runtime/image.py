"""A Machine's filesystem and command from the app's Dockerfile, without building an image.

The Dockerfile is read with hopper's parser (:mod:`hopper.shared.dockerfile`). Each stage's ``COPY``
instructions become a map from paths inside the image to paths in the build context (the
working copy of the repository the runtime prepared), so ``COPY --from=build /app/dist/
/usr/share/nginx/html/`` names the folder the front's build writes. The final stage gives the
working directory, ``ENV``, ``USER``, ``ENTRYPOINT`` and ``CMD``.

When the Machine runs, image paths that also exist on the host (``/etc/nginx/nginx.conf``, the
static root) are bind-mounted in the Machine's private mount namespace; other image paths in
the command line and the working directory are replaced by the context paths they map to.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hopper.diagnostics import InputError
from hopper.runtime.netns import RuntimeProblem
from hopper.shared.dockerfile import Dockerfile, Stage, read_dockerfile


@dataclass(slots=True)
class StageMap:
    """Image path -> context path for one stage (later COPYs win over earlier ones)."""

    entries: list[tuple[str, Path]] = field(default_factory=list)
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()

    def resolve(self, image_path: str) -> Path | None:
        path = PurePosixPath(image_path)
        for target, host in reversed(self.entries):
            t = PurePosixPath(target)
            if path == t:
                return host
            if path.is_relative_to(t) and (host.is_dir() or not host.exists()):
                return host / path.relative_to(t)
        return None


@dataclass(slots=True)
class ImageLayout:
    dockerfile: Dockerfile
    final: StageMap
    stages: dict[str, StageMap]
    from_stage: dict[str, str]  # final-stage image path -> the stage it was copied from
    notes: list[str] = field(default_factory=list)


def _command(spec: object) -> tuple[str, ...]:
    from hopper.shared.dockerfile import CommandSpec

    if not isinstance(spec, CommandSpec):
        return ()
    return ("/bin/sh", "-c", spec.args[0]) if spec.shell else tuple(spec.args)


def _absolute(workdir: str, path: str) -> str:
    joined = PurePosixPath(workdir) / path if not path.startswith("/") else PurePosixPath(path)
    parts: list[str] = []
    for part in joined.parts[1:]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/" + "/".join(parts)


def read_layout(dockerfile_path: Path, context: Path, root: Path,
                build_args: Mapping[str, str]) -> ImageLayout:
    """Map every stage of the Dockerfile at ``dockerfile_path`` built with ``context``."""
    try:
        parsed = read_dockerfile(dockerfile_path, root, build_args=build_args)
    except InputError as exc:
        raise RuntimeProblem(f"{dockerfile_path.relative_to(root)}: {exc.diagnostic.message}") from None
    return _layout(parsed, context)


# Prebuilt images the runtime can stand in for with a program of this machine: the image's
# name -> the command that runs it the way the image's default command does (no persistence,
# listening on every address of both stacks, no protected mode: the official image's defaults).
KNOWN_IMAGES = {
    "redis": ("redis-server", "--bind", "* -::*", "--protected-mode", "no", "--save", "",
              "--appendonly", "no"),
}


def known_image(image: str) -> tuple[str, ...] | None:
    name = image.split("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return KNOWN_IMAGES.get(name.rsplit("/", 1)[-1])


def layout_for_image(image: str, port: int | None, context: Path) -> ImageLayout:
    """The layout of a prebuilt image this machine can stand in for (see KNOWN_IMAGES)."""
    import json  # noqa: PLC0415

    from hopper.shared.dockerfile import parse_dockerfile  # noqa: PLC0415

    command = known_image(image)
    if command is None:
        raise RuntimeProblem(f"the prebuilt image {image} cannot be run without Docker "
                             f"(the runtime stands in only for {', '.join(sorted(KNOWN_IMAGES))})")
    argv = [*command, *(["--port", str(port)] if port and command[0] == "redis-server" else [])]
    return _layout(parse_dockerfile(f"FROM {image}\nCMD {json.dumps(argv)}\n", file=image), context)


def _layout(parsed: Dockerfile, context: Path) -> ImageLayout:
    maps: dict[str, StageMap] = {}
    notes: list[str] = []
    from_stage: dict[str, str] = {}
    current = StageMap()
    for stage in parsed.stages:
        current = _stage_map(stage, maps, context, notes, from_stage if stage is parsed.final else None)
        maps[str(stage.index)] = current
        if stage.alias:
            maps[stage.alias] = current
    return ImageLayout(dockerfile=parsed, final=current, stages=maps, from_stage=from_stage, notes=notes)


def _stage_map(stage: Stage, maps: dict[str, StageMap], context: Path, notes: list[str],
               from_stage: dict[str, str] | None) -> StageMap:
    base = maps.get(stage.image)
    out = StageMap()
    if base is not None:  # FROM an earlier stage: inherit its files and settings
        out.entries = list(base.entries)
        out.workdir, out.env, out.user = base.workdir, dict(base.env), base.user
        out.entrypoint, out.cmd = base.entrypoint, base.cmd
    if stage.workdir:
        out.workdir = _absolute(out.workdir, stage.workdir)
    out.env.update(stage.env)
    if stage.user:
        out.user = stage.user
    if stage.entrypoint is not None:
        out.entrypoint = _command(stage.entrypoint)
        out.cmd = ()  # Docker resets CMD when ENTRYPOINT is set in a stage
    if stage.cmd is not None:
        out.cmd = _command(stage.cmd)
    for copy in stage.copies:
        dest = _absolute(out.workdir, copy.destination)
        to_dir = copy.destination.endswith("/") or len(copy.sources) > 1 or copy.destination in (".", "./")
        for source in copy.sources:
            host = _copy_source(copy.from_stage, source, maps, context, notes)
            if host is None:
                continue
            target = dest
            if to_dir and not source.endswith("/") and not (host.is_dir() and source in (".", "./")):
                target = _absolute(dest, PurePosixPath(source).name) if not host.is_dir() else dest
            out.entries.append((target, host))
            if from_stage is not None and copy.from_stage:
                from_stage[target] = copy.from_stage
    if any("turbo" in run and "prune" in run and "--docker" in run for run in stage.runs):
        # `turbo prune <pkg> --docker` writes out/json/, out/full/ and the pruned lockfile: a
        # subset of the workspace. Here they are the workspace itself.
        here = out.resolve(out.workdir)
        if here is not None:
            for sub in ("out/full", "out/json"):
                out.entries.append((_absolute(out.workdir, sub), here))
            for lock in ("pnpm-lock.yaml", "package-lock.json", "yarn.lock"):
                out.entries.append((_absolute(out.workdir, f"out/{lock}"), here / lock))
    return out


def _copy_source(from_stage: str | None, source: str, maps: dict[str, StageMap], context: Path,
                 notes: list[str]) -> Path | None:
    if from_stage is None:
        path = (context / source).resolve()
        if not path.is_relative_to(context.resolve()):
            notes.append(f"COPY {source} leaves the build context")
            return None
        return path
    stage = maps.get(from_stage)
    if stage is None:
        notes.append(f"COPY --from={from_stage} {source}: files from another image are not emulated")
        return None
    return stage.resolve(_absolute(stage.workdir, source))


@dataclass(frozen=True, slots=True)
class Launch:
    argv: tuple[str, ...]
    cwd: str
    binds: tuple[tuple[str, str], ...]
    env: dict[str, str]
    user: str | None


def machine_launch(layout: ImageLayout, process: str | None, files: Mapping[str, Path],
                   rootfs: Path) -> Launch:
    """The command, directory and mounts of a Machine of this image.

    ``process`` is the ``[processes]`` command (shell-split; it replaces CMD and keeps
    ENTRYPOINT), ``files`` the ``[[files]]`` entries (guest path -> local file). Image paths the
    host also has are bind-mounted; the others are laid out under ``rootfs`` as symlinks into
    the build context, and the command line and working directory point there."""
    final = layout.final
    command = tuple(shlex.split(process)) if process else final.cmd
    argv = final.entrypoint + command
    if not argv:
        raise RuntimeProblem(f"{layout.dockerfile.file}: the image has no ENTRYPOINT or CMD "
                             "and no process command")
    entries = list(final.entries) + [(guest, host) for guest, host in files.items()]
    binds: list[tuple[str, str]] = []
    for target, host in entries:
        on_host = Path(target)
        if target != "/" and on_host.exists() and host.exists() and on_host.is_dir() == host.is_dir():
            binds.append((str(host), target))
        elif host.exists():
            _place(rootfs / target.lstrip("/"), host)
    cwd = rootfs / final.workdir.lstrip("/")
    cwd.mkdir(parents=True, exist_ok=True)
    bound = {target for _, target in binds}
    mapped = tuple(str(rootfs / w.lstrip("/")) if w.startswith("/") and w not in bound
                   and (rootfs / w.lstrip("/")).exists() else w for w in argv)
    return Launch(argv=mapped, cwd=str(cwd), binds=tuple(binds), env=dict(final.env), user=final.user)


def _place(path: Path, host: Path) -> None:
    """Put ``host`` at ``path`` in the Machine's tree (a symlink; folders merge)."""
    if path.exists() and path.resolve() == host.resolve():
        return  # already there through a linked folder
    if path.is_symlink() and path.resolve().is_dir() and host.is_dir():
        for child in host.iterdir():  # merge into the folder the link points at (a work copy)
            _place(path.resolve() / child.name, child)
        return
    if path.exists() and path.is_dir() and not path.is_symlink() and host.is_dir():
        for child in host.iterdir():
            _place(path / child.name, child)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        if path.is_dir() and not path.is_symlink():
            return
        path.unlink()
    path.symlink_to(host)
