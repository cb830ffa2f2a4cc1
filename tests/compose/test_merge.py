"""Merge rules for -f a -f b, override files and !reset / !override."""

from __future__ import annotations

from pathlib import Path

from compose_load_support import write_tree
from compose_merge_cases import BASE, EXPECTED_WEB, OVERRIDE, RESET, summary

from hopper._yaml import Tagged
from hopper.formats.base import ReadOptions
from hopper.formats.compose.merge import merge_service, strip_tags
from hopper.formats.compose.project import load_project


def test_override_rules(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE})
    project = load_project(root, ReadOptions())
    assert summary(project.services["web"]) == EXPECTED_WEB
    assert project.services["web"]["healthcheck"]["interval_s"] == 10.0
    loc = project.locations[("services", "web", "image")]
    assert loc.file == "compose.override.yaml"
    loc = project.locations[("services", "web", "environment", "A")]
    assert loc.file == "compose.yaml"


def test_reset_and_override_tags(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE, "b.yaml": RESET})
    web = load_project(root, ReadOptions(files=("a.yaml", "b.yaml"))).services["web"]
    assert "ports" not in web and "labels" not in web
    assert web["dns"] == ["9.9.9.9"]


def test_merge_does_not_mutate_inputs() -> None:
    base = {"environment": {"A": "1"}, "ports": [{"target": 1}], "command": ["a"]}
    over = {"environment": {"B": "2"}, "ports": [{"target": 2}], "command": ["b"]}
    merged = merge_service(base, over)
    assert merged == {"environment": {"A": "1", "B": "2"},
                      "ports": [{"target": 1}, {"target": 2}], "command": ["b"]}
    assert base == {"environment": {"A": "1"}, "ports": [{"target": 1}], "command": ["a"]}


def test_x_keys_replace_and_reset_inside_mappings() -> None:
    base = {"x-meta": {"a": 1}, "environment": {"A": "1", "B": "2"}}
    over = {"x-meta": {"b": 2}, "environment": {"A": Tagged("!reset", None)}}
    assert merge_service(base, over) == {"x-meta": {"b": 2}, "environment": {"B": "2"}}


def test_strip_tags_without_a_base() -> None:
    assert strip_tags({"a": Tagged("!reset", None), "b": Tagged("!override", [1])}) == {"b": [1]}


def test_logging_driver_change_replaces() -> None:
    base = {"logging": {"driver": "json-file", "options": {"a": "1"}}}
    over = {"logging": {"driver": "syslog"}}
    assert merge_service(base, over)["logging"] == {"driver": "syslog"}
