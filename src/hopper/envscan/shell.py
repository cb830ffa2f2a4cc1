"""Env var reads in Dockerfiles and shell scripts.

Shell: every ``$X`` and ``${X...}`` expansion outside single quotes and comments, except the
shell's own variables and names the script assigned on an earlier line (a script that sets
``X=1`` and later reads ``$X`` does not need ``X`` from the platform). Quoted here-documents
(``<<'EOF'``) are not expanded, so they are skipped.

Dockerfile: ``ARG X`` is a build-time input. ``$X`` in a build instruction is read at build time,
unless the Dockerfile itself set ``X`` with ``ARG`` or ``ENV`` (that is internal). In the shell
form of ``CMD``/``ENTRYPOINT`` the expansion happens when the container starts: a runtime read.
``RUN --mount=type=secret,id=X`` and ``/run/secrets/X`` are build-secret reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Variables every POSIX shell or bash sets itself; reading them says nothing about the platform.
SHELL_VARIABLES = frozenset({
    "PATH", "HOME", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "IFS", "PS1", "PS2", "PS4",
    "RANDOM", "LINENO", "SECONDS", "TERM", "HOSTNAME", "UID", "EUID", "PPID", "OPTARG", "OPTIND",
    "SHLVL", "BASH", "BASH_SOURCE", "BASH_VERSION", "BASH_REMATCH", "FUNCNAME", "PIPESTATUS",
    "REPLY", "HOSTTYPE", "OSTYPE", "MACHTYPE", "GROUPS", "TMPDIR", "LANG", "LC_ALL",
    # Dockerfile predefined platform args (BuildKit)
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
    "BUILDARCH", "BUILDVARIANT",
})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = re.compile(
    r"(?:^|[;&|(]\s*|\b(?:export|local|readonly|declare(?:\s+-\w+)*)\s+)([A-Za-z_][A-Za-z0-9_]*)=")
_FOR_READ = re.compile(r"\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]*)")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_SECRET_FILE = re.compile(r"/run/secrets/([A-Za-z_][A-Za-z0-9_]*)")
_SECRET_MOUNT = re.compile(r"--mount=[^\s]*type=secret[^\s]*")
_MOUNT_ID = re.compile(r"(?:^|,)id=([A-Za-z_][A-Za-z0-9_]*)")
_MOUNT_ENV = re.compile(r"(?:^|,)env=([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class ShellRead:
    name: str
    line: int
    build_time: bool = False


def expansions(text: str, first_line: int = 1) -> list[tuple[str, int]]:
    """``(name, line)`` of every parameter expansion in shell ``text``.

    Single quotes, comments and quoted here-document bodies are skipped; ``$$``, ``$1``, ``$@``
    and the like are not names.
    """
    found: list[tuple[str, int]] = []
    lines = text.split("\n")
    skip_until: str | None = None  # the delimiter of a quoted here-document being skipped
    literal_until: str | None = None  # an unquoted here-document: expand, but no quoting rules
    in_single = False
    for offset, line in enumerate(lines):
        lineno = first_line + offset
        if skip_until is not None:
            if line.strip() == skip_until:
                skip_until = None
            continue
        if literal_until is not None:
            if line.strip() == literal_until:
                literal_until = None
                continue
            found.extend((m.group(1) or m.group(2), lineno)
                         for m in re.finditer(r"\$(?:\{#?([A-Za-z_]\w*)|([A-Za-z_]\w*))", line))
            continue
        i = 0
        in_double = False
        while i < len(line):
            ch = line[i]
            if in_single:
                if ch == "'":
                    in_single = False
                i += 1
                continue
            if ch == "\\":
                i += 2
                continue
            if ch == "'" and not in_double:
                in_single = True
            elif ch == '"':
                in_double = not in_double
            elif ch == "#" and not in_double and (i == 0 or line[i - 1] in " \t;&|("):
                break
            elif ch == "$" and i + 1 < len(line):
                nxt = line[i + 1]
                if nxt == "{":
                    m = _NAME.match(line, i + 2 + (1 if line[i + 2:i + 3] in ("#", "!") else 0))
                    if m:
                        found.append((m.group(0), lineno))
                elif nxt.isalpha() or nxt == "_":
                    m = _NAME.match(line, i + 1)
                    if m:
                        found.append((m.group(0), lineno))
            i += 1
        heredoc = _HEREDOC.search(line)
        if heredoc and not in_single:
            if heredoc.group(1):
                skip_until = heredoc.group(2)
            else:
                literal_until = heredoc.group(2)
    return found


def _assigned_lines(text: str, first_line: int = 1) -> dict[str, int]:
    """The first line on which a script assigns each name."""
    assigned: dict[str, int] = {}
    for offset, line in enumerate(text.split("\n")):
        for m in _ASSIGN.finditer(line.strip()):
            assigned.setdefault(m.group(1), first_line + offset)
        # `for I in ...; do echo $I` and `read X` set the name before it is used on the same line.
        for m in _FOR_READ.finditer(line.strip()):
            line_no = first_line + offset - 1
            assigned[m.group(1)] = min(assigned.get(m.group(1), line_no), line_no)
    return assigned


def scan_shell(text: str) -> tuple[ShellRead, ...]:
    """Env var reads of a shell script."""
    assigned = _assigned_lines(text)
    reads = {
        ShellRead(name, line)
        for name, line in expansions(text)
        if name not in SHELL_VARIABLES and not (name in assigned and assigned[name] < line)
    }
    return tuple(sorted(reads, key=lambda r: (r.line, r.name)))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Dockerfile instructions joined over backslash continuations: ``(first line, text)``."""
    out: list[tuple[int, str]] = []
    escape = "\\"
    head = text.split("\n", 5)[:5]
    for raw in head:
        m = re.match(r"#\s*escape\s*=\s*(\S)", raw)
        if m:
            escape = m.group(1)
    buf: list[str] = []
    start = 0
    for index, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if not buf:
            start = index
        if raw.rstrip().endswith(escape):
            buf.append(raw.rstrip()[:-1])
            continue
        buf.append(raw)
        out.append((start, "\n".join(buf)))
        buf = []
    if buf:
        out.append((start, "\n".join(buf)))
    return out


def scan_dockerfile(text: str) -> tuple[ShellRead, ...]:
    """Env var reads of a Dockerfile (see the module docstring for which are build-time)."""
    reads: set[ShellRead] = set()
    defined: set[str] = set()  # ARG and ENV names set by the Dockerfile itself
    for first, instruction in _logical_lines(text):
        parts = instruction.split(None, 1)
        keyword = parts[0].upper()
        rest = parts[1] if len(parts) > 1 else ""
        if keyword == "ARG":
            for word in rest.split():
                m = _NAME.match(word)
                if m and m.group(0) not in SHELL_VARIABLES:
                    # With or without a default, the build accepts it as --build-arg.
                    reads.add(ShellRead(m.group(0), first, True))
                    defined.add(m.group(0))
            continue
        for m in _SECRET_MOUNT.finditer(rest):
            options = m.group(0)[len("--mount="):]
            secret = _MOUNT_ID.search(options) or _MOUNT_ENV.search(options)
            if secret:
                reads.add(ShellRead(secret.group(1), first, True))
        for m in _SECRET_FILE.finditer(rest):
            line = first + instruction[: instruction.find(m.group(0))].count("\n")
            reads.add(ShellRead(m.group(1), line, True))
        runtime = keyword in ("CMD", "ENTRYPOINT") and not rest.lstrip().startswith("[")
        if keyword in ("CMD", "ENTRYPOINT") and not runtime:
            continue  # exec form: no shell, no expansion
        for name, line in expansions(instruction, first):
            if name in SHELL_VARIABLES or name in defined:
                continue  # the Dockerfile set it itself (ARG or ENV)
            reads.add(ShellRead(name, line, not runtime))
        if keyword == "ENV":
            for m in re.finditer(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?:=|\s)", rest):
                defined.add(m.group(1))
                if "=" not in rest:
                    break  # legacy `ENV NAME value` form sets one name
    return tuple(sorted(reads, key=lambda r: (r.line, r.name)))
