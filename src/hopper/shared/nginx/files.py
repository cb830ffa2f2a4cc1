"""Reading nginx files: crossplane's parse of each file, ``include`` followed by hopper itself.

Includes are followed only inside the project root (or through the ``mounts`` a caller knows
of, for absolute paths of the container); the files every nginx package ships (``mime.types``)
are skipped with an info; sizes, file counts and nesting depth are bounded. The result is a
tree of :class:`~.config.Directive`; what it means is :mod:`.read`'s job.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import (
    E_FILE_NOT_FOUND,
    E_NOT_UTF8,
    E_OUTSIDE_ROOT,
    E_TOO_DEEP,
    E_TOO_LARGE,
    E_TOO_MANY_FILES,
    E_TOO_MANY_ITEMS,
    Diagnostic,
    LimitError,
    Limits,
    Location,
    Severity,
    fail,
    info,
    warning,
)
from hopper.shared.nginx.config import (
    E_NGINX_DIRECTIVE,
    E_NGINX_INCLUDE_CYCLE,
    E_NGINX_SYNTAX,
    I_NGINX_STOCK_INCLUDE,
    W_NGINX_INCLUDE_NOT_FOUND,
    Directive,
)

# Files every nginx package and image ships next to nginx.conf. An include of one of them is
# normal and says nothing about the application, so it is skipped with an info.
_STOCK_FILES = frozenset({
    "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "proxy_params",
    "koi-utf", "koi-win", "win-utf", "snippets/fastcgi-php.conf", "snippets/snakeoil.conf",
})


# The configuration folder of the nginx images: an absolute include below it that no mount
# provides is the image's own file, not something of the project's.
_IMAGE_CONF_DIRS = ("/etc/nginx/", "/usr/local/openresty/nginx/conf/", "/opt/bitnami/nginx/conf/")


class Loader:
    def __init__(self, root: Path, limits: Limits, mounts: Mapping[str, Path]) -> None:
        self.root = root.resolve()
        self.limits = limits
        self.mounts = {k.rstrip("/") or "/": v for k, v in mounts.items()}
        self.files: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.total_bytes = 0
        self.locations = 0

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def load_top(self, path: Path) -> tuple[Directive, ...]:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise fail(E_OUTSIDE_ROOT, f"nginx configuration '{path.name}' resolves outside the project root",
                       Location(file=path.name))
        if not resolved.is_file():
            raise fail(E_FILE_NOT_FOUND, "nginx configuration not found", Location(file=self.rel(resolved)))
        return self.load_file(resolved, stack=())

    def load_file(self, resolved: Path, stack: tuple[Path, ...]) -> tuple[Directive, ...]:
        rel = self.rel(resolved)
        if len(self.files) >= self.limits.max_files:
            raise LimitError(_err(E_TOO_MANY_FILES, f"more than {self.limits.max_files} nginx files "
                                  "through includes", Location(file=rel)))
        self.files.append(rel)
        with resolved.open("rb") as handle:  # never more than the limit, even for a huge file
            raw = handle.read(self.limits.max_file_bytes + 1)
        self.total_bytes += len(raw)
        if len(raw) > self.limits.max_file_bytes or self.total_bytes > self.limits.max_total_bytes:
            raise LimitError(_err(E_TOO_LARGE, "nginx configuration is over the size limit", Location(file=rel)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(E_NOT_UTF8, "nginx configuration is not valid UTF-8",
                       Location(file=rel, line=raw[: exc.start].count(b"\n") + 1)) from None
        if "\0" in text:
            raise fail(E_NOT_UTF8, "nginx configuration contains a NUL byte",
                       Location(file=rel, line=text[: text.index("\0")].count("\n") + 1))
        parsed = _crossplane_parse(resolved, rel)
        return self.convert(parsed, rel, resolved, (*stack, resolved))

    def convert(self, items: Sequence[Any], rel: str, resolved: Path,
                stack: tuple[Path, ...], depth: int = 0) -> tuple[Directive, ...]:
        out: list[Directive] = []
        if depth > self.limits.max_depth:
            line = int(items[0].get("line", 0)) or None if items else None
            raise LimitError(_err(E_TOO_DEEP, f"blocks nested deeper than {self.limits.max_depth} levels",
                                  Location(file=rel, line=line)))
        for item in items:
            name = str(item["directive"])
            args = tuple(str(a) for a in item.get("args", ()))
            loc = Location(file=rel, line=int(item.get("line", 0)) or None)
            if name == "include":
                out.extend(self.include(args, loc, resolved, stack))
                continue
            if name == "location":
                self.locations += 1
                if self.locations > self.limits.max_routes:
                    raise LimitError(_err(E_TOO_MANY_ITEMS, f"more than {self.limits.max_routes} nginx "
                                          "locations (routes)", loc))
            block = item.get("block")
            if block is not None and name in _SIMPLE_DIRECTIVES:
                # crossplane skips argument checks inside snippets (a conf.d file starting at
                # `server`), so `listen 80` without `;` swallows the next block silently.
                raise fail(E_NGINX_SYNTAX, f'nginx: directive "{name}" is not terminated by ";"', loc)
            children = self.convert(block, rel, resolved, stack, depth + 1) if block is not None else None
            out.append(Directive(name=name, args=args, location=loc, block=children))
        return tuple(out)

    def include(self, args: tuple[str, ...], loc: Location, including: Path,
                stack: tuple[Path, ...]) -> list[Directive]:
        if len(args) != 1:
            raise fail(E_NGINX_DIRECTIVE, "include takes exactly one file or pattern", loc)
        ref = args[0]
        if len(stack) >= self.limits.max_depth:
            raise LimitError(_err(E_TOO_DEEP, f"includes nested deeper than {self.limits.max_depth}", loc))
        base = self._base_for(ref, loc)
        if base is None:
            return []
        matches = self._matches(base, ref, loc)
        out: list[Directive] = []
        for match in matches:
            resolved = match.resolve()
            if not resolved.is_relative_to(self.root):
                raise fail(E_OUTSIDE_ROOT, f"include '{ref}' resolves outside the project root", loc,
                           hint="hopper only reads files inside the project; copy the file in")
            if resolved in stack:
                raise fail(E_NGINX_INCLUDE_CYCLE, f"include '{ref}' includes itself through "
                           f"{' -> '.join(self.rel(p) for p in stack)}", loc)
            if not resolved.is_file():
                continue
            out.extend(self.load_file(resolved, stack))
        return out

    def _base_for(self, ref: str, loc: Location) -> Path | None:
        """The project path an include reference points at, or None when it is not followed."""
        if ref.startswith("/"):
            for prefix in sorted(self.mounts, key=len, reverse=True):
                if ref == prefix or ref.startswith(prefix.rstrip("/") + "/"):
                    rest = ref[len(prefix):].lstrip("/")
                    target = self.mounts[prefix]
                    return target / rest if rest else target
            stock = _stock_name(ref)
            if stock is not None or ref.startswith(_IMAGE_CONF_DIRS):
                self.diagnostics.append(info(
                    I_NGINX_STOCK_INCLUDE,
                    f"include '{ref}' is a file of the nginx image, not of the project; not followed", loc))
                return None
            raise fail(E_OUTSIDE_ROOT, f"include '{ref}' is an absolute path outside the project root", loc,
                       hint="hopper only reads files inside the project")
        # nginx resolves relative includes against its prefix, where the main file lives; the
        # main file is the first one read.
        base = self.root / PurePosixPath(self.files[0]).parent / ref
        if _has_parent_ref(ref) and not base.resolve().is_relative_to(self.root):
            raise fail(E_OUTSIDE_ROOT, f"include '{ref}' resolves outside the project root", loc,
                       hint="hopper only reads files inside the project")
        return base

    def _matches(self, base: Path, ref: str, loc: Location) -> list[Path]:
        if glob.has_magic(ref):
            found = sorted(Path(p) for p in glob.glob(_glob_pattern(base, ref)))
            return [p for p in found if p.is_file() or p.is_symlink()]
        if base.exists() or base.is_symlink():
            return [base]
        if _stock_name(ref) is not None:
            self.diagnostics.append(info(
                I_NGINX_STOCK_INCLUDE, f"include '{ref}' is a file of the nginx image; not followed", loc))
        else:
            self.diagnostics.append(warning(
                W_NGINX_INCLUDE_NOT_FOUND, f"include '{ref}' is not in the project; not followed", loc,
                hint="its directives are unknown to hopper"))
        return []


# Directives that never take a block: one followed by `{` lost its `;`.
_SIMPLE_DIRECTIVES = frozenset({
    "listen", "server_name", "root", "alias", "index", "try_files", "proxy_pass", "return", "rewrite",
    "add_header", "proxy_set_header", "expires", "gzip", "gzip_types", "client_max_body_size",
    "proxy_http_version", "proxy_read_timeout", "proxy_connect_timeout", "proxy_send_timeout",
    "proxy_buffering", "proxy_request_buffering", "resolver", "error_page", "access_log", "error_log",
    "include", "set",
})


def _err(code_name: str, message: str, loc: Location) -> Diagnostic:
    return Diagnostic(code=code_name, severity=Severity.ERROR, message=message, location=loc)


def _glob_pattern(base: Path, ref: str) -> str:
    """The pattern for ``glob``: the folder part that is not the user's pattern is escaped."""
    pattern_parts = len(PurePosixPath(ref.lstrip("/")).parts)
    fixed = Path(*base.parts[: len(base.parts) - pattern_parts]) if pattern_parts < len(base.parts) else Path()
    pattern = PurePosixPath(*base.parts[len(base.parts) - pattern_parts:]).as_posix()
    return glob.escape(str(fixed)) + "/" + pattern


def _stock_name(ref: str) -> str | None:
    for name in _STOCK_FILES:
        if ref == name or ref.endswith("/" + name):
            return name
    return None


def _has_parent_ref(ref: str) -> bool:
    return ".." in PurePosixPath(ref).parts


def _crossplane_parse(resolved: Path, rel: str) -> list[Any]:
    import crossplane  # heavy: only when nginx is read
    from crossplane.errors import NgxParserBaseException

    try:
        payload = crossplane.parse(str(resolved), single=True, catch_errors=False,
                                   check_ctx=False, comments=False)
    except NgxParserBaseException as exc:
        raise fail(E_NGINX_SYNTAX, f"nginx: {exc.strerror}", Location(file=rel, line=exc.lineno)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(E_NGINX_SYNTAX, f"nginx: cannot read the file ({type(exc).__name__})",
                   Location(file=rel)) from None
    configs = payload.get("config", [])
    for config in configs:
        for problem in config.get("errors", []):
            message = str(problem.get("error", "syntax error"))
            message = re.sub(r" in \S+:\d+$", "", message)
            if "recursion" in message:  # crossplane caught a RecursionError on deep blocks
                raise LimitError(_err(E_TOO_DEEP, "blocks nested too deep",
                                      Location(file=rel, line=problem.get("line"))))
            raise fail(E_NGINX_SYNTAX, f"nginx: {message}", Location(file=rel, line=problem.get("line")))
    if not configs:
        return []
    parsed: list[Any] = configs[0].get("parsed", [])
    return parsed
