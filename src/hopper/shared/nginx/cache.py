"""An nginx cache rule (``expires`` and ``Cache-Control`` in a location) as the model's CacheRule:
how long a browser may keep the files. Every reader of an nginx front uses this one reading, so
the same nginx.conf gives the same model whichever platform it came from."""

from __future__ import annotations

import re

from hopper.model import CacheRule
from hopper.shared.nginx.config import CacheRule as NginxCacheRule

# nginx's time units (ngx_parse_time): a bare number is seconds.
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
_MAX = 315360000  # `expires max`: nginx sends a date in 2037 and max-age=315360000 (10 years)


def to_model_cache_rule(rule: NginxCacheRule) -> CacheRule:
    """``Cache-Control: max-age=N`` wins over ``expires``, as the header nginx sends for
    ``expires`` is the same max-age; ``immutable`` only comes from Cache-Control."""
    max_age: int | None = None
    immutable = False
    if rule.cache_control:
        match = re.search(r"max-age=(\d+)", rule.cache_control)
        max_age = int(match.group(1)) if match else None
        immutable = "immutable" in rule.cache_control
    if max_age is None and rule.expires:
        max_age = expires_seconds(rule.expires)
    return CacheRule(pattern=rule.pattern, max_age_s=max_age, immutable=immutable)


def expires_seconds(text: str) -> int | None:
    """The max-age nginx sends for an ``expires`` value; None for one that sets no max-age
    (``off``, ``epoch``, a time of day, or anything not understood)."""
    value = text.strip()
    if value == "max":
        return _MAX
    match = re.fullmatch(r"(\d+)([smhdwMy]?)", value)
    return int(match.group(1)) * _UNITS[match.group(2)] if match else None
