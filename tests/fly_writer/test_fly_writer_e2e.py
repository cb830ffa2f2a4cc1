"""End to end on loopback: the emitted nginx.conf run by a real nginx, in front of a real Node API.

Everything runs in a private mount and network namespace (``unshare``, needs root) so the test
changes nothing on the machine. The only thing the test maps is the API's private hostname:
``<api>.flycast`` resolves to ``::1`` in a private ``/etc/hosts`` (Flycast addresses are IPv6),
and the API listens on [::1]:80, the port Fly's proxy answers Flycast on. The emitted nginx.conf
is used unchanged, bind-mounted as ``/etc/nginx/nginx.conf``, with a small static root mounted on
the configured root.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from fly_writer_models import front_api
from fly_writer_tools import NGINX, NODE, UNSHARE, can_unshare, private_hosts, run_writer

from hopper import api
from hopper.formats.base import WriteOptions
from support import SAMPLES

HERE = Path(__file__).parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None or NODE is None, reason="needs nginx and node"),
    pytest.mark.skipif(not can_unshare(), reason="needs root and unshare (private mount/net namespaces)"),
]

INDEX = "<!doctype html><title>hopper e2e</title><p id=marker>front index</p>\n"
SCRIPT = "// " + "hopper e2e bundle " * 40 + "\nconsole.log('front');\n"

CLIENT = r"""
import json, time, urllib.request, urllib.error
base = "http://127.0.0.1:%(port)d"
def get(path, headers=None):
    req = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
deadline = time.time() + 15
while True:
    try:
        status, _, _ = get("%(health)s")
        if status == 200:
            break
    except OSError:
        pass
    if time.time() > deadline:
        break
    time.sleep(0.1)
out = {}
for name, path, headers in (("root", "/", None), ("deep", "/orders/42/edit", None),
                            ("health", "%(health)s", None),
                            ("js", "/app.js", {"Accept-Encoding": "gzip"})):
    status, hdrs, body = get(path, headers)
    out[name] = {"status": status, "encoding": hdrs.get("Content-Encoding"),
                 "body": body.decode("latin-1")[:400]}
print(json.dumps(out))
"""


def _run(tmp_path: Path, conf: str, server: Path, listen_port: int, health: str,
         site_root: str) -> dict[str, dict[str, object]]:
    if not Path(site_root).is_dir():
        pytest.skip(f"the static root {site_root} does not exist on this machine")
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text(INDEX, encoding="utf-8")
    (html / "app.js").write_text(SCRIPT, encoding="utf-8")
    for p in (tmp_path, html, *html.iterdir()):
        p.chmod(0o755 if p.is_dir() else 0o644)
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    names = private_hosts(conf)
    (tmp_path / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n"
                                    + "".join(f"::1 {n}\n" for n in names), encoding="utf-8")
    (tmp_path / "client.py").write_text(CLIENT % {"port": listen_port, "health": health},
                                        encoding="utf-8")
    q = shlex.quote
    script = f"""
set -eu
ip link set lo up
mount --bind {q(str(tmp_path / 'hosts'))} /etc/hosts
mount --bind {q(str(html))} {q(site_root)}
mount --bind {q(str(tmp_path / 'nginx.conf'))} /etc/nginx/nginx.conf
exec 3<{q(str(tmp_path / 'client.py'))}
HOST=::1 PORT=80 {q(NODE or 'node')} {q(str(server))} >{q(str(tmp_path / 'api.log'))} 2>&1 &
api=$!
{q(NGINX or 'nginx')} -g 'daemon off;' >{q(str(tmp_path / 'nginx.log'))} 2>&1 &
ngx=$!
trap 'kill $api $ngx 2>/dev/null || true' EXIT
{q(sys.executable)} /dev/fd/3
"""
    assert UNSHARE is not None
    proc = subprocess.run([UNSHARE, "--mount", "--net", "bash", "-c", script], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, dict[str, object]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _check(result: dict[str, dict[str, object]]) -> None:
    assert result["root"]["status"] == 200 and "front index" in str(result["root"]["body"])
    assert result["deep"]["status"] == 200 and "front index" in str(result["deep"]["body"])
    assert result["js"]["status"] == 200 and result["js"]["encoding"] == "gzip"
    assert result["health"]["status"] == 200


def test_fixture_api_behind_emitted_nginx(tmp_path: Path) -> None:
    files, _ = run_writer(front_api(port=8080))
    conf = files["front/nginx.fly.conf"]
    assert "proxy_pass http://shop-api.flycast;" in conf
    result = _run(tmp_path, conf, HERE / "fixtures" / "api" / "server.js", 8080, "/api/health",
                  "/usr/share/nginx/html")
    _check(result)
    # The prefix is stripped as configured: the API saw /health, not /api/health.
    assert json.loads(str(result["health"]["body"])) == {"ok": True, "path": "/health"}


def test_compose_webapp_sample_behind_emitted_nginx(tmp_path: Path) -> None:
    sample = SAMPLES / "compose-webapp"
    if not sample.is_dir():
        pytest.skip("samples/compose-webapp is not present")
    converted = api.convert(sample, "fly", write_options=WriteOptions())
    conf = converted.files["front/nginx.fly.conf"]
    front = converted.source.service("front")
    assert front is not None and front.static_site is not None and front.runtime.port is not None
    result = _run(tmp_path, conf, sample / "api" / "server.js", front.runtime.port, "/api/health",
                  front.static_site.root)
    _check(result)
    assert json.loads(str(result["health"]["body"]))["status"] == "ok"
