"""Classifying the names the code reads, and the findings the plan report shows."""

from __future__ import annotations

from dataclasses import replace

import pytest
from envscan_fixtures import SHOP, shop_architecture

from hopper.envscan import scan_architecture
from hopper.envscan.classify import (
    build_time_vars,
    bundler_of,
    compose_hosts,
    env_findings,
    platform_prefix,
    resolve,
    target_names,
)
from hopper.model import (
    Architecture,
    Binding,
    Build,
    Database,
    EnvRead,
    ObjectStore,
    Role,
    Runtime,
    Service,
)
from support import GOLDEN, assert_golden


def test_tables() -> None:
    assert target_names("database", "uri", "fly") == ("DATABASE_URL",)
    assert target_names("database", "uri", "clevercloud")[0] == "POSTGRESQL_ADDON_URI"
    assert target_names("object_store", "access_key", "fly") == ("AWS_ACCESS_KEY_ID",)
    assert target_names("database", "host", "fly") == ()
    assert platform_prefix("CC_APP_NAME") == "clevercloud"
    assert platform_prefix("FLY_REGION") == "fly"
    assert platform_prefix("DATABASE_URL") is None
    assert bundler_of("VITE_API_URL") == "vite"
    assert bundler_of("NEXT_PUBLIC_X") == "nextjs"
    assert bundler_of("API_URL") is None


@pytest.mark.parametrize(("name", "action", "target_name"), [
    ("POSTGRESQL_ADDON_URI", "rename", "DATABASE_URL"),
    ("POSTGRESQL_ADDON_DIRECT_URI", "semantic", "DATABASE_URL"),  # direct vs pooled/proxied
    ("POSTGRESQL_ADDON_HOST", "no_equivalent", None),
    ("CELLAR_ADDON_KEY_ID", "rename", "AWS_ACCESS_KEY_ID"),
    ("CELLAR_ADDON_KEY_SECRET", "rename", "AWS_SECRET_ACCESS_KEY"),
    ("CELLAR_ADDON_HOST", "semantic", "AWS_ENDPOINT_URL_S3"),  # bare host vs URL
    ("INSTANCE_NUMBER", "no_equivalent", None),
    ("CC_APP_NAME", "no_equivalent", None),
    ("PORT", "port", None),
    ("MEDIA_BUCKET", "carried", None),
    ("SOMETHING_ELSE", "unset", None),
])
def test_resolve_clever_names_for_fly(name: str, action: str, target_name: str | None) -> None:
    arch = shop_architecture()
    api = arch.services[0]
    res = resolve(arch, api, name, "fly")
    assert (res.action, res.target_name) == (action, target_name)


def fly_architecture() -> Architecture:
    return Architecture(
        name="fly-app", source_format="fly",
        services=(Service(name="api", role=Role.API, build=Build(context="."), bindings=(
            Binding(variable="DATABASE_URL", resource="db", attribute="uri"),
            Binding(variable="AWS_ENDPOINT_URL_S3", resource="files", attribute="endpoint"),
            Binding(variable="BUCKET_NAME", resource="files", attribute="bucket"),
        )),),
        databases=(Database(name="db"),), object_stores=(ObjectStore(name="files", provider="tigris"),))


@pytest.mark.parametrize(("name", "action", "target_name"), [
    ("DATABASE_URL", "rename", "POSTGRESQL_ADDON_URI"),
    ("AWS_ENDPOINT_URL_S3", "semantic", "CELLAR_ADDON_HOST"),
    ("BUCKET_NAME", "no_equivalent", None),  # Cellar has no bucket-name variable
    ("FLY_REGION", "no_equivalent", None),
    ("FLY_APP_NAME", "provided", "FLY_APP_NAME"),
])
def test_resolve_fly_names_for_clever(name: str, action: str, target_name: str | None) -> None:
    arch = fly_architecture()
    target = "clevercloud" if not name.startswith("FLY_APP") else "fly"
    res = resolve(arch, arch.services[0], name, target)
    assert (res.action, res.target_name) == (action, target_name)


def test_same_platform_and_compose_targets_need_nothing() -> None:
    arch = shop_architecture()
    api = arch.services[0]
    assert resolve(arch, api, "POSTGRESQL_ADDON_URI", "clevercloud").action == "provided"
    assert resolve(arch, api, "POSTGRESQL_ADDON_URI", "compose").action == "carried"


def test_two_databases_make_the_target_name_ambiguous() -> None:
    arch = shop_architecture()
    api = replace(arch.services[0], bindings=arch.services[0].bindings + (
        Binding(variable="ANALYTICS_URI", resource="analytics", attribute="uri"),))
    arch = replace(arch, services=(api,), databases=(*arch.databases, Database(name="analytics")))
    assert resolve(arch, api, "POSTGRESQL_ADDON_URI", "fly").action == "ambiguous"


def test_findings_golden_for_fly() -> None:
    arch, _ = scan_architecture(shop_architecture(), SHOP)
    text = "".join(d.diagnostic.render() + (f"\n  hint: {d.diagnostic.hint}" if d.diagnostic.hint else "") + "\n"
                   for d in env_findings(arch, "fly"))
    assert_golden(GOLDEN / "envscan" / "findings-fly.txt", text)


def test_the_issue_example_sentence() -> None:
    arch, _ = scan_architecture(shop_architecture(), SHOP)
    messages = [f.diagnostic.message for f in env_findings(arch, "fly")]
    assert ("api reads CELLAR_ADDON_KEY_ID at api/src/storage.ts:4; on Fly.io the access_key of "
            "the object store 'media' arrives as AWS_ACCESS_KEY_ID") in messages


def test_build_time_vars_of_the_front() -> None:
    arch, _ = scan_architecture(shop_architecture(), SHOP)
    front = arch.service("front")
    assert front is not None
    assert [(v.name, v.secret) for v in build_time_vars(front)] == [
        ("VITE_API_URL", False), ("VITE_SENTRY_DSN", True), ("VITE_TITLE", False)]


def test_compose_host_inside_a_value() -> None:
    assert compose_hosts("http://api:3000/v1", ["api", "db"]) == ("api",)
    assert compose_hosts("postgres://u:p@db:5432/app", ["api", "db"]) == ("db",)
    assert compose_hosts("https://api.example.com", ["api"]) == ()
    arch = Architecture(name="c", source_format="compose", services=(
        Service(name="web", build=Build(context="."), runtime=Runtime(env={"API_URL": "http://api:3000"}),
                env_reads=(EnvRead(name="API_URL", file="src/x.ts", line=3, language="typescript"),)),
        Service(name="api", image="node:22")))
    (finding,) = env_findings(arch, "fly")
    assert finding.diagnostic.code == "HOP605"
    assert "docker-compose host 'api'" in finding.diagnostic.message
    assert "3000" not in finding.diagnostic.message  # the value itself is not repeated
    assert env_findings(arch, "compose") == ()
