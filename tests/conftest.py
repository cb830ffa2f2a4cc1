from __future__ import annotations

import os
import sys
from pathlib import Path

# Test modules are imported with --import-mode=importlib, so equal basenames in different folders
# do not clash; each folder's helper modules (unique names) are importable from its tests.
for _folder in sorted(Path(__file__).parent.iterdir()):
    if _folder.is_dir() and _folder.name not in ("golden", "tools", "__pycache__"):
        sys.path.insert(0, str(_folder))

try:
    from hypothesis import Phase, settings
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
else:
    # CI keeps property tests bounded: fewer examples, no per-example deadline (a loaded 2-core
    # runner is noisy), and no shrinking phase, which can otherwise run for minutes on a failure.
    # derandomize: CI explores the same examples on every run, so a property failure is
    # reproducible from the log rather than an occasional red build; local runs stay random.
    settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
    settings.register_profile("dev", deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")

