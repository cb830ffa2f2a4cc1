"""Machine counts a Fly setup states: ``flyctl scale count`` and ``flyctl deploy --ha=false`` in
fly-setup.sh (as hopper's writer emits them). Without either, the model keeps no count, and the
cost estimate applies flyctl's first-deploy rule (flyio.md §1.22)."""

from __future__ import annotations

import posixpath

from hopper.diagnostics import Location
from hopper.formats.fly.read_apps import FlyApp
from hopper.formats.fly.read_layout import Layout
from hopper.formats.fly.read_setup_script import option
from hopper.formats.fly.read_workflows import setup_deploy_step


def stated_counts(layout: Layout, apps: list[FlyApp],
                  origins: dict[str, dict[str, Location]] | None = None) -> dict[str, dict[str, int]]:
    """Fly app name -> process group ("app" for the app's own) -> Machines; ``origins`` gets
    the command each count comes from (for the plan's locations)."""
    out: dict[str, dict[str, int]] = {}
    where: dict[str, dict[str, Location]] = origins if origins is not None else {}
    for app in apps:
        single = next((step for step in app.deploys if step.single), None)
        if app.config.app and single is not None:
            out.setdefault(app.config.app, {})["app"] = 1
            where.setdefault(app.config.app, {})["app"] = single.location
    setup = layout.setup
    if setup is None:
        return out
    by_config = {posixpath.normpath(f"{a.folder}/fly.toml"): a.config.app for a in apps}
    for command in setup.find("deploy"):
        if "--ha=false" not in command.words:
            continue
        step = setup_deploy_step(command.words, command.location)
        name = step.app or (by_config.get(posixpath.normpath(step.config)) if step.config else None)
        if name:
            out.setdefault(name, {})["app"] = 1
            where.setdefault(name, {})["app"] = command.location
    for command in setup.find("scale", "count"):
        name = option(command.words, "-a", "--app")
        if not name:
            continue
        for word in command.words[2:]:
            group, _, number = word.rpartition("=") if "=" in word and not word.startswith("-") else ("app", "", word)
            if number.isdigit() and (group == "app" or not group.startswith("-")):
                out.setdefault(name, {})[group or "app"] = int(number)
                where.setdefault(name, {})[group or "app"] = command.location
    return out
