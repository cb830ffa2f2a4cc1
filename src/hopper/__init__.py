"""hopper: move a web application's deployment between docker-compose, Clever Cloud, Fly.io and Render.

The public API is small and typed (docs/api.md)::

    import hopper
    result = hopper.load("samples/compose-webapp")       # ReadResult(model, diagnostics)
    files = hopper.write(result.model, "fly").files       # {relative path: text}
    conv = hopper.convert("samples/compose-webapp", "fly")
    plan = hopper.plan("samples/compose-webapp", "fly")   # the migration plan (convert --dry-run)
    print(hopper.render_plan(plan, "markdown"))           # text, markdown, json, github, sarif
    renames = hopper.rewrite_env("samples/compose-webapp", "fly")  # .diff, nothing written

Every public name is imported on first use, so ``import hopper`` (and ``hopper --version``)
loads almost nothing; format modules load their libraries only when they run.
"""

from __future__ import annotations

from hopper._version import __version__

# Not `from typing import TYPE_CHECKING`: importing typing costs `hopper --version` and
# `--help` a few milliseconds; type checkers treat any TYPE_CHECKING name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hopper.api import (
        PLAN_FORMATS,
        ConvertResult,
        compare,
        conversion_plan,
        convert,
        fails_on,
        load,
        plan,
        render_mermaid,
        render_plan,
        render_summary,
        rewrite_env,
        write,
    )
    from hopper.diagnostics import (
        Diagnostic,
        HopperError,
        InputError,
        LimitError,
        Location,
        OutputError,
        Severity,
        UnknownFormatError,
        UnsupportedError,
    )
    from hopper.diff import diff_models
    from hopper.envscan.rewrite import RewriteResult
    from hopper.findings.types import Finding, Plan
    from hopper.formats.base import ReadOptions, ReadResult, WriteOptions, WriteResult
    from hopper.model import (
        Architecture,
        Autostop,
        Binding,
        Bucket,
        Build,
        Database,
        HealthCheck,
        ObjectStore,
        Placement,
        Region,
        Role,
        Route,
        Runtime,
        Scaling,
        Schedule,
        Secret,
        Service,
        StaticSite,
        Volume,
    )
    from hopper.native import dump as dump_model
    from hopper.native import load as load_model
    from hopper.report import apply_acks

_MODEL = ("Architecture", "Autostop", "Binding", "Bucket", "Build", "Database", "HealthCheck",
          "ObjectStore", "Placement", "Region", "Role", "Route", "Runtime", "Scaling", "Schedule",
          "Secret", "Service", "StaticSite", "Volume")
_DIAGNOSTICS = ("Diagnostic", "HopperError", "InputError", "LimitError", "Location", "OutputError",
                "Severity", "UnknownFormatError", "UnsupportedError")
_API = ("load", "write", "convert", "ConvertResult", "plan", "compare", "conversion_plan",
        "render_plan", "fails_on", "render_summary", "render_mermaid", "rewrite_env", "PLAN_FORMATS")
_LAZY: dict[str, tuple[str, str]] = {
    **{name: ("hopper.model", name) for name in _MODEL},
    **{name: ("hopper.diagnostics", name) for name in _DIAGNOSTICS},
    **{name: ("hopper.api", name) for name in _API},
    **{name: ("hopper.formats.base", name)
       for name in ("ReadOptions", "ReadResult", "WriteOptions", "WriteResult")},
    "Plan": ("hopper.findings.types", "Plan"),
    "Finding": ("hopper.findings.types", "Finding"),
    "diff_models": ("hopper.diff", "diff_models"),
    "apply_acks": ("hopper.report", "apply_acks"),
    "RewriteResult": ("hopper.envscan.rewrite", "RewriteResult"),
    "dump_model": ("hopper.native", "dump"),
    "load_model": ("hopper.native", "load"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'hopper' has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "PLAN_FORMATS", "Architecture", "Autostop", "Binding", "Bucket", "Build", "ConvertResult",
    "Database", "Diagnostic", "Finding", "HealthCheck", "HopperError", "InputError", "LimitError",
    "Location", "ObjectStore", "OutputError", "Placement", "Plan", "ReadOptions", "ReadResult",
    "Region", "RewriteResult", "Role", "Route", "Runtime", "Scaling", "Schedule", "Secret",
    "Service", "Severity", "StaticSite", "UnknownFormatError", "UnsupportedError", "Volume",
    "WriteOptions", "WriteResult", "__version__", "apply_acks", "compare", "conversion_plan",
    "convert", "diff_models", "dump_model", "fails_on", "load", "load_model", "plan",
    "render_mermaid", "render_plan", "render_summary", "rewrite_env", "write",
]
