"""Fuzz the Fly reader: fly.toml, the Dockerfile, the nginx config it copies and workflows."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from security_support import fuzz_examples, load_files_clean

BASE = 'app = "web"\n[http_service]\ninternal_port = 8080\n'
NGINX_DOCKERFILE = "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n"
toml_keys = st.sampled_from(["app", "primary_region", "kill_signal", "env", "build", "http_service", "services", "vm",
                             "mounts", "processes", "statics", "deploy", "checks", "experimental", "[env]", "[[vm]]"])


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(st.binary(max_size=400))
def test_fly_toml_bytes(data: bytes) -> None:
    load_files_clean({"fly.toml": data}, "fly")


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(st.lists(st.tuples(toml_keys, st.text(max_size=30)), max_size=6))
def test_fly_toml_shapes(pairs: list[tuple[str, str]]) -> None:
    text = 'app = "web"\n' + "".join(f"{k} = {v}\n" if not k.startswith("[") else f"{k}\n{v}\n" for k, v in pairs)
    load_files_clean({"fly.toml": text}, "fly")


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(st.text(max_size=300))
@example("\\")  # found by this target: AttributeError on an instruction with no name
def test_dockerfile(text: str) -> None:
    load_files_clean({"fly.toml": BASE, "Dockerfile": text}, "fly")


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("server location listen proxy_pass root include {};\"'#$\n /.:*abc8")), max_size=300))
def test_nginx(text: str) -> None:
    load_files_clean({"fly.toml": BASE, "Dockerfile": NGINX_DOCKERFILE, "nginx.conf": text}, "fly")


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(st.text(max_size=300))
def test_workflow(text: str) -> None:
    load_files_clean({"fly.toml": BASE, ".github/workflows/deploy.yml": "# flyctl deploy\n" + text}, "fly")
