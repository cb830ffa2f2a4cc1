"""``x-hopper`` hints: what a user writes in the compose file to correct what detection guessed.

At the top level: ``name``, ``region``, ``regions``, ``autostop``, ``min_running``. On a service:
``role``, ``ignore``, ``port``, ``public``, ``health_path``, ``autostop``, ``autostart``,
``min_running``, ``min_instances``, ``max_instances``, ``cpus``, ``memory``, ``size``, ``secrets``,
``plain``, ``domains``, ``release_command``, ``version`` (databases), ``buckets`` (object stores).
See docs/x-hopper.md. Every unknown or ill-typed hint is a warning naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostic, Location, Severity, code, info, warning
from hopper.model import Autostop, Region

W_HINT = code("HOP190", Severity.WARNING, "an x-hopper hint is unknown or has a value of the wrong type")
I_REGION = code("HOP192", Severity.INFO, "the region named by x-hopper.region, resolved to a place")

ROLES = {"front": "front", "api": "api", "worker": "worker", "generic": "generic",
         "database": "database", "postgres": "database", "postgresql": "database",
         "object_store": "object_store", "storage": "object_store", "s3": "object_store",
         "bucket_init": "bucket_init"}

TOP_KEYS = ("name", "region", "regions", "autostop", "min_running")
SERVICE_KEYS = ("role", "ignore", "port", "public", "health_path", "autostop", "autostart", "min_running",
                "min_instances", "max_instances", "cpus", "memory", "size", "secrets", "plain", "domains",
                "release_command", "version", "buckets")


@dataclass(slots=True)
class TopHints:
    name: str | None = None
    region: Region | None = None
    regions: tuple[Region, ...] = ()
    autostop: Autostop | None = None
    min_running: int | None = None


@dataclass(slots=True)
class ServiceHints:
    role: str | None = None
    ignore: bool = False
    port: int | None = None
    public: bool | None = None
    health_path: str | None = None
    autostop: Autostop | None = None
    autostart: bool | None = None
    min_running: int | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    cpus: float | None = None
    memory_mb: int | None = None
    size: str | None = None
    secrets: frozenset[str] = frozenset()
    plain: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()
    release_command: str | None = None
    version: str | None = None
    buckets: dict[str, bool] = field(default_factory=dict)  # name → public


class _Checker:
    def __init__(self, where: str, loc: Callable[[str], Location | None], out: list[Diagnostic]) -> None:
        self.where, self.loc, self.out = where, loc, out

    def bad(self, key: str, expected: str) -> None:
        self.out.append(warning(W_HINT, f"{self.where}.{key} must be {expected}; ignored", self.loc(key)))

    def string(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        self.bad(key, "a string")
        return None

    def integer(self, data: dict[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        self.bad(key, "a whole number")
        return None

    def number(self, data: dict[str, Any], key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number <= 0:
            self.bad(key, "a positive number")
            return None
        return number

    def boolean(self, data: dict[str, Any], key: str) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        self.bad(key, "true or false")
        return None

    def names(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.bad(key, "a list of names")
        return ()

    def autostop(self, data: dict[str, Any], key: str) -> Autostop | None:
        value = data.get(key)
        if value is None:
            return None
        if value is False:
            return Autostop.OFF
        if value is True:
            return Autostop.STOP
        try:
            return Autostop(str(value).lower())
        except ValueError:
            self.bad(key, "off, stop or suspend")
            return None


def _hint_data(value: Any, where: str, loc: Location | None, out: list[Diagnostic]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        out.append(warning(W_HINT, f"{where} must be a mapping; ignored", loc))
        return {}
    return value


def _unknown(data: dict[str, Any], known: tuple[str, ...], where: str, loc: Callable[[str], Location | None],
             out: list[Diagnostic]) -> None:
    for key in sorted(set(data) - set(known), key=str):
        out.append(warning(W_HINT, f"unknown hint {where}.{key}; ignored", loc(str(key)),
                           hint=f"known hints: {', '.join(known)}"))


def read_top_hints(extensions: dict[str, Any], locate: Callable[..., Location | None],
                   out: list[Diagnostic]) -> TopHints:
    data = _hint_data(extensions.get("x-hopper"), "x-hopper", locate("x-hopper"), out)

    def loc(key: str) -> Location | None:
        return locate("x-hopper", key)

    check = _Checker("x-hopper", loc, out)
    _unknown(data, TOP_KEYS, "x-hopper", loc, out)
    hints = TopHints(name=check.string(data, "name"), autostop=check.autostop(data, "autostop"),
                     min_running=check.integer(data, "min_running"))
    region = check.string(data, "region")
    if region is not None:
        hints.region = resolve_region(region, loc("region"), out)
    hints.regions = tuple(r for r in (resolve_region(code_, loc("regions"), out)
                                      for code_ in check.names(data, "regions")) if r is not None)
    return hints


def resolve_region(text: str, loc: Location | None, out: list[Diagnostic]) -> Region | None:
    """A region code of a platform (``cdg``, ``fly:cdg``, ``clevercloud:par``) or a city (``Paris``)."""
    platform, sep, code_text = text.partition(":")
    if not sep:
        platform, code_text = "", text
    platforms = [platform] if platform else _region_platforms()
    for name in platforms:
        try:
            table = mappings.regions(name)
        except Exception:  # noqa: BLE001 - an unknown platform prefix is reported below
            continue
        found = table.get(code_text.strip().lower())
        if found is not None:
            out.append(info(I_REGION, f"x-hopper.region '{text}' is {name} region {found.code} "
                            f"({found.city}, {found.country})", loc))
            return _region(found, name)
    wanted = _norm(code_text)
    for name in platforms:
        try:
            table = mappings.regions(name)
        except Exception:  # noqa: BLE001
            continue
        for found in table.values():
            if _norm(found.city) == wanted and not found.retired:
                out.append(info(I_REGION, f"x-hopper.region '{text}' is the city of {name} region "
                                f"{found.code} ({found.city}, {found.country})", loc))
                return Region(code=wanted, platform="compose", city=found.city, country=found.country,
                              latitude=found.latitude, longitude=found.longitude, eu=found.eu, origin=loc)
    out.append(warning(W_HINT, f"x-hopper.region '{text}' is neither a known region code nor a city; ignored",
                       loc, hint="use a Fly or Clever Cloud region code (cdg, par) or a city name"))
    return None


def _region_platforms() -> list[str]:
    """Every format with a regions table, in detection order (a code two platforms share
    resolves to the first: Fly's before Clever Cloud's, as before)."""
    from hopper.formats import format_names, get_format  # noqa: PLC0415

    found = [n for n in format_names() if get_format(n).platform.has_regions]
    return sorted(found, key=lambda n: get_format(n).platform.detect_priority)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")


def _region(found: mappings.RegionInfo, platform: str) -> Region:
    return Region(code=found.code, platform=platform, city=found.city, country=found.country,
                  latitude=found.latitude, longitude=found.longitude, eu=found.eu, retired=found.retired)


def read_service_hints(name: str, svc: dict[str, Any], locate: Callable[..., Location | None],
                       out: list[Diagnostic]) -> ServiceHints:
    where = f"services.{name}.x-hopper"
    data = _hint_data(svc.get("x-hopper"), where, locate("services", name, "x-hopper"), out)

    def loc(key: str) -> Location | None:
        return locate("services", name, "x-hopper", key)

    check = _Checker(where, loc, out)
    _unknown(data, SERVICE_KEYS, where, loc, out)
    hints = ServiceHints()
    role = check.string(data, "role")
    if role is not None:
        if role.lower() in ROLES:
            hints.role = ROLES[role.lower()]
        else:
            check.bad("role", f"one of {', '.join(sorted(set(ROLES)))}")
    hints.ignore = bool(check.boolean(data, "ignore"))
    port = check.integer(data, "port")
    if port is not None and not 0 < port < 65536:
        check.bad("port", "a port number")
        port = None
    hints.port = port
    hints.public = check.boolean(data, "public")
    health = check.string(data, "health_path")
    if health is not None and not health.startswith("/"):
        check.bad("health_path", "a path starting with /")
        health = None
    hints.health_path = health
    hints.autostop = check.autostop(data, "autostop")
    hints.autostart = check.boolean(data, "autostart")
    hints.min_running = check.integer(data, "min_running")
    hints.min_instances = check.integer(data, "min_instances")
    hints.max_instances = check.integer(data, "max_instances")
    hints.cpus = check.number(data, "cpus")
    memory = data.get("memory")
    if memory is not None:
        hints.memory_mb = memory_mb(memory)
        if hints.memory_mb is None:
            check.bad("memory", "a size such as 512m, 1g or a number of megabytes")
    hints.size = check.string(data, "size")
    hints.secrets = frozenset(check.names(data, "secrets"))
    hints.plain = frozenset(check.names(data, "plain"))
    hints.domains = check.names(data, "domains")
    hints.release_command = check.string(data, "release_command")
    hints.version = check.string(data, "version")
    hints.buckets = _buckets(data.get("buckets"), check)
    return hints


def _buckets(value: Any, check: _Checker) -> dict[str, bool]:
    if value is None:
        return {}
    out: dict[str, bool] = {}
    items = value if isinstance(value, list) else None
    if items is None:
        check.bad("buckets", "a list of bucket names or {name, public} mappings")
        return {}
    for item in items:
        if isinstance(item, str):
            out[item] = False
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            out[item["name"]] = bool(item.get("public", False))
        else:
            check.bad("buckets", "a list of bucket names or {name, public} mappings")
    return out


def memory_mb(value: Any) -> int | None:
    """``512`` (MB), ``"512m"``, ``"1g"``, ``"1GB"``, ``"256MiB"`` → megabytes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(value).lower())
    if m is None:
        return None
    number = float(m.group(1))
    factor = {"": 1, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}[m.group(2)]
    result = int(number * factor)
    return result if result > 0 else None
