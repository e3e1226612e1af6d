"""Read vend's budgets (in the management account) with their notifications and subscribers.

Why this shape (aws-facts §10):
- A budget lives in the management account, `vend-<account id>`, with a LinkedAccount cost
  filter: one account holds them all (20,000 budgets per account), and no role in any member
  is needed. So one paged DescribeBudgets (1,000 a page, the model's maximum) finds every one.
- DescribeBudgets does not return notifications: one paged DescribeBudgetNotificationsForAccount
  (1,000 a page) returns every budget's notifications at once, instead of one
  DescribeNotificationsForBudget per budget.
- Subscribers come back only per notification (DescribeSubscribersForNotification; no list call
  spans notifications, botocore's model has none), so reading them costs one call per alert of
  vend's budgets. By default the plan does not read them (two calls in all, whatever the number
  of accounts); with `subscribers` (`vend plan --check-subscribers`, vend.yaml
  `budgets.check_subscribers`) it does, on a small pool (the Budgets request rate is not
  published; standard retries back off). The applier of a changed alert reads its one alert's
  subscribers itself, for the write (`subscribers`).
- So that a change of recipients in git is still planned without reading subscribers, vend tags
  its budget with one `vend:subscribers:<spend>-<threshold>` digest per alert, of the
  subscribers it set (vending.model.live_budgets.SUBSCRIBERS_TAG): one ListTagsForResource per
  vend budget (not paged: a budget has at most 200 tags) on the same small pool, which is one
  call per account that has a budget.
- The reader runs only when some account declares `budget` (engine), and reads nothing in any
  member account.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from vending.aws.paging import pages
from vending.model.live_budgets import (BUDGET_PREFIX, SUBSCRIBERS_TAG, LiveAlert, LiveBudget, LiveBudgets,
                                        budget_arn)

BUDGETS_REGION = "us-east-1"
"""AWS Budgets has one global endpoint, budgets.amazonaws.com, signed in us-east-1 (aws-facts §10.1)."""
PAGE = 1000
"""DescribeBudgets' and DescribeBudgetNotificationsForAccount's maximum MaxResults (BUD-API)."""
SUBSCRIBER_PAGE = 100
"""DescribeSubscribersForNotification's maximum MaxResults; a notification has at most 11."""
WORKERS = 4


def subscribers(client: Any, account: str, budget: str, notification: dict[str, Any]) -> list[dict[str, str]]:
    """The subscribers of one notification: [{SubscriptionType, Address}]."""
    return [{"SubscriptionType": s["SubscriptionType"], "Address": s["Address"]}
            for s in pages(client, "describe_subscribers_for_notification", "Subscribers", page_size=SUBSCRIBER_PAGE,
                           AccountId=account, BudgetName=budget, Notification=notification)]


class BudgetsReader:
    def __init__(self, budgets: Any, management_account_id: str, *, subscribers: bool = False) -> None:
        self.budgets = budgets
        self.account = management_account_id
        self.subscribers = subscribers

    def read(self) -> LiveBudgets:
        ours = [b for b in pages(self.budgets, "describe_budgets", "Budgets", page_size=PAGE, AccountId=self.account)
                if b["BudgetName"].startswith(BUDGET_PREFIX)]
        if not ours:
            return LiveBudgets(subscribers_read=self.subscribers)
        names = {b["BudgetName"] for b in ours}
        notifications = {
            entry["BudgetName"]: entry.get("Notifications", [])
            for entry in pages(self.budgets, "describe_budget_notifications_for_account", "BudgetNotificationsForAccount",
                               page_size=PAGE, AccountId=self.account)
            if entry["BudgetName"] in names
        }
        pairs = [(name, n) for name in sorted(names) for n in notifications.get(name, [])]
        if self.subscribers:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                alerts = list(pool.map(lambda pair: self._alert(*pair), pairs))
        else:
            alerts = [_alert(n, None) for _, n in pairs]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            digests = dict(zip(sorted(names), pool.map(self._digests, sorted(names))))
        by_budget: dict[str, list[LiveAlert]] = {}
        for (name, _), alert in zip(pairs, alerts):
            by_budget.setdefault(name, []).append(alert)
        return LiveBudgets(budgets={b["BudgetName"]: _budget(b, by_budget.get(b["BudgetName"], []),
                                                             digests[b["BudgetName"]]) for b in ours},
                           subscribers_read=self.subscribers)

    def _digests(self, name: str) -> tuple[tuple[str, str], ...]:
        """vend's subscriber digests from the budget's tags (ListTagsForResource has no paging)."""
        tags = self.budgets.list_tags_for_resource(ResourceARN=budget_arn(self.account, name)).get("ResourceTags", [])
        return tuple(sorted((t["Key"][len(SUBSCRIBERS_TAG):], t["Value"]) for t in tags
                            if t["Key"].startswith(SUBSCRIBERS_TAG)))

    def _alert(self, name: str, notification: dict[str, Any]) -> LiveAlert:
        return _alert(notification, subscribers(self.budgets, self.account, name, _key(notification)))


def _key(notification: dict[str, Any]) -> dict[str, Any]:
    """The notification as the subscriber calls name it (NotificationState is not part of it)."""
    return {k: notification[k] for k in ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")
            if k in notification}


def _alert(notification: dict[str, Any], found: list[dict[str, str]] | None) -> LiveAlert:
    def addresses(kind: str) -> tuple[str, ...] | None:
        return None if found is None else tuple(sorted(s["Address"] for s in found if s["SubscriptionType"] == kind))

    return LiveAlert(
        spend=notification["NotificationType"].lower(),
        threshold=float(notification["Threshold"]),
        comparison=notification["ComparisonOperator"],
        threshold_type=notification.get("ThresholdType", "PERCENTAGE"),
        recipients=addresses("EMAIL"),
        sns=addresses("SNS"),
    )


def _budget(data: dict[str, Any], alerts: list[LiveAlert], digests: tuple[tuple[str, str], ...]) -> LiveBudget:
    limit = data.get("BudgetLimit") or {}
    filters = data.get("CostFilters") or {}
    return LiveBudget(
        name=data["BudgetName"],
        budget_type=data["BudgetType"],
        amount=float(limit.get("Amount", 0)),
        currency=limit.get("Unit", ""),
        period=data["TimeUnit"].lower(),
        linked_accounts=tuple(sorted(filters.get("LinkedAccount", []))),
        other_filters=any(key != "LinkedAccount" and values for key, values in filters.items()),
        alerts=tuple(sorted(alerts, key=lambda a: (a.spend, a.threshold))),
        digests=digests,
    )
