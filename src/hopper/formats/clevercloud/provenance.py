"""Where each model field of a Clever app was written: ``key_origins`` for the plan.

The readers record, per app, the key behind each model field (``AppSpec.locations``: a
Terraform attribute with its line and column, an env file line); this module hands them to the
model objects they belong to, so a plan finding about ``scaling.min_instances`` points at
``min_instance_count`` and one about ``NODE_ENV`` at its line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hopper.diagnostics import Location
from hopper.formats.clevercloud.setup import AddonSpec, AppSpec
from hopper.model import Service

_PARTS = ("runtime", "scaling", "build")
# Clever settings made of environment variables (Terraform, the export, an env file): the
# model field each sets, so a finding about the field points at the variable's line.
_CC_FIELDS = {
    "CC_PRE_RUN_HOOK": "runtime.release_command", "CC_RUN_COMMAND": "runtime.command",
    "CC_HEALTH_CHECK_PATH": "runtime.health_check", "CC_NODE_VERSION": "build.runtime_version",
    "CC_NODE_BUILD_TOOL": "build.package_manager", "CC_DOCKERFILE": "build.dockerfile",
}


def with_key_origins(svc: Service, app: AppSpec) -> Service:
    split: dict[str, dict[str, Location]] = {part: {} for part in ("", *_PARTS)}
    for path, loc in app.locations.items():
        head, _, rest = path.partition(".")
        if head in _PARTS and rest:
            split[head][rest] = loc
        else:
            split[""][path] = loc
    # Env entries read from an env file or the export carry their own line: the best there is.
    for name, entry in (*app.env.items(), *app.exposed_env.items()):
        if entry.origin is not None and entry.origin.line is not None:
            for field in ("env", "secret_env"):
                split["runtime"].setdefault(f"{field}.{name}", entry.origin)
        where = split["runtime"].get(f"env.{name}")
        if name in _CC_FIELDS and where is not None:
            head, _, rest = _CC_FIELDS[name].partition(".")
            split[head].setdefault(rest, where)
    build = svc.build
    if build is not None and split["build"]:
        build = replace(build, key_origins={**split["build"], **build.key_origins})
    return replace(
        svc, build=build, key_origins={**split[""], **svc.key_origins},
        runtime=replace(svc.runtime, key_origins={**split["runtime"], **svc.runtime.key_origins}),
        scaling=replace(svc.scaling, key_origins={**split["scaling"], **svc.scaling.key_origins}))


def backing_key_origins(item: Any, addon: AddonSpec) -> Any:
    """A database or object store with the keys of its add-on."""
    if not addon.locations:
        return item
    return replace(item, key_origins={**addon.locations, **item.key_origins})
