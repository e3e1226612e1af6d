"""The few GitHub REST calls the plan comment needs, with the standard library only.

Pull-request comments are issue comments in GitHub's API (`/repos/{repo}/issues/{n}/comments`).
Lists page with the `Link: <...>; rel="next"` header (100 per page, GitHub's maximum); throttling
(429, or 403 with `Retry-After` or no rate limit left) and server errors are retried with
backoff, within a deadline; any other refusal is one CommentError saying what to check.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator

from vending.errors import CommentError

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
MAX_PAGES = 100
"""10,000 comments: far more than a pull request has; a server that pages without end is an error."""
ATTEMPTS = 4
MAX_WAIT = 60.0
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_HINTS = {
    401: "check the token (GITHUB_TOKEN): it is missing, expired or revoked",
    403: "the token needs write access to the pull request's comments (pull requests or issues: write)",
    404: "check --github-repo and --pr, and that the token can see the repository",
    422: "GitHub did not accept the comment (is it too long?)",
}


class GitHub:
    """A GitHub (or GitHub Enterprise: `api_url` https://HOST/api/v3) REST client for comments."""

    def __init__(
        self, token: str, api_url: str = DEFAULT_API_URL, *, sleep: Callable[[float], None] | None = None,
        timeout: float = 30.0,
    ):
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.sleep = sleep or time.sleep
        self.timeout = timeout

    def comments(self, repo: str, number: int) -> Iterator[dict[str, Any]]:
        """Every comment of the pull request, oldest first, following GitHub's pages."""
        url: str | None = f"{self.api_url}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page, headers = self._call("GET", url)
            yield from page
            match = _NEXT.search(headers.get("Link", ""))
            url = match.group(1) if match else None
        raise CommentError(f"GitHub listed more than {MAX_PAGES} pages of comments on {repo}#{number}; giving up")

    def create(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return self._call("POST", f"{self.api_url}/repos/{repo}/issues/{number}/comments", {"body": body})[0]

    def update(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return self._call("PATCH", f"{self.api_url}/repos/{repo}/issues/comments/{comment_id}", {"body": body})[0]

    def _call(self, method: str, url: str, payload: dict[str, Any] | None = None) -> tuple[Any, Any]:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "vend",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read() or b"null"), response.headers
            except urllib.error.HTTPError as exc:
                wait = _retry_after(exc, attempt)
                if wait is None or attempt == ATTEMPTS:
                    raise CommentError(_refusal(method, url, exc, attempt)) from exc
                self.sleep(wait)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == ATTEMPTS:
                    reason = getattr(exc, "reason", exc)
                    raise CommentError(
                        f"cannot reach GitHub at {self.api_url} ({reason}) after {ATTEMPTS} attempts;"
                        " check the network and --github-api-url"
                    ) from exc
                self.sleep(min(2.0 ** attempt, MAX_WAIT))
        raise AssertionError("unreachable")


def _retry_after(exc: urllib.error.HTTPError, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the error is not worth a retry."""
    throttled = exc.code == 429 or (exc.code == 403 and (
        exc.headers.get("Retry-After") or exc.headers.get("X-RateLimit-Remaining") == "0"))
    if not throttled and exc.code < 500:
        return None
    given = exc.headers.get("Retry-After")
    if given and given.isdigit():
        return min(float(given), MAX_WAIT)
    return min(2.0 ** attempt, MAX_WAIT)


def _refusal(method: str, url: str, exc: urllib.error.HTTPError, attempt: int) -> str:
    try:
        message = json.loads(exc.read() or b"{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    tries = f" after {attempt} attempts" if attempt > 1 else ""
    text = f"GitHub refused {method} /{path}: HTTP {exc.code}" + (f" {message}" if message else "") + tries
    hint = _HINTS.get(exc.code, "try again later" if exc.code >= 429 else "")
    return f"{text}; {hint}" if hint else text
