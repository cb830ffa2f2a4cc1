"""Reading Clever Cloud setups: Terraform (the real corpus and the sample), bundles, hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper import native
from hopper.diagnostics import HopperError
from hopper.formats.base import ReadOptions
from hopper.formats.clevercloud import detect_setup as detect
from hopper.formats.clevercloud.reader import read
from hopper.model import Role
from support import CANARY, CORPUS, GOLDEN, SAMPLES, assert_golden, corpus_params, needs_corpus

CLEVER = CORPUS / "clevercloud"
MTES = CLEVER / "MTES-MCT__zero-logement-vacant" / "tools" / "terraform"
SAMPLE = SAMPLES / "clevercloud-webapp"
GOLD = GOLDEN / "clevercloud" / "read"


def _golden(name: str, path: Path, options: ReadOptions | None = None) -> None:
    result = read(path, options or ReadOptions())
    text = native.dump(result.model)
    diags = "".join(d.render() + "\n" for d in sorted(result.diagnostics, key=lambda d: d.sort_key()))
    assert CANARY not in text and CANARY not in diags
    assert_golden(GOLD / f"{name}.yaml", text)
    assert_golden(GOLD / f"{name}.diagnostics.txt", diags)


@needs_corpus
def test_mtes_terraform_is_front_api_postgres_cellar() -> None:
    model = read(MTES, ReadOptions()).model
    api, front = model.service("api"), model.service("front")
    assert api is not None and front is not None
    assert api.role is Role.API and front.role is Role.FRONT
    assert api.build is not None and api.build.runtime == "node"
    assert api.build.start_command == "node server/dist/app/"
    assert api.build.build_command is not None and api.build.build_command.startswith("yarn nx build server")
    assert api.runtime.port == 8080
    assert api.runtime.health_check is not None and api.runtime.health_check.path == "/"
    assert front.static_site is not None and not front.static_site.spa_fallback
    assert front.build is not None and front.build.output_dir == "frontend/dist"
    assert [d.name for d in model.databases] == ["postgresql"]
    assert model.databases[0].plan == "xxs_sml"  # var.db.flavor -> root default, through modules
    assert [(o.name, o.provider) for o in model.object_stores] == [("s3", "cellar")]
    bindings = {b.variable: (b.resource, b.attribute, b.secret) for b in api.bindings}
    assert bindings == {
        "DATABASE_URL": ("postgresql", "uri", True),
        "S3_ACCESS_KEY_ID": ("s3", "access_key", True),
        "S3_BUCKET": ("s3", "bucket", False),
        "S3_ENDPOINT": ("s3", "endpoint", False),
        "S3_SECRET_ACCESS_KEY": ("s3", "secret_key", True),
    }
    assert {b.variable: b.attribute for b in front.bindings} == {"VITE_API_URL": "url"}
    assert "AUTH_SECRET" in api.runtime.secret_env and "AUTH_SECRET" not in api.runtime.env
    assert api.scaling.cpus == 2 and api.scaling.memory_mb == 2048  # flavor S
    assert model.placement.primary is not None and model.placement.primary.code == "par"


@needs_corpus
def test_mtes_golden() -> None:
    _golden("mtes", MTES)


@needs_corpus
def test_tf_var_from_environ_resolves_project_name() -> None:
    result = read(MTES, ReadOptions(environ={"TF_VAR_project_name": "zlv"}))
    store = result.model.object_store("s3")
    assert store is not None and [b.name for b in store.buckets] == ["zlv"]
    assert not any("var.project_name" in d.message for d in result.diagnostics)


@needs_corpus
def test_not_literal_values_warn_with_the_key() -> None:
    diags = read(MTES, ReadOptions()).diagnostics
    hop410 = [d for d in diags if d.code == "HOP410"]
    assert any("environment.HOST" in d.message and d.location and d.location.line == 48
               for d in hop410)


def _corpus_files() -> list[Path]:
    return sorted(p for p in CLEVER.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", corpus_params(_corpus_files, ids=lambda p: str(p.relative_to(CLEVER))))
def test_every_corpus_file_reads_or_fails_cleanly(path: Path) -> None:
    try:
        result = read(path, ReadOptions())
    except HopperError as exc:
        assert exc.code.startswith("HOP")
        return
    assert result.model.source_format == "clevercloud"


@pytest.mark.parametrize("folder", corpus_params(lambda: sorted(p for p in CLEVER.iterdir() if p.is_dir()),
                                                 ids=lambda p: p.name))
def test_every_corpus_folder_reads_or_fails_cleanly(folder: Path) -> None:
    try:
        read(folder, ReadOptions())
    except HopperError as exc:
        assert exc.code in ("HOP401", "HOP404", "HOP405")


@needs_corpus
def test_provider_examples_main_reads_with_its_bad_reference() -> None:
    result = read(CLEVER / "CleverCloud__terraform-provider-clevercloud/examples/main.tf", ReadOptions())
    store = result.model.object_store("cellar1")
    assert store is not None and [b.name for b in store.buckets] == ["bucket1"]
    assert any(d.code == "HOP414" for d in result.diagnostics)  # cellar_id = cellar1.id
    node = result.model.service("node1")
    assert node is not None and node.scaling.max_instances == 2


def test_sample_terraform_golden() -> None:
    _golden("sample-terraform", SAMPLE)


def test_sample_export_golden() -> None:
    _golden("sample-export", SAMPLE / "export")


def test_sample_terraform_and_export_agree() -> None:
    tf = read(SAMPLE, ReadOptions()).model
    bundle = read(SAMPLE / "export", ReadOptions()).model
    for model in (tf, bundle):
        front, api = model.service("front"), model.service("api")
        assert front is not None and api is not None
        assert (front.role, api.role) == (Role.FRONT, Role.API)
        assert [(r.path_prefix, r.target_service) for r in front.routes] == [("/api/", "api")]
        assert [s.name for s in model.secrets] == ["SESSION_SECRET"]
        assert [d.name for d in model.databases] == ["db"]
        assert [(o.name, [b.name for b in o.buckets]) for o in model.object_stores] == [
            ("media", ["webapp-media"])]
    assert {(b.variable, b.resource, b.attribute) for b in tf.service("api").bindings} == \
        {(b.variable, b.resource, b.attribute) for b in bundle.service("api").bindings}  # type: ignore[union-attr]


def test_bundle_never_keeps_secret_values() -> None:
    text = native.dump(read(SAMPLE / "export", ReadOptions()).model, "json", with_origin=True)
    assert CANARY not in text
    assert "u4yqz0r8pqk2m5ja" not in text  # the database user is part of the URI
    assert "K9QX2M7Z4R8T1W5Y3B6N" not in text  # Cellar key id: only bound, never copied


def test_bundle_ignores_unlinked_addons(tmp_path: Path) -> None:
    result = read(SAMPLE / "export", ReadOptions())
    assert all("redis" not in d.name for d in result.model.databases)


def test_bundle_bad_json_has_a_location(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    (bundle / "apps" / "api").mkdir(parents=True)
    (bundle / "hopper-export.json").write_text("{}", encoding="utf-8")
    (bundle / "apps" / "api" / "status.json").write_text('{\n  "id": ,\n}', encoding="utf-8")
    with pytest.raises(HopperError) as err:
        read(bundle, ReadOptions())
    assert err.value.code == "HOP403"
    assert err.value.path == "apps/api/status.json" and err.value.line == 2


def test_hcl_syntax_error_has_a_location(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "clevercloud_nodejs" "a" {\n  name = \n}\n',
                                      encoding="utf-8")
    with pytest.raises(HopperError) as err:
        read(tmp_path, ReadOptions())
    assert err.value.code == "HOP402" and err.value.path == "main.tf" and err.value.line == 2


def test_static_resource_before_and_after_the_rename(tmp_path: Path) -> None:
    body = ('resource "clevercloud_static" "site" {\n  name = "s"\n  min_instance_count = 1\n'
            '  max_instance_count = 1\n  smallest_flavor = "nano"\n  biggest_flavor = "nano"\n}\n')
    for version, kind in (("~> 1.0", "static-apache"), ("2.1.0", "static"), (None, "static")):
        folder = tmp_path / (version or "none").replace(" ", "").replace("~>", "tilde")
        folder.mkdir()
        head = ""
        if version:
            head = ('terraform {\n  required_providers {\n    clevercloud = {\n'
                    f'      source = "CleverCloud/clevercloud"\n      version = "{version}"\n'
                    '    }\n  }\n}\n')
        (folder / "main.tf").write_text(head + body, encoding="utf-8")
        result = read(folder, ReadOptions())
        svc = result.model.service("site")
        assert svc is not None and svc.extensions["clevercloud"]["kind"] == kind
        assert any(d.code == "HOP413" for d in result.diagnostics)


def test_reference_cycles_do_not_loop(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = "${local.a}x"\n}\n'
        'resource "clevercloud_nodejs" "api" {\n  name = local.a\n  region = local.b\n'
        '  min_instance_count = 1\n  max_instance_count = 1\n  smallest_flavor = "XS"\n'
        '  biggest_flavor = "XS"\n  environment = { A = local.a }\n}\n', encoding="utf-8")
    result = read(tmp_path, ReadOptions())
    assert result.model.service("api") is not None


def test_escapes_and_heredocs_resolve(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "clevercloud_nodejs" "api" {\n  min_instance_count = 1\n  max_instance_count = 1\n'
        '  smallest_flavor = "XS"\n  biggest_flavor = "XS"\n'
        '  environment = {\n    Q = "a\\"b\\\\c $${x} %%{y} \\u00e9"\n  }\n'
        '  hooks {\n    post_build = <<-EOT\n      npm run build\n      npm test\n    EOT\n  }\n}\n',
        encoding="utf-8")
    api = read(tmp_path, ReadOptions()).model.service("api")
    assert api is not None and api.runtime.env["Q"] == 'a"b\\c ${x} %{y} é'
    assert api.build is not None and api.build.build_command == "npm run build\nnpm test\n"


def test_an_app_binding_a_secret_name_is_among_its_users(tmp_path: Path) -> None:
    """The front sets A0 by hand, the api's A0 is the database's URL: the name is a secret of
    both, as the compose reader reads the same setup written as compose. (Found by Hypothesis in
    test_clever_to_compose_generated: the api joined the secret's users on the way back.)"""
    (tmp_path / "main.tf").write_text(
        'variable "a0" {\n  type      = string\n  sensitive = true\n}\n'
        'resource "clevercloud_postgresql" "db" {\n  name = "x-db"\n  plan = "xxs_sml"\n}\n'
        'resource "clevercloud_nodejs" "front" {\n  name = "x-front"\n'
        '  environment = {\n    A0 = var.a0\n  }\n}\n'
        'resource "clevercloud_nodejs" "api" {\n  name = "x-api"\n'
        '  dependencies = [clevercloud_postgresql.db.id]\n'
        '  environment = {\n    A0 = clevercloud_postgresql.db.uri\n  }\n}\n', encoding="utf-8")
    model = read(tmp_path, ReadOptions(environ={})).model
    api = model.service("api")
    assert api is not None
    assert [(b.variable, b.resource, b.attribute, b.secret) for b in api.bindings] == \
        [("A0", "db", "uri", True)]
    assert {s.name: s.used_by for s in model.secrets}["A0"] == ("api", "front")


@needs_corpus
def test_hints_only_is_reported_incomplete() -> None:
    result = read(CLEVER / "betagouv__delta-v", ReadOptions())
    assert any(d.code == "HOP415" for d in result.diagnostics)
    roles = {s.name: s.role for s in result.model.services}
    assert roles["delta-v-front-prod"] is Role.FRONT and roles["delta-v-back-prod"] is Role.API
    assert result.model.placement.primary is not None and result.model.placement.primary.code == "par"


def test_hints_package_json_and_htaccess(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "scripts": {"start": "node a.js"}, '
                                           '"engines": {"node": "20"}}', encoding="utf-8")
    (tmp_path / ".env.example").write_text(f"CC_RUN_COMMAND=node a.js\nCC_SECRET_TOKEN={CANARY}\n",
                                           encoding="utf-8")
    result = read(tmp_path, ReadOptions())
    api = result.model.service("api")
    assert api is not None and api.build is not None
    assert api.build.start_command == "node a.js" and api.build.runtime_version == "20"
    assert CANARY not in native.dump(result.model)


def test_detect() -> None:
    assert detect(SAMPLE) and detect(SAMPLE / "export")
    assert not detect(SAMPLES / "compose-webapp")


@needs_corpus
def test_detect_corpus() -> None:
    assert detect(MTES)
    assert detect(CLEVER / "betagouv__delta-v")
