"""Deciding whether a value is a secret, without ever keeping the value: the one detector every
reader calls.

Shapes it recognises: a secret-looking *name* (``API_KEY``, ``DB_PASS``); a URL carrying a
credential in its user part (``postgres://u:pw@h``), in a query parameter (``?token=...``,
``&sig=...``) or in its path (a Slack, Discord, Teams or Telegram webhook; any long random path
segment); a command-line *option* carrying one (``--password X``, ``--requirepass=X``,
``-pX``, ``--token X``); and a long random-looking token (entropy). A reader replaces what it
finds with a :class:`~hopper.model.Secret` name (and a digest), and only the name travels on.
Where a command needs the value at run time, the command keeps a reference, ``${NAME}``, which
:func:`command_refs` finds and each writer expands the way its target really expands variables.
"""

from __future__ import annotations

import math
import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from hopper.diagnostics import Diagnostic, Location, Severity, code, warning

W_COMMAND_SECRET = code("HOP060", Severity.WARNING,
                        "a credential written on a command line was moved to a secret the command reads by name")

# Name fragments that mark a secret. Matched on "_"-separated words of the upper-cased name, so
# KEYBOARD_LAYOUT or MONKEY is not a secret but API_KEY, SECRET_KEY_BASE and DB_PASS are.
_SECRET_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "KEY", "APIKEY",
    "PRIVATE", "CREDENTIALS", "CREDENTIAL", "AUTH", "DSN", "SALT", "CERT", "SIGNING",
    "PASSPHRASE", "COOKIE", "SESSION", "REQUIREPASS", "MASTERAUTH",
})
# Words that, next to KEY, mean a public identifier rather than a secret.
_NOT_SECRET_WITH_KEY = frozenset({"PUBLIC", "PUBLISHABLE", "ID"})
# A last word that makes the name a setting about secrets, not one: MB_PASSWORD_COMPLEXITY,
# PASSWORD_MIN_LENGTH, SESSION_TIMEOUT, TOKEN_TTL hold policies, never credentials.
_SETTING_WORDS = frozenset({"COMPLEXITY", "LENGTH", "POLICY", "TIMEOUT", "TTL", "EXPIRY",
                            "EXPIRES", "EXPIRATION", "LIFETIME", "AGE", "ROUNDS", "ALGORITHM"})
_NON_SECRET_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "CELLAR_ADDON_KEY_ID", "S3_ACCESS_KEY_ID",
                               "NODE_ENV", "PORT"})

_ALNUM = re.compile(r"^[A-Za-z0-9+/=_\-]{24,}$")


def name_looks_secret(name: str) -> bool:
    upper = name.upper()
    if upper in _NON_SECRET_NAMES:
        return False
    words = [w for w in re.split(r"[^A-Z0-9]+", upper) if w]
    if not words:
        return False
    if "KEY" in words and _NOT_SECRET_WITH_KEY.intersection(words):
        return False
    if len(words) > 1 and words[-1] in _SETTING_WORDS:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(w.endswith(("PASSWORD", "SECRET", "TOKEN", "APIKEY")) for w in words)


# Query parameters that carry a credential (lower-cased; "-" and "_" ignored when comparing).
_SECRET_QUERY = frozenset({
    "token", "accesstoken", "authtoken", "apitoken", "key", "apikey", "secret", "clientsecret",
    "password", "pass", "pwd", "sig", "signature", "auth", "credential", "credentials",
    "xamzsignature", "xamzcredential", "xamzsecuritytoken", "code", "hmac", "jwt",
})
# Webhook services whose URL path is the credential: anyone holding it can post.
_WEBHOOK_PATHS = (
    ("hooks.slack.com", "/services/"), ("hooks.slack.com", "/workflows/"),
    ("discord.com", "/api/webhooks/"), ("discordapp.com", "/api/webhooks/"),
    ("webhook.office.com", "/"), ("outlook.office.com", "/webhook"),
    ("api.telegram.org", "/bot"), ("hooks.zapier.com", "/hooks/"), ("maker.ifttt.com", "/trigger/"),
)


def _token_like(part: str, *, min_length: int = 20) -> bool:
    """A random-looking string: long, letters and digits, high entropy."""
    if len(part) < min_length or not re.fullmatch(r"[A-Za-z0-9+/=_\-.~]+", part):
        return False
    has_digit = any(c.isdigit() for c in part)
    has_alpha = any(c.isalpha() for c in part)
    return has_digit and has_alpha and shannon_entropy(part) >= 3.5


def url_has_token(value: str) -> bool:
    """A URL whose query or path carries a credential: ``?token=...``, a webhook path, or a long
    random path segment. (``user:password@`` is :func:`url_has_credentials`.)"""
    stripped = value.strip()
    if "://" not in stripped or any(c.isspace() for c in stripped):
        return False
    try:
        parts = urlsplit(stripped)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not parts.scheme or not host:
        return False
    for key, val in parse_qsl(parts.query, keep_blank_values=True):
        if val and key.lower().replace("-", "").replace("_", "") in _SECRET_QUERY:
            return True
        if val and name_looks_secret(key):
            return True
    for webhook_host, prefix in _WEBHOOK_PATHS:
        if (host == webhook_host or host.endswith("." + webhook_host)) and parts.path.startswith(prefix) \
                and len(parts.path) > len(prefix):
            return True
    return any(_token_like(segment, min_length=24) for segment in parts.path.split("/"))


def url_has_credentials(value: str) -> bool:
    """``scheme://user:password@host`` carries a password (``${VAR}`` placeholders count)."""
    if "://" not in value or "@" not in value:
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return bool(parts.password)


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum((n / total) * math.log2(n / total) for n in counts.values())


def value_looks_secret(value: str) -> bool:
    """A credentialed URL (user part, query or path), or a long random-looking token (high
    entropy, no spaces)."""
    if url_has_credentials(value) or url_has_token(value):
        return True
    stripped = value.strip()
    if _ALNUM.match(stripped) and shannon_entropy(stripped) >= 4.0:
        has_digit = any(c.isdigit() for c in stripped)
        has_alpha = any(c.isalpha() for c in stripped)
        return has_digit and has_alpha
    return False


def looks_secret(name: str, value: str | None) -> bool:
    if name_looks_secret(name):
        return True
    return value is not None and value_looks_secret(value)


def redact_url(value: str) -> str:
    """The URL with its password replaced, for messages that must show where a URL points."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "(unparseable URL)"
    if not parts.password:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


# Command-line options whose argument is a credential (compared lower-cased, without leading
# dashes). Matched as ``--opt VALUE``, ``--opt=VALUE``; the short forms listed in
# _SECRET_SHORT_OPTIONS also as ``-pVALUE`` (mysql's style, where ``-p VALUE`` is not a password).
_SECRET_OPTIONS = frozenset({
    "password", "passwd", "pass", "pw", "pwd", "requirepass", "masterauth", "token", "auth-token",
    "access-token", "api-key", "apikey", "api-token", "secret", "client-secret", "secret-key",
    "auth", "key-secret", "private-key", "passphrase", "db-password", "admin-password",
    "root-password", "access-key-secret", "secret-access-key",
})
_SECRET_SHORT_OPTIONS = frozenset({"p"})
_OPTION = re.compile(r"^(?P<dashes>--?)(?P<name>[A-Za-z][A-Za-z0-9_.-]*)(?:=(?P<value>.*))?$", re.S)
_REFERENCE = re.compile(r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


def _option_is_secret(name: str) -> bool:
    lowered = name.lower().replace("_", "-")
    if lowered in _SECRET_OPTIONS:
        return True
    return name_looks_secret(lowered.replace("-", "_").replace(".", "_"))


def _is_reference(value: str) -> bool:
    """``$NAME`` or ``${NAME}`` alone: already a reference, not a value."""
    match = _REFERENCE.fullmatch(value)
    return match is not None


@dataclass(frozen=True, slots=True)
class CommandSecret:
    """One credential found on a command line: the argv index that holds it, the option that
    named it (for messages and for naming the secret) and, for ``--opt=VALUE`` or ``-pVALUE``,
    the prefix that stays in place."""

    index: int
    option: str
    prefix: str = ""


def command_secrets(argv: Sequence[str], *,
                    holding: Callable[[str], bool] | None = None) -> list[CommandSecret]:
    """Credentials passed on a command line (``--password X``, ``--requirepass=X``, ``-pX``,
    ``--token X``), and arguments that are themselves a secret-looking value (a credentialed
    URL, a random token). References (``$NAME``) are not values and are left alone.

    With ``holding``, the credential *options* whose argument satisfies it instead (a reader's
    test for the user's own variable reference, ``${REDIS_PASSWORD}``): the slots where the
    user already names the secret."""
    def wanted(value: str) -> bool:
        return holding(value) if holding is not None else not _is_reference(value)

    found: list[CommandSecret] = []
    skip_next = False
    for index, arg in enumerate(argv):
        if skip_next:
            skip_next = False
            continue
        if len(arg) > 2 and arg[0] == "-" and arg[1] in _SECRET_SHORT_OPTIONS and arg[2] not in "-=":
            attached = arg[2:]
            # mysql's -pSECRET; not a port (-p3000, -p8080:80) nor a reference.
            if wanted(attached) and not re.fullmatch(r"[0-9.:\[\]-]+(?:/(?:tcp|udp))?", attached):
                found.append(CommandSecret(index, f"-{arg[1]}", prefix=arg[:2]))
            continue
        match = _OPTION.match(arg)
        if match:
            name, value = match["name"], match["value"]
            long_form = match["dashes"] == "--"
            if long_form and _option_is_secret(name):
                if value is None:
                    if index + 1 < len(argv) and not argv[index + 1].startswith("-") \
                            and wanted(argv[index + 1]):
                        found.append(CommandSecret(index + 1, arg))
                    skip_next = True
                elif value and wanted(value):
                    found.append(CommandSecret(index, f"--{name}", prefix=arg[: len(arg) - len(value)]))
                continue
            if holding is None and value and not _is_reference(value) and value_looks_secret(value):
                found.append(CommandSecret(index, f"--{name}" if long_form else f"-{name}",
                                           prefix=arg[: len(arg) - len(value)]))
            continue
        if holding is None and not _is_reference(arg) and value_looks_secret(arg):
            found.append(CommandSecret(index, "(argument)"))
    return found


def secret_name_for_option(owner: str, option: str) -> str:
    """The env name a command-line secret gets on the target: ``<OWNER>_<OPTION>``, e.g.
    ``CACHE_REQUIREPASS`` for ``redis-server --requirepass`` in service ``cache``."""
    word = {"(argument)": "SECRET", "-p": "PASSWORD"}.get(option) or option.lstrip("-").upper()
    raw = f"{owner}_{word}".upper()
    name = re.sub(r"[^A-Z0-9]+", "_", raw).strip("_")
    if not name or name[0].isdigit():
        name = "S_" + name
    if not name_looks_secret(name):
        name += "_SECRET"
    return name


def scrub_command(argv: Sequence[str], owner: str,
                  taken: set[str] | None = None) -> tuple[tuple[str, ...], list[tuple[str, str, str]]]:
    """``argv`` with every credential replaced by a ``${NAME}`` reference, and for each one
    ``(NAME, option, value)`` so the reader can record the Secret (name, digest) -- the value
    goes no further than that digest."""
    out = list(argv)
    moved: list[tuple[str, str, str]] = []
    taken = set() if taken is None else taken  # names already given (shared across one owner's commands)
    for hit in command_secrets(argv):
        name = secret_name_for_option(owner, hit.option)
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        value = argv[hit.index][len(hit.prefix):]
        out[hit.index] = hit.prefix + "${" + name + "}"
        moved.append((name, hit.option, value))
    return tuple(out), moved


def scrub_command_line(line: str, owner: str,
                       taken: set[str] | None = None) -> tuple[str, list[tuple[str, str, str]]]:
    """:func:`scrub_command` for a command written as one shell line (a Fly ``release_command``,
    a Clever Cloud hook). A line that does not split like a shell's is returned unchanged."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = ""
        argv = list(lexer)
    except ValueError:
        return line, []
    scrubbed, moved = scrub_command(argv, owner, taken)
    if not moved:
        return line, []
    # Replace each value where it stands, so the line keeps its own quoting and operators
    # (``&&``, ``;``, pipes); if a value cannot be found as a word, rebuild the line from argv.
    result = line
    for (name, _option, value), hit in zip(moved, command_secrets(argv), strict=True):
        replaced = _replace_word(result, hit.prefix, value, hit.prefix + f'"${{{name}}}"')
        if replaced is None:
            return expanding_shell_line(scrubbed, [n for n, _o, _v in moved], operators=True), moved
        result = replaced
    return result, moved


def _replace_word(line: str, prefix: str, value: str, replacement: str) -> str | None:
    word = prefix + value
    for written in (word, prefix + shlex.quote(value), f'{prefix}"{value}"', f"{prefix}'{value}'",
                    shlex.quote(word), f'"{word}"'):
        pattern = r"(?<![^\s;&|(])" + re.escape(written) + r"(?![^\s;&|)])"
        new, count = re.subn(pattern, lambda _m: replacement, line, count=1)
        if count:
            return new
    return None


def command_refs(argv: Iterable[str], names: Iterable[str]) -> list[str]:
    """The secret names (among ``names``) that ``argv`` refers to as ``${NAME}`` or ``$NAME``."""
    wanted = set(names)
    found: list[str] = []
    for arg in argv:
        for match in _REFERENCE.finditer(arg):
            name = match["braced"] or match["bare"]
            if name in wanted and name not in found:
                found.append(name)
    return found


_SHELL_OPERATORS = frozenset({"&&", "||", ";", "|", "&"})


def expanding_shell_line(argv: Sequence[str], names: Iterable[str], *, dollar: str = "$",
                         operators: bool = False) -> str:
    """One shell line that runs ``argv`` with each ``${NAME}`` reference to ``names`` expanded
    by the shell at run time (double-quoted, so a value with spaces stays one argument); every
    other character is quoted literally. ``dollar="$$"`` for compose, whose own interpolation
    would otherwise fill ``$NAME`` from the host when the file is parsed. ``operators``: the
    argv came from splitting a shell line, so ``&&``, ``;``, ``|`` stay operators."""
    wanted = set(names)
    words: list[str] = []
    for arg in argv:
        if operators and arg in _SHELL_OPERATORS:
            words.append(arg)
            continue
        pieces: list[str] = []
        last = 0
        for match in _REFERENCE.finditer(arg):
            name = match["braced"] or match["bare"]
            if name not in wanted:
                continue
            if match.start() > last:
                pieces.append(shlex.quote(arg[last:match.start()]))
            pieces.append(f'"{dollar}{{{name}}}"')
            last = match.end()
        if last < len(arg) or not pieces:
            pieces.append(shlex.quote(arg[last:]))
        words.append("".join(pieces))
    return " ".join(words)


def expanding_argv(argv: Sequence[str], names: Iterable[str], *, dollar: str = "$") -> tuple[str, ...]:
    """``argv`` for a runtime that executes without a shell (Dockerfile exec-form ``CMD``, Fly
    ``release_command`` and ``[processes]``, compose ``command:``): unchanged when it refers to
    no secret, else ``sh -c '<line>'`` so the reference is expanded in the machine, where the
    secret is set."""
    wanted = list(names)
    if not command_refs(argv, wanted) or _runs_a_shell(argv):
        return tuple(argv)
    return ("sh", "-c", expanding_shell_line(argv, wanted, dollar=dollar))


def moved_secret_warning(owner: str, what: str, option: str, name: str, location: Location | None) -> Diagnostic:
    """The report for a credential :func:`scrub_command` moved: names the option and the new
    secret, never the value."""
    shown = "an argument" if option == "(argument)" else f"the value of {option}"
    return warning(W_COMMAND_SECRET,
                   f"{owner}: {shown} in its {what} is a secret; hopper moved it to the secret {name}, "
                   "which the command now reads from the environment", location,
                   hint=f"set {name} on the target (the value is not copied), and remove it from the {what}")


def secret_refs(argv: Iterable[str]) -> list[str]:
    """The ``${NAME}`` references in ``argv`` whose names look like secrets -- the ones
    :func:`scrub_command` writes (its names always do)."""
    found: list[str] = []
    for arg in argv:
        for match in _REFERENCE.finditer(arg):
            name = match["braced"] or match["bare"]
            if name_looks_secret(name) and name not in found:
                found.append(name)
    return found


def shell_line(argv: Sequence[str]) -> str:
    """``argv`` as one shell line (``shlex.join``), except that references to secrets are
    double-quoted so the shell expands them."""
    refs = secret_refs(argv)
    return expanding_shell_line(argv, refs) if refs else shlex.join(argv)


def exec_line(line: str) -> str:
    """A shell line for a runtime that splits it into words and executes them *without* a shell
    (Fly's ``release_command`` and ``[processes]``): unchanged when it reads no secret, else
    ``sh -c '<line>'``, so that ``"${NAME}"`` is expanded in the Machine, where the secret is
    set, instead of arriving literally."""
    if not secret_refs([line]):
        return line
    try:
        if _runs_a_shell(shlex.split(line)):
            return line
    except ValueError:
        pass
    return shlex.join(("sh", "-c", line))


def _runs_a_shell(argv: Sequence[str]) -> bool:
    """``sh -c ...`` (or bash, with or without a path): references are already expanded."""
    return len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash") and argv[1] == "-c"


def exec_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """:func:`exec_line` for an argv (a Dockerfile exec-form ``CMD``, compose ``command:``)."""
    return expanding_argv(argv, secret_refs(argv))
