"""Upstash Redis databases a Fly setup creates (``flyctl redis create --name X`` in fly-setup.sh,
as hopper writes it for ``convert --redis upstash``), read back as the Redis service they stand
for, so that a plan pairs the source's Redis with it instead of reporting it removed."""

from __future__ import annotations

from hopper.formats.fly.read_setup_script import SetupScript, option
from hopper.model import Role, Runtime, Service

REDIS_PORT = 6379  # Upstash Redis speaks the Redis protocol on its usual port


def upstash_services(setup: SetupScript | None, app_prefix: str, taken: set[str]) -> list[Service]:
    """One generic Redis service per ``flyctl redis create``, named like the app it replaces
    (``app_prefix`` -- ``<prefix><project>-`` -- removed)."""
    if setup is None:
        return []
    out: list[Service] = []
    for command in setup.find("redis", "create"):
        fly_name = option(command.words, "--name", "-n")
        if not fly_name:
            continue
        name = fly_name.removeprefix(app_prefix) if app_prefix and fly_name.startswith(app_prefix) else fly_name
        if not name or name in taken:
            continue
        taken.add(name)
        out.append(Service(name=name, role=Role.GENERIC, image="redis", runtime=Runtime(port=REDIS_PORT),
                           extensions={"fly": {"upstash": fly_name}}, origin=command.location))
    return out
