"""Read a compose project into the model: the format's ``read`` entry.

Two stages, as in every format folder: the compose files become one merged, interpolated,
normalised :class:`~.project.ComposeProject` (:mod:`.project` and its steps), then that project
becomes the model (:mod:`.to_model`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hopper.formats.base import ReadOptions, ReadResult
from hopper.formats.compose.project import load_project
from hopper.formats.compose.to_model import build_model


def read(path: Path, options: ReadOptions) -> ReadResult:
    project = load_project(path, options)
    result = build_model(project, options.limits)
    given = (path if path.is_dir() else path.parent).resolve()
    if project.root != given:
        # A compose file in docker/ that builds `../api`: the model's paths start higher up.
        result = replace(result, root=project.root)
    return result
