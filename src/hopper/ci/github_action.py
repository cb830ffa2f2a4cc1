"""The GitHub Action (``action.yml``): the plan in the job summary, annotations on the pull
request's files, one sticky pull-request comment, outputs, and a status that fails only on what
nobody acknowledged. Run as ``python -m hopper.ci.github_action`` by the action's second step;
the inputs arrive as ``INPUT_*`` variables (the action's ``env:``), the rest from the runner's
``GITHUB_*`` variables. Documented in docs/github-action.md.

hopper itself runs as a child process (``python -m hopper``), exactly as a user would run it, once
per format: JSON for the counts, Markdown for the summary and the comment, GitHub annotations, and
SARIF when asked. The comment is found by a hidden marker, ``<!-- hopper-plan:<id> -->``, and
updated in place (PATCH), else created (POST), so a pull request never collects one comment per
push. A read-only token (pull requests from forks) cannot comment: the action says so in the log
and the plan stays in the job summary and the annotations.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

import hopper
from hopper._project import docs_url
from hopper._version import __version__
from hopper.ci.github_api import ApiError, GitHub
from hopper.diagnostics import Severity, code
from hopper.formats import format_names
from hopper.secrets import name_looks_secret, url_has_credentials

W_COMMENT_READ_ONLY = code("HOP871", Severity.WARNING,
                           "the action cannot comment: the token is read-only (a pull request from a fork)")
W_COMMENT_FAILED = code("HOP872", Severity.WARNING,
                        "the action's pull-request comment failed (an HTTP error or no answer from the API)")
E_ACTION_INPUT = code("HOP873", Severity.ERROR,
                      "the action's inputs are incomplete or contradictory")
I_NO_PULL_REQUEST = code("HOP874", Severity.INFO,
                         "the action runs outside a pull request: no comment")
E_ACTION_PLAN = code("HOP875", Severity.ERROR,
                     "the action could not make the plan (hopper's own error is printed above)")

FORKS_DOCS = docs_url("github-action.md", "pull-requests-from-forks")
FAIL_LEVELS = {"breaking": ("breaking",), "warning": ("breaking", "warning"), "never": ()}
MIN_MASK_LENGTH = 8
# Runner variables that are never secret: they are not masked (masking "ubuntu-latest" would
# blank every log line that names it).
_RUNNER_PREFIXES = ("GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "IMAGE", "JAVA_", "ANDROID_")


class ActionInputError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Inputs:
    before: str
    after: str
    source: str
    to: str
    ack: str
    fail_on: str
    comment: bool
    comment_id: str
    sarif_file: str
    scan_code: bool
    path_prefix: str
    token: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def get(name: str, default: str = "") -> str:
            return env.get(f"INPUT_{name.upper().replace('-', '_')}", default).strip() or default

        before, after, source, to = get("before"), get("after"), get("source"), get("to")
        if (before or after) and (source or to):
            raise ActionInputError("give either before and after (compare two setups) or source "
                                   "and to (the plan of a conversion), not both")
        if bool(before) != bool(after) or bool(source) != bool(to):
            raise ActionInputError("before needs after, and source needs to")
        if not (before or source):
            raise ActionInputError("nothing to compare: set before and after, or source and to")
        targets = tuple(reversed(format_names()))  # newest platform first
        if to and to not in targets:
            raise ActionInputError(f"to: {to!r} is not a target ({', '.join(targets)})")
        fail_on = get("fail-on", "breaking")
        if fail_on not in FAIL_LEVELS:
            raise ActionInputError(f"fail-on: {fail_on!r} is not one of breaking, warning, never")
        comment_id = get("comment-id") or (f"{before}..{after}" if before else f"{source}:{to}")
        return cls(before=before, after=after, source=source, to=to, ack=get("ack"),
                   fail_on=fail_on, comment=_bool(get("comment", "true"), "comment"),
                   comment_id=re.sub(r"[^A-Za-z0-9._:/-]+", "-", comment_id)[:100],
                   sarif_file=get("sarif-file"), scan_code=_bool(get("scan-code", "true"), "scan-code"),
                   path_prefix=get("path-prefix"), token=get("github-token"))


def _bool(value: str, name: str) -> bool:
    if value.lower() in ("true", "yes", "1"):
        return True
    if value.lower() in ("false", "no", "0"):
        return False
    raise ActionInputError(f"{name}: {value!r} is not true or false")


def marker(comment_id: str) -> str:
    return f"<!-- hopper-plan:{comment_id} -->"


class Action:
    """One run of the action: ``env`` is the step's environment, ``out`` its log."""

    def __init__(self, env: Mapping[str, str], out: TextIO) -> None:
        self.env = env
        self.out = out

    def log(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def command(self, kind: str, message: str, title: str = "hopper") -> None:
        """A workflow command (``::warning title=hopper::...``), data escaped as the runner wants."""
        data = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        self.log(f"::{kind} title={title}::{data}")

    # -------------------------------------------------------------------------------- masking

    def mask_secrets(self, inputs: Inputs) -> None:
        """``::add-mask::`` for the token and every variable of the job that looks secret, before
        anything else is printed: hopper never prints a secret value, and a value hopper read
        from the environment (compose interpolation) stays masked in anything else the job logs.
        Secret-looking: a secret's name (``FLY_API_TOKEN``) whose value is not a file path
        (``SSL_CERT_FILE``), or a URL with a password in it, whatever its name."""
        values = {inputs.token} if inputs.token else set()
        for name, value in self.env.items():
            if name.startswith(_RUNNER_PREFIXES) or len(value) < MIN_MASK_LENGTH:
                continue
            if name_looks_secret(name) and not _is_path(value):
                values.add(value)
            elif url_has_credentials(value):
                values.add(value)
                password = urlsplit(value.strip()).password
                if password:
                    values.add(unquote(password))
        for value in sorted(values):
            for line in value.splitlines():
                if len(line.strip()) >= MIN_MASK_LENGTH:
                    self.log(f"::add-mask::{line}")

    # -------------------------------------------------------------------------------- the plan

    def hopper(self, inputs: Inputs, fmt: str, *, quiet: bool = True) -> str:
        """hopper's plan in ``fmt`` (stdout), its diagnostics passed to the log."""
        if inputs.before:
            args = ["diff", inputs.before, inputs.after]
            if inputs.ack:
                args += ["--ack", inputs.ack]
            if inputs.path_prefix and fmt in ("github", "sarif"):
                args += ["--path-prefix", inputs.path_prefix]
        else:
            args = ["convert", inputs.source, "--to", inputs.to, "--dry-run"]
        args += ["--format", fmt, "--scan-code" if inputs.scan_code else "--no-scan-code"]
        # The child never needs the token: it is not passed on.
        child_env = {k: v for k, v in self.env.items()
                     if k not in ("INPUT_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")}
        proc = subprocess.run([sys.executable, "-m", "hopper", *(["-q"] if quiet else []), *args],
                              env=child_env, capture_output=True, text=True, check=False)
        if proc.stderr:
            self.out.write(proc.stderr if proc.stderr.endswith("\n") else proc.stderr + "\n")
        if proc.returncode != 0:
            raise PlanError(proc.returncode)
        return proc.stdout

    # -------------------------------------------------------------------------------- outputs

    def write_summary(self, text: str) -> None:
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")

    def write_outputs(self, values: dict[str, str]) -> None:
        path = self.env.get("GITHUB_OUTPUT")
        if not path:
            return
        with open(path, "a", encoding="utf-8") as fh:
            for name, value in values.items():
                if "\n" in value or "\r" in value:
                    raise ValueError(f"output {name} spans lines")  # never: numbers, flags, paths
                fh.write(f"{name}={value}\n")

    # -------------------------------------------------------------------------------- comment

    def pull_request_number(self) -> int | None:
        path = self.env.get("GITHUB_EVENT_PATH")
        if not path or not Path(path).is_file():
            return None
        try:
            event = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        pr = event.get("pull_request") if isinstance(event, dict) else None
        number = pr.get("number") if isinstance(pr, dict) else None
        return number if isinstance(number, int) and number > 0 else None

    def comment(self, inputs: Inputs, markdown: str) -> str:
        """Create or update the sticky comment; its URL, or "" when there is none."""
        number = self.pull_request_number()
        if number is None:
            self.log(f"hopper: not a pull request event ({self.env.get('GITHUB_EVENT_NAME', 'unknown')}): "
                     f"no comment; the plan is in the job summary [{I_NO_PULL_REQUEST}]")
            return ""
        repository = self.env.get("GITHUB_REPOSITORY", "")
        if not inputs.token or not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
            self.command("warning", f"no token or repository to comment with; the plan is in the "
                                    f"job summary [{W_COMMENT_FAILED}]")
            return ""
        api = GitHub(self.env.get("GITHUB_API_URL", "https://api.github.com"), inputs.token, repository)
        tag = marker(inputs.comment_id)
        body = f"{tag}\n{markdown}"
        try:
            # Bots first: anyone can write the marker in a comment of their own, which the token
            # cannot edit (403); then the action writes a comment of its own instead.
            mine = sorted((c for c in api.comments(number) if c.body.startswith(tag)),
                          key=lambda c: not c.by_bot)
            for comment in mine[:1]:
                try:
                    done = api.update_comment(comment.id, body)
                except ApiError as exc:
                    if exc.status not in (403, 404):
                        raise
                    continue
                self.log(f"hopper: updated the plan comment on pull request #{number}: {done.url}")
                return done.url
            done = api.create_comment(number, body)
            self.log(f"hopper: commented the plan on pull request #{number}: {done.url}")
            return done.url
        except ApiError as exc:
            if exc.status == 403:
                self.command("warning", (
                    f"hopper cannot comment on pull request #{number}: the token is read-only "
                    f"({exc}). GitHub gives pull requests from forks a read-only token; the plan is "
                    f"in the job summary and the annotations instead. Do not switch to "
                    f"pull_request_target to get a write token: it would run the fork's code with "
                    f"it. See {FORKS_DOCS} [{W_COMMENT_READ_ONLY}]"))
            else:
                self.command("warning", f"hopper could not comment on pull request #{number} "
                                        f"({exc}); the plan is in the job summary [{W_COMMENT_FAILED}]")
            return ""

    # -------------------------------------------------------------------------------- run

    def run(self) -> int:
        try:
            inputs = Inputs.from_env(self.env)
        except ActionInputError as exc:
            self.command("error", f"{exc} [{E_ACTION_INPUT}]")
            return 1
        self.mask_secrets(inputs)
        self.log(f"hopper {__version__} ({Path(hopper.__file__).parent})")
        try:
            data = json.loads(self.hopper(inputs, "json", quiet=False))
            markdown = self.hopper(inputs, "markdown")
            annotations = self.hopper(inputs, "github")
            sarif = self.hopper(inputs, "sarif") if inputs.sarif_file else ""
        except PlanError as exc:
            self.command("error", f"hopper exited {exc.code}; no plan [{E_ACTION_PLAN}]")
            self.write_summary(f"**hopper**: no plan, hopper exited {exc.code} (see the job log).\n")
            return 1
        if inputs.sarif_file:
            Path(inputs.sarif_file).parent.mkdir(parents=True, exist_ok=True)
            Path(inputs.sarif_file).write_text(sarif, encoding="utf-8")
        self.out.write(annotations)
        self.write_summary(markdown)
        counts = plan_counts(data)
        failing = [f for f in data.get("findings", [])
                   if f.get("severity") in FAIL_LEVELS[inputs.fail_on] and not f.get("acknowledged")]
        url = self.comment(inputs, markdown) if inputs.comment else ""
        self.write_outputs({**{k: str(v) for k, v in counts.items()},
                            "has-changes": "true" if data.get("has_changes") else "false",
                            "failed": "true" if failing else "false",
                            "comment-url": url, "sarif-file": inputs.sarif_file})
        if failing:
            self.command("error", f"{len(failing)} unacknowledged finding(s) at fail-on "
                                  f"{inputs.fail_on} or worse; acknowledge them in hopper.ack.yaml "
                                  "with a reason, or change the setup")
            return 1
        return 0


class PlanError(Exception):
    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.code = exit_code


def plan_counts(data: dict[str, Any]) -> dict[str, int]:
    """The action's count outputs, from the JSON plan."""
    summary = data.get("summary", {})
    findings = data.get("findings", [])
    out = {name: int(summary.get(name, 0)) for name in
           ("add", "change", "remove", "breaking", "warning", "info", "acknowledged")}
    for severity in ("breaking", "warning"):
        out[f"unacknowledged-{severity}"] = sum(
            1 for f in findings if f.get("severity") == severity and not f.get("acknowledged"))
    return out


def _is_path(value: str) -> bool:
    return value.startswith(("/", "./", "~/")) and " " not in value and "://" not in value


def main() -> None:
    raise SystemExit(Action(os.environ, sys.stdout).run())


if __name__ == "__main__":
    main()
