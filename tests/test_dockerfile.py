"""hopper.shared.dockerfile: stages, ARG substitution, ports, commands, copies, secrets, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hopper.diagnostics import E_OUTSIDE_ROOT, InputError
from hopper.shared.dockerfile import (
    E_DOCKERFILE_SYNTAX,
    parse_dockerfile,
    read_dockerfile,
    substitute,
)

TEXT = """\
# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
ARG BASE
FROM --platform=linux/amd64 node:${NODE_VERSION}-slim AS build
ARG NODE_VERSION
WORKDIR /app
ENV PORT=3000 NODE_ENV=production
ENV LEGACY value with spaces
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=cache,target=/root/.npm npm ci
RUN --mount=type=secret,target=/run/secrets/sentry_token npm run build
COPY package.json package-lock.json ./
COPY --chown=node:node src/ src/
HEALTHCHECK --interval=30s CMD curl -f http://localhost:${PORT}/health
EXPOSE $PORT 9229/tcp
USER node
ENTRYPOINT ["docker-entrypoint.sh"]
CMD node server.js

FROM nginx:1.27-alpine
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist /usr/share/nginx/html
ADD https://example.com/file.txt /tmp/
CMD ["nginx", "-g", "daemon off;"]
"""


def test_stages_and_everything_in_them() -> None:
    df = parse_dockerfile(TEXT)
    build, final = df.stages
    assert df.global_args == {"NODE_VERSION": "20", "BASE": None}
    assert (build.image, build.image_as_written) == ("node:20-slim", "node:${NODE_VERSION}-slim")
    assert build.alias == "build" and build.platform == "linux/amd64"
    assert build.args == {"NODE_VERSION": "20"}
    assert build.workdir == "/app"
    assert build.env == {"PORT": "3000", "NODE_ENV": "production", "LEGACY": "value with spaces"}
    assert build.expose == ("3000", "9229/tcp") and build.expose_ports == (3000, 9229)
    assert build.secret_ids == ("npmrc", "sentry_token")
    assert build.user == "node"
    assert build.entrypoint is not None and not build.entrypoint.shell
    assert build.entrypoint.args == ("docker-entrypoint.sh",)
    assert build.cmd is not None and build.cmd.shell and build.cmd.as_text() == "node server.js"
    assert build.healthcheck is not None and "localhost" in build.healthcheck.args[0]
    assert [c.destination for c in build.copies] == ["./", "src/"]
    assert build.runs[0] == "npm ci"
    assert final.image == "nginx:1.27-alpine" and final.alias is None
    assert final.cmd is not None and final.cmd.as_text() == "nginx -g 'daemon off;'"
    copy_conf, copy_dist, add = final.copies
    assert copy_conf.sources == ("nginx.conf",) and copy_conf.destination == "/etc/nginx/conf.d/default.conf"
    assert copy_dist.from_stage == "build" and copy_dist.sources == ("/app/dist",)
    assert add.add
    assert df.final is final and df.stage("build") is build and df.stage("1") is final
    assert df.secret_ids == ("npmrc", "sentry_token")
    assert build.location.line == 4


def test_build_args_override_defaults() -> None:
    df = parse_dockerfile(TEXT, build_args={"NODE_VERSION": "22"})
    assert df.stages[0].image == "node:22-slim"


def test_substitution_forms() -> None:
    assert substitute("${A:-x}-${B:+y}-$C-${D}", {"A": "", "B": "1", "C": "c"}) == "x-y-c-"


@pytest.mark.parametrize(("text", "line"), [
    ("FROM node\nRUN echo ok\nRUN <<EOF\necho\n", 3),
    ("RUN echo before\nFROM node\n", 1),
    ("# only a comment\n", 1),
    ("FROM node AS\n", 1),
])
def test_errors_have_a_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        parse_dockerfile(text, file="api/Dockerfile")
    assert info.value.code == E_DOCKERFILE_SYNTAX
    assert (info.value.path, info.value.line) == ("api/Dockerfile", line)


def test_read_refuses_a_symlink_outside_root(tmp_path: Path) -> None:
    os.symlink("/etc/passwd", tmp_path / "Dockerfile")
    with pytest.raises(InputError) as info:
        read_dockerfile(tmp_path / "Dockerfile", tmp_path)
    assert info.value.code == E_OUTSIDE_ROOT


def test_read_relative_location(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text("FROM node:20\nEXPOSE 3000\n")
    df = read_dockerfile(tmp_path / "api" / "Dockerfile", tmp_path)
    assert df.file == "api/Dockerfile" and df.final.expose_ports == (3000,)
