"""Deterministic synthetic inputs for hopper's benchmarks (standard library only).

    python benchmarks/generate.py OUT [N ...]

writes into OUT:
  compose-N.yaml   N realistic services (image or build, ports with interpolation, env with
                   database/cache URLs and defaults, depends_on tree with conditions, named and bind
                   volumes, healthcheck, labels, deploy resources), plus the ctx/ build folders;
  compose-N-changed.yaml  the same services with 1 % of them changed (an env var added), for
                   `hopper diff`;
  fly-large.toml   one fly.toml with 1000 [[services]] blocks (ports, concurrency, checks);
  nginx-1000.conf  one server with 1000 locations (a static root and 999 proxies).
The same arguments always produce the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _service(i: int, changed: bool = False) -> list[str]:
    name = f"svc-{i:04d}"
    var = f"SVC_{i:04d}"
    out = [f"  {name}:"]
    if i % 3 == 0:
        out += [
            "    build:",
            f"      context: ./ctx/{name}",
            "      args:",
            f"        APP_VERSION: ${{APP_VERSION:-1.{i % 10}.0}}",
            f"    image: registry.example.com/team/{name}:${{TAG:-latest}}",
        ]
    else:
        out.append(f"    image: registry.example.com/team/{name}:${{TAG:-1.{i % 20}.{i % 7}}}")
    out += [
        "    restart: unless-stopped",
        "    ports:",
        f'      - "${{{var}_PORT:-{20000 + i}}}:8080"',
        f'      - "127.0.0.1:{40000 + i}:9090/tcp"',
        "    environment:",
        "      LOG_LEVEL: ${LOG_LEVEL:-info}",
        *(["      FEATURE_FLAG: \"on\""] if changed else []),
        f"      DATABASE_URL: postgres://app:${{DB_PASSWORD:-changeme}}@db-{i % 50:02d}:5432/app_{i}",
        f"      REDIS_URL: redis://cache:6379/{i % 16}",
        f"      SERVICE_NAME: {name}",
        '      PORT: "8080"',
        f'      WORKERS: "{1 + i % 8}"',
        f"      FEATURE_FLAGS: alpha,beta,gamma-{i}",
        "      TZ: ${TZ:-UTC}",
    ]
    parents = sorted({i // 2, i // 3} - {i}) if i else []
    if parents:
        out.append("    depends_on:")
        for parent in parents:
            condition = "service_healthy" if parent % 2 == 0 else "service_started"
            out += [f"      svc-{parent:04d}:", f"        condition: {condition}"]
    out += [
        "    volumes:",
        f"      - data-{i:04d}:/var/lib/app",
        f"      - ./config/{name}:/etc/app:ro",
        "    healthcheck:",
        '      test: ["CMD", "curl", "-fsS", "http://localhost:8080/healthz"]',
        "      interval: 30s",
        "      timeout: 5s",
        "      retries: 3",
        "      start_period: 15s",
        "    labels:",
        f"      com.example.team: team-{i % 12}",
        "    deploy:",
        "      resources:",
        "        limits:",
        f'          cpus: "{0.25 * (1 + i % 4):.2f}"',
        f"          memory: {128 * (1 + i % 8)}M",
    ]
    return out


def compose(n: int, *, changed: bool = False) -> str:
    lines = ["name: bench", "services:"]
    for i in range(n):
        lines += _service(i, changed and i % 100 == 7)
    lines.append("volumes:")
    lines += [f"  data-{i:04d}: {{}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def fly_toml(n: int) -> str:
    lines = ["app = 'bench-app'", "primary_region = 'cdg'", "", "[build]",
             "  image = 'registry.example.com/team/app:1.2.3'", "", "[env]"]
    lines += [f"  VAR_{k:02d} = 'value-{k}'" for k in range(20)]
    for i in range(n):
        lines += [
            "", "[[services]]", "  protocol = 'tcp'", f"  internal_port = {8000 + i}",
            "  auto_stop_machines = 'stop'", "  min_machines_running = 0",
            "  [[services.ports]]", f"    port = {20000 + i}", "    handlers = ['http']",
            "    force_https = true",
            "  [services.concurrency]", "    type = 'connections'", "    hard_limit = 25",
            "    soft_limit = 20",
            "  [[services.http_checks]]", "    interval = '10s'", "    timeout = '2s'",
            "    method = 'GET'", f"    path = '/svc-{i:04d}/health'",
        ]
    return "\n".join(lines) + "\n"


def nginx_conf(n: int) -> str:
    lines = ["events {}", "http {", "  server {", "    listen 8080;", "    root /srv/www;",
             "    location / { try_files $uri $uri/ /index.html; }"]
    for i in range(n - 1):  # with the `location /` above: n locations in all
        lines += [
            f"    location /svc-{i:04d}/ {{",
            f"      proxy_pass http://svc-{i:04d}:8080/;",
            "      proxy_set_header Host $host;",
            "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "      client_max_body_size 10m;",
            "    }",
        ]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 64
    out = Path(argv[0])
    sizes = [int(a) for a in argv[1:]] or [10, 100, 1000, 5000]
    out.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        (out / f"compose-{n}.yaml").write_text(compose(n), encoding="utf-8")
        (out / f"compose-{n}-changed.yaml").write_text(compose(n, changed=True), encoding="utf-8")
        for i in range(0, n, 3):
            (out / "ctx" / f"svc-{i:04d}").mkdir(parents=True, exist_ok=True)
    (out / "fly-large.toml").write_text(fly_toml(1000), encoding="utf-8")
    (out / "nginx-1000.conf").write_text(nginx_conf(1000), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
