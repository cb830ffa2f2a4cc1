"""MIGRATION.md for a Clever Cloud target: provision, copy data, env, deploy, smoke test, DNS,
rollback — rendered from the same plan as the Terraform and the script, so all three agree."""

from __future__ import annotations

from typing import Any

from hopper.formats.clevercloud.plan_types import Plan, cellar_host
from hopper.model import Architecture


def runbook(plan: Plan, arch: Architecture) -> str:
    from hopper.templating import render  # noqa: PLC0415 - jinja2 only when writing

    apps: list[dict[str, Any]] = []
    domains: list[dict[str, str]] = []
    derived: list[str] = []
    secrets: list[str] = []
    release: list[str] = []
    for app in plan.apps:
        reached = []
        for fqdn, path in sorted(app.vhosts or [], key=lambda v: (v[0] != "${DOMAIN}", v)):
            host = plan.domain_default if fqdn == "${DOMAIN}" else fqdn
            reached.append(f"{host}{path if path not in ('', '/') else ''}")
            if fqdn != "${DOMAIN}" and not fqdn.endswith(".cleverapps.io") \
                    and all(d["fqdn"] != fqdn for d in domains):
                domains.append({"fqdn": fqdn, "app": app.label, "zone": app.region})
        if app.vhosts is None:
            reached.append(f"{app.name}.cleverapps.io (or the app-<id>.cleverapps.io domain)")
        apps.append({"name": app.name, "label": app.label, "kind": app.kind,
                     "folder": app.app_folder, "reached": reached, "region": app.region})
        derived += [f"{name} on {app.label}" for name, ref in sorted(app.refs.items())
                    if ref.source or ref.app]
        secrets += [f"{name} ({app.label})" for name in sorted(app.secrets)]
        if "pre_run" in app.hooks:
            release.append(f"{app.label}: {app.hooks['pre_run']}")
    addons = [{"name": a.name, "provider": a.provider, "plan": a.plan,
               "users": [p.label for p in plan.apps if a.label in p.links]} for a in plan.addons]
    buckets = [{"name": name, "host": cellar_host(a.region),
                "policy": f"clevercloud/{label}-policy.json"
                if f"clevercloud/{label}-policy.json" in plan.files else None}
               for a in plan.addons for label, name in a.buckets]
    databases = [a.name for a in plan.addons if a.provider == "postgresql-addon"]
    others = [a.name for a in plan.addons if a.kind is not None and not a.kind.serves_http]
    stores = [a for a in plan.addons if a.provider == "cellar-addon"]
    zone = stores[0].region if stores else (plan.apps[0].region if plan.apps else "par")
    return render("clevercloud/MIGRATION.md.j2", project=plan.name,
                  apps=apps, addons=addons, buckets=buckets, databases=databases, others=others,
                  stores=bool(stores), cellar_host=cellar_host(zone), derived=derived,
                  secrets=secrets, release=release, schedules=len(arch.schedules),
                  health=any("CC_HEALTH_CHECK_PATH" in a.env for a in plan.apps),
                  domains=domains)
