"""``hopper validate``: an offline check of a Fly setup.

Three layers, each a list of diagnostics with a code in the HOP3xx range:

1. loading (:mod:`flytoml`): syntax, wrong types (flyctl refuses the file at deploy), unknown
   keys with did-you-mean (flyctl silently ignores them);
2. flyctl's own ``Validate()`` rules (reference flyio.md §1.21), with flyctl's wording where it
   helps a search, plus the platform's deploy-time rules hopper can check offline (regions,
   memory sizes, suspend limits);
3. cross-checks between the files of one setup: the port each app listens on (Dockerfile
   ``EXPOSE``, ``[env] PORT``, nginx ``listen``) against ``internal_port``; build secrets
   between Dockerfiles and workflows; nginx upstreams against the apps of the setup, Flycast
   against ``force_https``, ``.internal`` against autostop.

This module runs them in order. The rules for one config are grouped by topic —
:mod:`validate_config` (commands, deploy, build, region, env, statics and files),
:mod:`validate_services` (services and checks), :mod:`validate_machines` (VM sizes, mounts,
restart policies) — and the cross-checks by scope: :mod:`validate_app_files` (one app's files),
:mod:`validate_setup` (across apps), :mod:`validate_first_deploy`, :mod:`validate_packages` and
:mod:`validate_setfiles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    Diagnostic,
    HopperError,
    Limits,
    Location,
    Severity,
    code,
    error,
    warning,
)
from hopper.formats.fly.flytoml_config import E_NO_APP, FlyConfig
from hopper.formats.fly.read_apps import load_apps
from hopper.formats.fly.read_layout import Layout, find_layout
from hopper.formats.fly.read_units import format_duration
from hopper.formats.fly.read_workflows import (
    config_read_inside_directory,
    misread_error,
    setup_deploy_step,
)
from hopper.formats.fly.validate_app_files import check_app_files
from hopper.formats.fly.validate_config import (
    check_build,
    check_commands,
    check_deploy,
    check_env,
    check_region,
    check_statics_files,
    process_groups,
)
from hopper.formats.fly.validate_first_deploy import first_deploy_checks
from hopper.formats.fly.validate_machines import check_mounts, check_restart, check_vms
from hopper.formats.fly.validate_packages import package_manager_checks
from hopper.formats.fly.validate_services import check_services, check_top_checks
from hopper.formats.fly.validate_setfiles import check_set_files
from hopper.formats.fly.validate_setup import check_setup

W_LAZY_LOAD = code("HOP331", Severity.WARNING, "experimental.lazy_load_images is no longer supported")
W_KILL_TIMEOUT = code("HOP349", Severity.WARNING, "kill_timeout over Fly's 300 s maximum")


def validate_path(path: Path, limits: Limits = DEFAULT_LIMITS,
                  source: Path | None = None) -> tuple[Diagnostic, ...]:
    """Every finding for the Fly setup at ``path``: a folder of apps or one config file.

    ``source`` is the repository the set is meant for (hopper writes a set laid out as the
    repository's root): a file the set refers to but does not carry (the app's own Dockerfile,
    the code it builds) is read from there."""
    try:
        layout = find_layout(path, limits)
    except HopperError as exc:
        return exc.diagnostics
    diags: list[Diagnostic] = list(layout.diagnostics)
    if layout.setup is not None:
        diags.extend(layout.setup.diagnostics)
    diags.extend(check_setup_deploys(layout))
    if not layout.configs:
        diags.append(error(E_NO_APP, "no fly.toml found", Location(file=str(path)),
                           hint="give a folder with fly.toml files (one per app) or a fly.toml"))
        return _finish(diags)
    apps, app_diags, failures = load_apps(layout, limits, source)
    diags.extend(app_diags)
    for failure in failures:
        diags.extend(failure.diagnostics)
    for app in apps:
        diags.extend(check_config(app.config))
        diags.extend(check_app_files(app))
        diags.extend(first_deploy_checks(app, layout.root))
        diags.extend(package_manager_checks(app, layout.root, source))
    diags.extend(check_setup(apps, layout.root, source))
    hopper_set = layout.setup is not None and layout.setup.project is not None
    diags.extend(check_set_files(apps, layout.root, source, limits, hopper_set))
    return _finish(diags)


def check_setup_deploys(layout: Layout) -> list[Diagnostic]:
    """Each ``flyctl deploy`` of fly-setup.sh finds its config the way flyctl resolves it."""
    out: list[Diagnostic] = []
    if layout.setup is None:
        return out
    for command in layout.setup.find("deploy"):
        step = setup_deploy_step(command.words, command.location)
        misread = config_read_inside_directory(step.directory, step.config_written, layout.root)
        if misread is not None:
            out.append(misread_error(misread, command.location))
    return out


def _finish(diags: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    unique = {(d.code, d.message, str(d.location), d.severity): d for d in diags}
    return tuple(sorted(unique.values(), key=lambda d: d.sort_key()))


# ----------------------------------------------------------------------------- one config


def check_config(cfg: FlyConfig) -> list[Diagnostic]:
    """flyctl's Validate() rules and the platform rules hopper checks for one config."""
    out: list[Diagnostic] = []
    data = cfg.data
    if not cfg.app:
        out.append(error(E_NO_APP, "the config for your app is missing an app name, add an app "
                         "field to the fly.toml file or specify with the -a flag",
                         Location(file=cfg.path, line=1, col=1) if cfg.locations else Location(file=cfg.path),
                         hint="add app = '<name>' at the top"))
    groups = process_groups(cfg, out)
    check_commands(cfg, out)
    check_deploy(cfg, out)
    check_build(cfg, out)
    check_services(cfg, groups, out)
    check_top_checks(cfg, groups, out)
    check_mounts(cfg, groups, out)
    check_restart(cfg, groups, out)
    check_vms(cfg, groups, out)
    check_region(cfg, out)
    check_env(cfg, out)
    check_statics_files(cfg, groups, out)
    experimental = data.get("experimental") or {}
    if "lazy_load_images" in experimental:
        out.append(warning(W_LAZY_LOAD, "lazy_load_images is no longer supported (the overlaybd "
                           "platform feature was removed May 2025). Remove it from fly.toml.",
                           cfg.location("experimental", "lazy_load_images")))
    kill_timeout = data.get("kill_timeout")
    if isinstance(kill_timeout, float) and kill_timeout > 300:
        out.append(warning(W_KILL_TIMEOUT, f"kill_timeout {format_duration(kill_timeout)} is over "
                           "Fly's maximum of 300 s", cfg.location("kill_timeout")))
    return out
