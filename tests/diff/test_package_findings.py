"""Plan findings for the package manager (issue 14 class 5): HD414 when the manager or its
pinned version changes, HD415 when the target's install is hopper's and the checkout does not
pin it (no lockfile; no packageManager), naming the package.json concerned."""

from __future__ import annotations

import json

from diff_builders import arch, at, svc

from hopper.diff import diff_models
from hopper.model import Build, NodeInstall
from support import SAMPLES, run_cli


def _node(manager: str, install: NodeInstall | None, **kw: object) -> Build:
    return Build(context="api", runtime="node", package_manager=manager, node_install=install,
                 start_command="node server.js", **kw)  # type: ignore[arg-type]


def test_a_changed_manager_or_version_is_reported() -> None:
    pinned = NodeInstall(version="4.1.0", major=4, lockfile="yarn.lock", origin=at("package.json", 1))
    before = arch("shop", "clevercloud", svc("api", build=_node("yarn", pinned)))
    for after_build, label in [(_node("npm", NodeInstall(lockfile="package-lock.json")), "npm"),
                               (_node("yarn", NodeInstall(major=4, lockfile="yarn.lock")), "yarn 4.x")]:
        after = arch("shop", "fly", svc("api", build=after_build))
        (found,) = [f for f in diff_models(before, after).findings if f.code == "HD414"]
        assert (found.before, found.after, found.severity) == ("yarn 4.1.0", label, "warning")


def test_an_unpinned_install_hopper_writes_is_reported_with_its_file() -> None:
    loose = NodeInstall(origin=at("api/package.json", 1))
    before = arch("shop", "clevercloud", svc("api", build=_node("npm", loose)))
    after = arch("shop", "fly", svc("api", build=_node("npm", NodeInstall(), build_command="npm run build")))
    (found,) = [f for f in diff_models(before, after).findings if f.code == "HD415"]
    assert found.after == "npm without a lockfile" and found.why.startswith("api/package.json: no lockfile")
    guessed = NodeInstall(major=9, lockfile="pnpm-lock.yaml", origin=at("package.json", 1))
    before = arch("shop", "clevercloud", svc("api", build=_node("pnpm", guessed)))
    after = arch("shop", "fly", svc("api", build=_node("pnpm", NodeInstall(major=9, lockfile="pnpm-lock.yaml"),
                                                       build_command="pnpm run build")))
    (found,) = [f for f in diff_models(before, after).findings if f.code == "HD415"]
    assert found.after == "pnpm 9.x (assumed)" and "no packageManager field" in found.why


def test_a_pinned_project_or_an_unchanged_build_says_nothing() -> None:
    pinned = NodeInstall(version="9.15.0", major=9, lockfile="pnpm-lock.yaml")
    model = arch("shop", "fly", svc("api", build=_node("pnpm", pinned)))
    assert not [f for f in diff_models(model, model).findings if f.code in ("HD414", "HD415")]
    loose = arch("shop", "fly", svc("api", build=_node("npm", NodeInstall())))
    assert not [f for f in diff_models(loose, loose).findings if f.code in ("HD414", "HD415")]


def test_convert_dry_run_plan_names_the_package_json_without_a_lockfile() -> None:
    """Clever → Fly: the API's package.json has no lockfile, so hopper's Dockerfile runs
    `npm install`; the plan says so, naming the file."""
    done = run_cli("convert", SAMPLES / "clevercloud-webapp", "--to", "fly", "--dry-run", "--format", "json")
    assert done.code == 0, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "HD415"]
    assert found and any("api/package.json" in f["why"] for f in found), found
