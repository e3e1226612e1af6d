"""A local fake of GitHub's issue-comment API and GitLab's merge-request notes API (no
network): list with `Link` paging, create, edit, token check, and refusals queued by a test."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "ghp-test-token"
BODY_LIMIT = 65_536


@dataclass
class FakeGitHub:
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Issue number -> its comments, oldest first."""
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Pull request number -> what GET /repos/OWNER/NAME/pulls/N answers (labels, user)."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    refusals: list[tuple[str, int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    """(method, status, headers, body): the next request with that method gets it instead."""
    url: str = ""
    _next_id: int = 1000

    def add(self, number: int, body: str) -> dict[str, Any]:
        self._next_id += 1
        comment = {"id": self._next_id, "body": body, "html_url": f"https://github.test/c/{self._next_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment


def serve(fake: FakeGitHub) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            url = urlparse(self.path)
            fake.requests.append((method, self.path))
            for index, (verb, status, headers, body) in enumerate(fake.refusals):
                if verb == method:
                    del fake.refusals[index]
                    return self._send(status, body, headers)
            gitlab = url.path.startswith("/api/v4/")
            if gitlab and self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self._send(401, {"message": "401 Unauthorized"})
            if not gitlab and self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"message": "Bad credentials"})
            parts = url.path.strip("/").split("/")
            payload = None
            if method in ("POST", "PATCH", "PUT"):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if len(payload["body"]) > BODY_LIMIT:
                    return self._send(422, {"message": "Validation Failed: body is too long (maximum is 65536 characters)"})
            if gitlab:  # api/v4/projects/<id or %2F-path>/merge_requests/<iid>/notes[/<id>]
                parts = ["repos", *parts[3:4], "x", "issues", parts[5], "comments", *parts[7:]]
                if method == "PUT":
                    parts, method = ["repos", "x", "x", "issues", "comments", parts[6]], "PATCH"
            if parts[3:4] == ["pulls"] and len(parts) == 5 and method == "GET" and int(parts[4]) in fake.pulls:
                return self._send(200, fake.pulls[int(parts[4])])
            if parts[3:4] == ["issues"] and parts[5:6] == ["comments"] and method in ("GET", "POST"):
                number = int(parts[4])
                if method == "POST":
                    return self._send(201, fake.add(number, payload["body"]))
                query = parse_qs(url.query)
                per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
                listed = fake.comments.get(number, [])
                chunk = listed[(page - 1) * per_page: page * per_page]
                headers = {}
                if page * per_page < len(listed):
                    headers["Link"] = (f'<{fake.url}{url.path}?per_page={per_page}&page={page + 1}>; rel="next", '
                                       f'<{fake.url}{url.path}?per_page={per_page}&page=1>; rel="first"')
                return self._send(200, chunk, headers)
            if parts[3:5] == ["issues", "comments"] and method == "PATCH":
                for comments in fake.comments.values():
                    for comment in comments:
                        if comment["id"] == int(parts[5]):
                            comment["body"] = payload["body"]
                            return self._send(200, comment)
            return self._send(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_PUT(self) -> None:
            self._handle("PUT")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
