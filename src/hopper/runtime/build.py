"""Build what an image copies from a build stage, the way the image build would see it.

The runtime does not execute Dockerfile build stages (no image builder here). What a final
stage copies out of a build stage (``COPY --from=build /app/dist/ ...``) maps to a folder of
the working copy; the package that owns it is built with its own ``build`` script, after
installing its dependencies when it declares any. The build sees only what an image build sees:
the stage's ``ARG`` and ``ENV`` values and the build secrets it mounts, with a value only when
the deploy command passes one (``--build-arg``/``--build-secret``) or the ``ARG`` has a default.
Runtime ``[env]`` and app secrets are not there, as on Fly.

Each value the runtime passes is a marker (``verify-<NAME>``), so the check for build-time
variables can look for it in the built files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hopper.runtime.image import ImageLayout
from hopper.runtime.netns import RuntimeProblem

BUILD_TIMEOUT = 300


def marker(name: str) -> str:
    return f"verify-{name}"


@dataclass(slots=True)
class BuildResult:
    package: Path  # the package folder that was built
    outputs: list[Path] = field(default_factory=list)
    env_names: dict[str, str] = field(default_factory=dict)  # name -> "build-arg", "secret", "default"
    ok: bool = True
    built: bool = False  # the package's build script ran (its output is what the image copies)
    log: str = ""


def package_dir(path: Path, root: Path) -> Path | None:
    """The nearest folder at or above ``path`` with a package.json, inside ``root``."""
    current = path if path.is_dir() else path.parent
    while current.is_relative_to(root):
        if (current / "package.json").is_file():
            return current
        if current == root:
            break
        current = current.parent
    return None


def _declares_dependencies(pkg: Path) -> bool:
    try:
        data = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(data.get("dependencies") or data.get("devDependencies"))


def _has_script(pkg: Path, name: str) -> bool:
    try:
        data = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data.get("scripts"), dict) and name in data["scripts"]


def base_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(home), "LANG": "C.UTF-8", "CI": "true",
            "npm_config_update_notifier": "false", "npm_config_fund": "false",
            "npm_config_audit": "false"}


def install(pkg: Path, home: Path, production: bool) -> tuple[bool, str]:
    """Install a package's dependencies from the registry when it declares any."""
    if not _declares_dependencies(pkg) or (pkg / "node_modules").is_dir():
        return True, ""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeProblem("npm is not installed (needed to install the app's dependencies)")
    argv = [npm, "ci" if (pkg / "package-lock.json").is_file() else "install"]
    if production:
        argv.append("--omit=dev")
    done = subprocess.run(argv, cwd=pkg, env=base_env(home), capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, check=False)
    return done.returncode == 0, (done.stdout + done.stderr)[-2000:]


def build_stage_outputs(layout: ImageLayout, tree: Path, home: Path,
                        passed_args: set[str], passed_secrets: set[str]) -> list[BuildResult]:
    """Build every package whose output the final stage copies from a build stage."""
    results: dict[Path, BuildResult] = {}
    for target, host in layout.final.entries:
        stage_name = layout.from_stage.get(target)
        stage = layout.dockerfile.stage(stage_name) if stage_name else None
        if stage is None:
            continue
        pkg = package_dir(host, tree)
        if pkg is None or pkg in results:
            continue
        result = BuildResult(package=pkg)
        results[pkg] = result
        env = base_env(home)
        values = {**layout.dockerfile.global_args, **stage.args}
        for name, default in values.items():
            if name in passed_args:
                env[name], result.env_names[name] = marker(name), "build-arg"
            elif default is not None:
                env[name], result.env_names[name] = default, "default"
        for name in stage.secret_ids:
            if name in passed_secrets:
                env[name], result.env_names[name] = marker(name), "secret"
        env.update(layout.stages[stage_name or ""].env if stage_name in layout.stages else {})
        ok, log = install(pkg, home, production=False)
        result.log += log
        if not ok:
            result.ok = False
            continue
        # The package's build writes what is copied from inside it (dist/); a copy of the whole
        # package (an API's /app) needs no build step here.
        if _has_script(pkg, "build") and host.resolve() != pkg.resolve():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeProblem("npm is not installed (needed to build the front)")
            done = subprocess.run([npm, "run", "build"], cwd=pkg, env=env, capture_output=True,
                                  text=True, timeout=BUILD_TIMEOUT, check=False)
            result.log += (done.stdout + done.stderr)[-2000:]
            result.ok = done.returncode == 0
            result.built = True
        result.outputs.append(host)
    return list(results.values())


BUNDLER_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "PUBLIC_", "NUXT_PUBLIC_", "GATSBY_")


def inlined_names(pkg: Path, tree: Path) -> dict[str, str]:
    """Names the package's code reads that a bundler inlines at build time -> "file:line"."""
    from hopper.envscan import scan_paths  # noqa: PLC0415

    rel = pkg.relative_to(tree).as_posix() or "."
    found: dict[str, str] = {}
    for read in scan_paths(tree, (rel,)).reads:
        if read.language in ("javascript", "typescript") and read.name.startswith(BUNDLER_PREFIXES):
            found.setdefault(read.name, f"{read.file}:{read.line}")
    return found


def output_contains(paths: list[Path], needle: str, limit: int = 50 * 1024 * 1024) -> bool:
    seen = 0
    data = needle.encode()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            seen += path.stat().st_size
            if seen > limit:
                return False
            if data in path.read_bytes():
                return True
    return False


_FALLBACK = r"\s*(\|\||\?\?)"


def has_fallback(line: str, name: str) -> bool:
    """Whether the read of ``name`` on this source line has a default (``|| x``, ``?? x``,
    ``.get(name, x)``, ``getenv(name, x)``, ``${NAME:-x}``)."""
    escaped = re.escape(name)
    patterns = [rf"process\.env\.{escaped}\b{_FALLBACK}",
                rf"process\.env\[\s*[\"']{escaped}[\"']\s*\]{_FALLBACK}",
                rf"\.get\(\s*[\"']{escaped}[\"']\s*,", rf"getenv\(\s*[\"']{escaped}[\"']\s*,",
                rf"\$\{{{escaped}:?[-=]"]
    return any(re.search(p, line) for p in patterns)


def read_line(tree: Path, rel: str, number: int) -> str:
    try:
        lines = (tree / rel).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def fly_env_names() -> tuple[str, ...]:
    return ("FLY_APP_NAME", "FLY_MACHINE_ID", "FLY_ALLOC_ID", "FLY_REGION", "FLY_PUBLIC_IP",
            "FLY_IMAGE_REF", "FLY_MACHINE_VERSION", "FLY_PRIVATE_IP", "FLY_PROCESS_GROUP",
            "FLY_VM_MEMORY_MB", "PRIMARY_REGION")


def environ_of(pid: int) -> dict[str, str] | None:
    """A running process's environment, as its program received it."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    out: dict[str, str] = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            out[key.decode(errors="replace")] = value.decode(errors="replace")
    return out


def writable_home(workdir: Path) -> Path:
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    os.chmod(home, 0o777)
    return home
