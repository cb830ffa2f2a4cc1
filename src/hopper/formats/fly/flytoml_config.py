"""One fly.toml read and normalised (:class:`FlyConfig`), and the codes of reading one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code
from hopper.formats.fly.read_toml_locations import KeyPath, Position

E_SYNTAX = code("HOP300", Severity.ERROR, "fly.toml (or fly.json/fly.yaml) is not valid TOML/JSON/YAML")
E_TYPE = code("HOP301", Severity.ERROR, "a fly.toml key has the wrong type for flyctl")
W_UNKNOWN_KEY = code("HOP302", Severity.WARNING, "a fly.toml key or section flyctl does not know (it is silently ignored)")
E_VALUE = code("HOP303", Severity.ERROR, "a fly.toml value flyctl cannot load (bad duration, autostop, concurrency, port)")
W_NANOSECONDS = code("HOP304", Severity.WARNING, "an integer duration that flyctl reads as nanoseconds")
W_OBSOLETE_KEY = code("HOP305", Severity.WARNING, "an obsolete fly.toml key that flyctl ignores")
E_NO_APP = code("HOP306", Severity.ERROR, "the fly.toml has no app name")


@dataclass(frozen=True)
class FlyConfig:
    """One fly.toml, normalised. ``data`` follows :data:`ROOT`; see the module docstring."""

    path: str  # the file as shown to the user (relative to the project root when known)
    data: dict[str, Any]
    diagnostics: tuple[Diagnostic, ...] = ()
    locations: Mapping[KeyPath, Position] = field(default_factory=dict, repr=False)
    aliases: Mapping[KeyPath, KeyPath] = field(default_factory=dict, repr=False)

    @property
    def app(self) -> str | None:
        value = self.data.get("app")
        return value if isinstance(value, str) and value else None

    def source_path(self, path: KeyPath) -> KeyPath:
        """The key path as the user wrote it (``("mount",)`` for normalised ``("mounts", 0)``)."""
        for cut in range(len(path), 0, -1):
            alias = self.aliases.get(path[:cut])
            if alias is not None:
                return alias + path[cut:]
        return path

    def location(self, *path: str | int) -> Location:
        """Where ``path`` (a normalised key path) was written; the nearest parent if not found."""
        source = self.source_path(tuple(path))
        for cut in range(len(source), -1, -1):
            pos = self.locations.get(source[:cut])
            if pos is not None:
                return Location(file=self.path, line=pos[0], col=pos[1],
                                key=key_name(source) or None)
        return Location(file=self.path, key=key_name(source) or None)

    def get(self, *path: str | int) -> Any:
        """The normalised value at ``path``, or None."""
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
            elif not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node


def key_name(path: KeyPath) -> str:
    """``services[0].ports[1].port`` for ``("services", 0, "ports", 1, "port")``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            out += f".{name}" if out else name
    return out
