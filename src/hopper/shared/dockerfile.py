"""A typed reading of a Dockerfile, over the ``dockerfile`` package (BuildKit's Go parser).

``parse_dockerfile`` returns the build stages with what a reader needs: the base image (with
``ARG`` defaults substituted, so ``FROM node:${NODE_VERSION}-slim`` reads as ``node:20-slim``),
ports, command, working directory, environment, copies, build secrets and user. The module
knows nothing about compose or any platform.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hopper.diagnostics import (
    DEFAULT_LIMITS,
    E_FILE_NOT_FOUND,
    E_NOT_UTF8,
    E_TOO_LARGE,
    Diagnostic,
    LimitError,
    Limits,
    Location,
    Severity,
    code,
    fail,
)

E_DOCKERFILE_SYNTAX = code("HOP211", Severity.ERROR, "a Dockerfile cannot be parsed")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSpec:
    """CMD or ENTRYPOINT: exec form (``["node", "server.js"]``) or shell form."""

    args: tuple[str, ...]  # exec form: the list; shell form: the one command string
    shell: bool
    location: Location

    def as_text(self) -> str:
        """One command line: the shell string, or the exec list quoted for a shell."""
        return self.args[0] if self.shell and self.args else shlex.join(self.args)


@dataclass(frozen=True, slots=True, kw_only=True)
class Copy:
    sources: tuple[str, ...]
    destination: str
    from_stage: str | None  # --from=build (a stage name, index or image)
    add: bool  # ADD rather than COPY
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class Stage:
    index: int
    image: str  # ARG defaults substituted
    image_as_written: str
    alias: str | None
    platform: str | None
    expose: tuple[str, ...] = ()  # "3000", "3000/tcp"
    cmd: CommandSpec | None = None
    entrypoint: CommandSpec | None = None
    workdir: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    args: Mapping[str, str | None] = field(default_factory=dict)  # ARG declared in the stage
    copies: tuple[Copy, ...] = ()
    runs: tuple[str, ...] = ()  # RUN commands as written (flags removed)
    secret_ids: tuple[str, ...] = ()  # RUN --mount=type=secret,id=X
    user: str | None = None
    healthcheck: CommandSpec | None = None
    location: Location

    @property
    def expose_ports(self) -> tuple[int, ...]:
        ports = []
        for item in self.expose:
            number = item.split("/", 1)[0]
            if number.isdigit():
                ports.append(int(number))
        return tuple(ports)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dockerfile:
    file: str
    global_args: Mapping[str, str | None]  # ARG before the first FROM
    stages: tuple[Stage, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage(self, name: str) -> Stage | None:
        for st in self.stages:
            if st.alias == name or str(st.index) == name:
                return st
        return None

    @property
    def secret_ids(self) -> tuple[str, ...]:
        return tuple(sorted({sid for st in self.stages for sid in st.secret_ids}))


def read_dockerfile(path: Path, root: Path, limits: Limits = DEFAULT_LIMITS, *,
                    build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """Read and parse the Dockerfile at ``path`` (which must be inside ``root``)."""
    resolved = path.resolve()
    try:
        rel = resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        from hopper.diagnostics import E_OUTSIDE_ROOT

        raise fail(E_OUTSIDE_ROOT, f"Dockerfile '{path.name}' resolves outside the project root",
                   Location(file=path.name)) from None
    if not resolved.is_file():
        raise fail(E_FILE_NOT_FOUND, "Dockerfile not found", Location(file=rel))
    raw = resolved.read_bytes()
    if len(raw) > limits.max_file_bytes:
        raise LimitError(Diagnostic(code=E_TOO_LARGE, severity=Severity.ERROR,
                                    message="Dockerfile is over the size limit", location=Location(file=rel)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(E_NOT_UTF8, "Dockerfile is not valid UTF-8",
                   Location(file=rel, line=raw[: exc.start].count(b"\n") + 1)) from None
    return parse_dockerfile(text, file=rel, build_args=build_args)


def parse_dockerfile(text: str, *, file: str = "Dockerfile",
                     build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """Parse Dockerfile text. ``build_args`` override ARG defaults, as ``--build-arg`` does."""
    import dockerfile  # heavy: only when a Dockerfile is read

    if "\0" in text:
        raise fail(E_NOT_UTF8, "Dockerfile contains a NUL byte",
                   Location(file=file, line=text[: text.index("\0")].count("\n") + 1))
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        raise fail(E_DOCKERFILE_SYNTAX, f"Dockerfile: {exc}",
                   Location(file=file, line=_first_bad_line(text))) from None
    overrides = dict(build_args or {})
    global_args: dict[str, str | None] = {}
    stages: list[_StageBuilder] = []
    for cmd in commands:
        loc = Location(file=file, line=cmd.start_line)
        if not cmd.cmd:  # e.g. a lone line continuation: the parser yields an empty instruction
            raise fail(E_DOCKERFILE_SYNTAX, "Dockerfile: an instruction has no name", loc)
        name = cmd.cmd.upper()
        if name == "FROM":
            stages.append(_from(cmd.value, cmd.flags, loc, global_args, overrides, len(stages)))
            continue
        if not stages:
            if name == "ARG":
                for key, value in _arg_pairs(cmd.value):
                    global_args[key] = overrides.get(key, value)
                continue
            if name in ("#", "COMMENT"):
                continue
            raise fail(E_DOCKERFILE_SYNTAX, f"Dockerfile: {name} before the first FROM", loc)
        stages[-1].add(name, cmd.value, cmd.flags, cmd.json, loc)
    if not stages:
        raise fail(E_DOCKERFILE_SYNTAX, "Dockerfile has no FROM instruction", Location(file=file, line=1))
    return Dockerfile(file=file, global_args=global_args, stages=tuple(s.build() for s in stages))


def _first_bad_line(text: str) -> int | None:
    """The Go parser's errors carry no line: find the shortest prefix that fails to parse."""
    import dockerfile

    lines = text.splitlines(keepends=True)
    if len(lines) > 5000:
        return None
    lo, hi = 1, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            dockerfile.parse_string("".join(lines[:mid]))
        except dockerfile.GoParseError:
            hi = mid
        else:
            lo = mid + 1
    return lo


_VAR = re.compile(r"\$\{(\w+)(?::?([-+])([^}]*))?\}|\$(\w+)")


def substitute(value: str, variables: Mapping[str, str | None]) -> str:
    """``${NAME}``, ``$NAME``, ``${NAME:-default}``, ``${NAME:+alt}`` as Dockerfiles expand them.
    Unknown names expand to the empty string, as BuildKit does."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        current = variables.get(name)
        op, word = m.group(2), m.group(3)
        if op == "-":
            return current if current else (word or "")
        if op == "+":
            return (word or "") if current else ""
        return current or ""

    return _VAR.sub(repl, value)


def _arg_pairs(values: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for item in values:
        if "=" in item:
            key, value = item.split("=", 1)
            out.append((key, _unquote(value)))
        else:
            out.append((item, None))
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _from(values: tuple[str, ...], flags: tuple[str, ...], loc: Location,
          global_args: Mapping[str, str | None], overrides: Mapping[str, str],
          index: int) -> _StageBuilder:
    if not values:
        raise fail(E_DOCKERFILE_SYNTAX, "Dockerfile: FROM without an image", loc)
    alias = None
    if len(values) >= 3 and values[1].upper() == "AS":
        alias = values[2]
    elif len(values) != 1:
        raise fail(E_DOCKERFILE_SYNTAX, f"Dockerfile: cannot read 'FROM {' '.join(values)}'", loc)
    platform = next((f.split("=", 1)[1] for f in flags if f.startswith("--platform=")), None)
    variables = {**global_args, **overrides}
    return _StageBuilder(index=index, image=substitute(values[0], variables), written=values[0],
                         alias=alias, platform=platform, location=loc, variables=variables)


class _StageBuilder:
    def __init__(self, *, index: int, image: str, written: str, alias: str | None,
                 platform: str | None, location: Location, variables: Mapping[str, str | None]) -> None:
        self.index, self.image, self.written, self.alias = index, image, written, alias
        self.platform, self.location = platform, location
        self.variables: dict[str, str | None] = {}
        self.inherited = variables
        self.expose: list[str] = []
        self.cmd: CommandSpec | None = None
        self.entrypoint: CommandSpec | None = None
        self.healthcheck: CommandSpec | None = None
        self.workdir: str | None = None
        self.env: dict[str, str] = {}
        self.args: dict[str, str | None] = {}
        self.copies: list[Copy] = []
        self.runs: list[str] = []
        self.secret_ids: list[str] = []
        self.user: str | None = None

    def _expand(self, value: str) -> str:
        return substitute(value, {**self.args, **self.env})

    def add(self, name: str, values: tuple[str, ...], flags: tuple[str, ...], json_form: bool,
            loc: Location) -> None:
        if name == "ARG":
            for key, value in _arg_pairs(values):
                # An ARG without a default in a stage takes the global default (Docker's rule).
                self.args[key] = value if value is not None else self.inherited.get(key)
        elif name == "ENV":
            for key, value in _env_pairs(values):
                self.env[key] = self._expand(value)
        elif name == "EXPOSE":
            self.expose.extend(self._expand(v) for v in values)
        elif name in ("CMD", "ENTRYPOINT"):
            spec = CommandSpec(args=tuple(values), shell=not json_form, location=loc)
            if name == "CMD":
                self.cmd = spec
            else:
                self.entrypoint = spec
        elif name == "HEALTHCHECK":
            self._healthcheck(values, json_form, loc)
        elif name == "WORKDIR" and values:
            self.workdir = self._expand(values[0])
        elif name == "USER" and values:
            self.user = self._expand(values[0])
        elif name in ("COPY", "ADD") and values:
            if len(values) < 2:
                raise fail(E_DOCKERFILE_SYNTAX, f"Dockerfile: {name} needs a source and a destination", loc)
            from_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            self.copies.append(Copy(sources=tuple(values[:-1]), destination=self._expand(values[-1]),
                                    from_stage=from_stage, add=name == "ADD", location=loc))
        elif name == "RUN":
            for flag in flags:
                secret = _secret_id(flag)
                if secret is not None:
                    self.secret_ids.append(secret)
            self.runs.append(" ".join(values))

    def _healthcheck(self, values: tuple[str, ...], json_form: bool, loc: Location) -> None:
        if not values or values[0].upper() == "NONE":
            self.healthcheck = None
            return
        kind = values[0].upper()
        rest = values[1:]
        if kind == "CMD" and rest:
            self.healthcheck = CommandSpec(args=tuple(rest), shell=not json_form, location=loc)

    def build(self) -> Stage:
        return Stage(
            index=self.index, image=self.image, image_as_written=self.written, alias=self.alias,
            platform=self.platform, expose=tuple(self.expose), cmd=self.cmd, entrypoint=self.entrypoint,
            workdir=self.workdir, env=dict(self.env), args=dict(self.args), copies=tuple(self.copies),
            runs=tuple(self.runs), secret_ids=tuple(self.secret_ids), user=self.user,
            healthcheck=self.healthcheck, location=self.location,
        )


def _env_pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    # The parser gives ENV as a flat (key, value, key, value...) tuple for both forms.
    return [(values[i], _unquote(values[i + 1])) for i in range(0, len(values) - 1, 2)]


def _secret_id(flag: str) -> str | None:
    if not flag.startswith("--mount="):
        return None
    options: dict[str, str] = {}
    for part in flag[len("--mount="):].split(","):
        key, _, value = part.partition("=")
        options[key] = value
    if options.get("type") != "secret":
        return None
    return options.get("id") or (Path(options["target"]).name if options.get("target") else None)
