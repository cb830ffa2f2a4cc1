"""Merge cases shared by test_merge (expected values) and test_oracle (docker compose agrees)."""

from __future__ import annotations

from typing import Any

BASE = """\
services:
  web:
    image: base
    command: [run, base]
    environment: {A: "1", B: "1"}
    labels: [one=1, two=2]
    ports: ["80:80", "443:443"]
    expose: ["3000"]
    volumes: ["./a:/data", "logs:/logs"]
    secrets: [s1]
    dns: [1.1.1.1]
    depends_on: [db]
    healthcheck: {test: [CMD, a], interval: 10s}
    logging: {driver: json-file, options: {max-size: 1m}}
  db:
    image: postgres
secrets:
  s1: {file: ./s1.txt}
  s2: {file: ./s2.txt}
volumes:
  logs: {}
"""

OVERRIDE = """\
services:
  web:
    image: over
    command: serve
    environment: [B=2, C=3]
    labels: {two: "22", three: "3"}
    ports: ["80:80", "8080:8080"]
    expose: ["3000", "3001"]
    volumes: ["./b:/data:ro"]
    secrets: [{source: s2, target: /run/secrets/s1}]
    dns: [8.8.8.8]
    depends_on: {db: {condition: service_healthy}}
    healthcheck: {test: [CMD, b]}
    logging: {options: {max-file: "3"}}
"""

RESET = """\
services:
  web:
    ports: !reset []
    dns: !override [9.9.9.9]
    labels: !reset {}
"""

# What hopper's merge must give for BASE + OVERRIDE (normalised shapes).
EXPECTED_WEB: dict[str, Any] = {
    "image": "over",
    "command": ["serve"],
    "environment": {"A": "1", "B": "2", "C": "3"},
    "labels": {"one": "1", "two": "22", "three": "3"},
    "ports": [(80, "80"), (443, "443"), (8080, "8080")],
    "expose": ["3000", "3001"],
    "volumes": [("bind", "b", "/data", True), ("volume", "logs", "/logs", False)],
    "secrets": [("s2", "/run/secrets/s1")],
    "dns": ["1.1.1.1", "8.8.8.8"],
    "depends_on": {"db": "service_healthy"},
    "healthcheck_test": ["CMD", "b"],
    "logging": {"driver": "json-file", "options": {"max-size": "1m", "max-file": "3"}},
}


def summary(service: dict[str, Any]) -> dict[str, Any]:
    """The comparable parts of a normalised service."""
    return {
        "image": service.get("image"),
        "command": service.get("command"),
        "environment": service.get("environment"),
        "labels": service.get("labels"),
        "ports": [(p["target"], p.get("published")) for p in service.get("ports") or []],
        "expose": service.get("expose"),
        "volumes": [(v["type"], v["source"], v["target"], v.get("read_only", False))
                    for v in service.get("volumes") or []],
        "secrets": [(s["source"], s["target"]) for s in service.get("secrets") or []],
        "dns": service.get("dns"),
        "depends_on": {k: v["condition"] for k, v in (service.get("depends_on") or {}).items()},
        "healthcheck_test": (service.get("healthcheck") or {}).get("test"),
        "logging": service.get("logging"),
    }
