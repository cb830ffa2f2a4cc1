"""hopper: move a web application's deployment between docker-compose, Clever Cloud and Fly.io.

The public API is small and typed::

    import hopper
    result = hopper.load("samples/compose-webapp")       # ReadResult(model, diagnostics)
    files = hopper.write(result.model, "fly").files       # {relative path: text}
    conv = hopper.convert("samples/compose-webapp", "fly")

Importing hopper loads no heavy library; format modules load theirs on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hopper._version import __version__
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
    Secret,
    Service,
    StaticSite,
    Volume,
)

if TYPE_CHECKING:
    from hopper.api import ConvertResult, convert, load, write
    from hopper.formats.base import ReadOptions, ReadResult, WriteOptions, WriteResult

_LAZY = {
    "load": "hopper.api",
    "write": "hopper.api",
    "convert": "hopper.api",
    "ConvertResult": "hopper.api",
    "ReadOptions": "hopper.formats.base",
    "ReadResult": "hopper.formats.base",
    "WriteOptions": "hopper.formats.base",
    "WriteResult": "hopper.formats.base",
    "dump_model": "hopper.native",
    "load_model": "hopper.native",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'hopper' has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    module = importlib.import_module(module_name)
    attr = {"dump_model": "dump", "load_model": "load"}.get(name, name)
    return getattr(module, attr)


__all__ = [
    "Architecture", "Autostop", "Binding", "Bucket", "Build", "ConvertResult", "Database",
    "Diagnostic", "HealthCheck", "HopperError", "InputError", "LimitError", "Location",
    "ObjectStore", "OutputError", "Placement", "ReadOptions", "ReadResult", "Region", "Role",
    "Route", "Runtime", "Scaling", "Secret", "Service", "Severity", "StaticSite",
    "UnknownFormatError", "UnsupportedError", "Volume", "WriteOptions", "WriteResult",
    "__version__", "convert", "dump_model", "load", "load_model", "write",
]
