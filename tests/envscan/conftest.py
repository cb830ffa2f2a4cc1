"""Fixtures of the env-scan tests; the models and paths live in envscan_fixtures (a unique module
name, importable from the tests of this folder)."""

from __future__ import annotations

from envscan_fixtures import shop_arch, shop_copy

__all__ = ["shop_arch", "shop_copy"]
