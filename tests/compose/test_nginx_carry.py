"""A real front's nginx directives survive the conversion (issue 13's nginx bullet, issue 14 item 9).

The source front below says more than hopper models: a regex route, a 7-day connect timeout,
a rate limit and its zone, a map, security headers, cache rules, a body-size limit, gzip, the
SPA fallback, a health location. The emitted nginx.conf keeps what stays valid there, clamps
what nginx refuses, names what it leaves out, and passes `nginx -t`; nothing is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from compose_load_support import write_tree
from fly_writer_tools import NGINX, UNSHARE, nginx_test

from hopper.formats.base import ReadOptions
from hopper.formats.compose.reader import read
from support import run_cli

FRONT_CONF = r"""
limit_req_zone $binary_remote_addr zone=api_limit:10m rate=10r/s;
map $http_accept_language $lang {
    default en;
    ~^fr fr;
}
server {
    listen 80;
    server_name example.org;
    root /usr/share/nginx/html;
    ssl_protocols TLSv1.2;
    client_max_body_size 25m;
    gzip on;
    gzip_types text/css application/javascript;
    add_header X-Frame-Options DENY always;
    add_header Content-Language $lang;
    location / {
        try_files $uri $uri/ /index.html;
        add_header Cache-Control "no-cache";
    }
    location ~* \.(js|css|png)$ {
        expires 30d;
        add_header Cache-Control "public, immutable";
    }
    location = /healthz {
        access_log off;
        return 200 "ok";
    }
    location ^~ /downloads/ {
        limit_req zone=missing_zone burst=5;
    }
    location ~ ^/api/v[1-9]\d*/ {
        limit_req zone=api_limit burst=20 nodelay;
        proxy_connect_timeout 7d;
        proxy_read_timeout 3600s;
        proxy_set_header X-Api-Client web;
        proxy_pass http://api:3000;
    }
}
"""

PROJECT = {
    "compose.yaml": """\
services:
  front:
    image: nginx:1.27-alpine
    ports: ["8080:80"]
    volumes: ["./front/default.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [api]
  api:
    image: node:20-alpine
    command: [node, server.js]
    expose: ["3000"]
""",
    "front/default.conf": FRONT_CONF,
}


def test_unmapped_directives_are_read_into_the_model(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PROJECT)
    result = read(root, ReadOptions())
    front = result.model.service("front")
    assert front is not None
    [route] = front.routes
    assert route.path_prefix == "/api/" and route.target_service == "api"
    assert route.body_size_limit == "25m"
    assert front.static_site is not None and front.static_site.spa_fallback and front.static_site.gzip
    carried = front.extensions["nginx"]
    assert carried["routes"]["/api/"]["regex"] == ["~", r"^/api/v[1-9]\d*/"]
    assert ["limit_req", ["zone=api_limit", "burst=20", "nodelay"]] in carried["routes"]["/api/"]["directives"]
    assert ["proxy_set_header", ["X-Api-Client", "web"]] in carried["routes"]["/api/"]["directives"]
    assert any(d[0] == "map" for d in carried["http"])
    assert ["add_header", ["X-Frame-Options", "DENY", "always"]] in carried["server"]
    assert ["add_header", ["Cache-Control", "no-cache"]] in carried["root"]
    assert not any(d[0].startswith("ssl_") for d in carried["server"])  # TLS ends at the edge


def test_fly_nginx_conf_keeps_them_and_passes_nginx_t(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    out = tmp_path / "out"
    done = run_cli("convert", root, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    assert "HOP533" not in done.stderr
    # The 7-day connect timeout is clamped to what nginx accepts, with a warning.
    assert "proxy_connect_timeout 604800s is more than nginx accepts; written as 75s [HOP534]" in done.stderr
    # The rate limit on a zone that is not declared is named, not written.
    assert "zone=missing_zone" in done.stderr and "not declared" in done.stderr
    conf = (out / "front" / "nginx.fly.conf").read_text()
    for expected in ("limit_req_zone $binary_remote_addr zone=api_limit:10m rate=10r/s;",
                     "map $http_accept_language $lang {", "add_header X-Frame-Options DENY always;",
                     "location ~ ^/api/v[1-9]\\d*/ {", "limit_req zone=api_limit burst=20 nodelay;",
                     "proxy_connect_timeout 75s;", "proxy_read_timeout 3600s;", "client_max_body_size 25m;",
                     "proxy_set_header X-Api-Client web;", "location = /healthz {", "return 200 ok;",
                     "add_header Cache-Control no-cache;"):
        assert expected in conf, expected
    assert "missing_zone" not in conf and "ssl_protocols" not in conf
    if NGINX is None or UNSHARE is None:
        pytest.skip("nginx or unshare is not installed")
    checked = nginx_test(out / "front" / "nginx.fly.conf")
    assert checked.returncode == 0, checked.stderr
    strict = run_cli("convert", root, "--to", "fly", "--out", tmp_path / "strict", "--strict")
    assert strict.code == 1 and not (tmp_path / "strict").exists()


def test_compose_nginx_conf_keeps_them_and_passes_nginx_t(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    out = tmp_path / "out"
    done = run_cli("convert", root, "--to", "compose", "--out", out)
    assert done.code == 0, done.stderr
    conf = next((out / "nginx").glob("*.conf")).read_text()
    assert "limit_req zone=api_limit burst=20 nodelay;" in conf and "location = /healthz {" in conf
    if NGINX is None or UNSHARE is None:
        pytest.skip("nginx or unshare is not installed")
    hosts_conf = conf.replace("http://api:3000", "http://127.0.0.1:3000")
    (out / "checked.conf").write_text(hosts_conf)
    checked = nginx_test(out / "checked.conf")
    assert checked.returncode == 0, checked.stderr


def test_a_regex_without_a_fixed_prefix_is_named(tmp_path: Path) -> None:
    conf = "server {\n  listen 80;\n  location ~ \\.php$ {\n    proxy_pass http://api:3000;\n  }\n}\n"
    root = write_tree(tmp_path, {**PROJECT, "front/default.conf": conf})
    result = read(root, ReadOptions())
    front = result.model.service("front")
    assert front is not None and not front.routes
    assert "HOP163" in {d.code for d in result.diagnostics}


@pytest.mark.parametrize(("value", "expected"), [("7d", "75s"), ("90s", "75s"), ("30s", "30s")])
def test_connect_timeout_is_clamped(tmp_path: Path, value: str, expected: str) -> None:
    conf = ("server {\n  listen 80;\n  location /api/ {\n"
            f"    proxy_connect_timeout {value};\n    proxy_pass http://api:3000/;\n  }}\n}}\n")
    root = write_tree(tmp_path / "p", {**PROJECT, "front/default.conf": conf})
    out = tmp_path / "out"
    done = run_cli("convert", root, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    assert f"proxy_connect_timeout {expected};" in (out / "front" / "nginx.fly.conf").read_text()
    assert ("[HOP534]" in done.stderr) == (value != "30s")


def test_a_front_that_proxies_everything_has_one_root_location(tmp_path: Path) -> None:
    # awesome-compose's nginx-golang: `location / { proxy_pass ...; }` is the route at "/";
    # hopper's static `location /` beside it made nginx -t fail (duplicate location "/").
    conf = "server {\n  listen 80;\n  location / {\n    proxy_pass http://api:3000;\n  }\n}\n"
    root = write_tree(tmp_path / "p", {**PROJECT, "front/default.conf": conf})
    out = tmp_path / "out"
    done = run_cli("convert", root, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    text = (out / "front" / "nginx.fly.conf").read_text()
    assert "location ^~ / {" in text and "location / {" not in text
    if NGINX is None or UNSHARE is None:
        pytest.skip("nginx or unshare is not installed")
    checked = nginx_test(out / "front" / "nginx.fly.conf")
    assert checked.returncode == 0, checked.stderr


PROXY_ONLY = {
    "compose.yaml": """\
services:
  proxy:
    image: nginx:1.27-alpine
    ports: ["80:80"]
    volumes: ["./proxy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [backend]
  backend:
    build: backend
    expose: ["80"]
""",
    "proxy/nginx.conf": """\
server {
  listen 80;
  location / {
    proxy_pass http://backend:80;
    proxy_read_timeout 120s;
  }
}
""",
    "backend/Dockerfile": "FROM golang:1.22\nCMD [\"/app\"]\n",
}


def test_a_proxy_on_the_root_is_the_only_root_location(tmp_path: Path) -> None:
    """A plain reverse proxy (every path to one backend, awesome-compose's nginx-* setups): the
    proxied / is the root location; a static `location /` beside it is a duplicate nginx refuses."""
    root = write_tree(tmp_path / "p", PROXY_ONLY)
    out = tmp_path / "out"
    done = run_cli("convert", root, "--to", "fly", "--out", out)
    assert done.code == 0, done.stderr
    assert "is not carried" not in done.stderr  # the proxy_pass is the route, not a lost directive
    conf = (out / "proxy" / "nginx.fly.conf").read_text()
    assert conf.count("location ^~ / {") + conf.count("location / {") == 1, conf
    assert "try_files" not in conf and "proxy_read_timeout 120s;" in conf
    if NGINX is None or UNSHARE is None:
        pytest.skip("nginx or unshare is not installed")
    checked = nginx_test(out / "proxy" / "nginx.fly.conf")
    assert checked.returncode == 0, checked.stderr
