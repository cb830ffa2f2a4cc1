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

from hopper.diagnostics import Diagnostic


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
