"""What an env name the application reads means on each platform, and what to do about it.

The tables are ``mappings/env-names.toml`` (names each platform injects for an attached database
or object store, and on every instance) and ``mappings/env-platform-prefixes.toml`` (``CC_*``,
``FLY_*``, bundler prefixes such as ``VITE_*``, and the value form of names that carry the same
attribute differently).

:func:`resolve` answers one question: the service reads ``NAME``; on ``target``, is it provided,
provided under another name, provided with a different meaning, or not provided at all?
:func:`env_findings` turns every read of a scanned model into findings with diagnostics for the
plan report; the rewrite uses :func:`resolve` to decide what to rename.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from hopper import mappings
from hopper.diagnostics import Diagnostic, Location, Severity, code
from hopper.formats import format_names, get_format, label
from hopper.model import Architecture, EnvRead, Service
from hopper.secrets import name_looks_secret

RESOURCE_GROUPS = ("database", "object_store")
# Names so conventional that reading one without the setup setting it is not worth a note.
CONVENTIONAL = frozenset({"NODE_ENV", "CI", "TZ", "DEBUG", "LOG_LEVEL", "PYTHONUNBUFFERED"})
CODE_LANGUAGES = frozenset({"javascript", "typescript", "python"})

I_RENAMED = code("HOP601", Severity.INFO,
                 "the code reads a name the target provides under another name")
W_NO_EQUIVALENT = code("HOP602", Severity.WARNING,
                       "the code reads a platform-provided name the target does not provide")
W_SEMANTIC = code("HOP603", Severity.WARNING,
                  "the target's equivalent name carries the value in another form (host vs URL)")
I_BUILD_TIME = code("HOP604", Severity.INFO,
                    "the front reads a variable at build time: it must be a build argument or build secret")
W_COMPOSE_HOST = code("HOP605", Severity.WARNING,
                      "a variable the code reads holds a service's bare host name, which only the source's network resolves")
I_UNSET = code("HOP607", Severity.INFO, "the code reads a variable the setup never sets")
W_AMBIGUOUS = code("HOP608", Severity.WARNING,
                   "the code reads a name that several attached resources would provide on the target")
I_PORT = code("HOP609", Severity.INFO, "the code reads PORT, which the target does not inject")


# ---------------------------------------------------------------------------- tables

@dataclass(frozen=True, slots=True)
class Injected:
    """A platform sets ``name`` on an app: for an attached resource (group database or
    object_store, with the attribute it carries) or on every instance (group runtime)."""

    platform: str
    group: str
    attribute: str | None
    secret: bool = False


@functools.cache
def injecting_platforms() -> tuple[str, ...]:
    """The formats whose platform sets an attached resource's env names itself (a section with
    ``database`` or ``object_store`` names in ``mappings/env-names.toml``); on the others the
    written setup names the variables, so the code's names are kept."""
    data = mappings.table("env-names")
    return tuple(n for n in format_names()
                 if any(g in data.get(n, {}) for g in RESOURCE_GROUPS))


@functools.cache
def _injected() -> dict[str, tuple[Injected, ...]]:
    data = mappings.table("env-names")
    found: dict[str, list[Injected]] = {}
    for platform in format_names():
        section = data.get(platform, {})
        for group in RESOURCE_GROUPS:
            for name, row in section.get(group, {}).items():
                found.setdefault(name, []).append(
                    Injected(platform, group, row["attribute"], bool(row.get("secret", False))))
        for name in section.get("runtime", {}).get("names", []):
            found.setdefault(name, []).append(Injected(platform, "runtime", None))
    return {k: tuple(v) for k, v in found.items()}


@functools.cache
def _prefixes() -> dict[str, object]:
    return mappings.table("env-platform-prefixes")


def injected_by(name: str) -> tuple[Injected, ...]:
    return _injected().get(name, ())


def platform_prefix(name: str) -> str | None:
    """The platform whose reserved prefix ``name`` has (``CC_`` -> clevercloud), if any."""
    table = _prefixes().get("platform", {})
    assert isinstance(table, dict)
    for platform, row in sorted(table.items()):
        if any(name.startswith(p) for p in row.get("prefixes", [])):
            return str(platform)
    return None


def bundler_of(name: str) -> str | None:
    """The bundler that inlines ``name`` at build time because of its prefix (VITE_ -> vite)."""
    table = _prefixes().get("bundler", {})
    assert isinstance(table, dict)
    best: tuple[int, str] | None = None
    for bundler, row in table.items():
        for prefix in row.get("prefixes", []):
            if name.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), str(bundler))
    return best[1] if best else None


def is_bundler_builtin(name: str) -> bool:
    table = _prefixes().get("bundler_builtins", {})
    assert isinstance(table, dict)
    return name in table.get("names", [])


def value_form(name: str) -> str | None:
    table = _prefixes().get("value_form", {})
    assert isinstance(table, dict)
    form = table.get(name)
    return str(form) if form is not None else None


def form_of(name: str, service: Service | None = None) -> str | None:
    """The value form of ``name``: from the tables, else from a plain value the service sets
    (``http://minio:9000`` is a url, ``minio:9000`` a host)."""
    known = value_form(name)
    if known is not None or service is None:
        return known
    value = service.runtime.env.get(name)
    if not value or "${" in value:
        return None
    return "url" if "://" in value else "host"


def target_names(group: str, attribute: str, target: str) -> tuple[str, ...]:
    """Names ``target`` injects for ``attribute`` of an attached resource of kind ``group``, in
    table order (the first is the canonical one: POSTGRESQL_ADDON_URI before _DIRECT_URI)."""
    section = mappings.table("env-names").get(target, {}).get(group, {})
    return tuple(name for name, row in section.items() if row.get("attribute") == attribute)


# ---------------------------------------------------------------------------- resolution

@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """What reading ``name`` in ``service`` means on ``target``.

    ``action``: ``provided`` (same name, nothing to do), ``rename`` (the target provides it as
    ``target_name``), ``semantic`` (the equivalent name carries another form: not renamed),
    ``no_equivalent``, ``ambiguous``, ``port``, ``carried`` (the user sets it; the generated
    setup carries it over), ``unset`` (nothing in the setup sets it).
    """

    name: str
    action: str
    target_name: str | None = None
    resource: str | None = None
    group: str | None = None  # database, object_store, runtime, prefix
    attribute: str | None = None
    source_platform: str | None = None  # the platform that injects it in the source setup


def _resource_group(arch: Architecture, resource: str) -> str | None:
    if arch.database(resource) is not None:
        return "database"
    if arch.object_store(resource) is not None:
        return "object_store"
    return None


def _has_group(arch: Architecture, group: str) -> bool:
    return bool(arch.databases if group == "database" else arch.object_stores)


def _is_set(arch: Architecture, service: Service, name: str) -> bool:
    if name in service.runtime.env or name in service.runtime.secret_env:
        return True
    if service.build is not None and (name in service.build.args or name in service.build.secrets):
        return True
    return any(s.name == name and (not s.used_by or service.name in s.used_by) for s in arch.secrets)


def resolve(arch: Architecture, service: Service, name: str, target: str) -> Resolution:
    """Decide what reading ``name`` in ``service`` needs on ``target`` (see :class:`Resolution`)."""
    source = arch.source_format
    entries = injected_by(name)
    binding = next((b for b in service.bindings if b.variable == name), None)
    src_entry = next((e for e in entries if e.platform == source), None)
    group: str | None = None
    attribute: str | None = None
    resource: str | None = None
    if binding is not None:
        group, attribute, resource = _resource_group(arch, binding.resource), binding.attribute, binding.resource
    if group is None:
        # Without a binding, a platform's add-on name means a resource only if the source platform
        # injects it, or the setup has a resource of that kind for the target to attach.
        entry = src_entry or next((e for e in entries if e.group in RESOURCE_GROUPS
                                   and _has_group(arch, e.group)), None)
        if entry is not None and entry.group in RESOURCE_GROUPS:
            group, attribute = entry.group, entry.attribute
    injecting = src_entry.platform if src_entry else (entries[0].platform if entries else None)
    base = Resolution(name=name, action="carried", resource=resource, group=group,
                      attribute=attribute, source_platform=injecting)

    if group in RESOURCE_GROUPS and attribute is not None:
        if any(e.platform == target and e.group == group for e in entries):
            return replace(base, action="provided", target_name=name)
        if target not in injecting_platforms():
            # compose injects nothing: the generated compose file sets the names the code reads.
            return replace(base, action="carried")
        if binding is not None:
            rivals = {b.resource for b in service.bindings
                      if b.attribute == attribute and _resource_group(arch, b.resource) == group}
            if len(rivals) > 1:
                return replace(base, action="ambiguous")
        candidates = target_names(group, attribute, target)
        if not candidates:
            return replace(base, action="no_equivalent")
        new = candidates[0]
        old_form, new_form = form_of(name, service), value_form(new)
        if old_form is not None and new_form is not None and old_form != new_form:
            return replace(base, action="semantic", target_name=new)
        return replace(base, action="rename", target_name=new)

    runtime_platforms = [e.platform for e in entries if e.group == "runtime"]
    prefix_platform = platform_prefix(name)
    platform = prefix_platform or (
        source if source in runtime_platforms else (runtime_platforms[0] if runtime_platforms else None))
    if platform is not None:
        base = replace(base, source_platform=platform,
                       group="prefix" if prefix_platform else "runtime")
        if platform == target or target in runtime_platforms:
            return replace(base, action="provided", target_name=name)
        if target not in injecting_platforms():
            return replace(base, action="carried") if _is_set(arch, service, name) else \
                replace(base, action="no_equivalent")
        if name == "PORT":
            return replace(base, action="port")
        return replace(base, action="no_equivalent")
    if _is_set(arch, service, name) or name in CONVENTIONAL or is_bundler_builtin(name):
        return replace(base, action="carried")
    return replace(base, action="unset")


# ---------------------------------------------------------------------------- findings

@dataclass(frozen=True, slots=True, kw_only=True)
class EnvFinding:
    """One finding for the plan report: a service reads a name that needs attention on target."""

    service: str
    name: str
    reads: tuple[EnvRead, ...]  # every place the service reads it (the first is cited)
    resolution: Resolution
    diagnostic: Diagnostic


@dataclass(frozen=True, slots=True)
class BuildTimeVar:
    """A variable the front's code reads while it is built (VITE_*, import.meta.env...)."""

    name: str
    secret: bool  # the name looks secret: pass it as a build secret rather than a build arg
    read: EnvRead  # the first place it is read


def _where(reads: tuple[EnvRead, ...]) -> str:
    first = reads[0]
    more = f" and {len(reads) - 1} more place(s)" if len(reads) > 1 else ""
    return f"{first.file}:{first.line}{more}"


def _label(platform: str | None) -> str:
    return label(platform)


def _what(res: Resolution) -> str:
    noun = {"database": "database", "object_store": "object store"}.get(res.group or "", "resource")
    named = f" '{res.resource}'" if res.resource else ""
    return f"the {res.attribute} of the {noun}{named}"


def build_time_vars(service: Service) -> tuple[BuildTimeVar, ...]:
    """Variables the service's JavaScript/TypeScript reads at build time, sorted by name.

    The writers turn each into a build argument (or a build secret when ``secret``) of the
    generated Dockerfile and deploy workflow, under the same name on both sides.
    """
    first: dict[str, EnvRead] = {}
    for read in service.env_reads:
        if read.build_time and read.language in ("javascript", "typescript") \
                and not is_bundler_builtin(read.name):
            first.setdefault(read.name, read)
    return tuple(BuildTimeVar(name, name_looks_secret(name), first[name]) for name in sorted(first))


_HOST_IN_VALUE = re.compile(r"(?:^|[/@,\s=])([A-Za-z0-9][A-Za-z0-9_.-]*)(?::\d+)?(?=$|[/:?#,\s])")


def compose_hosts(value: str, names: Iterable[str]) -> tuple[str, ...]:
    """Compose service names that appear as a host in ``value`` (``http://api:3000/x`` -> api)."""
    wanted = set(names)
    hosts = {m.group(1) for m in _HOST_IN_VALUE.finditer(value)}
    return tuple(sorted(hosts & wanted))


def env_findings(arch: Architecture, target: str) -> tuple[EnvFinding, ...]:
    """Findings for every service's ``env_reads`` (fill them with ``scan_architecture`` first).

    One finding per service and name, citing the first read; deterministic order.
    """
    out: list[EnvFinding] = []
    component_names = sorted(arch.resource_names())
    for service in arch.services:
        grouped: dict[str, list[EnvRead]] = {}
        for read in service.env_reads:
            grouped.setdefault(read.name, []).append(read)
        for name in sorted(grouped):
            # Cite the application's own code before Dockerfiles and scripts.
            reads = tuple(sorted(grouped[name], key=lambda r: (
                r.language not in CODE_LANGUAGES, r.file, r.line)))
            out.extend(_findings_for(arch, service, name, reads, target, component_names))
    return tuple(out)


def _findings_for(arch: Architecture, service: Service, name: str, reads: tuple[EnvRead, ...],
                  target: str, component_names: list[str]) -> list[EnvFinding]:
    res = resolve(arch, service, name, target)
    loc = Location(file=reads[0].file, line=reads[0].line)
    where = _where(reads)
    svc = service.name
    tgt = _label(target)
    found: list[tuple[Diagnostic, Resolution]] = []

    def add(diag: Diagnostic) -> None:
        found.append((diag, res))

    code_reads = [r for r in reads if r.language in CODE_LANGUAGES]
    if res.action == "rename":
        add(Diagnostic(code=I_RENAMED, severity=Severity.INFO, location=loc,
                       message=f"{svc} reads {name} at {where}; on {tgt} {_what(res)} arrives as "
                               f"{res.target_name}",
                       hint=f"run `hopper rewrite-env --to {target}` to rename the reads, or set "
                            f"{name} from {res.target_name} on {tgt}"))
    elif res.action == "semantic":
        old_form, new_form = form_of(name, service), value_form(res.target_name or "")
        add(Diagnostic(code=W_SEMANTIC, severity=Severity.WARNING, location=loc,
                       message=f"{svc} reads {name} at {where}: a {old_form}; on {tgt} {_what(res)} "
                               f"arrives as {res.target_name}, a {new_form}; not renamed",
                       hint=f"change the code to use {res.target_name} as a {new_form}, or set "
                            f"{name} yourself on {tgt}"))
    elif res.action == "no_equivalent":
        what = _what(res) if res.group in RESOURCE_GROUPS else "it"
        set_by = f", set by {_label(res.source_platform)}" if res.source_platform else ""
        add(Diagnostic(code=W_NO_EQUIVALENT, severity=Severity.WARNING, location=loc,
                       message=f"{svc} reads {name} at {where}{set_by}; "
                               f"{tgt} provides no variable for {what}",
                       hint=f"set {name} yourself on {tgt} (a secret if it is one), or change the code"))
    elif res.action == "ambiguous":
        add(Diagnostic(code=W_AMBIGUOUS, severity=Severity.WARNING, location=loc,
                       message=f"{svc} reads {name} at {where}; {svc} is attached to several "
                               f"resources that would each provide {res.attribute} on {tgt}",
                       hint="attach them under distinct variable names and rename the reads by hand"))
    elif res.action == "port":
        add(Diagnostic(code=I_PORT, severity=Severity.INFO, location=loc,
                       message=f"{svc} reads PORT at {where}; {tgt} does not inject PORT",
                       hint=f"set PORT in the {tgt} environment to the port the service listens on"))
    elif res.action == "unset" and code_reads and not any(r.build_time for r in code_reads):
        cited = tuple(code_reads)
        add(Diagnostic(code=I_UNSET, severity=Severity.INFO,
                       location=Location(file=cited[0].file, line=cited[0].line),
                       message=f"{svc} reads {name} at {_where(cited)}, but the setup never sets it",
                       hint="it may be set outside the files hopper read; otherwise the code sees it unset"))

    build_reads = [r for r in reads if r.build_time and r.language in ("javascript", "typescript")]
    if build_reads and not _build_sees_runtime_env(target) and not is_bundler_builtin(name):
        kind = "build secret" if name_looks_secret(name) else "build argument"
        first = build_reads[0]
        add(Diagnostic(code=I_BUILD_TIME, severity=Severity.INFO,
                       location=Location(file=first.file, line=first.line),
                       message=f"{svc} reads {name} when it is built ({first.file}:{first.line}); "
                               f"on {tgt} it must be passed as a {kind} named {name}",
                       hint="runtime env and secrets are not visible while the image is built"))

    if _hosts_are_names(arch.source_format) and target != arch.source_format:
        value = service.runtime.env.get(name)
        if value is None and service.build is not None:
            value = service.build.args.get(name)
        others = [n for n in component_names if n != svc] + [svc]
        hosts = compose_hosts(value, others) if value else ()
        if hosts:
            add(Diagnostic(code=W_COMPOSE_HOST, severity=Severity.WARNING, location=loc,
                           message=f"{svc} reads {name} at {where}; its value names the "
                                   f"{_label(arch.source_format)} host '{hosts[0]}', which does not "
                                   f"resolve on {tgt}",
                           hint=f"point {name} at the {tgt} private address of '{hosts[0]}'"))
    return [EnvFinding(service=svc, name=name, reads=reads, resolution=r, diagnostic=d)
            for d, r in found]



def _build_sees_runtime_env(platform: str) -> bool:
    return platform in format_names() and get_format(platform).platform.build_sees_runtime_env


def _hosts_are_names(platform: str | None) -> bool:
    return bool(platform) and platform in format_names() \
        and get_format(platform or "").platform.hosts_are_service_names
