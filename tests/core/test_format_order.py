"""hopper/formats/_order.py lists the formats in their Platform's rank order, so that the CLI
learns the names without importing every format package (every command and --help needs them)."""

from __future__ import annotations

import json
import subprocess
import sys

from hopper import formats
from hopper.formats import _order


def test_order_equals_the_platform_ranks() -> None:
    assert formats.ordered_by_platform() == _order.ORDER, \
        f"update hopper/formats/_order.py to {formats.ordered_by_platform()!r}"
    assert formats.format_names() == _order.ORDER


def test_listing_the_formats_imports_none_of_them() -> None:
    code = ("import json, sys\nfrom hopper.formats import FORMAT_NAMES\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('hopper'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not [m for m in loaded if m.startswith("hopper.formats.") and m != "hopper.formats._order"], loaded
    assert "hopper.model" not in loaded
