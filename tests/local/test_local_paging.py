"""Paging as AWS pages: at most 20 per page, NextToken, MaxResults over 20 refused."""
from __future__ import annotations

import pytest


def test_list_accounts_pages_by_twenty(org, new_account):
    """API_ListAccounts (MaxResults 1..20); moto's default page is 100 (moto-coverage 7)."""
    created = {new_account(f"Acct {i:02d}") for i in range(19)}  # + 3 bootstrap = 22
    first = org.list_accounts()
    assert len(first["Accounts"]) == 20 and first["NextToken"]
    second = org.list_accounts(NextToken=first["NextToken"])
    assert len(second["Accounts"]) == 2 and "NextToken" not in second
    walked = [a["Id"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
    assert len(walked) == len(set(walked)) == 22 and created <= set(walked)


def test_list_children_pages_by_twenty(org, root_id, make_ou):
    """API_ListChildren (MaxResults 1..20); moto returns all children in one page."""
    made = {make_ou(root_id, f"OU{i:02d}") for i in range(21)}  # + Security = 22
    first = org.list_children(ParentId=root_id, ChildType="ORGANIZATIONAL_UNIT")
    assert len(first["Children"]) == 20 and first["NextToken"]
    rest = org.list_children(ParentId=root_id, ChildType="ORGANIZATIONAL_UNIT",
                             NextToken=first["NextToken"], MaxResults=5)
    seen = {c["Id"] for c in first["Children"] + rest["Children"]}
    assert "NextToken" not in rest and len(seen) == 22 and made <= seen


def test_list_create_account_status_pages(org, wait_created):
    """API_ListCreateAccountStatus (MaxResults 1..20) with NextToken."""
    for i in range(3):
        wait_created(org.create_account(AccountName=f"P{i}", Email=f"p{i}@example.com")[
            "CreateAccountStatus"]["Id"])
    first = org.list_create_account_status(MaxResults=2)
    rest = org.list_create_account_status(MaxResults=2, NextToken=first["NextToken"])
    assert [s["AccountName"] for s in first["CreateAccountStatuses"] +
            rest["CreateAccountStatuses"]] == ["P0", "P1", "P2"]


@pytest.mark.parametrize("operation, params", [
    ("list_accounts", {}),
    ("list_accounts_for_parent", {"ParentId": "ROOT"}),
    ("list_organizational_units_for_parent", {"ParentId": "ROOT"}),
    ("list_children", {"ParentId": "ROOT", "ChildType": "ACCOUNT"}),
    ("list_policies", {"Filter": "SERVICE_CONTROL_POLICY"}),
    ("list_policies_for_target", {"TargetId": "ROOT", "Filter": "SERVICE_CONTROL_POLICY"}),
    ("list_create_account_status", {}),
])
def test_max_results_over_twenty_is_refused(org, root_id, aws_error, operation, params):
    """Organizations model: MaxResults max 20 on every list -> InvalidInputException
    reason MAX_VALUE_EXCEEDED (moto accepts e.g. 50)."""
    params = {k: root_id if v == "ROOT" else v for k, v in params.items()}
    response = aws_error("InvalidInputException", getattr(org, operation), MaxResults=21,
                         **params)
    assert response["Reason"] == "MAX_VALUE_EXCEEDED"
    getattr(org, operation)(MaxResults=20, **params)


def test_invalid_next_token(org, root_id, aws_error):
    """InvalidInputException reason INVALID_NEXT_TOKEN (Organizations model)."""
    response = aws_error("InvalidInputException", org.list_children, ParentId=root_id,
                         ChildType="ACCOUNT", NextToken="garbage")
    assert response["Reason"] == "INVALID_NEXT_TOKEN"
    aws_error("InvalidInputException", org.list_accounts, NextToken="garbage")
