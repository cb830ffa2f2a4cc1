"""Read a Clever Cloud setup: Terraform HCL, a `clever` export bundle, or repo hints.

Which one is decided from the path: a bundle folder (``hopper-export.json`` or
``apps/*/status.json``) wins, then a Terraform root module using the clevercloud provider (the
folder itself or one found up to three levels below), then the repo's own hint files.
"""

from __future__ import annotations

from pathlib import Path

from hopper.diagnostics import Diagnostics, Location, fail
from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.clevercloud.codes import E_AMBIGUOUS_ROOT, E_NO_SETUP, E_UNMODELLED
from hopper.formats.clevercloud.detect import MANIFEST, is_bundle
from hopper.formats.clevercloud.files import SourceFiles
from hopper.formats.clevercloud.read_bundle import BundleReader
from hopper.formats.clevercloud.read_hcl import TerraformReader, find_tf_roots
from hopper.formats.clevercloud.read_hcl_modules import load_module
from hopper.formats.clevercloud.read_hints import ENV_FILES, read_clevercloud_dir, read_hints, slug
from hopper.formats.clevercloud.setup import Setup
from hopper.formats.clevercloud.to_model import to_model

_GENERIC_DIRS = frozenset({"terraform", "tf", "infra", "infrastructure", "deploy", "tools",
                           "export", "bundle", "clever-export", "clevercloud", "ops", "iac"})
_HINT_FILES = frozenset({".clever.json", "package.json", ".htaccess", *ENV_FILES})


def _name(path: Path) -> str:
    folder = path.resolve()
    while folder.name.lower() in _GENERIC_DIRS and folder.parent != folder:
        folder = folder.parent
    return slug(folder.name or "app")


def read(path: Path, options: ReadOptions) -> ReadResult:
    diags = Diagnostics()
    root = path if path.is_dir() else path.parent
    files = SourceFiles(root.resolve(), options.limits)
    setup = _read_setup(path, root, files, diags, options)
    if setup.project_dir is not None and not setup.cron and setup.source != "hints":
        read_clevercloud_dir(files, setup.project_dir / "clevercloud", setup, diags)
    model = to_model(setup, files, diags)
    return ReadResult(model=model, diagnostics=diags.as_tuple())


def _read_setup(path: Path, root: Path, files: SourceFiles, diags: Diagnostics,
                options: ReadOptions) -> Setup:
    if path.is_file():
        return _read_file(path, files, diags, options)
    if is_bundle(path):
        return BundleReader(files, path, diags).read(_name(path))
    roots = find_tf_roots(files, path)
    if len(roots) > 1:
        listed = ", ".join(files.rel(r) for r in roots)
        raise fail(E_AMBIGUOUS_ROOT, f"several Terraform root modules use the clevercloud "
                   f"provider: {listed}", Location(file="."),
                   hint="point hopper at one of them")
    if roots:
        return _terraform(roots[0], None, files, diags, options, project_dir=root)
    setup = read_hints(files, root, diags, _name(root))
    if setup is None:
        _unmodelled(files, root)
        raise fail(E_NO_SETUP, "no Clever Cloud setup here: no Terraform using the clevercloud "
                   "provider, no export bundle, and no app hints (.clever.json, package.json, "
                   ".htaccess, clevercloud/<runtime>.json)", Location(file="."),
                   hint="capture a live app with scripts/clever-export.sh, or name the format "
                   "with --from")
    return setup


# What a clevercloud/ file tells about the runtime, when hopper finds nothing it converts.
_RUNTIME_FILES = {"http.json": "the Python or Ruby runtime (its nginx settings)",
                  "python.json": "the Python runtime", "php.json": "the PHP runtime",
                  "go.json": "the Go runtime", "jar.json": "a Java runtime",
                  "war.json": "a Java runtime", "maven.json": "a Java runtime",
                  "gradle.json": "a Java runtime", "sbt.json": "a Scala runtime"}


def _unmodelled(files: SourceFiles, root: Path) -> None:
    """A clevercloud/ folder with hooks or cron.json but no app hopper converts: say what was
    found and why it is not converted, rather than that there is nothing here."""
    folder = root / "clevercloud"
    if not folder.is_dir() or not files.inside(folder):
        return
    found = sorted(p.name for p in folder.iterdir() if p.is_file())
    if not found:
        return
    runtimes = sorted({_RUNTIME_FILES[n] for n in found if n in _RUNTIME_FILES})
    what = []
    hooks = [n for n in found if n.endswith(".sh")]
    if hooks:
        what.append(f"hook scripts ({', '.join(hooks)})")
    if "cron.json" in found:
        what.append("schedules (cron.json)")
    others = [n for n in found if n not in hooks and n != "cron.json"]
    if others:
        what.append(", ".join(others))
    why = (f"they belong to {' and '.join(runtimes)}, which hopper does not convert"
           if runtimes else "nothing says which runtime the app uses (no .clever.json, "
           "package.json, .htaccess, Dockerfile or Terraform)")
    raise fail(E_UNMODELLED, f"a Clever Cloud setup is here: clevercloud/ holds "
               f"{'; '.join(what)}; but {why}", Location(file="clevercloud"),
               hint="hopper converts static, Node.js and Docker apps; for a Node app add its "
                    "package.json, or capture the live app with scripts/clever-export.sh")


def _read_file(path: Path, files: SourceFiles, diags: Diagnostics, options: ReadOptions) -> Setup:
    if path.suffix == ".tf":
        return _terraform(path.parent, [path], files, diags, options, project_dir=None)
    if path.name == MANIFEST:
        return BundleReader(files, path.parent, diags).read(_name(path.parent))
    project = path.parent
    if project.name == "clevercloud" and path.suffix == ".json":
        # clevercloud/<x>.json lives one level below the project it describes; read it as a
        # file of the parent, but stay inside the folder hopper was given.
        files.root = project.parent.resolve()
        project = project.parent
    if path.name in _HINT_FILES or path.parent.name == "clevercloud":
        setup = read_hints(files, project, diags, _name(project))
        if setup is not None:
            return setup
        raise fail(E_NO_SETUP, f"{path.name} alone does not describe a Clever Cloud app",
                   Location(file=files.rel(path)),
                   hint="read the whole project folder, its Terraform, or an export bundle")
    raise fail(E_NO_SETUP, f"{path.name} is not a Clever Cloud input",
               Location(file=files.rel(path)),
               hint="give a Terraform file or folder, an export bundle folder, or a project folder")


def _terraform(folder: Path, only: list[Path] | None, files: SourceFiles, diags: Diagnostics,
               options: ReadOptions, *, project_dir: Path | None) -> Setup:
    module = load_module(files, folder, only, root=True)
    setup = TerraformReader(files, diags, options.environ).read(module, _name(folder))
    setup.project_dir = project_dir
    if not setup.apps and not setup.addons:
        raise fail(E_NO_SETUP, "no clevercloud_* application or add-on resource in this "
                   "Terraform", Location(file=module.files[0] if module.files else files.rel(folder)),
                   hint="point hopper at the root module that declares the resources")
    return setup
