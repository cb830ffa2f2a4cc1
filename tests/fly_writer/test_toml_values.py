"""fly.toml keys and values are tomlkit's formatting, also when remembered (write_toml caches
each key and scalar it formatted once: thousands of repeated values at 1000 apps)."""

from __future__ import annotations

from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from hopper.formats.fly import write_toml

SCALARS = st.one_of(st.text(), st.integers(), st.booleans(), st.floats(allow_nan=False))


def _tomlkit(value: Any) -> str:
    return str(tomlkit.item(value).as_string())


@settings(max_examples=300, deadline=None)
@given(st.lists(SCALARS, max_size=20))
def test_values_equal_tomlkit_in_any_order(values: list[Any]) -> None:
    for value in values + values[::-1]:
        assert write_toml._value(value) == _tomlkit(value)


def test_equal_values_of_other_types_stay_apart() -> None:
    """True == 1 and 0.0 == -0.0 (same hash): a cache must not hand one the other's text."""
    for first, second in [(True, 1), (1, True), (False, 0), (0, False), (0.0, -0.0), (-0.0, 0.0),
                          (1, 1.0), (1.0, 1)]:
        assert write_toml._value(first) == _tomlkit(first)
        assert write_toml._value(second) == _tomlkit(second)


@given(st.text(min_size=1))
def test_keys_equal_tomlkit(key: str) -> None:
    assert write_toml._key(key) == tomlkit.key(key).as_string()
    assert write_toml._key(key) == tomlkit.key(key).as_string()


def test_lists_equal_tomlkit() -> None:
    for value in (["a", 1, True], [], ["x\ny", '"q"'], [[1, 2], ["a"]]):
        assert write_toml._value(value) == _tomlkit(value)
