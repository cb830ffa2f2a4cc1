"""The ``[deploy] release_command`` hopper writes, and how the reader recovers the source's.

Fly runs the release command once per deploy in a temporary Machine built from the new image,
before the app's Machines are updated, with ``[env]``, the secrets and ``RELEASE_COMMAND=1``;
it replaces the image's CMD and keeps its ENTRYPOINT, and it is split like a shell command and
executed without a shell (reference flyio.md §1.4).

Managed Postgres attaches a pooled URL (PgBouncer); migrations should use the direct connection
(flyio.md §8.2: same URL with host ``direct.<cluster>`` instead of ``pgbouncer.<cluster>``). So
for an app attached to Managed Postgres:

* when the app has ``hopper-env.sh`` as its entrypoint, that script switches the URL in the
  release Machine (before it derives the names the app reads);
* when the app keeps its own image and gets ``hopper-env.sh`` through ``[[files]]``, the release
  command runs through it (``/bin/sh /etc/hopper/hopper-env.sh <command>``);
* otherwise the command is wrapped in :data:`DIRECT_URL_WRAPPER`, a ``sh -c`` that sets the
  variable and ``exec``s the command's own words.

``DIRECT_DATABASE_URL``, when set as a secret, wins over the derived direct URL.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hopper.formats.fly.plan_types import App

SHIM = "/etc/hopper/hopper-env.sh"


_OPERATORS = frozenset({"&&", "||", ";", "|", ">", "<", ">>", "&", "(", ")"})


def needs_shell(command: str) -> bool:
    """The command chains or redirects: Fly would pass ``&&`` to the program as an argument."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return True
    return any(t in _OPERATORS for t in tokens) or "$" in command


def for_fly(command: str) -> str:
    """The command as Fly must be given it: ``sh -c '<command>'`` when it needs a shell."""
    return shlex.join(["sh", "-c", command]) if needs_shell(command) else command


def direct_url_script(variable: str) -> str:
    """The shell that points ``variable`` at the direct host, then runs ``"$0" "$@"``."""
    return (f'{variable}="${{DIRECT_DATABASE_URL:-$(printf %s "${variable}" | '
            f'sed "s/@pgbouncer[.]/@direct./")}}" exec "$0" "$@"')


def wrap(command: str, variable: str) -> str:
    """``/bin/sh -c '<direct_url_script>' <command words>``."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = [command]
    return shlex.join(["/bin/sh", "-c", direct_url_script(variable), *words])


def through_shim(command: str) -> str:
    return f"/bin/sh {SHIM} {command}"


def unwrap(text: str) -> str:
    """The source's release command inside what :func:`wrap`, :func:`through_shim` and
    :func:`for_fly` wrote."""
    if text.startswith(f"/bin/sh {SHIM} "):
        text = text[len(f"/bin/sh {SHIM} "):]
    try:
        words = shlex.split(text)
    except ValueError:
        return text
    if len(words) > 3 and words[:2] == ["/bin/sh", "-c"] and words[2].endswith('exec "$0" "$@"') \
            and 'sed "s/@pgbouncer[.]/@direct./"' in words[2]:
        words = words[3:]
        text = shlex.join(words)
    if len(words) == 3 and words[:2] == ["sh", "-c"] and needs_shell(words[2]):
        return words[2]
    return text


def direct_url_variable(app: App, managed: bool) -> str | None:
    """The variable that carries the pooled URL the release command must not use, if any."""
    if not managed or not app.release_command or not app.databases:
        return None
    return app.databases[0][1]


def release_for(app: App, managed: bool) -> str | None:
    """The ``release_command`` written for ``app`` (see the module docstring)."""
    if not app.release_command:
        return None
    command = for_fly(app.release_command)
    if (SHIM, "hopper-env.sh") in app.files:
        return through_shim(command)  # derives the app's names, and the direct URL (below)
    variable = direct_url_variable(app, managed)
    if variable is None or (app.needs_shim and app.build_mode == "node"):
        return command  # hopper-env.sh is the ENTRYPOINT and switches the URL itself
    return wrap(command, variable)
