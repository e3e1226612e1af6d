"""Read vend's support-plan enrollment cases from the management account.

Why this shape (aws-facts §12): AWS has no plan-enrollment API; an account joins the
organization's plan when the management account opens a case asking for it (as AFT and ADF do).
The case itself is the record: vend writes a fixed subject per account and level
(`vending.model.live_budgets.case_subject`), and finds it again with one paged DescribeCases
(includeResolvedCases, no communications, 100 a page), resolved cases included. DescribeCases
returns cases of the last 24 months only (botocore's support model: "Case data is available for
24 months after creation"); see the README for what that means.
The Support API has one endpoint for these Regions, us-east-1 (aws-facts §12.3); a caller without
Business, Enterprise On-Ramp or Enterprise support gets SubscriptionRequiredException, which is
not a modeled error: PlanError, saying what to do.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.aws.errors import error_code
from vending.aws.paging import pages
from vending.errors import PlanError
from vending.model.live_budgets import LiveCase, LiveSupport, parse_subject

SUPPORT_REGION = "us-east-1"
"""botocore builds support.<region>.amazonaws.com for any Region: always us-east-1 (aws-facts §12.3)."""
CASE_PAGE = 100
"""DescribeCases' maximum maxResults (10-100, SUP-API)."""
NO_PLAN = ("the management account's AWS Support plan does not include the Support API"
           " (SubscriptionRequiredException): vend cannot open or find enrollment cases. Subscribe the"
           " management account to Business, Enterprise On-Ramp or Enterprise Support, or remove `support`"
           " from the ou.yaml and account files")


def vend_cases(support: Any) -> list[LiveCase]:
    """Every case vend opened that DescribeCases still returns, oldest first."""
    found = []
    try:
        for case in pages(support, "describe_cases", "cases", page_size=CASE_PAGE, includeResolvedCases=True,
                          includeCommunications=False, language="en"):
            parsed = parse_subject(case.get("subject", ""))
            if parsed is not None:
                found.append(LiveCase(case_id=case["caseId"], account_id=parsed[0], level=parsed[1],
                                      status=case.get("status", ""), display_id=case.get("displayId", ""),
                                      created=case.get("timeCreated", "")))
    except ClientError as exc:
        if error_code(exc) == "SubscriptionRequiredException":
            raise PlanError([NO_PLAN]) from None
        raise
    return sorted(found, key=lambda c: (c.created, c.case_id))


class SupportReader:
    def __init__(self, support: Any) -> None:
        self.support = support

    def read(self) -> LiveSupport:
        return LiveSupport(cases=tuple(vend_cases(self.support)))
