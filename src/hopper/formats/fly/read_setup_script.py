"""fly-setup.sh, the one-time provisioning script hopper writes (or one written by hand in the
same style): its ``flyctl`` commands as words, with the script's own variables substituted, plus
the project named in hopper's header and the object-store labels of its comments; and the helpers
that read a command's options.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hopper.diagnostics import Diagnostic, Limits, Location, Severity, code, warning
from hopper.formats.fly.read_paths import inside, rel

W_SETUP_SCRIPT = code("HOP372", Severity.WARNING, "a line of fly-setup.sh could not be read")


@dataclass(frozen=True)
class SetupCommand:
    words: tuple[str, ...]  # after `fly`/`flyctl`, shell variables substituted when known
    location: Location


@dataclass(frozen=True)
class SetupScript:
    file: str
    commands: tuple[SetupCommand, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # What hopper's own comments say: the project the apps are named after, the platform the
    # setup was written from, and each object store's name with the line its section starts at.
    project: str | None = None
    written_from: str | None = None
    store_labels: tuple[tuple[str, int], ...] = ()

    def find(self, *prefix: str) -> Iterator[SetupCommand]:
        for command in self.commands:
            if command.words[:len(prefix)] == prefix:
                yield command


_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def read_setup_script(root: Path, limits: Limits) -> SetupScript | None:
    """The ``fly ...`` commands of ``fly-setup.sh`` (as hopper writes it), with simple
    ``NAME=value`` / ``NAME="${NAME:-value}"`` assignments substituted."""
    path = root / "fly-setup.sh"
    if not path.is_file() or not inside(path, root):
        return None
    shown = rel(path, root)
    raw = path.read_bytes()
    if len(raw) > limits.max_file_bytes:
        return SetupScript(file=shown, diagnostics=(warning(W_SETUP_SCRIPT, "fly-setup.sh is over the size limit; ignored", Location(file=shown)),))
    text = raw.decode("utf-8", errors="replace")
    variables: dict[str, str] = {}
    commands: list[SetupCommand] = []
    diags: list[Diagnostic] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        logical.append((start, buffer + line))
        buffer = ""
    if buffer:
        logical.append((start, buffer))
    project = written_from = None
    store_labels: list[tuple[str, int]] = []
    for number, line in logical:
        stripped = line.strip()
        if stripped.startswith("#") and (match := _HEADER.match(stripped)):
            project, written_from = match.group(1), match.group(2)
        elif stripped.startswith("#") and (match := _STORE_LABEL.match(stripped)):
            store_labels.append((match.group(1), number))
        if not stripped or stripped.startswith("#"):
            continue
        loc = Location(file=shown, line=number)
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError:
            diags.append(warning(W_SETUP_SCRIPT, "unbalanced quotes; line skipped", loc))
            continue
        if not words:
            continue
        if len(words) == 1 and (match := _ASSIGN.match(words[0])):
            variables[match.group(1)] = _substitute(match.group(2), variables)
            continue
        if words[0] == "stage_secrets" and len(words) >= 3:
            # hopper's helper: `stage_secrets APP FOLDER NAME...` runs `flyctl secrets set
            # --stage --app APP NAME=-` per name (the value on stdin), so it reads as that.
            app, names = _substitute(words[1], variables), words[3:]
            commands.append(SetupCommand(
                words=("secrets", "set", "--stage", "--app", app, *(f"{n}=-" for n in names)),
                location=loc))
            continue
        for i, word in enumerate(words):
            if word in ("fly", "flyctl") and i + 1 < len(words):
                rest = tuple(_substitute(w, variables) for w in words[i + 1:])
                commands.append(SetupCommand(words=rest, location=loc))
                break
    return SetupScript(file=shown, commands=tuple(commands), diagnostics=tuple(diags),
                       project=project, written_from=written_from, store_labels=tuple(store_labels))


_HEADER = re.compile(r"^# One-time Fly\.io provisioning for ([a-z0-9][a-z0-9-]*), written by hopper"
                     r"(?: from the ([a-z0-9-]+) setup)?\.")


_STORE_LABEL = re.compile(r"^# Object store ([a-z0-9][a-z0-9-]*) \(Tigris\):")


def _substitute(word: str, variables: dict[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        if name in variables:
            return variables[name]
        return default if default is not None else match.group(0)

    return _VAR.sub(repl, word)


def option(words: tuple[str, ...], *names: str) -> str | None:
    """The value of ``--name VALUE`` / ``--name=VALUE`` / ``-n VALUE`` in a command."""
    for i, word in enumerate(words):
        for name in names:
            if word == name and i + 1 < len(words):
                return words[i + 1]
            if word.startswith(name + "="):
                return word[len(name) + 1:]
    return None


def has_flag(words: tuple[str, ...], *names: str) -> bool:
    return any(w in names for w in words)


def secret_names(words: tuple[str, ...]) -> list[str]:
    """NAME of each NAME=VALUE argument of ``fly secrets set`` (values are never kept)."""
    out = []
    for word in words:
        if word.startswith("-"):
            continue
        name, eq, _ = word.partition("=")
        if eq and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            out.append(name)
    return out
