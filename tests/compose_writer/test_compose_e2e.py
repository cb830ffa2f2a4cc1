"""End to end on the sample: samples/compose-webapp read by the compose reader, written back by
the compose writer, and the emitted nginx.conf run by a real nginx on loopback, serving the
front's built files and proxying /api/ to the sample's running Node API.

The model is changed only where a test on one machine must: the front listens on a free port
and serves the folder the sample's build step filled; the API (and the route to it) uses
another free port.
The one change made to the emitted file: the upstream host ``api`` (a compose service name,
resolved by Docker's DNS inside a compose network) becomes ``127.0.0.1``, because nginx resolves
upstream names once at start-up through the system resolver and this test does not edit
/etc/hosts.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.compose.reader import read
from hopper.formats.compose.writer import write
from hopper.model import Architecture
from support import SAMPLES

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
NODE = shutil.which("node")
SAMPLE = SAMPLES / "compose-webapp"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None or NODE is None, reason="needs nginx and node"),
    pytest.mark.skipif(not (SAMPLE / "compose.yaml").is_file(), reason="the sample is not there"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stderr.read().decode() if proc.stderr else ""
            raise AssertionError(f"process exited early ({proc.returncode}): {out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)  # polling for readiness, not a fixed delay
    raise AssertionError(f"nothing listening on {port}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def running_api() -> Iterator[int]:
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1"}
    proc = subprocess.Popen([str(NODE), str(SAMPLE / "api" / "server.js")], env=env,
                            cwd=SAMPLE / "api", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, proc)
        yield port
    finally:
        _stop(proc)


@pytest.fixture
def static_root() -> Iterator[Path]:
    """The front built by the sample's own build step, in a copy of the front folder. The
    folder is world-readable: nginx workers started by root run as an unprivileged user, and
    pytest's temporary folders are private to their owner."""
    folder = Path(tempfile.mkdtemp(prefix="hopper-compose-e2e-"))
    try:
        folder.chmod(0o755)
        front = shutil.copytree(SAMPLE / "front", folder / "front",
                                ignore=shutil.ignore_patterns("node_modules", "dist"))
        done = subprocess.run([str(NODE), "build.mjs"], cwd=front, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        root = front / "dist"
        for path in [front, root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root
    finally:
        shutil.rmtree(folder)


def _model(api_port: int, front_port: int, root: Path) -> Architecture:
    arch = read(SAMPLE, ReadOptions()).model
    services = []
    for svc in arch.services:
        if svc.name == "api":
            svc = dataclasses.replace(svc, runtime=dataclasses.replace(svc.runtime, port=api_port))
        if svc.name == "front":
            assert svc.static_site is not None and svc.routes
            routes = tuple(dataclasses.replace(r, target_port=api_port) for r in svc.routes)
            svc = dataclasses.replace(svc, runtime=dataclasses.replace(svc.runtime, port=front_port),
                                      static_site=dataclasses.replace(svc.static_site, root=str(root)),
                                      routes=routes)
        services.append(svc)
    return dataclasses.replace(arch, services=tuple(services))


def _get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status, response.headers, response.read()


def test_emitted_nginx_serves_front_and_proxies_api(tmp_path: Path, running_api: int,
                                                    static_root: Path) -> None:
    front_port = _free_port()
    result = write(_model(running_api, front_port, static_root), WriteOptions())
    emitted = result.files["nginx/front.conf"]
    upstream = f"http://api:{running_api};"
    assert upstream in emitted
    conf = tmp_path / "nginx.conf"
    conf.write_text(emitted.replace(upstream, f"http://127.0.0.1:{running_api};"))
    prefix = tmp_path / "prefix"
    (prefix / "logs").mkdir(parents=True)
    assert NGINX is not None
    checked = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", "stderr",
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(front_port, proc)
        base = f"http://127.0.0.1:{front_port}"
        index = (static_root / "index.html").read_bytes()
        status, _, body = _get(base + "/")
        assert status == 200 and body == index
        status, _, body = _get(base + "/some/client/route")  # SPA fallback
        assert status == 200 and body == index
        status, headers, body = _get(base + "/app.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Cache-Control") == "max-age=604800"
        app = (static_root / "app.js").read_bytes()
        assert (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body) == app
        status, _, body = _get(base + "/api/health")
        assert status == 200 and json.loads(body)["status"] in ("ok", "degraded")
        status, _, body = _get(base + "/api/")
        assert status == 200 and json.loads(body)["name"] == "webapp-api"
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(base + "/api/no-such-route?x=1")
        # The API saw the path without /api: the prefix is stripped, the query string kept apart.
        assert missing.value.code == 404
        assert json.loads(missing.value.read())["path"] == "/no-such-route"
    finally:
        _stop(proc)
