"""Support enrollment end to end on the example organization: apply opens exactly one case per
account Workloads/Prod enrolls (management account, AFT's parameters), the next plan is empty and
notes them pending, then enrolled once AWS Support resolves the case; a re-run, an interrupted
apply and a resolved case never lead to a second case; a management account without a support
plan is one clear error."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import without_baselines
from tests.proofs.processes import killed_apply
from tests.proofs.repos import vend as run
from vending.local import LocalAws


def _cases(repo: Path) -> list[dict[str, Any]]:
    with LocalAws(repo / ".vend") as aws:
        support = aws.session().client("support", region_name="us-east-1")
        return [c for p in support.get_paginator("describe_cases").paginate(includeResolvedCases=True)
                for c in p["cases"]]


def _ids(repo: Path) -> dict[str, str]:
    with LocalAws(repo / ".vend") as aws:
        org = aws.session().client("organizations")
        return {a["Name"]: a["Id"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}


def test_apply_opens_one_case_per_enrolled_account_and_never_a_second(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    ids = _ids(repo)
    cases = _cases(repo)
    assert sorted(c["subject"] for c in cases) == sorted(
        f"[vend] Add account {ids[name]} to the Enterprise Support plan" for name in ("payments-prod", "data-lake-prod"))
    case = next(c for c in cases if ids["payments-prod"] in c["subject"])
    assert (case["serviceCode"], case["categoryCode"], case["severityCode"], case["ccEmailAddresses"],
            case["recentCommunications"]["communications"][0]["body"]) == (
        "account-management", "billing", "low", ["aws+payments-prod@example.com"],
        f"Please add account number {ids['payments-prod']} to our enterprise support plan."
        " Requested by vend (GitOps account vending) from the management account.")
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out
    assert re.search(r"support_case:payments-prod: pending: Enterprise Support, case \d+ \(opened\)", again.out)

    with LocalAws(repo / ".vend") as aws:
        aws.emulator("support").resolve(case["caseId"])
        aws.save()
    resolved = vend(repo, "plan", "--detailed-exitcode")
    assert resolved.code == 0, resolved.out
    assert re.search(r"support_case:payments-prod: enrolled: Enterprise Support, case \d+ \(resolved\)", resolved.out)
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert len(_cases(repo)) == 2


def test_a_level_change_asks_again_and_none_opens_nothing(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    payments = repo / "accounts" / "payments-prod.yaml"
    payments.write_text(payments.read_text() + "support: business\n")
    lake = repo / "accounts" / "data-lake-prod.yaml"
    lake.write_text(lake.read_text() + "support: none\n")
    plan = json.loads(vend(repo, "plan", "--format", "json").out)
    assert [c["address"] for c in plan["changes"] if c["kind"] == "support_case"] == ["support_case:payments-prod"]
    assert {n["address"]: n["message"] for n in plan["notes"] if n["kind"] == "support"} == {
        "support_case:data-lake-prod": "support: none, but vend asked AWS Support to add this account to a plan"
                                       " before; taking it out is a request to AWS Support"}
    assert vend(repo, "apply", "--auto-approve").code == 0
    subjects = sorted(c["subject"].split(" to the ")[1] for c in _cases(repo))
    assert subjects == ["Business Support plan", "Enterprise Support plan", "Enterprise Support plan"]


def test_an_apply_killed_right_after_create_case_converges_with_exactly_one_case_each(example, tmp_path) -> None:
    repo = without_baselines(example)
    status = killed_apply(repo, 1, tmp_path / "killed.log", operation="CreateCase")
    assert status == -9, (tmp_path / "killed.log").read_text()
    assert len(_cases(repo)) == 1
    resumed = run(repo, "apply", "--auto-approve")
    if resumed.code == 1 and "vend force-unlock" in resumed.err:  # the killed apply still holds the lock
        lock_id = re.search(r"vend force-unlock (\S+)$", resumed.err.strip()).group(1)
        assert run(repo, "force-unlock", lock_id).code == 0
        resumed = run(repo, "apply", "--auto-approve")
    assert resumed.code == 0, resumed.err
    ids = _ids(repo)
    assert sorted(c["subject"] for c in _cases(repo)) == sorted(
        f"[vend] Add account {ids[name]} to the Enterprise Support plan" for name in ("payments-prod", "data-lake-prod"))
    assert run(repo, "plan", "--detailed-exitcode").code == 0


def test_a_management_account_without_a_support_plan_is_one_clear_error(example, vend) -> None:
    repo = without_baselines(example)
    with LocalAws(repo / ".vend") as aws:
        aws.emulator("support").plans.clear()
        aws.save()
    result = vend(repo, "plan")
    assert result.code == 1
    assert "SubscriptionRequiredException" in result.err and "remove `support`" in result.err
    assert "Traceback" not in result.err
