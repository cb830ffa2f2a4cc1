"""The private network: namespaces, DNS at fdaa::3, Flycast and the edge, with real processes."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hopper.runtime.machine import Machine, ProcessSpec
from hopper.runtime.netns import held
from hopper.runtime.network import App, PrivateNetwork, ServicePort

pytestmark = pytest.mark.slow
ECHO = str(Path(__file__).with_name("echo_server.py"))


def http_ports(internal: int, force_https: bool) -> tuple[ServicePort, ...]:
    return (ServicePort(port=80, internal_port=internal, http=True, tls=False, force_https=force_https),
            ServicePort(port=443, internal_port=internal, http=True, tls=True))


@pytest.fixture
def net(tmp_path: Path) -> Iterator[PrivateNetwork]:
    network = PrivateNetwork()
    try:
        network.start()
        yield network
    finally:
        network.close()
    # Nothing holds a namespace any more: no descriptor, no process.
    assert not [n for n in held() if n.startswith(network.fabric.run_id + "-")]
    assert not [m for app in network.apps.values() for m in app.machines if m.started]


def echo_app(net: PrivateNetwork, tmp_path: Path, name: str, bind: str, *,
             force_https: bool = False) -> App:
    host = net.add_host("m")
    machine = Machine(app=name, group="app", host=host, hub=net.fabric.hub, workdir=tmp_path,
                      internal_port=8080,
                      spec=ProcessSpec(argv=(sys.executable, ECHO, bind, "8080"),
                                       env={"PATH": "/usr/bin:/bin"}, cwd="/"))
    app = net.add_app(App(name=name, machines=[machine], ports=http_ports(8080, force_https)))
    machine.start()
    return app


def in_ns(net: PrivateNetwork, code: str) -> str:
    client = net.add_host("c")
    done = net.fabric.run_in(client, [sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


RESOLVE = """
import socket, sys
for name in sys.argv[1:] if len(sys.argv) > 1 else {names!r}:
    try:
        found = sorted({{a[4][0] for a in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}})
    except socket.gaierror as exc:
        found = ["error " + str(exc.errno)]
    print(name, ",".join(found))
"""


def test_dns_answers_internal_aaaa_from_live_state_and_flycast(net: PrivateNetwork, tmp_path: Path) -> None:
    app = echo_app(net, tmp_path, "api", "0.0.0.0")
    flycast = net.allocate_flycast("api")
    six_pn = app.machines[0].host.ipv6
    out = in_ns(net, RESOLVE.format(names=["api.internal", "top1.nearest.of.api.internal",
                                           "api.flycast", "nothing.internal"]))
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    assert lines["api.internal"] == six_pn  # AAAA only: no IPv4 address in the answer
    assert lines["top1.nearest.of.api.internal"] == six_pn
    assert lines["api.flycast"] == flycast
    assert lines["nothing.internal"].startswith("error")
    app.machines[0].stop()
    out = in_ns(net, RESOLVE.format(names=["api.internal"]))
    assert "error" in out  # a stopped Machine leaves .internal; the lookup starts nothing
    assert not app.machines[0].started


FETCH = """
import json, urllib.request, urllib.error, sys
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
try:
    with urllib.request.build_opener(NoRedirect).open({url!r}, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.headers.get("Location", ""))
except OSError as e:
    print("failed", getattr(e, "reason", e))
"""


def test_ipv4_only_process_is_reachable_over_flycast_not_internal(net: PrivateNetwork, tmp_path: Path) -> None:
    echo_app(net, tmp_path, "api", "0.0.0.0")
    net.allocate_flycast("api")
    out = in_ns(net, FETCH.format(url="http://api.internal:8080/x"))
    assert out.startswith("failed") and "refused" in out.lower()
    out = in_ns(net, FETCH.format(url="http://api.flycast/x"))
    status, body = out.split(" ", 1)
    assert status == "200"
    assert json.loads(body)["headers"]["Fly-Client-IP"].startswith("fdaa:")


def test_dual_stack_process_is_reachable_over_internal(net: PrivateNetwork, tmp_path: Path) -> None:
    echo_app(net, tmp_path, "api", "::")
    out = in_ns(net, FETCH.format(url="http://api.internal:8080/x"))
    assert out.startswith("200 ")


def test_flycast_wakes_a_stopped_machine(net: PrivateNetwork, tmp_path: Path) -> None:
    app = echo_app(net, tmp_path, "api", "0.0.0.0")
    net.allocate_flycast("api")
    app.machines[0].stop()
    assert not app.machines[0].started
    out = in_ns(net, FETCH.format(url="http://api.flycast/woken"))
    assert out.startswith("200 ")
    assert app.machines[0].started and app.machines[0].starts == 2


def test_flycast_without_autostart_does_not_wake(net: PrivateNetwork, tmp_path: Path) -> None:
    app = echo_app(net, tmp_path, "api", "0.0.0.0")
    app.auto_start = False
    net.allocate_flycast("api")
    app.machines[0].stop()
    out = in_ns(net, FETCH.format(url="http://api.flycast/"))
    assert out.startswith("502")


def test_flycast_with_force_https_redirects(net: PrivateNetwork, tmp_path: Path) -> None:
    echo_app(net, tmp_path, "api", "0.0.0.0", force_https=True)
    net.allocate_flycast("api")
    out = in_ns(net, FETCH.format(url="http://api.flycast/p?q=1"))
    assert out == "301 https://api.flycast/p?q=1"


def test_edge_adds_fly_headers_and_redirects_plain_http(net: PrivateNetwork, tmp_path: Path) -> None:
    echo_app(net, tmp_path, "front", "0.0.0.0", force_https=True)
    ports = net.open_edge("front")
    req = urllib.request.Request(f"http://127.0.0.1:{ports[443]}/deep/link",
                                 headers={"Fly-Client-IP": "6.6.6.6"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        seen = json.loads(resp.read())
    assert seen["path"] == "/deep/link"
    assert seen["headers"]["Fly-Client-IP"] == "127.0.0.1"  # a client cannot forge it
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.build_opener(NoRedirect).open(f"http://127.0.0.1:{ports[80]}/a", timeout=10)
    assert err.value.code == 301
    assert err.value.headers["Location"].startswith("https://127.0.0.1/a")
