"""The neutral model -> what to create on Clever Cloud (apps, add-ons, buckets, vhosts, env).

The Terraform and shell writers both render this one plan, so they always agree. Every choice
that loses something (no scale-to-zero, no prefix stripping, a flavor rounded up...) is a
warning naming the user's own key.
"""

from __future__ import annotations

import json

from hopper.formats.clevercloud.addons import kind_of
from hopper.formats.clevercloud.codes import W_NAME_CHANGED, W_NOT_EXPRESSED, W_SECRET_DROPPED
from hopper.formats.clevercloud.plan_addons import AddonPlanner
from hopper.formats.clevercloud.plan_apps import AppPlanner
from hopper.formats.clevercloud.plan_base import as_location
from hopper.formats.clevercloud.plan_types import Plan
from hopper.formats.clevercloud.plan_wiring import WiringPlanner
from hopper.model import sorted_by_name


class Planner(AddonPlanner, AppPlanner, WiringPlanner):
    """Plans one architecture for Clever Cloud: :meth:`plan` runs the parts in order."""

    def plan(self) -> Plan:
        project = self.project()
        if project and project != self.arch.name:
            self.diags.warning(W_NAME_CHANGED, f"the architecture name '{self.arch.name}' is "
                               f"written as '{project}', the prefix of every app and add-on name "
                               "(lower-case letters, digits and '-')", as_location(self.arch.origin))
        plan = Plan(name=project or self.arch.name, organisation=self.options.org)
        zone = self.zone()
        # By name, whatever order the model lists them in: the output depends on content only.
        for db in sorted_by_name(self.arch.databases):
            addon = self.database(db, zone)
            if addon is not None:
                plan.addons.append(addon)
        for store in sorted_by_name(self.arch.object_stores):
            plan.addons.append(self.store(store, zone, plan))
        for svc in sorted_by_name(self.arch.services):
            kind = kind_of(svc)
            if kind is not None:
                plan.addons.append(self.service_addon(svc, kind, zone))
        self.builders = {svc.image: svc for svc in sorted_by_name(self.arch.services)
                         if svc.image and svc.build is not None}
        for svc in sorted_by_name(self.arch.services):
            if svc.name in self.service_addons:
                continue
            app = self.app(svc, zone)
            if app is not None:
                plan.apps.append(app)
        self.wire(plan)
        self.foreign_extensions(f"the architecture '{self.arch.name}'", self.arch.extensions,
                                as_location(self.arch.origin))
        self.dropped_secrets(plan)
        workflows = self.arch.pipeline.workflows
        if workflows:
            self.diags.warning(W_NOT_EXPRESSED, "the deploy pipeline (workflows "
                               f"{', '.join(w.name for w in workflows)}) is not written: Clever "
                               "Cloud deploys what is pushed to each app (git push, clever deploy)",
                               as_location(workflows[0].origin))
        if self.arch.schedules:
            # Where the reader found it: the repository's clevercloud/ folder.
            cron = [f"{s.cron} {s.command}" for s in self.arch.schedules]
            plan.files["clevercloud/cron.json"] = json.dumps(cron, indent=2, ensure_ascii=False) + "\n"
        return plan

    def dropped_secrets(self, plan: Plan) -> None:
        """Say why a secret of the source has no variable on Clever: the add-on provides it, or
        nothing written uses it."""
        written = {name for app in plan.apps for name in app.secrets}
        apps = {a.service.name: a for a in plan.apps}
        passwords = {db.password_secret: db.name for db in self.arch.databases if db.password_secret}
        for secret in self.arch.secrets:
            bound = sorted({(b.resource, s.name) for s in self.arch.services if s.name in apps
                            for b in s.bindings if b.variable == secret.name})
            if secret.name in written:
                # Written for some apps; where an app binds that name, the binding sets it.
                binders = sorted({u for _, u in bound} & set(secret.used_by))
                if binders:
                    self.diags.warning(W_SECRET_DROPPED, f"secret '{secret.name}' is not written "
                                       f"for {', '.join(repr(u) for u in binders)}: there its value "
                                       "comes from the resource it binds (used_by changes)",
                                       as_location(secret.origin))
                continue
            if bound:
                providers = ", ".join(f"'{r}'" for r in sorted({r for r, _ in bound}))
                why = (f"its value comes from {providers}, bound in "
                       + ", ".join(f"'{u}'" for u in sorted({u for _, u in bound})))
            elif secret.name in passwords:
                why = (f"the password of database '{passwords[secret.name]}' is generated by its "
                       "add-on")
            elif secret.used_by and all(u in self.service_addons for u in secret.used_by):
                why = (f"it configures {', '.join(repr(u) for u in secret.used_by)}, which Clever "
                       "runs as an add-on that keeps its own credentials")
            elif not any(u in apps for u in secret.used_by):
                users = ", ".join(f"'{u}'" for u in secret.used_by) or "nothing"
                why = f"it is used by {users}, not written as a Clever app"
            else:
                why = "its name is not a valid Clever variable or Clever sets it itself"
            self.diags.warning(W_SECRET_DROPPED, f"secret '{secret.name}' is not written: {why}",
                               as_location(secret.origin))
