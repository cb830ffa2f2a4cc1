"""Canonical shapes of a compose file's services, as compose-go gives them before merging.

Each service field is put in one shape whatever its syntax (``[A=b]`` or ``{A: b}``, short or
long port syntax, string or list command...), with paths rebased to the project root. It is
separate from :mod:`.project` (finding, parsing and merging files) because it is the bulk of
the per-field rules; docs/compose-input.md lists the shapes.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

from hopper._yaml import Tagged
from hopper.diagnostics import (
    E_INVALID_NAME,
    E_TOO_MANY_ITEMS,
    Diagnostics,
    InputError,
    LimitError,
    Location,
    fail,
)
from hopper.formats.compose import envfile, lenient
from hopper.formats.compose.load_state import (
    E_BAD_VALUE,
    W_PATH_OUTSIDE_ROOT,
    W_REMOTE_CONTEXT,
    Doc,
    Key,
    LoadContext,
    kind_of,
    warn_unknown_key,
)

SERVICE_KEYS = frozenset(  # noqa: SIM905 - easier to read and diff as words
    ["annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "umask", "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir"])


_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)


class _Where:
    """Builds locations for one service of one file."""

    def __init__(self, doc: Doc, service: str, diagnostics: Diagnostics | None = None) -> None:
        self.doc = doc
        self.service = service
        self.prefix: Key = ("services", service)
        self.diagnostics = diagnostics

    def doc_warning(self, code_name: str, message: str, where: Location) -> None:
        if self.diagnostics is not None:
            self.diagnostics.warning(code_name, message, where)

    def __call__(self, *parts: str | int) -> Location:
        return self.doc.index.nearest((*self.prefix, *parts))


def canonical_services(value: Any, doc: Doc, ctx: LoadContext) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(E_BAD_VALUE, f"services must be a mapping, got {kind_of(value)}",
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
            raise fail(E_BAD_VALUE, f"service '{name}' must be a mapping, got {kind_of(service)}",
                       where())
        out[name] = canonical_service(service, where, doc, ctx)
    return out


def check_name(name: str, what: str, where: Location) -> None:
    """Refuse names that are unsafe as identifiers or path parts (``..``, ``-rf``, ``a/b``)."""
    if name in (".", "..") or not _SERVICE_NAME.match(name) or any(ord(c) < 32 for c in name):
        raise fail(E_INVALID_NAME, f"invalid {what} name {name!r}", where,
                   "use letters, digits, '.', '_' and '-', starting with a letter or digit")


def canonical_service(service: dict[str, Any], where: _Where, doc: Doc,
                      ctx: LoadContext) -> dict[str, Any]:
    """Put one service's fields in canonical shape (documented in docs/compose-input.md)."""
    out: dict[str, Any] = {}
    for key, value in service.items():
        if isinstance(value, Tagged):
            inner = value.value
            out[key] = Tagged(value.tag, None if inner is None else
                              _canonical_field(key, inner, where, doc, ctx))
            continue
        if not key.startswith("x-") and key not in SERVICE_KEYS:
            warn_unknown_key(key, SERVICE_KEYS, where(key), ctx, "service key")
        out[key] = _canonical_field(key, value, where, doc, ctx)
    return out


def _canonical_field(key: str, value: Any, where: _Where, doc: Doc, ctx: LoadContext) -> Any:
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
    raise fail(E_BAD_VALUE, f"{key} must be a list, got {kind_of(value)}", where(key))


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
    raise fail(E_BAD_VALUE, f"{key} must be a list or a mapping, got {kind_of(value)}", where(key))


def _rebase(ref: str, doc: Doc, ctx: LoadContext) -> str:
    """A path written relative to its file, made relative to the project root (POSIX).
    Absolute and home paths are kept as written."""
    if ref.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", ref):
        return ref
    folder = posixpath.dirname(doc.rel)
    return posixpath.normpath(posixpath.join(folder, ref.replace("\\", "/")))


def _env_file_refs(value: Any, where: _Where, doc: Doc, ctx: LoadContext) -> list[dict[str, Any]]:
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


def _build(value: Any, where: _Where, doc: Doc, ctx: LoadContext) -> dict[str, Any]:
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


def _unset_in(doc: Doc, ctx: LoadContext, *path: str | int) -> tuple[str, list[str]] | None:
    """The raw text and the unset variables of the value at ``path`` (in this file), when it
    used an unset variable."""
    return ctx.partial.get((doc.rel, path))


def _ports(value: Any, where: _Where, doc: Doc, ctx: LoadContext) -> list[dict[str, Any]]:
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
                  ctx: LoadContext) -> list[dict[str, Any]]:
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


def _volume(item: Any, where: _Where, i: int, doc: Doc, ctx: LoadContext) -> dict[str, Any] | None:
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


def _tmpfs(value: Any, where: _Where, ctx: LoadContext) -> Any:
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
                    ctx: LoadContext) -> dict[str, Any] | None:
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


def _bind_source(source: str, doc: Doc, ctx: LoadContext, loc: Location) -> str:
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


def canonical_resources(kind: str, value: Any, doc: Doc, ctx: LoadContext) -> dict[str, Any]:
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
