"""The platform's own words in a finding's "what to do".

A finding's action in the table names no platform: where the remedy depends on the target, it
holds a placeholder named after a field of :class:`~hopper.formats.base.PlanHints`
(``{set_secrets}``, ``{health_check}``...), and :meth:`Context.emit` fills it with the clause the
target format declares in ``Platform.hints``. A platform that declares none for a purpose gets
the neutral clause below, which holds anywhere and names no platform, so a plan never gives one
platform's command for another.
"""

from __future__ import annotations

import functools
from dataclasses import fields

from hopper.formats import format_names, get_format
from hopper.formats.base import PlanHints

# What holds on any target, said without naming one.
NEUTRAL = PlanHints(
    set_secrets="set it in the target's secret store, never in a committed file",
    build_secret="a build secret of the target's build (in CI, from a repository secret)",
    build_arg="a build argument",
    keep_private="give it no public address; other services reach it over the private network",
    add_domain="on the service that serves it",
    health_check="a check that requests {path} and expects 200",
    release_command="the target's release (pre-deploy) command, or a step of the deploy pipeline",
    schedule="with a scheduler of the target, or one of your own",
    instances="a minimum instance count of 2",
    memory="a larger instance size",
    keep_running="a minimum of running instances, or scale to zero off",
    volume="a persistent volume mounted at {target}",
    spa_fallback="try_files $uri /index.html in the front's nginx configuration",
    database_ha="a plan or setup with a standby replica",
    public_bucket="a bucket policy or public-read ACLs of its provider",
    # Sentences of their own, where the target has something to say; else nothing.
    volume_scope="",
    database_near_apps="",
)

KEYS: tuple[str, ...] = tuple(f.name for f in fields(PlanHints))


@functools.cache
def hints_for(platform: str) -> dict[str, str]:
    """Every hint clause for ``platform`` as the target: its own where it declares one, else the
    neutral one."""
    declared = get_format(platform).platform.hints if platform in format_names() else PlanHints()
    out: dict[str, str] = {}
    for key in KEYS:
        own = getattr(declared, key)
        out[key] = own if own else getattr(NEUTRAL, key)
    return out


def used_in(text: str) -> tuple[str, ...]:
    """The hint placeholders ``text`` holds."""
    return tuple(key for key in KEYS if "{" + key + "}" in text)
