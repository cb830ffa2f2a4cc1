"""Which file names are Fly configs: small, so that detecting a project's format (every
``inspect``/``convert`` of a compose project asks Fly first) does not import the fly.toml reader."""

from __future__ import annotations

import re

FLY_CONFIG_NAMES = ("fly.toml", "fly.json", "fly.yaml", "fly.yml")

# fly.<name>.toml, fly-<name>.toml, fly_<name>.toml, <name>.fly.toml, <name>-fly.toml (and the
# JSON/YAML forms flyctl also reads).
_VARIANT_FILE = re.compile(
    r"^(?:fly[._-](?P<after>[A-Za-z0-9][A-Za-z0-9._-]*?)|(?P<before>[A-Za-z0-9][A-Za-z0-9._-]*?)[._-]fly)"
    r"\.(?:toml|json|ya?ml)$")


def variant_of(filename: str) -> str | None:
    """``staging`` for ``fly.staging.toml`` (or ``staging.fly.toml``...); None for ``fly.toml``
    and for names that are not Fly configs."""
    if filename in FLY_CONFIG_NAMES:
        return None
    match = _VARIANT_FILE.match(filename)
    if match is None:
        return None
    return match.group("after") or match.group("before")


def is_config_name(filename: str) -> bool:
    return filename in FLY_CONFIG_NAMES or variant_of(filename) is not None
