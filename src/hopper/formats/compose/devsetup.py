"""What only makes sense on a developer's machine, recognised in a compose file.

Many repositories ship a development compose file: the source folder bind-mounted over the
image's working directory, `npm run dev` or `nodemon`, a volume over `node_modules`, a test
runner, `tty: true`. Deployed as written, such a service serves the dev server from an empty
volume. hopper converts a deployable set instead (docs/compose-input.md, "Development files"):

- a test runner or a one-shot dev helper (`npm install`) is left out, with a warning each
  (``x-hopper.role`` on the service keeps it);
- a dev command is replaced by the package's own build and start scripts, with a warning;
- a bind mount of the build context over the working directory and any volume over
  `node_modules` are left out (the image has the code and its dependencies), with a warning;
- `tty`/`stdin_open` are ignored, with a warning;
- when every application service is a dev one, one warning says so first.

Everything here works on the loaded service dicts, before the model is built; it never reads
a file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostic, Location, Severity, code, warning
from hopper.formats.compose.detect import BuildFacts, command_text

W_DEV_SERVICE = code("HOP151", Severity.WARNING,
                     "a test runner or one-shot development helper is left out of the deployable set")
W_DEV_COMMAND = code("HOP152", Severity.WARNING,
                     "a development command is replaced by the package's build and start scripts")
W_DEV_MOUNT = code("HOP153", Severity.WARNING,
                   "a source bind mount or a volume over dependencies is left out (the image holds them)")
W_DEV_TTY = code("HOP154", Severity.WARNING, "tty or stdin_open only matter on a terminal; ignored")
W_DEV_FILE = code("HOP155", Severity.WARNING,
                  "the compose file is a development setup; hopper converts a deployable set from it")

_DEV_COMMAND = re.compile(
    r"(?:^|[\s;&|])(?:(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:dev|develop|watch|start:dev|dev:\S+|serve)\b"
    r"|nodemon\b|ts-node-dev\b|tsx\s+watch\b|next\s+dev\b|nuxt\s+dev\b|vite(?:\s+(?:dev|serve))?\s*$"
    r"|node\s+--watch\b|nest\s+start\s+--watch\b|--watch\b)")
_TEST_COMMAND = re.compile(
    r"(?:^|[\s;&|])(?:(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|e2e|test:\S+)\b|npm\s+t\b|jest\b|vitest\b"
    r"|cypress\s+run\b|playwright\s+test\b|mocha\b|pytest\b)")
_INSTALL_ONLY = re.compile(r"^\s*(?:(?:npm|pnpm|yarn|bun)\s+(?:install|ci|i)\b[^;&|]*)\s*$")
_TEST_NAME = re.compile(r"^(?:tests?|e2e|cypress|playwright|jest|vitest|spec|integration[-_]?tests?|.*[-_](?:tests?|e2e))$")
_TEST_IMAGE = re.compile(r"^(?:cypress/|mcr\.microsoft\.com/playwright)")

Locate = Callable[..., Location | None]


@dataclass(slots=True)
class DevReport:
    left_out: set[str] = field(default_factory=set)  # services not converted
    dev_services: set[str] = field(default_factory=set)  # services with a dev command or mounts


def is_dev_command(text: str) -> bool:
    """`npm run dev`, `nodemon`, `next dev`, `--watch`...: a server for a developer."""
    return bool(_DEV_COMMAND.search(text))


def _helper_reason(name: str, svc: dict[str, Any]) -> str | None:
    text = command_text(svc)
    image = svc.get("image") if isinstance(svc.get("image"), str) else ""
    if _TEST_NAME.match(name.lower()) or _TEST_COMMAND.search(text) or _TEST_IMAGE.match(str(image)):
        return "a test runner"
    if text and _INSTALL_ONLY.match(text):
        return f"a one-shot development helper ('{text}')"
    return None


def left_out(name: str, svc: dict[str, Any], *, kept_by_hint: bool, locate: Locate,
             out: list[Diagnostic]) -> bool:
    """Whether the service is a test runner or a dev helper that is not converted."""
    reason = _helper_reason(name, svc)
    if reason is None or kept_by_hint:
        return False
    out.append(warning(W_DEV_SERVICE, f"{name}: {reason}; it is left out of the deployable set",
                       locate("services", name),
                       "set x-hopper.role on the service to convert it anyway"))
    return True


def clean_service(name: str, svc: dict[str, Any], facts: BuildFacts, *, root: Path, front: bool,
                  locate: Locate, out: list[Diagnostic]) -> tuple[dict[str, Any], bool]:
    """The service without what only works locally; True when it was a dev service."""
    result = dict(svc)
    dev = False
    text = command_text(svc)
    where = locate("services", name, "command")
    if not text and facts.dockerfile is not None and facts.dockerfile.final.cmd is not None:
        text = facts.dockerfile.final.cmd.as_text()  # a Dockerfile.dev's own CMD
        where = facts.dockerfile.final.location
    node = facts.node
    if text and is_dev_command(text) and node is not None and node.start_script:
        start = node.run_command("start")
        # The start script runs as the service's command; the build script stays the build.
        result["command"] = start.split()
        result.pop("entrypoint", None)
        shown = " then ".join(f"'{c}'" for c in (node.run_command("build") if node.build_script else None, start)
                              if c)
        out.append(warning(W_DEV_COMMAND, f"{name}: '{text}' is a development command; hopper builds and "
                           f"starts the package instead ({shown})", where,
                           "check that the image runs the build script (hopper's own Dockerfiles do)"))
        dev = True
    elif text and is_dev_command(text):
        out.append(warning(W_DEV_COMMAND, f"{name}: '{text}' is a development command and the package has no "
                           "start script to replace it; it is kept", where,
                           "add a start script to package.json"))
        dev = True
    volumes = []
    workdir = _workdir(svc, facts)
    for i, vol in enumerate(svc.get("volumes") or []):
        why = None if not isinstance(vol, dict) else _dev_mount(vol, facts, workdir, front, root)
        if why is None:
            volumes.append(vol)
            continue
        dev = True
        out.append(warning(W_DEV_MOUNT, f"{name}: volume on {vol.get('target')} is left out: {why}",
                           locate("services", name, "volumes", i),
                           "the deployed image must hold the code and its dependencies"))
    if len(volumes) != len(svc.get("volumes") or []):
        result["volumes"] = volumes
    for key in ("tty", "stdin_open"):
        if svc.get(key) is True:
            out.append(warning(W_DEV_TTY, f"{name}: {key}: true only matters with a terminal attached; "
                               "ignored", locate("services", name, key)))
            result.pop(key, None)
    return result, dev


def _workdir(svc: dict[str, Any], facts: BuildFacts) -> str | None:
    workdir = svc.get("working_dir")
    if isinstance(workdir, str) and workdir.startswith("/"):
        return posixpath.normpath(workdir)
    if facts.dockerfile is not None and facts.dockerfile.final.workdir:
        return posixpath.normpath(facts.dockerfile.final.workdir)
    return None


def _dev_mount(vol: dict[str, Any], facts: BuildFacts, workdir: str | None, front: bool,
               root: Path) -> str | None:
    target = str(vol.get("target") or "")
    if target.rstrip("/").endswith("/node_modules"):
        return "a volume is never mounted over the dependencies the image installed"
    if front or vol.get("type") != "bind" or workdir is None or facts.context is None:
        return None  # a config file mounted into nginx is production use
    source = vol.get("source")
    if not isinstance(source, str) or not (target == workdir or target.startswith(workdir.rstrip("/") + "/")):
        return None
    context = facts.context.resolve()
    path = Path(source) if source.startswith("/") else (root / source).resolve()
    if path == context or path.is_relative_to(context) or context.is_relative_to(path):
        return f"the build context is bind-mounted over the working directory {workdir} (live code for a dev server)"
    return None


def whole_file(applications: list[str], dev: set[str], locate: Locate, out: list[Diagnostic]) -> None:
    """One warning first when every application service is a dev one."""
    if applications and set(applications) <= dev:
        out.insert(0, warning(W_DEV_FILE, "this compose file is a development setup (dev commands, source "
                              f"mounts): hopper converts a deployable set of {', '.join(sorted(applications))} "
                              "from the packages' own build and start scripts", locate("services"),
                              "review the plan: what the dev file ran is not what is deployed"))
