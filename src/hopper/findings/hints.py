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
    build_secret="as a build secret (in CI, from a repository secret)",
    build_arg="as a build argument",
    keep_private="give it no public address; other services reach it over the private network",
    add_domain="add it to the service on the target",
    health_check="a check that requests {path} and expects 200",
    release_command="the target's release (pre-deploy) command, or a step of the deploy pipeline",
    schedule="with the target's scheduler, or a scheduler service of your own",
    instances="set the minimum instance count to 2",
    memory="a larger instance size",
    keep_running="keep at least one instance running, or turn scale to zero off",
    volume="a persistent volume mounted at the same path",
    volume_scope="check how the target attaches it: to which instance, and in which region",
    database_ha="a plan or setup with a standby replica",
    # A sentence of its own after the action, where the target has a way; else nothing.
    database_near_apps="",
    spa_fallback="serve the index page for unknown paths",
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
