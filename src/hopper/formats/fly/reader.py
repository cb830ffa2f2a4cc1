"""Read a Fly.io setup into the model: ``read(path, options) -> ReadResult``.

A setup is a folder with one or more apps (a ``fly.toml`` per app, at the root or in
subfolders, plus any config a workflow deploys with ``--config``), or a single config file. For
each app hopper reads the config (:mod:`flytoml`), the Dockerfile it builds, the nginx
configuration that Dockerfile copies in, the GitHub workflow steps that deploy it and, when
present, the ``fly-setup.sh`` hopper writes.

Backing resources are not in fly.toml. They are inferred from the best evidence available, in
this order: the setup script (``fly postgres create``/``attach``, ``fly mpg create``/``attach``,
``fly storage create``), then secret and env names an app receives (``DATABASE_URL``,
``AWS_ENDPOINT_URL_S3``, ``BUCKET_NAME``), then a config that is itself a Postgres app. Each
inference is reported as an INFO diagnostic naming the evidence it rests on.

This module finds and loads the apps (refusing what cannot be read safely); :mod:`to_model`
builds the model from them, in layers, each a subclass of the one below: :mod:`to_model_base`
(the state, the services' names, fly-setup.sh's evidence, region and workflows),
:mod:`to_model_service` (one service's build, command, checks, role, scaling, volumes),
:mod:`to_model_wiring` (bindings and routes), and :class:`to_model.ModelBuilder`, which puts
each service together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from hopper.diagnostics import (
    E_INVALID_NAME,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_DEEP,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    E_TOO_MANY_ITEMS,
    Diagnostic,
    Diagnostics,
    InputError,
    LimitError,
    Limits,
    Location,
    Severity,
    error,
)
from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.fly.flytoml_config import E_NO_APP
from hopper.formats.fly.read_apps import NGINX_NOT_CARRIED, W_NGINX_UNREADABLE, FlyApp, load_apps
from hopper.formats.fly.read_layout import Layout, find_layout
from hopper.formats.fly.to_model import ModelBuilder
from hopper.formats.fly.to_model_service import W_NOT_CARRIED
from hopper.shared.dockerfile import E_DOCKERFILE_SYNTAX
from hopper.shared.nginx.config import E_NGINX_INCLUDE_CYCLE, E_NGINX_SYNTAX


def read(path: Path, options: ReadOptions) -> ReadResult:
    limits = options.limits
    layout = find_layout(path, limits, options.variant)
    if not layout.configs:
        terraform = _fly_terraform(path) if path.is_dir() else None
        raise InputError(error(
            E_NO_APP, "no fly.toml found" + (f"; {terraform} describes the apps with the Fly Terraform provider, "
                                             "which hopper does not read" if terraform else ""),
            Location(file="." if path.is_dir() else (path.name or ".")),
            hint="give a folder with fly.toml files (one per app) or a fly.toml"))
    apps, app_diags, failures = load_apps(layout, limits)
    if failures and not apps:
        raise _input_error([d for f in failures for d in f.diagnostics])
    # A reference that leads out of the project, an include cycle and a limit are refused
    # outright, never downgraded to warnings: in CI the project is untrusted, what hopper reads
    # may be published, and the limits are promises.
    escaping = [d for d in (*app_diags, *(d for f in failures for d in f.diagnostics))
                if d.code in _FATAL and d.severity is Severity.ERROR]
    if escaping:
        raise _input_error(escaping)
    if len(apps) > limits.max_services:
        raise LimitError(error(E_TOO_MANY_ITEMS, f"more than {limits.max_services} apps",
                               Location(file=path.name or ".")))
    _check_identifiers(apps)
    _check_total_bytes(layout, apps, limits)
    diags = Diagnostics()
    for failure in failures:
        diags.extend(_as_warnings(failure.diagnostics))
    diags.extend(layout.diagnostics)
    diags.extend(_as_warnings(app_diags))
    if layout.setup is not None:
        diags.extend(layout.setup.diagnostics)
    return ReadResult(model=ModelBuilder(layout, apps, diags, path).build(),
                      diagnostics=tuple(diags))


_FATAL = frozenset({E_OUTSIDE_ROOT, E_TOO_LARGE, E_TOO_MANY_FILES, E_TOO_MANY_ITEMS, E_TOO_DEEP, E_NOT_UTF8,
                    E_NGINX_INCLUDE_CYCLE, E_NGINX_SYNTAX, E_DOCKERFILE_SYNTAX})
_APP_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _fly_terraform(folder: Path) -> str | None:
    """The first ``*.tf`` of ``folder`` that uses the Fly Terraform provider, for the error."""
    for tf in sorted(folder.glob("*.tf")):
        try:
            if tf.is_file() and tf.stat().st_size < 1_000_000 and re.search(
                    r'source\s*=\s*"(?:fly-apps|superfly)/fly"', tf.read_text(encoding="utf-8", errors="replace")):
                return tf.name
        except OSError:
            continue
    return None


def _check_total_bytes(layout: Layout, apps: list[FlyApp], limits: Limits) -> None:
    """Every file the setup was read from, added up, stays under ``max_total_bytes``.

    Each file was already held to ``max_file_bytes`` as it was read; this is the running total
    over fly configs, Dockerfiles, nginx files, workflows and the setup script, in reading order.
    """
    seen: list[Path] = list(layout.configs)
    for app in apps:
        if app.dockerfile is not None:
            seen.append(layout.root / app.dockerfile.file)
        if app.nginx is not None:
            seen.extend(layout.root / f for f in app.nginx.files)
    seen.extend(layout.root / step.workflow for step in layout.workflows)
    if layout.setup is not None:
        seen.append(layout.root / layout.setup.file)
    total = 0
    counted: set[Path] = set()
    for path in seen:
        if path in counted or not path.is_file():
            continue
        counted.add(path)
        total += path.stat().st_size
        if total > limits.max_total_bytes:
            shown = path.relative_to(layout.root).as_posix() if path.is_relative_to(layout.root) else path.name
            raise LimitError(error(E_TOO_LARGE, f"reading {shown} takes the setup over the limit of "
                                   f"{limits.max_total_bytes} bytes in all", Location(file=shown),
                                   hint="raise it with --max-total-bytes"))


def _input_error(diagnostics: list[Diagnostic]) -> InputError:
    """A LimitError when a limit was hit (library callers catch that class), else InputError."""
    limit_codes = (E_TOO_LARGE, E_TOO_MANY_FILES, E_TOO_MANY_ITEMS, E_TOO_DEEP)
    cls = LimitError if any(d.code in limit_codes for d in diagnostics) else InputError
    return cls(diagnostics)


def _check_identifiers(apps: list[FlyApp]) -> None:
    """App names and env names become folder names, TOML keys and shell words downstream:
    refuse the ones Fly itself would refuse before anything is built from them."""
    for app in apps:
        name = app.name
        if name is not None and not _APP_NAME.match(name):
            raise InputError(error(E_INVALID_NAME, f"invalid Fly app name {name!r}",
                                   app.config.location("app"),
                                   hint="Fly app names use lowercase letters, digits and hyphens"))
        for key in (app.config.data.get("env") or {}):
            if not _ENV_NAME.match(str(key)):
                raise InputError(error(E_INVALID_NAME, f"invalid environment variable name {key!r}",
                                       app.config.location("env", key),
                                       hint="names must match [A-Za-z_][A-Za-z0-9_]*"))


def _as_warnings(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors in files around a config (a broken nginx.conf, a Dockerfile) do not stop reading."""
    out = []
    for item in items:
        if item.severity is Severity.ERROR:
            nginx = "nginx" in item.message.lower()
            lost = f"; {NGINX_NOT_CARRIED}" if nginx else ""
            out.append(Diagnostic(code=W_NGINX_UNREADABLE if nginx else W_NOT_CARRIED,
                                  severity=Severity.WARNING,
                                  message=f"skipped: {item.message} [{item.code}]{lost}",
                                  location=item.location, hint=item.hint))
        else:
            out.append(item)
    return out
