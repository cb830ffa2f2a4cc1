"""Names hopper gives to Fly apps, volumes and secrets, and the checks every name passes.

Every identifier that reaches an emitted file or command goes through here first. Names derived
from the source (service names) are normalised into Fly's alphabet; names the user types
(``--app-prefix``, ``--org``) are validated and refused when they do not fit, never rewritten.
"""

from __future__ import annotations

import re

from hopper import domains
from hopper.diagnostics import E_INVALID_NAME, Diagnostics, Location, Severity, code, fail

E_APP_NAME_CLASH = code("HOP508", Severity.ERROR, "two services would get the same Fly app name")
I_NAME_NORMALISED = code("HOP509", Severity.INFO, "a service name was normalised to fit Fly's app-name rules")

# Fly app names: lowercase letters, digits and hyphens; hopper also requires a letter or digit
# at both ends and at most 63 characters (a DNS label: the name becomes <app>.fly.dev).
APP_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
ORG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# GitHub secret names: letters, digits, underscores; not starting with a digit or GITHUB_.
GH_SECRET_RE = re.compile(r"^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$", re.IGNORECASE)
# Fly volume names: lowercase letters, digits and underscores, at most 30 characters.
VOLUME_MAX = 30


def slug(text: str) -> str:
    """Lowercase letters, digits and single hyphens, no hyphen at either end."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def check_prefix(prefix: str | None) -> str:
    if not prefix:
        return ""
    if not PREFIX_RE.match(prefix):
        raise fail(E_INVALID_NAME, f"--app-prefix {prefix!r} is not a valid start of a Fly app name",
                   hint="use lowercase letters, digits and hyphens, starting with a letter or digit")
    return prefix


def check_org(org: str | None) -> str | None:
    if org is None:
        return None
    if not ORG_RE.match(org):
        raise fail(E_INVALID_NAME, f"--org {org!r} is not a valid Fly organisation slug",
                   hint="use the slug shown by `fly orgs list` (lowercase letters, digits, hyphens)")
    return org


def check_env_name(name: str, what: str, location: Location | None = None) -> str:
    if not ENV_NAME_RE.match(name):
        raise fail(E_INVALID_NAME, f"{what} {name!r} is not a valid environment variable name",
                   location, hint="names must match [A-Za-z_][A-Za-z0-9_]*")
    return name


# Names Compose accepts and fly.toml's free-form [env] table carries as quoted keys
# (`discovery.type`, `db-password`): anything but '=', whitespace and control characters.
PLAIN_ENV_NAME_RE = re.compile(r"^[^=\s\x00-\x1f\x7f]+$")
W_NAME_TRANSLATED = code("HOP590", Severity.WARNING,
                         "a secret name Fly's secret commands and GitHub cannot carry was translated")


def plain_env_name(name: str, location: Location | None = None) -> str:
    """An [env] key: any name fly.toml can quote (dots and hyphens included)."""
    if not PLAIN_ENV_NAME_RE.match(name):
        return check_env_name(name, "env var", location)
    return name


def secret_name(name: str, location: Location | None, diags: Diagnostics, seen: set[str]) -> str:
    """A secret's name as `fly secrets set NAME=...`, shell scripts and GitHub secrets can carry
    it. The documented translation (docs/fly-output.md): every character outside
    ``[A-Za-z0-9_]`` becomes ``_`` and a leading digit gets a ``_`` before it, so ``db-password``
    becomes ``db_password``. Reported once per name (HOP590)."""
    if ENV_NAME_RE.match(name):
        return name
    if not PLAIN_ENV_NAME_RE.match(name):
        return check_env_name(name, "secret", location)
    translated = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if translated[0].isdigit():
        translated = "_" + translated
    if name not in seen:
        seen.add(name)
        diags.warning(W_NAME_TRANSLATED, f"secret '{name}' is set on Fly as '{translated}': Fly secrets, "
                      "shell variables and GitHub secrets take only letters, digits and '_'", location,
                      f"make the app read {translated} (a compose file secret is an env var on Fly)")
    return translated


# One domain check for every writer (hopper.domains); Fly issues wildcard certificates too.
check_domain = domains.check_domain


def check_gh_secret(name: str, location: Location | None = None) -> str:
    check_env_name(name, "build secret", location)
    if not GH_SECRET_RE.match(name):
        raise fail(E_INVALID_NAME, f"build secret {name!r} cannot be a GitHub Actions secret name",
                   location, hint="GitHub reserves names starting with GITHUB_; rename the secret")
    return name


def app_names(project: str, services: list[tuple[str, Location | None]], prefix: str,
              diags: Diagnostics) -> dict[str, str]:
    """``{service name: app name}`` as ``<prefix><project>-<service>``, checked and unique."""
    project_slug = slug(project) or "app"
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for service, loc in services:
        service_slug = slug(service)
        if not service_slug:
            raise fail(E_INVALID_NAME, f"service name {service!r} has no letter or digit to name a Fly app",
                       loc, hint="rename the service")
        if service_slug != service:
            diags.info(I_NAME_NORMALISED,
                       f"service '{service}' is named '{service_slug}' in Fly app names and folders", loc)
        name = f"{prefix}{project_slug}-{service_slug}"
        if len(name) > 63:
            name = name[:63].rstrip("-")
        if not APP_NAME_RE.match(name):
            raise fail(E_INVALID_NAME, f"app name {name!r} does not fit Fly's rules", loc,
                       hint="use a shorter --app-prefix or project name")
        if name in seen:
            raise fail(E_APP_NAME_CLASH,
                       f"services '{seen[name]}' and '{service}' would both become Fly app '{name}'",
                       loc, hint="rename one of the services")
        seen[name] = service
        out[service] = name
    return out


def volume_name(name: str) -> str:
    """A Fly volume name for a model volume name (underscores, lowercase, 30 characters)."""
    cleaned = re.sub(r"_{2,}", "_", re.sub(r"[^a-z0-9]+", "_", name.lower())).strip("_")
    return (cleaned or "data")[:VOLUME_MAX].rstrip("_") or "data"


def secret_env_name(service: str) -> str:
    """The GitHub secret holding one app's deploy token: FLY_API_TOKEN_<SERVICE>."""
    return "FLY_API_TOKEN_" + re.sub(r"[^A-Z0-9]+", "_", service.upper()).strip("_")
