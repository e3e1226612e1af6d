"""AWS Account Management in the local AWS (vending.local.account): alternate contacts held to
AWS's rules - trusted access, organization membership, the management account's own id, the
model's field patterns - and kept across processes like the rest of the organization."""
from __future__ import annotations

from typing import Any

import pytest

from vending.local import LocalAws

CONTACT = {"Name": "Sec Ops", "Title": "Security", "EmailAddress": "sec@example.com", "PhoneNumber": "+1 206 555 0100"}


@pytest.fixture
def account(local: LocalAws) -> Any:
    return local.session().client("account", region_name="us-east-1")


@pytest.fixture
def member(org: Any, wait_created) -> str:
    request = org.create_account(AccountName="app", Email="aws+app@example.com")["CreateAccountStatus"]["Id"]
    return wait_created(request)["AccountId"]


def _trust(org: Any) -> None:
    org.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")


def test_a_member_contact_needs_trusted_access(account, org, member, aws_error) -> None:
    error = aws_error("AccessDeniedException", account.put_alternate_contact, AccountId=member,
                      AlternateContactType="SECURITY", **CONTACT)
    assert "account.amazonaws.com" in error["Error"]["Message"]
    _trust(org)
    account.put_alternate_contact(AccountId=member, AlternateContactType="SECURITY", **CONTACT)
    got = account.get_alternate_contact(AccountId=member, AlternateContactType="SECURITY")["AlternateContact"]
    assert got == {**CONTACT, "AlternateContactType": "SECURITY"}


def test_an_unset_type_is_not_found_and_delete_removes_it(account, org, member, aws_error) -> None:
    _trust(org)
    aws_error("ResourceNotFoundException", account.get_alternate_contact, AccountId=member,
              AlternateContactType="BILLING")
    account.put_alternate_contact(AccountId=member, AlternateContactType="BILLING", **CONTACT)
    account.delete_alternate_contact(AccountId=member, AlternateContactType="BILLING")
    aws_error("ResourceNotFoundException", account.get_alternate_contact, AccountId=member,
              AlternateContactType="BILLING")
    aws_error("ResourceNotFoundException", account.delete_alternate_contact, AccountId=member,
              AlternateContactType="BILLING")


def test_accounts_outside_the_organization_and_the_managements_own_id_are_refused(account, org, aws_error) -> None:
    _trust(org)
    aws_error("AccessDeniedException", account.get_alternate_contact, AccountId="999999999999",
              AlternateContactType="SECURITY")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    aws_error("ValidationException", account.put_alternate_contact, AccountId=management,
              AlternateContactType="SECURITY", **CONTACT)
    account.put_alternate_contact(AlternateContactType="SECURITY", **CONTACT)  # its own, without AccountId
    assert account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Sec Ops"


@pytest.mark.parametrize("field, value, constraint", [
    ("EmailAddress", "security at example.com", "regular expression pattern"),
    ("PhoneNumber", "+1 206 555 0100 ext. 12", "regular expression pattern"),
    ("Title", "T" * 51, "length less than or equal to 50"),
])
def test_fields_aws_refuses_are_refused_as_the_model_says(account, org, member, aws_error, field, value,
                                                          constraint) -> None:
    _trust(org)
    error = aws_error("ValidationException", account.put_alternate_contact, AccountId=member,
                      AlternateContactType="OPERATIONS", **{**CONTACT, field: value})
    assert constraint in error["Error"]["Message"]
    aws_error("ResourceNotFoundException", account.get_alternate_contact, AccountId=member,
              AlternateContactType="OPERATIONS")


def test_contacts_outlive_the_process(tmp_path) -> None:
    with LocalAws(tmp_path) as first:
        first.session().client("account", region_name="us-east-1").put_alternate_contact(
            AlternateContactType="OPERATIONS", **CONTACT)
    with LocalAws(tmp_path) as second:
        got = second.session().client("account", region_name="us-east-1").get_alternate_contact(
            AlternateContactType="OPERATIONS")["AlternateContact"]
    assert got["EmailAddress"] == "sec@example.com"
