"""Terraform HCL (the `CleverCloud/clevercloud` provider) -> :class:`~.setup.Setup`.

Reads one root module (every ``*.tf`` of a folder) and the local modules it calls. Each
``clevercloud_*`` application or add-on resource becomes an app or add-on record keyed by its
resource label. Values are resolved where they are literal (see :mod:`.read_hcl_eval`); env vars
built from add-on attributes become bindings; others that cannot be resolved are kept as
values to supply at deploy time, with a warning naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from hopper import mappings
from hopper.diagnostics import Diagnostics, LimitError, Location
from hopper.formats.clevercloud.addons import kinds as addon_kinds
from hopper.formats.clevercloud.codes import (
    I_CLEVER_ONLY,
    I_STATIC_RUNTIME,
    W_NOT_LITERAL,
    W_UNKNOWN_REFERENCE,
    W_UNSUPPORTED_RESOURCE,
)
from hopper.formats.clevercloud.files import SourceFiles
from hopper.formats.clevercloud.read_hcl_eval import AttrRef, Evaluator, Value
from hopper.formats.clevercloud.read_hcl_modules import Block, Instance, ModuleFiles, load_instances
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
from hopper.secrets import looks_secret, name_looks_secret

# Resource attribute -> binding attribute, per resource type.
_PG_ATTRS = {"uri": "uri", "host": "host", "port": "port", "database": "database",
             "user": "user", "password": "password"}
_CELLAR_ATTRS = {"host": "endpoint", "key_id": "access_key", "key_secret": "secret_key"}
_SECRET_ATTRIBUTES = frozenset({"uri", "password", "access_key", "secret_key"})

_HOOKS = ("pre_build", "post_build", "pre_run", "run_succeed", "run_failed")
_APP_COMMON = frozenset({
    "name", "description", "region", "min_instance_count", "max_instance_count",
    "smallest_flavor", "biggest_flavor", "build_flavor", "sticky_sessions", "redirect_https",
    "vhosts", "additional_vhosts", "app_folder", "environment", "exposed_environment",
    "dependencies", "hooks", "deployment", "integrations", "networkgroups", "redirection",
    "start_script", "package_manager", "dev_dependencies", "registry", "registry_token",
    "dockerfile", "container_port", "container_port_tcp", "daemon_socket_mount", "ipv6_cidr",
    "enable_ipv6", "registry_url", "registry_user", "registry_password", "depends_on",
    "lifecycle", "count", "for_each", "provider",
})
_ADDON_TYPES = {"clevercloud_postgresql": POSTGRESQL, "clevercloud_cellar": CELLAR}


def _static_is_apache(version: str | None) -> bool:
    """True when the provider constraint pins a version older than the 2.0 rename."""
    if not version:
        return False
    limit = int(mappings.table("clevercloud-runtimes")["static_rename"]["major"])
    uppers = []
    for part in version.split(","):
        m = re.match(r"\s*(~>|=|!=|<=|>=|<|>)?\s*v?(\d+)(?:\.(\d+))?", part)
        if not m:
            continue
        op, major = m.group(1) or "=", int(m.group(2))
        if op in ("=", "~>", "<=") or (op == "<" and m.group(3) not in (None, "0")):
            uppers.append(major)
        elif op == "<":
            uppers.append(major - 1)
    return bool(uppers) and min(uppers) < limit


class TerraformReader:
    def __init__(self, files: SourceFiles, diags: Diagnostics, environ: Mapping[str, str] | None
                 ) -> None:
        self.files = files
        self.diags = diags
        self.ev = Evaluator(diags, environ)
        self.keys: dict[str, str] = {}  # resource address -> app/add-on key

    # ------------------------------------------------------------------ entry
    def read(self, root_mod: ModuleFiles, name: str) -> Setup:
        root = load_instances(self.files, root_mod, self.diags)
        setup = Setup(name=name, source="terraform")
        setup.extra["terraform"] = {"root": root_mod.rel}
        resources: list[tuple[Instance, str, str, Block]] = []
        for inst in root.walk():
            for (rtype, label), block in sorted(inst.files.resources.items(),
                                                key=lambda kv: (kv[1].origin.line or 0, kv[0])):
                if rtype.startswith("clevercloud_"):
                    resources.append((inst, rtype, label, block))
        self._assign_keys(resources)
        runtimes = mappings.table("clevercloud-runtimes")["resources"]
        buckets: list[tuple[Instance, str, Block]] = []
        for inst, rtype, label, block in resources:
            key = self.keys.get(f"{inst.prefix()}{rtype}.{label}", label)
            service_addons = {k.resource: k.provider for k in addon_kinds().values()}
            if rtype in runtimes:
                kind = runtimes[rtype]
                if rtype == "clevercloud_static":
                    kind = self._static_kind(inst, block)
                setup.apps.append(self._app(inst, key, kind, block))
            elif rtype in _ADDON_TYPES:
                setup.addons.append(self._addon(inst, key, _ADDON_TYPES[rtype], block))
            elif rtype in service_addons:
                # Redis, MongoDB...: read back as the backing service they stand for.
                setup.addons.append(self._addon(inst, key, service_addons[rtype], block))
            elif rtype == "clevercloud_cellar_bucket":
                buckets.append((inst, label, block))
            else:
                self.diags.warning(W_UNSUPPORTED_RESOURCE, f"resource {rtype}.{label} is outside "
                                   "hopper's model (static front, Node API, PostgreSQL, Cellar); "
                                   "not carried over", block.origin)
        for inst, label, block in buckets:
            self._bucket(setup, inst, label, block)
        return setup

    def _assign_keys(self, resources: list[tuple[Instance, str, str, Block]]) -> None:
        # Buckets are not model components (they belong to their Cellar add-on): no key.
        resources = [r for r in resources if r[1] != "clevercloud_cellar_bucket"]
        counts: dict[str, int] = {}
        for _inst, _rtype, label, _block in resources:
            counts[label] = counts.get(label, 0) + 1
        used: set[str] = set()
        for inst, rtype, label, _block in resources:
            key = label
            if counts[label] > 1 or key in used:
                module = inst.address.rsplit(".", 1)[-1] if inst.address else "root"
                key = f"{module}-{label}"
                n = 2
                while key in used:
                    key = f"{module}-{label}-{n}"
                    n += 1
            used.add(key)
            self.keys[f"{inst.prefix()}{rtype}.{label}"] = key

    def _static_kind(self, inst: Instance, block: Block) -> str:
        version = inst.files.provider_version
        node: Instance | None = inst
        while version is None and node is not None:
            version = node.files.provider_version
            node = node.parent
        if _static_is_apache(version):
            self.diags.info(I_STATIC_RUNTIME, f"clevercloud_static read as the Apache static "
                            f"runtime (provider constraint '{version}' is before the 2.0 rename)",
                            block.origin)
            return "static-apache"
        said = f"provider constraint '{version}'" if version else "no provider version pinned"
        self.diags.info(I_STATIC_RUNTIME, f"clevercloud_static read as the new static runtime "
                        f"({said}; provider 2.0 renamed the Apache one to clevercloud_static_apache)",
                        block.origin)
        return "static"

    # ------------------------------------------------------------------ values
    def _value(self, inst: Instance, block: Block, *path: str) -> Value | None:
        expr = block.expr(path[0])
        if expr is None:
            return None
        value = self.ev.eval(expr, inst, block.loc(*path))
        for step in path[1:]:
            if value.known and isinstance(value.value, dict) and step in value.value:
                value = value.value[step]
            else:
                return None
        return value

    def _literal(self, inst: Instance, block: Block, attr: str, what: str, *,
                 warn: bool = True) -> str | int | float | bool | None:
        value = self._value(inst, block, attr)
        if value is None:
            return None
        if value.known and value.scalar() is not None:
            return value.scalar()
        if warn:
            self._not_literal(value, f"{what}.{attr}", block.loc(attr))
        return None

    def _not_literal(self, value: Value, key: str, loc: Location, consequence: str = "left unset"
                     ) -> None:
        missing = ", ".join(sorted(value.unresolved)) or value.text
        self.diags.warning(W_NOT_LITERAL, f"{key} is not a literal ({missing}); {consequence}", loc,
                           hint="give the variable a default, or set TF_VAR_<name> when running hopper")

    def _bound(self, value: Value) -> BoundRef | None:
        """What an env value carries when it is built from Clever resource attributes."""
        by_address: dict[str, list[AttrRef]] = {}
        for ref in sorted(value.refs, key=lambda r: (r.address, r.attr or "")):
            by_address.setdefault(ref.address, []).append(ref)
        for address, refs in by_address.items():
            key = self.keys.get(address)
            rtype = refs[0].rtype
            if key is None and rtype != "clevercloud_cellar_bucket":
                continue
            key = key or address
            attrs = {r.attr for r in refs}
            attribute: str | None = None
            resource = key
            if rtype == "clevercloud_postgresql":
                mapped = {_PG_ATTRS[a] for a in attrs if a in _PG_ATTRS}
                attribute = "uri" if len(mapped) > 1 or "uri" in mapped else next(iter(mapped), None)
            elif rtype == "clevercloud_cellar":
                mapped = {_CELLAR_ATTRS[a] for a in attrs if a in _CELLAR_ATTRS}
                attribute = next(iter(sorted(mapped)), None) if len(mapped) == 1 else None
            elif rtype == "clevercloud_cellar_bucket" and attrs == {"id"}:
                attribute = "bucket"
                resource = f"bucket:{address}"
            elif rtype in mappings.table("clevercloud-runtimes")["resources"] and "vhosts" in attrs:
                attribute = "url"
            if attribute is not None:
                return BoundRef(resource, attribute, attribute in _SECRET_ATTRIBUTES)
        return None

    def _env(self, inst: Instance, block: Block, attr: str, owner: str) -> dict[str, EnvEntry]:
        value = self._value(inst, block, attr)
        out: dict[str, EnvEntry] = {}
        if value is None:
            return out
        if not (value.known and isinstance(value.value, dict)):
            self._not_literal(value, f"{owner}.{attr}", block.loc(attr), "no variables read")
            return out
        for name in sorted(value.value):
            item: Value = value.value[name]
            loc = block.loc(attr, name)
            entry = EnvEntry(name=name, origin=loc)
            bound = self._bound(item)
            literal = item.string()
            if bound is not None:
                entry.bound = bound
                entry.secret = bound.secret
            elif literal is not None:
                if item.sensitive or looks_secret(name, literal):
                    entry.secret = True
                    entry.digest = secret_digest(name, literal)
                else:
                    entry.value = literal
            else:
                entry.secret = item.sensitive or name_looks_secret(name)
                entry.unresolved = ", ".join(sorted(item.unresolved)) or item.text
                if not entry.secret:
                    self._not_literal(item, f"{owner}.{attr}.{name}", loc,
                                      "kept as a value to supply at deploy time")
            out[name] = entry
        return out

    # ------------------------------------------------------------------ apps
    def _app(self, inst: Instance, key: str, kind: str, block: Block) -> AppSpec:
        what = block.origin.key.removeprefix("resource.") if block.origin.key else key
        lit = self._literal
        app = AppSpec(key=key, kind=kind, origin=block.origin)
        name = lit(inst, block, "name", what, warn=False)
        app.name = name if isinstance(name, str) else None
        region = lit(inst, block, "region", what)
        app.region = region if isinstance(region, str) else None
        low = lit(inst, block, "min_instance_count", what)
        high = lit(inst, block, "max_instance_count", what)
        app.min_instances = int(low) if isinstance(low, int | float) and not isinstance(low, bool) else None
        app.max_instances = int(high) if isinstance(high, int | float) and not isinstance(high, bool) else None
        for attr in ("smallest_flavor", "biggest_flavor", "build_flavor"):
            v = lit(inst, block, attr, what)
            setattr(app, attr, v if isinstance(v, str) else None)
        for attr in ("redirect_https", "sticky_sessions"):
            v = lit(inst, block, attr, what)
            setattr(app, attr, v if isinstance(v, bool) else None)
        app.vhosts = self._vhosts(inst, block, what)
        folder = lit(inst, block, "app_folder", what)
        app.app_folder = folder if isinstance(folder, str) else None
        app.env = self._env(inst, block, "environment", what)
        app.exposed_env = self._env(inst, block, "exposed_environment", what)
        for hooks in block.blocks("hooks"):
            hb = Block(hooks, block.loc("hooks"), {k[1:]: v for k, v in block.lines.items()
                                                   if k[:1] == ("hooks",) and len(k) > 1},
                       {k[1:]: v for k, v in block.cols.items() if k[:1] == ("hooks",) and len(k) > 1})
            for hook in _HOOKS:
                v = lit(inst, hb, hook, f"{what}.hooks")
                if isinstance(v, str):
                    app.hooks[hook] = v
        start = lit(inst, block, "start_script", what)
        app.start_script = start if isinstance(start, str) else None
        tool = lit(inst, block, "package_manager", what)
        app.build_tool = tool if isinstance(tool, str) else None
        dev = lit(inst, block, "dev_dependencies", what)
        app.dev_dependencies = dev if isinstance(dev, bool) else None
        dockerfile = lit(inst, block, "dockerfile", what)
        app.dockerfile = dockerfile if isinstance(dockerfile, str) else None
        port = lit(inst, block, "container_port", what)
        app.container_port = int(port) if isinstance(port, int) and not isinstance(port, bool) else None
        if "registry_token" in block.body:
            app.env["NPM_TOKEN"] = EnvEntry(name="NPM_TOKEN", secret=True,
                                            origin=block.loc("registry_token"))
        registry = lit(inst, block, "registry", what, warn=False)
        if isinstance(registry, str):
            app.env["CC_NPM_REGISTRY"] = EnvEntry(name="CC_NPM_REGISTRY", value=registry,
                                                  origin=block.loc("registry"))
        deps = self._value(inst, block, "dependencies")
        if deps is not None:
            items = deps.value if deps.known and isinstance(deps.value, list) else [deps]
            for item in items:
                linked = sorted({self.keys[r.address] for r in item.refs if r.address in self.keys})
                if not linked:
                    self.diags.warning(W_UNKNOWN_REFERENCE, f"{what}.dependencies: '{item.text}' "
                                       "names no Clever resource of this configuration; the link "
                                       "is not carried over", block.loc("dependencies"))
                app.links.extend(k for k in linked if k not in app.links)
        for dep in block.blocks("deployment"):
            db = Block(dep, block.loc("deployment"))
            r = lit(inst, db, "repository", f"{what}.deployment", warn=False)
            c = lit(inst, db, "commit", f"{what}.deployment", warn=False)
            info: dict[str, str] = {}
            if isinstance(r, str) and "@" not in r:
                info["repository"] = r
            if isinstance(c, str):
                info["commit"] = c
            if info:
                app.extra["deployment"] = info
        other = sorted(k for k in block.body if k not in _APP_COMMON and not k.startswith("__"))
        if other:
            self.diags.info(I_CLEVER_ONLY, f"{what}: attribute(s) {', '.join(other)} not used "
                            "by hopper", block.loc(other[0]))
        for attr in ("integrations", "networkgroups", "redirection"):
            if attr in block.body:
                self.diags.info(I_CLEVER_ONLY, f"{what}.{attr} is Clever-only; not carried over",
                                block.loc(attr))
        app.locations = _app_locations(app, block)
        return app

    def _vhosts(self, inst: Instance, block: Block, what: str) -> list[Vhost] | None:
        out: list[Vhost] = []
        declared = False
        value = self._value(inst, block, "vhosts")
        if value is not None:
            declared = True
            items = value.value if value.known and isinstance(value.value, list) else []
            if not (value.known and isinstance(value.value, list)):
                self._not_literal(value, f"{what}.vhosts", block.loc("vhosts"), "no domain read")
            for item in items:
                if not (item.known and isinstance(item.value, dict)):
                    continue
                fqdn_v: Value | None = item.value.get("fqdn")
                path_v: Value | None = item.value.get("path_begin")
                fqdn = fqdn_v.string() if fqdn_v is not None else None
                if fqdn_v is not None and fqdn is None:
                    self._not_literal(fqdn_v, f"{what}.vhosts.fqdn", block.loc("vhosts"),
                                      "the domain is not carried over")
                path = path_v.string() if path_v is not None else "/"
                out.append(Vhost(fqdn=fqdn, path_begin=path or "/",
                                 text=fqdn_v.text if fqdn_v is not None else "",
                                 origin=block.loc("vhosts")))
        legacy = self._value(inst, block, "additional_vhosts")
        if legacy is not None:
            declared = True
            items = legacy.value if legacy.known and isinstance(legacy.value, list) else []
            for item in items:
                fqdn = item.string()
                out.append(Vhost(fqdn=fqdn, text=item.text, origin=block.loc("additional_vhosts")))
        return out if declared else None

    # ------------------------------------------------------------------ add-ons
    def _addon(self, inst: Instance, key: str, provider: str, block: Block) -> AddonSpec:
        what = block.origin.key.removeprefix("resource.") if block.origin.key else key
        lit = self._literal
        addon = AddonSpec(key=key, provider=provider, origin=block.origin)
        name = lit(inst, block, "name", what, warn=False)
        addon.name = name if isinstance(name, str) else None
        region = lit(inst, block, "region", what)
        addon.region = region if isinstance(region, str) else None
        if provider == POSTGRESQL:
            plan = lit(inst, block, "plan", what)
            addon.plan = plan if isinstance(plan, str) else None
            version = lit(inst, block, "version", what)
            addon.version = str(version) if version is not None else None
            backup = lit(inst, block, "backup", what)
            addon.backup = backup if isinstance(backup, bool) else None
        addon.locations = key_origins(*((f, block.written(a)) for f, a in (
            ("region", "region"), ("plan", "plan"), ("version", "version"), ("backups", "backup"))))
        return addon

    def _bucket(self, setup: Setup, inst: Instance, label: str, block: Block) -> None:
        what = f"clevercloud_cellar_bucket.{label}"
        name = self._literal(inst, block, "id", what)
        cellar_id = self._value(inst, block, "cellar_id")
        target: AddonSpec | None = None
        if cellar_id is not None:
            for ref in cellar_id.refs:
                key = self.keys.get(ref.address)
                if key is not None and ref.rtype == "clevercloud_cellar":
                    target = setup.addon(key)
        cellars = [a for a in setup.addons if a.provider == CELLAR]
        if target is None and len(cellars) == 1:
            target = cellars[0]
            self.diags.warning(W_UNKNOWN_REFERENCE, f"{what}.cellar_id does not name a "
                               f"clevercloud_cellar resource; attached to the only one "
                               f"('{target.key}')", block.loc("cellar_id"))
        if target is None:
            self.diags.warning(W_UNKNOWN_REFERENCE, f"{what}.cellar_id names no Cellar add-on; "
                               "bucket not carried over", block.loc("cellar_id"))
            return
        if isinstance(name, str):
            target.buckets.append(BucketSpec(name=name, label=label, origin=block.origin))
        else:
            target.buckets.append(BucketSpec(name=label, label=label, origin=block.origin))
        # Env vars bound to this bucket point at its Cellar add-on.
        for app in setup.apps:
            for entry in app.env.values():
                if entry.bound and entry.bound.resource == \
                        f"bucket:{inst.prefix()}clevercloud_cellar_bucket.{label}":
                    entry.bound = BoundRef(target.key, "bucket", False)


def find_tf_roots(files: SourceFiles, folder: Path, max_depth: int = 3) -> list[Path]:
    """Folders below ``folder`` whose ``*.tf`` mention the clevercloud provider, minus those
    another such folder calls as a local module."""
    skip = {".git", "node_modules", ".terraform", "vendor", "dist", "build", ".venv"}
    found: list[Path] = []

    def walk(d: Path, depth: int) -> None:
        try:
            entries = sorted(d.iterdir())
        except OSError:
            return
        tfs = [p for p in entries if p.suffix == ".tf" and p.is_file()]
        if any("clevercloud" in _peek(files, p) for p in tfs):
            found.append(d)
        if depth < max_depth:
            for sub in entries:
                if sub.is_dir() and not sub.is_symlink() and sub.name not in skip:
                    walk(sub, depth + 1)

    walk(folder, 0)
    called: set[Path] = set()
    for d in found:
        for p in sorted(d.glob("*.tf")):
            for m in re.finditer(r'source\s*=\s*"(\.\.?/[^"]*)"', _peek(files, p)):
                called.add((d / m.group(1)).resolve())
    return [d for d in found if d.resolve() not in called]


def _peek(files: SourceFiles, path: Path) -> str:
    try:
        return files.read_text(path)
    except LimitError:
        raise  # over a limit: say so, rather than "no Clever Cloud setup here"
    except Exception:  # an unreadable file is reported when it is parsed for real
        return ""


def _app_locations(app: AppSpec, block: Block) -> dict[str, Location]:
    """Where each model field of the app was written (for the plan's finding locations)."""
    w = block.written
    flavor = w("smallest_flavor")
    release = w("hooks", "pre_run") or w("environment", "CC_PRE_RUN_HOOK") or \
        w("hooks", "post_build") or w("environment", "CC_POST_BUILD_HOOK")
    env = [*app.env, *app.exposed_env]
    return key_origins(
        ("region", w("region")),
        ("scaling.min_instances", w("min_instance_count")),
        ("scaling.max_instances", w("max_instance_count")),
        ("scaling.cpus", flavor), ("scaling.memory_mb", flavor), ("scaling.cpu_kind", flavor),
        ("force_https", w("redirect_https")),
        ("public", w("vhosts")), ("domains", w("vhosts")),
        ("runtime.release_command", release),
        ("runtime.command", w("start_script")), ("build.start_command", w("start_script")),
        ("runtime.port", w("container_port")),
        ("runtime.env", w("environment")), ("runtime.secret_env", w("environment")),
        *((f"runtime.env.{n}", w("environment", n) or w("exposed_environment", n)) for n in env),
        *((f"runtime.secret_env.{n}", w("environment", n) or w("exposed_environment", n)) for n in env),
        ("runtime.health_check", w("environment", "CC_HEALTH_CHECK_PATH")),
        ("build.runtime_version", w("environment", "CC_NODE_VERSION")),
        ("build.package_manager", w("package_manager")),
        ("build.dockerfile", w("dockerfile")),
    )
