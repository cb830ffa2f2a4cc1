from __future__ import annotations

import pytest
from support import SHARED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SHARED.is_dir():  # pragma: no cover - CI always has ../shared
        skip = pytest.mark.skip(reason="../shared is not present")
        for item in items:
            if "corpus" in item.nodeid:
                item.add_marker(skip)
