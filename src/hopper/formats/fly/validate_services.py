"""flyctl's rules for how an app is reached: [http_service] and [[services]] (ports,
internal_port, autostop and suspend, concurrency), their checks and machine checks, and the
top-level [checks].
"""

from __future__ import annotations

from typing import Any

from hopper.diagnostics import Diagnostic, Severity, code, error, warning
from hopper.formats.fly.flytoml_config import FlyConfig
from hopper.formats.fly.read_units import format_duration
from hopper.formats.fly.validate_config import (
    E_UNKNOWN_PROCESS,
    W_UNKNOWN_PROCESS,
    did_you_mean,
    services_of,
    unknown_groups,
)
from hopper.formats.fly.validate_machines import largest_memory

E_CHECK_TYPE = code("HOP314", Severity.ERROR, "a top-level check has no valid type (http or tcp)")
E_CHECK_TIMING = code("HOP315", Severity.ERROR, "a top-level check interval under 2 s or timeout over 60 s")
E_SERVICE_NO_PROCESSES = code("HOP316", Severity.ERROR, "a service sets no processes while [processes] defines groups")
W_SERVICE_NO_PORTS = code("HOP326", Severity.WARNING, "a [[services]] exposes no port")
W_CHECK_CLAMPED = code("HOP327", Severity.WARNING, "a service check duration outside 1 s .. 1 min (flyctl clamps it)")
E_CHECK_PORT = code("HOP329", Severity.ERROR, "a top-level check has no port and no [http_service] to take it from")
E_MACHINE_CHECK = code("HOP330", Severity.ERROR, "a machine check has no command")
W_MIN_RUNNING_NO_AUTOSTOP = code("HOP337", Severity.WARNING, "min_machines_running without autostop does nothing")
W_SUSPEND_LIMITS = code("HOP338", Severity.WARNING, "auto_stop_machines = suspend on a Machine that cannot suspend")
W_CHECK_TIMEOUT = code("HOP339", Severity.WARNING, "a check timeout not shorter than its interval")
W_NO_INTERNAL_PORT = code("HOP340", Severity.WARNING, "a service without internal_port (flyctl uses port 0)")
_CHECK_MIN_S, _CHECK_MAX_S = 1.0, 60.0
_SUSPEND_MAX_MB = 2048


def check_services(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    swap = cfg.data.get("swap_size_mb")
    for path, service in services_of(cfg):
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
                                 hint=did_you_mean(group, groups)))
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
            memory = largest_memory(cfg, processes)
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


def check_top_checks(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
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
        unknown_groups(cfg, ("checks", name), check, groups, out, W_UNKNOWN_PROCESS, "Check")
