"""``.env`` and ``env_file`` parsing with Compose's dotenv semantics.

Lines are split by python-dotenv's own lexer (``dotenv.parser.parse_stream``), which handles
``export``, quotes, escapes, comments and multi-line values. Values are then interpolated the
Compose way (``$$`` is a literal ``$``, ``${X:?err}`` fails, single-quoted values are literal),
but python-dotenv's interpolation is never used: it reads the *process* environment, so a line
``X=${AWS_SECRET_ACCESS_KEY}`` would copy a CI secret into the output. Here a variable resolves
only from the lines above it in the same file and from the files read before it; anything
else is an "unresolved variable" warning and an empty string.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hopper.diagnostics import Diagnostics, Location, Severity, code, fail
from hopper.formats.compose.interpolation import W_UNSET_VARIABLE, TemplateError, substitute

E_ENV_SYNTAX = code("HOP113", Severity.ERROR, "a line of an env file cannot be parsed")
E_ENV_KEY = code("HOP114", Severity.ERROR, "an environment variable name contains '=', a newline or is empty")

# Where the value starts in the raw line, to tell single-quoted (literal) values apart.
_VALUE_START = re.compile(
    r"""\s*(?:export\s+)?(?:'[^']*'|"[^"]*"|[^=#\s]+)\s*=[ \t]*(?P<q>['"])?""")


@dataclass(frozen=True, slots=True)
class EnvFile:
    """The variables of one env file, in file order, and the line each was set on."""

    values: dict[str, str | None]
    lines: dict[str, int]


def check_env_key(key: str, location: Location | None) -> None:
    """Refuse variable names no platform can carry (``=``, newline, NUL, empty)."""
    if not key or "=" in key or "\n" in key or "\r" in key or "\0" in key:
        raise fail(E_ENV_KEY, f"invalid environment variable name {key!r}", location)


def parse_env(text: str, filename: str, diagnostics: Diagnostics,
              fallback: Mapping[str, str] | None = None,
              warned: set[str] | None = None) -> EnvFile:
    """Parse one env file. ``fallback`` holds variables from env files read earlier.

    A bare ``NAME`` line (no ``=``) gives ``None``: the value comes from the environment at
    run time, which hopper never reads.
    """
    from dotenv.parser import parse_stream  # noqa: PLC0415 - heavy-ish, only for compose

    values: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    seen = warned if warned is not None else set()

    def lookup(name: str) -> str | None:
        if name in values:
            return values[name]
        if fallback is not None:
            return fallback.get(name)
        return None

    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        where = Location(file=filename, line=line, col=1)
        if binding.error:
            raise fail(E_ENV_SYNTAX, "cannot parse this env file line (expected NAME=value)", where)
        key = binding.key
        if key is None:
            continue
        check_env_key(key, where)
        raw = binding.value
        if raw is None:
            values[key] = None
            lines[key] = line
            continue
        start = _VALUE_START.match(binding.original.string)
        quote = start.group("q") if start else None
        if quote == "'":
            value = raw
        else:
            pending: list[str] = []
            try:
                value = substitute(raw, lookup, pending.append)
            except TemplateError as exc:
                raise fail(exc.code, exc.message, where) from None
            for name in pending:
                if f"{filename}\0{name}" not in seen:
                    seen.add(f"{filename}\0{name}")
                    diagnostics.warning(
                        W_UNSET_VARIABLE,
                        f"variable {name} used in {key} is not defined in the env file; "
                        "using an empty string (the process environment is not read)",
                        where)
        values[key] = value
        lines[key] = line
    return EnvFile(values=values, lines=lines)


def layered(environ: Mapping[str, str] | None,
            env_files: list[EnvFile]) -> tuple[dict[str, str], Callable[[str], str | None]]:
    """Compose's interpolation precedence: the process environment over env files, and a
    later env file over an earlier one. Returns the merged mapping and its lookup."""
    merged: dict[str, str] = {}
    for env in env_files:
        for key, value in env.values.items():
            if value is not None:
                merged[key] = value
    if environ:
        merged.update(environ)
    return merged, merged.get
