"""Repo hints: what a repository says about its Clever Cloud apps without the platform's state.

``.clever.json`` (app identity, and the zone in its push URL), ``clevercloud/*.json`` (cron,
legacy runtime files), ``package.json``, ``.htaccess`` and ``CC_*`` variables in env files. The
setup read this way is always incomplete (no env, add-ons, scaling): the reader says so.
Also used by the other readers to enrich a Terraform or bundle setup with the repo's files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hopper.diagnostics import Diagnostics, Location
from hopper.formats.clevercloud.codes import W_CRON, W_LEGACY_FILE
from hopper.formats.clevercloud.files import SourceFiles, json_shape_error
from hopper.formats.clevercloud.setup import AppSpec, EnvEntry, Setup
from hopper.model import secret_digest
from hopper.secrets import looks_secret

ENV_FILES = (".env", ".env.example", ".env.sample", ".env.production", ".env.dist")
_PUSH_ZONE = re.compile(r"push-n\d+-([a-z0-9-]+?)-clevercloud-customers")
_FRONT_WORDS = ("front", "web", "www", "static", "site", "ui", "spa")
_API_WORDS = ("api", "back", "server", "backend")


def slug(text: str) -> str:
    out = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return out[:63] or "app"


def htaccess_spa(text: str) -> bool:
    """An Apache SPA fallback: rewriting is on and some rule sends requests to the index."""
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    engine = any(re.fullmatch(r"(?i)RewriteEngine\s+on", ln) for ln in lines)
    fallback = any(re.match(r"(?i)(RewriteRule\s+\S+\s+/?index\.html\b|FallbackResource\s+/?index\.html)",
                            ln) for ln in lines)
    return fallback and (engine or any(ln.lower().startswith("fallbackresource") for ln in lines))


def find_htaccess(files: SourceFiles, project_dir: Path, webroot: str | None,
                  app_folder: str | None) -> tuple[bool, Location] | None:
    """Whether an ``.htaccess`` near the webroot has an SPA fallback (and where it is)."""
    base = project_dir / (app_folder or "").strip("/")
    candidates: list[Path] = []
    if webroot:
        candidates.append(base / webroot.strip("/") / ".htaccess")
    candidates += [base / ".htaccess", base / "public" / ".htaccess", base / "static" / ".htaccess"]
    for path in candidates:
        if path.is_file() and files.inside(path):
            text = files.read_text(path)
            return htaccess_spa(text), Location(file=files.rel(path))
    return None


def webroot_htaccess(files: SourceFiles, project_dir: Path, webroot: str | None,
                     app_folder: str | None) -> tuple[tuple[bool, Location] | None, list[str]]:
    """The SPA fallback Clever really applies: Apache reads the ``.htaccess`` of the webroot
    (CC_WEBROOT, relative to APP_FOLDER; the app folder itself when unset). When the webroot is a
    build output, ``public/.htaccess`` counts too: Vite, CRA and Angular copy public/ into it.
    Returns that, and the ``.htaccess`` files elsewhere that Clever ignores."""
    base = project_dir / (app_folder or "").strip("/")
    root = base / webroot.strip("/") if webroot and webroot.strip("/") else base
    candidates = [root / ".htaccess"]
    if root != base:
        candidates.append(base / "public" / ".htaccess")
    found: tuple[bool, Location] | None = None
    for path in candidates:
        if path.is_file() and files.inside(path):
            found = htaccess_spa(files.read_text(path)), Location(file=files.rel(path))
            break
    ignored = [files.rel(p) for p in (base / ".htaccess", base / "public" / ".htaccess",
                                      base / "static" / ".htaccess")
               if p not in candidates and p.is_file() and files.inside(p)]
    return found, ignored


def read_env_file(files: SourceFiles, path: Path) -> dict[str, EnvEntry]:
    """``NAME=value`` lines; only CC_* names are kept (the others describe local development)."""
    out: dict[str, EnvEntry] = {}
    for number, line in enumerate(files.read_text(path).splitlines(), start=1):
        m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if not m or not m.group(1).startswith("CC_"):
            continue
        name, value = m.group(1), m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        loc = Location(file=files.rel(path), line=number, key=name)
        if looks_secret(name, value):
            out[name] = EnvEntry(name=name, secret=True, digest=secret_digest(name, value), origin=loc)
        else:
            out[name] = EnvEntry(name=name, value=value, origin=loc)
    return out


def _role_words(key: str) -> str | None:
    words = re.split(r"[^a-z0-9]+", key.lower())
    if any(w in _FRONT_WORDS for w in words):
        return "front"
    if any(w in _API_WORDS for w in words):
        return "api"
    return None


def read_clever_json(files: SourceFiles, path: Path) -> list[AppSpec]:
    data = files.read_json(path)
    apps_raw: Any = data.get("apps") if isinstance(data, dict) else None
    if not isinstance(apps_raw, list):
        raise json_shape_error(files, path, "expected an object with an 'apps' array")
    apps: list[AppSpec] = []
    used: set[str] = set()
    for index, raw in enumerate(apps_raw):
        if not isinstance(raw, dict):
            raise json_shape_error(files, path, f"apps[{index}] is not an object")
        alias = raw.get("alias") or raw.get("name") or raw.get("app_id") or f"app-{index}"
        key = slug(str(alias))
        while key in used:
            key = f"{key}-{index}"
        used.add(key)
        app = AppSpec(key=key, kind="unknown",
                      origin=Location(file=files.rel(path), key=f"apps[{index}]"))
        app.name = str(raw["name"]) if isinstance(raw.get("name"), str) else None
        push = str(raw.get("deploy_url") or raw.get("git_ssh_url") or "")
        zone = _PUSH_ZONE.search(push)
        if zone:
            app.region = zone.group(1)
        if isinstance(raw.get("app_id"), str):
            app.extra["app_id"] = raw["app_id"]
        role = _role_words(key)
        if role:
            app.extra["role_hint"] = role
        apps.append(app)
    return apps


def read_clevercloud_dir(files: SourceFiles, folder: Path, setup: Setup, diags: Diagnostics
                         ) -> dict[str, Any]:
    """``clevercloud/*.json``: cron into the setup; legacy runtime files as hints."""
    found: dict[str, Any] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        name = path.stem
        loc = Location(file=files.rel(path))
        data = files.read_json(path)
        if name == "cron":
            if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
                diags.warning(W_CRON, "clevercloud/cron.json is not an array of strings (the "
                              "documented format); ignored", loc)
                continue
            setup.cron = list(data)
            setup.cron_origin = loc
        elif name.endswith("-policy"):
            stem = name.removesuffix("-policy")
            setup.public_buckets.update((stem, bucket) for bucket in public_read_buckets(data))
        elif name in ("php", "python", "ruby", "go", "jar", "war", "maven", "gradle", "sbt"):
            found[name] = data
        elif name in ("node", "nodejs", "buckets", "newrelic"):
            diags.warning(W_LEGACY_FILE, f"clevercloud/{path.name} is not read by the Node "
                          "runtime (undocumented or legacy); ignored", loc,
                          hint="use CC_* environment variables (CC_RUN_COMMAND, CC_POST_BUILD_HOOK...)")
        else:
            found[name] = data
    return found


def public_read_buckets(policy: Any) -> list[str]:
    """The buckets an S3 bucket policy lets anyone read (``s3:GetObject`` for principal ``*`` on
    ``arn:aws:s3:::<bucket>/*``): the policy hopper writes for a public bucket, since Terraform
    cannot set one on Cellar."""
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    out: list[str] = []
    for st in statements if isinstance(statements, list) else []:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        if principal not in ("*", ["*"]):
            continue
        actions = st.get("Action")
        actions = [actions] if isinstance(actions, str) else actions
        if not isinstance(actions, list) or not {"s3:GetObject", "s3:*"} & set(map(str, actions)):
            continue
        resources = st.get("Resource")
        resources = [resources] if isinstance(resources, str) else resources
        for res in resources if isinstance(resources, list) else []:
            m = re.fullmatch(r"arn:aws:s3:::([a-z0-9][a-z0-9.-]+)/\*", str(res))
            if m:
                out.append(m.group(1))
    return sorted(set(out))


def read_hints(files: SourceFiles, root: Path, diags: Diagnostics, name: str) -> Setup | None:
    """A setup from repo hints alone, or None when there is nothing to describe an app."""
    setup = Setup(name=name, source="hints", project_dir=root)
    clever_json = root / ".clever.json"
    apps = read_clever_json(files, clever_json) if clever_json.is_file() else []
    legacy = read_clevercloud_dir(files, root / "clevercloud", setup, diags)
    has_package = (root / "package.json").is_file()
    htaccess = find_htaccess(files, root, None, None)
    env: dict[str, EnvEntry] = {}
    for env_name in ENV_FILES:
        if (root / env_name).is_file():
            env.update(read_env_file(files, root / env_name))
    if not apps:
        if htaccess is not None or "php" in legacy:
            front = AppSpec(key="front", kind="static-apache", origin=htaccess[1] if htaccess else None)
            webroot = (legacy.get("php") or {}).get("deploy", {}) if isinstance(legacy.get("php"), dict) else {}
            if isinstance(webroot, dict) and isinstance(webroot.get("webroot"), str):
                front.env["CC_WEBROOT"] = EnvEntry(name="CC_WEBROOT", value=webroot["webroot"])
            apps.append(front)
        if has_package and not (htaccess is not None and not _has_start(files, root)):
            apps.append(AppSpec(key="api", kind="node", origin=Location(file="package.json")))
        if "python" in legacy:
            apps.append(AppSpec(key="app", kind="python",
                                origin=Location(file="clevercloud/python.json")))
    else:
        for app in apps:
            role = app.extra.get("role_hint")
            if len(apps) == 1 and has_package:
                app.kind = "static-apache" if htaccess is not None and role == "front" else "node"
            elif role == "front" and htaccess is not None:
                app.kind = "static-apache"
            elif "python" in legacy and len(apps) == 1:
                app.kind = "python"
    if not apps:
        return None
    if env:
        if len(apps) == 1:
            apps[0].env.update(env)
        else:
            first = next(iter(env.values()))
            diags.warning(W_LEGACY_FILE, "CC_* variables in env files cannot be matched to one of "
                          f"{len(apps)} apps; ignored", first.origin)
    setup.apps = apps
    return setup


def _has_start(files: SourceFiles, root: Path) -> bool:
    try:
        data = files.read_json(root / "package.json")
    except Exception:  # reported when the package is read for real
        return False
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return (isinstance(scripts, dict) and "start" in scripts) or (isinstance(data, dict) and "main" in data)
