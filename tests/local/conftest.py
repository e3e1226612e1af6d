"""Fixtures for the local-AWS tests: a fresh emulated organization per test (in tmp_path)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vending.local import LocalAws


@pytest.fixture
def local(tmp_path) -> Iterator[LocalAws]:
    with LocalAws(tmp_path, create_account_polls=2, close_account_polls=2) as aws:
        yield aws


@pytest.fixture
def org(local: LocalAws) -> Any:
    return local.session().client("organizations")


@pytest.fixture
def root_id(org: Any) -> str:
    return org.list_roots()["Roots"][0]["Id"]


@pytest.fixture
def aws_error() -> Callable[..., dict[str, Any]]:
    """aws_error(code, call, **params): call must fail with `code`; returns the error response."""

    def check(code: str, call: Callable[..., Any], **params: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            call(**params)
        response = raised.value.response
        assert response["Error"]["Code"] == code, response["Error"]
        return response

    return check


@pytest.fixture
def make_ou(org: Any) -> Callable[[str, str], str]:
    def make(parent_id: str, name: str) -> str:
        return org.create_organizational_unit(ParentId=parent_id, Name=name)[
            "OrganizationalUnit"]["Id"]

    return make


@pytest.fixture
def wait_created(org: Any) -> Callable[[str], dict[str, Any]]:
    """Poll DescribeCreateAccountStatus until the request leaves IN_PROGRESS."""

    def wait(request_id: str) -> dict[str, Any]:
        for _ in range(50):
            status = org.describe_create_account_status(CreateAccountRequestId=request_id)[
                "CreateAccountStatus"]
            if status["State"] != "IN_PROGRESS":
                return status
        raise AssertionError(f"{request_id} never completed")

    return wait


@pytest.fixture
def new_account(org: Any, wait_created: Callable[[str], dict[str, Any]]) -> Callable[..., str]:
    """Create an account through the asynchronous API and return its id once SUCCEEDED."""

    def create(name: str, email: str | None = None, **extra: Any) -> str:
        email = email or f"{name.lower().replace(' ', '-')}@example.com"
        request = org.create_account(AccountName=name, Email=email, **extra)["CreateAccountStatus"]
        status = wait_created(request["Id"])
        assert status["State"] == "SUCCEEDED", status
        return status["AccountId"]

    return create
