#!/usr/bin/env python3
"""A flyctl stand-in for tests: resolves paths the way flyctl does, and touches no network.

``flyctl deploy [DIR] [--config PATH] ...`` (flyctl's internal/command/deploy, reference
flyio.md §1.3 and §6.3):

1. changes into DIR when given (the build context);
2. reads the config at PATH *relative to that directory* (``fly.toml`` when no --config; a
   directory means ``<dir>/fly.toml``);
3. resolves ``[build] dockerfile`` and ``ignorefile`` and ``[[files]] local_path`` relative to the
   config's folder (a Dockerfile defaults to ``Dockerfile`` in the working directory);
4. sends the working directory as the build context: every ``COPY``/``ADD`` source of the
   Dockerfile (outside ``--from``) must exist there.

Each resolved path is appended to ``$FLYCTL_STANDIN_LOG`` when set. Any other command succeeds
and prints what a fresh organization would show (no apps, no secrets, no addresses), except
``status``, which fails as for an app that does not exist yet.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tomllib
from pathlib import Path

WITH_VALUE = {"-c", "--config", "-a", "--app", "--build-secret", "--build-arg", "--image", "-i",
              "--dockerfile", "--ignorefile", "-e", "--env", "-r", "--region", "--strategy",
              "--wait-timeout", "--build-target", "--label", "--image-label"}


def fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


def log(line: str) -> None:
    target = os.environ.get("FLYCTL_STANDIN_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def copy_sources(dockerfile: Path) -> list[str]:
    """The build-context sources of each COPY/ADD without --from (joined continuation lines)."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    out: list[str] = []
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if len(words) < 2 or words[0].upper() not in ("COPY", "ADD"):
            continue
        rest = words[1]
        flags: list[str] = []
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            flags.append(flag)
            rest = rest.lstrip()
        if any(f.startswith("--from") for f in flags):
            continue
        items = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        out.extend(i for i in items[:-1] if "$" not in i and not any(c in i for c in "*?["))
    return out


def deploy(args: list[str]) -> int:
    values: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--") and "=" in word:
            key, _, value = word.partition("=")
            values[key] = value
        elif word in WITH_VALUE:
            values[word] = args[i + 1] if i + 1 < len(args) else ""
            i += 1
        elif not word.startswith("-"):
            positional.append(word)
        i += 1
    if positional:
        if not Path(positional[0]).is_dir():
            return fail(f"chdir {positional[0]}: no such file or directory")
        os.chdir(positional[0])
    context = Path.cwd()
    config = Path(values.get("--config") or values.get("-c") or "fly.toml")
    if config.is_dir():
        config = config / "fly.toml"
    if not config.is_file():
        return fail(f"failed loading app config from {config}: open {config}: no such file or directory")
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    base = config.parent
    build = data.get("build") or {}
    log(f"config={config.resolve()}")
    log(f"context={context}")
    for entry in data.get("files") or []:
        local = entry.get("local_path")
        if local and not (base / local).is_file():
            return fail(f"[[files]] local_path {base / local} does not exist")
    if build.get("image") or values.get("--image") or values.get("-i"):
        return 0
    dockerfile = base / build["dockerfile"] if build.get("dockerfile") else Path(values.get("--dockerfile", "Dockerfile"))
    if not dockerfile.is_file():
        return fail(f"dockerfile '{dockerfile}' not found")
    log(f"dockerfile={dockerfile.resolve()}")
    if build.get("ignorefile"):
        ignore = base / build["ignorefile"]
        if not ignore.is_file():
            return fail(f"ignorefile '{ignore}' not found")
        log(f"ignorefile={ignore.resolve()}")
    for source in copy_sources(dockerfile):
        if not (context / source).exists():
            return fail(f"failed to compute cache key: \"/{source.lstrip('/')}\": not found "
                        f"(build context {context})")
    return 0


def main(argv: list[str]) -> int:
    log("argv=" + shlex.join(argv))
    if argv[:1] == ["deploy"]:
        return deploy(argv[1:])
    if argv[:1] == ["status"]:
        return fail("Could not find App")
    if argv[:2] in (["secrets", "list"], ["certs", "list"]):
        print("NAME\tDIGEST\tSTATUS")
        return 0
    if argv[:2] in (["ips", "list"], ["mpg", "list"]):
        return 0
    if argv[:2] in (["secrets", "import"], ["secrets", "set"]):
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
