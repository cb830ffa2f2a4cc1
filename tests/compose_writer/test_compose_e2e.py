"""End to end: the nginx.conf the compose writer emits, run by a real nginx on loopback, serves
the front's files and proxies /api/ to a running Node API.

The one change made to the emitted file: the upstream host ``api`` (a compose service name,
resolved by Docker's DNS inside a compose network) becomes ``127.0.0.1``, because nginx resolves
upstream names once at start-up through the system resolver and this test does not edit
/etc/hosts. Ports and the static root are the model's own, so nothing else is touched.
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
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from compose_models import seed_model

from hopper.formats.base import WriteOptions
from hopper.formats.compose.writer import write
from hopper.model import Architecture, Runtime, StaticSite
from support import SAMPLES

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
NODE = shutil.which("node")
HERE = Path(__file__).parent
SAMPLE_API = SAMPLES / "compose-webapp" / "api" / "server.js"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None or NODE is None, reason="needs nginx and node"),
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


def _static_files(root: Path) -> None:
    """The front's build output. The sample's build step when the sample exists, else a fixture."""
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>front</title><div id=app></div>\n")
    (root / "assets" / "app.js").write_text("console.log('front');\n" * 200)


@pytest.fixture
def running_api(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    server = SAMPLE_API if SAMPLE_API.is_file() else HERE / "fixture_api" / "server.js"
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1"}
    proc = subprocess.Popen([str(NODE), str(server)], env=env, cwd=server.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, proc)
        yield port
    finally:
        _stop(proc)


def _model(api_port: int, front_port: int, root: Path) -> Architecture:
    arch = seed_model()
    services = []
    for svc in arch.services:
        if svc.name == "api":
            svc = dataclasses.replace(svc, runtime=dataclasses.replace(svc.runtime, port=api_port))
        if svc.name == "web":
            site = svc.static_site or StaticSite()
            svc = dataclasses.replace(svc, runtime=Runtime(port=front_port),
                                      static_site=dataclasses.replace(site, root=str(root)))
        services.append(svc)
    return dataclasses.replace(arch, services=tuple(services))


def _get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status, response.headers, response.read()


@pytest.fixture
def static_root() -> Iterator[Path]:
    """A world-readable folder for the files: nginx workers started by root run as an
    unprivileged user, and pytest's own temporary folders are private to their owner."""
    folder = Path(tempfile.mkdtemp(prefix="hopper-compose-e2e-"))
    try:
        folder.chmod(0o755)
        root = folder / "html"
        _static_files(root)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root
    finally:
        shutil.rmtree(folder)


def test_emitted_nginx_serves_front_and_proxies_api(tmp_path: Path, running_api: int,
                                                    static_root: Path) -> None:
    root = static_root
    front_port = _free_port()
    result = write(_model(running_api, front_port, root), WriteOptions())
    emitted = result.files["nginx/web.conf"]
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
        status, _, body = _get(base + "/")
        assert status == 200 and b"<title>front</title>" in body
        status, _, body = _get(base + "/some/client/route")  # SPA fallback
        assert status == 200 and b"<title>front</title>" in body
        status, headers, body = _get(base + "/assets/app.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and "public, immutable" in headers.get_all("Cache-Control", [])
        assert headers.get("Content-Encoding") == "gzip"
        assert gzip.decompress(body).startswith(b"console.log('front');")
        status, _, body = _get(base + "/api/echo?x=1")
        echoed = json.loads(body)
        assert echoed["url"] == "/echo?x=1"  # the /api prefix is stripped
        assert echoed["headers"]["x-real-ip"] == "127.0.0.1"
        status, _, body = _get(base + "/api/health")
        assert status == 200 and body == b"ok"
        payload = b"x" * (2 * 1024 * 1024)  # over nginx's 1m default, under the route's 50m
        request = urllib.request.Request(base + "/api/upload", data=payload, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert json.loads(response.read())["length"] == len(payload)
    finally:
        _stop(proc)
