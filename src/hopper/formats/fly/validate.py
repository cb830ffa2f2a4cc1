"""``hopper validate``: an offline check of a Fly setup.

Three layers, each a list of diagnostics with a code in the HOP3xx range:

1. loading (:mod:`flytoml`): syntax, wrong types (flyctl refuses the file at deploy), unknown
   keys with did-you-mean (flyctl silently ignores them);
2. flyctl's own ``Validate()`` rules (reference flyio.md §1.21), with flyctl's wording where it
   helps a search, plus the platform's deploy-time rules hopper can check offline (regions,
   memory sizes, suspend limits);
3. cross-checks between the files of one setup: the port each app listens on (Dockerfile
   ``EXPOSE``, ``[env] PORT``, nginx ``listen``) against ``internal_port``; build secrets
   between Dockerfiles and workflows; nginx upstreams against the apps of the setup, Flycast
   against ``force_https``, ``.internal`` against autostop.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from hopper import mappings
from hopper.diagnostics import (
    DEFAULT_LIMITS,
    Diagnostic,
    HopperError,
    Limits,
    Location,
    Severity,
    code,
    error,
    warning,
)
from hopper.formats.fly.flytoml_config import E_NO_APP, FlyConfig
from hopper.formats.fly.read_apps import FlyApp, load_apps
from hopper.formats.fly.read_layout import (
    Layout,
    config_read_inside_directory,
    find_layout,
    fly_host_app,
    misread_error,
    setup_deploy_step,
)
from hopper.formats.fly.read_units import format_duration, memory_mb, volume_gb
from hopper.formats.fly.validate_first_deploy import first_deploy_checks
from hopper.formats.fly.validate_packages import package_manager_checks
from hopper.formats.fly.validate_setfiles import check_set_files

# -- flyctl's Validate() (hard errors and warnings, §1.21)
E_RELEASE_COMMAND = code("HOP310", Severity.ERROR, "release_command cannot be split like a shell command")
E_STRATEGY = code("HOP311", Severity.ERROR, "unknown deploy strategy")
E_STRATEGY_MOUNTS = code("HOP312", Severity.ERROR, "canary or bluegreen deploys with [[mounts]]")
W_BLUEGREEN_CHECKS = code("HOP313", Severity.WARNING, "bluegreen deploys without any health check")
E_CHECK_TYPE = code("HOP314", Severity.ERROR, "a top-level check has no valid type (http or tcp)")
E_CHECK_TIMING = code("HOP315", Severity.ERROR, "a top-level check interval under 2 s or timeout over 60 s")
E_SERVICE_NO_PROCESSES = code("HOP316", Severity.ERROR, "a service sets no processes while [processes] defines groups")
E_UNKNOWN_PROCESS = code("HOP317", Severity.ERROR, "a service or restart policy names a process group that does not exist")
W_UNKNOWN_PROCESS = code("HOP318", Severity.WARNING, "a section names a process group that does not exist")
E_PROCESS_COMMAND = code("HOP319", Severity.ERROR, "a [processes] command cannot be split like a shell command")
E_CONSOLE_COMMAND = code("HOP320", Severity.ERROR, "console_command cannot be split like a shell command")
E_MOUNT = code("HOP321", Severity.ERROR, "a [[mounts]] size, retention or auto-extend value breaks flyctl's rules")
E_MOUNTS_PER_GROUP = code("HOP322", Severity.ERROR, "a process group has more than one [[mounts]]")
E_RESTART_POLICY = code("HOP323", Severity.ERROR, "an invalid [[restart]] policy")
E_COMPRESSION = code("HOP324", Severity.ERROR, "an invalid [build] compression or compression_level")
W_BUILD_STRATEGIES = code("HOP325", Severity.WARNING, "more than one build configuration in [build]")
W_SERVICE_NO_PORTS = code("HOP326", Severity.WARNING, "a [[services]] exposes no port")
W_CHECK_CLAMPED = code("HOP327", Severity.WARNING, "a service check duration outside 1 s .. 1 min (flyctl clamps it)")
W_MAX_UNAVAILABLE = code("HOP328", Severity.WARNING, "max_unavailable set for a strategy that ignores it, or not positive")
E_CHECK_PORT = code("HOP329", Severity.ERROR, "a top-level check has no port and no [http_service] to take it from")
E_MACHINE_CHECK = code("HOP330", Severity.ERROR, "a machine check has no command")
W_LAZY_LOAD = code("HOP331", Severity.WARNING, "experimental.lazy_load_images is no longer supported")
# -- the platform's rules, checked offline
E_REGION_RETIRED = code("HOP332", Severity.ERROR, "primary_region is a retired Fly region")
E_REGION_UNKNOWN = code("HOP333", Severity.ERROR, "primary_region is not a Fly region")
E_VM_SIZE = code("HOP334", Severity.ERROR, "an unknown [[vm]] size preset")
E_VM_MEMORY = code("HOP335", Severity.ERROR, "[[vm]] memory is zero, out of the preset's range, or not a whole step")
E_FLYCAST_HTTPS = code("HOP336", Severity.ERROR, "force_https = true on an app reached through Flycast")
W_MIN_RUNNING_NO_AUTOSTOP = code("HOP337", Severity.WARNING, "min_machines_running without autostop does nothing")
W_SUSPEND_LIMITS = code("HOP338", Severity.WARNING, "auto_stop_machines = suspend on a Machine that cannot suspend")
W_CHECK_TIMEOUT = code("HOP339", Severity.WARNING, "a check timeout not shorter than its interval")
W_NO_INTERNAL_PORT = code("HOP340", Severity.WARNING, "a service without internal_port (flyctl uses port 0)")
W_FLY_ENV = code("HOP341", Severity.WARNING, "an [env] name starting with FLY_ (reserved for the platform)")
W_PORT_ENV = code("HOP342", Severity.WARNING, "[env] PORT differs from internal_port")
W_EXPOSE_PORT = code("HOP343", Severity.WARNING, "internal_port is not a port the Dockerfile EXPOSEs")
E_NGINX_LISTEN = code("HOP344", Severity.ERROR, "internal_port is not a port the app's nginx listens on")
W_BUILD_SECRETS = code("HOP345", Severity.WARNING, "build secrets differ between the Dockerfile and the deploy workflow")
W_ROUTE_UNKNOWN_APP = code("HOP346", Severity.WARNING, "an nginx upstream names a Fly app that is not in this setup")
E_INTERNAL_AUTOSTOP = code("HOP347", Severity.ERROR, "nginx reaches an autostopping app through .internal")
W_INTERNAL_AT_BOOT = code("HOP348", Severity.WARNING, "a literal .internal upstream is resolved once when nginx starts")
W_KILL_TIMEOUT = code("HOP349", Severity.WARNING, "kill_timeout over Fly's 300 s maximum")
E_STATICS = code("HOP351", Severity.ERROR, "a [[statics]] entry without url_prefix, or more than 10")
W_STATICS_OVERLAP = code("HOP352", Severity.WARNING, "two [[statics]] url_prefix values overlap")
E_FILES = code("HOP353", Severity.ERROR, "a [[files]] entry without guest_path or without exactly one source")
E_DUPLICATE_APP = code("HOP354", Severity.ERROR, "two configs in the setup use the same app name")
W_MOUNT_ROOT = code("HOP355", Severity.WARNING, "a mount destination of / (not allowed by Fly)")
E_MIGRATION_IN_BUILD = code("HOP382", Severity.ERROR, "a Dockerfile RUN step runs database migrations (no database at build time)")
E_PUBLIC_BUILD_ENV = code("HOP383", Severity.ERROR, "a public build-time variable of a static front is in [env] (the bundle never sees it)")
W_PUBLIC_BUILD_VALUE = code("HOP384", Severity.WARNING, "a public build-time variable is runtime [env] or a build secret instead of a build argument")
E_INTERNAL_IPV4 = code("HOP380", Severity.ERROR, "nginx reaches through .internal an app that listens on IPv4 only")

_STRATEGIES = ("canary", "rolling", "immediate", "bluegreen")
_RESTART_POLICIES = ("always", "never", "on-failure")
_GPU_PRESETS = ("a10", "l40s", "a100-40gb", "a100-80gb")
_CHECK_MIN_S, _CHECK_MAX_S = 1.0, 60.0
_SUSPEND_MAX_MB = 2048


def validate_path(path: Path, limits: Limits = DEFAULT_LIMITS,
                  source: Path | None = None) -> tuple[Diagnostic, ...]:
    """Every finding for the Fly setup at ``path``: a folder of apps or one config file.

    ``source`` is the repository the set is meant for (hopper writes a set laid out as the
    repository's root): a file the set refers to but does not carry (the app's own Dockerfile,
    the code it builds) is read from there."""
    try:
        layout = find_layout(path, limits)
    except HopperError as exc:
        return exc.diagnostics
    diags: list[Diagnostic] = list(layout.diagnostics)
    if layout.setup is not None:
        diags.extend(layout.setup.diagnostics)
    diags.extend(check_setup_deploys(layout))
    if not layout.configs:
        diags.append(error(E_NO_APP, "no fly.toml found", Location(file=str(path)),
                           hint="give a folder with fly.toml files (one per app) or a fly.toml"))
        return _finish(diags)
    apps, app_diags, failures = load_apps(layout, limits, source)
    diags.extend(app_diags)
    for failure in failures:
        diags.extend(failure.diagnostics)
    for app in apps:
        diags.extend(check_config(app.config))
        diags.extend(check_app_files(app))
        diags.extend(first_deploy_checks(app, layout.root))
        diags.extend(package_manager_checks(app, layout.root, source))
    diags.extend(check_setup(apps, layout.root, source))
    hopper_set = layout.setup is not None and layout.setup.project is not None
    diags.extend(check_set_files(apps, layout.root, source, limits, hopper_set))
    return _finish(diags)


def check_setup_deploys(layout: Layout) -> list[Diagnostic]:
    """Each ``flyctl deploy`` of fly-setup.sh finds its config the way flyctl resolves it."""
    out: list[Diagnostic] = []
    if layout.setup is None:
        return out
    for command in layout.setup.find("deploy"):
        step = setup_deploy_step(command.words, command.location)
        misread = config_read_inside_directory(step.directory, step.config_written, layout.root)
        if misread is not None:
            out.append(misread_error(misread, command.location))
    return out


def _finish(diags: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    unique = {(d.code, d.message, str(d.location), d.severity): d for d in diags}
    return tuple(sorted(unique.values(), key=lambda d: d.sort_key()))


# ----------------------------------------------------------------------------- one config


def check_config(cfg: FlyConfig) -> list[Diagnostic]:
    """flyctl's Validate() rules and the platform rules hopper checks for one config."""
    out: list[Diagnostic] = []
    data = cfg.data
    if not cfg.app:
        out.append(error(E_NO_APP, "the config for your app is missing an app name, add an app "
                         "field to the fly.toml file or specify with the -a flag",
                         Location(file=cfg.path, line=1, col=1) if cfg.locations else Location(file=cfg.path),
                         hint="add app = '<name>' at the top"))
    groups = _process_groups(cfg, out)
    _check_commands(cfg, out)
    _check_deploy(cfg, out)
    _check_build(cfg, out)
    _check_services(cfg, groups, out)
    _check_top_checks(cfg, groups, out)
    _check_mounts(cfg, groups, out)
    _check_restart(cfg, groups, out)
    _check_vms(cfg, groups, out)
    _check_region(cfg, out)
    _check_env(cfg, out)
    _check_statics_files(cfg, groups, out)
    experimental = data.get("experimental") or {}
    if "lazy_load_images" in experimental:
        out.append(warning(W_LAZY_LOAD, "lazy_load_images is no longer supported (the overlaybd "
                           "platform feature was removed May 2025). Remove it from fly.toml.",
                           cfg.location("experimental", "lazy_load_images")))
    kill_timeout = data.get("kill_timeout")
    if isinstance(kill_timeout, float) and kill_timeout > 300:
        out.append(warning(W_KILL_TIMEOUT, f"kill_timeout {format_duration(kill_timeout)} is over "
                           "Fly's maximum of 300 s", cfg.location("kill_timeout")))
    return out


def _process_groups(cfg: FlyConfig, out: list[Diagnostic]) -> list[str]:
    processes = cfg.data.get("processes") or {}
    for name, command in processes.items():
        try:
            shlex.split(command)
        except ValueError as exc:
            out.append(error(E_PROCESS_COMMAND, f"Could not parse command for '{name}' process "
                             f"group; check [processes] section: {exc}", cfg.location("processes", name)))
    return sorted(processes)


def _check_commands(cfg: FlyConfig, out: list[Diagnostic]) -> None:
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


def _check_deploy(cfg: FlyConfig, out: list[Diagnostic]) -> None:
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


def _check_build(cfg: FlyConfig, out: list[Diagnostic]) -> None:
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


def _services(cfg: FlyConfig) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    out: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    if isinstance(cfg.data.get("http_service"), dict):
        out.append((("http_service",), cfg.data["http_service"]))
    for index, service in enumerate(cfg.data.get("services") or []):
        out.append((("services", index), service))
    return out


def _check_services(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    swap = cfg.data.get("swap_size_mb")
    for path, service in _services(cfg):
        name = "http_service" if path == ("http_service",) else f"services[{path[1]}]"
        processes = service.get("processes") or []
        if groups and not processes:
            out.append(error(E_SERVICE_NO_PROCESSES, f"Service has no processes set but app has "
                             f"{len(groups)} processes defined; update fly.toml to set processes "
                             "for each service", cfg.location(*path),
                             hint=f"add processes = [{', '.join(repr(g) for g in groups)}] to {name}"))
        for index, group in enumerate(processes):
            if group not in groups and (groups or group != "app"):
                out.append(error(E_UNKNOWN_PROCESS, f"Service specifies '{group}' as one of its "
                                 "processes, but no processes are defined with that name; update "
                                 "fly.toml [processes] to add it", cfg.location(*path, "processes", index),
                                 hint=_did_you_mean(group, groups)))
        if "internal_port" not in service:
            out.append(warning(W_NO_INTERNAL_PORT, f"{name} has no internal_port; flyctl applies no "
                               "default and routes to port 0", cfg.location(*path),
                               hint="set internal_port to the port the app listens on"))
        if path != ("http_service",) and not service.get("ports"):
            out.append(warning(W_SERVICE_NO_PORTS, "Service must expose at least one port. Add a "
                               "[[services.ports]] section to fly.toml; Check docs at "
                               "https://fly.io/docs/reference/configuration/#services-ports",
                               cfg.location(*path)))
        autostop = service.get("auto_stop_machines")
        min_running = service.get("min_machines_running")
        if min_running and autostop in (None, "off"):
            out.append(warning(W_MIN_RUNNING_NO_AUTOSTOP, f"{name}.min_machines_running = "
                               f"{min_running} does nothing while auto_stop_machines is "
                               f"{autostop or 'unset (off)'}", cfg.location(*path, "min_machines_running")))
        if autostop == "suspend":
            memory = _largest_memory(cfg, processes)
            if memory is not None and memory > _SUSPEND_MAX_MB:
                out.append(warning(W_SUSPEND_LIMITS, f"auto_stop_machines = 'suspend' needs Machines "
                                   f"of at most 2 GB; these have {memory} MB, so Fly stops them instead",
                                   cfg.location(*path, "auto_stop_machines")))
            if swap:
                out.append(warning(W_SUSPEND_LIMITS, "auto_stop_machines = 'suspend' does not work "
                                   "with swap_size_mb; Fly stops the Machines instead",
                                   cfg.location(*path, "auto_stop_machines")))
        check_lists = [("checks", service.get("checks") or [])] if path == ("http_service",) else [
            ("tcp_checks", service.get("tcp_checks") or []), ("http_checks", service.get("http_checks") or [])]
        for kind, checks in check_lists:
            for index, check in enumerate(checks):
                _check_service_check(cfg, (*path, kind, index), check, out)
        for index, machine_check in enumerate(service.get("machine_checks") or []):
            if not machine_check.get("command"):
                out.append(error(E_MACHINE_CHECK, "missing command for test machine",
                                 cfg.location(*path, "machine_checks", index)))
    for index, machine_check in enumerate(cfg.data.get("machine_checks") or []):
        if not machine_check.get("command"):
            out.append(error(E_MACHINE_CHECK, "missing command for test machine",
                             cfg.location("machine_checks", index)))


def _check_service_check(cfg: FlyConfig, path: tuple[str | int, ...], check: dict[str, Any],
                         out: list[Diagnostic]) -> None:
    kind = "TCP" if "tcp_checks" in path else "HTTP"
    for field in ("interval", "timeout", "grace_period"):
        value = check.get(field)
        if not isinstance(value, float):
            continue
        if field == "grace_period" and value == 0:
            continue
        if value < _CHECK_MIN_S:
            out.append(warning(W_CHECK_CLAMPED, f"Service {kind} check has {field} "
                               f"{format_duration(value)}, less than 1 second; this will be raised "
                               "to 1 second", cfg.location(*path, field)))
        elif value > _CHECK_MAX_S:
            out.append(warning(W_CHECK_CLAMPED, f"Service {kind} check has {field} "
                               f"{format_duration(value)}, more than 1 minute; this will be lowered "
                               "to 1 minute", cfg.location(*path, field)))
    _timeout_vs_interval(cfg, path, check, out)


def _timeout_vs_interval(cfg: FlyConfig, path: tuple[str | int, ...], check: dict[str, Any],
                         out: list[Diagnostic]) -> None:
    interval, timeout = check.get("interval"), check.get("timeout")
    if isinstance(interval, float) and isinstance(timeout, float) and timeout >= interval > 0:
        out.append(warning(W_CHECK_TIMEOUT, f"check timeout {format_duration(timeout)} is not "
                           f"shorter than its interval {format_duration(interval)}; checks overlap",
                           cfg.location(*path, "timeout")))


def _check_top_checks(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    http_port = cfg.get("http_service", "internal_port")
    for name, check in (cfg.data.get("checks") or {}).items():
        where = cfg.location("checks", name)
        if check.get("type") not in ("http", "tcp"):
            out.append(error(E_CHECK_TYPE, f"Can't process top level check '{name}': Missing or "
                             "invalid check type, must be 'http' or 'tcp'",
                             cfg.location("checks", name, "type") if "type" in check else where))
        interval, timeout = check.get("interval"), check.get("timeout")
        if isinstance(interval, float) and interval < 2:
            out.append(error(E_CHECK_TIMING, f"Check '{name}' interval is too short: "
                             f"{format_duration(interval)}, minimum is 2 seconds",
                             cfg.location("checks", name, "interval")))
        if isinstance(timeout, float) and timeout > 60:
            out.append(error(E_CHECK_TIMING, f"Check '{name}' timeout is too long: "
                             f"{format_duration(timeout)}, maximum is 60 seconds",
                             cfg.location("checks", name, "timeout")))
        if "port" not in check and http_port is None:
            group = ", ".join(check.get("processes") or groups or ["app"])
            out.append(error(E_CHECK_PORT, f"Check '{name}' for process group '{group}' has no port "
                             "set and the group has no http_service to take it from", where,
                             hint="set port in the check"))
        _timeout_vs_interval(cfg, ("checks", name), check, out)
        _unknown_groups(cfg, ("checks", name), check, groups, out, W_UNKNOWN_PROCESS, "Check")


def _unknown_groups(cfg: FlyConfig, path: tuple[str | int, ...], section: dict[str, Any],
                    groups: list[str], out: list[Diagnostic], code_name: str, what: str) -> None:
    known = groups or ["app"]
    for index, group in enumerate(section.get("processes") or []):
        if group not in known:
            message = (f"{what} specifies '{group}' as one of its processes, but no processes are "
                       "defined with that name")
            hint = _did_you_mean(group, known)
            if code_name == E_UNKNOWN_PROCESS:
                out.append(error(code_name, message, cfg.location(*path, "processes", index), hint))
            else:
                out.append(warning(code_name, message, cfg.location(*path, "processes", index), hint))


def _did_you_mean(value: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f"did you mean '{close[0]}'?" if close else None


def _check_mounts(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    per_group: dict[str, int] = {}
    for index, mount in enumerate(cfg.data.get("mounts") or []):
        path = ("mounts", index)
        source = mount.get("source", "")
        if "initial_size" in mount:
            try:
                size = volume_gb(mount["initial_size"])
            except ValueError as exc:
                out.append(error(E_MOUNT, f"mount '{source}' with initial_size "
                                 f"'{mount['initial_size']}' will fail because of: {exc}",
                                 cfg.location(*path, "initial_size")))
            else:
                if size < 1:
                    out.append(error(E_MOUNT, f"mount '{source}' has an initial_size "
                                     f"'{mount['initial_size']}' value which is smaller than 1GB",
                                     cfg.location(*path, "initial_size")))
        retention = mount.get("snapshot_retention")
        if retention is not None and not 1 <= retention <= 60:
            out.append(error(E_MOUNT, f"mount '{source}' has snapshot_retention '{retention}' which "
                             "is not between 1 and 60 days inclusive",
                             cfg.location(*path, "snapshot_retention")))
        _check_auto_extend(cfg, path, mount, out)
        if mount.get("destination") == "/":
            out.append(warning(W_MOUNT_ROOT, f"mount '{source}' has destination '/', which Fly does "
                               "not allow", cfg.location(*path, "destination")))
        _unknown_groups(cfg, path, mount, groups, out, W_UNKNOWN_PROCESS, "Mount")
        for group in mount.get("processes") or groups or ["app"]:
            per_group[group] = per_group.get(group, 0) + 1
            if per_group[group] == 2:
                out.append(error(E_MOUNTS_PER_GROUP, f"group '{group}' has more than one [[mounts]] "
                                 "section defined", cfg.location(*path)))


def _check_auto_extend(cfg: FlyConfig, path: tuple[str | int, ...], mount: dict[str, Any],
                       out: list[Diagnostic]) -> None:
    fields = ("auto_extend_size_threshold", "auto_extend_size_increment", "auto_extend_size_limit")
    present = [f for f in fields if f in mount]
    source = mount.get("source", "")
    if not present:
        return
    if len(present) != len(fields):
        missing = [f for f in fields if f not in mount]
        out.append(error(E_MOUNT, f"mount '{source}' sets {', '.join(present)} but not "
                         f"{', '.join(missing)}: set all three auto-extend values or none",
                         cfg.location(*path, present[0])))
    threshold = mount.get("auto_extend_size_threshold")
    if threshold is not None and not 50 <= threshold <= 99:
        out.append(error(E_MOUNT, f"mount '{source}' auto_extend_size_threshold must be between 50 "
                         f"and 99 percent, not {threshold}", cfg.location(*path, "auto_extend_size_threshold")))
    for field, low, high in (("auto_extend_size_increment", 1, 100), ("auto_extend_size_limit", 1, 500)):
        if field not in mount:
            continue
        try:
            value = volume_gb(mount[field])
        except ValueError as exc:
            out.append(error(E_MOUNT, f"mount '{source}' {field}: {exc}", cfg.location(*path, field)))
            continue
        if not low <= value <= high:
            out.append(error(E_MOUNT, f"mount '{source}' {field} must be between {low} and "
                             f"{high} GB, not '{mount[field]}'", cfg.location(*path, field)))


def _check_restart(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    for index, restart in enumerate(cfg.data.get("restart") or []):
        policy = restart.get("policy")
        if policy is not None and policy not in _RESTART_POLICIES:
            out.append(error(E_RESTART_POLICY, f"invalid restart policy: {policy}",
                             cfg.location("restart", index, "policy"),
                             hint="use always, never or on-failure"))
        _unknown_groups(cfg, ("restart", index), restart, groups, out, E_UNKNOWN_PROCESS, "Restart policy")


def _presets() -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in mappings.table("fly-sizes")["presets"]}


def vm_memory(vm: dict[str, Any]) -> tuple[str, str, int, int | None]:
    """``(size, cpu_kind, cpus, memory_mb)`` a [[vm]] section asks for, by flyctl's precedence:
    the preset, then ``memory``, then explicit guest fields. Raises ValueError on a bad size."""
    size = vm.get("size") or ("performance-8x" if vm.get("gpu_kind") else "shared-cpu-1x")
    presets = _presets()
    preset = presets.get(size)
    if preset is None and size not in _GPU_PRESETS:
        if not size.startswith(("shared", "performance")):
            raise ValueError(f"invalid machine preset requested, '{size}', expected to start with "
                             "'shared' or 'performance'")
        raise ValueError(f"'{size}' is an invalid machine size, choose one of: "
                         f"[{' '.join(sorted(presets))}]")
    kind = preset["cpu_kind"] if preset else "performance"
    cpus = int(preset["cpus"]) if preset else 8
    memory: int | None = int(preset["memory_mb"]) if preset else 32768
    if "memory" in vm:
        memory = memory_mb(vm["memory"])
    kind = vm.get("cpu_kind") or kind
    cpus = vm.get("cpus") or cpus
    if vm.get("memory_mb"):
        memory = vm["memory_mb"]
    return size, kind, cpus, memory


def _largest_memory(cfg: FlyConfig, processes: list[str]) -> int | None:
    best: int | None = None
    for vm in cfg.data.get("vm") or []:
        if processes and vm.get("processes") and not set(vm["processes"]) & set(processes):
            continue
        try:
            memory = vm_memory(vm)[3]
        except ValueError:
            continue
        if memory is not None and (best is None or memory > best):
            best = memory
    return best


def _check_vms(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    rules = mappings.table("fly-sizes")["memory"]
    for index, vm in enumerate(cfg.data.get("vm") or []):
        path = ("vm", index)
        _unknown_groups(cfg, path, vm, groups, out, W_UNKNOWN_PROCESS, "VM section")
        if "memory" in vm:
            try:
                if memory_mb(vm["memory"]) == 0:
                    out.append(error(E_VM_MEMORY, "memory cannot be zero", cfg.location(*path, "memory")))
                    continue
            except ValueError as exc:
                out.append(error(E_VM_MEMORY, str(exc), cfg.location(*path, "memory"),
                                 hint='write a size such as "512mb" or "1gb"'))
                continue
        try:
            size, kind, cpus, memory = vm_memory(vm)
        except ValueError as exc:
            close = difflib.get_close_matches(str(vm.get("size")), list(_presets()), n=1)
            out.append(error(E_VM_SIZE, str(exc), cfg.location(*path, "size"),
                             hint=f"did you mean '{close[0]}'?" if close else None))
            continue
        rule = rules.get(kind)
        if rule is None or memory is None or size in _GPU_PRESETS:
            continue
        low, high = rule["per_cpu_min_mb"] * cpus, rule["per_cpu_max_mb"] * cpus
        step = rule["increment_mb"]
        where = cfg.location(*path, "memory_mb" if "memory_mb" in vm else "memory" if "memory" in vm else "size")
        if not low <= memory <= high:
            out.append(error(E_VM_MEMORY, f"{memory} MB is outside the range for {cpus} {kind} "
                             f"CPU(s): {low}-{high} MB", where))
        elif memory % step:
            out.append(error(E_VM_MEMORY, f"{memory} MB is not a multiple of {step} MB, as "
                             f"{kind} Machines require", where))


def _check_region(cfg: FlyConfig, out: list[Diagnostic]) -> None:
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


def _check_env(cfg: FlyConfig, out: list[Diagnostic]) -> None:
    env = cfg.data.get("env") or {}
    for name in sorted(env):
        if name.startswith("FLY_"):
            out.append(warning(W_FLY_ENV, f"[env] {name}: names starting with FLY_ are reserved for "
                               "the platform", cfg.location("env", name)))
    port = env.get("PORT")
    if port is None:
        return
    for path, service in _services(cfg):
        internal = service.get("internal_port")
        if internal is not None and str(internal) != port.strip():
            out.append(warning(W_PORT_ENV, f"[env] PORT is {port} but {'.'.join(map(str, path))}"
                               f".internal_port is {internal}: an app that listens on $PORT gets no "
                               "traffic", cfg.location("env", "PORT"),
                               hint=f"make them equal (PORT = '{internal}')"))


def _check_statics_files(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
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
        _unknown_groups(cfg, ("files", index), entry, groups, out, W_UNKNOWN_PROCESS, "File")
    for index, metric in enumerate(cfg.data.get("metrics") or []):
        _unknown_groups(cfg, ("metrics", index), metric, groups, out, W_UNKNOWN_PROCESS, "Metrics")


# ----------------------------------------------------------------------------- one app's files


def listen_port(app: FlyApp) -> int | None:
    """The port the app's own files say it listens on: nginx ``listen``, else ``[env] PORT``,
    else a single Dockerfile ``EXPOSE``."""
    if app.nginx is not None:
        ports = sorted({p for server in app.nginx.servers for p in server.listen})
        if len(ports) == 1:
            return ports[0]
    port = (app.config.data.get("env") or {}).get("PORT")
    if isinstance(port, str) and port.strip().isdigit():
        return int(port)
    if app.dockerfile is not None and app.dockerfile.stages:
        exposed = app.dockerfile.final.expose_ports
        if len(exposed) == 1:
            return exposed[0]
    return None


def check_app_files(app: FlyApp) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    cfg = app.config
    http_port = cfg.get("http_service", "internal_port")
    ports = [(path, svc.get("internal_port")) for path, svc in _services(cfg)]
    internal_ports = {p for _, p in ports if isinstance(p, int)}
    if app.nginx is not None and internal_ports:
        listening = {p for server in app.nginx.servers for p in server.listen}
        if listening and http_port is not None and http_port not in listening:
            out.append(error(E_NGINX_LISTEN, f"http_service.internal_port is {http_port} but nginx "
                             f"({app.nginx.files[0] if app.nginx.files else 'nginx.conf'}) listens on "
                             f"{', '.join(map(str, sorted(listening)))}: Fly Proxy will get no answer",
                             cfg.location("http_service", "internal_port"),
                             hint=f"set internal_port = {min(listening)} or change nginx's listen"))
    elif app.dockerfile is not None and app.dockerfile.stages and http_port is not None:
        exposed = app.dockerfile.final.expose_ports
        env_port = (cfg.data.get("env") or {}).get("PORT")
        if exposed and http_port not in exposed and env_port is None:
            out.append(warning(W_EXPOSE_PORT, f"http_service.internal_port is {http_port} but "
                               f"{app.dockerfile.file} EXPOSEs {', '.join(map(str, exposed))}",
                               cfg.location("http_service", "internal_port"),
                               hint="make the app listen on internal_port (or set [env] PORT)"))
    out.extend(_migrations_in_build(app))
    out.extend(_public_build_values(app))
    if app.dockerfile is not None:
        needed = set(app.dockerfile.secret_ids)
        builds = [d for d in app.deploys if not d.image]
        if builds:
            passed = {s for d in builds for s in d.build_secrets}
            for name in sorted(needed - passed):
                out.append(warning(W_BUILD_SECRETS, f"{app.dockerfile.file} mounts build secret "
                                   f"'{name}' but the deploy workflow passes no --build-secret {name}",
                                   builds[0].location, hint=f"add --build-secret {name}=${{{{ secrets.{name} }}}}"))
            for name in sorted(passed - needed):
                out.append(warning(W_BUILD_SECRETS, f"the deploy workflow passes --build-secret "
                                   f"{name} but {app.dockerfile.file} never mounts it",
                                   builds[0].location,
                                   hint=f"use RUN --mount=type=secret,id={name} or drop the flag"))
    return out


def _public_build_values(app: FlyApp) -> list[Diagnostic]:
    """``VITE_*``, ``NEXT_PUBLIC_*``... are inlined into the built files: they must be build
    arguments. In ``[env]`` of a static front (nginx serves prebuilt files) the value never
    reaches the bundle; elsewhere it reaches only the server; as a build secret it protects
    nothing, since the value ends up in every browser."""
    from hopper.formats.fly.write_buildvars import is_public_build_name  # noqa: PLC0415

    out: list[Diagnostic] = []
    cfg = app.config
    static = app.nginx is not None
    for name in sorted(cfg.data.get("env") or {}):
        if not is_public_build_name(name):
            continue
        hint = (f"move it to [build.args] (or pass --build-arg {name}=...) and declare ARG {name} "
                "in the build stage")
        if static:
            out.append(error(E_PUBLIC_BUILD_ENV, f"[env] {name}: the front's files are built before "
                             "the Machine starts, so this value never reaches the bundle", cfg.location("env", name),
                             hint=hint))
        else:
            out.append(warning(W_PUBLIC_BUILD_VALUE, f"[env] {name}: a bundler inlines it when the app is "
                               "built; at runtime it reaches only the server", cfg.location("env", name), hint=hint))
    for step in app.deploys:
        for name in step.build_secrets:
            if is_public_build_name(name):
                out.append(warning(W_PUBLIC_BUILD_VALUE, f"--build-secret {name}: the value is inlined into "
                                   "the public bundle, so a build secret protects nothing", step.location,
                                   hint=f"pass it as --build-arg {name}=... from a CI variable"))
    return out


def _migrations_in_build(app: FlyApp) -> list[Diagnostic]:
    """A RUN step that migrates: the image build has no database (and no secrets), and a
    migration belongs in ``[deploy] release_command``, which runs once per deploy."""
    from hopper.migrations import split_command  # noqa: PLC0415

    out: list[Diagnostic] = []
    docker = app.dockerfile
    if docker is None:
        return out
    lines = _dockerfile_lines(app)
    release = app.config.get("deploy", "release_command")
    for stage in docker.stages:
        for run in stage.runs:
            found = split_command(run)
            if found.migrate is None:
                continue
            line = next((n for n, text in lines if found.migrate.split(" && ")[0] in text
                         and text.lstrip().upper().startswith("RUN")), None)
            where = Location(file=docker.file, line=line) if line else stage.location
            out.append(error(E_MIGRATION_IN_BUILD, f"{docker.file} runs the migration "
                             f"'{found.migrate}' while the image is built, where no database is "
                             "reachable", where,
                             hint=f"remove it from the Dockerfile and set [deploy] release_command = "
                             f"'{found.migrate}'" if not release else "remove it from the Dockerfile: "
                             f"[deploy] release_command ('{release}') runs at each deploy"))
    return out


def _dockerfile_lines(app: FlyApp) -> list[tuple[int, str]]:
    root = app.config_path.parent
    for _ in PurePosixPath(app.folder).parts if app.folder != "." else ():
        root = root.parent
    try:
        text = (root / app.dockerfile.file).read_text(encoding="utf-8") if app.dockerfile else ""
    except (OSError, UnicodeDecodeError):
        return []
    return list(enumerate(text.splitlines(), start=1))


# ----------------------------------------------------------------------------- the whole setup


def check_setup(apps: list[FlyApp], root: Path | None = None, source: Path | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    by_name: dict[str, FlyApp] = {}
    for app in apps:
        if app.name is None:
            continue
        if app.name in by_name:
            out.append(error(E_DUPLICATE_APP, f"app '{app.name}' is also defined in "
                             f"{by_name[app.name].config.path}", app.config.location("app")))
        else:
            by_name[app.name] = app
    for app in apps:
        if app.nginx is None:
            continue
        for server in app.nginx.servers:
            for proxy in server.proxies:
                target = proxy.effective_target()
                host = target.host
                if host is None:
                    continue
                hosts = [host]
                if proxy.upstream is not None:
                    hosts = [s.host for s in proxy.upstream.servers]
                for one in hosts:
                    _check_upstream(app, proxy, one, by_name, out, _code_root(root, source))
    return out


def _code_root(root: Path | None, source: Path | None) -> Path | None:
    """Where the apps' code is: the repository given with --source, else the set itself."""
    return source if source is not None else root


def listen_family(app: FlyApp, root: Path | None) -> tuple[str, str] | None:
    """``(family, evidence)`` for the address ``app`` listens on — ``ipv4``, ``dual`` or
    ``loopback`` — from its nginx ``listen`` lines, else from where its code binds (with the
    Dockerfile's and ``[env]``'s values of a variable the code reads); None when unknown."""
    if app.nginx is not None and app.nginx.servers:
        if any(server.listen_ipv6 for server in app.nginx.servers):
            return "dual", "nginx listen [::]"
        files = app.nginx.files[0] if app.nginx.files else "nginx.conf"
        return "ipv4", f"{files}: nginx's `listen <port>` is IPv4 only"
    if root is None:
        return None
    from hopper.envscan.binds import code_family, scan_binds  # noqa: PLC0415

    env: dict[str, str] = {}
    if app.dockerfile is not None and app.dockerfile.stages:
        env.update(app.dockerfile.final.env)
    env.update({k: str(v) for k, v in (app.config.data.get("env") or {}).items()})
    found = code_family(scan_binds(root, (app.context,)), env)
    if found is None:
        return None
    family, bind = found
    return family, f"{bind.where} binds {bind.host}" + (
        f" (from {bind.from_env}={env[bind.from_env]})" if bind.from_env in env else "")


def _check_upstream(app: FlyApp, proxy: Any, host: str, by_name: dict[str, FlyApp],
                    out: list[Diagnostic], root: Path | None = None) -> None:
    resolved = fly_host_app(host)
    if resolved is None:
        return
    name, kind = resolved
    target = by_name.get(name)
    if target is None:
        out.append(warning(W_ROUTE_UNKNOWN_APP, f"nginx location {proxy.path} proxies to {host}, "
                           f"but no app '{name}' is in this setup", proxy.location,
                           hint=_did_you_mean(name, by_name) or "check the app name"))
        return
    if kind == "flycast":
        for path, service in _services(target.config):
            if service.get("force_https") or any(p.get("force_https") for p in service.get("ports") or []):
                out.append(error(E_FLYCAST_HTTPS, f"app '{name}' is reached through Flycast "
                                 f"({host}) but sets force_https = true: Flycast is plain HTTP, so "
                                 "every proxied request gets a redirect",
                                 target.config.location(*path, "force_https"),
                                 hint="set force_https = false on the private app"))
                break
        return
    stopping = [(path, svc.get("auto_stop_machines")) for path, svc in _services(target.config)
                if svc.get("auto_stop_machines") in ("stop", "suspend")]
    if stopping:
        path, mode = stopping[0]
        out.append(error(E_INTERNAL_AUTOSTOP, f"nginx location {proxy.path} reaches '{name}' "
                         f"through {host}, but '{name}' has auto_stop_machines = '{mode}': stopped "
                         "Machines vanish from .internal DNS and 6PN traffic never starts them",
                         proxy.location, hint=f"proxy to http://{name}.flycast instead (and set "
                         "force_https = false there), or turn autostop off"))
    family = listen_family(target, root)
    if family is not None and family[0] in ("ipv4", "loopback"):
        out.append(error(E_INTERNAL_IPV4, f"nginx location {proxy.path} reaches '{name}' through "
                         f"{host}, which resolves to IPv6 only, but '{name}' listens on "
                         f"{'IPv4 only' if family[0] == 'ipv4' else 'loopback only'} ({family[1]}): "
                         "every request fails", proxy.location,
                         hint=f"proxy to http://{name}.flycast (Fly's proxy connects over IPv4), or "
                         "make the app listen on '::'"))
    if not proxy.via_variable:
        out.append(warning(W_INTERNAL_AT_BOOT, f"nginx resolves {host} once at start-up: it "
                           "fails to start while no Machine of the app runs, and keeps stale "
                           "addresses after a redeploy", proxy.location,
                           hint="use a variable with resolver [fdaa::3], or Flycast"))
