"""validate rules for what breaks on the first deploy although flyctl accepts the file:

* a non-HTTP port (Redis 6379, AMQP 5672...) behind ``[http_service]``, which gives it HTTP
  handlers, ``force_https`` and a public address (HOP390);
* a ``[[mounts]]`` destination over the folder where the image keeps its installed
  dependencies (``node_modules``) or the app itself: the empty volume hides them (HOP391);
* ``nginx -t`` on the app's nginx.conf when nginx is installed, with Fly's private names
  (``<app>.flycast``, ``<app>.internal``) mapped to loopback for the check, since they resolve
  only inside Fly's network (HOP392). Without nginx the check is skipped.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from hopper.diagnostics import Diagnostic, Location, Severity, code, error, warning
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.write_tcp import protocol_of_port

W_TCP_BEHIND_HTTP = code("HOP390", Severity.WARNING, "a non-HTTP port is served through [http_service]")
E_MOUNT_OVER_DEPS = code("HOP391", Severity.ERROR, "a volume is mounted over the image's installed dependencies")
E_NGINX_TEST = code("HOP392", Severity.ERROR, "nginx -t rejects the app's nginx configuration")

_INSTALL = re.compile(r"\b(npm (ci|install)|pnpm install|yarn( install)?|bun install)\b")
_PRIVATE_NAME = re.compile(r"\b[a-z0-9][a-z0-9.-]*\.(?:flycast|internal)\b")
_NGINX_LINE = re.compile(r"\[(?P<level>emerg|alert|crit)\] (?:\d+#\d+: )?(?P<text>.*?)"
                         r"(?: in (?P<file>\S+):(?P<line>\d+))?$")


def first_deploy_checks(app: FlyApp, root: Path) -> list[Diagnostic]:
    return [*_tcp_behind_http(app), *_mount_over_dependencies(app), *_nginx_syntax(app, root)]


def _tcp_behind_http(app: FlyApp) -> list[Diagnostic]:
    cfg = app.config
    port = cfg.get("http_service", "internal_port")
    what = protocol_of_port(port) if isinstance(port, int) else None
    if what is None:
        return []
    return [warning(W_TCP_BEHIND_HTTP, f"http_service.internal_port {port} is {what}, not HTTP: Fly's "
                    "proxy speaks HTTP to it, force_https redirects, and the first deploy gives it a "
                    "public address", cfg.location("http_service", "internal_port"),
                    hint=f"use a private [[services]] with protocol = 'tcp' and [[services.ports]] "
                    f"port = {port} (no handlers), deployed with --flycast")]


def _dependency_folders(app: FlyApp) -> list[str]:
    docker = app.dockerfile
    if docker is None or not docker.stages:
        return []
    # WORKDIR is inherited from the stage a stage is built FROM.
    stage = docker.final
    workdir = stage.workdir
    by_alias = {s.alias: s for s in docker.stages if s.alias}
    seen: set[int] = set()
    while workdir is None and stage.image in by_alias and stage.index not in seen:
        seen.add(stage.index)
        stage = by_alias[stage.image]
        workdir = stage.workdir
    workdir = posixpath.normpath(workdir or "/")
    installs = any(_INSTALL.search(run) for stage in docker.stages for run in stage.runs)
    return [posixpath.join(workdir, "node_modules")] if installs else []


def _mount_over_dependencies(app: FlyApp) -> list[Diagnostic]:
    cfg = app.config
    out: list[Diagnostic] = []
    folders = _dependency_folders(app)
    for index, mount in enumerate(cfg.data.get("mounts") or []):
        destination = mount.get("destination") if isinstance(mount, dict) else None
        if not isinstance(destination, str) or not destination.startswith("/"):
            continue
        target = posixpath.normpath(destination)
        hidden = [f for f in folders if f == target or f.startswith(target.rstrip("/") + "/")]
        if target.endswith("/node_modules"):
            hidden = hidden or [target]
        if hidden:
            out.append(error(E_MOUNT_OVER_DEPS, f"mount '{mount.get('source')}' at {destination} hides "
                             f"{hidden[0]}, where the image installed the app's dependencies: the "
                             "volume starts empty and the app cannot start", cfg.location("mounts", index),
                             hint="mount the volume on a data folder only (for example /data)"))
    return out


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _nginx_syntax(app: FlyApp, root: Path) -> list[Diagnostic]:
    binary = nginx_binary()
    if binary is None or app.nginx is None or not app.nginx.files or app.nginx.snippet:
        return []
    top = root / app.nginx.files[0]
    try:
        text = top.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    names = sorted(set(_PRIVATE_NAME.findall(text)))
    # Fly's private names resolve only inside Fly's network: map them to loopback for the test
    # (nginx resolves a literal proxy_pass host while it reads the file). Lines stay in place.
    mapped = _PRIVATE_NAME.sub("127.0.0.1", text)
    with tempfile.TemporaryDirectory(prefix="hopper-nginx-") as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(mapped, encoding="utf-8")
        try:
            proc = subprocess.run([binary, "-t", "-q", "-p", tmp, "-c", str(conf)], capture_output=True,
                                  text=True, timeout=30, cwd=tmp, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return []
    if proc.returncode == 0:
        return []
    out: list[Diagnostic] = []
    for line in proc.stderr.splitlines():
        match = _NGINX_LINE.search(line.strip())
        if match is None:
            continue
        message = match.group("text")
        if "Permission denied" in message or "could not open error log" in message:
            continue  # the machine running validate, not the configuration
        here = Location(file=app.nginx.files[0],
                        line=int(match.group("line")) if match.group("file") == str(conf) else None)
        mapped_note = f" ({', '.join(names)} mapped to 127.0.0.1 for the test)" if names else ""
        out.append(error(E_NGINX_TEST, f"nginx -t: {message}{mapped_note}", here,
                         hint="fix the directive; nginx refuses to start with this file"))
    return out
