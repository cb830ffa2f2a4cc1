"""Load a Compose project: files on disk -> one merged, interpolated, normalised document.

The pipeline follows compose-go's (``docker compose config``):

1. find the files (``-f`` or ``compose.yaml``... plus the matching override file);
2. build the interpolation environment (process environment over ``--env-file``/``.env``);
3. for each file: parse YAML (:mod:`hopper._yaml`), interpolate values, put every service in
   canonical shape (:mod:`.normalize`; paths rebased to the project root), apply ``include``
   and ``extends``;
4. merge the files in order (:mod:`.merge`), apply profiles, check ``depends_on``;
5. finish (:mod:`.finish`): fold ``env_file`` values under ``environment``, parse durations, sizes and CPUs.

Everything read must resolve, after symlinks, inside the project root. ``reader.py`` turns the
resulting :class:`ComposeProject` into the model; ``docs/compose-input.md`` is the user's guide.
What the steps share (codes, confined file access, the load context) is in :mod:`.load_state`.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from hopper._yaml import LocationIndex, Tagged, load_yaml_documents
from hopper.diagnostics import E_FILE_NOT_FOUND, Diagnostics, Location, ReadBudget, fail
from hopper.formats.base import ReadOptions
from hopper.formats.compose import command_refs, envfile
from hopper.formats.compose.finish import finish_project
from hopper.formats.compose.interpolation import EnvRefs, interpolate_tree, references
from hopper.formats.compose.load_state import (
    E_BAD_VALUE,
    E_EXTENDS,
    E_INCLUDE_CONFLICT,
    E_TOP_LEVEL,
    W_MULTIPLE_FILES,
    W_OBSOLETE_VERSION,
    ComposeProject,
    Doc,
    Files,
    Key,
    LoadContext,
    RefText,
    Widen,
    kind_of,
    read_env,
    warn_unknown_key,
)
from hopper.formats.compose.merge import TAGS, merge_documents, merge_service
from hopper.formats.compose.normalize import canonical_resources, canonical_services

__all__ = ["ComposeProject", "load_project", "repository_root"]  # ComposeProject: load_project's result

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yml", "docker-compose.override.yaml")

TOP_LEVEL_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes",
                            "secrets", "configs", "models"})


# --------------------------------------------------------------------------- the loader


def load_project(path: Path, options: ReadOptions) -> ComposeProject:
    """Read ``path`` (a project folder or a compose file) into a :class:`ComposeProject`."""
    gc_was_enabled = gc.isenabled()
    # Loading allocates many small containers and no cycles; the cyclic GC would rescan them
    # again and again and make big projects superlinear.
    gc.disable()
    try:
        return _load_project(Path(path), options)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load_project(given: Path, options: ReadOptions) -> ComposeProject:
    """The project root starts as the folder given (or the compose file's folder). When a
    reference (``../.env``, a ``../api`` build context) leaves it but stays inside the
    repository -- the nearest folder above holding ``.git``, else the folder given -- the project
    is read again from the folder holding both, so that every path stays relative and confined."""
    if not given.exists():
        raise fail(E_FILE_NOT_FOUND, f"'{given}' does not exist")
    root = (given if given.is_dir() else given.parent).resolve()
    boundary = repository_root(root)
    for _ in range(64):  # each pass widens the root by at least one folder
        try:
            return _load_once(given, root, boundary, options)
        except Widen as wider:
            root = Path(os.path.commonpath([root, wider.path]))
    raise AssertionError("the project root kept widening")  # pragma: no cover - bounded by depth


def repository_root(folder: Path) -> Path:
    """The nearest folder at or above ``folder`` holding ``.git`` (a folder, or a file in a git
    worktree); ``folder`` itself when there is none."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def _load_once(given: Path, root: Path, boundary: Path, options: ReadOptions) -> ComposeProject:
    ctx = LoadContext(files=Files(root=root, budget=ReadBudget(limits=options.limits), boundary=boundary),
                   options=options, diagnostics=Diagnostics())
    folder = (given if given.is_dir() else given.parent).resolve()
    compose_files = _discover(given, folder, options, ctx)
    project_dir = compose_files[0].parent
    lookup_env = _interpolation_env(project_dir, _cli_paths(options.env_files, folder), ctx, None)
    merged: dict[str, Any] = {}
    locations: dict[Key, Location] = {}
    for compose_file in compose_files:
        doc = _load_doc(str(compose_file), root, None, lookup_env, ctx, include_stack=())
        merged = merge_documents(merged, doc.data) if merged else doc.data
        locations.update(doc.locations)
    return finish_project(merged, locations, root, lookup_env, ctx, project_dir)


# Where repositories keep their compose file when it is not at the top (searched in this order
# when the folder given holds none).
COMPOSE_SUBFOLDERS = ("docker", "deploy", ".docker", "compose")


def _discover(given: Path, folder: Path, options: ReadOptions, ctx: LoadContext) -> list[Path]:
    if options.files:
        return [ctx.files.confine(ref, folder, None, "compose file")
                for ref in _cli_paths(options.files, folder)]
    if given.is_file():
        return [ctx.files.confine(str(given.absolute()), folder, None, "compose file")]
    where = folder
    present = [name for name in DEFAULT_FILES if (folder / name).is_file()]
    if not present:
        for sub in COMPOSE_SUBFOLDERS:
            present = [name for name in DEFAULT_FILES if (folder / sub / name).is_file()]
            if present:
                where = folder / sub
                break
    if not present:
        raise fail(E_FILE_NOT_FOUND, f"no compose file in {given} (looked for "
                   + ", ".join(DEFAULT_FILES) + " there and in " + ", ".join(
                       f"{sub}/" for sub in COMPOSE_SUBFOLDERS) + ")", Location(file="."))
    if len(present) > 1:
        ctx.diagnostics.warning(W_MULTIPLE_FILES, "found " + ", ".join(present)
                                + f"; reading {present[0]}",
                                Location(file=ctx.files.rel((where / present[0]).resolve())))
    chosen = [where / present[0]]
    for name in OVERRIDE_FILES:
        if (where / name).is_file():
            chosen.append(where / name)
            break
    return [ctx.files.confine(str(p), folder, None, "compose file") for p in chosen]


def _interpolation_env(project_dir: Path, refs: list[str], ctx: LoadContext,
                       referrer: Location | None) -> dict[str, str]:
    """Process environment over the given env files (later wins), else over ``.env``.

    ``refs`` are absolute or relative to ``project_dir``."""
    if not refs and (project_dir / ".env").is_file():
        refs = [".env"]
    layers: list[envfile.EnvFile] = []
    accumulated: dict[str, str] = {}
    for ref in refs:
        parsed = read_env(ref, project_dir, referrer, "env file", ctx, accumulated)
        layers.append(parsed)
        accumulated.update({k: v for k, v in parsed.values.items() if v is not None})
    merged, _ = envfile.layered(ctx.options.environ, layers)
    return merged


def _cli_paths(refs: tuple[str, ...], root: Path) -> list[str]:
    """Paths given on the command line: relative to the current folder when they exist there,
    else to the project root."""
    out = []
    for ref in refs:
        path = Path(ref)
        if not path.is_absolute():
            path = path.absolute() if path.exists() else root / path
        out.append(str(path))
    return out


def _load_doc(ref: str, base: Path, referrer: Location | None, env: dict[str, str],
              ctx: LoadContext, include_stack: tuple[str, ...]) -> Doc:
    files = ctx.files
    text, rel = files.read(ref, base, referrer, "compose file")
    if rel in include_stack:
        raise fail(E_INCLUDE_CONFLICT, f"include cycle: {' -> '.join((*include_stack, rel))}",
                   referrer)
    if rel not in files.read_order:
        files.read_order.append(rel)
    documents = load_yaml_documents(text, rel, ctx.options.limits, tags=TAGS)
    ctx.tagged = ctx.tagged or "!reset" in text or "!override" in text
    if len(documents) > 1:
        documents = [(data, index) for data, index in documents if data is not None] or documents[:1]
    # Several `---` documents in one file are merged in order, as Compose does (like -f files).
    doc = _one_document(rel, *documents[0], env, ctx, include_stack)
    for data, index in documents[1:]:
        later = _one_document(rel, data, index, env, ctx, include_stack)
        doc.data = merge_documents(doc.data, later.data)
        doc.locations = {**doc.locations, **later.locations}
    return doc


def _one_document(rel: str, data: Any, index: LocationIndex, env: dict[str, str], ctx: LoadContext,
                  include_stack: tuple[str, ...]) -> Doc:
    files = ctx.files
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise fail(E_TOP_LEVEL, f"wrong top-level type: expected a mapping, got {kind_of(data)}",
                   index.nearest(()))
    raw_env = _raw_env_refs(data.get("services"), env.get if ctx.options.interpolate else None)
    if ctx.options.interpolate:
        command_refs.protect(data.get("services"))  # `--requirepass ${X}` keeps the name X
        data = interpolate_tree(data, index, env.get, ctx.diagnostics, warned=ctx.warned,
                                on_partial=lambda path, raw, names: ctx.partial.__setitem__((rel, path), (raw, names)))
    folder = (files.root / rel).parent
    doc = Doc(rel=rel, folder=folder, data={}, index=index, locations={})
    _check_top_level(data, doc, ctx)
    doc.locations = _flat_locations(data, index)
    canonical: dict[str, Any] = {}
    for key, value in data.items():
        if key == "services":
            canonical[key] = canonical_services(value, doc, ctx)
        elif key in ("volumes", "networks", "secrets", "configs", "models"):
            canonical[key] = canonical_resources(key, value, doc, ctx)
        elif key in ("include", "version"):
            continue
        else:
            canonical[key] = value
    doc.data = canonical
    if raw_env:
        _attach_env_refs(canonical.get("services"), raw_env)
    _apply_extends(doc, env, ctx)
    if "include" in data:
        _apply_includes(data["include"], doc, env, ctx, (*include_stack, rel))
    return doc


def _raw_env_refs(services: Any, lookup: Any) -> dict[str, dict[str, EnvRefs]]:
    """The references of every raw ``services.*.environment`` value, before interpolation:
    ``{service: {env name: refs}}``. Keys are never interpolated in the mapping form; in the
    list form an item whose name part holds a ``$`` is skipped (its name is only known after
    interpolation: a reference belongs in a value), and a later item of the same name wins."""
    out: dict[str, dict[str, EnvRefs]] = {}
    if not isinstance(services, dict):
        return out
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        env = service.get("environment")
        if isinstance(env, Tagged):
            env = env.value
        found: dict[str, EnvRefs] = {}
        if isinstance(env, dict):
            for key, value in env.items():
                if isinstance(value, str) and "$" in value:
                    refs = references(value, lookup)
                    if refs is not None:
                        found[key] = refs
        elif isinstance(env, list):
            for item in env:
                key, sep, value = str(item).partition("=")
                refs = references(value, lookup) if sep and "$" not in key else None
                if refs is not None:
                    found[key] = refs
                else:
                    found.pop(key, None)
        if found:
            out[name] = found
    return out


def _attach_env_refs(services: Any, raw_env: dict[str, dict[str, EnvRefs]]) -> None:
    """Wrap the canonical env values whose raw text had references (see :class:`RefText`)."""
    if not isinstance(services, dict):
        return
    for name, found in raw_env.items():
        service = services.get(name)
        if not isinstance(service, dict):
            continue
        env = service.get("environment")
        if isinstance(env, Tagged):
            env = env.value
        if not isinstance(env, dict):
            continue
        for key, refs in found.items():
            value = env.get(key)
            if isinstance(value, str):
                env[key] = RefText(value, refs)


def _check_top_level(data: dict[str, Any], doc: Doc, ctx: LoadContext) -> None:
    for key in data:
        if key.startswith("x-") or key in TOP_LEVEL_KEYS:
            continue
        warn_unknown_key(key, TOP_LEVEL_KEYS, doc.index.nearest((key,)), ctx, "top-level key")
    if "version" in data:
        ctx.diagnostics.warning(W_OBSOLETE_VERSION, "the top-level 'version' is obsolete and ignored",
                                doc.index.nearest(("version",)))


def _flat_locations(data: dict[str, Any], index: LocationIndex) -> dict[Key, Location]:
    """Locations of the keys A2 asks about (up to ``services.NAME.KEY.ITEM``; under ``deploy``
    and ``build`` down to ``deploy.resources.limits.memory`` and ``build.args.NAME``, which
    the plan's findings point at), list forms of environment/labels/depends_on/networks
    remapped from positions to names."""
    out: dict[Key, Location] = {}
    for path in index.paths():
        if len(path) > 4 and not (len(path) <= 7 and path[0] == "services"
                                  and path[2] in ("deploy", "build")):
            continue
        loc = index.get(path)
        if loc is None:
            continue
        if len(path) == 4 and path[0] == "services" and isinstance(path[3], int) \
                and path[2] in _KEYED_LISTS:
            item = _dig(data, path)
            if isinstance(item, str):
                name = item.split("=", 1)[0] if path[2] not in ("depends_on", "networks") else item
                out[(*path[:3], name)] = loc
                continue
        out[path] = loc
    return out


_KEYED_LISTS = frozenset({"environment", "labels", "annotations", "sysctls", "depends_on",
                          "networks", "extra_hosts"})


def _dig(data: Any, path: Key) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


# --------------------------------------------------------------------------- extends, include


def _apply_extends(doc: Doc, env: dict[str, str], ctx: LoadContext) -> None:
    services = doc.data.get("services") or {}
    resolved: dict[str, dict[str, Any]] = {}
    for name in services:
        if isinstance(services[name], dict):
            services[name] = _extend(doc, name, services, env, ctx, resolved, ())


def _extend(doc: Doc, name: str, services: dict[str, Any], env: dict[str, str], ctx: LoadContext,
            resolved: dict[str, dict[str, Any]], chain: tuple[str, ...]) -> dict[str, Any]:
    key = f"{doc.rel}#{name}"
    if key in resolved:
        return resolved[key]
    if key in chain:
        raise fail(E_EXTENDS, "extends cycle: " + " -> ".join((*chain, key)),
                   doc.index.nearest(("services", name, "extends")))
    service: dict[str, Any] = services[name]
    spec = service.get("extends")
    if not spec:
        resolved[key] = service
        return service
    where = doc.index.nearest(("services", name, "extends"))
    base_name = spec["service"]
    if "file" in spec:
        other = _load_doc(str(spec["file"]), doc.folder, where, env, ctx, include_stack=())
        base_services = other.data.get("services") or {}
        if base_name not in base_services:
            raise fail(E_EXTENDS, f"extends: service '{base_name}' not found in {other.rel}", where)
        base = _extend(other, base_name, base_services, env, ctx, resolved, (*chain, key))
        _inherit_locations(doc, other.locations, base_name, name)
    else:
        if base_name not in services:
            raise fail(E_EXTENDS, f"extends: service '{base_name}' not found in {doc.rel}", where)
        base = _extend(doc, base_name, services, env, ctx, resolved, (*chain, key))
        _inherit_locations(doc, doc.locations, base_name, name)
    own = {k: v for k, v in service.items() if k != "extends"}
    base = {k: v for k, v in base.items() if k not in ("extends",)}
    merged = merge_service(base, own)
    resolved[key] = merged
    return merged


def _inherit_locations(doc: Doc, source: dict[Key, Location], base: str, name: str) -> None:
    prefix = ("services", base)
    for path, loc in list(source.items()):
        if path[:2] == prefix and len(path) > 2:
            target = ("services", name, *path[2:])
            doc.locations.setdefault(target, loc)


def _apply_includes(value: Any, doc: Doc, env: dict[str, str], ctx: LoadContext,
                    stack: tuple[str, ...]) -> None:
    entries = value if isinstance(value, list) else [value]
    for i, entry in enumerate(entries):
        where = doc.index.nearest(("include", i))
        if isinstance(entry, str):
            paths, project_dir, env_files = [entry], None, None
        elif isinstance(entry, dict):
            raw = entry.get("path")
            paths = [raw] if isinstance(raw, str) else list(raw or [])
            project_dir = entry.get("project_directory")
            env_files = entry.get("env_file")
        else:
            raise fail(E_BAD_VALUE, "include entries are paths or mappings", where)
        if not paths:
            raise fail(E_BAD_VALUE, "include needs a path", where)
        first = ctx.files.confine(str(paths[0]), doc.folder, where, "include")
        base_dir = ctx.files.confine(str(project_dir), doc.folder, where, "include project_directory") \
            if project_dir else first.parent
        refs = [env_files] if isinstance(env_files, str) else list(env_files or [])
        sub_env = dict(env)
        if refs or (base_dir / ".env").is_file():
            own = _interpolation_env(base_dir, [str(doc.folder / str(r)) for r in refs], ctx, where)
            # The including project's environment wins over the included one's .env.
            sub_env = {**own, **env}
        sub: dict[str, Any] = {}
        for ref in paths:
            included = _load_doc(str(ref), doc.folder, where, sub_env, ctx, stack)
            sub = merge_documents(sub, included.data) if sub else included.data
            for path, loc in included.locations.items():
                doc.locations.setdefault(path, loc)
        for kind in ("services", "volumes", "networks", "secrets", "configs"):
            for name, spec in (sub.get(kind) or {}).items():
                mine = doc.data.setdefault(kind, {})
                if name in mine and kind == "services":
                    raise fail(E_INCLUDE_CONFLICT,
                               f"service '{name}' from included '{paths[0]}' is also defined here",
                               where)
                mine.setdefault(name, spec)
