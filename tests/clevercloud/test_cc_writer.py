"""Writing Clever Cloud setups: golden trees, terraform fmt, HCL re-parse, shellcheck, escaping."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hopper import api
from hopper.formats.base import ReadOptions, WriteOptions
from hopper.formats.clevercloud.read_hcl_expr import Lit, from_raw
from hopper.formats.clevercloud.reader import read
from hopper.formats.clevercloud.write_hcl import quote
from hopper.formats.clevercloud.writer import write
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Build,
    Database,
    ObjectStore,
    Role,
    Route,
    Runtime,
    Scaling,
    Service,
    StaticSite,
)
from support import CANARY, GOLDEN, SAMPLES, assert_golden_tree

GOLD = GOLDEN / "clevercloud" / "write"
TERRAFORM = Path("/usr/local/bin/terraform")
SHELLCHECK = shutil.which("shellcheck")


def _tree(path: Path, fmt: str | None = None, options: WriteOptions | None = None) -> dict[str, str]:
    model = api.load(path, fmt=fmt).model
    return dict(write(model, options or WriteOptions()).files)


def _materialise(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


CASES = {
    "sample-terraform": (SAMPLES / "clevercloud-webapp", "clevercloud"),
    "sample-export": (SAMPLES / "clevercloud-webapp" / "export", "clevercloud"),
    "compose-webapp": (SAMPLES / "compose-webapp", "compose"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_tree(case: str) -> None:
    path, fmt = CASES[case]
    files = _tree(path, fmt)
    assert all(CANARY not in text for text in files.values())
    assert_golden_tree(GOLD / case, files)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_deterministic(case: str) -> None:
    path, fmt = CASES[case]
    assert _tree(path, fmt) == _tree(path, fmt)


@pytest.mark.parametrize("case", sorted(CASES))
def test_emitted_hcl_reparses(case: str) -> None:
    import hcl2

    path, fmt = CASES[case]
    for rel, text in _tree(path, fmt).items():
        if rel.endswith(".tf"):
            assert isinstance(hcl2.loads(text), dict)


@pytest.mark.skipif(not TERRAFORM.exists(), reason="terraform is not installed at /usr/local/bin")
@pytest.mark.parametrize("case", sorted(CASES))
def test_terraform_fmt_check(case: str, tmp_path: Path) -> None:
    path, fmt = CASES[case]
    out = _materialise(_tree(path, fmt), tmp_path)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    proc = subprocess.run([str(TERRAFORM), "fmt", "-check", "-diff", "-recursive", str(out / "terraform")],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_setup_script_passes_shellcheck(case: str, tmp_path: Path) -> None:
    path, fmt = CASES[case]
    out = _materialise(_tree(path, fmt), tmp_path)
    proc = subprocess.run([str(SHELLCHECK), str(out / "clever-setup.sh")], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def _fake_clever(folder: Path) -> tuple[Path, Path]:
    """A `clever` that records its argv and stdin instead of calling Clever Cloud."""
    log = folder / "calls.log"
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "clever"
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> "$FAKE_LOG"\n'
                    'if [ "$1 $2" = "env import" ]; then cat >> "$FAKE_LOG"; fi\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return bin_dir, log


def test_setup_script_dry_run_runs_nothing_and_apply_runs(tmp_path: Path) -> None:
    out = _materialise(_tree(*CASES["sample-terraform"]), tmp_path / "out")
    bin_dir, log = _fake_clever(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_LOG": str(log)}
    dry = subprocess.run(["bash", "clever-setup.sh"], cwd=out, capture_output=True, text=True,
                         env=env, check=False)
    assert dry.returncode == 0, dry.stderr
    assert "+ clever create --type node webapp-api" in dry.stdout
    assert not log.exists()
    missing = subprocess.run(["bash", "clever-setup.sh", "--apply"], cwd=out, capture_output=True,
                             text=True, env=env, check=False)
    assert missing.returncode == 66 and "api.env" in missing.stderr  # env files are the user's
    for alias in ("api", "front"):
        example = (out / "clever-env" / f"{alias}.env.example").read_text(encoding="utf-8")
        (out / "clever-env" / f"{alias}.env").write_text(
            example.replace('SESSION_SECRET=""', f'SESSION_SECRET="{CANARY}"'), encoding="utf-8")
    assert not log.exists()  # every env file is checked before anything is created
    done = subprocess.run(["bash", "clever-setup.sh", "--apply"], cwd=out, capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    calls = log.read_text(encoding="utf-8")
    assert "create --type static-apache webapp-front --region par --alias front" in calls
    assert "domain add webapp.example.org/api --alias api" in calls
    argv_lines = [line for line in calls.splitlines() if not line.startswith(("SESSION", "#", "CC_", "NODE"))]
    assert CANARY in calls  # the secret reached clever on stdin...
    assert all(CANARY not in line for line in argv_lines)  # ...never on a command line
    assert CANARY not in done.stdout


def test_hostile_domain_env_is_refused(tmp_path: Path) -> None:
    out = _materialise(_tree(*CASES["compose-webapp"]), tmp_path)
    env = {**os.environ, "CLEVER_DOMAIN": "x.org; touch pwned"}
    proc = subprocess.run(["bash", "clever-setup.sh"], cwd=out, capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 64 and not (out / "pwned").exists()


def _hostile_arch(value: str) -> Architecture:
    api_svc = Service(
        name="api", role=Role.API,
        build=Build(runtime="node", start_command=value, build_command=value),
        runtime=Runtime(port=8080, env={"PLAIN": value}, secret_env=("API_TOKEN",)),
        bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri", secret=True),),
        scaling=Scaling(min_instances=0, autostop=Autostop.STOP))
    front = Service(name="front", role=Role.FRONT, build=Build(runtime="static", output_dir="dist"),
                    static_site=StaticSite(spa_fallback=True), public=True,
                    routes=(Route(path_prefix="/api/", target_service="api", strip_prefix=True,
                                  body_size_limit="20m"),))
    return Architecture(name="hostile", services=(api_svc, front),
                        databases=(Database(name="db"),),
                        object_stores=(ObjectStore(name="media"),))


HOSTILE = ['"; rm -rf / #', "${file(\"/etc/passwd\")}", "%{ if true }x%{ endif }", "a\nb\r\tc\\",
           "$(touch pwned)", "`id`", "'quoted'", "\u2028\x00\x1b[31m"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_strings(value: str, tmp_path: Path) -> None:
    import hcl2

    result = write(_hostile_arch(value), WriteOptions())
    files = dict(result.files)
    main = hcl2.loads(files["terraform/main.tf"])
    assert {k.strip('"') for r in main["resource"] for k in r} >= {"clevercloud_nodejs"}
    back = read(_materialise(files, tmp_path), ReadOptions()).model
    api_svc = back.service("api")
    assert api_svc is not None and api_svc.build is not None
    assert api_svc.build.start_command == value and api_svc.runtime.env["PLAIN"] == value
    if SHELLCHECK:
        proc = subprocess.run([SHELLCHECK, str(tmp_path / "clever-setup.sh")], capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0, proc.stdout
    subprocess.run(["bash", str(tmp_path / "clever-setup.sh")], cwd=tmp_path, capture_output=True,
                   check=False, env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert not (tmp_path / "pwned").exists()


def test_losses_are_warned() -> None:
    codes = {d.code for d in write(_hostile_arch("x"), WriteOptions()).diagnostics}
    assert {"HOP450", "HOP451", "HOP452", "HOP458"} <= codes


@settings(max_examples=150, deadline=None)
@given(st.text())
@example("%{x")  # python-hcl2 rejected the documented %%{ / $${ escapes without a closing brace
@example("a ${")
@example("$${ %%{")
@example("<<")  # not a heredoc: a quoted value that starts with "<<" (found by a random seed)
@example("<<-EOF")
def test_quote_roundtrips_through_hcl2(value: str) -> None:
    import hcl2

    parsed = hcl2.loads(f"a = {quote(value)}\n")
    expr = from_raw(parsed["a"])
    assert isinstance(expr, Lit) and expr.value == value.replace("\r\n", "\r\n")


def test_image_only_service_gets_a_dockerfile_read_back_as_the_image(tmp_path: Path) -> None:
    from hopper.shared.dockerfile import parse_dockerfile

    svc = Service(name="cache", role=Role.API, image="getmeili/meilisearch:v1.8",
                  runtime=Runtime(port=7700, command=("meilisearch", "--env", "")))
    result = write(Architecture(name="shop", services=(svc,)), WriteOptions())
    files = dict(result.files)
    assert "HOP471" in {d.code for d in result.diagnostics}
    parsed = parse_dockerfile(files["cache/Dockerfile"], file="cache/Dockerfile")
    assert parsed.final.image == "getmeili/meilisearch:v1.8" and parsed.final.cmd is not None
    assert parsed.final.cmd.args == ("meilisearch", "--env", "")
    back = read(_materialise(files, tmp_path / "a"), ReadOptions()).model.service("cache")
    assert back is not None and back.build is None and back.image == "getmeili/meilisearch:v1.8"
    assert back.runtime.command == ("meilisearch", "--env", "") and back.runtime.port == 7700
    # A Dockerfile that does more than run the image is a build, and stays one.
    files["cache/Dockerfile"] += "RUN apk add curl\n"
    built = read(_materialise(files, tmp_path / "b"), ReadOptions()).model.service("cache")
    assert built is not None and built.image is None and built.build is not None
    assert built.build.dockerfile == "cache/Dockerfile"


def test_region_binding_and_public_bucket_read_back(tmp_path: Path) -> None:
    from hopper.model import Bucket

    api_svc = Service(name="api", role=Role.API, build=Build(runtime="node", start_command="node ."),
                      runtime=Runtime(port=8080),
                      bindings=(Binding(variable="S3_REGION", resource="media", attribute="region"),
                                Binding(variable="S3_BUCKET", resource="media", attribute="bucket")))
    store = ObjectStore(name="media", provider="cellar",
                        buckets=(Bucket(name="shop-media", public=True),))
    result = write(Architecture(name="shop", services=(api_svc,), object_stores=(store,)),
                   WriteOptions())
    back = read(_materialise(dict(result.files), tmp_path), ReadOptions()).model
    assert back.name == "shop"  # the prefix of every app and add-on name
    api_back = back.service("api")
    assert api_back is not None
    assert {(b.variable, b.resource, b.attribute) for b in api_back.bindings} >= {
        ("S3_REGION", "media", "region"), ("S3_BUCKET", "media", "bucket")}
    media = back.object_store("media")
    assert media is not None and [(b.name, b.public) for b in media.buckets] == [("shop-media", True)]
