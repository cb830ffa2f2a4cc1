"""What flyctl accepts in a fly.toml, as a schema: every key of flyctl's Config structs with the
type flyctl decodes it into (reference flyio.md §1.2-1.18). :mod:`flytoml_check` checks a
config against :data:`ROOT`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Transcribed from flyctl's Config structs (internal/appconfig/config.go, service.go,
# toplevelcheck.go) and fly-go's machine types, as summarised in reference §1.2-1.18.


class Spec:
    """A node of the schema."""


@dataclass(frozen=True)
class Scalar(Spec):
    kind: str  # see flytoml_check._CHECKERS


@dataclass(frozen=True)
class Table(Spec):
    fields: Mapping[str, Spec]
    obsolete: frozenset[str] = frozenset()  # keys old flyctl versions knew; now ignored


@dataclass(frozen=True)
class ArrayOf(Spec):
    item: Spec


@dataclass(frozen=True)
class MapOf(Spec):
    """A table with free keys whose values all follow ``value``."""

    value: Spec


@dataclass(frozen=True)
class Free(Spec):
    """Anything goes (free-form maps flyctl passes through)."""


STR, INT, FLOAT, BOOL = Scalar("str"), Scalar("int"), Scalar("float"), Scalar("bool")
STRS = Scalar("strs")
PORT = Scalar("port")  # int, or a legacy quoted number
AUTOSTOP = Scalar("autostop")
DURATION = Scalar("duration")  # integers are nanoseconds (fly-go Duration)
DURATION_MS = Scalar("duration_ms")  # integers are milliseconds (legacy check fields)
DURATION_S = Scalar("duration_s")  # integers are seconds (kill_timeout)
SIZE = Scalar("size")  # an integer or a size string, parsed later
CMD = Scalar("cmd")  # a string or a list of strings
STRMAP = Scalar("strmap")  # free keys, scalar values
HEADERS = Scalar("headers")  # check headers: a map, or the legacy [{name, value}] list
FREE = Free()
_PROCESSES = {"processes": STRS}
_CONCURRENCY = Table({"type": STR, "hard_limit": INT, "soft_limit": INT})
_TLS = Table({"alpn": STRS, "versions": STRS, "default_self_signed": BOOL})
_HTTP_OPTIONS = Table({
    "compress": BOOL, "h2_backend": BOOL, "idle_timeout": INT, "headers_read_timeout": INT,
    "response": Table({"pristine": BOOL, "headers": FREE}),
    "replay_cache": ArrayOf(Table({
        "path_prefix": STR, "ttl_seconds": INT, "type": STR, "name": STR, "allow_bypass": BOOL,
    })),
})


_MACHINE_CHECK = Table({
    "command": STRS, "image": STR, "entrypoint": STRS, "kill_signal": STR, "kill_timeout": DURATION,
})


def _http_check(interval: Spec) -> Table:
    return Table({
        "interval": interval, "timeout": interval, "grace_period": DURATION, "method": STR,
        "path": STR, "protocol": STR, "tls_skip_verify": BOOL, "tls_server_name": STR,
        "headers": HEADERS,
    }, obsolete=frozenset({"restart_limit"}))


_SERVICE_COMMON: dict[str, Spec] = {
    "auto_stop_machines": AUTOSTOP, "auto_start_machines": BOOL, "min_machines_running": INT,
    **_PROCESSES, "concurrency": _CONCURRENCY, "machine_checks": ArrayOf(_MACHINE_CHECK),
}


_HTTP_SERVICE = Table({
    "internal_port": INT, "force_https": BOOL, **_SERVICE_COMMON,
    "tls_options": _TLS, "http_options": _HTTP_OPTIONS,
    "checks": ArrayOf(_http_check(DURATION)),
})


_PORT = Table({
    "port": PORT, "start_port": INT, "end_port": INT, "handlers": STRS, "force_https": BOOL,
    "tls_options": _TLS, "http_options": _HTTP_OPTIONS,
    "proxy_proto_options": Table({"version": STR}),
})


_SERVICE = Table({
    "internal_port": PORT, "protocol": STR, **_SERVICE_COMMON,
    "ports": ArrayOf(_PORT),
    "tcp_checks": ArrayOf(Table({
        "interval": DURATION_MS, "timeout": DURATION_MS, "grace_period": DURATION,
    }, obsolete=frozenset({"restart_limit"}))),
    "http_checks": ArrayOf(_http_check(DURATION_MS)),
}, obsolete=frozenset({"script_checks"}))


_VM_FIELDS: dict[str, Spec] = {
    "size": STR, "memory": SIZE, "cpus": INT, "cpu_kind": STR, "memory_mb": INT,
    "max_memory_mb": INT, "gpus": INT, "gpu_kind": STR, "kernel_args": STRS,
    "host_dedication_id": STR, "persist_rootfs": STR,
}


_TOP_CHECK = Table({
    "name": STR, "type": STR, "port": INT, "interval": DURATION_MS, "timeout": DURATION_MS,
    "grace_period": DURATION, "method": STR, "path": STR, "protocol": STR,
    "tls_skip_verify": BOOL, "tls_server_name": STR, "headers": HEADERS, **_PROCESSES,
}, obsolete=frozenset({"restart_limit"}))


ROOT = Table({
    "app": STR, "primary_region": STR, "kill_signal": STR, "kill_timeout": DURATION_S,
    "swap_size_mb": INT, "console_command": STR, "host_dedication_id": STR,
    "machine_config": STR, "container": STR,
    "experimental": Table({
        "cmd": CMD, "entrypoint": CMD, "exec": CMD, "auto_rollback": BOOL,
        "enable_consul": BOOL, "enable_etcd": BOOL, "machine_config": STR,
        "lazy_load_images": BOOL,
        "attached": Table({"secrets": Table({"export": FREE})}),
    }, obsolete=frozenset({"private_network", "allowed_public_ports"})),
    "build": Table({
        "builder": STR, "image": STR, "builtin": STR, "dockerfile": STR, "ignorefile": STR,
        "build-target": STR, "buildpacks": STRS, "args": STRMAP, "settings": FREE,
        "compression": STR, "compression_level": INT, "compose": Table({"file": STR}),
    }),
    "deploy": Table({
        "release_command": STR, "release_command_timeout": DURATION,
        "release_command_vm": Table(_VM_FIELDS), "strategy": STR, "max_unavailable": FLOAT,
        "wait_timeout": DURATION, "seed_command": STR,
    }),
    "env": STRMAP,
    "processes": STRMAP,
    "mounts": ArrayOf(Table({
        "source": STR, "destination": STR, "initial_size": SIZE, "snapshot_retention": INT,
        "scheduled_snapshots": BOOL, "auto_extend_size_threshold": INT,
        "auto_extend_size_increment": SIZE, "auto_extend_size_limit": SIZE, **_PROCESSES,
    })),
    "http_service": _HTTP_SERVICE,
    "services": ArrayOf(_SERVICE),
    "checks": MapOf(_TOP_CHECK),
    "files": ArrayOf(Table({
        "guest_path": STR, "raw_value": STR, "local_path": STR, "secret_name": STR, **_PROCESSES,
    })),
    "machine_checks": ArrayOf(_MACHINE_CHECK),
    "restart": ArrayOf(Table({"policy": STR, "retries": INT, **_PROCESSES})),
    "vm": ArrayOf(Table({**_VM_FIELDS, **_PROCESSES})),
    "statics": ArrayOf(Table({
        "guest_path": STR, "url_prefix": STR, "tigris_bucket": STR, "index_document": STR,
    })),
    "metrics": ArrayOf(Table({"port": INT, "path": STR, "https": BOOL, **_PROCESSES})),
}, obsolete=frozenset({"http_checks", "script_checks"}))
