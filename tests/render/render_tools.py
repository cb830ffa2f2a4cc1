"""Helpers of the Render tests: convert the samples, validate render.yaml against Render's
published schema, run nginx -t on an emitted nginx.conf."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hopper import api
from hopper.formats.base import ReadOptions, ReadResult, WriteOptions, WriteResult
from support import GOLDEN, ROOT, SAMPLES

SCHEMA = ROOT / "tests" / "schemas" / "render.yaml.json"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
UNSHARE = shutil.which("unshare")

# name -> (source folder, source format): the three samples, one per source format (the Fly one
# is the Fly writer's golden set for the compose sample).
SOURCES: dict[str, tuple[Path, str]] = {
    "compose-webapp": (SAMPLES / "compose-webapp", "compose"),
    "clevercloud-webapp": (SAMPLES / "clevercloud-webapp", "clevercloud"),
    "fly-webapp": (GOLDEN / "fly" / "compose-webapp", "fly"),
    "monorepo-webapp": (SAMPLES / "monorepo-webapp", "compose"),
}


def convert(name: str, **extra: str) -> WriteResult:
    source, fmt = SOURCES[name]
    result = api.convert(source, "render", fmt=fmt, read_options=ReadOptions(),
                         write_options=WriteOptions(extra=extra))
    return WriteResult(files=dict(result.files), diagnostics=tuple(result.diagnostics))


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(text: str) -> list[str]:
    """Every violation of Render's schema in a render.yaml text (empty: valid)."""
    data = yaml.safe_load(text)
    return sorted(f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
                  for e in _validator().iter_errors(data))


def tree(files: dict[str, str]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hopper-render-"))
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def read_back(files: dict[str, str]) -> ReadResult:
    folder = tree(files)
    try:
        return api.load(folder, fmt="render")
    finally:
        shutil.rmtree(folder)


def can_nginx_t() -> bool:
    if NGINX is None or UNSHARE is None:
        return False
    return subprocess.run([UNSHARE, "--mount", "--net", "true"], capture_output=True,
                          timeout=10).returncode == 0


ENVSUBST = shutil.which("envsubst")


def start_front(folder: Path, front: str, environment: dict[str, str]) -> Path:
    """Do what the nginx image's entrypoint does at start (20-envsubst-on-templates.sh): envsubst
    the template with the defined variables whose names match the Dockerfile's
    NGINX_ENVSUBST_FILTER; return the nginx.conf it writes."""
    assert ENVSUBST is not None
    dockerfile = (folder / "render" / front / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r'NGINX_ENVSUBST_FILTER="([^"]+)"', dockerfile)
    assert match, "the front's Dockerfile restricts envsubst to its variables"
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "host": "not-substituted", **environment}
    defined = " ".join(f"${{{n}}}" for n in sorted(env) if re.search(match.group(1), n))
    template = folder / "render" / front / "nginx.conf.template"
    out = folder / "render" / front / "nginx.conf"
    proc = subprocess.run([ENVSUBST, defined], input=template.read_text(encoding="utf-8"),
                          capture_output=True, text=True, env=env, check=True, timeout=30)
    out.write_text(proc.stdout, encoding="utf-8")
    return out


def nginx_t(conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` with the private host names the conf proxies to (Render's are plain service
    names) mapped to 127.0.0.1 in a private mount namespace."""
    assert NGINX is not None and UNSHARE is not None
    names = sorted(set(re.findall(r"proxy_pass\s+https?://([a-z0-9-]+)", conf.read_text(encoding="utf-8"))))
    hosts = conf.parent / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in names),
                     encoding="utf-8")
    hosts.chmod(0o644)
    script = (f"mount --bind {shlex.quote(str(hosts))} /etc/hosts && "
              f"exec {NGINX} -t -q -c {shlex.quote(str(conf))}")
    return subprocess.run([UNSHARE, "--mount", "sh", "-c", script], capture_output=True,
                          text=True, timeout=30)
