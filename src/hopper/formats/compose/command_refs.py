"""Credentials a compose command takes from the user's own variables.

``command: redis-server --requirepass ${REDIS_PASSWORD}`` names its secret: ``REDIS_PASSWORD``.
Compose interpolates the reference on the host before anything else sees the command, so a
reader working on the interpolated command finds either the value (from ``.env``: it would move
it to a made-up name, ``CACHE_REQUIREPASS``) or nothing at all (unset: the word vanishes and the
option loses its argument). So, before interpolation, :func:`protect` rewrites each reference
that is the argument of a credential option (``--requirepass``, ``--password=``, ``-p``: the
options :func:`hopper.secrets.command_secrets` knows) as the escaped ``$${NAME}``; interpolation
then leaves ``${NAME}`` in the command, and :func:`references_in` tells the reader which secrets
the command reads by the user's names. A literal value still gets a made-up name (the reader's
``scrub_command``).

A default (``${REDIS_PASSWORD:-changeme}``) is the development value of the same secret: the
reference keeps the name and drops the default, which is not copied anywhere.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from hopper._yaml import Tagged
from hopper.diagnostics import Severity, code
from hopper.formats.compose.interpolation import references
from hopper.secrets import command_secrets, name_looks_secret

I_COMMAND_SECRET_REF = code("HOP196", Severity.INFO,
                            "a credential on a compose command comes from the user's own variable, which stays its secret's name")

_KEYS = ("command", "entrypoint")
_PLAIN_REFERENCE = re.compile(r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


def _user_reference(word: str) -> str | None:
    """The variable a raw word is exactly one reference to (``${X}``, ``$X``, ``${X:-d}``,
    ``${X:?err}``), else None."""
    found = references(word)
    return found.names[0] if found is not None and found.single else None


def _credential(option: str, name: str | None) -> bool:
    """``-p${X}`` is mysql's password only when X is named like one (``-p${PORT}`` is a port)."""
    return name is not None and (option != "-p" or name_looks_secret(name))


def _words(value: Any) -> list[str] | None:
    if isinstance(value, Tagged):
        value = value.value
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return None  # the canonical pass reports it
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def protect(services: Any) -> None:
    """Rewrite, in the raw (uninterpolated) ``services`` mapping, each credential option's
    reference to the user's variable as ``$${NAME}``, so that interpolation keeps the name."""
    if not isinstance(services, dict):
        return
    for service in services.values():
        if not isinstance(service, dict):
            continue
        for key in _KEYS:
            value = service.get(key)
            words = _words(value)
            if not words:
                continue
            slots = [slot for slot in command_secrets(words, holding=lambda w: _user_reference(w) is not None)
                     if _credential(slot.option, _user_reference(words[slot.index][len(slot.prefix):]))]
            if not slots:
                continue
            inner = value.value if isinstance(value, Tagged) else value
            if isinstance(inner, list):
                for slot in slots:
                    name = _user_reference(words[slot.index][len(slot.prefix):])
                    inner[slot.index] = f"{slot.prefix}$${{{name}}}"
                continue
            text = inner
            assert isinstance(text, str)
            for slot in slots:
                raw = words[slot.index][len(slot.prefix):]
                name = _user_reference(raw)
                # The reference as written in the line (shlex removed only quotes around it).
                text = text.replace(raw, f"$${{{name}}}")
            service[key] = Tagged(value.tag, text) if isinstance(value, Tagged) else text


def references_in(argv: list[str]) -> list[tuple[str, str]]:
    """``(option, NAME)`` for each credential option of an interpolated command whose argument
    is a reference ``${NAME}`` (what :func:`protect` left, or the user's own ``$${NAME}``)."""
    out: list[tuple[str, str]] = []
    for slot in command_secrets(argv, holding=lambda w: _PLAIN_REFERENCE.fullmatch(w) is not None):
        match = _PLAIN_REFERENCE.fullmatch(argv[slot.index][len(slot.prefix):])
        assert match is not None
        name = match["braced"] or match["bare"]
        if _credential(slot.option, name):
            out.append((slot.option, name))
    return out
