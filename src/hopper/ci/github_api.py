"""The few GitHub REST calls the action makes: list, create and update one pull-request comment.

Plain ``urllib`` (no dependency): the base URL comes from ``GITHUB_API_URL`` (GitHub Enterprise
Server sets its own), the token is the job's (``github.token``) or one the workflow passes. The
token is sent only in the ``Authorization`` header and never appears in an error message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from hopper._version import __version__

API_VERSION = "2022-11-28"
PER_PAGE = 100
MAX_PAGES = 30  # 3,000 comments: a pull request with more is not worth paging through
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
TIMEOUT_SECONDS = 30


class ApiError(Exception):
    """A REST call that did not succeed: ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, status: int, method: str, path: str, detail: str) -> None:
        super().__init__(f"{method} {path}: " + (f"HTTP {status}" if status else "no answer")
                         + (f" ({detail})" if detail else ""))
        self.status = status


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    body: str
    url: str
    by_bot: bool = False  # written by an app (github-actions[bot] for the job's token)


class GitHub:
    def __init__(self, api_url: str, token: str, repository: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.repository = repository

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"hopper/{__version__}",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, method, path, _message(exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiError(0, method, path, str(reason)) from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ApiError(0, method, path, "answer over 16 MiB")
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(0, method, path, "the answer is not JSON") from None

    def comments(self, number: int) -> list[Comment]:
        """The pull request's conversation comments, oldest first."""
        out: list[Comment] = []
        for page in range(1, MAX_PAGES + 1):
            items = self._call("GET", f"/repos/{self.repository}/issues/{number}/comments"
                                      f"?per_page={PER_PAGE}&page={page}")
            if not isinstance(items, list):
                break
            out.extend(_comment(item) for item in items if isinstance(item, dict))
            if len(items) < PER_PAGE:
                break
        return out

    def create_comment(self, number: int, body: str) -> Comment:
        return _comment(self._call("POST", f"/repos/{self.repository}/issues/{number}/comments",
                                   {"body": body}))

    def update_comment(self, comment_id: int, body: str) -> Comment:
        return _comment(self._call("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}",
                                   {"body": body}))


def _comment(item: Any) -> Comment:
    if not isinstance(item, dict):
        return Comment(id=0, body="", url="")
    user = item.get("user")
    return Comment(id=int(item.get("id") or 0), body=str(item.get("body") or ""),
                   url=str(item.get("html_url") or ""),
                   by_bot=isinstance(user, dict) and user.get("type") == "Bot")


def _message(exc: urllib.error.HTTPError) -> str:
    """GitHub's one-line reason (``Resource not accessible by integration``), if it gave one."""
    try:
        data = json.loads(exc.read(64 * 1024) or b"{}")
    except (ValueError, OSError):
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return str(message)[:200] if message else ""
