"""The names of the files the Fly set adds to a repository, and where each one goes.

The set is laid out as the repository's root, and until the cut-over the source setup (a
compose project, a Clever Cloud app) keeps running from the same repository. So no file of the
set may take the place of one the source uses: hopper's files carry names of their own, which
fly.toml names (flyctl resolves ``[build] dockerfile`` and ``ignorefile`` relative to the
fly.toml folder, reference flyio.md §1 "[build]"), and the generated Dockerfile COPYs the nginx
configuration from its own name to where nginx reads it.

- ``Dockerfile.fly`` beside the app's ``Dockerfile`` (compose keeps building that one);
- ``Dockerfile.fly.dockerignore`` beside the source's ``.dockerignore``: fly.toml names it in
  ``[build] ignorefile``, and BuildKit also takes ``<Dockerfile>.dockerignore`` as the ignore
  file of that Dockerfile, so ``docker build -f <folder>/Dockerfile.fly .`` keeps the same files
  out of the context;
- ``nginx.fly.conf`` beside the front's ``nginx.conf``;
- ``crontab.fly`` (the schedules supercronic runs, shipped with ``[[files]]``) beside any
  ``crontab`` of the source.

``fly.toml``, ``hopper-env.sh``, ``fly-setup.sh`` and the ``fly-deploy-*`` workflows are hopper's
own names: a repository has them only from an earlier conversion.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from hopper.model import Checkout

DOCKERFILE = "Dockerfile.fly"
IGNOREFILE = "Dockerfile.fly.dockerignore"
NGINX_CONF = "nginx.fly.conf"
CRONTAB = "crontab.fly"
RUNBOOK = "MIGRATION.md"

# The file of the source setup each of hopper's files sits beside (same folder).
_SOURCE_COUNTERPART = {DOCKERFILE: "Dockerfile", IGNOREFILE: ".dockerignore", NGINX_CONF: "nginx.conf",
                       CRONTAB: "crontab"}


def placements(paths: Iterable[str], checkout: Checkout | None,
               builds: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``(path, what it does in the repository)`` for every file of the set but the runbook.

    The set's paths are the repository's (the set is laid out as its root). With the source's
    files known (``checkout``, seen at load time), the note says which file of the source each
    one sits beside, and says so plainly when a path already exists there (only hopper's own
    names should: an earlier set). ``builds`` maps a fly.toml to the repository's own
    Dockerfile it builds, which it names and the set does not carry."""
    existing = frozenset(checkout.files) if checkout is not None else frozenset()
    out: list[tuple[str, str]] = []
    for path in sorted(paths):
        if path == RUNBOOK:
            continue
        folder, name = posixpath.split(path)
        if path in existing:
            out.append((path, f"**replaces** your `{path}`"))
            continue
        counterpart = _SOURCE_COUNTERPART.get(name)
        other = posixpath.join(folder, counterpart) if counterpart else None
        if other is not None and other in existing:
            out.append((path, f"new file, beside your `{other}`, which stays as it is"))
        elif builds and path in builds:
            out.append((path, f"new file; it builds your `{builds[path]}` as it is"))
        else:
            out.append((path, "new file"))
    return out
