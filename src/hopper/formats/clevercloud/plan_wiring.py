"""The Clever Cloud planner's wiring: once apps and add-ons exist, how they reach each other --
bindings to add-on variables, sibling credentials, public domains and the vhost routes of a
front.

Separate from :mod:`.plan_apps` and :mod:`.plan_addons` because it runs on the whole plan, after
both.
"""

from __future__ import annotations

import re
from typing import Any

from hopper import mappings
from hopper.domains import check_domain
from hopper.formats.clevercloud.addons import attribute_for, tf_expression
from hopper.formats.clevercloud.codes import (
    I_BOUND_VALUE,
    I_DOMAIN,
    W_NO_HTTP,
    W_NOT_EXPRESSED,
    W_ROUTE_OPTION,
    W_ROUTE_STRIP,
    W_UNSUPPORTED_COMPONENT,
)
from hopper.formats.clevercloud.plan_base import PlannerBase, as_location
from hopper.formats.clevercloud.plan_types import AddonPlan, AppPlan, EnvRef, Plan
from hopper.model import Binding

HTACCESS = """RewriteEngine On
RewriteCond %{REQUEST_FILENAME} -f [OR]
RewriteCond %{REQUEST_FILENAME} -d
RewriteRule ^ - [L]
RewriteRule ^ /index.html [L]
"""


# The end of a credential's name, beside a bound host (MB_DB_HOST): the attribute it carries.
_CREDENTIAL_SUFFIXES = {"USER": "user", "USERNAME": "user", "PASS": "password",
                        "PASSWORD": "password", "PWD": "password", "DB": "database",
                        "DBNAME": "database", "NAME": "database", "DATABASE": "database",
                        "PORT": "port"}


class WiringPlanner(PlannerBase):
    """Connects the planned apps to the add-ons and to each other."""

    def wire(self, plan: Plan) -> None:
        apps = {a.service.name: a for a in plan.apps}
        addons = {a.label: a for a in plan.addons}
        names = mappings.table("env-names")["clevercloud"]
        clever_names = {**names["database"], **names["object_store"]}
        for app in plan.apps:
            for binding in (*app.service.bindings, *self.sibling_credentials(app, addons)):
                self.bind(plan, app, binding, apps, addons, clever_names)
            # A dependency on an add-on is a link even without a variable of the app's own:
            # linking is what hands the app the add-on's credentials on Clever.
            for dep in app.service.depends_on:
                label = self.labels.get(dep)
                if label in addons and label not in app.links:
                    app.links.append(label)
            if app.htaccess:
                plan.files[app.htaccess] = HTACCESS
            plan.files.update(app.generated)
        self.routes(plan, apps)
        order = {a.label: i for i, a in enumerate(plan.addons)}
        for app in plan.apps:
            app.links.sort(key=lambda label: order.get(label, len(order)))
            for env_name, var in app.secrets.items():
                plan.secret_vars.setdefault(var, f"secret {env_name}")

    def bind(self, plan: Plan, app: AppPlan, b: Binding, apps: dict[str, AppPlan],
             addons: dict[str, AddonPlan], clever_names: dict[str, Any]) -> None:
        label = self.labels.get(b.resource)
        addon = addons.get(label) if label else None
        where = as_location(b.origin)
        app.secrets.pop(b.variable, None)
        if app.env.pop(b.variable, None) is not None:
            self.diags.info(I_BOUND_VALUE, f"service '{app.service.name}': env {b.variable} is "
                            f"set from the {b.attribute} of '{b.resource}' on Clever; the source's "
                            "own value is not written", where)
        if addon is not None:
            if addon.label not in app.links:
                app.links.append(addon.label)
            if addon.kind is not None:
                self.bind_service_addon(app, b, addon)
                return
            spec = clever_names.get(b.variable)
            if spec is not None and spec["attribute"] == b.attribute:
                return  # linking the add-on injects this very variable
            ref = self.addon_ref(addon, b.attribute, plan)
            if ref is not None and b.attribute == "region" and "REGION" not in b.variable.upper():
                self.diags.warning(W_NOT_EXPRESSED, f"service '{app.service.name}': {b.variable} "
                                   f"carries the region of '{b.resource}', written as the value "
                                   f"{ref.literal!r} (Cellar injects no region variable); only a "
                                   "name with REGION in it reads back as that binding", where)
            if ref is None:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                                   f"{b.variable} carries the {b.attribute} of '{b.resource}', "
                                   "which Clever does not provide; left out", where)
                return
            app.refs[b.variable] = ref
            return
        target = apps.get(b.resource)
        if target is not None and b.attribute == "url" and not self.serves_http(target.service):
            self.diags.warning(W_NO_HTTP, f"service '{app.service.name}': {b.variable} points at "
                               f"'{b.resource}', which serves no HTTP; Clever apps are reached "
                               "only over HTTP(S) through their domain, so it is left out", where)
            return
        if target is not None and b.attribute == "url":
            domain = self.public_domain(target)
            if domain is not None:
                app.env[b.variable] = f"https://{domain}"
            else:
                app.refs[b.variable] = EnvRef(
                    f'"https://${{tolist({target.rtype}.{target.label}.vhosts)[0].fqdn}}"',
                    f"https:// + the domain of app {target.label}", app=target.label)
            return
        if b.resource in self.arch.resource_names():
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                               f"{b.variable} points at '{b.resource}', which is not written; "
                               "left out", where)

    def sibling_credentials(self, app: AppPlan, addons: dict[str, AddonPlan]) -> list[Binding]:
        """A database's credentials come as a set: when MB_DB_HOST is bound to an add-on, the
        MB_DB_USER, MB_DB_PASS, MB_DB_DBNAME and MB_DB_PORT beside it must come from the same
        add-on, never from the source's own values (which name a database that does not exist
        on Clever)."""
        out: list[Binding] = []
        bound = {b.variable for b in app.service.bindings}
        names = {*app.env, *app.secrets}
        for b in app.service.bindings:
            label = self.labels.get(b.resource)
            addon = addons.get(label) if label else None
            if addon is None or addon.provider == "cellar-addon" or \
                    attribute_for(b.variable, b.attribute) not in ("host", "uri", "url"):
                continue
            m = re.fullmatch(r"(.*?)_?(HOST|HOSTNAME|SERVER|URL|URI)", b.variable)
            if m is None or not m.group(1):
                continue
            prefix = m.group(1)
            for name in sorted(names - bound):
                rest = name[len(prefix):].lstrip("_") if name.startswith(prefix) else None
                attribute = _CREDENTIAL_SUFFIXES.get(rest or "")
                if attribute is not None:
                    out.append(Binding(variable=name, resource=b.resource, attribute=attribute,
                                       secret=attribute == "password", origin=b.origin))
                    bound.add(name)
        return out

    def bind_service_addon(self, app: AppPlan, b: Binding, addon: AddonPlan) -> None:
        kind = addon.kind
        assert kind is not None
        attribute = attribute_for(b.variable, b.attribute)
        injected = kind.env.get(attribute)
        if injected == b.variable:
            return  # linking the add-on injects this very variable
        expr = tf_expression(kind, f"{addon.rtype}.{addon.label}", attribute)
        if expr is None:
            self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{app.service.name}': "
                               f"{b.variable} carries the {attribute} of '{b.resource}', which "
                               f"the {kind.provider} add-on does not provide; left out",
                               as_location(b.origin))
            return
        copy = (f"the value of {injected}" if injected
                else f"the {attribute} of add-on {addon.name} (clever addon list)")
        app.refs[b.variable] = EnvRef(expr, copy, source=injected)

    def addon_ref(self, addon: AddonPlan, attribute: str, plan: Plan) -> EnvRef | None:
        r = f"{addon.rtype}.{addon.label}"
        if addon.provider == "postgresql-addon":
            # The add-on's attributes in the provider are named like the model's; the variable
            # Clever injects for each comes from mappings/env-names.toml (first listed wins, so
            # POSTGRESQL_ADDON_URI rather than its DIRECT_ variant).
            injected: dict[str, str] = {}
            for name, row in mappings.table("env-names")["clevercloud"]["database"].items():
                injected.setdefault(str(row["attribute"]), name)
            if attribute not in ("uri", "host", "port", "database", "user", "password"):
                return None
            expr = f"tostring({r}.port)" if attribute == "port" else f"{r}.{attribute}"
            return EnvRef(expr, f"the value of {injected[attribute]}", source=injected[attribute])
        if attribute == "endpoint":
            return EnvRef(f'"https://${{{r}.host}}"', "https:// + the value of CELLAR_ADDON_HOST",
                          source="CELLAR_ADDON_HOST", prefix="https://")
        if attribute == "access_key":
            return EnvRef(f"{r}.key_id", "the value of CELLAR_ADDON_KEY_ID",
                          source="CELLAR_ADDON_KEY_ID")
        if attribute == "secret_key":
            return EnvRef(f"{r}.key_secret", "the value of CELLAR_ADDON_KEY_SECRET",
                          source="CELLAR_ADDON_KEY_SECRET")
        if attribute == "region":
            region = str(self.runtimes["cellar"]["sdk_region"])
            return EnvRef(f'"{region}"', region, region)
        if attribute == "bucket":
            if not addon.buckets:
                name = addon.name
                addon.buckets.append((self.bucket_label(name), name))
            if len(addon.buckets) > 1:
                self.diags.warning(W_UNSUPPORTED_COMPONENT, f"object store '{addon.label}' has "
                                   f"{len(addon.buckets)} buckets; bucket variables get the first")
            blabel, bname = addon.buckets[0]
            return EnvRef(f"clevercloud_cellar_bucket.{blabel}.id", bname, bname)
        return None

    def public_domain(self, app: AppPlan) -> str | None:
        if app.domains:
            return app.domains[0]
        for fqdn, _path in self.cleverapps_roots(app):
            if not self.default_domain(app, fqdn):
                return fqdn
        return None

    @staticmethod
    def cleverapps_roots(app: AppPlan) -> list[tuple[str, str]]:
        """The app's own ``*.cleverapps.io`` vhosts at ``/``, as read from a Clever setup."""
        ext = app.service.extensions.get("clevercloud", {})
        vh = ext.get("cleverapps_vhosts") if isinstance(ext, dict) else None
        if not isinstance(vh, list):
            return []
        return [(check_domain(str(v["fqdn"])), str(v.get("path_begin", "/"))) for v in vh
                if isinstance(v, dict) and isinstance(v.get("fqdn"), str)
                and str(v.get("path_begin", "/")) in ("/", "")]

    @staticmethod
    def default_domain(app: AppPlan, fqdn: str) -> bool:
        """``<app name>.cleverapps.io`` is the default of the shared ``domain`` variable hopper
        declares for path routing: read back, it is that variable again, not a domain of the
        user's (so writing what was read writes the same variable)."""
        return fqdn == f"{app.name}.cleverapps.io"

    def routes(self, plan: Plan, apps: dict[str, AppPlan]) -> None:
        for app in plan.apps:
            svc = app.service
            own: list[tuple[str, str]] = [(d, "/") for d in app.domains]
            own += [(f, p) for f, p in self.cleverapps_roots(app)
                    if not (svc.routes and self.default_domain(app, f))]
            if own:
                app.vhosts = own
            elif not svc.public:
                app.vhosts = []
        for app in plan.apps:
            svc = app.service
            if not svc.routes:
                continue
            domain = self.public_domain(app)
            if domain is None:
                domain = "${DOMAIN}"
                if plan.domain_default is None:
                    plan.domain_default = f"{app.name}.cleverapps.io"
                    self.diags.info(I_DOMAIN, f"service '{svc.name}' routes paths to other apps: "
                                    "Clever needs a domain they share; hopper declares the "
                                    f"variable 'domain' (default {plan.domain_default})",
                                    as_location(svc.origin))
                if app.vhosts is None or not any(f == domain for f, _ in app.vhosts):
                    app.vhosts = [*(app.vhosts or []), (domain, "/")]
            for route in svc.routes:
                where = as_location(route.origin) or as_location(svc.origin)
                target = apps.get(route.target_service)
                if target is None:
                    self.diags.warning(W_UNSUPPORTED_COMPONENT, f"service '{svc.name}': route "
                                       f"{route.path_prefix} goes to '{route.target_service}', "
                                       "which is not written", where)
                    continue
                if route.strip_prefix:
                    self.diags.warning(W_ROUTE_STRIP, f"service '{svc.name}': route "
                                       f"{route.path_prefix} strips its prefix; Clever path routing "
                                       f"passes {route.path_prefix}... unchanged to "
                                       f"'{target.label}', so it must serve that prefix", where)
                lost = [k for k in ("body_size_limit", "request_buffering", "response_buffering",
                                    "connect_timeout_s", "read_timeout_s", "send_timeout_s")
                        if getattr(route, k) is not None]
                if route.forwarded_headers:
                    lost.append("forwarded_headers")
                if lost:
                    self.diags.warning(W_ROUTE_OPTION, f"service '{svc.name}': route "
                                       f"{route.path_prefix} sets {', '.join(lost)}, which Clever's "
                                       "load balancers do not let you set", where)
                path = "/" + route.path_prefix.strip("/")
                entry = (domain, path)
                current = target.vhosts
                if current is None:
                    # Managing vhosts drops the default domain: keep a public app reachable.
                    current = [(f"{target.name}.cleverapps.io", "/")] if target.service.public else []
                if entry not in current:
                    target.vhosts = [*current, entry]
                if target.redirect_https is None:
                    target.redirect_https = True  # reached from the internet through the route
