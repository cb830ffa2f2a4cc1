"""The strict YAML loader: 1.2 scalars, duplicate keys, merges, alias bombs, depth, encoding."""

from __future__ import annotations

import time

import pytest

from hopper._yaml import Tagged, decode_bytes, load_yaml
from hopper.diagnostics import HopperError, LimitError, Limits


def bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def error_of(text: str, **kwargs: object) -> HopperError:
    with pytest.raises(HopperError) as info:
        load_yaml(text, "compose.yaml", **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(("literal", "expected"), [
    ("22:22", "22:22"), ("off", "off"), ("no", "no"), ("yes", "yes"), ("on", "on"),
    ("3.10", "3.10"), ("0755", "0755"), ("1e3", "1e3"), ("2001-12-14", "2001-12-14"),
    ("true", True), ("False", False), ("~", None), ("null", None), ("", None),
    ("42", 42), ("-7", -7), ("0", 0), ("0o17", 15), ("0x1F", 31), ("0.5", 0.5), ("3.1", 3.1),
    ('"42"', "42"), ("'true'", "true"),
])
def test_scalars_follow_yaml_1_2_and_keep_what_was_written(literal: str, expected: object) -> None:
    value, _ = load_yaml(f"v: {literal}\n", "f.yaml")
    assert value == {"v": expected}
    assert type(value["v"]) is type(expected)


def test_on_key_stays_a_string_key() -> None:
    value, _ = load_yaml("on: push\n", "workflow.yml")
    assert value == {"on": "push"}


def test_locations_are_one_based_and_cover_keys_and_items() -> None:
    value, index = load_yaml("services:\n  web:\n    ports:\n      - 80:80\n", "c.yaml")
    assert value["services"]["web"]["ports"] == ["80:80"]
    loc = index.get(("services", "web", "ports", 0))
    assert loc is not None and (loc.file, loc.line, loc.col) == ("c.yaml", 4, 9)
    assert str(index.nearest(("services", "web", "missing"))) == "c.yaml:2:3"


def test_merge_keys_single_and_list() -> None:
    text = (
        "x-a: &a {image: a, env: 1}\n"
        "x-b: &b {image: b, extra: 2}\n"
        "one:\n  <<: *a\n  env: 3\n"
        "two:\n  <<: [*a, *b]\n"
    )
    value, index = load_yaml(text, "c.yaml")
    assert value["one"] == {"image": "a", "env": 3}
    assert value["two"] == {"image": "a", "env": 1, "extra": 2}  # earlier merge wins
    merged = index.get(("two", "extra"))
    assert merged is not None and merged.line == 2  # points at the anchor


def test_duplicate_key_names_both_lines() -> None:
    err = error_of("services:\n  web: {}\n  db: {}\n  web: {}\n")
    assert err.code == "HOP102"
    assert (err.line, err.col) == (4, 3)
    assert "'web' already defined at line 2" in str(err)


def test_duplicate_merge_key_is_an_error() -> None:
    err = error_of("x: &x {a: 1}\ny:\n  <<: *x\n  <<: *x\n")
    assert err.code == "HOP102" and err.line == 4


def test_alias_bomb_is_rejected_fast() -> None:
    start = time.perf_counter()
    err = error_of(bomb())
    assert time.perf_counter() - start < 1.0
    assert isinstance(err, LimitError)
    assert err.code == "HOP103" and (err.line, err.col) == (1, 1)


def test_legitimate_anchors_pass_under_the_budget() -> None:
    text = "x-c: &c {a: [1, 2, 3]}\n" + "".join(f"s{i}: {{<<: *c}}\n" for i in range(200))
    value, _ = load_yaml(text, "c.yaml", Limits(max_alias_nodes=10))
    assert value["s199"] == {"a": [1, 2, 3]}


def test_recursive_alias_is_rejected() -> None:
    err = error_of("a: &x [1, *x]\n")
    assert err.code == "HOP104" and (err.line, err.col) == (1, 4)


def test_deep_nesting_is_a_limit_error_not_a_recursion_error() -> None:
    err = error_of("[" * 2000 + "]" * 2000)
    assert isinstance(err, LimitError) and err.code == "HOP006"
    assert err.path == "compose.yaml" and err.line == 1


def test_syntax_error_has_parser_location() -> None:
    err = error_of("a: [1\nb: 2\n")
    assert err.code == "HOP101" and err.line is not None and err.col is not None
    assert "Traceback" not in str(err)


def test_invalid_utf8_and_nul_and_bom() -> None:
    with pytest.raises(HopperError) as info:
        decode_bytes(b"a: 1\nb: \xff\n", "c.yaml")
    assert info.value.code == "HOP003" and (info.value.line, info.value.col) == (2, 4)
    with pytest.raises(HopperError) as info:
        decode_bytes(b"a: 1\x00\n", "c.yaml")
    assert info.value.code == "HOP003" and info.value.line == 1
    text = decode_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", "c.yaml")
    assert load_yaml(text, "c.yaml")[0] == {"a": 1, "b": 2}


def test_empty_document_is_none() -> None:
    assert load_yaml("# just a comment\n", "c.yaml")[0] is None


def test_custom_tags_only_when_asked() -> None:
    value, _ = load_yaml("a: !reset []\nb: !override {x: 1}\nc: !reset\n", "c.yaml",
                         tags=("!reset", "!override"))
    assert value == {"a": Tagged("!reset", []), "b": Tagged("!override", {"x": 1}),
                     "c": Tagged("!reset", None)}
    assert error_of("a: !reset []\n").code == "HOP105"


def test_non_scalar_key_is_rejected() -> None:
    assert error_of("? [a]\n: 1\n").code == "HOP101"
