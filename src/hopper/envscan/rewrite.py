"""``hopper rewrite-env``: rename env var reads in application code to the target's names.

Python is rewritten with a libcst codemod that replaces only the string literals naming the
variable (prefix and quotes kept); every other byte round-trips unchanged, and the result must
parse again before anything is written. JavaScript and TypeScript changes are token-exact edits
shown as a unified diff for the user to apply (``git apply``); hopper does not write them.

Only reads whose meaning is the same on the target are renamed (``classify.resolve`` says
``rename``). A name whose target equivalent carries another form (``CELLAR_ADDON_HOST``, a bare
host, against ``AWS_ENDPOINT_URL_S3``, a URL) is reported and left alone: turning one into the
other needs an expression that depends on how the code uses the value. Names with no
equivalent, or with several candidate resources, are reported too.

With ``apply``, each changed Python file is replaced atomically (a temporary file in the same
folder, then ``os.replace``), only inside the project root, only if it did not change since it
was read; if one write fails the files already replaced are put back.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hopper import mappings
from hopper.diagnostics import (
    E_UNKNOWN_FORMAT,
    Diagnostic,
    Location,
    OutputError,
    Severity,
    UnknownFormatError,
    code,
    error,
    warning,
)
from hopper.envscan import NO_JSX, scan_architecture, scan_paths
from hopper.envscan.classify import (
    W_AMBIGUOUS,
    W_NO_EQUIVALENT,
    W_SEMANTIC,
    env_findings,
    injected_by,
    injecting_platforms,
    platform_prefix,
    resolve,
)
from hopper.formats import format_names, label
from hopper.model import Architecture

I_DIFF_ONLY = code("HOP640", Severity.INFO,
                   "JavaScript/TypeScript renames are shown as a diff to apply, never written")
W_NOT_RENAMED = code("HOP641", Severity.WARNING,
                     "a read that should be renamed cannot be renamed safely by hopper")
E_WRITE_OUTSIDE = code("HOP642", Severity.ERROR,
                       "rewrite-env refused to write a file outside the project root")
I_NOTHING = code("HOP643", Severity.INFO, "rewrite-env has nothing to rename for this target")
W_INFERRED_SOURCE = code("HOP647", Severity.WARNING,
                         "no setup file: rewrite-env took the source platform from the names the code reads")
E_REWRITE_BROKE = code("HOP644", Severity.ERROR,
                       "a rewritten Python file would no longer parse (nothing written)")
E_CHANGED = code("HOP645", Severity.ERROR,
                 "a file changed on disk while rewrite-env was running (nothing written)")
E_WRITE_FAILED = code("HOP646", Severity.ERROR,
                      "writing a rewritten file failed (the files already replaced are put back)")


@dataclass(frozen=True, slots=True, kw_only=True)
class RewriteResult:
    diff: str  # unified diff, paths a/<rel> b/<rel> relative to the project, sorted by path
    diagnostics: tuple[Diagnostic, ...]
    changed_files: tuple[str, ...]  # files the diff changes
    written: tuple[str, ...] = ()  # files actually replaced (Python, with apply)


@dataclass(frozen=True, slots=True)
class _FileEdit:
    rel: str
    language: str
    original: bytes
    new_text: str
    bom: bool


def rewrite_project(path: Path, to: str, *, fmt: str | None = None,
                    apply: bool = False) -> RewriteResult:
    """Load the project at ``path``, scan its services' code and rename reads for ``to``."""
    from hopper.api import load  # noqa: PLC0415
    from hopper.formats import detect_format  # noqa: PLC0415

    path = Path(path).absolute()
    root = path if path.is_dir() else path.parent
    inferred: tuple[Diagnostic, ...] = ()
    if fmt is None:
        try:
            detect_format(path)
        except UnknownFormatError as exc:
            fmt, note = infer_source_platform(root, exc)
            inferred = (note,)
    read = load(path, fmt=fmt)
    result = rewrite_architecture(read.model, root, to, apply=apply)
    return RewriteResult(diff=result.diff, diagnostics=inferred + read.diagnostics + result.diagnostics,
                         changed_files=result.changed_files, written=result.written)


def _generic_names() -> frozenset[str]:
    generic = mappings.table("env-names").get("generic", {})
    return frozenset(name for group in generic.values() if isinstance(group, dict) for name in group)


def infer_source_platform(root: Path, unknown: UnknownFormatError) -> tuple[str, Diagnostic]:
    """A folder with only code: the platform whose own names the code reads
    (``POSTGRESQL_ADDON_URI`` is Clever Cloud's), with a warning saying so. Raises ``unknown``,
    with what was found, when the code reads no platform's names or several platforms'."""
    generic = _generic_names()
    found: dict[str, set[str]] = {}
    for read in scan_paths(root, (".",)).reads:
        # An attached resource's names (runtime names such as PORT are too common to tell).
        owners = ({i.platform for i in injected_by(read.name) if i.group != "runtime"}
                  if read.name not in generic else set())
        prefix = platform_prefix(read.name)
        if prefix in injecting_platforms():
            owners.add(prefix)
        if len(owners) == 1:
            found.setdefault(owners.pop(), set()).add(read.name)
    if len(found) != 1:
        seen = "; ".join(f"{p}: {', '.join(sorted(n))}" for p, n in sorted(found.items()))
        why = (f"the code reads names of several platforms ({seen})" if found
               else "the code reads no name that only one platform sets")
        raise UnknownFormatError(error(
            E_UNKNOWN_FORMAT, f"cannot tell which platform this project is set up for: no setup "
            f"file, and {why}", unknown.diagnostic.location,
            hint=f"name it with --from {'|'.join(format_names())}")) from unknown
    platform, names = next(iter(found.items()))
    shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
    return platform, warning(
        W_INFERRED_SOURCE,
        f"no setup file; the code reads {shown}, which {label(platform)} sets: read as a "
        f"{platform} setup", Location(file="."), hint="pass --from to name the source platform")


def rewrite_architecture(arch: Architecture, root: Path, to: str, *,
                         apply: bool = False) -> RewriteResult:
    """Rename the reads in the code of ``arch``'s services (found under ``root``) for ``to``."""
    diagnostics: list[Diagnostic] = []
    if to not in injecting_platforms() or to == arch.source_format:
        reason = (f"{to} injects no variables: the generated {to} setup sets the names the "
                  "code already reads" if to not in injecting_platforms()
                  else f"the setup already targets {to}")
        return RewriteResult(diff="", changed_files=(), diagnostics=(
            Diagnostic(code=I_NOTHING, severity=Severity.INFO, message=f"nothing to rename: {reason}"),))
    scanned, scan_notes = scan_architecture(arch, root)
    diagnostics.extend(scan_notes)
    diagnostics.extend(f.diagnostic for f in env_findings(scanned, to)
                       if f.diagnostic.code in (W_NO_EQUIVALENT, W_SEMANTIC, W_AMBIGUOUS))

    # file -> name -> target name; a name two services would rename differently is left alone.
    plan: dict[str, dict[str, str | None]] = {}
    other_reads: list[tuple[str, int, str, str]] = []
    for service in scanned.services:
        for read in service.env_reads:
            res = resolve(scanned, service, read.name, to)
            if res.action != "rename" or res.target_name is None:
                continue
            if read.language in ("dockerfile", "shell"):
                other_reads.append((read.file, read.line, read.name, res.target_name))
                continue
            names = plan.setdefault(read.file, {})
            if names.get(read.name, res.target_name) != res.target_name:
                names[read.name] = None
            else:
                names[read.name] = res.target_name
    for rel, line, name, new in sorted(set(other_reads)):
        diagnostics.append(Diagnostic(
            code=W_NOT_RENAMED, severity=Severity.WARNING, location=Location(file=rel, line=line),
            message=f"reads {name} (on {to}: {new}); Dockerfiles and shell scripts are not "
                    "rewritten", hint=f"change {name} to {new} by hand"))

    edits: list[_FileEdit] = []
    for rel in sorted(plan):
        renames = {k: v for k, v in plan[rel].items() if v is not None}
        for name in sorted(k for k, v in plan[rel].items() if v is None):
            diagnostics.append(Diagnostic(
                code=W_NOT_RENAMED, severity=Severity.WARNING, location=Location(file=rel),
                message=f"{rel} reads {name}, which services sharing this file would rename "
                        "differently; not renamed"))
        edit = _edit_file(root, rel, renames, diagnostics)
        if edit is not None:
            edits.append(edit)

    diff = "".join(_unified(e.rel, _decode(e.original, e.bom), e.new_text) for e in edits)
    js = [e.rel for e in edits if e.language != "python"]
    if js:
        diagnostics.append(Diagnostic(
            code=I_DIFF_ONLY, severity=Severity.INFO, location=Location(file=js[0]),
            message=f"{len(js)} JavaScript/TypeScript file(s) would change; hopper shows the "
                    "diff and does not edit them",
            hint="save the diff and apply it with `git apply` (or `patch -p1`)"))
    written: tuple[str, ...] = ()
    if apply:
        written = _write_all(root, [e for e in edits if e.language == "python"])
    ordered = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
    return RewriteResult(diff=diff, diagnostics=ordered,
                         changed_files=tuple(e.rel for e in edits), written=written)


def _decode(data: bytes, bom: bool) -> str:
    return data.decode("utf-8-sig" if bom else "utf-8")


def _edit_file(root: Path, rel: str, renames: dict[str, str],
               diagnostics: list[Diagnostic]) -> _FileEdit | None:
    path = root / Path(*PurePosixPath(rel).parts)
    original = path.read_bytes()
    bom = original.startswith(b"\xef\xbb\xbf")
    text = _decode(original, bom)
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix == ".py":
        new_text = _rewrite_python(rel, text, renames, diagnostics)
        language = "python"
    else:
        new_text = _rewrite_js(rel, text, renames, jsx=suffix not in NO_JSX)
        language = "javascript"
    if new_text == text:
        return None
    return _FileEdit(rel, language, original, new_text, bom)


def _rewrite_python(rel: str, text: str, renames: dict[str, str],
                    diagnostics: list[Diagnostic]) -> str:
    import ast  # noqa: PLC0415

    import libcst as cst  # noqa: PLC0415

    from hopper.envscan.python import rename_literals, scan_python  # noqa: PLC0415

    scanned = scan_python(text)
    by_id: dict[int, str] = {}
    for read in scanned.reads:
        new = renames.get(read.name)
        if new is None:
            continue
        if read.literal is None:
            diagnostics.append(Diagnostic(
                code=W_NOT_RENAMED, severity=Severity.WARNING,
                location=Location(file=rel, line=read.line),
                message=f"reads {read.name} (on the target: {new}) but {read.why_not}; "
                        "not renamed", hint=f"rename it to {new} by hand"))
            continue
        by_id[id(read.literal)] = new
    if not by_id:
        return text
    new_text = rename_literals(scanned.module, by_id)
    try:
        cst.parse_module(new_text)
        ast.parse(new_text)
    except (cst.ParserSyntaxError, SyntaxError) as exc:  # pragma: no cover - a hopper bug
        raise OutputError(error(E_REWRITE_BROKE, f"renaming reads in {rel} broke the file: {exc}",
                                Location(file=rel))) from None
    return new_text


def _rewrite_js(rel: str, text: str, renames: dict[str, str], *, jsx: bool) -> str:
    from hopper.envscan.javascript import rename, scan_js  # noqa: PLC0415

    scanned = scan_js(text, jsx=jsx)
    pieces: list[str] = []
    cursor = 0
    for read in scanned.reads:  # sorted by start offset
        new = renames.get(read.name)
        if new is None or not read.rewritable or read.start < cursor:
            continue
        pieces.append(text[cursor:read.start])
        pieces.append(rename(text, read, new))
        cursor = read.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _unified(rel: str, old: str, new: str) -> str:
    """A unified diff of one file that ``git apply`` and ``patch -p1`` accept."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{rel}", tofile=f"b/{rel}", n=3)
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _write_all(root: Path, edits: list[_FileEdit]) -> tuple[str, ...]:
    """Replace each file atomically; on any failure put back the ones already replaced."""
    root_resolved = root.resolve()
    targets: list[tuple[_FileEdit, Path]] = []
    for edit in edits:
        path = root / Path(*PurePosixPath(edit.rel).parts)
        resolved = path.resolve()
        if path.is_symlink() or not resolved.is_relative_to(root_resolved):
            raise OutputError(error(E_WRITE_OUTSIDE, f"refusing to write {edit.rel}: it is a "
                                    "symlink or resolves outside the project root",
                                    Location(file=edit.rel)))
        if resolved.read_bytes() != edit.original:
            raise OutputError(error(E_CHANGED, f"{edit.rel} changed since it was read; run "
                                    "rewrite-env again", Location(file=edit.rel)))
        targets.append((edit, resolved))
    done: list[tuple[_FileEdit, Path]] = []
    try:
        for edit, target in targets:
            data = (b"\xef\xbb\xbf" if edit.bom else b"") + edit.new_text.encode("utf-8")
            _replace_atomically(target, data)
            done.append((edit, target))
    except OSError as exc:
        for edit, target in reversed(done):
            with contextlib.suppress(OSError):
                _replace_atomically(target, edit.original)
        raise OutputError(error(E_WRITE_FAILED,
                                f"writing failed: {exc.strerror or exc}; no file was changed")) from None
    return tuple(edit.rel for edit, _ in done)


def _replace_atomically(target: Path, data: bytes) -> None:
    mode = target.stat().st_mode & 0o7777
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".hopper-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
