"""What each app receives: plain env in fly.toml, secret names to stage, build secrets, the
private URLs of the apps it reaches, the names it reads that Fly does not set (derived at boot by
hopper-env.sh), and the front's nginx upstreams.
"""

from __future__ import annotations

from hopper.diagnostics import Diagnostics, Severity, code
from hopper.formats.fly import names
from hopper.formats.fly.plan_backing import fly_source
from hopper.formats.fly.plan_types import SHIM_GUEST_PATH, Alias, App, DbPlan
from hopper.formats.fly.write_network import service_url, upstream_for
from hopper.model import Architecture, Service
from hopper.secrets import exec_line, shell_line

I_ROUTE = code("HOP516", Severity.INFO, "how the front reaches a route's target over Fly's private network")
W_ENV_RESERVED = code("HOP517", Severity.WARNING, "an env var cannot be set in fly.toml and was left out")
I_ALIAS = code("HOP518", Severity.INFO, "a name the app reads is provided from what Fly sets")
W_ALIAS_DOCKERFILE = code("HOP519", Severity.WARNING, "the app's own Dockerfile must run hopper-env.sh for the names it reads")
I_WORKER_GROUP = code("HOP526", Severity.INFO, "a worker runs as a process group of the app that shares its image")
W_ROUTE_TARGET = code("HOP530", Severity.WARNING, "a route's target is not a deployable service")
I_SECRET_MANAGED = code("HOP537", Severity.INFO, "a secret of a database or object store is replaced by the credentials Fly creates")
W_SECRET_UNUSED = code("HOP538", Severity.WARNING, "a secret no deployed app uses is not staged")


def secrets_by_user(arch: Architecture) -> dict[str, list[int]]:
    """Service name -> the positions in ``arch.secrets`` of the secrets it uses: made once per
    plan, so that each app looks at its own secrets instead of all of them (apps x secrets was
    a second of a 5000-service conversion)."""
    index: dict[str, list[int]] = {}
    for position, secret in enumerate(arch.secrets):
        for user in dict.fromkeys(secret.used_by):
            index.setdefault(user, []).append(position)
    return index


def env_and_secrets(app: App, arch: Architecture, apps: dict[str, App], diags: Diagnostics, *,
                    by_user: dict[str, list[int]] | None = None) -> None:
    members = [app.service, *app.groups.values()]
    bound = {b.variable for s in members for b in s.bindings}
    env: dict[str, str] = {}
    secrets: set[str] = set()
    build_secrets = set(app.build_secrets)
    translated: set[str] = set()
    for svc in members:
        for key, value in sorted(svc.runtime.env.items()):
            loc = svc.runtime.origin or svc.origin
            names.plain_env_name(key, loc)
            if key.startswith("FLY_"):
                diags.warning(W_ENV_RESERVED, f"service '{svc.name}': env var '{key}' is left out: "
                              "names starting with FLY_ are Fly's own", loc)
                continue
            if key in bound or key == "PORT":
                continue
            if key in env and env[key] != value:
                diags.warning(W_ENV_RESERVED, f"service '{svc.name}': env var '{key}' differs between "
                              f"the processes of app '{app.name}'; the value of '{app.service.name}' is kept",
                              loc)
                continue
            env.setdefault(key, value)
        for name in svc.runtime.secret_env:
            if name not in bound:
                secrets.add(names.secret_name(name, svc.origin, diags, translated))
        for b in svc.bindings:
            target = apps.get(b.resource)
            if b.attribute == "url" and target is not None and b.secret:
                # A URL with a credential (redis://:${REDIS_PASSWORD}@cache:6379): the address
                # alone would drop it, so it stays a secret the user sets (write_tcp says to what).
                secrets.add(names.secret_name(b.variable, b.origin or svc.origin, diags, translated))
            elif b.attribute == "url" and target is not None:
                env[b.variable] = _service_url(target)
    index = secrets_by_user(arch) if by_user is None else by_user
    # The secrets any member uses, in the model's order (the order diagnostics are made in).
    for position in sorted({p for s in members for p in index.get(s.name, ())}):
        secret = arch.secrets[position]
        secret_name = names.secret_name(secret.name, secret.origin, diags, translated)
        if secret.build_time:
            build_secrets.add(names.check_gh_secret(secret_name, secret.origin))
        elif secret.name not in bound:
            secrets.add(secret_name)
    if app.http and app.kind != "front" and app.port is not None:
        source_port = app.service.runtime.env.get("PORT")
        env["PORT"] = str(app.port)
        if source_port is not None and source_port != str(app.port):
            diags.warning(W_ENV_RESERVED, f"service '{app.service.name}': PORT={source_port} differs "
                          f"from the port it listens on ({app.port}); fly.toml sets PORT={app.port}",
                          app.service.runtime.origin)
    for fly_name in ("PRIMARY_REGION",):
        env.pop(fly_name, None)
    for name in sorted(secrets & set(env)):
        if name == "PORT" or any(b.variable == name and b.attribute == "url" for s in members for b in s.bindings):
            continue
        # One name has one value per app: the secret is kept, never replaced by a plain value.
        diags.warning(W_ENV_RESERVED, f"app '{app.name}': env var '{name}' is plain in one process group and "
                      "a secret in another; it stays a secret and the plain value is left out",
                      app.service.runtime.origin or app.service.origin)
        del env[name]
    app.env = dict(sorted(env.items()))
    app.runtime_secrets = tuple(sorted(secrets - set(env)))
    app.build_secrets = tuple(sorted(build_secrets))
    if app.groups:
        # Secrets are the app's, so every process group receives each of them.
        for svc in members:
            own = set(svc.runtime.secret_env) | {s.name for s in arch.secrets if svc.name in s.used_by}
            extra = [n for n in app.runtime_secrets if n not in own]
            if extra:
                diags.info(I_WORKER_GROUP, f"service '{svc.name}' shares the secrets of app '{app.name}' "
                           f"with its other process groups: it also receives "
                           f"{', '.join(repr(n) for n in extra)}", svc.origin)


def _service_url(target: App) -> str:
    return service_url(target)


def front_upstreams(front: App, arch: Architecture, apps: dict[str, App], diags: Diagnostics) -> None:
    for route in front.service.routes:
        target = apps.get(route.target_service)
        if target is None or not target.http or target.port is None:
            diags.warning(W_ROUTE_TARGET, f"route {route.path_prefix} of '{front.service.name}' goes to "
                          f"'{route.target_service}', which is not deployed as an HTTP app; "
                          "the route is left out of nginx.conf", route.origin)
            continue
        # One rule for every source: Flycast (write_network explains why never .internal).
        front.upstreams[route.target_service] = upstream_for(target)
        diags.info(I_ROUTE, f"route {route.path_prefix} -> '{target.name}' over Flycast "
                   f"(http://{target.name}.flycast): the proxy starts a stopped API", route.origin)


def unstaged_secrets(arch: Architecture, apps: list[App], diags: Diagnostics) -> None:
    """Report each secret of the model that no app receives: the backing services' own passwords
    (replaced by the credentials Fly creates) and secrets nothing deployed reads."""
    staged = {n for a in apps for n in (*a.runtime_secrets, *a.build_secrets)}
    for secret in arch.secrets:
        if secret.name in staged:
            continue
        owners = [d.name for d in arch.databases if d.name in secret.used_by or d.password_secret == secret.name]
        stores = [o.name for o in arch.object_stores if o.name in secret.used_by]
        carried = sorted({(svc.name, b.resource, b.attribute) for svc in arch.services
                          for b in svc.bindings if b.variable == secret.name
                          and (arch.database(b.resource) or arch.object_store(b.resource))})
        if carried and not owners and not stores:
            service, resource, attribute = carried[0]
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of '{service}' carries the {attribute} of "
                       f"'{resource}': on Fly it comes from the attached resource (the Postgres attachment or "
                       "`flyctl storage create`), under Fly's name or derived by hopper-env.sh", secret.origin)
        elif owners:
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of database '{owners[0]}' is not set on "
                       "Fly: the cluster has its own credentials, which reach the apps as DATABASE_URL "
                       "(`flyctl mpg attach` / `postgres attach`)", secret.origin)
        elif stores:
            diags.info(I_SECRET_MANAGED, f"secret '{secret.name}' of object store '{stores[0]}' is not set "
                       "on Fly: `flyctl storage create` makes Tigris keys (AWS_ACCESS_KEY_ID, "
                       "AWS_SECRET_ACCESS_KEY)", secret.origin)
        else:
            users = ", ".join(f"'{u}'" for u in secret.used_by) or "no service"
            diags.warning(W_SECRET_UNUSED, f"secret '{secret.name}' is used by {users}, which no Fly app "
                          "reads; it is not staged", secret.origin,
                          hint="set it with `flyctl secrets set` on the app that needs it")


def plan_aliases(app: App, arch: Architecture, dbs: list[DbPlan], diags: Diagnostics) -> None:
    members = [app.service, *app.groups.values()]
    db_vars = dict(app.databases)
    out: dict[str, Alias] = {}
    for svc in members:
        for b in svc.bindings:
            loc = b.origin or svc.origin
            names.check_env_name(b.variable, "binding variable", loc)
            if arch.database(b.resource) is not None:
                source = db_vars.get(b.resource)
                if source is None:
                    continue
                part = b.attribute
            elif arch.object_store(b.resource) is not None:
                source = fly_source("object_store", b.attribute) or ""
                part = b.attribute
                if b.attribute == "endpoint" and b.variable.endswith("_HOST"):
                    part = "endpoint_host"
            else:
                continue
            if not source or source == b.variable:
                continue
            out[b.variable] = Alias(variable=b.variable, source=source, part=part, resource=b.resource)
    app.aliases = tuple(out[k] for k in sorted(out))
    for alias in app.aliases:
        diags.info(I_ALIAS, f"app '{app.name}' reads '{alias.variable}'; on Fly it is derived at boot "
                   f"from {alias.source} by hopper-env.sh", app.service.origin)
    if not app.aliases or app.build_mode == "node":
        return  # the generated Dockerfile makes hopper-env.sh its entrypoint
    if app.build_mode == "source" and _wrap_processes(app):
        return
    diags.warning(W_ALIAS_DOCKERFILE, f"app '{app.name}' reads "
                  f"{', '.join(a.variable for a in app.aliases)}, which Fly does not set, and its "
                  "start command or entrypoint is not known; run hopper-env.sh as its entrypoint "
                  "(see MIGRATION.md)", app.service.origin,
                  hint=f"COPY {app.folder}/hopper-env.sh into the image and make it the ENTRYPOINT")


def _start_command(svc: Service) -> str | None:
    if svc.runtime.command:
        return exec_line(shell_line(svc.runtime.command))
    if svc.build is not None and svc.build.start_command:
        return exec_line(svc.build.start_command)
    return None


def _wrap_processes(app: App) -> bool:
    """Run each process through hopper-env.sh, shipped with [[files]], when the app keeps its own
    Dockerfile: a process command replaces the image's CMD and keeps its ENTRYPOINT, so the
    image's entrypoint runs ``/bin/sh hopper-env.sh <command>``, which execs the command."""
    members = {"app": app.service, **app.groups}
    if any(s.runtime.entrypoint for s in members.values()):
        return False
    commands: dict[str, str] = {}
    for group, svc in members.items():
        command = app.processes.get(group) or _start_command(svc)
        if not command:
            return False
        commands[group] = f"/bin/sh {SHIM_GUEST_PATH} {command}"
    app.processes = commands
    app.files = ((SHIM_GUEST_PATH, "hopper-env.sh"),)
    return True
