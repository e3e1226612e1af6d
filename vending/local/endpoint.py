"""Clients for a running `vend local serve`: vend.yaml `target: {kind: local, endpoint: URL}`.

The server owns the state (and saves it as requests complete), so several `vend` processes, the
AWS CLI and tests can share one organization, and a `vend apply` killed mid-run leaves behind
exactly what the server had done. The URL is passed to every client explicitly, so the
environment's AWS_ENDPOINT_URL and profiles play no part.
"""
from __future__ import annotations

from typing import Any

import boto3

from vending.local import ACCOUNT_HEADER
from vending.local.bootstrap import HOME_REGION
from vending.local.framework import MANAGEMENT_ACCOUNT_ID


class EndpointSession(boto3.Session):
    """A boto3 session whose clients all go to one endpoint, as the management account."""

    def __init__(self, endpoint_url: str) -> None:
        super().__init__(aws_access_key_id="testing", aws_secret_access_key="testing",
                         region_name=HOME_REGION)
        self.endpoint_url = endpoint_url.rstrip("/")
        self.events.register("before-sign", _pin_management_account)

    def client(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["endpoint_url"] = self.endpoint_url
        return super().client(*args, **kwargs)


def _pin_management_account(request: Any, **_: Any) -> None:
    """As `LocalAws.session`: spares the server a scan of every account's IAM backend."""
    request.headers[ACCOUNT_HEADER] = MANAGEMENT_ACCOUNT_ID
