"""How many Machines each app runs, and how the set makes flyctl create them.

Fly has no replica count in fly.toml: the first ``flyctl deploy`` creates two Machines for a
process group with services (one with a mount, or for a group without services), unless
``--ha=false`` (flyio.md §1.22); ``flyctl scale count`` sets another number afterwards. The
source's replicas (compose ``deploy.replicas``/``scale``, Clever Cloud min/max instances: the
model's ``min_instances``/``max_instances``) become:

* one instance (or a source that runs one, as compose does by default): ``--ha=false``;
* N instances: the first deploy, then ``flyctl scale count N`` in fly-setup.sh -- also when
  the first deploy already makes them (two for a group with services and no mount): the count
  is then stated in the set, so reading it back (the plan) sees N, not flyctl's unstated default;
* identical services the source load-balanced in one nginx upstream (``extensions.merged``, the
  compose reader's ``upstreams.py``): one app with their instances added up, said by HOP388;
* a range (Clever's min..max with autostop): the maximum, so Fly's proxy starts and stops them
  between ``min_machines_running`` and that count.

A Fly source that says nothing keeps flyctl's own default.
"""

from __future__ import annotations

from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly.plan_types import App, Plan

I_MACHINES = code("HOP569", Severity.INFO, "how many Machines an app runs on Fly, and how they are created")
I_MERGED = code("HOP388", Severity.INFO,
                "identical services of one nginx upstream run as one Fly app with that many Machines")


def first_deploy_machines(app: App) -> int:
    """What flyctl's first deploy creates for the app's own group (§1.22)."""
    serves = app.http or app.tcp_port is not None
    own_mounts = [m for m in app.mounts if m.process in (None, "app")]
    return 2 if serves and not own_mounts else 1


def plan_scale(plan: Plan, diags: Diagnostics) -> None:
    from_fly = plan.source == "fly" or plan.arch.source_format == "fly"
    for app in plan.apps:
        s = app.service.scaling
        count: int | None
        if s.max_instances is not None and app.autostop != "off" and s.max_instances > (s.min_instances or 0):
            count, why = s.max_instances, (f"max instances {s.max_instances}; autostop keeps "
                                           f"{app.min_running} running when idle")
        elif s.min_instances is not None:
            count, why = max(1, s.min_instances), f"{s.min_instances} instance(s) in the source"
        elif s.max_instances is not None:
            count, why = max(1, s.max_instances), f"max instances {s.max_instances}"
        elif from_fly:
            count, why = None, "the source does not say; flyctl's first deploy decides"
        else:
            count, why = 1, "the source runs one"
        app.machines = count
        merged = app.service.extensions.get("merged")
        if isinstance(merged, dict) and merged.get("services"):
            members = ", ".join(str(m) for m in merged["services"])
            diags.info(I_MERGED, f"services {members} are identical and load-balanced by nginx upstream "
                       f"'{merged.get('upstream')}': they run as one app '{app.name}' with "
                       f"{count or len(merged['services'])} Machines, and the front proxies to it",
                       app.service.origin)
        if count is None:
            continue
        how = "--ha=false on the first deploy" if count == 1 else (
            "the first deploy, stated by `flyctl scale count` in fly-setup.sh" if count == first_deploy_machines(app)
            else "`flyctl scale count` in fly-setup.sh")
        diags.info(I_MACHINES, f"app '{app.name}' runs {count} Machine(s) ({why}): {how}",
                   s.origin or app.service.origin)


def scale_command(app: App) -> list[str] | None:
    if app.machines is None or app.machines == 1:
        return None
    count = f"app={app.machines}" if app.processes else str(app.machines)
    return ["flyctl", "scale", "count", count, "--app", app.name, "--yes"]
