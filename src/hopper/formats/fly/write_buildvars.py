"""Public build-time values: where a front's ``VITE_*``, ``NEXT_PUBLIC_*``... go on Fly.

A bundler inlines these names into the static files when the front is built
(``mappings/env-platform-prefixes.toml`` [bundler]): the value ships to every browser. So:

* they are **build arguments**, never runtime ``[env]`` (the bundle was built before the
  Machine starts, so a runtime value never reaches it) and never secrets (a build secret
  protects nothing once the value is in the public bundle);
* a value the source states in plain goes to ``[build.args]`` in fly.toml; one the source keeps
  as a secret (or only the code names) comes from the GitHub *variable* of the same name, passed
  as ``--build-arg NAME=$NAME`` by the workflow and the setup script;
* only values used during the build and not shipped (``NPM_TOKEN``, ``SENTRY_AUTH_TOKEN``) stay
  build secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hopper.diagnostics import Diagnostics, Severity, code

if TYPE_CHECKING:
    from hopper.formats.fly.plan_types import App

I_PUBLIC_BUILD = code("HOP552", Severity.INFO, "a public build-time value of the front becomes a build argument")


def is_public_build_name(name: str) -> bool:
    """A name a front-end bundler inlines into the built files (VITE_, NEXT_PUBLIC_...)."""
    from hopper.envscan.classify import bundler_of  # noqa: PLC0415

    return bundler_of(name) is not None


def place_public_values(app: App, diags: Diagnostics) -> None:
    """Move the app's public build-time values to build arguments (see the module docstring)."""
    svc = app.service
    where = (svc.build.origin if svc.build else None) or svc.origin
    builds = app.build_mode in ("front", "node") and svc.build is not None
    moved: list[str] = []
    if builds and svc.build is not None:
        for name, value in sorted(svc.build.args.items()):
            if is_public_build_name(name):
                app.build_args[name] = value
    if builds:
        for name in sorted(app.build_secrets):
            if is_public_build_name(name):
                moved.append(f"{name} (a build secret in the source)")
        app.build_secrets = tuple(n for n in app.build_secrets if not is_public_build_name(n))
        app.build_vars = tuple(sorted({*app.build_vars, *(m.split(" ")[0] for m in moved)}))
    if app.kind == "front" and builds:
        for name in sorted(app.env):
            if is_public_build_name(name):
                app.build_args[name] = app.env.pop(name)
                moved.append(f"{name} (runtime env in the source)")
        for name in sorted(app.runtime_secrets):
            if is_public_build_name(name):
                moved.append(f"{name} (a runtime secret in the source)")
        public_secrets = {n for n in app.runtime_secrets if is_public_build_name(n)}
        app.runtime_secrets = tuple(n for n in app.runtime_secrets if n not in public_secrets)
        app.build_vars = tuple(sorted({*app.build_vars, *public_secrets}))
    # A value stated in plain wins over the CI variable of the same name.
    app.build_vars = tuple(n for n in app.build_vars if n not in app.build_args)
    for entry in moved:
        name = entry.split(" ")[0]
        source = (f"[build.args] {name} = '{app.build_args[name]}'" if name in app.build_args
                  else f"--build-arg from the GitHub variable {name}")
        diags.info(I_PUBLIC_BUILD, f"app '{app.name}': {entry} is inlined into the built files, so it is "
                   f"public and needed when the image is built: it becomes a build argument ({source}), "
                   "neither runtime [env] nor a secret", where)
