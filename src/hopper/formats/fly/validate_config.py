"""flyctl's ``Validate()`` rules (reference flyio.md §1.21) for the general sections of one config:
commands, [deploy], [build], primary_region, [env], [[statics]] and [[files]]; and the helpers the
other rule modules share (the service sections of a config, process group names).
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostic, Severity, code, error, warning
from hopper.formats.fly.flytoml_config import FlyConfig

# -- flyctl's Validate() (hard errors and warnings, §1.21)
E_RELEASE_COMMAND = code("HOP310", Severity.ERROR, "release_command cannot be split like a shell command")
E_STRATEGY = code("HOP311", Severity.ERROR, "unknown deploy strategy")
E_STRATEGY_MOUNTS = code("HOP312", Severity.ERROR, "canary or bluegreen deploys with [[mounts]]")
W_BLUEGREEN_CHECKS = code("HOP313", Severity.WARNING, "bluegreen deploys without any health check")
E_UNKNOWN_PROCESS = code("HOP317", Severity.ERROR, "a service or restart policy names a process group that does not exist")
W_UNKNOWN_PROCESS = code("HOP318", Severity.WARNING, "a section names a process group that does not exist")
E_PROCESS_COMMAND = code("HOP319", Severity.ERROR, "a [processes] command cannot be split like a shell command")
E_CONSOLE_COMMAND = code("HOP320", Severity.ERROR, "console_command cannot be split like a shell command")
E_COMPRESSION = code("HOP324", Severity.ERROR, "an invalid [build] compression or compression_level")
W_BUILD_STRATEGIES = code("HOP325", Severity.WARNING, "more than one build configuration in [build]")
W_MAX_UNAVAILABLE = code("HOP328", Severity.WARNING, "max_unavailable set for a strategy that ignores it, or not positive")

# -- the platform's rules, checked offline
E_REGION_RETIRED = code("HOP332", Severity.ERROR, "primary_region is a retired Fly region")
E_REGION_UNKNOWN = code("HOP333", Severity.ERROR, "primary_region is not a Fly region")
W_FLY_ENV = code("HOP341", Severity.WARNING, "an [env] name starting with FLY_ (reserved for the platform)")
W_PORT_ENV = code("HOP342", Severity.WARNING, "[env] PORT differs from internal_port")
E_STATICS = code("HOP351", Severity.ERROR, "a [[statics]] entry without url_prefix, or more than 10")
W_STATICS_OVERLAP = code("HOP352", Severity.WARNING, "two [[statics]] url_prefix values overlap")
E_FILES = code("HOP353", Severity.ERROR, "a [[files]] entry without guest_path or without exactly one source")

_STRATEGIES = ("canary", "rolling", "immediate", "bluegreen")


def process_groups(cfg: FlyConfig, out: list[Diagnostic]) -> list[str]:
    processes = cfg.data.get("processes") or {}
    for name, command in processes.items():
        try:
            shlex.split(command)
        except ValueError as exc:
            out.append(error(E_PROCESS_COMMAND, f"Could not parse command for '{name}' process "
                             f"group; check [processes] section: {exc}", cfg.location("processes", name)))
    return sorted(processes)


def check_commands(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    console = cfg.data.get("console_command")
    if isinstance(console, str):
        try:
            shlex.split(console)
        except ValueError:
            out.append(error(E_CONSOLE_COMMAND, f"Can't shell split console command: '{console}'",
                             cfg.location("console_command")))
    release = cfg.get("deploy", "release_command")
    if isinstance(release, str):
        try:
            shlex.split(release)
        except ValueError:
            out.append(error(E_RELEASE_COMMAND, f"Can't shell split release command: '{release}'",
                             cfg.location("deploy", "release_command")))


def check_deploy(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    deploy = cfg.data.get("deploy") or {}
    strategy = deploy.get("strategy")
    mounts = cfg.data.get("mounts") or []
    if isinstance(strategy, str) and strategy:
        if strategy not in _STRATEGIES:
            close = difflib.get_close_matches(strategy, _STRATEGIES, n=1)
            out.append(error(E_STRATEGY, f"unsupported deployment strategy '{strategy}'; Apps v2 "
                             "supports the following strategies: canary, rolling, immediate, bluegreen",
                             cfg.location("deploy", "strategy"),
                             hint=f"did you mean '{close[0]}'?" if close else None))
        elif strategy in ("canary", "bluegreen") and mounts:
            out.append(error(E_STRATEGY_MOUNTS, f"{strategy} deployment strategy is not supported "
                             "when using mounted volumes", cfg.location("deploy", "strategy"),
                             hint="use the rolling or immediate strategy"))
        if strategy == "bluegreen" and not _has_any_check(cfg):
            out.append(warning(W_BLUEGREEN_CHECKS, "bluegreen deploys need at least one health "
                               "check; the deploy will fail", cfg.location("deploy", "strategy")))
    if "max_unavailable" in deploy:
        value = deploy["max_unavailable"]
        if value <= 0:
            out.append(warning(W_MAX_UNAVAILABLE, "max_unavailable must be greater than 0",
                               cfg.location("deploy", "max_unavailable")))
        effective = strategy or "rolling"
        if effective not in ("rolling", "canary"):
            out.append(warning(W_MAX_UNAVAILABLE, f"max-unavailable set for non-rolling strategy "
                               f"'{effective}', ignoring", cfg.location("deploy", "max_unavailable")))


def _has_any_check(cfg: FlyConfig) -> bool:
    if cfg.data.get("checks"):
        return True
    if cfg.get("http_service", "checks"):
        return True
    return any(s.get("tcp_checks") or s.get("http_checks") for s in cfg.data.get("services") or [])


def check_build(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    build = cfg.data.get("build") or {}
    strategies = []
    if build.get("image"):
        strategies.append("the \"" + build["image"] + "\" docker image")
    if build.get("builder") or build.get("buildpacks"):
        strategies.append("a buildpack")
    if build.get("dockerfile") or build.get("build-target"):
        strategies.append("a dockerfile")
    if build.get("builtin"):
        strategies.append("a builtin")
    if len(strategies) > 1:
        out.append(warning(W_BUILD_STRATEGIES, "more than one build configuration found: ["
                           + ", ".join(strategies) + "]", cfg.location("build"),
                           hint="keep one of image, builder/buildpacks, dockerfile, builtin"))
    compression = build.get("compression")
    if compression is not None and compression not in ("gzip", "zstd", ""):
        out.append(error(E_COMPRESSION, f"Invalid value '{compression}' for compression. Valid "
                         "options are 'gzip', 'zstd', or leave unset.", cfg.location("build", "compression")))
    level = build.get("compression_level")
    if level is not None and not 0 <= level <= 9:
        out.append(error(E_COMPRESSION, f"Invalid value '{level}' for compression level. Must be "
                         "an integer between 0 and 9.", cfg.location("build", "compression_level")))


def services_of(cfg: FlyConfig) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    out: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    if isinstance(cfg.data.get("http_service"), dict):
        out.append((("http_service",), cfg.data["http_service"]))
    for index, service in enumerate(cfg.data.get("services") or []):
        out.append((("services", index), service))
    return out


def unknown_groups(cfg: FlyConfig, path: tuple[str | int, ...], section: dict[str, Any],
                    groups: list[str], out: list[Diagnostic], code_name: str, what: str) -> None:
    known = groups or ["app"]
    for index, group in enumerate(section.get("processes") or []):
        if group not in known:
            message = (f"{what} specifies '{group}' as one of its processes, but no processes are "
                       "defined with that name")
            hint = did_you_mean(group, known)
            if code_name == E_UNKNOWN_PROCESS:
                out.append(error(code_name, message, cfg.location(*path, "processes", index), hint))
            else:
                out.append(warning(code_name, message, cfg.location(*path, "processes", index), hint))


def did_you_mean(value: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f"did you mean '{close[0]}'?" if close else None


def check_region(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    region = cfg.data.get("primary_region")
    if not isinstance(region, str) or not region:
        return
    known = mappings.regions("fly")
    info = known.get(region)
    where = cfg.location("primary_region")
    if info is None:
        current = sorted(c for c, r in known.items() if not r.retired)
        close = difflib.get_close_matches(region.lower(), current, n=1)
        out.append(error(E_REGION_UNKNOWN, f"region {region} not found. Is this a valid region "
                         "according to `fly platform regions`?", where,
                         hint=f"did you mean '{close[0]}'?" if close else f"current regions: {', '.join(current)}"))
    elif info.retired:
        out.append(error(E_REGION_RETIRED, f"Region {region} ({info.city}) is deprecated and cannot "
                         "have new resources provisioned", where,
                         hint=f"use {info.replacement} (flyctl's own replacement)" if info.replacement else None))


def check_env(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    env = cfg.data.get("env") or {}
    for name in sorted(env):
        if name.startswith("FLY_"):
            out.append(warning(W_FLY_ENV, f"[env] {name}: names starting with FLY_ are reserved for "
                               "the platform", cfg.location("env", name)))
    port = env.get("PORT")
    if port is None:
        return
    for path, service in services_of(cfg):
        internal = service.get("internal_port")
        if internal is not None and str(internal) != port.strip():
            out.append(warning(W_PORT_ENV, f"[env] PORT is {port} but {'.'.join(map(str, path))}"
                               f".internal_port is {internal}: an app that listens on $PORT gets no "
                               "traffic", cfg.location("env", "PORT"),
                               hint=f"make them equal (PORT = '{internal}')"))


def check_statics_files(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    statics = cfg.data.get("statics") or []
    if len(statics) > 10:
        out.append(error(E_STATICS, f"{len(statics)} [[statics]] entries; Fly allows at most 10",
                         cfg.location("statics", 10)))
    prefixes: list[tuple[str, int]] = []
    for index, static in enumerate(statics):
        prefix = static.get("url_prefix")
        if not prefix:
            out.append(error(E_STATICS, "a [[statics]] entry needs url_prefix", cfg.location("statics", index)))
            continue
        for other, other_index in prefixes:
            if prefix.startswith(other) or other.startswith(prefix):
                out.append(warning(W_STATICS_OVERLAP, f"statics url_prefix '{prefix}' overlaps "
                                   f"'{other}' (statics[{other_index}])",
                                   cfg.location("statics", index, "url_prefix")))
        prefixes.append((prefix, index))
    for index, entry in enumerate(cfg.data.get("files") or []):
        sources = [k for k in ("raw_value", "local_path", "secret_name") if k in entry]
        if not entry.get("guest_path"):
            out.append(error(E_FILES, "a [[files]] entry needs guest_path", cfg.location("files", index)))
        if len(sources) != 1:
            out.append(error(E_FILES, "a [[files]] entry needs exactly one of raw_value, local_path, "
                             f"secret_name (found {len(sources)})", cfg.location("files", index)))
        unknown_groups(cfg, ("files", index), entry, groups, out, W_UNKNOWN_PROCESS, "File")
    for index, metric in enumerate(cfg.data.get("metrics") or []):
        unknown_groups(cfg, ("metrics", index), metric, groups, out, W_UNKNOWN_PROCESS, "Metrics")
