"""The one check every writer applies to a custom domain before it reaches a file or a command.

A domain comes from the user's files (``x-hopper.domains``, a Fly ``certs add`` line, a Clever
vhost) and ends up as a command-line argument (``flyctl certs add``, ``clever domain add``) or a
Terraform string. Only a plain DNS name passes: labels of letters, digits and inner hyphens, an
optional leading wildcard label, a final label that starts with a letter. So ``--help``, a name
with a space, a newline or a shell character can never be read as an option or a second word.
"""

from __future__ import annotations

import re

from hopper.diagnostics import E_INVALID_NAME, Location, fail

DOMAIN_RE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
MAX_LENGTH = 253


def check_domain(domain: str, location: Location | None = None) -> str:
    """The domain, lower-cased and without a final dot; a clear error (HOP009) otherwise."""
    name = domain.strip().lower().rstrip(".")
    if len(name) > MAX_LENGTH or not DOMAIN_RE.fullmatch(name):
        raise fail(E_INVALID_NAME, f"domain {domain!r} is not a valid DNS name", location,
                   hint="a custom domain is a host name such as www.example.org")
    return name
