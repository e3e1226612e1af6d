"""AWS Support in the local AWS (vending.local.support): SubscriptionRequiredException without
a plan, severities the plan offers, resolved cases only when asked for, the 24-month window,
statuses that change only when someone resolves a case, and cases kept across processes."""
from __future__ import annotations

from typing import Any

import pytest

from vending.local import LocalAws

CASE = {"subject": "[vend] test", "communicationBody": "hello", "serviceCode": "account-management",
        "categoryCode": "billing", "severityCode": "low", "issueType": "customer-service", "language": "en"}


@pytest.fixture
def support(local: LocalAws) -> Any:
    return local.session().client("support", region_name="us-east-1")


def test_without_a_plan_every_call_is_refused(local, support, aws_error) -> None:
    local.emulator("support").plans.clear()
    aws_error("SubscriptionRequiredException", support.describe_cases)
    aws_error("SubscriptionRequiredException", support.create_case, **CASE)


def test_a_case_stays_open_until_resolved_and_resolved_ones_come_back_only_when_asked(support, aws_error) -> None:
    case_id = support.create_case(**CASE)["caseId"]
    for _ in range(3):  # moto would walk the status on every read
        assert [c["status"] for c in support.describe_cases()["cases"]] == ["opened"]
    resolved = support.resolve_case(caseId=case_id)
    assert (resolved["initialCaseStatus"], resolved["finalCaseStatus"]) == ("opened", "resolved")
    assert support.describe_cases()["cases"] == []
    assert [c["caseId"] for c in support.describe_cases(includeResolvedCases=True)["cases"]] == [case_id]
    aws_error("InvalidParameterValueException", support.create_case, **{**CASE, "severityCode": "bogus"})
    aws_error("InvalidParameterValueException", support.create_case, **{**CASE, "serviceCode": "no-such-service"})


def test_cases_older_than_24_months_are_no_longer_described(local, support) -> None:
    support.create_case(**CASE)
    local.emulator("support").cases[next(iter(local.emulator("support").cases))][0]["timeCreated"] = \
        "2020-01-01T00:00:00.000Z"
    assert support.describe_cases(includeResolvedCases=True)["cases"] == []


def test_a_business_plan_offers_no_critical_severity(local, support, aws_error) -> None:
    management = local.session().client("sts").get_caller_identity()["Account"]
    local.emulator("support").plans[management] = "business"
    assert [s["code"] for s in support.describe_severity_levels()["severityLevels"]][-1] == "urgent"
    aws_error("InvalidParameterValueException", support.create_case, **{**CASE, "severityCode": "critical"})


def test_cases_outlive_the_process(tmp_path) -> None:
    with LocalAws(tmp_path) as first:
        case_id = first.session().client("support", region_name="us-east-1").create_case(**CASE)["caseId"]
    with LocalAws(tmp_path) as second:
        cases = second.session().client("support", region_name="us-east-1").describe_cases()["cases"]
    assert [c["caseId"] for c in cases] == [case_id]
