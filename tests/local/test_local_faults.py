"""Fault injection (vending/local/faults.py): throttling under retries, one-off failures."""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import ExponentialBackoff


@pytest.fixture
def no_backoff(monkeypatch):
    """Keep botocore's retries but skip their sleeps, so the tests stay fast."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


def test_throttle_then_success_thanks_to_retries(local, root_id, no_backoff):
    """aws-facts 2.3 / 8.1: TooManyRequestsException (HTTP 400) is retried by botocore's
    standard mode; the call succeeds once the throttling stops."""
    org = local.session().client("organizations",
                                 config=Config(retries={"mode": "standard", "max_attempts": 3}))
    local.faults.throttle("ListAccountsForParent", times=2)
    response = org.list_accounts_for_parent(ParentId=root_id)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [a["Name"] for a in response["Accounts"]] == ["Management"]
    assert local.faults.pending() == 0


def test_throttle_beyond_retries_reaches_the_caller(local, root_id, no_backoff):
    org = local.session().client("organizations",
                                 config=Config(retries={"mode": "standard", "max_attempts": 2}))
    local.faults.throttle("ListAccountsForParent", times=5)
    with pytest.raises(ClientError) as raised:
        org.list_accounts_for_parent(ParentId=root_id)
    assert raised.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert local.faults.pending() == 1  # 3 of 5 throttles left, one fault entry


def test_fail_on_the_nth_call_once(local, org, root_id, aws_error):
    """A failure injected mid-apply: the 2nd CreateOrganizationalUnit fails, once."""
    local.faults.fail("CreateOrganizationalUnit", on_call=2)
    org.create_organizational_unit(ParentId=root_id, Name="First")
    aws_error("ServiceException", org.create_organizational_unit, ParentId=root_id, Name="Second")
    org.create_organizational_unit(ParentId=root_id, Name="Second")
    names = {o["Name"] for o in org.list_organizational_units_for_parent(
        ParentId=root_id)["OrganizationalUnits"]}
    assert {"First", "Second"} <= names


def test_fail_with_a_chosen_code(local, org, aws_error):
    local.faults.fail("CreateAccount", code="ConcurrentModificationException")
    aws_error("ConcurrentModificationException", org.create_account, AccountName="X",
              Email="x@example.com")


def test_unknown_operation_is_rejected(local):
    with pytest.raises(ValueError, match="ListAccount"):
        local.faults.throttle("ListAccount", 1)
