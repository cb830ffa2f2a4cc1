"""Source notes (issues 13 and 20): the reader warnings that change what the whole plan means —
the compose file is a development setup (HOP155), a front's nginx routing was not read (HOP188) —
head the plan in every format, not only stderr."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from hopper.report.json import schema_path
from support import run_cli

DEV = {
    "compose.yaml": "services:\n  api:\n    build: ./api\n    command: npm run dev\n    working_dir: /app\n"
                    "    ports: ['3000:3000']\n    volumes:\n      - ./api:/app\n      - /app/node_modules\n",
    "api/Dockerfile": "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n",
    "api/package.json": '{"name": "api", "scripts": {"dev": "nodemon server.js", "build": "tsc",'
                        ' "start": "node dist/server.js"}}\n',
    "api/package-lock.json": "{}\n",
}
FRONT = {
    "compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n    volumes:\n"
                    "      - ./nginx/missing.conf:/etc/nginx/conf.d/default.conf:ro\n"
                    "  api:\n    image: node:20\n    ports: ['3000:3000']\n",
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _plan(root: Path, fmt: str) -> str:
    result = run_cli("convert", root, "--to", "fly", "--dry-run", "--format", fmt)
    assert result.code == 0, result.stderr
    # With the text plan the file list comes first; other formats have the plan alone on stdout.
    return result.stdout[result.stdout.index("hopper plan:"):] if fmt == "text" else result.stdout


def test_a_dev_compose_file_says_so_at_the_top_of_the_plan(tmp_path: Path) -> None:
    root = _tree(tmp_path / "dev", DEV)
    text = _plan(root, "text")
    assert "[HOP155]" in text and "development setup" in text
    assert text.index("[HOP155]") < text.index("Symbols:")  # above every finding
    markdown = _plan(root, "markdown")
    assert "HOP155" in markdown and markdown.index("HOP155") < markdown.index("| severity |")
    github = [line for line in _plan(root, "github").splitlines() if line.startswith("::")]
    assert github[0].startswith("::warning file=compose.yaml,line=1,col=1,title=HOP155")
    data = json.loads(_plan(root, "json"))
    assert [n["code"] for n in data["source_notes"]] == ["HOP155"]
    assert data["source_notes"][0]["location"]["file"] == "compose.yaml"
    assert data["format_version"] == "1.1"
    jsonschema.Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8"))).validate(data)


def test_unread_nginx_routing_is_in_the_plan_naming_the_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "front", FRONT)
    for fmt in ("text", "markdown", "json", "github"):
        plan = _plan(root, fmt)
        assert "HOP188" in plan and "missing.conf" in plan and "not carried" in plan, fmt
    # hopper diff shows it too, from the side that was read.
    out = run_cli("convert", root, "--to", "fly", "--out", tmp_path / "fly")
    assert out.code == 0, out.stderr
    diffed = run_cli("diff", root, tmp_path / "fly")
    head = diffed.stdout.split("Symbols:", 1)[0]
    assert "[HOP188]" in head and "missing.conf" in head, diffed.stdout


def test_a_plain_plan_has_no_banner(tmp_path: Path) -> None:
    root = _tree(tmp_path / "plain", {"compose.yaml": "services:\n  api:\n    image: node:20\n"})
    assert "Read this first" not in _plan(root, "text")
    assert json.loads(_plan(root, "json"))["source_notes"] == []
