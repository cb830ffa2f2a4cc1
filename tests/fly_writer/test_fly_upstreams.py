"""Issue 14 class 6: identical services load-balanced by one nginx upstream become one service with
that many instances -- on Fly one app with that many Machines, which the front proxies to and the
cost estimate counts; the plan names the services merged (HD418). Copies that differ stay
separate, with a warning naming what differs (HOP199)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from fly_writer_tools import NGINX, can_unshare, materialise, nginx_test

from hopper import api, cost
from hopper.diff import diff_models
from hopper.formats.base import ReadOptions
from hopper.formats.compose.reader import read
from hopper.formats.fly.cost import fly_machine_price

COMPOSE = """\
services:
  front:
    image: nginx:1.27-alpine
    ports: ["80:80"]
    volumes:
      - ./front/nginx.conf:/etc/nginx/conf.d/default.conf:ro
    depends_on: [api1, api2]
  api1:
    build: ./api
    environment: {NODE_ENV: production, SESSION_SECRET: "${SESSION_SECRET}"}
  api2:
    build: ./api
    environment: {NODE_ENV: production, SESSION_SECRET: "${SESSION_SECRET}"}
  worker:
    build: ./api
    command: ["node", "worker.js"]
    depends_on: [api2]
    environment: {API_URL: "http://api2:3000"}
"""
NGINX_CONF = """\
upstream api {
    server api1:3000;
    server api2:3000;
}
server {
    listen 80;
    location / {
        root /usr/share/nginx/html;
        try_files $uri /index.html;
    }
    location /api/ {
        proxy_pass http://api/;
    }
}
"""


def _project(tmp_path: Path, compose: str = COMPOSE) -> Path:
    files = {"compose.yaml": compose, "front/nginx.conf": NGINX_CONF,
             "api/package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n',
             "api/Dockerfile": 'FROM node:22\nCOPY . .\nEXPOSE 3000\nCMD ["node", "server.js"]\n'}
    root = tmp_path / "shop"
    materialise(files, root)
    return root


def test_identical_copies_become_one_service(tmp_path: Path) -> None:
    result = read(_project(tmp_path), ReadOptions(environ={}))
    arch = result.model
    assert [s.name for s in arch.services] == ["api1", "front", "worker"]
    api1 = arch.service("api1")
    assert api1 is not None and (api1.scaling.min_instances, api1.scaling.max_instances) == (2, 2)
    assert api1.extensions["merged"] == {"services": ["api1", "api2"], "upstream": "api"}
    front, worker = arch.service("front"), arch.service("worker")
    assert front is not None and [r.target_service for r in front.routes] == ["api1"]
    assert front.depends_on == ("api1",)
    # What reached the copy reaches the kept service.
    assert worker is not None and worker.depends_on == ("api1",)
    assert [(b.variable, b.resource) for b in worker.bindings] == [("API_URL", "api1")]
    assert {s.name: s.used_by for s in arch.secrets}["SESSION_SECRET"] == ("api1",)
    assert not any(d.code == "HOP199" for d in result.diagnostics)


def test_one_fly_app_with_two_machines(tmp_path: Path) -> None:
    converted = api.convert(_project(tmp_path), to="fly")
    files = dict(converted.files)
    assert "api1/fly.toml" in files and not any(f.startswith("api2/") for f in files)
    setup = files["fly-setup.sh"]
    assert "flyctl scale count 2 --app shop-api1 --yes" in setup
    assert "--ha=false" not in next(line for line in setup.splitlines() if "deploy api " in line)
    conf = next(text for rel, text in files.items() if rel.startswith("front/nginx") and rel.endswith(".conf"))
    assert "proxy_pass http://shop-api1.flycast" in conf and "api2" not in conf
    said = [d.message for d in converted.diagnostics if d.code == "HOP388"]
    assert said and "api1, api2" in said[0] and "2 Machines" in said[0]
    # The plan names the merge; read back, the app states its two Machines (no 'redundancy lost').
    after = api.load(materialise(files, tmp_path / "out"), fmt="fly").model
    plan = diff_models(converted.source, after)
    codes = {f.code: f for f in plan.findings}
    assert "HD418" in codes and "api1, api2" in (codes["HD418"].before or "")
    assert "HD206" not in codes and "HD002" not in codes
    # The estimate counts both Machines of the app.
    estimate = cost.estimate(after)
    assert estimate is not None
    line = next(x for x in estimate.lines if "api1" in x.component)
    one = fly_machine_price(cost.price_table("fly") or {}, "shared", 1, 512)[1]
    assert line.high == pytest.approx(2 * one, rel=0.01)


@pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx-light)")
@pytest.mark.skipif(not can_unshare(), reason="needs root and unshare to map private hostnames")
def test_the_front_conf_passes_nginx_t(tmp_path: Path) -> None:
    files = dict(api.convert(_project(tmp_path), to="fly").files)
    rel = next(r for r in files if r.startswith("front/nginx") and r.endswith(".conf"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(files[rel], encoding="utf-8")
    proc = nginx_test(conf)
    assert proc.returncode == 0, proc.stderr


def test_compose_target_keeps_replicas(tmp_path: Path) -> None:
    files = dict(api.convert(_project(tmp_path), to="compose").files)
    data = yaml.safe_load(files["compose.yaml"])
    assert "api2" not in data["services"]
    assert data["services"]["api1"]["x-hopper"]["min_instances"] == 2


def test_copies_that_differ_stay_separate(tmp_path: Path) -> None:
    different = COMPOSE.replace("    environment: {NODE_ENV: production, SESSION_SECRET: \"${SESSION_SECRET}\"}\n"
                                "  worker:", "    environment: {NODE_ENV: staging, SESSION_SECRET: \"${SESSION_SECRET}\"}\n"
                                "  worker:")
    assert different != COMPOSE
    result = read(_project(tmp_path, different), ReadOptions(environ={}))
    assert {s.name for s in result.model.services} >= {"api1", "api2"}
    (warned,) = [d for d in result.diagnostics if d.code == "HOP199"]
    assert "api2: environment (NODE_ENV)" in warned.message and "not identical" in warned.message
    files = dict(api.convert(_project(tmp_path / "b", different), to="fly").files)
    toml = tomllib.loads(files["api2/fly.toml"])
    assert toml["app"] == "shop-api2"
