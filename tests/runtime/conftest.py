import os
import shutil

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The tests run the runtime as root and, through setpriv, as an unprivileged user in user
    # namespaces: they need root and iproute2 (CI runs as root).
    reason = None
    if os.geteuid() != 0:
        reason = "the Fly-like runtime's tests run as root (and switch to an unprivileged user)"
    elif shutil.which("ip") is None:
        reason = "the Fly-like runtime needs iproute2"
    if reason:
        for item in items:
            if "tests/runtime" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))
