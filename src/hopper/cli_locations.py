"""Locations as the user typed them: a diagnostic printed by the CLI opens in an editor from the
folder the command was run in.

Readers locate what they report relative to the project root (``compose.yaml:5:3``), which is
right for the model and for reports, but not on a terminal: ``hopper inspect /tmp/x/bad`` must
print ``/tmp/x/bad/compose.yaml:5:3``, and ``hopper inspect samples/app`` must print
``samples/app/compose.yaml:5:3``. The CLI prefixes each location with the project path as given.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hopper.diagnostics import Diagnostic, Location

if TYPE_CHECKING:  # the findings load only for the commands that make a plan
    from hopper.findings.types import Plan


class TypedRoot:
    """The project folder as typed on the command line (a file's folder for a file)."""

    def __init__(self, given: Path) -> None:
        typed = given if given.is_dir() else given.parent
        self.typed = os.path.normpath(str(typed))
        absolute = os.path.abspath(self.typed)
        # Readers may report resolved paths (symlinks followed): either form is this root.
        self._absolutes = {absolute, os.path.realpath(absolute)}

    def path(self, file: str) -> str:
        """``file`` (relative to the project root, or absolute) as seen from the current folder."""
        if not os.path.isabs(file):
            return os.path.normpath(os.path.join(self.typed, file))
        for absolute in self._absolutes:
            rel = os.path.relpath(file, absolute)
            if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
                return os.path.normpath(os.path.join(self.typed, rel))
        return file

    def relocate(self, diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
        return tuple(
            d if d.location is None else replace(d, location=replace(d.location, file=self.path(d.location.file)))
            for d in diagnostics)


def _repository_root(start: Path) -> Path:
    """The git work tree holding ``start`` (a ``.git`` folder or file), else ``start`` itself."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def repository_paths(plan: Plan, before: Path, after: Path, prefix: str | None) -> Plan:
    """The plan with each finding's files named as GitHub attaches annotations to a pull
    request's files: relative to the repository root. The readers locate files relative to each
    compared folder (``api/fly.toml``), which GitHub cannot place (``deploy/fly/api/fly.toml``).
    With ``prefix``, paths are the current folder's view with ``prefix`` in front."""
    cwd = Path.cwd()
    base = cwd if prefix is not None else _repository_root(cwd)
    roots = {side: TypedRoot(path) for side, path in (("before", before), ("after", after))}

    def move(loc: Location | None, side: str | None) -> Location | None:
        if loc is None:
            return None
        # Source notes and acknowledgements (side None) are already named as typed (cwd-relative).
        typed = roots[side].path(loc.file) if side is not None else loc.file
        return _from_repository(loc, typed, base, prefix)

    return replace(plan, findings=tuple(
        replace(f, evidence_before=move(f.evidence_before, "before"),
                evidence_after=move(f.evidence_after, "after"))
        for f in plan.findings),
        source_notes=tuple(replace(n, location=move(n.location, None)) for n in plan.source_notes),
        stale_acks=tuple(replace(a, location=move(a.location, None)) for a in plan.stale_acks))


def _from_repository(loc: Location, typed: str, base: Path, prefix: str | None) -> Location:
    """``loc`` named ``typed`` (as seen from the current folder) renamed from ``base``."""
    rel = os.path.relpath(os.path.abspath(typed), base)
    if prefix is not None:
        return replace(loc, file=Path(os.path.normpath(os.path.join(prefix, rel))).as_posix())
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return loc  # outside the repository: GitHub cannot attach it anyway
    return replace(loc, file=Path(rel).as_posix())


def repository_diagnostics(diagnostics: Iterable[Diagnostic], prefix: str | None) -> tuple[Diagnostic, ...]:
    """Diagnostics already named as typed (:meth:`TypedRoot.relocate`) renamed from the
    repository root, or with ``prefix`` as :func:`repository_paths` does (SARIF for validate)."""
    cwd = Path.cwd()
    base = cwd if prefix is not None else _repository_root(cwd)
    return tuple(d if d.location is None else
                 replace(d, location=_from_repository(d.location, d.location.file, base, prefix))
                 for d in diagnostics)
