"""The seam: a platform is one folder (``formats/<name>/``) plus its ``mappings/`` data.

Every registered format declares all the parts the rest of hopper reads from the registry, and
no module outside ``formats/<name>/`` names a platform (it would silently miss the next one).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from hopper import mappings, matrix
from hopper.findings.points import POINTS
from hopper.formats import detect_format, format_names, get_format
from support import ROOT

SRC = ROOT / "src" / "hopper"


@pytest.mark.parametrize("name", format_names())
def test_a_registered_format_declares_every_part(name: str) -> None:
    fmt = get_format(name)
    p = fmt.platform
    assert fmt.read is not None and fmt.write is not None, f"{name}: reader and writer"
    assert p.label and p.secret_store, f"{name}: label and secret store"
    assert (p.cost is None) != (p.cost_note is None), f"{name}: a cost estimator or a note why not"
    assert p.matrix is not None, f"{name}: its conversion-matrix column"
    column = p.matrix()
    assert set(column) == set(matrix.model_fields()), f"{name}: a matrix cell for every model field"
    if p.has_regions:
        assert mappings.regions(name), f"{name}: a regions table"
    flags = {flag.name: flag for flag in p.write_flags}
    assert len(flags) == len(p.write_flags), f"{name}: a write flag declared twice"
    if "--region" in flags:
        assert p.has_regions, f"{name}: --region needs a regions table"
    for flag in p.write_flags:
        assert flag.name.startswith("--") and flag.help, f"{name}: flag {flag.name}"
        assert flag.type in ("str", "int") and (flag.min is None or flag.type == "int"), flag.name
        assert bool(flag.choices) != bool(flag.metavar), f"{name}: {flag.name} has choices or a metavar"
    for read_flag in p.read_flags:
        assert read_flag.name.startswith("--") and read_flag.help, f"{name}: {read_flag.name}"
    assert ("validate" in p.command_help) == (p.validate is not None), f"{name}: validate's help"
    assert set(p.command_help) <= {"validate", "verify"} and all(all(t) for t in p.command_help.values())
    for folder in p.hidden_folders:
        assert folder.startswith(".") and "/" not in folder, f"{name}: hidden folder {folder}"
    for option in p.options:
        assert option.default in option.choices and option.help, f"{name}: option {option.name}"
        assert option.name not in {f.field for f in p.write_flags}, f"{name}: {option.name} is also a flag"
    assert p.tls_edge is None or p.tls_edge.strip()
    if p.findings_module is not None:
        module = importlib.import_module(p.findings_module)
        assert p.findings_module == f"hopper.formats.{name}.findings", f"{name}: findings.py in its folder"
        assert callable(module.check) and isinstance(module.SPECS, tuple), f"{name}: SPECS and check(ctx)"
    if p.plan_keys is not None:
        known = {path for paths in POINTS.values() for path in paths}
        assert set(p.plan_keys()) <= known, f"{name}: plan_keys.toml names fields no finding points at"


def test_the_doc_pages_of_a_format_hold_its_codes_and_no_others() -> None:
    """SARIF links a HOP code to the page its range names (``Platform.doc_pages``): each code a
    format's folder declares is in one of its ranges, and no two owners claim one code."""
    from hopper.report.sarif import _DOC_PAGES

    owners: dict[int, str] = {}
    for owner, ranges in [("hopper", _DOC_PAGES)] + [(n, get_format(n).platform.doc_pages) for n in format_names()]:
        for first, last, page in ranges:
            assert (ROOT / "docs" / page).is_file() and first <= last, (owner, page)
            for number in range(first, last + 1):
                assert owners.setdefault(number, owner) == owner, f"HOP{number:03d}: {owners[number]} and {owner}"
    for name in format_names():
        for path in sorted((SRC / "formats" / name).rglob("*.py")):
            for number in re.findall(r'code\(\s*"HOP(\d+)"', path.read_text(encoding="utf-8")):
                assert owners.get(int(number)) == name, f"{path.relative_to(SRC)}: HOP{number} is not in {name}'s doc_pages"


# Mapping files with a section per platform, and the sections that are not platforms.
PLATFORM_SECTIONS = {
    "env-names": ({"meta", "generic"}, None),
    "env-platform-prefixes": ({"meta", "bundler", "bundler_builtins", "value_form"}, "platform"),
    "platform-edges": ({"meta", "default"}, None),
    "regions": ({"meta", "eu_countries"}, None),
}


@pytest.mark.parametrize("name", sorted(PLATFORM_SECTIONS))
def test_a_mapping_names_only_registered_platforms(name: str) -> None:
    """A platform section of a mapping file that no format reads (a typo, a renamed format) would
    be silently ignored: its platform would fall back to "unknown"."""
    others, nested = PLATFORM_SECTIONS[name]
    data = mappings.table(name)
    sections = set(data[nested]) if nested else set(data) - others
    assert sections <= set(format_names()), f"mappings/{name}.toml: {sorted(sections - set(format_names()))}"


def test_ranks_and_detection_order_are_unambiguous() -> None:
    platforms = [get_format(n).platform for n in format_names()]
    assert len({p.rank for p in platforms}) == len(platforms)
    assert len({p.detect_priority for p in platforms}) == len(platforms)


def test_detection_still_prefers_a_platform_over_its_dev_compose_file(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    assert detect_format(tmp_path) == "compose"
    (tmp_path / "fly.toml").write_text('app = "x"\n', encoding="utf-8")
    assert detect_format(tmp_path) == "fly"


# Modules outside formats/<name>/ that may still name a platform, and why. Shrink it; never grow
# it without a reason a reviewer accepts.
ALLOWED: dict[str, str] = {
    "runtime/": "the local Fly-like runtime behind `hopper verify`, Fly-only by design "
                "(docs/verify.md); the Fly format's command_help names the command",
    "findings/docs.py": "docs/findings.md's introduction, prose that shows each format's key for one "
                        "field as an example",
}
# Generated from the registry (each by the test its header names), so they name what it holds.
GENERATED = ("_cli_help.py", "_cli_flags.py", "_templates/", "formats/_order.py")
# The platforms' own command-line tools, named in texts as the platforms are.
PLATFORM_TOOLS = ("flyctl", "clever")


def _platform_words() -> re.Pattern[str]:
    """A platform's name as a whole word, in any case: each format's name and label, and its
    tools ("Fly.io", "fly.toml", "--to fly", "Clever Cloud", "render.yaml", "docker-compose")."""
    words = {*format_names(), *(get_format(n).platform.label for n in format_names()), *PLATFORM_TOOLS}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?!\w)", re.IGNORECASE)


def _named_platforms(path: Path, words: re.Pattern[str], names: frozenset[str]) -> list[str]:
    """Where ``path`` names a platform in code: a string constant (not a docstring) with a
    platform's name or label as a whole word, or an import of a format's folder."""
    where = path.relative_to(SRC) if path.is_relative_to(SRC) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and n.body and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [f"{where}:{node.lineno}: {m.group()!r} in {node.value[:70]!r}"
                      for m in words.finditer(node.value)]
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[:2] == ["hopper", "formats"] and len(parts) > 2 and parts[2] in names:
                found.append(f"{where}:{node.lineno}: import {node.module}")
    return found


def _outside_the_format_folders(skip: tuple[str, ...]) -> list[Path]:
    own = tuple(f"formats/{n}/" for n in format_names())
    return [path for path in sorted(SRC.rglob("*.py"))
            if not path.relative_to(SRC).as_posix().startswith((*own, *skip))]


def test_no_module_outside_a_format_folder_names_a_platform() -> None:
    words, names = _platform_words(), frozenset(format_names())
    offenders = [hit for path in _outside_the_format_folders((*ALLOWED, *GENERATED))
                 for hit in _named_platforms(path, words, names)]
    assert not offenders, "platform knowledge outside formats/<name>/:\n" + "\n".join(offenders)


def test_the_check_sees_a_platform_named_in_a_help_text(tmp_path: Path) -> None:
    """What the check flags (a "fly only:" help text put back into cli_table.py would fail it)
    and what it leaves alone (words that merely contain a name, docstrings)."""
    words, names = _platform_words(), frozenset(format_names())
    module = tmp_path / "cli_table.py"
    for source, hits in [('X = "fly only: autostop for HTTP apps."', 1), ('X = f"{x}: a compose file"', 1),
                         ('X = "Check a Fly.io setup offline: flyctl\'s rules"', 2),
                         ('X = "see render.yaml"', 1), ('X = "Only for Clever Cloud, Render: x"', 2),
                         ('X = "render_plan(plan)"', 0), ('X = "a flyweight, a composer"', 0),
                         ('"""A fly.toml docstring."""', 0), ("from hopper.formats.fly import x", 1)]:
        module.write_text(source + "\n", encoding="utf-8")
        found = _named_platforms(module, words, names)
        assert len(found) == hits, (source, found)


def test_the_allow_list_is_still_needed() -> None:
    words, names = _platform_words(), frozenset(format_names())
    for allowed in ALLOWED:
        paths = [SRC / allowed] if allowed.endswith(".py") else sorted((SRC / allowed).rglob("*.py"))
        assert any(_named_platforms(p, words, names) for p in paths), f"{allowed} no longer names one: drop it"
