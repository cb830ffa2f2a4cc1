"""Role detection: image references, image rules, and classification with its reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper.diagnostics import DEFAULT_LIMITS
from hopper.formats.compose.detect import BuildFacts, build_facts, classify, image_rule, parse_image
from hopper.shared.dockerfile import parse_dockerfile


@pytest.mark.parametrize(("image", "registry", "path", "tag", "major"), [
    ("postgres:16-alpine", None, "postgres", "16-alpine", "16"),
    ("library/node:20.11.1", None, "node", "20.11.1", "20"),
    ("docker.io/library/nginx", "docker.io", "nginx", None, None),
    ("quay.io/minio/minio:RELEASE.2025", "quay.io", "minio/minio", "RELEASE.2025", None),
    ("localhost:5000/team/api:v2.1", "localhost:5000", "team/api", "v2.1", "2"),
    ("redis@sha256:abc", None, "redis", None, None),
])
def test_parse_image(image: str, registry: str | None, path: str, tag: str | None, major: str | None) -> None:
    ref = parse_image(image)
    assert (ref.registry, ref.path, ref.tag, ref.major) == (registry, path, tag, major)


@pytest.mark.parametrize(("image", "role", "provider"), [
    ("postgres:16", "postgres", None), ("postgis/postgis:16-3.4", "postgres", None),
    ("bitnami/postgresql:15", "postgres", None), ("minio/minio", "object_store", "minio"),
    ("quay.io/minio/minio:latest", "object_store", "minio"),
    ("localstack/localstack:3", "object_store", "localstack"), ("dxflrs/garage:v1", "object_store", "garage"),
    ("nginx:1.27-alpine", "nginx", None), ("node:20-slim", "node", None), ("minio/mc", "bucket_init", None),
])
def test_image_rules(image: str, role: str, provider: str | None) -> None:
    rule = image_rule(image)
    assert rule is not None and (rule.role, rule.provider) == (role, provider)


def test_unknown_image_has_no_rule() -> None:
    assert image_rule("redis:7") is None


def _classify(svc: dict[str, object], facts: BuildFacts | None = None, hint: str | None = None) -> tuple[str, str]:
    d = classify("svc", svc, facts or BuildFacts(), hint_role=hint)
    return d.kind, d.reason


def test_classification_and_reasons() -> None:
    assert _classify({"image": "postgres:16"}) == ("database", "image postgres:16")
    assert _classify({"image": "node:20", "ports": [{"target": 3000}]}) == \
        ("api", "image node:20; it publishes a port")
    assert _classify({"image": "node:20", "environment": {"PORT": "3000"}})[0] == "api"
    assert _classify({"image": "node:20", "command": ["node", "worker.js"]}) == \
        ("worker", "image node:20; no port published, exposed or set in PORT")
    assert _classify({"image": "alpine", "command": ["sh", "-c", "mc mb local/media"]}) == \
        ("bucket_init", "its command creates buckets")
    assert _classify({"image": "redis:7"}) == ("generic", "image redis:7")
    assert _classify({"image": "redis:7"}, hint="api") == ("api", "x-hopper.role is 'api'")


def test_dockerfile_from_wins_over_the_image_tag() -> None:
    df = parse_dockerfile("FROM node:20 AS build\nRUN x\nFROM nginx:1.27\n", file="front/Dockerfile")
    kind, reason = _classify({"image": "example/front:latest"}, BuildFacts(dockerfile=df))
    assert (kind, reason) == ("front", "front/Dockerfile FROM nginx:1.27")


def test_build_context_with_package_json(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text('{"dependencies": {"fastify": "4"}}')
    (tmp_path / "api" / "Dockerfile").write_text("FROM gcr.io/distroless/nodejs20\nCMD [\"index.js\"]\n")
    facts = build_facts({"build": {"context": "api"}}, tmp_path, DEFAULT_LIMITS)
    assert facts.node is not None and facts.dockerfile is not None
    kind, reason = _classify({"build": {"context": "api"}}, facts)
    assert kind == "api" and reason == "build context has api/package.json; it depends on fastify"


def test_build_target_cuts_later_stages(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM node:20 AS dev\nFROM nginx AS prod\n")
    facts = build_facts({"build": {"context": ".", "target": "dev"}}, tmp_path, DEFAULT_LIMITS)
    assert facts.dockerfile is not None and facts.dockerfile.final.image == "node:20"


def test_remote_context_is_not_read(tmp_path: Path) -> None:
    facts = build_facts({"build": {"context": "https://github.com/x/y.git"}}, tmp_path, DEFAULT_LIMITS)
    assert facts == BuildFacts()
