"""Docker Compose variable interpolation (``$VAR``, ``${VAR:-default}``...), rule for rule.

Behaviour checked against ``docker compose config`` (v2.40):

- ``$$`` is a literal ``$``; a ``$`` not followed by ``{``, ``$`` or a name is kept as is.
- ``$NAME`` and ``${NAME}`` (``NAME`` = ``[_A-Za-z][_A-Za-z0-9]*``): unset gives "" and a warning.
- ``${NAME:-default}`` (unset or empty), ``${NAME-default}`` (unset), ``${NAME:+alt}`` (set and
  not empty), ``${NAME+alt}`` (set), ``${NAME:?message}`` (error when unset or empty),
  ``${NAME?message}`` (error when unset).
- The argument runs to the first ``}`` not closing a nested ``${``; it is itself interpolated,
  eagerly, like Compose does (a nested required variable fails even when not used).
- Any other ``${...}`` (``${}``, ``${1}``, ``${A B}``, ``${A:x}``, unclosed) is an invalid template.

Only values are interpolated, never mapping keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hopper._yaml import LocationIndex, Tagged
from hopper.diagnostics import Diagnostics, Location, Severity, code, fail
from hopper.formats.compose.lenient import W_REQUIRED_UNSET

E_INVALID_TEMPLATE = code("HOP110", Severity.ERROR, "a value has an invalid ${...} interpolation")
E_REQUIRED_VARIABLE = code("HOP111", Severity.ERROR, "a required ${VAR:?message} variable is not set")
W_UNSET_VARIABLE = code("HOP112", Severity.WARNING, "an interpolated variable is not set; an empty string is used")

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_OPERATORS = (":-", ":+", ":?", "-", "+", "?")

Path = tuple[str | int, ...]


class TemplateError(Exception):
    """Raised by :func:`substitute`; turned into an InputError with a location by callers."""

    def __init__(self, code_name: str, message: str) -> None:
        super().__init__(message)
        self.code = code_name
        self.message = message


def substitute(text: str, lookup: Callable[[str], str | None],
               on_unset: Callable[[str], None] | None = None,
               on_required: Callable[[str, str], None] | None = None) -> str:
    """Interpolate one string. ``lookup`` returns None for unset variables.

    A required variable (``${X:?msg}``) that is unset raises, unless ``on_required`` is given:
    then it is called with the name and message and the reference gives ``""``."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        j = text.find("$", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        nxt = text[j + 1:j + 2]
        if nxt == "$":
            out.append("$")
            i = j + 2
        elif nxt == "{":
            end = _closing_brace(text, j)
            if end < 0:
                raise TemplateError(E_INVALID_TEMPLATE, f"invalid interpolation format: {text!r}")
            out.append(_braced(text[j + 2:end], text, lookup, on_unset, on_required))
            i = end + 1
        else:
            match = _NAME.match(text, j + 1)
            if match is None:
                out.append("$")  # a lone "$" stays literal, as in Compose
                i = j + 1
                continue
            name = match.group()
            value = lookup(name)
            if value is None:
                if on_unset is not None:
                    on_unset(name)
                value = ""
            out.append(value)
            i = match.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start``, counting nested ``${``."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "}":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "$" and text.startswith("${", i):
            depth += 1
            i += 1
        i += 1
    return -1


def _braced(body: str, whole: str, lookup: Callable[[str], str | None],
            on_unset: Callable[[str], None] | None,
            on_required: Callable[[str, str], None] | None) -> str:
    match = _NAME.match(body)
    if match is None:
        raise TemplateError(E_INVALID_TEMPLATE, f"invalid interpolation format: {whole!r}")
    name = match.group()
    rest = body[match.end():]
    if not rest:
        value = lookup(name)
        if value is None:
            if on_unset is not None:
                on_unset(name)
            return ""
        return value
    op = next((o for o in _OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise TemplateError(E_INVALID_TEMPLATE, f"invalid interpolation format: {whole!r}")
    argument = substitute(rest[len(op):], lookup, on_unset, on_required)
    value = lookup(name)
    if op == ":-":
        return value if value else argument
    if op == "-":
        return argument if value is None else value
    if op == ":+":
        return argument if value else (value or "")
    if op == "+":
        return argument if value is not None else ""
    if (op == ":?" and not value) or (op == "?" and value is None):
        message = f"{name}: {argument}" if argument else f"{name}: required variable is missing a value"
        if on_required is not None:
            on_required(name, message)
            return ""
        raise TemplateError(E_REQUIRED_VARIABLE, message)
    return value or ""


def interpolate_tree(data: Any, index: LocationIndex, lookup: Callable[[str], str | None],
                     diagnostics: Diagnostics, *, warned: set[str] | None = None,
                     on_partial: Callable[[Path, str, list[str]], None] | None = None) -> Any:
    """Interpolate every string value of a loaded document (keys are left alone).

    Errors become InputErrors at the value's ``file:line:col``; each unset variable, plain or
    required (``${X:?msg}``, which Compose refuses), is reported once (at its first use) into
    ``diagnostics`` and gives ``""``: a checkout does not hold the values the operator sets.
    ``on_partial`` is told of every value that used an unset variable (its path, raw text and
    the variables), so that ports and volumes can say which part is unknown.
    """
    seen = warned if warned is not None else set()

    def walk(value: Any, path: Path) -> Any:
        if isinstance(value, str):
            if "$" not in value:
                return value
            pending: list[str] = []
            required: list[tuple[str, str]] = []
            try:
                result = substitute(value, lookup, pending.append,
                                    lambda name, message: required.append((name, message)))
            except TemplateError as exc:
                hint = "write $$ for a literal $" if exc.code == E_INVALID_TEMPLATE else None
                raise fail(exc.code, exc.message, index.nearest(path), hint) from None
            for name, message in required:
                if name not in seen:
                    seen.add(name)
                    diagnostics.warning(
                        W_REQUIRED_UNSET,
                        f"required variable {name} is not set ({message}); hopper keeps it as a "
                        "value the target must receive",
                        index.nearest(path),
                        "Compose refuses to start without it: set it on the target, or pass "
                        "--env-file to convert with its value")
            for name in pending:
                if name not in seen:
                    seen.add(name)
                    diagnostics.warning(
                        W_UNSET_VARIABLE,
                        f"variable {name} is not set; using an empty string",
                        index.nearest(path))
            if (pending or required) and on_partial is not None:
                on_partial(path, value, [*pending, *(n for n, _ in required)])
            return result
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, Tagged):
            return Tagged(value.tag, walk(value.value, path))
        return value

    return walk(data, ())


def mapping_lookup(mapping: Mapping[str, str]) -> Callable[[str], str | None]:
    return mapping.get


def relocate(location: Location, file: str) -> Location:
    return Location(file=file, line=location.line, col=location.col, key=location.key)


# --------------------------------------------------------------------------- references

# Operators whose result is the variable's own value when it has one (``${X:+alt}`` is not).
_VALUE_OPERATORS = frozenset({"", ":-", "-", ":?", "?"})


@dataclass(frozen=True, slots=True)
class EnvRefs:
    """The variables one raw (uninterpolated) env value references: names only, never values.

    ``names``: each variable once, in order of appearance (nested defaults included, so
    ``${A:-${B}}`` gives ``("A", "B")``). ``single``: the value is exactly one reference whose
    result is a variable's value (``$X``, ``${X}``, ``${X:-d}``, ``${X-d}``, ``${X:?err}``); then
    ``names[0]`` is that variable. ``unset``: interpolation used a variable with no value and no
    default, so the interpolated text is not the value the container will get.
    """

    names: tuple[str, ...]
    single: bool
    unset: bool = False


def references(text: str, lookup: Callable[[str], str | None] | None = None) -> EnvRefs | None:
    """The references of ``text``, or None when it has none (``$$`` is an escape, not a
    reference). Never raises: an invalid template (kept as written by ``--no-interpolate``)
    contributes the references found before it. With ``lookup`` (the interpolation
    environment), ``unset`` tells whether the interpolated value lacks a variable's value."""
    if "$" not in text:
        return None
    names: list[str] = []
    segments = _scan(text, names)
    if not names:
        return None
    single = len(segments) == 1 and segments[0] is not None and segments[0][1] in _VALUE_OPERATORS
    unset = lookup is not None and any(seg is not None and _unknown(seg, lookup) for seg in segments)
    return EnvRefs(tuple(dict.fromkeys(names)), single, unset)


# A top-level piece of a template: None for literal text, else (name, operator, argument).
_Segment = tuple[str, str, str] | None


def _scan(text: str, names: list[str]) -> list[_Segment]:
    segments: list[_Segment] = []
    i = 0
    n = len(text)
    while i < n:
        j = text.find("$", i)
        if j < 0:
            segments.append(None)
            break
        if j > i:
            segments.append(None)
        nxt = text[j + 1:j + 2]
        if nxt == "$":
            segments.append(None)
            i = j + 2
            continue
        if nxt == "{":
            end = _closing_brace(text, j)
            match = _NAME.match(text, j + 2) if end >= 0 else None
            rest = text[match.end():end] if match else ""
            op = "" if not rest else next((o for o in _OPERATORS if rest.startswith(o)), None)
            if match is None or op is None:
                segments.append(None)  # invalid: the rest is literal text
                break
            names.append(match.group())
            argument = rest[len(op):]
            if "$" in argument:
                _scan(argument, names)
            segments.append((match.group(), op, argument))
            i = end + 1
            continue
        match = _NAME.match(text, j + 1)
        if match is None:
            segments.append(None)
            i = j + 1
            continue
        names.append(match.group())
        segments.append((match.group(), "", ""))
        i = match.end()
    # Adjacent literal pieces are one piece.
    merged: list[_Segment] = []
    for seg in segments:
        if seg is None and merged and merged[-1] is None:
            continue
        merged.append(seg)
    return merged


def _unknown(segment: tuple[str, str, str], lookup: Callable[[str], str | None]) -> bool:
    """Whether this reference's result depends on a variable that has no value."""
    name, op, argument = segment
    value = lookup(name)
    if op == "":
        return value is None
    if op == ":?":
        return not value  # unset or empty: Compose refuses; hopper warned (HOP142)
    if op == "?":
        return value is None
    if op == ":-":
        chosen = None if value else argument
    elif op == "-":
        chosen = None if value is not None else argument
    elif op == ":+":
        chosen = argument if value else None
    else:  # "+"
        chosen = argument if value is not None else None
    if not chosen or "$" not in chosen:
        return False
    inner: list[str] = []
    return any(seg is not None and _unknown(seg, lookup) for seg in _scan(chosen, inner))
