"""The Support operations vend calls, with AWS's rules where moto has none (aws-facts §12.3).

* Every call from an account without Business, Enterprise On-Ramp or Enterprise support fails
  with SubscriptionRequiredException (not a modeled error shape).
* A case's severity must be one the caller's plan offers (DescribeSeverityLevels: Business up to
  urgent, Enterprise On-Ramp and Enterprise up to critical, aws-facts §12.2; On-Ramp's
  `critical` is unconfirmed); issueType is customer-service or technical (default technical);
  language en, ja, zh or ko.
* DescribeCases returns the caller's cases created in the last CASE_WINDOW_DAYS, resolved ones
  only with includeResolvedCases, pages of 10-100 (default 100, unconfirmed), communications
  unless includeCommunications is false.
* Quotas: the case-creation limit (CaseCreationLimitExceeded) is not published, so none is
  enforced; ccEmailAddresses (10) and the body (8,000) are the model's.
Case ids look like AWS's (`case-<account>-<4 letters>-<year>-<16 hex>`), display ids are numbers.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page, registry

HANDLERS, handles = registry()

CASE_WINDOW_DAYS = 730
"""botocore's support model (DescribeCases): "Case data is available for 24 months after creation"."""
SEVERITIES = {
    "business": ("low", "normal", "high", "urgent"),
    "enterprise-on-ramp": ("low", "normal", "high", "urgent", "critical"),
    "enterprise": ("low", "normal", "high", "urgent", "critical"),
}
SEVERITY_NAMES = {"low": "General guidance", "normal": "System impaired", "high": "Production system impaired",
                  "urgent": "Production system down", "critical": "Business-critical system down"}
ISSUE_TYPES = ("customer-service", "technical")
LANGUAGES = ("en", "ja", "zh", "ko")
RESOLVED = "resolved"
SERVICES = [{"code": "account-management", "name": "Account Management",
             "categories": [{"code": "billing", "name": "Billing"}, {"code": "other", "name": "Other"}]},
            {"code": "general-info", "name": "General Info and Getting Started",
             "categories": [{"code": "using-aws", "name": "Using AWS & Services"}]}]
"""The services and categories DescribeServices offers here (AWS's list is far longer)."""


def _plan(call: Call[Any]) -> str:
    plan = call.emulator.plans.get(call.account_id, "basic")
    if plan not in SEVERITIES:
        raise AwsServiceError("SubscriptionRequiredException", "AWS Premium Support Subscription is required to use"
                              " this service.")
    return plan


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@handles("DescribeSeverityLevels")
def describe_severity_levels(call: Call[Any]) -> dict[str, Any]:
    return {"severityLevels": [{"code": c, "name": SEVERITY_NAMES[c]} for c in SEVERITIES[_plan(call)]]}


@handles("DescribeServices")
def describe_services(call: Call[Any]) -> dict[str, Any]:
    _plan(call)
    wanted = call.params.get("serviceCodeList")
    return {"services": [s for s in SERVICES if not wanted or s["code"] in wanted]}


@handles("CreateCase")
def create_case(call: Call[Any]) -> dict[str, Any]:
    plan, params = _plan(call), call.params
    severity = params.get("severityCode", "low")
    if severity not in SEVERITIES[plan]:
        raise AwsServiceError("InvalidParameterValueException", f"Severity {severity!r} is not available with the"
                              f" account's support plan; DescribeSeverityLevels lists {list(SEVERITIES[plan])}")
    issue = params.get("issueType", "technical")
    if issue not in ISSUE_TYPES:
        raise AwsServiceError("InvalidParameterValueException", f"issueType must be one of {list(ISSUE_TYPES)}")
    language = params.get("language", "en")
    if language not in LANGUAGES:
        raise AwsServiceError("InvalidParameterValueException", f"language must be one of {list(LANGUAGES)}")
    service, category = params.get("serviceCode"), params.get("categoryCode")
    known = {s["code"]: {c["code"] for c in s["categories"]} for s in SERVICES}
    if service is not None and (service not in known or (category is not None and category not in known[service])):
        raise AwsServiceError("InvalidParameterValueException", f"Unknown serviceCode/categoryCode {service}/{category};"
                              " DescribeServices lists the valid ones")
    cases = call.emulator.cases.setdefault(call.account_id, [])
    now = datetime.now(timezone.utc)
    digest = hashlib.sha256(f"{call.account_id}{len(cases)}{now.isoformat()}".encode()).hexdigest()
    case_id = f"case-{call.account_id}-muen-{now.year}-{digest[:16]}"
    display = str(10_000_000_000 + int(digest[16:24], 16) % 9_000_000_000)
    cases.append({
        "caseId": case_id, "displayId": display, "subject": params["subject"], "status": "opened",
        "serviceCode": service or "general-info", "categoryCode": category or "using-aws", "severityCode": severity,
        "submittedBy": f"arn:aws:iam::{call.account_id}:root", "timeCreated": _time(now),
        "ccEmailAddresses": list(params.get("ccEmailAddresses", [])), "language": language,
        "body": params["communicationBody"],
    })
    return {"caseId": case_id}


@handles("DescribeCases")
def describe_cases(call: Call[Any]) -> dict[str, Any]:
    _plan(call)
    params = call.params
    oldest = datetime.now(timezone.utc) - timedelta(days=CASE_WINDOW_DAYS)
    after, before = params.get("afterTime"), params.get("beforeTime")
    ids = set(params.get("caseIdList") or [])
    found = [c for c in call.emulator.cases.get(call.account_id, [])
             if _parse(c["timeCreated"]) >= oldest
             and (params.get("includeResolvedCases") or c["status"] != RESOLVED)
             and (not ids or c["caseId"] in ids)
             and (not params.get("displayId") or c["displayId"] == params["displayId"])
             and (not after or _parse(c["timeCreated"]) >= _parse(after))
             and (not before or _parse(c["timeCreated"]) <= _parse(before))]
    cases, token = page(found, params.get("maxResults"), params.get("nextToken"), 100, _bad_token)
    communications = params.get("includeCommunications", True)
    return {"cases": [_details(c, communications) for c in cases], **({"nextToken": token} if token else {})}


def _details(case: dict[str, Any], communications: bool) -> dict[str, Any]:
    details = {k: v for k, v in case.items() if k != "body"}
    if communications:
        details["recentCommunications"] = {"communications": [{
            "caseId": case["caseId"], "body": case["body"], "submittedBy": case["submittedBy"],
            "timeCreated": case["timeCreated"]}]}
    return details


@handles("ResolveCase")
def resolve_case(call: Call[Any]) -> dict[str, Any]:
    _plan(call)
    case = next((c for c in call.emulator.cases.get(call.account_id, []) if c["caseId"] == call.params["caseId"]), None)
    if case is None:
        raise AwsServiceError("CaseIdNotFound", f"Case {call.params['caseId']} was not found")
    initial, case["status"] = case["status"], RESOLVED
    return {"initialCaseStatus": initial, "finalCaseStatus": RESOLVED}


def _bad_token() -> AwsServiceError:
    return AwsServiceError("InvalidParameterValueException", "The nextToken is not valid")
