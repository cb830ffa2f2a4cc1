"""Secrets written where fly.toml runs commands or builds: moved to named secrets before the
reader builds the model (issue 20).

* ``[deploy] release_command``, ``[processes]`` and ``[experimental] cmd``/``exec`` with a
  credential on the command line (``migrate --password X``) keep a ``"${NAME}"`` reference and
  the value becomes the runtime secret ``NAME`` (only its name and digest travel on);
* ``[build.args]`` under a secret-looking name (``NPM_TOKEN``) becomes a build secret, as the
  compose reader does for the same name.

The detection itself is :mod:`hopper.secrets`, shared by every reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hopper.diagnostics import Diagnostics, Location, Severity, code
from hopper.formats.fly.flytoml_config import FlyConfig
from hopper.model import secret_digest
from hopper.secrets import looks_secret, moved_secret_warning, scrub_command, scrub_command_line

W_BUILD_ARG_SECRET = code("HOP367", Severity.WARNING,
                          "a [build.args] value under a secret-looking name is kept as a build secret")


@dataclass(frozen=True, slots=True)
class MovedSecret:
    name: str
    digest: str
    where: Location
    build_time: bool = False


def _owner(cfg: FlyConfig) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", cfg.app or "app")


def move_config_secrets(cfg: FlyConfig, diags: Diagnostics) -> list[MovedSecret]:
    """Rewrite ``cfg.data`` in place so no credential is left in a command or a build argument;
    return what moved, for the reader to record as secrets."""
    moved: list[MovedSecret] = []
    taken: set[str] = set()
    owner = _owner(cfg)
    label = f"app '{cfg.app or cfg.path}'"

    def line(value: Any, what: str, *path: str) -> Any:
        if not isinstance(value, str):
            return value
        scrubbed, found = scrub_command_line(value, owner, taken)
        for name, option, secret in found:
            where = cfg.location(*path)
            diags.add(moved_secret_warning(label, what, option, name, where))
            moved.append(MovedSecret(name, secret_digest(name, secret), where))
        return scrubbed

    deploy = cfg.data.get("deploy")
    if isinstance(deploy, dict) and "release_command" in deploy:
        deploy["release_command"] = line(deploy["release_command"], "release_command", "deploy", "release_command")
    processes = cfg.data.get("processes")
    if isinstance(processes, dict):
        for group in sorted(processes):
            processes[group] = line(processes[group], f"[processes] {group}", "processes", group)
    experimental = cfg.data.get("experimental")
    if isinstance(experimental, dict):
        for key in ("cmd", "exec", "entrypoint"):
            argv = experimental.get(key)
            if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
                scrubbed, found = scrub_command(argv, owner, taken)
                for name, option, secret in found:
                    where = cfg.location("experimental", key)
                    diags.add(moved_secret_warning(label, f"[experimental] {key}", option, name, where))
                    moved.append(MovedSecret(name, secret_digest(name, secret), where))
                experimental[key] = list(scrubbed)
    build = cfg.data.get("build")
    args = build.get("args") if isinstance(build, dict) else None
    if isinstance(args, dict):
        for key in sorted(args):
            value = args[key]
            if looks_secret(str(key), value if isinstance(value, str) else None):
                where = cfg.location("build", "args", key)
                diags.warning(W_BUILD_ARG_SECRET, f"[build.args] '{key}' looks like a secret; hopper keeps it "
                              "as a build secret (its name only), not as a build argument baked into the image",
                              where, hint=f"pass it at build time: fly deploy --build-secret {key}=...")
                moved.append(MovedSecret(str(key), secret_digest(str(key), str(value)), where, build_time=True))
                del args[key]
    return moved
