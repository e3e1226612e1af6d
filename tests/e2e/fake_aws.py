"""A tiny AWS endpoint on 127.0.0.1 that answers as a test scripts it (AccessDenied, throttling,
expired tokens...), for the CLI's AWS-side failure messages. Point botocore at it with
AWS_ENDPOINT_URL. It speaks the two protocols vend's first calls use: Organizations' JSON 1.1
(X-Amz-Target) and STS's query protocol (Action=...).
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs

CALLER_ARN = "arn:aws:sts::111111111111:assumed-role/vend-plan/vend"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "application/x-amz-json-1.1"


def json_error(code: str, message: str, status: int = 400) -> Answer:
    return Answer(status, json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": message}))


def query_error(code: str, message: str, status: int = 403) -> Answer:
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
    return Answer(status, body, "text/xml")


def caller_identity(arn: str = CALLER_ARN) -> Answer:
    body = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        f"<Arn>{arn}</Arn><UserId>AROAEXAMPLE:vend</UserId><Account>111111111111</Account>"
        "</GetCallerIdentityResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    )
    return Answer(200, body, "text/xml")


class FakeAws:
    """`answers` maps an operation name to its Answer; anything else gets a 500."""

    def __init__(self, answers: dict[str, Answer | Callable[[], Answer]]):
        self.answers = answers
        self.calls: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeAws":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                target = self.headers.get("X-Amz-Target")
                operation = target.rsplit(".", 1)[-1] if target else parse_qs(body).get("Action", ["?"])[0]
                fake.calls[operation] += 1
                answer = fake.answers.get(operation, Answer(500, "{}"))
                if callable(answer):
                    answer = answer()
                payload = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: object) -> None:
                pass

        return Handler

