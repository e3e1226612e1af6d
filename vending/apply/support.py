"""Applier of support enrollment: CreateCase in the management account, asking AWS Support to
add one account to the organization's plan, with the parameters AFT sends (aws-facts §12.2).

CreateCase has no idempotency token, so the case itself is the record: right before creating,
the applier looks for vend's case with the same subject (one paged DescribeCases, resolved cases
included), so an apply resumed after an interruption, or a botocore retry that reached AWS,
never opens a second case.
"""
from __future__ import annotations

from vending.apply.context import ApplyContext
from vending.model.live_budgets import SUPPORT_LABELS, case_subject
from vending.plan.changes import Change
from vending.plan.diff_support import case_body
from vending.state.support import SUPPORT_REGION, vend_cases


def apply_support_case(change: Change, ctx: ApplyContext) -> str:
    after = change.after or {}
    name = change.address.split(":", 1)[1]
    account_id = ctx.account_id(name, after.get("account_id"))
    level = after["level"]
    support = ctx.clients.client("support", SUPPORT_REGION)
    existing = [c for c in vend_cases(support) if c.account_id == account_id and c.level == level]
    if existing:
        return f"{name} already has case {existing[-1].display_id or existing[-1].case_id} ({existing[-1].status})"
    answer = support.create_case(
        subject=case_subject(account_id, level), communicationBody=case_body(account_id, level),
        serviceCode="account-management", categoryCode="billing", severityCode="low",
        issueType="customer-service", ccEmailAddresses=[after["email"]], language="en",
    )
    return f"case {answer['caseId']} opened: add {name} ({account_id}) to the {SUPPORT_LABELS[level]} Support plan"
