"""JSON over HTTPS for the code hosts the plan comment goes to, with the standard library only.

Lists page with the `Link: <...>; rel="next"` header (GitHub and GitLab both send it); throttling
(429, or 403 with `Retry-After` or no rate limit left) and server errors are retried with
backoff, at most ATTEMPTS times and MAX_WAIT seconds a wait; any other refusal is one
CommentError naming the call, the host's reason and what to check.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator

from vending.errors import CommentError

MAX_PAGES = 100
"""10,000 comments at 100 a page: far more than a pull request has; a host that pages without
end is an error, not a loop."""
ATTEMPTS = 4
MAX_WAIT = 60.0
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class RestClient:
    """`name` (GitHub, GitLab) at `api_url`; `hints` say what to check for an HTTP status."""

    name = "the code host"
    url_option = "--api-url"
    hints: dict[int, str] = {}

    def __init__(self, api_url: str, headers: dict[str, str], *, sleep: Callable[[float], None] | None = None,
                 timeout: float = 30.0):
        self.api_url = api_url.rstrip("/")
        self.headers = {"Accept": "application/json", "User-Agent": "vend", **headers}
        self.sleep = sleep or time.sleep
        self.timeout = timeout

    def pages(self, url: str, what: str) -> Iterator[dict[str, Any]]:
        """Every item of a listing, following the host's pages."""
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            page, headers = self.call("GET", next_url)
            yield from page
            match = _NEXT.search(headers.get("Link", ""))
            next_url = match.group(1) if match else None
        raise CommentError(f"{self.name} listed more than {MAX_PAGES} pages of {what}; giving up")

    def call(self, method: str, url: str, payload: dict[str, Any] | None = None) -> tuple[Any, Any]:
        data = None if payload is None else json.dumps(payload).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if data is not None else {})}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read() or b"null"), response.headers
            except urllib.error.HTTPError as exc:
                wait = _retry_after(exc, attempt)
                if wait is None or attempt == ATTEMPTS:
                    raise CommentError(self._refusal(method, url, exc, attempt)) from exc
                self.sleep(wait)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == ATTEMPTS:
                    reason = getattr(exc, "reason", exc)
                    raise CommentError(
                        f"cannot reach {self.name} at {self.api_url} ({reason}) after {ATTEMPTS} attempts;"
                        f" check the network and {self.url_option}"
                    ) from exc
                self.sleep(min(2.0 ** attempt, MAX_WAIT))
        raise AssertionError("unreachable")

    def _refusal(self, method: str, url: str, exc: urllib.error.HTTPError, attempt: int) -> str:
        try:
            found = json.loads(exc.read() or b"{}")
        except ValueError:
            found = {}
        message = (found.get("message") or found.get("error") or "") if isinstance(found, dict) else ""
        if not isinstance(message, str):  # GitLab: {"message": {"note": ["is too long"]}}
            message = json.dumps(message, sort_keys=True)
        path = url[len(self.api_url):] if url.startswith(self.api_url) else url
        tries = f" after {attempt} attempts" if attempt > 1 else ""
        text = (f"{self.name} refused {method} {path.split('?', 1)[0]}: HTTP {exc.code}"
                + (f" {message}" if message else "") + tries)
        hint = self.hints.get(exc.code, "try again later" if exc.code >= 429 else "")
        return f"{text}; {hint}" if hint else text


def _retry_after(exc: urllib.error.HTTPError, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the error is not worth a retry."""
    throttled = exc.code == 429 or (exc.code == 403 and bool(
        exc.headers.get("Retry-After") or exc.headers.get("X-RateLimit-Remaining") == "0"))
    if not throttled and exc.code < 500:
        return None
    given = exc.headers.get("Retry-After")
    if given and given.isdigit():
        return min(float(given), MAX_WAIT)
    return min(2.0 ** attempt, MAX_WAIT)
