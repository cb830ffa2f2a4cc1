"""Durations and sizes as flyctl reads them (reference flyio.md §1.19, §1.4 duration gotcha).

- Durations are Go ``time.ParseDuration`` strings: ``"1m21s"``, ``"500ms"``, ``"1.5h"``.
- Memory sizes use binary units (docker go-units ``RAMInBytes``): ``"1gb"`` and ``"1g"`` are
  1024 MiB; a bare number is MiB.
- Volume sizes use decimal units (go-units ``FromHumanSize``): ``"30gb"`` is 30 GB; a bare number
  is GB. flyctl truncates to whole GB, so ``"15Mb"`` is 0 GB.
"""

from __future__ import annotations

import re

_DURATION_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_SIZE = re.compile(r"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_SIZE_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}

MIB = 1024 * 1024


def parse_duration(text: str) -> float:
    """Seconds for a Go duration string. Raises ValueError with Go's wording on bad input."""
    body = text
    sign = 1.0
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    pos = 0
    total = 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None:
            if re.match(r"\d*\.?\d*$", body[pos:]):
                raise ValueError(f'time: missing unit in duration "{text}"')
            raise ValueError(f'time: invalid duration "{text}"')
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def format_duration(seconds: float) -> str:
    """A short human form for messages: ``1m21s``, ``500ms``, ``2s``."""
    if seconds == 0:
        return "0s"
    if abs(seconds) < 1:
        millis = seconds * 1000
        return f"{millis:g}ms"
    minutes, secs = divmod(seconds, 60)
    if minutes >= 1 and secs == 0:
        return f"{int(minutes)}m"
    if minutes >= 1:
        return f"{int(minutes)}m{secs:g}s"
    return f"{secs:g}s"


def _size_bytes(text: str, base: int) -> float:
    match = _SIZE.match(text.strip())
    if match is None:
        raise ValueError(f"invalid size: '{text}'")
    try:
        number = float(match.group(1))
    except ValueError:
        raise ValueError(f"invalid size: '{text}'") from None
    power = _SIZE_POWERS[(match.group(2) or "").lower()]
    return number * float(base**power)


def memory_mb(value: object) -> int:
    """MiB for a ``[[vm]] memory`` value. Raises ValueError for unparseable values."""
    if isinstance(value, bool):
        raise ValueError(f"invalid memory size: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value.strip())
        return int(_size_bytes(value, 1024) // MIB)
    raise ValueError(f"invalid memory size: {value!r}")


def volume_gb(value: object) -> int:
    """Whole GB for a mount size value (``initial_size``, ``auto_extend_size_*``)."""
    if isinstance(value, bool):
        raise ValueError(f"invalid size: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value.strip())
        return int(_size_bytes(value, 1000) // 1_000_000_000)
    raise ValueError(f"invalid size: {value!r}")
