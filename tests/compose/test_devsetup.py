"""Development compose files convert to a deployable set (issue 13, "Development compose files").

Each rule is a warning (fatal under --strict): a test runner or `npm install` helper is left
out, `npm run dev`/nodemon is replaced by the package's build and start scripts, the source
bind-mounted over the working directory and volumes over node_modules are left out, tty is
ignored, and a file that is entirely a dev setup says so first.
"""

from __future__ import annotations

from pathlib import Path

from compose_load_support import write_tree
from test_lenient import converts_with

from hopper.formats.base import ReadOptions
from hopper.formats.compose.reader import read

DEV = {
    "compose.yaml": """\
services:
  api:
    build: ./api
    command: npm run dev
    working_dir: /app
    tty: true
    ports: ["3000:3000"]
    volumes:
      - ./api:/app
      - /app/node_modules
      - uploads:/app/uploads
  tests:
    build: ./api
    command: npm test
  deps:
    image: node:20-alpine
    command: npm ci
  e2e:
    image: cypress/included:13.6.0
  kept:
    image: node:20-alpine
    command: npx vitest run
    x-hopper: {role: worker}
volumes:
  uploads:
""",
    "api/Dockerfile": "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n",
    "api/package.json": '{"name": "api", "scripts": {"dev": "nodemon server.js", "build": "tsc",'
                        ' "start": "node dist/server.js", "test": "jest"}}\n',
    "api/package-lock.json": "{}\n",
}


def _codes(diagnostics: tuple[object, ...]) -> list[str]:
    return [getattr(d, "code", "") for d in diagnostics]


def test_dev_file_becomes_a_deployable_set(tmp_path: Path) -> None:
    root = write_tree(tmp_path, DEV)
    result = read(root, ReadOptions())
    names = {s.name for s in result.model.services}
    assert names == {"api", "kept"}  # tests, deps and e2e are left out; x-hopper keeps one
    api = result.model.service("api")
    assert api is not None and api.build is not None
    # `npm run dev` (compose command and the Dockerfile's CMD) gives way to the package's scripts.
    assert api.runtime.command == ("npm", "start")
    assert api.build.build_command == "npm run build" and api.build.start_command == "npm start"
    targets = {v.target for v in api.volumes}
    assert targets == {"/app/uploads"}  # data stays; the source and node_modules mounts do not
    codes = _codes(result.diagnostics)
    assert codes.count("HOP151") == 3 and "HOP152" in codes and codes.count("HOP153") == 2
    assert "HOP154" in codes
    # The whole file is a dev setup: said once, before what each service became.
    first = next(i for i, d in enumerate(result.diagnostics) if getattr(d, "code", "") == "HOP155")
    assert first < codes.index("HOP167")


def test_dev_rules_convert_with_warnings_and_fail_under_strict(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", DEV)
    stderr = converts_with(root, "HOP152", tmp_path)
    for code in ("HOP151", "HOP153", "HOP154", "HOP155"):
        assert f"[{code}]" in stderr
    dockerfiles = list((tmp_path / "out").rglob("Dockerfile*"))
    text = "".join(p.read_text() for p in dockerfiles)
    assert "npm run dev" not in text and "nodemon" not in text


def test_production_file_is_untouched(tmp_path: Path) -> None:
    prod = dict(DEV)
    prod["compose.yaml"] = ("services:\n  api:\n    build: ./api\n    command: npm start\n"
                            "    ports: ['3000:3000']\n  front:\n    image: nginx:1.27-alpine\n"
                            "    volumes: ['./front/default.conf:/etc/nginx/conf.d/default.conf:ro']\n")
    prod["front/default.conf"] = "server { listen 80; location / { root /usr/share/nginx/html; } }\n"
    result = read(write_tree(tmp_path, prod), ReadOptions())
    assert not {c for c in _codes(result.diagnostics) if c in ("HOP151", "HOP152", "HOP153", "HOP154", "HOP155")}
    api = result.model.service("api")
    assert api is not None and api.runtime.command == ("npm", "start")
