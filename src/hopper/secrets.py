"""Deciding whether an env var holds a secret, without ever keeping the value.

Used by every reader: a value that looks secret is replaced by a :class:`~hopper.model.Secret`
name (and a digest), and only its name travels on.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import urlsplit

# Name fragments that mark a secret. Matched on "_"-separated words of the upper-cased name, so
# KEYBOARD_LAYOUT or MONKEY is not a secret but API_KEY, SECRET_KEY_BASE and DB_PASS are.
_SECRET_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "KEY", "APIKEY",
    "PRIVATE", "CREDENTIALS", "CREDENTIAL", "AUTH", "DSN", "SALT", "CERT", "SIGNING",
    "PASSPHRASE", "COOKIE", "SESSION",
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
    """A credentialed URL, or a long random-looking token (high entropy, no spaces)."""
    if url_has_credentials(value):
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
