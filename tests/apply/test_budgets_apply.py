"""The budget alert applier leaves exactly git's subscribers on the emulator, reading the one
alert's subscribers itself when the plan did not (an update's `set_recipients`), and when a
create finds the alert already there (an interrupted apply)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from vending.apply.budgets import apply_alert
from vending.local import LocalAws
from vending.plan.changes import Action, Change, Kind

ALERT = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "ThresholdType": "PERCENTAGE"}


def _setup(local: LocalAws, subscribers: list[dict[str, str]]) -> tuple[Any, Any, dict[str, str]]:
    """The management account's budget of one member, with an alert at 85% and `subscribers`;
    the budgets client, a stand-in ApplyContext, and the changes' ids."""
    session = local.session()
    org = session.client("organizations")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    member = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Id"] != management)
    budgets = session.client("budgets", region_name="us-east-1")
    budgets.create_budget(AccountId=management, Budget={
        "BudgetName": f"vend-{member}", "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "CostFilters": {"LinkedAccount": [member]}},
        NotificationsWithSubscribers=[{"Notification": {**ALERT, "Threshold": 85.0}, "Subscribers": subscribers}])
    clients = SimpleNamespace(client=lambda service, region: session.client(service, region_name=region))
    ctx = SimpleNamespace(clients=clients, live=SimpleNamespace(management_account_id=management))
    return budgets, ctx, {"account_id": member, "budget_name": f"vend-{member}"}


def _subscribers(budgets: Any, ctx: Any, ident: dict[str, str], threshold: float) -> list[tuple[str, str]]:
    found = budgets.describe_subscribers_for_notification(
        AccountId=ctx.live.management_account_id, BudgetName=ident["budget_name"],
        Notification={**ALERT, "Threshold": threshold})
    return sorted((s["SubscriptionType"], s["Address"]) for s in found["Subscribers"])


def test_an_unread_alert_update_ends_with_exactly_gits_subscribers(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        budgets, ctx, ident = _setup(local, [
            {"SubscriptionType": "EMAIL", "Address": "someone@elsewhere.com"},
            {"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:111111111111:topic"}])
        change = Change(address="budget_alert:app/actual-80", kind=Kind.BUDGET_ALERT, action=Action.UPDATE,
                        source="ous/Apps/ou.yaml:3", reason="r",
                        before={**ident, "spend": "actual", "threshold": 85.0, "comparison": "GREATER_THAN",
                                "threshold_type": "PERCENTAGE"},
                        after={**ident, "spend": "actual", "threshold": 80.0, "comparison": "GREATER_THAN",
                               "threshold_type": "PERCENTAGE", "set_recipients": ["owner@example.com"]})
        message = apply_alert(change, ctx)
        assert message == "alert app/actual-80 set to 80% of actual spend for owner@example.com"
        assert _subscribers(budgets, ctx, ident, 80.0) == [("EMAIL", "owner@example.com")]


def test_a_create_that_finds_the_alert_gives_it_gits_subscribers(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        budgets, ctx, ident = _setup(local, [{"SubscriptionType": "EMAIL", "Address": "someone@elsewhere.com"},
                                             {"SubscriptionType": "EMAIL", "Address": "a@example.com"}])
        change = Change(address="budget_alert:app/actual-85", kind=Kind.BUDGET_ALERT, action=Action.CREATE,
                        source="ous/Apps/ou.yaml:3", reason="r",
                        after={**ident, "spend": "actual", "threshold": 85.0, "comparison": "GREATER_THAN",
                               "threshold_type": "PERCENTAGE", "recipients": ["a@example.com", "b@example.com"],
                               "sns": []})
        message = apply_alert(change, ctx)
        assert message == "alert app/actual-85 already existed (an earlier apply?); its subscribers set to git's"
        assert _subscribers(budgets, ctx, ident, 85.0) == [("EMAIL", "a@example.com"), ("EMAIL", "b@example.com")]
