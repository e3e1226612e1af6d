"""Helpers for the Service Catalog spoke tests: acting as a role in a member account."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vending.local import LocalAws, isolated_session


def as_role(local: LocalAws, account: str, role: str, service: str = "servicecatalog") -> Any:
    """A client acting as `role` (path/name) in `account`, through STS AssumeRole."""
    creds = local.session().client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="builder")["Credentials"]
    return isolated_session().client(service, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"])


def refused(code: str, call: Callable[[], Any]) -> dict[str, Any]:
    """The error response of `call`, which must fail with `code`."""
    with pytest.raises(ClientError) as raised:
        call()
    response: dict[str, Any] = raised.value.response  # type: ignore[assignment]
    assert response["Error"]["Code"] == code, response["Error"]
    return response
