"""What real Fly setups contain and hopper used to refuse: environment variants
(fly.staging.toml, fly.production.toml), templated app names and nginx files, a [build]
dockerfile naming a Compose file or starting with '/', and experimental.exec. Each converts with
its named warning, and fails under --strict (docs/fly-input.md, "Lenient reading")."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopper import api
from hopper.diagnostics import HopperError
from hopper.formats import detect_format
from hopper.formats.base import ReadOptions
from support import CORPUS, run_cli

NODE_DOCKERFILE = 'FROM node:{v}\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\nCMD ["node", "server.js"]\n'


def config(app: str, *extra: str, port: int = 3000) -> str:
    return "\n".join([f'app = "{app}"', 'primary_region = "cdg"', *extra,
                      "[http_service]", f"internal_port = {port}", ""])


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def codes(result: api.ReadResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def load(path: Path, variant: str | None = None) -> api.ReadResult:
    return api.load(path, options=ReadOptions(variant=variant))


def staging_and_production(tmp_path: Path, **more: str) -> Path:
    return tree(tmp_path / "portal", {
        "fly.production.toml": config("portal", '[build]\ndockerfile = "Dockerfile"'),
        "fly.staging.toml": config("portal-staging", '[build]\ndockerfile = "Dockerfile"'),
        "Dockerfile": NODE_DOCKERFILE.format(v=20), **more})


# -- environment variants


def test_variants_without_fly_toml_read_production_with_a_warning(tmp_path: Path) -> None:
    proj = staging_and_production(tmp_path)
    assert detect_format(proj) == "fly"  # was HOP007: no fly.toml anywhere
    result = load(proj)
    (service,) = result.model.services
    assert service.extensions["fly"]["app"] == "portal"
    (note,) = [d for d in result.diagnostics if d.code == "HOP374"]
    assert "read fly.production.toml" in note.message and "fly.staging.toml" in note.message
    assert note.hint is not None and "--variant staging" in note.hint


def test_variant_flag_picks_the_environment_and_names_the_app_without_it(tmp_path: Path) -> None:
    result = load(staging_and_production(tmp_path), variant="staging")
    (service,) = result.model.services
    assert service.name == "portal" and result.model.name == "portal"
    assert service.extensions["fly"]["app"] == "portal-staging"
    assert "HOP374" not in codes(result)
    (note,) = [d for d in result.diagnostics if d.code == "HOP376"]
    assert "fly.production.toml" in note.message


def test_variant_cli_strict(tmp_path: Path) -> None:
    proj = staging_and_production(tmp_path)
    assumed = run_cli("inspect", proj, "--strict")
    assert assumed.code == 1 and "[HOP374]" in assumed.stderr
    chosen = run_cli("inspect", proj, "--strict", "--variant", "staging")
    assert chosen.code == 0, chosen.stderr
    out = tmp_path / "out"
    converted = run_cli("convert", proj, "--to", "compose", "--out", out, "--variant", "production")
    assert converted.code == 0, converted.stderr


def test_plain_fly_toml_comes_first(tmp_path: Path) -> None:
    proj = tree(tmp_path / "notes", {
        "fly.toml": config("notes", '[build]\ndockerfile = "Dockerfile"'),
        "fly.review.toml": config("notes-review", '[build]\ndockerfile = "Dockerfile"'),
        "Dockerfile": NODE_DOCKERFILE.format(v=20)})
    result = load(proj)
    assert [s.extensions["fly"]["app"] for s in result.model.services] == ["notes"]
    assert "HOP374" in codes(result)


def test_several_variants_and_no_default_is_a_clean_error(tmp_path: Path) -> None:
    proj = tree(tmp_path / "p", {"fly.staging.toml": config("p-staging"), "fly.review.toml": config("p-review")})
    with pytest.raises(HopperError) as info:
        load(proj)
    assert info.value.code == "HOP375"
    assert "fly.review.toml, fly.staging.toml" in str(info.value)
    assert info.value.diagnostic.hint == "pass --variant review|staging to choose one"
    result = run_cli("inspect", proj)
    assert result.code == 1 and "[HOP375]" in result.stderr and "Traceback" not in result.stderr
    assert load(proj, variant="review").model.services[0].extensions["fly"]["app"] == "p-review"


def test_unknown_variant_lists_the_ones_seen(tmp_path: Path) -> None:
    with pytest.raises(HopperError) as info:
        load(staging_and_production(tmp_path), variant="qa")
    assert info.value.code == "HOP375"
    assert "variants seen: production, staging" in str(info.value)


def test_configs_that_build_different_targets_are_separate_apps(tmp_path: Path) -> None:
    # dcramer/peated: fly.api.toml, fly.web.toml build one Dockerfile's stages; faktory an image.
    proj = tree(tmp_path / "peated", {
        "fly.api.toml": config("peated-api", '[build]\nbuild-target = "api"', port=4000),
        "fly.web.toml": config("peated-web", '[build]\nbuild-target = "web"'),
        "fly.faktory.toml": config("peated-faktory", '[build]\nimage = "contribsys/faktory:latest"', port=7420),
        "Dockerfile": "FROM node:20 AS api\nCMD [\"node\", \"api.js\"]\nFROM node:20 AS web\nCMD [\"node\", \"web.js\"]\n"})
    result = load(proj)
    assert sorted(s.extensions["fly"]["app"] for s in result.model.services) == [
        "peated-api", "peated-faktory", "peated-web"]
    assert not {"HOP374", "HOP375", "HOP376"} & set(codes(result))


def test_same_build_running_other_commands_are_separate_apps(tmp_path: Path) -> None:
    # yjl9903/AnimeGarden: fly.server.toml and fly.feed.toml build one Dockerfile and run other
    # process sets; they are two apps, not two environments.
    proj = tree(tmp_path / "server", {
        "fly.server.toml": config("garden-server", "[processes]\nserver = 'node server.js'\ncron = 'node cron.js'"),
        "fly.feed.toml": config("garden-feed", "[processes]\nserver = 'node feed.js'"),
        "Dockerfile": NODE_DOCKERFILE.format(v=20)})
    result = load(proj)
    apps = sorted({s.extensions["fly"]["app"] for s in result.model.services})
    assert apps == ["garden-feed", "garden-server"]


def test_same_build_same_commands_are_variants_whatever_their_names(tmp_path: Path) -> None:
    proj = tree(tmp_path / "t", {
        "fly.acme.toml": config("t-acme", "[processes]\napp = 'node server.js'"),
        "fly.globex.toml": config("t-globex", "[processes]\napp = 'node server.js'"),
        "Dockerfile": NODE_DOCKERFILE.format(v=20)})
    with pytest.raises(HopperError) as info:
        load(proj)
    assert info.value.code == "HOP375"
    assert len(load(proj, variant="acme").model.services) == 1


def test_dockerfile_of_the_environment_follows_the_chosen_config(tmp_path: Path) -> None:
    proj = tree(tmp_path / "app", {
        "fly.production.toml": config("app", '[build]\ndockerfile = "Dockerfile.production"'),
        "fly.staging.toml": config("app-staging", '[build]\ndockerfile = "Dockerfile.staging"'),
        "Dockerfile.production": NODE_DOCKERFILE.format(v=22),
        "Dockerfile.staging": NODE_DOCKERFILE.format(v=20)})
    production = load(proj).model.services[0].build
    staging = load(proj, variant="staging").model.services[0].build
    assert production is not None and staging is not None
    assert (production.dockerfile, production.runtime_version) == ("Dockerfile.production", "22")
    assert (staging.dockerfile, staging.runtime_version) == ("Dockerfile.staging", "20")


def test_monorepo_app_folders_with_variants(tmp_path: Path) -> None:
    proj = tree(tmp_path / "mono", {
        "apps/web/fly.production.toml": config("mono-web"),
        "apps/web/fly.staging.toml": config("mono-web-staging"),
        "apps/web/Dockerfile": NODE_DOCKERFILE.format(v=20),
        "apps/api/fly.toml": config("mono-api", port=4000),
        "apps/api/Dockerfile": NODE_DOCKERFILE.format(v=20)})
    assert detect_format(proj) == "fly"
    result = load(proj, variant="staging")
    assert sorted(s.name for s in result.model.services) == ["api", "web"]
    assert {s.name: s.extensions["fly"]["app"] for s in result.model.services} == {
        "api": "mono-api", "web": "mono-web-staging"}


def test_validate_reads_the_default_variant(tmp_path: Path) -> None:
    result = run_cli("validate", staging_and_production(tmp_path))
    assert result.code == 0, result.stderr
    assert "[HOP374]" in result.stderr


# -- other quirks of real setups


def test_template_app_name_is_a_warning(tmp_path: Path) -> None:
    proj = tree(tmp_path / "town", {"fly.template.toml": config("{{APP_NAME}}"),
                                    "Dockerfile": NODE_DOCKERFILE.format(v=18)})
    result = load(proj)  # was HOP009: invalid Fly app name '{{APP_NAME}}'
    (service,) = result.model.services
    assert service.name == "town"
    (note,) = [d for d in result.diagnostics if d.code == "HOP363"]
    assert "'{{APP_NAME}}'" in note.message and "template placeholder" in note.message
    assert run_cli("inspect", proj, "--strict").code == 1


def test_dockerfile_naming_a_compose_file_reads_the_service_it_builds(tmp_path: Path) -> None:
    proj = tree(tmp_path / "cq", {
        "fly.toml": config("cq", '[build]\ndockerfile = "docker-compose.yml"'),
        "docker-compose.yml": "services:\n  web:\n    build: ./web\n  redis:\n    image: redis:7\n",
        "web/Dockerfile": NODE_DOCKERFILE.format(v=20)})
    result = load(proj)  # was HOP211: the Compose file parsed as a Dockerfile
    build = result.model.services[0].build
    assert build is not None
    assert (build.context, build.dockerfile, build.runtime_version) == ("web", "web/Dockerfile", "20")
    (note,) = [d for d in result.diagnostics if d.code == "HOP377"]
    assert "is a Compose file" in note.message and "web/Dockerfile" in note.message
    assert note.location is not None and note.location.line == 4
    assert run_cli("inspect", proj, "--strict").code == 1


def test_dockerfile_naming_a_compose_file_without_a_build(tmp_path: Path) -> None:
    proj = tree(tmp_path / "cq", {
        "fly.toml": config("cq", '[build]\ndockerfile = "stack.yaml"'),
        "stack.yaml": "services:\n  web:\n    image: nginx:1.27\n"})
    result = load(proj)
    (note,) = [d for d in result.diagnostics if d.code == "HOP377"]
    assert "none of its services builds an image" in note.message


def test_leading_slash_dockerfile_is_relative_to_the_config(tmp_path: Path) -> None:
    # epicweb-dev/epic-stack: dockerfile = "/other/Dockerfile" (flyctl joins it to the folder).
    proj = tree(tmp_path / "epic", {"fly.toml": config("epic", '[build]\ndockerfile = "/other/Dockerfile"'),
                                    "other/Dockerfile": NODE_DOCKERFILE.format(v=22)})
    build = load(proj).model.services[0].build
    assert build is not None and (build.dockerfile, build.runtime_version) == ("other/Dockerfile", "22")


def test_templated_nginx_conf_is_read_without_its_routes(tmp_path: Path) -> None:
    # fly-apps/nginx-cluster: a start script fills {CACHE_SIZE} in before nginx starts.
    proj = tree(tmp_path / "cluster", {
        "fly.toml": config("cluster", port=8080),
        "Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "nginx.conf": "events {}\nhttp {\n  proxy_cache_path /data levels=1:2 keys_zone=c:10m max_size={CACHE_SIZE};\n"
                      "  server { listen 8080; location / { proxy_pass http://up; } }\n}\n"})
    result = load(proj)  # was HOP201
    (note,) = [d for d in result.diagnostics if d.code == "HOP364"]
    assert "{CACHE_SIZE}" in note.message and note.location is not None and note.location.line == 3
    # What is lost, said as compose's HOP188 says it (issue 20).
    assert "routes and static settings" in note.message and "not carried" in note.message
    assert "the generated front uses a default configuration" in note.message
    assert run_cli("inspect", proj, "--strict").code == 1


def test_nginx_syntax_error_without_a_template_is_still_refused(tmp_path: Path) -> None:
    proj = tree(tmp_path / "broken", {
        "fly.toml": config("broken", port=8080),
        "Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "nginx.conf": "events {}\nhttp {\n  server { listen 8080 }\n}\n"})
    with pytest.raises(HopperError) as info:
        load(proj)
    assert info.value.code == "HOP201"


def test_experimental_exec_replaces_entrypoint_and_cmd(tmp_path: Path) -> None:
    proj = tree(tmp_path / "x", {
        "fly.toml": config("x", '[experimental]\ncmd = ["/call", "me"]\nentrypoint = ["/IgoFirst"]\n'
                           'exec = ["/bin/run", "all"]'),
        "Dockerfile": 'FROM node:20\nENTRYPOINT ["docker-entry"]\nCMD ["node", "server.js"]\n'})
    result = load(proj)
    runtime = result.model.services[0].runtime
    assert (runtime.entrypoint, runtime.command) == (("/bin/run", "all"), ())
    dead = [d for d in result.diagnostics if d.code == "HOP361" and "experimental.exec" in d.message]
    assert sorted(d.location.line for d in dead if d.location) == [4, 5]  # cmd and entrypoint


def test_experimental_cmd_and_entrypoint_without_exec(tmp_path: Path) -> None:
    proj = tree(tmp_path / "x", {
        "fly.toml": config("x", '[experimental]\ncmd = ["serve"]\nentrypoint = ["/entry"]'),
        "Dockerfile": 'FROM node:20\nCMD ["node", "server.js"]\n'})
    runtime = load(proj).model.services[0].runtime
    assert (runtime.entrypoint, runtime.command) == (("/entry",), ("serve",))


# -- the real setups these rules come from


REAL = CORPUS / "fly"


@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/corpus")
@pytest.mark.parametrize("name", ["UoaWDCC__uabc-portal", "UoaWDCC__uasc-web", "fly-apps__6pn-demo-chat",
                                  "fly-apps__hello_elixir", "fly-apps__ai-town_on_fly.io",
                                  "epicweb-dev__epic-stack", "fly-apps__nginx-cluster", "dcramer__peated",
                                  "yjl9903__AnimeGarden"])
def test_real_setups_read(name: str) -> None:
    assert detect_format(REAL / name) == "fly"
    result = api.load(REAL / name)
    assert result.model.services


def test_no_build_and_no_dockerfile_assumes_flyctls_default(tmp_path: Path) -> None:
    # dcodesmith/hyre-worker-nestjs: fly.toml without [build]; the Dockerfile is not in the checkout.
    proj = tree(tmp_path / "w", {"fly.toml": config("worker")})
    result = load(proj)
    build = result.model.services[0].build
    assert build is not None and (build.context, build.dockerfile) == (".", "Dockerfile")
    (note,) = [d for d in result.diagnostics if d.code == "HOP378"]
    assert "no [build] in fly.toml and no Dockerfile" in note.message
    converted = run_cli("convert", proj, "--to", "fly", "--out", tmp_path / "out")
    assert converted.code == 0, converted.stderr
    assert (tmp_path / "out" / "worker" / "fly.toml").is_file()  # deployed, not dropped (HOP531)
    assert run_cli("inspect", proj, "--strict").code == 1


def test_validate_reads_a_templated_nginx_conf_with_a_warning(tmp_path: Path) -> None:
    proj = tree(tmp_path / "cluster", {
        "fly.toml": config("cluster", port=8080),
        "Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "nginx.conf": "events {}\nhttp {\n  proxy_cache_path /data keys_zone=c:10m max_size={CACHE_SIZE};\n}\n"})
    result = run_cli("validate", proj)
    assert result.code == 0, result.stderr
    assert "[HOP364]" in result.stderr and "[HOP201]" not in result.stderr
    assert "not carried; the generated front uses a default configuration" in result.stderr


def test_terraform_fly_provider_refusal_says_why(tmp_path: Path) -> None:
    # fly-apps/replicache-websocket: apps and IPs in main.tf, no fly.toml; nothing says what runs.
    proj = tree(tmp_path / "tf", {"main.tf": 'terraform {\n  required_providers {\n    fly = {\n'
                                             '      source = "fly-apps/fly"\n    }\n  }\n}\n'})
    result = run_cli("inspect", proj, "--from", "fly")
    assert result.code == 1 and "[HOP306]" in result.stderr
    assert "main.tf describes the apps with the Fly Terraform provider" in result.stderr
