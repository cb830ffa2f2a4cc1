"""The bad-input checklist for Clever Cloud input: Terraform HCL, the export bundle and the repo
hint files (see test_checklist_compose for what every case asserts). Cases marked xfail are
bugs in the Clever Cloud reader, which was still being written when these tests were."""

from __future__ import annotations

from pathlib import Path

import pytest
from security_support import Case, build_tree, cli, run_case

from hopper.diagnostics import DEFAULT_LIMITS
from support import SAMPLES

SAMPLE = SAMPLES / "clevercloud-webapp"


def _tree(sub: str) -> dict[str, str | bytes]:
    folder = SAMPLE / sub
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


TF = _tree("terraform")
EX = _tree("export")
MAIN = TF["main.tf"]
assert isinstance(MAIN, bytes)
ENV = EX["apps/api/env.json"]
assert isinstance(ENV, bytes)
HINT = {".clever.json": '{"apps": [{"app_id": "app_1", "alias": "api", "org_id": "orga_1"}]}\n',
        "package.json": '{"name": "api", "scripts": {"start": "node server.js"}}\n'}


def tf(**extra: str | bytes) -> dict[str, str | bytes]:
    return {**TF, **extra}


def ex(**extra: str | bytes) -> dict[str, str | bytes]:
    return {**EX, **extra}


def bug(reason: str) -> tuple[object, ...]:
    return (pytest.mark.xfail(strict=True, reason=f"bug: {reason}"),)


CASES = [
    # Terraform HCL
    Case("tf-syntax", tf(**{"main.tf": MAIN + b'\nresource "clevercloud_nodejs" "x" {\n  name = \n'}), "HOP402", "not valid HCL", r"main\.tf:\d+:\d+", row="11"),
    Case("tf-deep-list", tf(**{"extra.tf": b"locals {\n  x = " + b"[" * 2000 + b"]" * 2000 + b"\n}\n"}), "HOP402", "nested too deeply", r"extra\.tf(:\d+)?", row="5"),
    Case("tf-deep-object", tf(**{"extra.tf": b"locals {\n  x = " + b"{a=" * 500 + b"1" + b"}" * 500 + b"\n}\n"}), "HOP402", "", r"extra\.tf(:\d+)?", row="5"),
    Case("tf-invalid-utf8", tf(**{"extra.tf": b'locals {\n  x = "\xff"\n}\n'}), "HOP003", "not UTF-8", r"extra\.tf(:\d+)?", row="8"),
    Case("tf-nul", tf(**{"extra.tf": b'locals {\n  x = "\x00"\n}\n'}), "HOP003", "NUL", r"extra\.tf(:\d+)?", row="8"),
    Case("tf-over-size-cap", tf(**{"extra.tf": b"#" + b"x" * DEFAULT_LIMITS.max_file_bytes + b"\n"}), "HOP004", r"over the limit of \d+", r"extra\.tf", row="6"),
    Case("tf-duplicate-resource", tf(**{"extra.tf": b'resource "clevercloud_nodejs" "api" {\n  name = "dup"\n}\n'}), "HOP402",
         r"already declared at extra\.tf:1", r"main\.tf:\d+(:\d+)?", row="4"),
    Case("tf-env-key-newline", tf(**{"main.tf": MAIN.replace(b'NODE_ENV             = "production"', b'"A\\nB" = "x"')}), "HOP009",
         "invalid environment variable name", r"main\.tf:\d+(:\d+)?", row="14"),
    # export bundle
    Case("bundle-json-syntax", ex(**{"apps/api/env.json": b'{"env": [\n'}), "HOP403", "not valid JSON", r"apps/api/env\.json:2:1", row="11"),
    Case("bundle-json-deep", ex(**{"apps/api/env.json": b"[" * 100_000 + b"]" * 100_000}), "HOP403", "nested too deeply", r"apps/api/env\.json", row="5"),
    Case("bundle-invalid-utf8", ex(**{"apps/api/env.json": b'{"env": [{"name": "A", "value": "\xff"}]}'}), "HOP003", "not UTF-8", r"apps/api/env\.json", row="8"),
    Case("bundle-nul", ex(**{"apps/api/env.json": b'{"env": [{"name": "A", "value": "\x00"}]}'}), "HOP003", "NUL", r"apps/api/env\.json", row="8"),
    Case("bundle-over-size-cap", ex(**{"apps/api/env.json": b'{"env": []}' + b" " * DEFAULT_LIMITS.max_file_bytes}), "HOP004", r"over the limit", r"apps/api/env\.json", row="6"),
    Case("bundle-symlink-out", {k: v for k, v in EX.items() if k != "apps/api/env.json"}, "HOP002", "outside the project root",
         r"(apps/api/)?env\.json", symlinks=[("apps/api/env.json", "../../../outside.txt")], row="16"),
    Case("bundle-wrong-shape", ex(**{"apps/api/env.json": b'{"env": 5}'}), "HOP403", "unexpected shape", r"apps/api/env\.json",
         row="11"),
    Case("bundle-env-key-newline", ex(**{"apps/api/env.json": b'{"env": [{"name": "A\\nB", "value": "x"}]}'}), "HOP009",
         "invalid environment variable name", r"apps/api/env\.json", row="14"),
    # repo hints
    Case("hints-dotenv-symlink-out", HINT, "HOP002", "outside the project root", r"\.env", symlinks=[(".env", "../outside.txt")], row="16"),
    Case("hints-runtime-json-symlink-out", HINT, "HOP002", "outside the project root", r"(clevercloud/)?node\.json",
         symlinks=[("clevercloud/node.json", "../../outside.txt")], row="16"),
    Case("hints-package-json-deep", {".clever.json": HINT[".clever.json"], "package.json": "[" * 100_000 + "]" * 100_000}, "HOP221",
         "nested too deeply", r"package\.json", row="5"),
]


@pytest.mark.parametrize("case", [pytest.param(c, marks=c.marks, id=c.id) for c in CASES])
def test_bad_clevercloud_input(case: Case, tmp_path: Path) -> None:
    run_case(case, tmp_path, "clevercloud", "fly")


def test_empty_terraform_is_not_a_setup(tmp_path: Path) -> None:
    """Row 10."""
    proj = build_tree(tmp_path, {"main.tf": ""})
    result = cli("inspect", "--from", "clevercloud", proj)
    assert result.code == 1
    assert "[HOP401]" in result.stderr.splitlines()[0]


@pytest.mark.parametrize("source", ['"../"', '"/etc"'])
def test_module_outside_the_root_is_not_read(source: str, tmp_path: Path) -> None:
    """Row 15 for Terraform modules: recorded with a warning, never read."""
    proj = build_tree(tmp_path, tf(**{"extra.tf": f'module "m" {{\n  source = {source}\n}}\n'}))
    result = cli("inspect", proj)
    assert result.code == 0, result.stderr
    assert "extra.tf:2: warning:" in result.stderr and "[HOP412]" in result.stderr


def test_file_function_is_never_evaluated(tmp_path: Path) -> None:
    """``file("/etc/hostname")`` in HCL is kept as an expression, not read from the machine."""
    proj = build_tree(tmp_path, tf(**{"main.tf": MAIN.replace(b'NODE_ENV             = "production"',
                                                              b'NODE_ENV = file("../outside.txt")')}))
    result = cli("inspect", "--format", "json", proj)
    assert result.code == 0, result.stderr
    assert "[HOP410]" in result.stderr


@pytest.mark.parametrize("which", ["tf", "bundle"])
def test_bom_and_crlf_are_accepted(which: str, tmp_path: Path) -> None:
    """Row 9."""
    if which == "tf":
        files = tf(**{"main.tf": b"\xef\xbb\xbf" + MAIN.replace(b"\n", b"\r\n")})
    else:
        files = ex(**{"apps/api/env.json": b"\xef\xbb\xbf" + ENV.replace(b"\n", b"\r\n")})
    proj = build_tree(tmp_path, files)
    out = tmp_path / "out"
    result = cli("convert", proj, "--to", "fly", "--out", out)
    assert result.code == 0, result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert b"\r" not in path.read_bytes()
