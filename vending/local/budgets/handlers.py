"""The Budgets operations vend calls, with AWS's rules where moto has none (aws-facts §10).

* AccountId names the account that owns the budget: it must be the caller's own
  (AccessDeniedException otherwise; AWS's wording unconfirmed).
* A LinkedAccount filter is valid only in an organization's management account ("filtering by
  linked account is not supported" in a member, budgets-create-filters.md), and only for
  accounts of that organization (unconfirmed; vend's rule, so a wrong id cannot pass unnoticed).
* COST and USAGE budgets need BudgetLimit, never with PlannedBudgetLimits; FilterExpression is
  never mixed with CostFilters (BUD-API). A name has no `:` or `\\` (the model's pattern, which
  Python cannot compile, so it is checked here).
* Quotas: BUDGETS_PER_ACCOUNT, NOTIFICATIONS_PER_BUDGET, SUBSCRIBERS_PER_NOTIFICATION,
  SNS_PER_NOTIFICATION, with their sources.
* UpdateBudget replaces the budget whole (name and spend kept); DeleteBudget takes its alerts;
  notifications are identified by their whole value (type, operator, threshold, threshold type).
* Tags (CreateBudget ResourceTags, TagResource, UntagResource, ListTagsForResource) name the
  budget by ARN `arn:aws:budgets::<owner>:budget/<name>`: a malformed one is
  InvalidParameterException, another account's AccessDeniedException, an unknown budget
  NotFoundException; keys starting `aws:` are reserved; at most TAGS_PER_BUDGET.
* Amounts come back as AWS writes decimals ("2000.0" for "2000.00"; the exact rendering is
  unconfirmed), so a reader that compares strings fails here as it would on AWS.
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Any

from moto.organizations.models import organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page, registry

HANDLERS, handles = registry()

BUDGETS_PER_ACCOUNT = 20_000
"""aws-facts §10.2: 20,000 budgets per account (archived billing-limits.md)."""
NOTIFICATIONS_PER_BUDGET = 10
"""aws-facts §10.2: the model's NotificationsWithSubscribers max (its docs also say five: unconfirmed)."""
SUBSCRIBERS_PER_NOTIFICATION = 11
SNS_PER_NOTIFICATION = 1
"""aws-facts §10.2: one SNS topic and up to ten email addresses per notification (BUD-API)."""
TAGS_PER_BUDGET = 200
"""The model's ResourceTagList maximum (AWS's per-resource tag quota for budgets: unconfirmed)."""
_ARN = re.compile(r"arn:aws[a-z-]*:budgets::(\d{12}):budget/(.+)")
END_OF_TIME = datetime(2087, 6, 15, tzinfo=timezone.utc)
"""AWS's default end date of a budget (BUD-API TimePeriod)."""
DEFAULT_COST_TYPES = {"IncludeTax": True, "IncludeSubscription": True, "UseBlended": False, "IncludeRefund": False,
                      "IncludeCredit": False, "IncludeUpfront": True, "IncludeRecurring": True,
                      "IncludeOtherSubscription": True, "IncludeSupport": True, "IncludeDiscount": True,
                      "UseAmortized": False}
"""What AWS reports as CostTypes of a COST budget created without them (the console's defaults)."""


def _error(code: str, message: str) -> AwsServiceError:
    return AwsServiceError(code, message)


def _owner(call: Call[Any]) -> dict[str, dict[str, Any]]:
    account_id = call.params["AccountId"]
    if account_id != call.account_id:
        raise _error("AccessDeniedException", f"Account {call.account_id} cannot act on the budgets of account"
                     f" {account_id}: AccountId must be the caller's own account")
    return call.emulator.budgets.setdefault(account_id, {})


def _entry(call: Call[Any]) -> dict[str, Any]:
    name = call.params["BudgetName"]
    found = _owner(call).get(name)
    if found is None:
        raise _error("NotFoundException", f"Unable to get budget: {name} - the budget doesn't exist.")
    return found


def _checked_budget(call: Call[Any], budget: dict[str, Any]) -> dict[str, Any]:
    name = budget["BudgetName"]
    if ":" in name or "\\" in name or "/action/" in name:
        raise _error("InvalidParameterException", f"Budget name {name!r} may not contain ':', '\\' or '/action/'")
    kind = budget["BudgetType"]
    if kind in ("COST", "USAGE") and "BudgetLimit" not in budget and "PlannedBudgetLimits" not in budget:
        raise _error("InvalidParameterException", f"A {kind} budget needs a BudgetLimit")
    if "BudgetLimit" in budget and "PlannedBudgetLimits" in budget:
        raise _error("InvalidParameterException", "BudgetLimit and PlannedBudgetLimits cannot both be set")
    filters = budget.get("CostFilters") or {}
    if filters and budget.get("FilterExpression"):
        raise _error("InvalidParameterException", "CostFilters and FilterExpression cannot be used together")
    linked = filters.get("LinkedAccount")
    if linked:
        org = organizations_backends[call.account_id]["aws"].org
        if org is None or org.master_account_id != call.account_id:
            raise _error("InvalidParameterException", "Filtering by linked account is not supported: account"
                         f" {call.account_id} is not the management account of an organization")
        members = {a.id for a in organizations_backends[call.account_id]["aws"].accounts}
        strangers = sorted(set(linked) - members)
        if strangers:
            raise _error("InvalidParameterException", f"Linked accounts {strangers} are not in organization {org.id}")
    stored = copy.deepcopy(budget)
    if "BudgetLimit" in stored:
        stored["BudgetLimit"]["Amount"] = repr(float(stored["BudgetLimit"]["Amount"]))
    stored.setdefault("TimePeriod", {"Start": _period_start(stored["TimeUnit"]), "End": END_OF_TIME})
    if kind == "COST" and not stored.get("FilterExpression"):
        stored["CostTypes"] = {**DEFAULT_COST_TYPES, **(stored.get("CostTypes") or {})}
    unit = (stored.get("BudgetLimit") or {}).get("Unit", "USD")
    stored["CalculatedSpend"] = {"ActualSpend": {"Amount": "0.0", "Unit": unit},
                                 "ForecastedSpend": {"Amount": "0.0", "Unit": unit}}
    stored["LastUpdatedTime"] = datetime.now(timezone.utc)
    return stored


def _period_start(unit: str) -> datetime:
    today = datetime.now(timezone.utc)
    month = {"MONTHLY": today.month, "QUARTERLY": 3 * ((today.month - 1) // 3) + 1}.get(unit, 1)
    return datetime(today.year, month, 1, tzinfo=timezone.utc)


def _key(notification: dict[str, Any]) -> tuple[str, str, float, str]:
    return (notification["NotificationType"], notification["ComparisonOperator"], float(notification["Threshold"]),
            notification.get("ThresholdType", "PERCENTAGE"))


def _alert(entry: dict[str, Any], notification: dict[str, Any]) -> dict[str, Any]:
    found = next((a for a in entry["alerts"] if _key(a["notification"]) == _key(notification)), None)
    if found is None:
        raise _error("NotFoundException", "Unable to find the notification: it doesn't exist on this budget.")
    return found


def _checked_subscribers(subscribers: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(subscribers) > SUBSCRIBERS_PER_NOTIFICATION:
        raise _error("CreationLimitExceededException", "You've exceeded the subscriber limit: a notification has at"
                     f" most {SUBSCRIBERS_PER_NOTIFICATION} subscribers")
    if sum(s["SubscriptionType"] == "SNS" for s in subscribers) > SNS_PER_NOTIFICATION:
        raise _error("CreationLimitExceededException", "A notification has at most one SNS subscriber")
    keys = [(s["SubscriptionType"], s["Address"]) for s in subscribers]
    if len(set(keys)) != len(keys):
        raise _error("DuplicateRecordException", "A subscriber is listed twice")
    return [dict(s) for s in subscribers]


def _add_alert(entry: dict[str, Any], notification: dict[str, Any], subscribers: list[dict[str, str]]) -> None:
    if any(_key(a["notification"]) == _key(notification) for a in entry["alerts"]):
        raise _error("DuplicateRecordException", "The notification already exists on this budget.")
    if len(entry["alerts"]) >= NOTIFICATIONS_PER_BUDGET:
        raise _error("CreationLimitExceededException", "You've exceeded the notification limit: a budget has at most"
                     f" {NOTIFICATIONS_PER_BUDGET} notifications")
    stored = {**notification, "Threshold": float(notification["Threshold"])}
    stored.setdefault("ThresholdType", "PERCENTAGE")
    entry["alerts"].append({"notification": stored, "subscribers": _checked_subscribers(subscribers)})


@handles("CreateBudget")
def create_budget(call: Call[Any]) -> dict[str, Any]:
    budgets = _owner(call)
    budget = call.params["Budget"]
    if budget["BudgetName"] in budgets:
        raise _error("DuplicateRecordException", f"Error creating budget: {budget['BudgetName']} - the budget"
                     " already exists.")
    if len(budgets) >= BUDGETS_PER_ACCOUNT:
        raise _error("ServiceQuotaExceededException", f"An account has at most {BUDGETS_PER_ACCOUNT} budgets")
    entry: dict[str, Any] = {"budget": _checked_budget(call, budget), "alerts": [], "tags": {}}
    for alert in call.params.get("NotificationsWithSubscribers", []):
        _add_alert(entry, alert["Notification"], alert["Subscribers"])
    _set_tags(entry, call.params.get("ResourceTags", []))
    budgets[budget["BudgetName"]] = entry
    return {}


@handles("UpdateBudget")
def update_budget(call: Call[Any]) -> dict[str, Any]:
    new = call.params["NewBudget"]
    entry = _entry(Call(call.operation, {**call.params, "BudgetName": new["BudgetName"]}, call.account_id,
                        call.region, call.emulator, call.settings))
    entry["budget"] = _checked_budget(call, new)
    return {}


@handles("DeleteBudget")
def delete_budget(call: Call[Any]) -> dict[str, Any]:
    _entry(call)
    del _owner(call)[call.params["BudgetName"]]
    return {}


@handles("DescribeBudget")
def describe_budget(call: Call[Any]) -> dict[str, Any]:
    return {"Budget": copy.deepcopy(_entry(call)["budget"])}


@handles("DescribeBudgets")
def describe_budgets(call: Call[Any]) -> dict[str, Any]:
    items = [e["budget"] for _, e in sorted(_owner(call).items())]
    found, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 100, _bad_token)
    return {"Budgets": copy.deepcopy(found), **({"NextToken": token} if token else {})}


@handles("DescribeBudgetNotificationsForAccount")
def describe_budget_notifications_for_account(call: Call[Any]) -> dict[str, Any]:
    items = [{"BudgetName": name, "Notifications": [dict(a["notification"]) for a in e["alerts"]]}
             for name, e in sorted(_owner(call).items()) if e["alerts"]]
    found, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 100, _bad_token)
    return {"BudgetNotificationsForAccount": found, **({"NextToken": token} if token else {})}


@handles("DescribeNotificationsForBudget")
def describe_notifications_for_budget(call: Call[Any]) -> dict[str, Any]:
    items = [dict(a["notification"]) for a in _entry(call)["alerts"]]
    found, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 100, _bad_token)
    return {"Notifications": found, **({"NextToken": token} if token else {})}


@handles("DescribeSubscribersForNotification")
def describe_subscribers_for_notification(call: Call[Any]) -> dict[str, Any]:
    items = [dict(s) for s in _alert(_entry(call), call.params["Notification"])["subscribers"]]
    found, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 100, _bad_token)
    return {"Subscribers": found, **({"NextToken": token} if token else {})}


@handles("CreateNotification")
def create_notification(call: Call[Any]) -> dict[str, Any]:
    _add_alert(_entry(call), call.params["Notification"], call.params["Subscribers"])
    return {}


@handles("UpdateNotification")
def update_notification(call: Call[Any]) -> dict[str, Any]:
    entry = _entry(call)
    alert = _alert(entry, call.params["OldNotification"])
    new = call.params["NewNotification"]
    if _key(new) != _key(alert["notification"]) and any(_key(a["notification"]) == _key(new) for a in entry["alerts"]):
        raise _error("DuplicateRecordException", "The new notification already exists on this budget.")
    alert["notification"] = {**new, "Threshold": float(new["Threshold"]),
                             "ThresholdType": new.get("ThresholdType", "PERCENTAGE")}
    return {}


@handles("DeleteNotification")
def delete_notification(call: Call[Any]) -> dict[str, Any]:
    entry = _entry(call)
    entry["alerts"].remove(_alert(entry, call.params["Notification"]))
    return {}


@handles("CreateSubscriber")
def create_subscriber(call: Call[Any]) -> dict[str, Any]:
    alert = _alert(_entry(call), call.params["Notification"])
    alert["subscribers"] = _checked_subscribers([*alert["subscribers"], call.params["Subscriber"]])
    return {}


@handles("DeleteSubscriber")
def delete_subscriber(call: Call[Any]) -> dict[str, Any]:
    alert = _alert(_entry(call), call.params["Notification"])
    wanted = call.params["Subscriber"]
    kept = [s for s in alert["subscribers"]
            if (s["SubscriptionType"], s["Address"]) != (wanted["SubscriptionType"], wanted["Address"])]
    if len(kept) == len(alert["subscribers"]):
        raise _error("NotFoundException", "Unable to find the subscriber on this notification.")
    alert["subscribers"] = kept
    return {}


def _tagged(call: Call[Any]) -> dict[str, Any]:
    """The budget the call's ResourceARN names."""
    arn = call.params["ResourceARN"]
    match = _ARN.fullmatch(arn)
    if match is None:
        raise _error("InvalidParameterException", f"{arn} is not a budget's ARN"
                     " (arn:aws:budgets::<account id>:budget/<budget name>)")
    owner, name = match.groups()
    return _entry(Call(call.operation, {"AccountId": owner, "BudgetName": name}, call.account_id, call.region,
                       call.emulator, call.settings))


def _set_tags(entry: dict[str, Any], tags: list[dict[str, str]]) -> None:
    reserved = sorted(t["Key"] for t in tags if t["Key"].lower().startswith("aws:"))
    if reserved:
        raise _error("InvalidParameterException", f"Tag keys starting with aws: are reserved: {reserved}")
    merged = {**entry.setdefault("tags", {}), **{t["Key"]: t["Value"] for t in tags}}
    if len(merged) > TAGS_PER_BUDGET:
        raise _error("ServiceQuotaExceededException", f"A budget has at most {TAGS_PER_BUDGET} tags")
    entry["tags"] = merged


@handles("TagResource")
def tag_resource(call: Call[Any]) -> dict[str, Any]:
    _set_tags(_tagged(call), call.params["ResourceTags"])
    return {}


@handles("UntagResource")
def untag_resource(call: Call[Any]) -> dict[str, Any]:
    entry = _tagged(call)
    entry["tags"] = {k: v for k, v in entry.get("tags", {}).items() if k not in call.params["ResourceTagKeys"]}
    return {}


@handles("ListTagsForResource")
def list_tags_for_resource(call: Call[Any]) -> dict[str, Any]:
    return {"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(_tagged(call).get("tags", {}).items())]}


def _bad_token() -> AwsServiceError:
    return _error("InvalidNextTokenException", "The pagination token is invalid.")
