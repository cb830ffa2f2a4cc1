"""hopper.shared.nginx: every directive hopper reads, include confinement, and clean errors."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from hopper.diagnostics import E_OUTSIDE_ROOT, E_TOO_MANY_FILES, InputError, LimitError, Limits
from hopper.shared.nginx.config import (
    E_NGINX_DIRECTIVE,
    E_NGINX_INCLUDE_CYCLE,
    E_NGINX_SYNTAX,
    I_NGINX_STOCK_INCLUDE,
    W_NGINX_INCLUDE_NOT_FOUND,
    NginxConfig,
    parse_proxy_target,
    size_bytes,
)
from hopper.shared.nginx.read import parse_nginx
from support import CORPUS, needs_corpus


def _parse(tmp_path: Path, text: str, name: str = "nginx.conf", **kw: object) -> NginxConfig:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return parse_nginx(path, tmp_path, **kw)  # type: ignore[arg-type]


FULL = """
events {}
http {
    include mime.types;
    gzip on;
    gzip_types text/css application/javascript;
    client_max_body_size 10m;
    proxy_read_timeout 2m;
    proxy_set_header X-Http-Level yes;

    upstream backend {
        server api:3000;
        server api2:3001 backup;
    }

    server {
        listen 8080;
        listen [::]:8080;
        server_name example.test www.example.test;
        root /srv/www;
        index app.html index.html;

        location / {
            try_files $uri $uri/ /app.html;
        }
        location /assets/ {
            expires 30d;
            add_header Cache-Control "public, max-age=31536000, immutable";
        }
        location /api/ {
            proxy_pass http://api:3000/;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            client_max_body_size 50m;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_connect_timeout 5s;
            proxy_send_timeout 1m30s;
        }
        location /keep/ {
            proxy_pass http://api:3000;
        }
        location /up/ {
            proxy_pass http://backend;
        }
        location /ws/ {
            proxy_pass http://api:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location /v1/ {
            rewrite ^/v1/(.*)$ /$1 break;
            proxy_pass http://api:3000;
        }
    }
}
"""


def test_every_directive_of_a_full_config(tmp_path: Path) -> None:
    config = _parse(tmp_path, FULL)
    assert not config.snippet
    assert config.files == ("nginx.conf",)
    (server,) = config.servers
    assert server.listen == (8080,)
    assert server.server_names == ("example.test", "www.example.test")
    assert server.root == "/srv/www"
    assert server.index == ("app.html", "index.html")
    assert server.spa_fallback
    assert server.gzip and server.gzip_types == ("text/css", "application/javascript")
    assert server.client_max_body_size == "10m"
    (cache,) = server.cache_rules
    assert cache.pattern == "/assets/" and cache.expires == "30d"
    assert cache.cache_control == "public, max-age=31536000, immutable"
    proxies = {p.path: p for p in server.proxies}
    assert set(proxies) == {"/api/", "/keep/", "/up/", "/ws/", "/v1/"}

    api = proxies["/api/"]
    assert (api.target.scheme, api.target.host, api.target.port, api.target.uri) == ("http", "api", 3000, "/")
    assert api.strip_prefix and not api.via_variable
    assert api.client_max_body_size == "50m"
    assert api.request_buffering is False and api.response_buffering is False
    assert api.connect_timeout_s == 5.0 and api.send_timeout_s == 90.0
    assert api.read_timeout_s == 120.0  # inherited from http
    # A level with proxy_set_header replaces the inherited list (nginx's array rule).
    assert api.set_headers == ("Host", "X-Forwarded-For")
    assert not api.websocket

    keep = proxies["/keep/"]
    assert not keep.strip_prefix and keep.target.uri is None
    assert keep.client_max_body_size == "10m"
    assert keep.set_headers == ("X-Http-Level",)

    up = proxies["/up/"]
    assert up.upstream is not None and up.upstream.name == "backend"
    assert [(s.host, s.port) for s in up.upstream.servers] == [("api", 3000), ("api2", 3001)]
    assert set(config.upstreams) == {"backend"}

    ws = proxies["/ws/"]
    assert ws.websocket and ws.http_version == "1.1"

    assert proxies["/v1/"].strip_prefix
    assert any(d.code == I_NGINX_STOCK_INCLUDE for d in config.diagnostics)


def test_conf_d_snippet_without_http_block(tmp_path: Path) -> None:
    config = _parse(tmp_path, """
server {
    listen 80;
    location / { root /usr/share/nginx/html; try_files $uri /index.html; }
    location /api { proxy_pass http://api:3000; }
}
""", name="default.conf")
    assert config.snippet
    (server,) = config.servers
    assert server.spa_fallback and server.root == "/usr/share/nginx/html"
    assert server.proxies[0].path == "/api"


def test_variable_proxy_pass_with_set_and_resolver(tmp_path: Path) -> None:
    config = _parse(tmp_path, """
server {
    listen 8080;
    resolver [fdaa::3] valid=5s;
    set $api http://my-api.internal:3000;
    location /api/ {
        rewrite ^/api(/.*)$ $1 break;
        proxy_pass $api;
    }
    location /raw/ { proxy_pass $api; }
}
""")
    proxies = {p.path: p for p in config.servers[0].proxies}
    api = proxies["/api/"]
    assert api.via_variable and api.resolver == ("[fdaa::3]",)
    assert api.variables == {"$api": "http://my-api.internal:3000"}
    assert api.effective_target().host == "my-api.internal"
    assert api.effective_target().port == 3000
    assert api.strip_prefix  # through the rewrite
    assert not proxies["/raw/"].strip_prefix  # a variable never replaces the prefix


def test_error_page_spa_fallback_and_no_fallback(tmp_path: Path) -> None:
    config = _parse(tmp_path, "server { listen 80; root /x; error_page 404 =200 /index.html; }")
    assert config.servers[0].spa_fallback
    config = _parse(tmp_path, "server { listen 80; root /x; location / { try_files $uri =404; } }")
    assert not config.servers[0].spa_fallback


def test_server_without_listen_defaults_to_80(tmp_path: Path) -> None:
    assert _parse(tmp_path, "server { root /x; }").servers[0].listen == (80,)


def test_glob_include_and_relative_include(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "b.conf").write_text("server { listen 82; }\n")
    (tmp_path / "conf.d" / "a.conf").write_text("server { listen 81; include snippets/proxy.conf; }\n")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "proxy.conf").write_text("location /api/ { proxy_pass http://api:3000/; }\n")
    config = _parse(tmp_path, "http { include conf.d/*.conf; }")
    assert config.files == ("nginx.conf", "conf.d/a.conf", "snippets/proxy.conf", "conf.d/b.conf")
    assert [s.listen for s in config.servers] == [(81,), (82,)]
    assert config.servers[0].proxies[0].location.file == "snippets/proxy.conf"
    assert config.servers[0].proxies[0].location.line == 1


def test_absolute_include_followed_through_mounts(tmp_path: Path) -> None:
    (tmp_path / "nginx" / "conf.d").mkdir(parents=True)
    (tmp_path / "nginx" / "conf.d" / "site.conf").write_text("server { listen 9000; }\n")
    config = _parse(tmp_path, "http { include /etc/nginx/conf.d/*.conf; }", name="nginx/nginx.conf",
                    mounts={"/etc/nginx/conf.d": tmp_path / "nginx" / "conf.d"})
    assert config.servers[0].listen == (9000,)


def test_image_own_include_is_not_followed(tmp_path: Path) -> None:
    config = _parse(tmp_path, "http { include /etc/nginx/conf.d/*.conf; server { listen 1; } }")
    assert [d.code for d in config.diagnostics] == [I_NGINX_STOCK_INCLUDE]


def test_missing_include_is_a_warning(tmp_path: Path) -> None:
    config = _parse(tmp_path, "http { include extra.conf; }")
    assert [d.code for d in config.diagnostics] == [W_NGINX_INCLUDE_NOT_FOUND]


@pytest.mark.parametrize("ref", ["../outside.conf", "sub/../../outside.conf", "/etc/passwd"])
def test_include_outside_root_is_refused(tmp_path: Path, ref: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.conf").write_text("server { listen 1; }\n")
    (root / "nginx.conf").write_text(f"http {{\n    include {ref};\n}}\n")
    with pytest.raises(InputError) as info:
        parse_nginx(root / "nginx.conf", root)
    assert info.value.code == E_OUTSIDE_ROOT
    assert (info.value.path, info.value.line) == ("nginx.conf", 2)
    assert ref in str(info.value)


def test_symlink_to_etc_passwd_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    os.symlink("/etc/passwd", tmp_path / "conf.d" / "evil.conf")
    (tmp_path / "nginx.conf").write_text("http {\n  include conf.d/*.conf;\n}\n")
    with pytest.raises(InputError) as info:
        parse_nginx(tmp_path / "nginx.conf", tmp_path)
    assert info.value.code == E_OUTSIDE_ROOT
    assert info.value.line == 2
    text = "\n".join(d.render() + (d.hint or "") for d in info.value.diagnostics)
    assert "root:" not in text and "/bin/" not in text


def test_main_file_symlinked_outside_is_refused(tmp_path: Path) -> None:
    os.symlink("/etc/passwd", tmp_path / "nginx.conf")
    with pytest.raises(InputError) as info:
        parse_nginx(tmp_path / "nginx.conf", tmp_path)
    assert info.value.code == E_OUTSIDE_ROOT


def test_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("include b.conf;\n")
    (tmp_path / "b.conf").write_text("\ninclude a.conf;\n")
    with pytest.raises(InputError) as info:
        parse_nginx(tmp_path / "a.conf", tmp_path)
    assert info.value.code == E_NGINX_INCLUDE_CYCLE
    assert (info.value.path, info.value.line) == ("b.conf", 2)


def test_file_count_limit(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    for i in range(5):
        (tmp_path / "d" / f"{i}.conf").write_text(f"server {{ listen {8000 + i}; }}\n")
    with pytest.raises(LimitError) as info:
        _parse(tmp_path, "http { include d/*.conf; }", limits=Limits(max_files=3))
    assert info.value.code == E_TOO_MANY_FILES


@pytest.mark.parametrize(("text", "line"), [
    ("server {\n    listen 80;\n", 2),
    ("server {\n  listen 80;\n}\n}\n", 4),
    ('server {\n  add_header X "unterminated;\n}\n', 2),
])
def test_syntax_error_has_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        _parse(tmp_path, text)
    assert info.value.code == E_NGINX_SYNTAX
    assert info.value.path == "nginx.conf"
    assert info.value.line is not None and info.value.line >= line - 1


def test_bad_directive_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        _parse(tmp_path, "server {\n location /a {\n  proxy_pass;\n }\n}\n")
    assert info.value.code == E_NGINX_DIRECTIVE and info.value.line == 3
    with pytest.raises(InputError) as info:
        _parse(tmp_path, "server { location /a { proxy_pass http://a; proxy_read_timeout soon; } }")
    assert info.value.code == E_NGINX_DIRECTIVE


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_bytes(b"server {\n listen \xff;\n}\n")
    with pytest.raises(InputError) as info:
        parse_nginx(tmp_path / "nginx.conf", tmp_path)
    assert info.value.line == 2


def test_proxy_target_forms() -> None:
    t = parse_proxy_target("https://[fdaa::1]:8443/base/")
    assert (t.scheme, t.host, t.port, t.uri) == ("https", "[fdaa::1]", 8443, "/base/")
    t = parse_proxy_target("http://unix:/tmp/app.sock:/")
    assert t.unix_socket is not None
    t = parse_proxy_target("$backend")
    assert t.scheme is None and t.host == "$backend"
    assert size_bytes("50m") == 50 * 1024 * 1024 and size_bytes("x") is None


@needs_corpus
def test_corpus_configs_parse_or_fail_cleanly() -> None:
    files = sorted((CORPUS / "nginx").rglob("*.conf"))
    assert files, f"no nginx configuration in {CORPUS / 'nginx'}"
    for path in files:
        # A clean, coded error is fine; any other exception fails the test.
        with contextlib.suppress(InputError):
            parse_nginx(path, path.parent)
