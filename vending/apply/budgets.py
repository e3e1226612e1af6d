"""Appliers of budgets: CreateBudget (with its alerts), UpdateBudget, DeleteBudget, and one
budget alert's Create/Update/DeleteNotification with Create/DeleteSubscriber, all in the
management account (AccountId is always its own id: the budget tracks the member through the
LinkedAccount cost filter, aws-facts §10.3).

A changed alert ends with exactly git's email subscribers whether or not the plan read them (by
default it does not: two calls in all, vending.state.budgets): the applier reads that one
notification's subscribers (DescribeSubscribersForNotification, a read for the write, not a
diff), creates the missing ones first (deleting a notification's last subscriber deletes the
notification) and then deletes the others, SNS ones included. Then it tags the budget with the
digest of what it set (`vend:subscribers:<spend>-<threshold>`, TagResource; CreateBudget sets
them in ResourceTags), which is how a default plan sees a change of recipients in git: the tag
is written only after the subscribers, so an interrupted apply leaves a digest that still
differs and is planned again. A deleted alert's tag is left (harmless; a new alert of that
label writes its own).

Re-running after an interruption converges: a budget that already exists (DuplicateRecordException)
is replaced with the one git wants (UpdateBudget), an alert that already exists gets git's
subscribers as above, and deletes of what is already gone (NotFoundException) count as done. Budgets has no idempotency tokens; throttling is retried by the
clients' standard mode.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.errors import error_code
from vending.model.live_budgets import SUBSCRIBERS_TAG, alert_label, budget_arn, budget_name, subscribers_digest
from vending.plan.changes import Action, Change
from vending.state.budgets import BUDGETS_REGION, subscribers


def _client(ctx: ApplyContext) -> Any:
    return ctx.clients.client("budgets", BUDGETS_REGION)


def _budget(name: str, account_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "BudgetName": name, "BudgetType": fields["budget_type"], "TimeUnit": fields["period"].upper(),
        "BudgetLimit": {"Amount": f"{fields['amount']:.2f}", "Unit": fields["currency"]},
        "CostFilters": {"LinkedAccount": [account_id]},
    }


def _notification(alert: dict[str, Any]) -> dict[str, Any]:
    return {"NotificationType": alert["spend"].upper(), "ComparisonOperator": alert.get("comparison", "GREATER_THAN"),
            "Threshold": float(alert["threshold"]), "ThresholdType": alert.get("threshold_type", "PERCENTAGE")}


def _email(address: str) -> dict[str, str]:
    return {"SubscriptionType": "EMAIL", "Address": address}


def _tag(alert: dict[str, Any], recipients: list[str]) -> dict[str, str]:
    """The `vend:subscribers:<label>` tag of one alert whose email subscribers are `recipients`."""
    return {"Key": SUBSCRIBERS_TAG + alert_label(alert["spend"], float(alert["threshold"])),
            "Value": subscribers_digest(recipients)}


def apply_budget(change: Change, ctx: ApplyContext) -> str:
    fields: dict[str, Any] = change.before if change.action is Action.DELETE else change.after  # type: ignore[assignment]
    name = change.address.split(":", 1)[1]
    account_id = ctx.account_id(name, fields.get("account_id"))
    budget = budget_name(account_id)
    client, owner = _client(ctx), ctx.live.management_account_id
    if change.action is Action.DELETE:
        try:
            client.delete_budget(AccountId=owner, BudgetName=budget)
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
            return f"budget {budget} of {name} was already gone"
        return f"budget {budget} of {name} deleted"
    wanted = _budget(budget, account_id, fields)
    if change.action is Action.UPDATE:
        client.update_budget(AccountId=owner, NewBudget=wanted)
        return f"budget {budget} of {name} updated to {fields['amount']:g} {fields['currency']} {fields['period']}"
    alerts = [{"Notification": _notification(a), "Subscribers": [_email(r) for r in a["recipients"]]}
              for a in fields["alerts"]]
    try:
        client.create_budget(AccountId=owner, Budget=wanted, NotificationsWithSubscribers=alerts,
                             ResourceTags=[_tag(a, a["recipients"]) for a in fields["alerts"]])
    except ClientError as exc:
        if error_code(exc) != "DuplicateRecordException":
            raise
        client.update_budget(AccountId=owner, NewBudget=wanted)
        return f"budget {budget} of {name} already existed (an earlier apply?); set to what git says"
    return f"budget {budget} of {name} created: {fields['amount']:g} {fields['currency']} {fields['period']}," \
           f" {len(alerts)} alert(s)"


def apply_alert(change: Change, ctx: ApplyContext) -> str:
    client, owner = _client(ctx), ctx.live.management_account_id
    label = change.address.split(":", 1)[1]
    if change.action is Action.DELETE:
        before: dict[str, Any] = change.before  # type: ignore[assignment]
        try:
            client.delete_notification(AccountId=owner, BudgetName=before["budget_name"],
                                       Notification=_notification(before))
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
            return f"alert {label} was already gone"
        return f"alert {label} deleted"
    after: dict[str, Any] = change.after  # type: ignore[assignment]
    budget, notification = after["budget_name"], _notification(after)
    if change.action is Action.CREATE:
        try:
            client.create_notification(AccountId=owner, BudgetName=budget, Notification=notification,
                                       Subscribers=[_email(r) for r in after["recipients"]])
        except ClientError as exc:
            if error_code(exc) != "DuplicateRecordException":
                raise
            _set_subscribers(client, owner, budget, notification, after["recipients"])
            client.tag_resource(ResourceARN=budget_arn(owner, budget), ResourceTags=[_tag(after, after["recipients"])])
            return f"alert {label} already existed (an earlier apply?); its subscribers set to git's"
        client.tag_resource(ResourceARN=budget_arn(owner, budget), ResourceTags=[_tag(after, after["recipients"])])
        return f"alert {label} created for {', '.join(after['recipients'])}"
    before = change.before  # type: ignore[assignment]
    old = _notification(before)
    if old != notification:
        client.update_notification(AccountId=owner, BudgetName=budget, OldNotification=old,
                                   NewNotification=notification)
    recipients = after.get("recipients", after.get("set_recipients", []))
    _set_subscribers(client, owner, budget, notification, recipients)
    client.tag_resource(ResourceARN=budget_arn(owner, budget), ResourceTags=[_tag(after, recipients)])
    return f"alert {label} set to {after['threshold']:g}% of {after['spend']} spend for {', '.join(recipients)}"


def _set_subscribers(client: Any, owner: str, budget: str, notification: dict[str, Any], recipients: list[str]) -> None:
    """Leave exactly `recipients` (EMAIL) on the notification, from its subscribers read now."""
    wanted = [_email(a) for a in sorted(set(recipients))]
    found = subscribers(client, owner, budget, notification)
    for subscriber in (s for s in wanted if s not in found):  # add first: a notification keeps a subscriber
        try:
            client.create_subscriber(AccountId=owner, BudgetName=budget, Notification=notification,
                                     Subscriber=subscriber)
        except ClientError as exc:
            if error_code(exc) != "DuplicateRecordException":
                raise
    for subscriber in (s for s in found if s not in wanted):
        try:
            client.delete_subscriber(AccountId=owner, BudgetName=budget, Notification=notification,
                                     Subscriber=subscriber)
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
