"""The last step of loading a compose project: the merged document becomes a ComposeProject.

Profiles are applied and ``depends_on`` checked, ``env_file`` values are folded under
``environment`` (a missing git-ignored ``.env`` is a warning), and durations, sizes and CPUs are
parsed. It is separate from :mod:`.project` because it runs once on the merged result, while
the rest of loading runs per file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hopper.diagnostics import Location, fail
from hopper.formats.compose import lenient
from hopper.formats.compose.interpolation import EnvRefs
from hopper.formats.compose.load_state import (
    E_ALL_PROFILES,
    E_BAD_VALUE,
    E_NO_SERVICES,
    E_UNKNOWN_DEPENDENCY,
    ComposeProject,
    Key,
    LoadContext,
    RefText,
    read_env,
)
from hopper.formats.compose.merge import strip_tags

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)


def finish_project(merged: dict[str, Any], locations: dict[Key, Location], root: Path,
                   env: dict[str, str], ctx: LoadContext, project_dir: Path) -> ComposeProject:
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
                    ctx: LoadContext) -> dict[str, Any]:
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
            parsed = read_env(ref["path"], ctx.files.root, loc, "env_file", ctx,
                               {k: v for k, v in from_files.items() if v is not None})
            for key, value in parsed.values.items():
                from_files[key] = value
                if key not in environment:
                    locations.setdefault(("services", name, "environment", key),
                                         Location(file=ctx.files.rel(path.resolve()),
                                                  line=parsed.lines[key], col=1))
        refs: dict[str, EnvRefs] = {}
        for key, value in environment.items():
            if isinstance(value, RefText):
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
                      locations: dict[Key, Location], ctx: LoadContext) -> None:
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
        parsed = read_env(str(example), ctx.files.root, loc, "env file example", ctx, {})
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
