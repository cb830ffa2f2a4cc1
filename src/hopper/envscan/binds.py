"""Where the application's own code chooses the address it listens on.

Fly reaches an app two ways (reference flyio.md §7.1): Fly's proxy (public traffic and Flycast)
connects over IPv4 to ``0.0.0.0:<internal_port>``, and ``<app>.internal`` resolves to the
Machine's 6PN IPv6 address only. An app that binds ``0.0.0.0`` itself is therefore reachable
through the proxy but never over ``.internal``; one that binds ``127.0.0.1``/``localhost`` is
reachable by neither. This module finds such binds so that the writer and ``hopper validate``
can say so with the file and line.

What is recognised (JavaScript/TypeScript and Python, line by line):

* a literal host in a listen call: ``server.listen(PORT, "0.0.0.0")``, ``app.listen(3000,
  'localhost', cb)``, ``app.run(host="0.0.0.0")``, ``uvicorn.run(app, host="0.0.0.0")``;
* a literal ``host:``/``hostname:`` option (``fastify.listen({ host: "0.0.0.0" })``);
* a default that applies only when the variable is unset: ``process.env.HOST || "0.0.0.0"``,
  ``os.environ.get("HOST", "0.0.0.0")`` — marked ``from_env`` (setting HOST overrides it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hopper.diagnostics import InputError

# The addresses that decide the family: "::"/"[::]" listens on both stacks in Node.js (and in
# most runtimes, where IPV6_V6ONLY is off), "0.0.0.0" on IPv4 only, loopback on nothing outside.
_ADDR = r"""(?P<q>['"`])(?P<host>0\.0\.0\.0|127\.0\.0\.1|localhost|::|\[::\]|::0|0:0:0:0:0:0:0:0)(?P=q)"""
_JS_LISTEN = re.compile(r"\.listen\s*\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*" + _ADDR)
_OPTION = re.compile(r"\b(?:host|hostname|bind)\s*[:=]\s*" + _ADDR)
_ENV_DEFAULT = re.compile(
    r"(?:process\.env\.(?P<js>[A-Z_][A-Z0-9_]*)\s*(?:\|\||\?\?)\s*"
    r"|(?:os\.environ\.get|os\.getenv)\(\s*['\"](?P<py>[A-Z_][A-Z0-9_]*)['\"]\s*,\s*)" + _ADDR)
_SERVER_CALL = re.compile(r"\b(?:listen|run|serve|createServer|start)\s*\(")
_EXTENSIONS = frozenset({".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx", ".py"})
_MAX_FILES = 400


@dataclass(frozen=True, slots=True)
class Bind:
    """One place where the code picks its listen address."""

    file: str  # relative to the project root
    line: int
    host: str  # "0.0.0.0", "127.0.0.1", "localhost", "::"
    from_env: str | None = None  # the variable that overrides it (HOST), when it is only a default

    @property
    def family(self) -> str:
        """``ipv4``, ``dual`` or ``loopback``."""
        if self.host in ("127.0.0.1", "localhost"):
            return "loopback"
        return "ipv4" if self.host == "0.0.0.0" else "dual"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def scan_binds(root: Path, relatives: tuple[str, ...]) -> tuple[Bind, ...]:
    """Every listen address chosen in the code under ``relatives`` (folders or files relative
    to ``root``), in file and line order. Missing or escaping paths are skipped: the env scan
    reports them already."""
    from hopper.envscan import _confined, _relative, _walk  # noqa: PLC0415

    found: list[Bind] = []
    seen = 0
    root_resolved = root.resolve()
    for relative in relatives:
        try:
            start = _confined(root, relative)
        except InputError:
            continue
        for path in _walk(start):
            if path.suffix.lower() not in _EXTENSIONS or path.name.endswith((".min.js", ".d.ts")):
                continue
            resolved = path.resolve()
            if not resolved.is_relative_to(root_resolved) or not resolved.is_file():
                continue
            seen += 1
            if seen > _MAX_FILES:
                break
            try:
                if resolved.stat().st_size > 1024 * 1024:
                    continue
                text = resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            found.extend(binds_in_text(text, _relative(path, root)))
    return tuple(sorted(set(found), key=lambda b: (b.file, b.line, b.host)))


def binds_in_text(text: str, rel: str) -> list[Bind]:
    out: list[Bind] = []
    python = PurePosixPath(rel).suffix.lower() == ".py"
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith(("//", "#", "*", "/*")):
            continue
        env = _ENV_DEFAULT.search(line)
        if env is not None:
            out.append(Bind(file=rel, line=number, host=_host(env.group("host")),
                            from_env=env.group("js") or env.group("py")))
            continue
        # A `host:` option counts only in a call that starts a server: the same key in a
        # database client's settings says nothing about where the app listens.
        option = _OPTION.search(line) if _SERVER_CALL.search(line) else None
        match = (None if python else _JS_LISTEN.search(line)) or option
        if match is not None:
            out.append(Bind(file=rel, line=number, host=_host(match.group("host"))))
    return out


def _host(text: str) -> str:
    return "::" if text in ("[::]", "::0", "0:0:0:0:0:0:0:0") else text


def code_family(binds: tuple[Bind, ...], env: dict[str, str] | None = None) -> tuple[str, Bind] | None:
    """The family the code listens on and the bind that decides it, or None when the code does
    not choose (a bare ``listen(port)`` listens on both stacks in Node.js). A default read from
    a variable is overridden when ``env`` sets that variable."""
    env = env or {}
    for bind in binds:
        if bind.from_env is not None and bind.from_env in env:
            host = _host(env[bind.from_env])
            family = Bind(file=bind.file, line=bind.line, host=host).family if host in (
                "0.0.0.0", "127.0.0.1", "localhost", "::") else "dual"
            return family, bind
        return bind.family, bind
    return None
