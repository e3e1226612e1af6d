"""vend's budgets and support cases in the scratch copy, stored straight into the Budgets and
Support emulators' tables, so the copy reads back as the organization did (its fingerprint
covers them): each budget under the management account with its LinkedAccount filter and its
alerts' subscribers (the rehearsal reads them) and vend's `vend:subscribers:` tags, each case with its id, subject and status."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from vending.model.live import LiveOrg
from vending.model.live_budgets import SUBSCRIBERS_TAG, case_subject

OTHER_FILTER = {"Service": ["(a filter vend does not manage, copied as a marker)"]}


def load(live: LiveOrg, budgets: Any, support: Any) -> None:
    owner = live.management_account_id
    if live.budgets is not None:
        table = budgets.budgets.setdefault(owner, {})
        for name, budget in live.budgets.budgets.items():
            filters = {"LinkedAccount": list(budget.linked_accounts)} if budget.linked_accounts else {}
            table[name] = {
                "budget": {"BudgetName": name, "BudgetType": budget.budget_type, "TimeUnit": budget.period.upper(),
                           "BudgetLimit": {"Amount": repr(budget.amount), "Unit": budget.currency},
                           "CostFilters": {**filters, **(OTHER_FILTER if budget.other_filters else {})},
                           "TimePeriod": {"Start": datetime(2026, 1, 1, tzinfo=timezone.utc),
                                          "End": datetime(2087, 6, 15, tzinfo=timezone.utc)}},
                "alerts": [{"notification": {"NotificationType": a.spend.upper(), "ComparisonOperator": a.comparison,
                                             "Threshold": a.threshold, "ThresholdType": a.threshold_type},
                            "subscribers": [{"SubscriptionType": "EMAIL", "Address": r} for r in a.recipients or ()]
                            + [{"SubscriptionType": "SNS", "Address": t} for t in a.sns or ()]}
                           for a in budget.alerts],
                "tags": {SUBSCRIBERS_TAG + label: digest for label, digest in budget.digests},
            }
    if live.support is not None:
        support.cases[owner] = [
            {"caseId": c.case_id, "displayId": c.display_id, "subject": case_subject(c.account_id, c.level),
             "status": c.status, "serviceCode": "account-management", "categoryCode": "billing",
             "severityCode": "low", "submittedBy": f"arn:aws:iam::{owner}:root", "timeCreated": c.created,
             "ccEmailAddresses": [], "language": "en", "body": "(copied by vend rehearse)"}
            for c in live.support.cases]
