"""Where hopper lives on the web: the links its reports carry (SARIF ``helpUri``).

The same URL is ``[project.urls]`` in pyproject.toml; a test keeps the two equal. Documentation
links name the release tag of the running version (``v0.1.0``), so a report links to the docs
of the hopper that wrote it; the release workflow tags every published version.
"""

from __future__ import annotations

from hopper._version import __version__

REPOSITORY_URL = "https://github.com/hopper-migrate/hopper"


def docs_url(page: str, anchor: str | None = None) -> str:
    """``page`` (``findings.md``) of the docs of this version, at ``anchor`` when given."""
    url = f"{REPOSITORY_URL}/blob/v{__version__}/docs/{page}"
    return f"{url}#{anchor}" if anchor else url
