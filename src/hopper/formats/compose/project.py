"""Load a Compose project: files on disk -> one merged, interpolated, normalised document.

The pipeline follows compose-go's (``docker compose config``):

1. find the files (``-f`` or ``compose.yaml``... plus the matching override file);
2. build the interpolation environment (process environment over ``--env-file``/``.env``);
3. for each file: parse YAML (:mod:`hopper._yaml`), interpolate values, put every service in
   canonical shape (paths rebased to the project root), apply ``include`` and ``extends``;
4. merge the files in order (:mod:`.merge`), apply profiles, check ``depends_on``;
5. finish: fold ``env_file`` values under ``environment``, parse durations, sizes and CPUs.

Everything read must resolve, after symlinks, inside the project root. ``reader.py`` turns the
resulting :class:`ComposeProject` into the model; ``docs/compose-input.md`` is the user's guide.
"""

from __future__ import annotations

import difflib
import gc
import os
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper._yaml import LocationIndex, Tagged, load_yaml_documents
from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_INVALID_NAME,
    E_NOT_A_FILE,
    E_OUTSIDE_ROOT,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    E_TOO_MANY_ITEMS,
    Diagnostic,
    Diagnostics,
    InputError,
    LimitError,
    Location,
    ReadBudget,
    Severity,
    code,
    fail,
)
from hopper.formats.base import ReadOptions
from hopper.formats.compose import command_refs, envfile, lenient
from hopper.formats.compose.interpolation import EnvRefs, interpolate_tree, references
from hopper.formats.compose.merge import TAGS, merge_documents, merge_service, strip_tags

E_TOP_LEVEL = code("HOP120", Severity.ERROR, "a compose file's top level is not a mapping")
E_NO_SERVICES = code("HOP121", Severity.ERROR, "the compose project defines no services")
E_ALL_PROFILES = code("HOP131", Severity.ERROR,
                      "every service is under a profile that is not enabled: nothing to read")
E_BAD_VALUE = code("HOP122", Severity.ERROR, "a compose value has the wrong type or syntax")
W_UNKNOWN_KEY = code("HOP123", Severity.WARNING, "a compose key is unknown and ignored")
E_UNKNOWN_DEPENDENCY = code("HOP124", Severity.ERROR, "depends_on names a service that is not defined or not enabled")
E_EXTENDS = code("HOP125", Severity.ERROR, "extends names a missing service or forms a cycle")
E_INCLUDE_CONFLICT = code("HOP126", Severity.ERROR, "an included project defines a resource that already exists")
W_REMOTE_CONTEXT = code("HOP127", Severity.WARNING, "a remote build context is recorded but never fetched")
W_OBSOLETE_VERSION = code("HOP128", Severity.WARNING, "the top-level 'version' key is obsolete and ignored")
W_MULTIPLE_FILES = code("HOP129", Severity.WARNING, "several default compose files exist; only the first is read")
W_PATH_OUTSIDE_ROOT = code("HOP130", Severity.WARNING, "a build context points outside the project root; it is recorded, never read")

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yml", "docker-compose.override.yaml")

TOP_LEVEL_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes",
                            "secrets", "configs", "models"})
SERVICE_KEYS = frozenset(  # noqa: SIM905 - easier to read and diff as words
    ["annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "umask", "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir"])

Key = tuple[str | int, ...]

_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeProject:
    root: Path  # resolved project folder
    name: str  # top-level `name:`, else the folder name normalised like compose does
    files: tuple[str, ...]  # compose files read, relative to root, in merge order
    services: dict[str, dict[str, Any]]  # merged, interpolated, normalised, sorted by name
    volumes: dict[str, dict[str, Any]]
    networks: dict[str, dict[str, Any]]
    secrets: dict[str, dict[str, Any]]
    configs: dict[str, dict[str, Any]]
    extensions: dict[str, Any]  # top-level x-* keys
    locations: dict[tuple[str | int, ...], Location]
    diagnostics: tuple[Diagnostic, ...]
    # service -> env name -> the variables its raw value references (names, never values), for
    # the env names whose final value was written in `environment` with a `$` reference.
    env_refs: dict[str, dict[str, EnvRefs]] = field(default_factory=dict)


class _RefText(str):
    """An interpolated env value that remembers the references of its raw text.

    It rides through merges, overrides, ``extends`` and ``include`` exactly as the value does
    (those copy values, never rebuild them), and ``_finish_service`` turns it back into a plain
    ``str`` plus an entry of ``ComposeProject.env_refs``."""

    refs: EnvRefs

    def __new__(cls, value: str, refs: EnvRefs) -> _RefText:
        self = super().__new__(cls, value)
        self.refs = refs
        return self


# --------------------------------------------------------------------------- reading files


class _Widen(Exception):  # noqa: N818 - a signal, not an error
    """A reference leaves the project folder but stays inside the repository: load again from
    a root that holds both (see :func:`_load_project`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass
class _Files:
    """Confined, budgeted file access for one load."""

    root: Path
    budget: ReadBudget
    read_order: list[str] = field(default_factory=list)
    cache: dict[Path, tuple[str, str]] = field(default_factory=dict)
    boundary: Path | None = None  # the repository: nothing outside it is read; None = root

    def confine(self, ref: str, base: Path, referrer: Location | None, what: str) -> Path:
        """Resolve ``ref`` (as written, relative to ``base``) and require it inside the root."""
        if "\0" in ref:  # the OS cannot name it; refuse before any path call raises ValueError
            raise fail(E_BAD_VALUE, f"{what} path contains a NUL character", referrer)
        candidate = Path(os.path.expanduser(ref)) if ref.startswith("~") else Path(ref)
        if not candidate.is_absolute():
            candidate = base / candidate
        resolved = candidate.resolve(strict=False)
        if not resolved.is_relative_to(self.root):
            self.widen(resolved)
            raise fail(E_OUTSIDE_ROOT, f"{what} '{ref}' resolves outside the project root",
                       referrer, "hopper reads only files inside the repository (the folder holding "
                       ".git), or the folder given when there is none")
        return resolved

    def widen(self, resolved: Path) -> None:
        """Raise :class:`_Widen` when ``resolved`` is outside the root but inside the repository."""
        if self.boundary is not None and resolved.is_relative_to(self.boundary) \
                and not resolved.is_relative_to(self.root):
            raise _Widen(resolved)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read(self, ref: str, base: Path, referrer: Location | None, what: str) -> tuple[str, str]:
        """Read a referenced text file; returns ``(text, path relative to root)``."""
        from hopper._yaml import decode_bytes  # noqa: PLC0415

        path = self.confine(ref, base, referrer, what)
        cached = self.cache.get(path)
        if cached is not None:
            return cached
        limits = self.budget.limits
        if not path.exists():
            raise fail(E_FILE_NOT_FOUND, f"{what} '{ref}' does not exist", referrer)
        if not path.is_file():
            raise fail(E_NOT_A_FILE, f"{what} '{ref}' is not a regular file", referrer)
        rel = self.rel(path)
        self.budget.files_read += 1
        if self.budget.files_read > limits.max_files:
            raise fail(E_TOO_MANY_FILES, f"more than {limits.max_files} files read",
                       referrer, cls=LimitError)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            raise fail(E_TOO_LARGE, f"{rel} is larger than {limits.max_file_bytes} bytes",
                       Location(file=rel), "raise the limit with --max-input-bytes",
                       cls=LimitError)
        self.budget.bytes_read += len(data)
        if self.budget.bytes_read > limits.max_total_bytes:
            raise fail(E_TOO_LARGE, f"input is larger than {limits.max_total_bytes} bytes in total",
                       Location(file=rel), cls=LimitError)
        text = decode_bytes(data, rel)
        self.cache[path] = (text, rel)
        return text, rel


# --------------------------------------------------------------------------- the loader


@dataclass
class _Context:
    files: _Files
    options: ReadOptions
    diagnostics: Diagnostics
    warned: set[str] = field(default_factory=set)
    env_cache: dict[tuple[str, str], envfile.EnvFile] = field(default_factory=dict)
    # Where each env_file reference was written, for errors raised when it is finally read.
    env_refs: dict[str, Location] = field(default_factory=dict)
    # The references of each service's env values (ComposeProject.env_refs), filled at the end.
    value_refs: dict[str, dict[str, EnvRefs]] = field(default_factory=dict)
    tagged: bool = False  # a file used !reset or !override (else no tag stripping is needed)
    missing_env_files: set[str] = field(default_factory=set)  # reported once each (HOP141)
    # (file, key path) of each value that used an unset variable -> those variables (HOP143).
    partial: dict[tuple[str, Key], tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class _Doc:
    """One compose file after parsing, interpolation and canonicalisation."""

    rel: str
    folder: Path
    data: dict[str, Any]
    index: LocationIndex
    locations: dict[Key, Location]


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
        except _Widen as wider:
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
    ctx = _Context(files=_Files(root=root, budget=ReadBudget(limits=options.limits), boundary=boundary),
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
    return _finish(merged, locations, root, lookup_env, ctx, project_dir)


# Where repositories keep their compose file when it is not at the top (searched in this order
# when the folder given holds none).
COMPOSE_SUBFOLDERS = ("docker", "deploy", ".docker", "compose")


def _discover(given: Path, folder: Path, options: ReadOptions, ctx: _Context) -> list[Path]:
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


def _interpolation_env(project_dir: Path, refs: list[str], ctx: _Context,
                       referrer: Location | None) -> dict[str, str]:
    """Process environment over the given env files (later wins), else over ``.env``.

    ``refs`` are absolute or relative to ``project_dir``."""
    if not refs and (project_dir / ".env").is_file():
        refs = [".env"]
    layers: list[envfile.EnvFile] = []
    accumulated: dict[str, str] = {}
    for ref in refs:
        parsed = _read_env(ref, project_dir, referrer, "env file", ctx, accumulated)
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


def _read_env(ref: str, base: Path, referrer: Location | None, what: str, ctx: _Context,
              fallback: dict[str, str]) -> envfile.EnvFile:
    text, rel = ctx.files.read(ref, base, referrer, what)
    key = (rel, repr(sorted(fallback.items())) if fallback else "")
    cached = ctx.env_cache.get(key)
    if cached is None:
        cached = envfile.parse_env(text, rel, ctx.diagnostics, fallback, ctx.warned)
        ctx.env_cache[key] = cached
    return cached


def _load_doc(ref: str, base: Path, referrer: Location | None, env: dict[str, str],
              ctx: _Context, include_stack: tuple[str, ...]) -> _Doc:
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


def _one_document(rel: str, data: Any, index: LocationIndex, env: dict[str, str], ctx: _Context,
                  include_stack: tuple[str, ...]) -> _Doc:
    files = ctx.files
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise fail(E_TOP_LEVEL, f"wrong top-level type: expected a mapping, got {_kind(data)}",
                   index.nearest(()))
    raw_env = _raw_env_refs(data.get("services"), env.get if ctx.options.interpolate else None)
    if ctx.options.interpolate:
        command_refs.protect(data.get("services"))  # `--requirepass ${X}` keeps the name X
        data = interpolate_tree(data, index, env.get, ctx.diagnostics, warned=ctx.warned,
                                on_partial=lambda path, raw, names: ctx.partial.__setitem__((rel, path), (raw, names)))
    folder = (files.root / rel).parent
    doc = _Doc(rel=rel, folder=folder, data={}, index=index, locations={})
    _check_top_level(data, doc, ctx)
    doc.locations = _flat_locations(data, index)
    canonical: dict[str, Any] = {}
    for key, value in data.items():
        if key == "services":
            canonical[key] = _canonical_services(value, doc, ctx)
        elif key in ("volumes", "networks", "secrets", "configs", "models"):
            canonical[key] = _canonical_resources(key, value, doc, ctx)
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
    """Wrap the canonical env values whose raw text had references (see :class:`_RefText`)."""
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
                env[key] = _RefText(value, refs)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def _check_top_level(data: dict[str, Any], doc: _Doc, ctx: _Context) -> None:
    for key in data:
        if key.startswith("x-") or key in TOP_LEVEL_KEYS:
            continue
        _unknown_key(key, TOP_LEVEL_KEYS, doc.index.nearest((key,)), ctx, "top-level key")
    if "version" in data:
        ctx.diagnostics.warning(W_OBSOLETE_VERSION, "the top-level 'version' is obsolete and ignored",
                                doc.index.nearest(("version",)))


def _unknown_key(key: str, known: frozenset[str], where: Location, ctx: _Context, what: str) -> None:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else None
    ctx.diagnostics.warning(W_UNKNOWN_KEY, f"unknown {what} '{key}' is ignored", where, hint)


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


# --------------------------------------------------------------------------- canonical shapes


class _Where:
    """Builds locations for one service of one file."""

    def __init__(self, doc: _Doc, service: str, diagnostics: Diagnostics | None = None) -> None:
        self.doc = doc
        self.service = service
        self.prefix: Key = ("services", service)
        self.diagnostics = diagnostics

    def doc_warning(self, code_name: str, message: str, where: Location) -> None:
        if self.diagnostics is not None:
            self.diagnostics.warning(code_name, message, where)

    def __call__(self, *parts: str | int) -> Location:
        return self.doc.index.nearest((*self.prefix, *parts))


def _canonical_services(value: Any, doc: _Doc, ctx: _Context) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(E_BAD_VALUE, f"services must be a mapping, got {_kind(value)}",
                   doc.index.nearest(("services",)))
    if len(value) > ctx.options.limits.max_services:
        raise fail(E_TOO_MANY_ITEMS, f"more than {ctx.options.limits.max_services} services",
                   doc.index.nearest(("services",)), cls=LimitError)
    out: dict[str, Any] = {}
    for name, service in value.items():
        where = _Where(doc, name, ctx.diagnostics)
        if ("services", name) in doc.index.non_string_keys:
            ctx.diagnostics.warning(lenient.W_NON_STRING_KEY, f"service name {name} is not a string in "
                                    f"YAML; hopper reads it as '{name}'", where(),
                                    "Compose refuses it: quote the name")
        check_name(name, "service", where())
        if isinstance(service, Tagged):
            out[name] = service
            continue
        if service is None:
            service = {}
        if not isinstance(service, dict):
            raise fail(E_BAD_VALUE, f"service '{name}' must be a mapping, got {_kind(service)}",
                       where())
        out[name] = canonical_service(service, where, doc, ctx)
    return out


def check_name(name: str, what: str, where: Location) -> None:
    """Refuse names that are unsafe as identifiers or path parts (``..``, ``-rf``, ``a/b``)."""
    if name in (".", "..") or not _SERVICE_NAME.match(name) or any(ord(c) < 32 for c in name):
        raise fail(E_INVALID_NAME, f"invalid {what} name {name!r}", where,
                   "use letters, digits, '.', '_' and '-', starting with a letter or digit")


def canonical_service(service: dict[str, Any], where: _Where, doc: _Doc,
                      ctx: _Context) -> dict[str, Any]:
    """Put one service's fields in canonical shape (documented in docs/compose-input.md)."""
    out: dict[str, Any] = {}
    for key, value in service.items():
        if isinstance(value, Tagged):
            inner = value.value
            out[key] = Tagged(value.tag, None if inner is None else
                              _canonical_field(key, inner, where, doc, ctx))
            continue
        if not key.startswith("x-") and key not in SERVICE_KEYS:
            _unknown_key(key, SERVICE_KEYS, where(key), ctx, "service key")
        out[key] = _canonical_field(key, value, where, doc, ctx)
    return out


def _canonical_field(key: str, value: Any, where: _Where, doc: _Doc, ctx: _Context) -> Any:
    if value is None:
        return None
    if key == "environment":
        env = _list_or_dict(value, where, key, none_value=None)
        for name in env:
            envfile.check_env_key(name, where(key, name) if (*where.prefix, key, name)
                                  in doc.index else where(key))
        return env
    if key in ("labels", "annotations", "sysctls"):
        return {k: "" if v is None else v for k, v in
                _list_or_dict(value, where, key, none_value="").items()}
    if key == "env_file":
        return _env_file_refs(value, where, doc, ctx)
    if key == "build":
        return _build(value, where, doc, ctx)
    if key in ("command", "entrypoint"):
        return _command(value, where, key)
    if key == "healthcheck":
        return _healthcheck(value, where)
    if key == "ports":
        return _ports(value, where, doc, ctx)
    if key == "tmpfs":
        return _tmpfs(value, where, ctx)
    if key == "expose":
        return [str(v) for v in _as_list(value, where, key)]
    if key == "volumes":
        volumes = [_volume(v, where, i, doc, ctx) for i, v in enumerate(_as_list(value, where, key))]
        return [v for v in volumes if v is not None]
    if key in ("secrets", "configs"):
        return [_mount(v, where, key, i) for i, v in enumerate(_as_list(value, where, key))]
    if key == "depends_on":
        return _depends_on(value, where)
    if key == "networks":
        if isinstance(value, list):
            return {str(n): None for n in value}
        if isinstance(value, dict):
            return dict(value)
        raise fail(E_BAD_VALUE, "networks must be a list or a mapping", where(key))
    if key == "extends":
        if isinstance(value, str):
            return {"service": value}
        if isinstance(value, dict) and isinstance(value.get("service"), str):
            return dict(value)
        raise fail(E_BAD_VALUE, "extends needs a service name", where(key))
    if key == "profiles":
        return [str(p) for p in _as_list(value, where, key)]
    if key in ("restart", "image"):
        if not isinstance(value, str):
            raise fail(E_BAD_VALUE, f"{key} must be a string", where(key))
        unset = _unset_in(doc, ctx, *where.prefix, key)
        if key == "image" and unset and (value.endswith((":", "@")) or value.startswith("/") or "//" in value):
            known = value.strip(":@/").replace("//", "/")
            ctx.diagnostics.warning(lenient.W_PARTLY_UNSET, f"image '{unset[0]}' is built from unset "
                                    f"{', '.join(unset[1])}; hopper reads it as '{known}'", where(key),
                                    "set the variables (--env-file) to convert the exact image")
            return known
        return value
    return value


def _as_list(value: Any, where: _Where, key: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise fail(E_BAD_VALUE, f"{key} must be a list, got {_kind(value)}", where(key))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _list_or_dict(value: Any, where: _Where, key: str, none_value: str | None) -> dict[str, Any]:
    """``[A=b, C]`` or ``{A: b, C: null}`` -> ``{"A": "b", "C": none_value}``."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, Tagged):
                out[k] = v
            elif v is None:
                out[k] = none_value
            elif isinstance(v, (dict, list)):
                raise fail(E_BAD_VALUE, f"{key}.{k} must be a single value", where(key, k))
            else:
                out[k] = _text(v)
        return out
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise fail(E_BAD_VALUE, f"{key} items must be 'NAME=value' strings", where(key, i))
            name, sep, rest = str(item).partition("=")
            if sep and name != name.rstrip() and key == "environment" and name.strip():
                # `- DEBUG = true`: Compose refuses the name "DEBUG "; the meaning is plain.
                trimmed, value = name.strip(), rest.strip()
                where.doc_warning(lenient.W_ENV_NAME_SPACES, f"services.{where.service}.environment: "
                                  f"'{item}' has spaces around '='; hopper reads {trimmed}={value}",
                                  where(key, i))
                name, rest = trimmed, value
            out[name] = rest if sep else none_value
        return out
    raise fail(E_BAD_VALUE, f"{key} must be a list or a mapping, got {_kind(value)}", where(key))


def _rebase(ref: str, doc: _Doc, ctx: _Context) -> str:
    """A path written relative to its file, made relative to the project root (POSIX).
    Absolute and home paths are kept as written."""
    if ref.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", ref):
        return ref
    folder = posixpath.dirname(doc.rel)
    return posixpath.normpath(posixpath.join(folder, ref.replace("\\", "/")))


def _env_file_refs(value: Any, where: _Where, doc: _Doc, ctx: _Context) -> list[dict[str, Any]]:
    items = [value] if isinstance(value, str) else _as_list(value, where, "env_file")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        loc = where("env_file", i) if not isinstance(value, str) else where("env_file")
        if isinstance(item, str):
            entry: dict[str, Any] = {"path": item, "required": True}
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            entry = {"path": item["path"], "required": item.get("required", True) is not False}
            if "format" in item:
                entry["format"] = item["format"]
        else:
            raise fail(E_BAD_VALUE, "env_file entries need a path", loc)
        # Confinement is checked here, with the referencing line; the file is read at the end.
        resolved = ctx.files.confine(entry["path"], doc.folder, loc, "env_file")
        entry["path"] = ctx.files.rel(resolved)
        ctx.env_refs.setdefault(entry["path"], loc)
        out.append(entry)
    return out


def _build(value: Any, where: _Where, doc: _Doc, ctx: _Context) -> dict[str, Any]:
    if isinstance(value, str):
        build: dict[str, Any] = {"context": value}
    elif isinstance(value, dict):
        build = dict(value)
    else:
        raise fail(E_BAD_VALUE, "build must be a path or a mapping", where("build"))
    context = build.get("context", ".")
    if not isinstance(context, str):
        raise fail(E_BAD_VALUE, "build.context must be a string", where("build", "context"))
    if "\0" in context or "\0" in str(build.get("dockerfile", "")):
        raise fail(E_BAD_VALUE, "build paths cannot contain a NUL character", where("build"))
    if _REMOTE.match(context):
        ctx.diagnostics.warning(W_REMOTE_CONTEXT,
                                f"remote build context '{context}' is recorded but not fetched",
                                where("build", "context") if "context" in build else where("build"))
    else:
        rebased = _rebase(context, doc, ctx)
        if rebased == ".." or rebased.startswith("../"):
            ctx.files.widen((ctx.files.root / rebased).resolve())
        if rebased.startswith(("../", "/", "~")) or rebased == "..":
            ctx.diagnostics.warning(W_PATH_OUTSIDE_ROOT,
                                    f"build context '{context}' is outside the project root; "
                                    "it is recorded, never read", where("build"))
        context = rebased
    build["context"] = context
    if "args" in build and build["args"] is not None:
        build["args"] = _list_or_dict(build["args"], _Sub(where, "build"), "args", none_value=None)
    if "secrets" in build and build["secrets"] is not None:
        build["secrets"] = [s if isinstance(s, str) else str(s.get("source")) if isinstance(s, dict)
                            else str(s) for s in _as_list(build["secrets"], where, "build")]
    return build


class _Sub(_Where):
    """A _Where for a nested mapping (``build.args``)."""

    def __init__(self, parent: _Where, key: str) -> None:
        super().__init__(parent.doc, parent.service, parent.diagnostics)
        self.prefix = (*parent.prefix, key)


def _command(value: Any, where: _Where, key: str) -> list[str]:
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise fail(E_BAD_VALUE, f"{key} cannot be split into words: {exc}", where(key)) from None
    if isinstance(value, list):
        return [_text(v) for v in value]
    raise fail(E_BAD_VALUE, f"{key} must be a string or a list", where(key))


def _healthcheck(value: Any, where: _Where) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(E_BAD_VALUE, "healthcheck must be a mapping", where("healthcheck"))
    out = dict(value)
    test = out.get("test")
    if isinstance(test, str):
        out["test"] = ["CMD-SHELL", test]
    elif isinstance(test, list):
        out["test"] = [_text(t) for t in test]
    return out


_PORT = re.compile(r"^\d+(?:-\d+)?$")


def _unset_in(doc: _Doc, ctx: _Context, *path: str | int) -> tuple[str, list[str]] | None:
    """The raw text and the unset variables of the value at ``path`` (in this file), when it
    used an unset variable."""
    return ctx.partial.get((doc.rel, path))


def _ports(value: Any, where: _Where, doc: _Doc, ctx: _Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, item in enumerate(_as_list(value, where, "ports")):
        loc = where("ports", i)
        if isinstance(item, bool):
            raise fail(E_BAD_VALUE, "a port must be a number, a string or a mapping", loc)
        if isinstance(item, int):
            out.append(_port(item, None, None, "tcp"))
        elif isinstance(item, str) and (unset := _unset_in(doc, ctx, *where.prefix, "ports", i)):
            out.extend(_partial_port(item, unset, loc, ctx))
        elif isinstance(item, str):
            out.extend(parse_port(item, loc))
        elif isinstance(item, dict):
            try:
                target = int(item["target"])
            except (KeyError, TypeError, ValueError):
                raise fail(E_BAD_VALUE, "a long-syntax port needs a numeric target", loc) from None
            published = item.get("published")
            entry = _port(target, None if published in (None, "") else _text(published),
                          item.get("host_ip"), str(item.get("protocol") or "tcp"))
            for extra in ("mode", "name", "app_protocol"):
                if extra in item:
                    entry[extra] = item[extra]
            out.append(entry)
        else:
            raise fail(E_BAD_VALUE, "a port must be a number, a string or a mapping", loc)
    return out


def _partial_port(spec: str, unset: tuple[str, list[str]], loc: Location,
                  ctx: _Context) -> list[dict[str, Any]]:
    """A short-syntax port written with unset variables (``${PORT}:3000`` gives ``:3000``):
    the container port is kept when it is known, the rest is reported (HOP143)."""
    raw, names = unset[0], ", ".join(unset[1])
    try:
        ports = parse_port(spec, loc)
    except InputError:
        ctx.diagnostics.warning(lenient.W_PARTLY_UNSET, f"port '{raw}' is built from unset {names} and "
                                "names no container port; it is left out", loc,
                                "set the variables (--env-file) to convert this port")
        return []
    ctx.diagnostics.warning(lenient.W_PARTLY_UNSET, f"port '{raw}' is built from unset {names}; hopper keeps "
                            "container port " + ", ".join(str(p["target"]) for p in ports)
                            + " and no published port", loc,
                            "set the variables (--env-file) to convert the published port")
    return [{**p, "published": None} for p in ports]


def _port(target: int, published: str | None, host_ip: str | None, protocol: str) -> dict[str, Any]:
    return {"target": target, "published": published, "host_ip": host_ip, "protocol": protocol}


def parse_port(spec: str, loc: Location) -> list[dict[str, Any]]:
    """Compose's short port syntax: ``[HOST_IP:][PUBLISHED[-RANGE]:]TARGET[-RANGE][/PROTO]``."""
    text, _, protocol = spec.strip().partition("/")
    protocol = protocol or "tcp"
    host_ip: str | None = None
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or text[close + 1:close + 2] != ":":
            raise fail(E_BAD_VALUE, f"invalid port {spec!r}", loc)
        host_ip, text = text[1:close], text[close + 2:]
    parts = text.split(":")
    if len(parts) == 1:
        published, target = "", parts[0]
    elif len(parts) == 2:
        published, target = parts
    else:
        host_ip = ":".join(parts[:-2]) if host_ip is None else host_ip
        published, target = parts[-2], parts[-1]
    if not _PORT.match(target) or (published and not _PORT.match(published)):
        raise fail(E_BAD_VALUE, f"invalid port {spec!r}", loc)
    first, _, last = target.partition("-")
    targets = list(range(int(first), int(last or first) + 1))
    if not targets or len(targets) > 65536:
        raise fail(E_BAD_VALUE, f"invalid port range {spec!r}", loc)
    if len(targets) == 1:
        return [_port(targets[0], published or None, host_ip or None, protocol)]
    pub_first, _, pub_last = published.partition("-")
    if published and int(pub_last or pub_first) - int(pub_first) + 1 != len(targets):
        raise fail(E_BAD_VALUE, f"port ranges of different sizes in {spec!r}", loc)
    return [_port(t, str(int(pub_first) + n) if published else None, host_ip or None, protocol)
            for n, t in enumerate(targets)]


def _volume(item: Any, where: _Where, i: int, doc: _Doc, ctx: _Context) -> dict[str, Any] | None:
    loc = where("volumes", i)
    if isinstance(item, dict):
        target = item.get("target")
        if not isinstance(target, str):
            raise fail(E_BAD_VALUE, "a long-syntax volume needs a target", loc)
        kind = str(item.get("type") or "volume")
        out = dict(item)
        source = item.get("source")
        if kind == "bind" and not source:
            ctx.diagnostics.warning(lenient.W_BIND_NO_SOURCE, f"services.{where.service}.volumes[{i}]: bind "
                                    f"mount to {target} has no source; it is left out", loc,
                                    "Compose refuses it: add the host path as source")
            return None
        tmpfs = item.get("tmpfs")
        if isinstance(tmpfs, dict) and _negative(tmpfs.get("size")):
            ctx.diagnostics.warning(lenient.W_TMPFS_SIZE, f"services.{where.service}.volumes[{i}]: tmpfs "
                                    f"size {tmpfs.get('size')} is negative; it is ignored", loc,
                                    "Compose refuses it: give a positive size or none")
            out["tmpfs"] = {k: v for k, v in tmpfs.items() if k != "size"}
        if kind == "bind" and isinstance(source, str):
            source = _bind_source(source, doc, ctx, loc)
        out.update(type=kind, source=source, target=target,
                   read_only=bool(item.get("read_only", False)))
        return out
    if not isinstance(item, str):
        raise fail(E_BAD_VALUE, "a volume must be a string or a mapping", loc)
    unset = _unset_in(doc, ctx, *where.prefix, "volumes", i)
    if unset:
        return _partial_volume(item, unset, loc, ctx)
    parts = item.split(":")
    if re.match(r"^[A-Za-z]:[\\/]", item):  # Windows drive letter in the source
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return {"type": "volume", "source": None, "target": parts[0], "read_only": False}
    if len(parts) > 3:
        raise fail(E_BAD_VALUE, f"invalid volume {item!r}", loc)
    source, target = parts[0], parts[1]
    modes = parts[2].split(",") if len(parts) == 3 else []
    if source.startswith((".", "/", "~")) or re.match(r"^[A-Za-z]:[\\/]", source):
        return {"type": "bind", "source": _bind_source(source, doc, ctx, loc), "target": target,
                "read_only": "ro" in modes}
    return {"type": "volume", "source": source, "target": target, "read_only": "ro" in modes}


def _tmpfs(value: Any, where: _Where, ctx: _Context) -> Any:
    """``tmpfs: /run:size=-1``: Compose refuses a negative size; hopper drops it (HOP149)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    out: list[Any] = []
    for i, item in enumerate(items):
        if isinstance(item, str) and ":" in item:
            path, _, options = item.partition(":")
            kept = [o for o in options.split(",") if not (o.startswith("size=") and _negative(o[5:]))]
            if len(kept) != len(options.split(",")):
                ctx.diagnostics.warning(lenient.W_TMPFS_SIZE, f"services.{where.service}.tmpfs: '{item}' has a "
                                        "negative size; it is ignored", where("tmpfs", i),
                                        "Compose refuses it: give a positive size or none")
                item = path + (":" + ",".join(kept) if kept else "")
        out.append(item)
    return out if isinstance(value, list) else out[0]


def _negative(size: Any) -> bool:
    if isinstance(size, bool):
        return False
    if isinstance(size, (int, float)):
        return size < 0
    return isinstance(size, str) and size.strip().startswith("-")


def _partial_volume(item: str, unset: tuple[str, list[str]], loc: Location,
                    ctx: _Context) -> dict[str, Any] | None:
    """A short-syntax volume whose source comes from unset variables
    (``${DATA_DIR}/pg:/var/lib/postgresql/data``): the container path is kept as a volume (data
    the service writes), a read-only mount (a config file hopper cannot find) is left out."""
    parts = item.split(":")
    raw, names = unset[0], ", ".join(unset[1])
    target = parts[1] if len(parts) >= 2 else parts[0]
    read_only = len(parts) == 3 and "ro" in parts[2].split(",")
    if not target.startswith("/") or read_only:
        ctx.diagnostics.warning(lenient.W_PARTLY_UNSET, f"volume '{raw}' is built from unset {names}; "
                                "hopper cannot tell what it mounts and leaves it out", loc,
                                "set the variables (--env-file) to convert this mount")
        return None
    ctx.diagnostics.warning(lenient.W_PARTLY_UNSET, f"volume '{raw}' is built from unset {names}; hopper "
                            f"keeps {target} as a volume and drops the unknown source", loc,
                            "set the variables (--env-file) to convert the source")
    return {"type": "volume", "source": None, "target": target, "read_only": False}


def _bind_source(source: str, doc: _Doc, ctx: _Context, loc: Location) -> str:
    rebased = _rebase(source, doc, ctx)
    if rebased == ".." or rebased.startswith("../"):
        ctx.files.widen((ctx.files.root / rebased).resolve())
    # A source outside the root is reported once, by the service reader (HOP179), which also
    # sees absolute paths and links: one case, one code.
    del loc
    return rebased


def _mount(item: Any, where: _Where, key: str, i: int) -> dict[str, Any]:
    default_dir = "/run/secrets/" if key == "secrets" else "/"
    if isinstance(item, str):
        return {"source": item, "target": default_dir + item}
    if isinstance(item, dict) and isinstance(item.get("source"), str):
        out = dict(item)
        target = out.get("target")
        if not target:
            out["target"] = default_dir + out["source"]
        elif key == "secrets" and not str(target).startswith("/"):
            out["target"] = default_dir + str(target)
        return out
    raise fail(E_BAD_VALUE, f"{key} entries need a source", where(key, i))


def _depends_on(value: Any, where: _Where) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if isinstance(value, list):
        for item in value:
            out[str(item)] = {"condition": "service_started", "required": True, "restart": False}
        return out
    if isinstance(value, dict):
        for name, spec in value.items():
            spec = spec if isinstance(spec, dict) else {}
            out[name] = {**spec,
                         "condition": str(spec.get("condition") or "service_started"),
                         "required": spec.get("required", True) is not False,
                         "restart": spec.get("restart", False) is True}
        return out
    raise fail(E_BAD_VALUE, "depends_on must be a list or a mapping", where("depends_on"))


def _canonical_resources(kind: str, value: Any, doc: _Doc, ctx: _Context) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(E_BAD_VALUE, f"{kind} must be a mapping", doc.index.nearest((kind,)))
    out: dict[str, Any] = {}
    for name, spec in value.items():
        spec = {} if spec is None else spec
        if isinstance(spec, dict) and kind in ("secrets", "configs") and isinstance(spec.get("file"), str):
            # Rebased, never read: secret files hold values hopper must not see.
            spec = {**spec, "file": _rebase(spec["file"], doc, ctx)}
        out[name] = spec
    return out


# --------------------------------------------------------------------------- extends, include


def _apply_extends(doc: _Doc, env: dict[str, str], ctx: _Context) -> None:
    services = doc.data.get("services") or {}
    resolved: dict[str, dict[str, Any]] = {}
    for name in services:
        if isinstance(services[name], dict):
            services[name] = _extend(doc, name, services, env, ctx, resolved, ())


def _extend(doc: _Doc, name: str, services: dict[str, Any], env: dict[str, str], ctx: _Context,
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


def _inherit_locations(doc: _Doc, source: dict[Key, Location], base: str, name: str) -> None:
    prefix = ("services", base)
    for path, loc in list(source.items()):
        if path[:2] == prefix and len(path) > 2:
            target = ("services", name, *path[2:])
            doc.locations.setdefault(target, loc)


def _apply_includes(value: Any, doc: _Doc, env: dict[str, str], ctx: _Context,
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


# --------------------------------------------------------------------------- finishing


def _finish(merged: dict[str, Any], locations: dict[Key, Location], root: Path,
            env: dict[str, str], ctx: _Context, project_dir: Path) -> ComposeProject:
    services_in = merged.get("services")
    if not services_in:
        first = ctx.files.read_order[0] if ctx.files.read_order else "."
        raise fail(E_NO_SERVICES, "no services defined", locations.get(()) or Location(file=first))
    profiles = set(ctx.options.profiles)
    if not profiles and env.get("COMPOSE_PROFILES"):
        profiles = {p.strip() for p in env["COMPOSE_PROFILES"].split(",") if p.strip()}
    if not profiles and services_in and all(
            isinstance(svc, dict) and (strip_tags(svc) if ctx.tagged else svc).get("profiles")
            for svc in services_in.values()):
        # Nothing runs without a profile: a converter reads the whole setup rather than nothing.
        every = sorted({str(p) for svc in services_in.values() for p in svc.get("profiles") or []})
        profiles = {"*"}
        ctx.diagnostics.warning(lenient.W_ALL_PROFILED, "every service needs a profile and none is enabled; "
                                "hopper reads them all (" + ", ".join(every) + ")",
                                locations.get(("services",)),
                                "pass --profile NAME to convert only what one profile runs")
    services: dict[str, dict[str, Any]] = {}
    disabled: dict[str, list[str]] = {}
    for name in sorted(services_in):
        service = (strip_tags(services_in[name]) if ctx.tagged else services_in[name]) or {}
        wanted = service.get("profiles") or []
        if wanted and "*" not in profiles and not profiles.intersection(wanted):
            disabled[name] = wanted
            continue
        services[name] = service
    if disabled and not services:
        # `docker compose up` would start nothing either; converting nothing silently would
        # look like a success. Say which profiles exist.
        names = sorted({p for wanted in disabled.values() for p in wanted})
        raise fail(E_ALL_PROFILES, f"every service is under a profile ({', '.join(names)}) and "
                   "none is enabled", locations.get(("services",)) or locations.get(()),
                   hint=" ".join(f"--profile {p}" for p in names) + " (or COMPOSE_PROFILES)")
    top_resources = {k: (strip_tags(v) if ctx.tagged else v) for k, v in merged.items()
                     if k in ("networks", "volumes", "secrets", "configs")}
    lenient.undefined_resources(services, top_resources, locations, ctx.diagnostics)
    lenient.drop_cycles(services, locations, ctx.diagnostics)
    for name, service in services.items():
        for dep, spec in (service.get("depends_on") or {}).items():
            if dep in services or not spec.get("required", True):
                continue
            where = locations.get(("services", name, "depends_on", dep)) \
                or locations.get(("services", name, "depends_on"))
            hint = (f"enable one of its profiles: {', '.join(disabled[dep])}"
                    if dep in disabled else None)
            raise fail(E_UNKNOWN_DEPENDENCY,
                       f"service '{name}' depends on undefined service '{dep}'", where, hint)
    for name, service in services.items():
        services[name] = _finish_service(name, service, locations, ctx)
    top = {k: strip_tags(v) for k, v in merged.items()} if ctx.tagged else merged
    name = _project_name(top.get("name"), env, project_dir)
    return ComposeProject(
        root=root,
        name=name,
        files=tuple(ctx.files.read_order),
        services=services,
        volumes=_resources(top.get("volumes")),
        networks=_resources(top.get("networks")),
        secrets=_resources(top.get("secrets")),
        configs=_resources(top.get("configs")),
        extensions={k: v for k, v in sorted(top.items()) if k.startswith("x-")},
        locations=locations,
        diagnostics=ctx.diagnostics.as_tuple(),
        env_refs=ctx.value_refs,
    )


def _resources(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        return {}
    return {k: (v if isinstance(v, dict) else {}) for k, v in sorted(value.items())}


def _project_name(declared: Any, env: dict[str, str], root: Path) -> str:
    raw = env.get("COMPOSE_PROJECT_NAME") or (declared if isinstance(declared, str) else "") \
        or root.name
    return normalize_project_name(raw)


def normalize_project_name(raw: str) -> str:
    """Compose's rule: lower-case, keep ``[a-z0-9_-]``, start with a letter or digit."""
    cleaned = re.sub(r"[^a-z0-9_-]", "", raw.lower())
    return cleaned.lstrip("_-") or "default"


def _finish_service(name: str, service: dict[str, Any], locations: dict[Key, Location],
                    ctx: _Context) -> dict[str, Any]:
    out = dict(service)
    out.pop("extends", None)
    env_refs = out.get("env_file") or []
    environment = dict(out.get("environment") or {})
    if env_refs or "environment" in out:
        from_files: dict[str, str | None] = {}
        for ref in env_refs:
            loc = ctx.env_refs.get(ref["path"])
            path = ctx.files.root / ref["path"]
            if not path.exists():
                if ref.get("required", True):
                    _missing_env_file(name, ref["path"], loc, from_files, locations, ctx)
                continue
            parsed = _read_env(ref["path"], ctx.files.root, loc, "env_file", ctx,
                               {k: v for k, v in from_files.items() if v is not None})
            for key, value in parsed.values.items():
                from_files[key] = value
                if key not in environment:
                    locations.setdefault(("services", name, "environment", key),
                                         Location(file=ctx.files.rel(path.resolve()),
                                                  line=parsed.lines[key], col=1))
        refs: dict[str, EnvRefs] = {}
        for key, value in environment.items():
            if isinstance(value, _RefText):
                refs[key] = value.refs
                environment[key] = str(value)
        if refs:
            ctx.value_refs[name] = refs
        out["environment"] = {**from_files, **environment}
    if "build" in out and isinstance(out["build"], dict):
        build = out["build"]
        out["build"] = {
            **build,
            "context": build.get("context", "."),
            "dockerfile": build.get("dockerfile"),
            "dockerfile_inline": build.get("dockerfile_inline"),
            "target": build.get("target"),
            "args": build.get("args") or {},
            "secrets": build.get("secrets") or [],
        }
    if isinstance(out.get("healthcheck"), dict):
        out["healthcheck"] = _finish_healthcheck(out["healthcheck"], name, locations)
    if isinstance(out.get("deploy"), dict):
        out["deploy"] = _finish_deploy(out["deploy"], name, locations)
    if "labels" in out and out["labels"] is None:
        out["labels"] = {}
    return out


def _missing_env_file(service: str, ref: str, loc: Location | None, from_files: dict[str, str | None],
                      locations: dict[Key, Location], ctx: _Context) -> None:
    """A required env_file that is not in the checkout (the usual git-ignored ``.env``): a
    warning, and the variable *names* of an example file beside it (``.env.example``...) as
    values the target must receive. The example's values are placeholders, never used."""
    missing = ctx.files.root / ref
    example: Path | None = None
    for candidate in lenient.example_candidates(missing):
        if candidate.is_file() and candidate.resolve().is_relative_to(ctx.files.root):
            example = candidate
            break
    names: list[str] = []
    if example is not None:
        parsed = _read_env(str(example), ctx.files.root, loc, "env file example", ctx, {})
        example_rel = ctx.files.rel(example.resolve())
        for key in parsed.values:
            names.append(key)
            from_files.setdefault(key, None)
            locations.setdefault(("services", service, "environment", key),
                                 Location(file=example_rel, line=parsed.lines[key], col=1))
    if ref in ctx.missing_env_files:
        return
    ctx.missing_env_files.add(ref)
    if example is not None:
        assumed = (f"the names in {ctx.files.rel(example.resolve())} ({len(names)}) are kept as values "
                   "the target must receive; its values are placeholders and are not used")
    else:
        assumed = "its variables are unknown; set them on the target"
    ctx.diagnostics.warning(lenient.W_ENV_FILE_MISSING, f"env_file '{ref}' does not exist (service "
                            f"{service}); {assumed}", loc,
                            "a git-ignored .env is normal in a checkout; pass --env-file or create it "
                            "to convert its values")


def _where(locations: dict[Key, Location], *path: str | int) -> Location | None:
    probe: Key = path
    while probe:
        if probe in locations:
            return locations[probe]
        probe = probe[:-1]
    return None


def parse_duration(value: Any) -> float | None:
    """Go durations (``1m30s``, ``500ms``) or plain seconds -> seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    pos = 0
    total = 0.0
    scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            raise ValueError(text)
        total += float(match.group(1)) * scale[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ValueError(text)
    return total


def parse_size(value: Any) -> int:
    """Docker sizes (``512m``, ``1g``, ``1.5GB``, bytes) -> bytes (1024-based like Docker)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if match is None:
        raise ValueError(str(value))
    number = float(match.group(1))
    power = " kmgtp".index(match.group(2).lower() or " ")
    return int(number * (1024 ** power))


def _finish_healthcheck(check: dict[str, Any], name: str,
                        locations: dict[Key, Location]) -> dict[str, Any]:
    out = dict(check)
    test = out.get("test")
    disabled = check.get("disable") is True or (isinstance(test, list) and test[:1] == ["NONE"])
    out["test"] = list(test) if isinstance(test, list) else []
    for key in ("interval", "timeout", "start_period", "start_interval"):
        raw = out.pop(key, None)
        try:
            out[f"{key}_s"] = parse_duration(raw)
        except ValueError:
            raise fail(E_BAD_VALUE, f"healthcheck.{key} {raw!r} is not a duration",
                       _where(locations, "services", name, "healthcheck", key),
                       "write durations like 30s, 1m30s or 500ms") from None
    retries = out.get("retries")
    try:
        out["retries"] = None if retries is None else int(retries)
    except (TypeError, ValueError):
        raise fail(E_BAD_VALUE, "healthcheck.retries must be a number",
                   _where(locations, "services", name, "healthcheck")) from None
    out["disable"] = disabled
    return out


def _finish_deploy(deploy: dict[str, Any], name: str,
                   locations: dict[Key, Location]) -> dict[str, Any]:
    out = dict(deploy)
    where = _where(locations, "services", name, "deploy")
    if out.get("replicas") is not None:
        try:
            out["replicas"] = int(out["replicas"])
        except (TypeError, ValueError):
            raise fail(E_BAD_VALUE, "deploy.replicas must be a number", where) from None
    resources = out.get("resources")
    if isinstance(resources, dict):
        resources = dict(resources)
        for part in ("limits", "reservations"):
            spec = resources.get(part)
            if not isinstance(spec, dict):
                continue
            spec = dict(spec)
            try:
                if spec.get("cpus") is not None:
                    spec["cpus"] = float(spec["cpus"])
                if spec.get("memory") is not None:
                    spec["memory"] = parse_size(spec["memory"])
            except ValueError:
                raise fail(E_BAD_VALUE, f"deploy.resources.{part} has an invalid cpus or memory",
                           where) from None
            resources[part] = spec
        out["resources"] = resources
    return out
