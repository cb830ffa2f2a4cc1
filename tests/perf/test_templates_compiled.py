"""The templates shipped compiled (src/hopper/_templates/, see hopper.templating).

Regenerate the modules after changing a template (or Jinja2) with
``HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py`` (then read the diff).
A stale module is never used, so a forgotten regeneration costs only speed; this test catches it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from hopper import api, templating
from support import ROOT

PACKAGE = ROOT / "src" / "hopper" / "_templates"
CONVERSIONS = [("compose-webapp", "fly"), ("monorepo-webapp", "fly"),
               ("compose-webapp", "clevercloud"), ("clevercloud-webapp", "compose"),
               ("clevercloud-webapp", "fly")]


@pytest.fixture
def fresh_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    templating.environment.cache_clear()
    yield
    monkeypatch.undo()
    templating.environment.cache_clear()


def _convert_all() -> dict[tuple[str, str], dict[str, str]]:
    return {(sample, target): dict(api.convert(ROOT / "samples" / sample, target).files)
            for sample, target in CONVERSIONS}


def test_compiled_modules_are_current() -> None:
    expected = templating.compiled_sources()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py")
               if p.name != "__init__.py"}
    if os.environ.get("HOPPER_UPDATE_GOLDEN"):
        for name in set(on_disk) - set(expected):
            (PACKAGE / name).unlink()
        for name, text in expected.items():
            (PACKAGE / name).write_text(text, encoding="utf-8")
        pytest.skip("regenerated src/hopper/_templates/")
    assert set(on_disk) == set(expected), "regenerate with HOPPER_UPDATE_GOLDEN=1 (module docstring)"
    stale = sorted(name for name, text in expected.items() if on_disk[name] != text)
    assert not stale, f"stale compiled templates {stale}: regenerate with HOPPER_UPDATE_GOLDEN=1"


def test_conversions_compile_nothing_and_match_run_time_compiles(
        fresh_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = templating.COMPILE_COUNT["n"]
    shipped = _convert_all()
    assert templating.COMPILE_COUNT["n"] == before, "a template was compiled at run time"
    monkeypatch.setattr(templating, "USE_PRECOMPILED", False)
    templating.environment.cache_clear()
    compiled = _convert_all()
    assert templating.COMPILE_COUNT["n"] > before
    assert shipped == compiled


def test_a_stale_module_is_never_used(fresh_environment: None, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    """A module whose key no longer matches (another Jinja2, a changed template) is ignored and
    the template is compiled from its file as it is now."""
    expected = dict(api.convert(ROOT / "samples" / "compose-webapp", "fly").files)
    monkeypatch.setattr(jinja2, "__version__", "0.0-another")
    templating.environment.cache_clear()
    before = templating.COMPILE_COUNT["n"]
    assert dict(api.convert(ROOT / "samples" / "compose-webapp", "fly").files) == expected
    assert templating.COMPILE_COUNT["n"] > before

    # A template whose text changed: its shipped module (compiled from the old text) is not used.
    templating.environment.cache_clear()
    monkeypatch.undo()
    env = templating.environment()
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, "fly/dockerignore.j2")
    changed = source + "# changed\n"
    monkeypatch.setattr(type(env.loader), "get_source",
                        lambda self, e, name: (changed, filename, lambda: True)
                        if name == "fly/dockerignore.j2" else jinja2.PackageLoader.get_source(self, e, name))
    assert env.get_template("fly/dockerignore.j2").render().endswith("# changed\n")


def test_module_names_are_distinct() -> None:
    env = templating.environment()
    names = env.list_templates()
    assert len({templating.module_name(n) for n in names}) == len(names)
