"""Fuzz the Clever Cloud reader: Terraform HCL, the export bundle's JSON and the repo hints."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from security_support import fuzz_examples, load_files_clean

from support import SAMPLES

SAMPLE = SAMPLES / "clevercloud-webapp"
EXPORT = {p.relative_to(SAMPLE / "export").as_posix(): p.read_bytes() for p in (SAMPLE / "export").rglob("*") if p.is_file()}
MAIN_TF = (SAMPLE / "terraform" / "main.tf").read_text(encoding="utf-8")
# Keys the bundle and hint readers look up, so that shapes land where they are read.
json_keys = st.one_of(st.sampled_from(["env", "name", "value", "fromAddons", "addonName", "apps", "app_id", "alias",
                                       "instance", "type", "variant", "slug", "minInstances", "maxInstances", "minFlavor",
                                       "maxFlavor", "zone", "fqdn", "plan", "provider", "id", "format", "version"]),
                      st.text(max_size=6))
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(json_keys, inner, max_size=3)),
                           max_leaves=12)


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(st.text(max_size=300))
def test_terraform_text(text: str) -> None:
    load_files_clean({"main.tf": 'resource "clevercloud_nodejs" "api" {\n' + text + "\n}\n"}, "clevercloud")


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(st.integers(min_value=0, max_value=len(MAIN_TF)), st.text(max_size=40))
def test_terraform_mutations(at: int, insert: str) -> None:
    load_files_clean({"main.tf": MAIN_TF[:at] + insert + MAIN_TF[at:]}, "clevercloud")


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(st.sampled_from(sorted(k for k in EXPORT if k.endswith(".json"))), json_values)
def test_bundle_json_shapes(name: str, value: object) -> None:
    load_files_clean({**EXPORT, name: json.dumps(value)}, "clevercloud")


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(json_values, st.text(max_size=100))
def test_repo_hints(clever: object, env: str) -> None:
    load_files_clean({".clever.json": json.dumps(clever), ".env": env,
                      "package.json": '{"name": "x", "scripts": {"start": "node s.js"}}'}, "clevercloud")
