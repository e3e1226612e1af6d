"""AWS Budgets in the local AWS (vending.local.budgets): budgets held to AWS's rules where moto
has none - the owner is the caller, a linked-account filter only in a management account and
only for its members, the subscriber and notification quotas, UpdateBudget and the subscriber
calls moto lacks, paging, tags by ARN (moto has no budget tags) - and kept across processes like
the rest of the organization."""
from __future__ import annotations

from typing import Any

import pytest

from vending.local import LocalAws, isolated_session
from vending.local.budgets.handlers import NOTIFICATIONS_PER_BUDGET, SUBSCRIBERS_PER_NOTIFICATION, TAGS_PER_BUDGET

NOTIFICATION = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
                "ThresholdType": "PERCENTAGE"}


def _budget(name: str, linked: str | None = None, amount: str = "100") -> dict[str, Any]:
    budget = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
              "BudgetLimit": {"Amount": amount, "Unit": "USD"}}
    return {**budget, "CostFilters": {"LinkedAccount": [linked]}} if linked else budget


@pytest.fixture
def budgets(local: LocalAws) -> Any:
    return local.session().client("budgets", region_name="us-east-1")


@pytest.fixture
def ids(org: Any, wait_created) -> tuple[str, str]:
    """(management account, a new member)."""
    request = org.create_account(AccountName="app", Email="aws+app@example.com")["CreateAccountStatus"]["Id"]
    return org.describe_organization()["Organization"]["MasterAccountId"], wait_created(request)["AccountId"]


def test_the_owner_is_the_caller_and_a_linked_account_must_be_a_member(budgets, ids, aws_error) -> None:
    management, member = ids
    aws_error("AccessDeniedException", budgets.create_budget, AccountId=member, Budget=_budget("x"))
    error = aws_error("InvalidParameterException", budgets.create_budget, AccountId=management,
                      Budget=_budget("x", linked="999999999999"))
    assert "999999999999" in error["Error"]["Message"]
    budgets.create_budget(AccountId=management, Budget=_budget("x", linked=member))
    aws_error("DuplicateRecordException", budgets.create_budget, AccountId=management, Budget=_budget("x"))
    aws_error("InvalidParameterException", budgets.create_budget, AccountId=management,
              Budget=_budget("a:b"))


def test_a_member_cannot_filter_on_a_linked_account(local, ids, aws_error) -> None:
    management, member = ids
    session = local.session()
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    creds = session.client("sts").assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    as_member = isolated_session().client("budgets", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                                          aws_secret_access_key=creds["SecretAccessKey"],
                                          aws_session_token=creds["SessionToken"])
    error = aws_error("InvalidParameterException", as_member.create_budget, AccountId=member,
                      Budget=_budget("mine", linked=member))
    assert "linked account is not supported" in error["Error"]["Message"]
    as_member.create_budget(AccountId=member, Budget=_budget("mine"))
    assert [b["BudgetName"] for b in as_member.describe_budgets(AccountId=member)["Budgets"]] == ["mine"]


def test_update_replaces_the_budget_and_amounts_come_back_as_decimals(budgets, ids) -> None:
    management, member = ids
    budgets.create_budget(AccountId=management, Budget=_budget("x", linked=member, amount="2000.00"))
    got = budgets.describe_budget(AccountId=management, BudgetName="x")["Budget"]
    assert got["BudgetLimit"] == {"Amount": "2000.0", "Unit": "USD"}
    assert got["CostTypes"]["IncludeTax"] is True and got["TimePeriod"]["End"].year == 2087
    budgets.update_budget(AccountId=management, NewBudget={**_budget("x", linked=member, amount="5"), "TimeUnit": "ANNUALLY"})
    got = budgets.describe_budget(AccountId=management, BudgetName="x")["Budget"]
    assert (got["BudgetLimit"]["Amount"], got["TimeUnit"]) == ("5.0", "ANNUALLY")


def test_subscribers_and_notifications_have_their_quotas_and_identities(budgets, ids, aws_error) -> None:
    management, _ = ids
    emails = [{"SubscriptionType": "EMAIL", "Address": f"a{i}@example.com"} for i in range(SUBSCRIBERS_PER_NOTIFICATION)]
    budgets.create_budget(AccountId=management, Budget=_budget("x"),
                          NotificationsWithSubscribers=[{"Notification": NOTIFICATION, "Subscribers": emails[:1]}])
    for subscriber in emails[1:]:
        budgets.create_subscriber(AccountId=management, BudgetName="x", Notification=NOTIFICATION, Subscriber=subscriber)
    aws_error("CreationLimitExceededException", budgets.create_subscriber, AccountId=management, BudgetName="x",
              Notification=NOTIFICATION, Subscriber={"SubscriptionType": "EMAIL", "Address": "z@example.com"})
    listed = budgets.describe_subscribers_for_notification(AccountId=management, BudgetName="x",
                                                           Notification=NOTIFICATION)["Subscribers"]
    assert len(listed) == SUBSCRIBERS_PER_NOTIFICATION
    budgets.update_notification(AccountId=management, BudgetName="x", OldNotification=NOTIFICATION,
                                NewNotification={**NOTIFICATION, "Threshold": 90})
    aws_error("NotFoundException", budgets.delete_notification, AccountId=management, BudgetName="x",
              Notification=NOTIFICATION)
    for threshold in range(2, NOTIFICATIONS_PER_BUDGET + 1):
        budgets.create_notification(AccountId=management, BudgetName="x",
                                    Notification={**NOTIFICATION, "Threshold": threshold}, Subscribers=emails[:1])
    aws_error("CreationLimitExceededException", budgets.create_notification, AccountId=management, BudgetName="x",
              Notification={**NOTIFICATION, "Threshold": 99}, Subscribers=emails[:1])
    every = budgets.describe_budget_notifications_for_account(AccountId=management)["BudgetNotificationsForAccount"]
    assert [(e["BudgetName"], len(e["Notifications"])) for e in every] == [("x", NOTIFICATIONS_PER_BUDGET)]
    budgets.delete_budget(AccountId=management, BudgetName="x")
    aws_error("NotFoundException", budgets.describe_notifications_for_budget, AccountId=management, BudgetName="x")


def test_describe_budgets_pages(budgets, ids) -> None:
    management, _ = ids
    for i in range(7):
        budgets.create_budget(AccountId=management, Budget=_budget(f"b{i}"))
    first = budgets.describe_budgets(AccountId=management, MaxResults=3)
    assert len(first["Budgets"]) == 3 and first["NextToken"]
    names = [b["BudgetName"] for p in budgets.get_paginator("describe_budgets").paginate(
        AccountId=management, PaginationConfig={"PageSize": 3}) for b in p["Budgets"]]
    assert names == [f"b{i}" for i in range(7)]


def test_tags_name_the_budget_by_arn_and_are_strict_on_unknown_ones(budgets, ids, aws_error) -> None:
    management, member = ids
    arn = f"arn:aws:budgets::{management}:budget/tagged"
    budgets.create_budget(AccountId=management, Budget=_budget("tagged"), ResourceTags=[{"Key": "a", "Value": "1"}])
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["a", "absent"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [{"Key": "b", "Value": "2"}]
    aws_error("NotFoundException", budgets.list_tags_for_resource, ResourceARN=arn.replace("tagged", "nope"))
    aws_error("NotFoundException", budgets.tag_resource, ResourceARN=arn.replace("tagged", "nope"),
              ResourceTags=[{"Key": "a", "Value": "1"}])
    aws_error("InvalidParameterException", budgets.list_tags_for_resource, ResourceARN="arn:aws:s3:::bucket")
    aws_error("AccessDeniedException", budgets.list_tags_for_resource,
              ResourceARN=f"arn:aws:budgets::{member}:budget/tagged")
    aws_error("InvalidParameterException", budgets.tag_resource, ResourceARN=arn,
              ResourceTags=[{"Key": "aws:mine", "Value": "1"}])
    many = [{"Key": f"k{i}", "Value": ""} for i in range(TAGS_PER_BUDGET)]
    aws_error("ServiceQuotaExceededException", budgets.tag_resource, ResourceARN=arn, ResourceTags=many)
    budgets.delete_budget(AccountId=management, BudgetName="tagged")
    aws_error("NotFoundException", budgets.list_tags_for_resource, ResourceARN=arn)


def test_budgets_outlive_the_process(tmp_path) -> None:
    with LocalAws(tmp_path) as first:
        session = first.session()
        management = session.client("sts").get_caller_identity()["Account"]
        session.client("budgets", region_name="us-east-1").create_budget(
            AccountId=management, Budget=_budget("kept"), ResourceTags=[{"Key": "vend:subscribers:actual-80",
                                                                         "Value": "d"}])
    with LocalAws(tmp_path) as second:
        client = second.session().client("budgets", region_name="us-east-1")
        got = client.describe_budgets(AccountId=management)
        tags = client.list_tags_for_resource(ResourceARN=f"arn:aws:budgets::{management}:budget/kept")
    assert [b["BudgetName"] for b in got["Budgets"]] == ["kept"]
    assert tags["ResourceTags"] == [{"Key": "vend:subscribers:actual-80", "Value": "d"}]
