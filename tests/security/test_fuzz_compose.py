"""Fuzz the compose reader (YAML, interpolation, .env): any exception other than a HopperError
is a bug. Bounded for CI; findings are kept below as explicit examples."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from security_support import fuzz_examples, load_files_clean

WEB = "services:\n  web:\n    image: nginx\n"
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
docs = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)
service_keys = st.sampled_from(["image", "build", "environment", "env_file", "ports", "expose", "command", "entrypoint",
                                "volumes", "depends_on", "healthcheck", "deploy", "labels", "extends", "secrets", "profiles"])


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(st.binary(max_size=400))
@example(b"\xef\xbb\xbf" + WEB.encode())
@example(b"a: &x [1, *x]\n")
def test_compose_bytes(data: bytes) -> None:
    load_files_clean({"compose.yaml": data}, "compose")


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(st.text(max_size=300))
@example("services:\n  web:\n    image: ${X:?}\n")
@example("services: {web: {image: a, environment: [\"=x\"]}}\n")
def test_compose_text(text: str) -> None:
    load_files_clean({"compose.yaml": text}, "compose")


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(st.dictionaries(service_keys, docs, max_size=4))
@example({"build": "\x00"})  # found by this target: ValueError from a NUL in a path
@example({"env_file": "a\x00b"})
def test_compose_service_shapes(service: dict[str, object]) -> None:
    """Well-formed YAML with arbitrary shapes under real service keys."""
    text = yaml.safe_dump({"services": {"web": service}}, allow_unicode=True)
    load_files_clean({"compose.yaml": text}, "compose")


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(st.text(max_size=200))
@example("A='${B}'\nB=$$x\nC=${D:?err}\n")
def test_env_files(env: str) -> None:
    load_files_clean({"compose.yaml": WEB + "    env_file: app.env\n    environment:\n      X: ${Y:-z}\n",
                      "app.env": env, ".env": env}, "compose")
