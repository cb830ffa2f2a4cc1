"""One Jinja2 environment for the text artifacts (Dockerfiles, workflows, scripts, runbooks).

Templates live in ``hopper/templates/<format>/``. The environment uses StrictUndefined (a
missing value is a bug, not an empty string), keeps trailing newlines, does no HTML escaping
(none of the outputs is HTML), and caches compiled templates for the whole process: each
template is compiled at most once.

Values that land in shell scripts must go through the ``sh`` filter (``shlex.quote``); values
that land in YAML or Markdown go through ``yaml_str`` / ``md`` so input cannot change the
structure of the file it lands in.
"""

from __future__ import annotations

import functools
import json
import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

COMPILE_COUNT = {"n": 0}  # read by the test that checks each template is compiled once


def _yaml_str(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML flow scalars)."""
    return json.dumps(str(value), ensure_ascii=False)


def _md(value: object) -> str:
    """Escape Markdown and HTML control characters in inline text."""
    text = str(value)
    for ch in "\\`*_{}[]<>()#+!|":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


@functools.cache
def environment() -> jinja2.Environment:
    import jinja2  # noqa: PLC0415

    class _CountingEnvironment(jinja2.Environment):
        def _compile(self, source: str, filename: str) -> Any:
            COMPILE_COUNT["n"] += 1
            return super()._compile(source, filename)

    env = _CountingEnvironment(
        loader=jinja2.PackageLoader("hopper", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters["sh"] = lambda v: shlex.quote(str(v))
    env.filters["yaml_str"] = _yaml_str
    env.filters["md"] = _md
    env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``."""
    text: str = environment().get_template(name).render(**context)
    return text
