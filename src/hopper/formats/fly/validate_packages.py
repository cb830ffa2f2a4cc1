"""validate rules for the package manager a Dockerfile installs with:

* the install command's manager is not the project's: ``npm ci`` where the build context holds
  only yarn.lock, ``yarn install`` where package.json's ``packageManager`` names pnpm, ``npm ci``
  with no package-lock.json at all (it refuses to run without one) (HOP393);
* pnpm, or Yarn 2 and later, run where nothing provides them: the Node images carry neither
  (pnpm is not there; their global yarn is Yarn 1, which refuses a project whose
  ``packageManager`` names another Yarn), and the Dockerfile neither runs ``corepack enable``
  nor installs the manager itself (HOP394).

The project is what the Dockerfile copies: the first ``package.json`` a COPY names, else the one
at the root of the build context, read with the same code as the readers
(:func:`hopper.shared.nodeproject.read_node_project`), from the set's folder or the repository given
with ``--source``. Without a package.json there, nothing is checked.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING

from hopper.diagnostics import Diagnostic, HopperError, Location, Severity, code, error
from hopper.formats.fly.read_apps import FlyApp
from hopper.shared.packagemanager import install_command

if TYPE_CHECKING:
    from hopper.shared.dockerfile import Dockerfile
    from hopper.shared.nodeproject import NodeProject

E_MANAGER_MISMATCH = code("HOP393", Severity.ERROR, "a Dockerfile installs with another package manager than the project's lockfile or packageManager")
E_MANAGER_MISSING = code("HOP394", Severity.ERROR, "a Dockerfile runs pnpm or Yarn 2+ without corepack or another install of it")

# An install command inside a RUN: the manager and the words that follow it.
_INSTALL = re.compile(r"(?:^|[;&|(]\s*|\s)(?P<pm>npm|pnpm|yarn|bun)(?P<args>(?:\s+[^\s;&|)]+)*)")
_VERBS: dict[str, tuple[str | None, ...]] = {
    "npm": ("ci", "install", "i"), "yarn": (None, "install"), "pnpm": ("install", "i"), "bun": ("install", "i"),
}
_PROVIDES = {
    "pnpm": re.compile(r"\bcorepack\s+enable\b|\bnpm\s+(?:i|install|add)\s+(?:-g|--global)\s+(?:\S+\s+)*'?pnpm\b"),
    "yarn": re.compile(r"\bcorepack\s+enable\b|\bnpm\s+(?:i|install|add)\s+(?:-g|--global)\s+(?:\S+\s+)*'?yarn\b"),
}


def package_manager_checks(app: FlyApp, root: Path, source: Path | None) -> list[Diagnostic]:
    docker = app.dockerfile
    if docker is None or not docker.stages:
        return []
    lines = _run_lines(_dockerfile_text(docker.file, root, source))
    installs = [(line, pm, command) for line, text in lines for pm, command in _installs(text)]
    if not installs:
        return []
    project = _project(app, root, source)
    if project is None:
        return []
    out: list[Diagnostic] = []
    line, pm, command = installs[0]
    where = Location(file=docker.file, line=line)
    expected = project.package_manager
    lockfile = project.lockfile
    why = (f"{project.location.file} names packageManager {expected}@{project.package_manager_version}"
           if project.package_manager_version else f"the project's lockfile is {lockfile}" if lockfile else None)
    if expected is not None and why is not None and pm != expected:
        out.append(error(E_MANAGER_MISMATCH, f"{docker.file} installs with '{command}', but {why}: "
                         f"the install ignores it" + (" and fails" if pm != "npm" or command.startswith("npm ci")
                                                     else ", so versions are not the locked ones"),
                         where, hint=f"install with {expected} (hopper convert writes "
                         f"'{install_command(expected, project.install)}')"))
    elif pm == "npm" and re.match(r"npm\s+ci\b", command) and lockfile is None:
        out.append(error(E_MANAGER_MISMATCH, f"{docker.file} runs '{command}', but the project has no "
                         "package-lock.json or npm-shrinkwrap.json: npm ci refuses to run without one",
                         where, hint="commit package-lock.json, or install with 'npm install'"))
    text = "\n".join(t for _, t in lines)
    berry = pm == "yarn" and project.install is not None and (project.install.major or 1) >= 2
    carried = project.install is not None and any(".yarn/releases/" in f for f in project.install.files)
    if pm == "pnpm" and not _PROVIDES["pnpm"].search(text) and not _image_has(docker, "pnpm"):
        out.append(error(E_MANAGER_MISSING, f"{docker.file} runs '{command}', but the Node images do not "
                         "include pnpm and nothing here installs it", where,
                         hint="add 'RUN corepack enable' before the install (corepack runs the pnpm "
                         "package.json's packageManager names)"))
    elif berry and not _PROVIDES["yarn"].search(text) and (project.package_manager_version or not carried):
        version = project.package_manager_version
        out.append(error(E_MANAGER_MISSING, f"{docker.file} runs '{command}' for a Yarn "
                         f"{version or '2+'} project without corepack: the image's global yarn is Yarn 1, "
                         + ("which refuses a project whose packageManager names another Yarn" if version
                            else "which cannot read a Yarn 2+ lockfile"), where,
                         hint="add 'RUN corepack enable' before the install"))
    return out


def _image_has(docker: Dockerfile, tool: str) -> bool:
    return any(tool in stage.image for stage in docker.stages)


def _dockerfile_text(file: str, root: Path, source: Path | None) -> str:
    for base in (root, source):
        if base is None:
            continue
        path = base / file
        try:
            if path.is_file():
                return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
    return ""


def _run_lines(text: str) -> list[tuple[int, str]]:
    """(line, text) of each RUN instruction, continuation lines joined; the line is where the
    instruction starts."""
    out: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if current is None:
            if not re.match(r"(?i)^RUN\s", line):
                continue
            current, start = [line[3:].strip()], number
        else:
            if line.startswith("#"):
                continue
            current.append(line)
        if not line.endswith("\\"):
            out.append((start, " ".join(part.rstrip("\\").strip() for part in current)))
            current = None
    if current is not None:
        out.append((start, " ".join(part.rstrip("\\").strip() for part in current)))
    return out


def _installs(run: str) -> list[tuple[str, str]]:
    """The install commands of one RUN: ``(manager, command)``. Global tool installs
    (``npm install -g pnpm``) and script runs (``yarn build``) are not installs."""
    run = re.sub(r"--mount=\S+", " ", run)
    found: list[tuple[str, str]] = []
    for match in _INSTALL.finditer(run):
        pm, args = match.group("pm"), match.group("args").split()
        words = [a for a in args if not a.startswith("-")]
        flags = [a for a in args if a.startswith("-")]
        if "-g" in flags or "--global" in flags:
            continue
        verb = words[0] if words else None
        if verb not in _VERBS[pm]:
            continue
        found.append((pm, " ".join([pm, *args])))
    return found


def _project(app: FlyApp, root: Path, source: Path | None) -> NodeProject | None:
    """The Node project the Dockerfile copies into the image, or None."""
    from hopper.shared.nodeproject import read_node_project  # noqa: PLC0415

    docker = app.dockerfile
    assert docker is not None
    manifest = next((s for stage in docker.stages for c in stage.copies if c.from_stage is None
                     for s in c.sources if s == "package.json" or s.endswith("/package.json")), None)
    folder = posixpath.dirname(manifest) if manifest else ""
    for base in (source, root):
        if base is None:
            continue
        context = base / app.context
        target = context / folder if folder else context
        if not (target / "package.json").is_file():
            continue
        try:
            return read_node_project(target, base)
        except HopperError:
            return None
    return None

