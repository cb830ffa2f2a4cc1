"""flyctl's rules and the platform's limits for what a Machine gets: [[vm]] sizes and memory
(presets from mappings/fly-vm-sizes.toml), [[mounts]] (one per process group, sizes, auto-extend)
and [[restart]] policies.
"""

from __future__ import annotations

import difflib
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostic, Severity, code, error, warning
from hopper.formats.fly.flytoml_config import FlyConfig
from hopper.formats.fly.read_units import memory_mb, volume_gb
from hopper.formats.fly.validate_config import E_UNKNOWN_PROCESS, W_UNKNOWN_PROCESS, unknown_groups

E_MOUNT = code("HOP321", Severity.ERROR, "a [[mounts]] size, retention or auto-extend value breaks flyctl's rules")
E_MOUNTS_PER_GROUP = code("HOP322", Severity.ERROR, "a process group has more than one [[mounts]]")
E_RESTART_POLICY = code("HOP323", Severity.ERROR, "an invalid [[restart]] policy")
E_VM_SIZE = code("HOP334", Severity.ERROR, "an unknown [[vm]] size preset")
E_VM_MEMORY = code("HOP335", Severity.ERROR, "[[vm]] memory is zero, out of the preset's range, or not a whole step")
W_MOUNT_ROOT = code("HOP355", Severity.WARNING, "a mount destination of / (not allowed by Fly)")
_RESTART_POLICIES = ("always", "never", "on-failure")
_GPU_PRESETS = ("a10", "l40s", "a100-40gb", "a100-80gb")


def check_mounts(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
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
        unknown_groups(cfg, path, mount, groups, out, W_UNKNOWN_PROCESS, "Mount")
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


def check_restart(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    for index, restart in enumerate(cfg.data.get("restart") or []):
        policy = restart.get("policy")
        if policy is not None and policy not in _RESTART_POLICIES:
            out.append(error(E_RESTART_POLICY, f"invalid restart policy: {policy}",
                             cfg.location("restart", index, "policy"),
                             hint="use always, never or on-failure"))
        unknown_groups(cfg, ("restart", index), restart, groups, out, E_UNKNOWN_PROCESS, "Restart policy")


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


def largest_memory(cfg: FlyConfig, processes: list[str]) -> int | None:
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


def check_vms(cfg: FlyConfig, groups: list[str], out: list[Diagnostic]) -> None:
    rules = mappings.table("fly-sizes")["memory"]
    for index, vm in enumerate(cfg.data.get("vm") or []):
        path = ("vm", index)
        unknown_groups(cfg, path, vm, groups, out, W_UNKNOWN_PROCESS, "VM section")
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
