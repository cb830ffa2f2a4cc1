import os
import shutil

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The runtime creates network namespaces: root and iproute2 are required (CI runs as root).
    reason = None
    if os.geteuid() != 0:
        reason = "the Fly-like runtime needs root (network namespaces)"
    elif shutil.which("ip") is None:
        reason = "the Fly-like runtime needs iproute2"
    if reason:
        for item in items:
            if "tests/runtime" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))
