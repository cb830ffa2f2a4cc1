"""Secrets and env: where values live, what the target no longer provides, values that leak.

Values are shown only for plain env vars whose name and value do not look secret; anything
else is "(sensitive value)" or "(value hidden)". Secrets are compared by digest only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from hopper import mappings
from hopper.diagnostics import HopperError, Location
from hopper.findings.context import Context, first_origin
from hopper.formats import format_names, get_format
from hopper.model import Architecture, Binding, EnvRead, Service
from hopper.secrets import looks_secret, redact_url, url_has_credentials

SENSITIVE = "(sensitive value)"
SENSITIVE_CHANGED = "(sensitive value changed)"
MAX_VALUE = 80
MAX_NAMES = 8

def secret_store(platform: str) -> str:
    """Where the platform keeps secret values (each format declares it)."""
    if platform in format_names():
        return get_format(platform).platform.secret_store
    return f"{platform} secrets"


@functools.cache
def runtime_names(platform: str) -> frozenset[str]:
    """Names the platform itself sets on every instance (PORT on Clever Cloud, FLY_* on Fly)."""
    try:
        section = mappings.table("env-names").get(platform, {})
    except HopperError:
        return frozenset()
    names = section.get("runtime", {}).get("names", []) if isinstance(section, dict) else []
    return frozenset(str(n) for n in names)


@functools.cache
def non_sensitive_names() -> frozenset[str]:
    """Names a platform stores as secrets although their values are not sensitive (Tigris's
    BUCKET_NAME, AWS_REGION, AWS_ENDPOINT_URL_S3; Clever's add-on hosts and ports)."""
    try:
        table = mappings.table("env-names")
    except HopperError:
        return frozenset()
    out: set[str] = set()
    for platform in format_names():
        for group in ("database", "object_store"):
            for name, row in table.get(platform, {}).get(group, {}).items():
                if isinstance(row, dict) and row.get("secret") is False:
                    out.add(name)
    return frozenset(out)


def show_value(name: str, value: str) -> str:
    if looks_secret(name, value):
        return "(value hidden)"
    if url_has_credentials(value):
        value = redact_url(value)
    if len(value) > MAX_VALUE:
        value = value[: MAX_VALUE - 1] + "…"
    return value


def _names(names: list[str] | set[str] | frozenset[str]) -> str:
    items = sorted(names)
    if not items:
        return "(none)"
    extra = f" +{len(items) - MAX_NAMES} more" if len(items) > MAX_NAMES else ""
    return ", ".join(items[:MAX_NAMES]) + extra


@dataclass(frozen=True, slots=True)
class Provided:
    """Every env name a service receives at runtime and at build time, and where from."""

    env: dict[str, str]
    secrets: frozenset[str]
    bindings: dict[str, Binding]
    platform: frozenset[str]
    build: frozenset[str]

    @property
    def runtime(self) -> frozenset[str]:
        return frozenset(self.env) | self.secrets | frozenset(self.bindings) | self.platform


def provided(svc: Service, arch: Architecture, platform: str) -> Provided:
    arch_secrets = {s.name for s in arch.secrets if svc.name in s.used_by and not s.build_time}
    build_secrets = {s.name for s in arch.secrets if svc.name in s.used_by and s.build_time}
    build: set[str] = set(build_secrets)
    if svc.build is not None:
        build |= set(svc.build.args) | set(svc.build.secrets)
    if platform in format_names() and get_format(platform).platform.build_sees_runtime_env:
        # The platform builds on the instance, with the app's env vars already set.
        build |= set(svc.runtime.env) | set(svc.runtime.secret_env) | {b.variable for b in svc.bindings}
    return Provided(
        env=dict(svc.runtime.env),
        secrets=frozenset(svc.runtime.secret_env) | arch_secrets,
        bindings={b.variable: b for b in svc.bindings},
        platform=runtime_names(platform),
        build=frozenset(build),
    )


def derived_names(before: Service, pb: Provided, after: Service, pa: Provided,
                  ctx: Context) -> frozenset[str]:
    """Names the target derives at startup from what its platform sets (an entrypoint shim).

    A reader states them in ``extensions[<format>]["env_aliases"]`` (alias -> source name, or a
    list of aliases). hopper's own Fly entrypoint (``hopper-env.sh``) derives every name the
    source bound to a resource attribute that the target also binds; it is recognised by name
    when the reader does not state the aliases.
    """
    names: set[str] = set()
    for ext in after.extensions.values():
        if isinstance(ext, dict):
            aliases = ext.get("env_aliases")
            if isinstance(aliases, dict | list | tuple):
                names.update(str(x) for x in aliases)
    if any(part.endswith("hopper-env.sh") for part in after.runtime.command):
        targets = {(x.resource, x.attribute) for x in pa.bindings.values()}
        for var, binding in pb.bindings.items():
            if (ctx.after_name_of(binding.resource), binding.attribute) in targets:
                names.add(var)
    return frozenset(names)


def check(ctx: Context) -> None:
    for pair, b, a in ctx.paired_services():
        pb = provided(b, ctx.before, ctx.before_platform)
        pa = provided(a, ctx.after, ctx.after_platform)
        pa = replace(pa, platform=pa.platform | derived_names(b, pb, a, pa, ctx))
        _classification(ctx, pair.name, pair.aliases, b, a, pb, pa)
        _moves(ctx, pair.name, pair.aliases, b, a, pb, pa)
        reported = _reads(ctx, pair.name, pair.aliases, b, a, pb, pa)
        _dropped(ctx, pair.name, pair.aliases, b, a, pb, pa, reported)
        _build_secrets(ctx, pair.name, pair.aliases, b, a)
    _arch_secrets(ctx)


def _classification(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service,
                    pb: Provided, pa: Provided) -> None:
    if not ctx.platform_changes or not (pa.env or pa.secrets):
        return
    store = secret_store(ctx.after_platform)
    ctx.emit("HD301", name, aliases=aliases,
             before=f"secrets: {_names(pb.secrets)}; plain: {_names(set(pb.env))}",
             after=f"{store}: {_names(pa.secrets)}; plain env: {_names(set(pa.env))}",
             evidence_before=(b.runtime, b), evidence_after=(a.runtime, a),
             store=store)


def _moves(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service,
           pb: Provided, pa: Provided) -> None:
    ev: dict[str, Any] = {"evidence_before": (b.runtime, b),
          "evidence_after": (a.runtime, a), "aliases": aliases}
    for var in sorted(pb.secrets & set(pa.env)):
        if var in non_sensitive_names() and not looks_secret(var, pa.env[var]):
            continue  # stored as a secret by the platform, but its value is not sensitive
        ctx.emit("HD302", name, before=f"{var} (secret)", after=f"{var} (plain env)", name=var, **ev)
    for var in sorted(set(pb.env) & pa.secrets):
        ctx.emit("HD303", name, before=f"{var} (plain env)", after=f"{var} (secret)", name=var, **ev)
    for var in sorted(set(pa.env)):
        value = pa.env[var]
        if var in pb.env:
            old = pb.env[var]
            if old == value:
                continue
            if looks_secret(var, old) or looks_secret(var, value):
                ctx.emit("HD309", name, before=f"{var}={SENSITIVE}",
                         after=f"{var}={SENSITIVE_CHANGED}", name=var, **ev)
                if looks_secret(var, value):
                    ctx.emit("HD310", name, before=None, after=f"{var} (plain env, value hidden)",
                             name=var, **ev)
            else:
                ctx.emit("HD309", name, before=f"{var}={show_value(var, old)}",
                         after=f"{var}={show_value(var, value)}", name=var, **ev)
        elif var in pb.secrets:
            continue  # reported as HD302
        elif looks_secret(var, value):
            ctx.emit("HD310", name, before=None, after=f"{var} (plain env, value hidden)",
                     name=var, **ev)
        else:
            ctx.emit("HD307", name, after=f"{var}={show_value(var, value)}", name=var, **ev)


def _read_index(b: Service, a: Service) -> dict[tuple[str, bool], list[EnvRead]]:
    index: dict[tuple[str, bool], list[EnvRead]] = {}
    seen: set[tuple[str, str, int, bool]] = set()
    for read in (*b.env_reads, *a.env_reads):
        key = (read.name, read.file, read.line, read.build_time)
        if key in seen:
            continue
        seen.add(key)
        index.setdefault((read.name, read.build_time), []).append(read)
    # The source side's reads come first: they are the code the user has today.
    order = {id(r): 0 for r in b.env_reads}
    for reads in index.values():
        reads.sort(key=lambda r: (order.get(id(r), 1), r.file, r.line))
    return index


def _where(reads: list[EnvRead]) -> str:
    first = f"{reads[0].file}:{reads[0].line}"
    return first if len(reads) == 1 else f"{first} and {len(reads) - 1} more"


def _source_note(var: str, pb: Provided, ctx: Context) -> str:
    binding = pb.bindings.get(var)
    if binding is not None:
        return f" ({_resource_kind(ctx, binding.resource)} {binding.resource}, {binding.attribute})"
    if var in pb.platform and var not in pb.env and var not in pb.secrets:
        return f" (set by {ctx.before_platform})"
    return ""


def _resource_kind(ctx: Context, name: str) -> str:
    if ctx.before.database(name) is not None:
        return "database"
    if ctx.before.object_store(name) is not None:
        return "object store"
    return "service"


def _remedy(ctx: Context, var: str, pb: Provided, pa: Provided) -> str:
    binding = pb.bindings.get(var)
    if binding is not None:
        target = ctx.after_name_of(binding.resource)
        for other in sorted(pa.bindings.values(), key=lambda x: x.variable):
            if other.resource == target and other.attribute == binding.attribute:
                return (f"On {ctx.after_platform} the same value arrives as {other.variable}: "
                        f"read {other.variable} in the code (hopper rewrite-env --to "
                        f"{ctx.after_platform} does it), or set {var} from it at startup.")
    return f"Set {var} on the target (env or secret), or change the code to stop reading it."


def _display(var: str, pb: Provided, ctx: Context) -> str:
    if var in pb.env:
        return f"{var}={show_value(var, pb.env[var])}"
    return var + _source_note(var, pb, ctx)


def _reads(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service,
           pb: Provided, pa: Provided) -> set[str]:
    reported: set[str] = set()
    for (var, build_time), reads in sorted(_read_index(b, a).items()):
        code_loc = Location(file=reads[0].file, line=reads[0].line)
        if build_time:
            if var in pb.build and var not in pa.build:
                ctx.emit("HD315", name, aliases=aliases, before=f"{var} (provided at build)",
                         after=None, evidence_before=code_loc,
                         evidence_after=(a.build, a), name=var, where=_where(reads))
                reported.add(var)
            continue
        if var in pb.runtime and var not in pa.runtime:
            ctx.emit("HD313", name, aliases=aliases, before=_display(var, pb, ctx), after=None,
                     evidence_before=code_loc, evidence_after=(a.runtime, a),
                     name=var, where=_where(reads), source_note=_source_note(var, pb, ctx),
                     remedy=_remedy(ctx, var, pb, pa))
            reported.add(var)
        elif var in pb.bindings and var in pa.runtime and var not in pa.env and var not in pa.secrets:
            target = _target_name(ctx, pb.bindings[var], pa, exclude=var)
            if target is not None:
                ctx.emit("HD316", name, aliases=aliases,
                         before=f"{var}{_source_note(var, pb, ctx)}",
                         after=f"{target} (derived at boot)", evidence_before=code_loc,
                         evidence_after=(a.runtime, a), name=var, where=_where(reads),
                         target_name=target,
                         derivation=f"hopper's entrypoint derives {var} from it at boot")
                reported.add(var)
    return reported


def _target_name(ctx: Context, source: Binding, pa: Provided, *, exclude: str) -> str | None:
    """The name under which the target delivers the same resource attribute, when it differs."""
    resource = ctx.after_name_of(source.resource)
    wanted = {source.attribute}
    if source.attribute in ("host", "endpoint"):
        wanted = {"host", "endpoint"}  # a bare host on one side, a URL on the other
    for var in sorted(pa.bindings):
        binding = pa.bindings[var]
        if var != exclude and binding.resource == resource and binding.attribute in wanted \
                and (var in pa.secrets or var in pa.env or var in pa.platform):
            return var
    return None


def _dropped(ctx: Context, name: str, aliases: tuple[str, ...], b: Service, a: Service,
             pb: Provided, pa: Provided, reported: set[str]) -> None:
    scanned = bool(b.env_reads or a.env_reads)
    read_names = {r.name for r in (*b.env_reads, *a.env_reads)}
    configured = set(pb.env) | pb.secrets | set(pb.bindings)
    for var in sorted(configured - pa.runtime - reported):
        ev_b = first_origin(pb.bindings.get(var), b.runtime, b)
        ev: dict[str, Any] = {"evidence_before": ev_b, "evidence_after": (a.runtime, a),
              "aliases": aliases}
        if var in pb.bindings:
            if scanned and var not in read_names:
                continue  # the platform injected it and the scanned code does not read it
            ctx.emit("HD314", name, before=_display(var, pb, ctx), name=var,
                     source_note=_source_note(var, pb, ctx), remedy=_remedy(ctx, var, pb, pa),
                     **ev)
        elif var in pb.env and a.build is not None and var in a.build.args:
            # A public build-time value (VITE_*...) the target passes to the build instead.
            ctx.emit("HD317", name, before=f"{var}={show_value(var, pb.env[var])} (runtime env)",
                     after=f"{var}={show_value(var, a.build.args[var])} (build argument)", name=var, **ev)
        elif var in pb.env:
            ctx.emit("HD308", name, before=f"{var}={show_value(var, pb.env[var])}", name=var, **ev)
        else:
            ctx.emit("HD305", name, before=f"{var} {SENSITIVE}", name=var, **ev)


def _build_secrets(ctx: Context, name: str, aliases: tuple[str, ...], b: Service,
                   a: Service) -> None:
    sb = set(b.build.secrets) if b.build else set()
    sa = set(a.build.secrets) if a.build else set()
    ev: dict[str, Any] = {"evidence_before": (b.build, b), "evidence_after": (a.build, a),
          "aliases": aliases}
    for var in sorted(sa - sb):
        ctx.emit("HD311", name, after=f"{var} (build secret)", name=var, **ev)
    for var in sorted(sb - sa):
        ctx.emit("HD312", name, before=f"{var} (build secret)", name=var, **ev)


def _arch_secrets(ctx: Context) -> None:
    before = {s.name: s for s in ctx.before.secrets}
    after = {s.name: s for s in ctx.after.secrets}
    plain_after = {var for svc in ctx.after.services for var in svc.runtime.env}
    # Reported per service (HD302/HD305/HD313/HD314), or provisioned by the target platform
    # with the resource it replaces (database passwords, storage keys).
    per_service_b = {var for svc in ctx.before.services
                     for var in (*svc.runtime.secret_env, *(x.variable for x in svc.bindings))}
    paired_resources = {p.name for p in ctx.databases if p.before and p.after} | \
        {p.name for p in ctx.stores if p.before and p.after}
    resource_bound_a = {x.variable for svc in ctx.after.services for x in svc.bindings
                        if ctx.after.database(x.resource) or ctx.after.object_store(x.resource)}
    for name in sorted(set(before) | set(after)):
        sb, sa = before.get(name), after.get(name)
        if sb is None and sa is not None:
            if name in resource_bound_a:
                continue  # set by the platform when the resource is attached
            ctx.emit("HD304", name, kind="secret", after=SENSITIVE, evidence_after=sa,
                     name=name)
        elif sa is None and sb is not None:
            if name in plain_after or name in per_service_b:
                continue
            if sb.used_by and all(user in paired_resources for user in sb.used_by):
                continue
            ctx.emit("HD305", name, kind="secret", before=SENSITIVE, evidence_before=sb,
                     name=name)
        elif sb is not None and sa is not None and sb.digest and sa.digest \
                and sb.digest != sa.digest:
            ctx.emit("HD306", name, kind="secret", before=SENSITIVE, after=SENSITIVE_CHANGED,
                         evidence_before=sb, evidence_after=sa, name=name)
