"""A `clever` CLI export bundle -> :class:`~.setup.Setup`.

The bundle is a folder that ``scripts/clever-export.sh`` fills with the JSON output of the
``clever`` commands listed in the reference (§5.2)::

    hopper-export.json               {"format": "hopper-clever-export", "version": 1, "name": ...}
    addons.json                      clever addon list -F json
    applications.json                clever applications list -F json   (optional: zones)
    apps/<alias>/status.json         clever status -F json
    apps/<alias>/env.json            clever env -F json
    apps/<alias>/published-config.json
    apps/<alias>/service.json        clever service -F json
    apps/<alias>/domain.json         clever domain -F json
    apps/<alias>/app.json            clever curl .../applications/<id> (optional: zone, flags)
    apps/<alias>/config/<name>       clever config get <name>, one value per file

Everything in it holds secrets in clear: values that look secret and every add-on credential
are reduced to names and digests here and go no further.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hopper import mappings
from hopper.diagnostics import Diagnostics, Location
from hopper.formats.clevercloud import json_keys
from hopper.formats.clevercloud.codes import (
    I_CLEVER_ONLY,
    W_BUNDLE_INCOMPLETE,
    W_UNSUPPORTED_RESOURCE,
)
from hopper.formats.clevercloud.detect import MANIFEST
from hopper.formats.clevercloud.files import SourceFiles, json_shape_error
from hopper.formats.clevercloud.read_hints import slug
from hopper.formats.clevercloud.setup import (
    CELLAR,
    POSTGRESQL,
    AddonSpec,
    AppSpec,
    BoundRef,
    BucketSpec,
    EnvEntry,
    Setup,
    Vhost,
)
from hopper.model import key_origins, secret_digest
from hopper.secrets import looks_secret

_TYPE_SLUGS = {"node": "node", "static-apache": "static-apache", "apache": "static-apache",
               "static": "static", "docker": "docker"}
_DEFAULT_DOMAIN = re.compile(r"^app-[0-9a-f-]{36}\.cleverapps\.io$")


def _list_of_dicts(files: SourceFiles, path: Path, what: str) -> list[dict[str, Any]]:
    data = files.read_json(path)
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise json_shape_error(files, path, f"{what} should be a JSON array of objects")
    return data


def _dict(files: SourceFiles, path: Path, what: str) -> dict[str, Any]:
    data = files.read_json(path)
    if not isinstance(data, dict):
        raise json_shape_error(files, path, f"{what} should be a JSON object")
    return data


def _items(files: SourceFiles, path: Path, data: dict[str, Any], key: str) -> list[Any]:
    """``data[key]`` as a list (absent or null: empty); any other shape is a clean error."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise json_shape_error(files, path, f"'{key}' should be a JSON array")
    return value


def _sub(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _flavor(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) and value else None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("true", "enabled", "yes", "on", "1"):
        return True
    if word in ("false", "disabled", "no", "off", "0"):
        return False
    return None


class BundleReader:
    def __init__(self, files: SourceFiles, folder: Path, diags: Diagnostics) -> None:
        self.files = files
        self.folder = folder
        self.diags = diags
        names = mappings.table("env-names")["clevercloud"]
        self.addon_vars: dict[str, dict[str, Any]] = {**names["database"], **names["object_store"]}
        generic = mappings.table("env-names")["generic"]["object_store"]
        self.bucket_vars = {n for n, attr in generic.items() if attr == "bucket"}

    def loc(self, path: Path, key: str | None = None) -> Location:
        return Location(file=self.files.rel(path), key=key)

    def read(self, name: str) -> Setup:
        manifest: dict[str, Any] = {}
        if (self.folder / MANIFEST).is_file():
            manifest = _dict(self.files, self.folder / MANIFEST, MANIFEST)
        setup = Setup(name=str(manifest.get("name") or name), source="bundle")
        project = manifest.get("project_dir")
        if isinstance(project, str) and not project.startswith("/") and ".." not in project.split("/"):
            candidate = self.folder / project
            if candidate.is_dir() and self.files.inside(candidate):
                setup.project_dir = candidate
        addons_raw: list[dict[str, Any]] = []
        if (self.folder / "addons.json").is_file():
            addons_raw = _list_of_dicts(self.files, self.folder / "addons.json", "addons.json")
        else:
            self.diags.warning(W_BUNDLE_INCOMPLETE, "the bundle has no addons.json (clever addon "
                               "list -F json); add-on plans and zones are unknown",
                               self.loc(self.folder))
        zones: dict[str, str] = {}
        if (self.folder / "applications.json").is_file():
            for org in _list_of_dicts(self.files, self.folder / "applications.json",
                                      "applications.json"):
                for app in _items(self.files, self.folder / "applications.json", org, "applications"):
                    if isinstance(app, dict) and isinstance(app.get("app_id"), str) \
                            and isinstance(app.get("zone"), str):
                        zones[app["app_id"]] = app["zone"]
        apps_dir = self.folder / "apps"
        aliases = sorted(d.name for d in apps_dir.iterdir() if d.is_dir()) if apps_dir.is_dir() else []
        ids: dict[str, str] = {}  # app id / name -> key
        for alias in aliases:
            app = self._app(apps_dir / alias, alias, zones)
            setup.apps.append(app)
            for ident in (app.extra.get("app_id"), app.name, alias):
                if isinstance(ident, str):
                    ids[ident] = app.key
        addons = self._addons(addons_raw, setup.name)
        self._wire(setup, apps_dir, addons, ids)
        return setup

    # ------------------------------------------------------------------ one app
    def _app(self, folder: Path, alias: str, zones: dict[str, str]) -> AppSpec:
        key = slug(alias)
        status_path = folder / "status.json"
        status: dict[str, Any] = {}
        if status_path.is_file():
            status = _dict(self.files, status_path, "status.json")
        else:
            self.diags.warning(W_BUNDLE_INCOMPLETE, f"app '{alias}' has no status.json (clever "
                               "status -F json); its type and scaling are unknown", self.loc(folder))
        obj: dict[str, Any] = {}
        if (folder / "app.json").is_file():
            obj = _dict(self.files, folder / "app.json", "app.json")
        instance = _sub(obj, "instance")
        type_info = _sub(status, "type")
        variant = _sub(instance, "variant")
        raw_slug = str(variant.get("slug") or type_info.get("slug") or instance.get("type") or "")
        kind = _TYPE_SLUGS.get(raw_slug, raw_slug or "unknown")
        app = AppSpec(key=key, kind=kind, origin=self.loc(status_path if status else folder))
        app.name = str(status.get("name") or obj.get("name") or alias)
        app_id = status.get("id") or obj.get("id")
        if isinstance(app_id, str):
            app.extra["app_id"] = app_id
        zone = obj.get("zone") or (zones.get(app_id) if isinstance(app_id, str) else None)
        app.region = zone if isinstance(zone, str) else None
        if app.region is None:
            self.diags.warning(W_BUNDLE_INCOMPLETE, f"app '{alias}': zone unknown (add app.json "
                               "or applications.json to the bundle)", app.origin)
        scal = _sub(status, "scalability")
        vert = _sub(scal, "vertical")
        horiz = _sub(scal, "horizontal")
        app.smallest_flavor = _flavor(vert.get("min")) or _flavor(instance.get("minFlavor"))
        app.biggest_flavor = _flavor(vert.get("max")) or _flavor(instance.get("maxFlavor"))
        low = horiz.get("min", instance.get("minInstances"))
        high = horiz.get("max", instance.get("maxInstances"))
        app.min_instances = low if isinstance(low, int) and not isinstance(low, bool) else None
        app.max_instances = high if isinstance(high, int) and not isinstance(high, bool) else None
        if status.get("separateBuild") or obj.get("separateBuild"):
            app.build_flavor = _flavor(status.get("buildFlavor")) or _flavor(obj.get("buildFlavor"))
        config = self._config(folder)
        force = config.get("force-https")
        app.redirect_https = _bool(force) if force is not None else (
            obj["forceHttps"] == "ENABLED" if isinstance(obj.get("forceHttps"), str) else None)
        sticky = config.get("sticky-sessions")
        app.sticky_sessions = _bool(sticky) if sticky is not None else (
            obj["stickySessions"] if isinstance(obj.get("stickySessions"), bool) else None)
        zero = _bool(config.get("zero-downtime"))
        if zero is None and isinstance(obj.get("homogeneous"), bool):
            zero = not obj["homogeneous"]  # the API field is inverted
        if zero is not None:
            app.extra["zero_downtime"] = zero
        cancel = _bool(config.get("cancel-on-push"))
        if cancel is None and isinstance(obj.get("cancelOnPush"), bool):
            cancel = obj["cancelOnPush"]
        if cancel is not None:
            app.extra["cancel_on_push"] = cancel
        if _bool(config.get("task")) or instance.get("lifetime") == "TASK" \
                or status.get("lifetime") == "TASK":
            app.env["CC_TASK"] = EnvEntry(name="CC_TASK", value="true", origin=app.origin)
        if (folder / "domain.json").is_file():
            app.vhosts = []
            for i, d in enumerate(_list_of_dicts(self.files, folder / "domain.json", "domain.json")):
                fqdn = d.get("domain") or d.get("hostname") or d.get("fqdn")
                if not isinstance(fqdn, str):
                    continue
                path = d.get("pathPrefix") if isinstance(d.get("pathPrefix"), str) else "/"
                if _DEFAULT_DOMAIN.match(fqdn):
                    continue  # the domain Clever gives every app; it will get a new one anyway
                domain_file = folder / "domain.json"
                where = json_keys.entry(self.files.read_text(domain_file), self.files.rel(domain_file),
                                        "domain", fqdn) or self.loc(domain_file, f"[{i}]")
                app.vhosts.append(Vhost(fqdn=fqdn, path_begin=path or "/", text=fqdn, origin=where))
        elif isinstance(obj.get("vhosts"), list):
            app.vhosts = [Vhost(fqdn=v["fqdn"], text=v["fqdn"], origin=self.loc(folder / "app.json"))
                          for v in obj["vhosts"] if isinstance(v, dict) and isinstance(v.get("fqdn"), str)
                          and not _DEFAULT_DOMAIN.match(v["fqdn"])]
        if (folder / "published-config.json").is_file():
            path = folder / "published-config.json"
            for item in _list_of_dicts(self.files, path, "published-config.json"):
                entry = self._entry(item, path)
                if entry is not None:
                    app.exposed_env[entry.name] = entry
            self._env_locations(app, path, app.exposed_env)
        app.locations.update(self._app_locations(folder, status_path, app_id))
        return app

    def _json_at(self, path: Path, *keys: str) -> Location | None:
        if not path.is_file():
            return None
        return json_keys.key_path(self.files.read_text(path), self.files.rel(path), *keys)

    def _app_locations(self, folder: Path, status_path: Path, app_id: Any) -> dict[str, Location]:
        """Where the export states the app's scaling, HTTPS, domains and zone (the plan's
        findings point there)."""
        at = self._json_at
        app_json = folder / "app.json"
        flavor = at(status_path, "scalability", "vertical", "min") or at(app_json, "instance", "minFlavor")
        force = folder / "config" / "force-https"
        https = Location(file=self.files.rel(force), line=1, col=1, key="force-https") \
            if force.is_file() else at(app_json, "forceHttps")
        domains = at(folder / "domain.json", "domain") or at(app_json, "vhosts")
        zone = at(app_json, "zone")
        listing = self.folder / "applications.json"
        if zone is None and isinstance(app_id, str) and listing.is_file():
            zone = json_keys.entry(self.files.read_text(listing), self.files.rel(listing),
                                   "app_id", app_id, "zone")
        return key_origins(
            ("scaling.min_instances", at(status_path, "scalability", "horizontal", "min")
             or at(app_json, "instance", "minInstances")),
            ("scaling.max_instances", at(status_path, "scalability", "horizontal", "max")
             or at(app_json, "instance", "maxInstances")),
            ("scaling.cpus", flavor), ("scaling.memory_mb", flavor), ("scaling.cpu_kind", flavor),
            ("force_https", https), ("domains", domains), ("public", domains), ("region", zone))

    def _env_locations(self, app: AppSpec, path: Path, env: dict[str, EnvEntry]) -> None:
        text, rel = self.files.read_text(path), self.files.rel(path)
        section = json_keys.key_path(text, rel, "env")
        if section is not None and path.name == "env.json":
            app.locations.setdefault("runtime.env", section)
            app.locations.setdefault("runtime.secret_env", section)
        for name in env:
            loc = json_keys.entry(text, rel, "name", name)
            if loc is not None:
                app.locations.setdefault(f"runtime.env.{name}", loc)
                app.locations.setdefault(f"runtime.secret_env.{name}", loc)

    def _config(self, folder: Path) -> dict[str, str]:
        out: dict[str, str] = {}
        cfg = folder / "config"
        if cfg.is_dir():
            for path in sorted(cfg.iterdir()):
                if path.is_file():
                    out[path.name] = self.files.read_text(path).strip()
        return out

    def _entry(self, item: dict[str, Any], path: Path) -> EnvEntry | None:
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            return None
        loc = self.loc(path, name)
        if looks_secret(name, value):
            return EnvEntry(name=name, secret=True, digest=secret_digest(name, value), origin=loc)
        return EnvEntry(name=name, value=value, origin=loc)

    # ------------------------------------------------------------------ add-ons and wiring
    def _addons(self, raw: list[dict[str, Any]], project: str) -> dict[str, AddonSpec]:
        """Add-ons by every id they are known under (addonId, realId, name).

        Keys drop the project prefix Clever names usually carry ("webapp-db" -> "db"), so the
        names match those of the same setup read from Terraform labels.
        """
        out: dict[str, AddonSpec] = {}
        used: set[str] = set()
        prefix = f"{slug(project)}-"
        for index, item in enumerate(raw):
            provider = str(item.get("providerId") or "")
            name = str(item.get("name") or item.get("realId") or f"addon-{index}")
            key = slug(name)
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix):]
            while key in used:
                key = f"{key}-{index}"
            used.add(key)
            plan = item.get("planSlug")
            addon = AddonSpec(key=key, provider=provider, name=name,
                              plan=plan.lower() if isinstance(plan, str) else None,
                              region=item.get("region") if isinstance(item.get("region"), str) else None,
                              origin=Location(file=self.files.rel(self.folder / "addons.json"),
                                              key=f"[{index}]"))
            listing = self.folder / "addons.json"
            if listing.is_file() and isinstance(item.get("name"), str):
                text, rel = self.files.read_text(listing), self.files.rel(listing)
                addon.locations = key_origins(
                    ("region", json_keys.entry(text, rel, "name", name, "region")),
                    ("plan", json_keys.entry(text, rel, "name", name, "planSlug")))
            for ident in (item.get("addonId"), item.get("realId"), name):
                if isinstance(ident, str):
                    out[ident] = addon
        return out

    def _wire(self, setup: Setup, apps_dir: Path, addons: dict[str, AddonSpec],
              ids: dict[str, str]) -> None:
        used: dict[str, AddonSpec] = {}
        for app in setup.apps:
            folder = apps_dir / app.key if (apps_dir / app.key).is_dir() else next(
                (d for d in sorted(apps_dir.iterdir()) if slug(d.name) == app.key), apps_dir)
            service_path = folder / "service.json"
            if service_path.is_file():
                service = _dict(self.files, service_path, "service.json")
                for a in _items(self.files, service_path, service, "addons"):
                    if isinstance(a, dict) and a.get("isLinked"):
                        addon = addons.get(str(a.get("id"))) or addons.get(str(a.get("realId")))
                        if addon is not None:
                            used[addon.key] = addon
                            if addon.key not in app.links:
                                app.links.append(addon.key)
                for d in _items(self.files, service_path, service, "applications"):
                    if isinstance(d, dict) and d.get("isLinked"):
                        target = ids.get(str(d.get("id"))) or ids.get(str(d.get("name")))
                        if target is not None and target not in app.links:
                            app.links.append(target)
            env_path = folder / "env.json"
            if not env_path.is_file():
                self.diags.warning(W_BUNDLE_INCOMPLETE, f"app '{app.key}' has no env.json (clever "
                                   "env -F json); its environment is unknown", self.loc(folder))
                continue
            env = _dict(self.files, env_path, "env.json")
            for item in _items(self.files, env_path, env, "env"):
                if isinstance(item, dict):
                    entry = self._entry(item, env_path)
                    if entry is not None:
                        app.env[entry.name] = entry
            self._env_locations(app, env_path, app.env)
            for group in _items(self.files, env_path, env, "fromAddons"):
                if not isinstance(group, dict):
                    continue
                addon = addons.get(str(group.get("addonId"))) or addons.get(str(group.get("addonName")))
                if addon is None:
                    continue
                used[addon.key] = addon
                if addon.key not in app.links:
                    app.links.append(addon.key)
                for item in _items(self.files, env_path, group, "env"):
                    self._addon_var(app, addon, item, env_path)
            for group in _items(self.files, env_path, env, "fromDependencies"):
                if not isinstance(group, dict):
                    continue
                target = ids.get(str(group.get("addonId"))) or ids.get(str(group.get("addonName")))
                if target is None:
                    continue
                if target not in app.links:
                    app.links.append(target)
                for item in _items(self.files, env_path, group, "env"):
                    if isinstance(item, dict):
                        entry = self._entry(item, env_path)
                        if entry is not None and entry.name not in app.env:
                            if entry.value and entry.value.startswith(("http://", "https://")):
                                entry = EnvEntry(name=entry.name, bound=BoundRef(target, "url"),
                                                 origin=entry.origin)
                            app.env[entry.name] = entry
        for addon in sorted({id(a): a for a in used.values()}.values(), key=lambda a: a.key):
            if addon.provider in (POSTGRESQL, CELLAR):
                setup.addons.append(addon)
            else:
                self.diags.warning(W_UNSUPPORTED_RESOURCE, f"add-on '{addon.name}' "
                                   f"({addon.provider}) is outside hopper's model; not carried "
                                   "over", addon.origin)
        linked = {a.key for a in setup.addons}
        for ident, addon in sorted(addons.items()):
            if ident == addon.name and addon.key not in linked and addon.provider in (POSTGRESQL, CELLAR):
                self.diags.info(I_CLEVER_ONLY, f"add-on '{addon.name}' is linked to no app of the "
                                "bundle; ignored", addon.origin)
        for app in setup.apps:
            app.links = [k for k in app.links if k in linked or setup.app(k) is not None]
            self._buckets(setup, app)

    def _addon_var(self, app: AppSpec, addon: AddonSpec, item: Any, path: Path) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return
        name = item["name"]
        value = item.get("value") if isinstance(item.get("value"), str) else None
        if name == "POSTGRESQL_ADDON_VERSION" and value:
            addon.version = value.split(".")[0]
            return
        if name == "CELLAR_ADDON_HOST" and value:
            addon.host = value
        spec = self.addon_vars.get(name)
        if spec is None:
            return
        app.env[name] = EnvEntry(name=name, bound=BoundRef(addon.key, spec["attribute"],
                                                           bool(spec["secret"])),
                                 origin=self.loc(path, name))

    def _buckets(self, setup: Setup, app: AppSpec) -> None:
        """A bucket name in a plain env var of an app linked to one Cellar add-on."""
        cellars = [setup.addon(k) for k in app.links]
        stores = [a for a in cellars if a is not None and a.provider == CELLAR]
        if len(stores) != 1:
            return
        store = stores[0]
        for name, entry in sorted(app.env.items()):
            is_bucket = name in self.bucket_vars or name.endswith(("_BUCKET", "_BUCKET_NAME"))
            if is_bucket and entry.value and entry.bound is None:
                if all(b.name != entry.value for b in store.buckets):
                    store.buckets.append(BucketSpec(name=entry.value, origin=entry.origin))
                entry.bound = BoundRef(store.key, "bucket", False)
                entry.value = None
