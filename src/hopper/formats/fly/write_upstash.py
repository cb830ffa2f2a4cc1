"""Redis as Upstash Redis on Fly.io (``convert --redis upstash``), instead of a private TCP app.

Fly offers Redis as a managed extension: ``flyctl redis create`` makes an Upstash Redis database
in the organization and prints the URL apps reach it at (``redis://default:<password>@fly-<name>
.upstash.io:6379``); it sets no secret on any app (flyio.md §9.2: "fly redis create + set
REDIS_URL"; ``flyctl redis status <name>`` shows the URL again). So, with ``--redis upstash``, a
Redis service (an image of ``mappings/tcp-services.toml`` on port 6379) is not deployed: fly-setup.sh
creates the database (``--no-replicas``, ``--disable-eviction`` so the create never prompts and
no data is dropped silently), and each variable another app bound to it (``REDIS_URL``) becomes a
secret of that app, which the user sets from the printed URL before the script deploys (it stops
while a secret is missing). The Redis service's own settings (``--requirepass``, a volume) have
no Upstash form: Upstash sets its own password. The default, ``--redis app``, is write_tcp.py's
private TCP app.
"""

from __future__ import annotations

from dataclasses import dataclass

from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly.plan_types import Plan
from hopper.formats.fly.write_tcp import protocol_of_port, tcp_port

W_UPSTASH = code("HOP389", Severity.WARNING,
                 "a Redis service becomes Upstash Redis: the URL flyctl redis create prints is a secret to set on the apps")

CHOICES = ("app", "upstash")


@dataclass(frozen=True, slots=True)
class UpstashRedis:
    name: str  # the Upstash database's name: the app name the service would have had
    service: str  # the source's Redis service
    users: tuple[tuple[str, str, str], ...]  # (Fly app, its folder, the variable to set)


def plan_upstash(plan: Plan, choice: str | None, diags: Diagnostics) -> list[UpstashRedis]:
    """Take the Redis apps out of the plan when the user chose Upstash; say what to set."""
    if choice in (None, "app"):
        return []
    out: list[UpstashRedis] = []
    for app in list(plan.apps):
        port = tcp_port(app.service) if app.kind in ("generic", "worker") else None
        if port is None or protocol_of_port(port) != "Redis" or app.groups:
            continue
        plan.apps.remove(app)
        users: list[tuple[str, str, str]] = []
        for other in plan.apps:
            for svc in (other.service, *other.groups.values()):
                for binding in svc.bindings:
                    if binding.resource != app.service.name or (other.name, other.folder, binding.variable) in users:
                        continue
                    other.env.pop(binding.variable, None)
                    other.runtime_secrets = tuple(sorted({*other.runtime_secrets, binding.variable}))
                    users.append((other.name, other.folder, binding.variable))
        named = ", ".join(f"{var} of '{user}'" for user, _folder, var in users) or "nothing (no app is bound to it)"
        diags.warning(W_UPSTASH, f"service '{app.service.name}' becomes Upstash Redis '{app.name}' (--redis "
                      f"upstash): fly-setup.sh creates it with `flyctl redis create`, which prints its URL and "
                      f"sets no secret; set {named} to that URL before the deploy", app.service.origin,
                      hint=f"flyctl redis status {app.name} shows the URL again; the service's own password "
                      "and volume have no Upstash form")
        out.append(UpstashRedis(name=app.name, service=app.service.name, users=tuple(users)))
    return out


def without_app_reports(diags: Diagnostics, replaced: list[UpstashRedis]) -> Diagnostics:
    """The writer's diagnostics without what it said about the apps Upstash replaces (their size,
    role, autostop, command): those apps are not written."""
    if not replaced:
        return diags
    prefixes = tuple(p for r in replaced for p in (f"service '{r.service}'", f"app '{r.name}'"))
    kept = Diagnostics()
    kept.extend(d for d in diags if d.code == W_UPSTASH or not d.message.startswith(prefixes))
    return kept
