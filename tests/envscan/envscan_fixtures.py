"""Hand-built models of the fixture projects (the format readers are tested elsewhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hopper.model import (
    Architecture,
    Binding,
    Build,
    Database,
    ObjectStore,
    Role,
    Runtime,
    Service,
    StaticSite,
)

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = FIXTURES / "clever-shop"


def _bindings(*rows: tuple[str, str, str]) -> tuple[Binding, ...]:
    return tuple(Binding(variable=v, resource=r, attribute=a) for v, r, a in rows)


CLEVER_DB = (
    ("POSTGRESQL_ADDON_URI", "db", "uri"),
    ("POSTGRESQL_ADDON_DIRECT_URI", "db", "uri"),
    ("POSTGRESQL_ADDON_HOST", "db", "host"),
)
CLEVER_CELLAR = (
    ("CELLAR_ADDON_HOST", "media", "endpoint"),
    ("CELLAR_ADDON_KEY_ID", "media", "access_key"),
    ("CELLAR_ADDON_KEY_SECRET", "media", "secret_key"),
)


def shop_architecture() -> Architecture:
    """The clever-shop fixture as the Clever Cloud reader would describe it."""
    return Architecture(
        name="clever-shop",
        source_format="clevercloud",
        services=(
            Service(name="api", role=Role.API, build=Build(context="api", runtime="node"),
                    runtime=Runtime(port=8080, env={"MEDIA_BUCKET": "media"},
                                    secret_env=("SENTRY_DSN",)),
                    bindings=_bindings(*CLEVER_DB, *CLEVER_CELLAR)),
            Service(name="front", role=Role.FRONT, build=Build(context="front", runtime="static"),
                    static_site=StaticSite(spa_fallback=True)),
            Service(name="worker", role=Role.WORKER,
                    build=Build(context="worker", runtime="python"),
                    runtime=Runtime(env={"WORKER_CONCURRENCY": "4"},
                                    secret_env=("DJANGO_SECRET_KEY", "REDIS_URL")),
                    bindings=_bindings(*CLEVER_DB, *CLEVER_CELLAR)),
            Service(name="cache", image="redis:7"),
        ),
        databases=(Database(name="db", version="16"),),
        object_stores=(ObjectStore(name="media", provider="cellar"),),
    )


@pytest.fixture
def shop_arch() -> Architecture:
    return shop_architecture()


@pytest.fixture
def shop_copy(tmp_path: Path) -> Path:
    """A writable copy of the clever-shop fixture."""
    target = tmp_path / "clever-shop"
    shutil.copytree(SHOP, target, symlinks=True)
    return target
