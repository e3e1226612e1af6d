"""The budgets and support readers' cost: nothing for a repository without either; one paged
DescribeBudgets and one paged DescribeBudgetNotificationsForAccount in all, one
ListTagsForResource per vend budget (its subscriber digests), and no subscriber read by default; with budget_subscribers, one DescribeSubscribersForNotification per alert of
vend's budgets (others' budgets are not read further); one paged DescribeCases in all."""
from __future__ import annotations

from pathlib import Path

from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.loader import load

REPO = Path(__file__).resolve().parents[2]
ALERT = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "ThresholdType": "PERCENTAGE"}
EMAIL = [{"SubscriptionType": "EMAIL", "Address": "owner@example.com"}]


def _read(local: LocalAws, **scope: bool) -> tuple[object, CallCounter]:
    counter = CallCounter()
    live = engine.read_live(AwsClients(local.session(), observers=(counter,)), load(REPO).settings, **scope)
    return live, counter


def _seed(local: LocalAws) -> tuple[str, list[str]]:
    session = local.session()
    org = session.client("organizations")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    members = [a["Id"] for a in org.list_accounts()["Accounts"] if a["Id"] != management]
    budgets = session.client("budgets", region_name="us-east-1")
    for member in members:
        budgets.create_budget(
            AccountId=management,
            Budget={"BudgetName": f"vend-{member}", "BudgetType": "COST", "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "CostFilters": {"LinkedAccount": [member]}},
            NotificationsWithSubscribers=[{"Notification": {**ALERT, "Threshold": t}, "Subscribers": EMAIL}
                                          for t in (80, 100)],
            ResourceTags=[{"Key": "vend:subscribers:actual-80", "Value": "abc"}, {"Key": "team", "Value": "x"}]
            if member == members[0] else [])
    budgets.create_budget(  # someone else's budget, with an alert: never read further
        AccountId=management, Budget={"BudgetName": "team-budget", "BudgetType": "COST", "TimeUnit": "MONTHLY",
                                      "BudgetLimit": {"Amount": "5", "Unit": "USD"}},
        NotificationsWithSubscribers=[{"Notification": {**ALERT, "Threshold": 50}, "Subscribers": EMAIL}])
    return management, members


def test_budget_reads_are_two_paged_calls_in_all_and_no_subscriber_read_by_default(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        live, counter = _read(local)
        assert live.budgets is None and live.support is None
        assert not {k for k in counter.counts if k.startswith(("DescribeBudget", "DescribeSubscribers", "DescribeCases"))}

        management, members = _seed(local)
        live, counter = _read(local, budgets=True)
        assert sorted(live.budgets.budgets) == sorted(f"vend-{m}" for m in members)
        assert live.budgets.subscribers_read is False
        one = live.budgets.of(members[0])
        assert (one.amount, one.linked_accounts, [(a.spend, a.threshold, a.recipients, a.sns) for a in one.alerts]) == (
            100.0, (members[0],), [("actual", 80.0, None, None), ("actual", 100.0, None, None)])
        assert one.digests == (("actual-80", "abc"),)  # vend's tags only
        assert live.budgets.of(members[1]).digests == ()
        budget_calls = {k: v for k, v in counter.counts.items() if k.startswith(("DescribeBudget", "DescribeSubscribers"))}
        assert budget_calls == {"DescribeBudgets": 1, "DescribeBudgetNotificationsForAccount": 1}
        _, without = _read(local)  # Organizations' ListTagsForResource has the same name
        tag_reads = counter.counts["ListTagsForResource"] - without.counts["ListTagsForResource"]
        assert tag_reads == len(members)  # one per vend budget, not team-budget's


def test_budget_subscribers_when_asked_are_one_call_per_alert_of_vends_budgets(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        management, members = _seed(local)
        live, counter = _read(local, budgets=True, budget_subscribers=True)
        assert live.budgets.subscribers_read is True
        one = live.budgets.of(members[0])
        assert [(a.spend, a.threshold, a.recipients, a.sns) for a in one.alerts] == [
            ("actual", 80.0, ("owner@example.com",), ()), ("actual", 100.0, ("owner@example.com",), ())]
        assert counter.counts["DescribeBudgets"] == 1
        assert counter.counts["DescribeBudgetNotificationsForAccount"] == 1
        assert counter.counts["DescribeSubscribersForNotification"] == 2 * len(members)
        assert "DescribeNotificationsForBudget" not in counter.counts


def test_support_reads_one_paged_describe_cases_and_keeps_only_vends_cases(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        support = local.session().client("support", region_name="us-east-1")
        support.create_case(subject="[vend] Add account 111122223333 to the Enterprise Support plan",
                            communicationBody="please", language="en")
        support.create_case(subject="Something else entirely", communicationBody="hi", language="en")
        live, counter = _read(local, support=True)
        assert [(c.account_id, c.level, c.status) for c in live.support.cases] == [("111122223333", "enterprise", "opened")]
        assert counter.counts["DescribeCases"] == 1
