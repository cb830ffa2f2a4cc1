"""Issue 14 class 13: object-storage settings the source set by hand (``S3_REGION``) are not
asked as secrets on Fly, where Tigris sets ``AWS_REGION``: they are derived from the Tigris names
at boot (hopper-env.sh), like the names the reader already bound (HOP386)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fly_writer_tools import materialise, run_writer

from hopper import api
from hopper.model import (
    Architecture,
    Binding,
    Bucket,
    Build,
    ObjectStore,
    Placement,
    Region,
    Role,
    Runtime,
    Secret,
    Service,
)
from support import CORPUS, needs_corpus


def _staged(files: dict[str, str]) -> set[str]:
    names: set[str] = set()
    for line in files["fly-setup.sh"].splitlines():
        if line.startswith("stage_secrets "):
            names |= set(line.split()[3:])
    return names


def _model() -> Architecture:
    api_svc = Service(
        name="api", role=Role.API, public=True,
        build=Build(context="api", runtime="node", runtime_version="22", package_manager="npm",
                    start_command="node server.js"),
        runtime=Runtime(port=8080, env={"S3_ENDPOINT_HOST": "cellar-c2.services.clever-cloud.com",
                                        "MEDIA_S3_REGION": "par", "NODE_ENV": "production"},
                        secret_env=("S3_REGION", "SESSION_SECRET")),
        bindings=(Binding(variable="S3_BUCKET", resource="media", attribute="bucket"),
                  Binding(variable="S3_KEY_ID", resource="media", attribute="access_key", secret=True)),
    )
    worker = Service(name="mailer", role=Role.WORKER, image="example/mailer:1",
                     runtime=Runtime(env={"SMTP_REGION": "eu"}))  # not bound to a store: left alone
    return Architecture(
        name="shop", source_format="clevercloud", services=(api_svc, worker),
        object_stores=(ObjectStore(name="media", provider="cellar", buckets=(Bucket(name="media"),)),),
        secrets=(Secret(name="S3_REGION", used_by=("api",), digest="0123456789abcdef"),
                 Secret(name="SESSION_SECRET", used_by=("api",))),
        placement=Placement(primary=Region(code="cdg", platform="fly")),
    )


def test_region_and_endpoint_are_derived_not_asked() -> None:
    files, diags = run_writer(_model())
    staged = _staged(files)
    assert "S3_REGION" not in staged and "SESSION_SECRET" in staged
    toml = files["api/fly.toml"]
    assert "MEDIA_S3_REGION" not in toml and "S3_ENDPOINT_HOST" not in toml  # not the old values
    assert 'NODE_ENV = "production"' in toml
    shim = files["api/hopper-env.sh"]
    for name, source in (("S3_REGION", "AWS_REGION"), ("MEDIA_S3_REGION", "AWS_REGION"),
                         ("S3_BUCKET", "BUCKET_NAME")):
        assert f"{name}=${{{source}}}" in shim
    assert "S3_ENDPOINT_HOST=" in shim  # the host part of AWS_ENDPOINT_URL_S3
    said = [d.message for d in diags if d.code == "HOP386"]
    assert len(said) == 3, said
    assert any("S3_REGION (a secret in the source)" in m and "AWS_REGION" in m for m in said)
    assert not any("SMTP_REGION" in m for m in said)


def test_the_shim_gives_tigris_values(tmp_path: Path) -> None:
    files, _ = run_writer(_model())
    folder = materialise(files, tmp_path)
    env = {"PATH": "/usr/bin:/bin", "AWS_REGION": "auto", "AWS_ENDPOINT_URL_S3": "https://fly.storage.tigris.dev",
           "BUCKET_NAME": "shop-media"}
    out = subprocess.run(["sh", str(folder / "api" / "hopper-env.sh"), "sh", "-c",
                          'echo "$S3_REGION $MEDIA_S3_REGION $S3_ENDPOINT_HOST $S3_BUCKET"'],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["auto", "auto", "fly.storage.tigris.dev", "shop-media"]


@needs_corpus
def test_zero_logement_vacant_s3_region_is_not_a_secret() -> None:
    """The corpus setup that showed it: ``S3_REGION = var.s3.region`` in Terraform."""
    result = api.convert(CORPUS / "clevercloud" / "MTES-MCT__zero-logement-vacant", to="fly")
    files = dict(result.files)
    assert "S3_REGION" not in _staged(files)
    assert "S3_REGION=${AWS_REGION}" in files["api/hopper-env.sh"]
