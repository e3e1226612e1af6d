"""The example's Private Marketplace end to end through the CLI: `vend plan` shows the missing
prerequisites and every experience's parts, `vend apply` sends them as Marketplace Catalog change
sets, boto3 reads them back from the emulator, and the next plan is empty; a product allowed and
an audience removed in the console come back; an OU moved between experiences is disassociated
before it is associated; a failed change set is reported in AWS's words; an apply interrupted
after starting a change set resumes without starting it again."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import REPO_ROOT, without_baselines
from tests.e2e.test_iam_policy_observed import denied, observed  # noqa: F401 (a fixture)
from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients
from vending.iam_policy.document import policy
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.marketplace_batches import MarketplaceChange, change_sets

CATALOG = "AWSMarketplace"


@pytest.fixture
def market(example: Path) -> Path:
    """The example with catalog/marketplace/ (not the Service Catalog part of catalog/)."""
    repo = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog" / "marketplace", repo / "catalog" / "marketplace")
    return repo


def _describe(mp: Any, entity_id: str) -> dict[str, Any]:
    return mp.describe_entity(Catalog=CATALOG, EntityId=entity_id)["DetailsDocument"]


def read_back(repo: Path) -> dict[str, Any]:
    """Every experience by name: status, policy, branding and audience as AWS answers them."""
    with LocalAws(repo / ".vend") as aws:
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        found: dict[str, Any] = {}
        by_id = {}
        for e in mp.list_entities(Catalog=CATALOG, EntityType="Experience")["EntitySummaryList"]:
            body = _describe(mp, e["EntityId"])
            by_id[e["EntityId"]] = found[body["Name"]] = {"id": e["EntityId"], "status": body["Status"]}
        for kind, key in (("ProcurementPolicy", "policy"), ("BrandingSettings", "branding"), ("Audience", "audience")):
            for e in mp.list_entities(Catalog=CATALOG, EntityType=kind)["EntitySummaryList"]:
                body = _describe(mp, e["EntityId"])
                by_id[body["ExperienceId"]][key] = body
        return found


def ids(repo: Path) -> dict[str, str]:
    """OU paths, account names and `organization` -> their ids in the local organization."""
    with LocalAws(repo / ".vend") as aws:
        org = aws.session().client("organizations")
        found = {"organization": org.describe_organization()["Organization"]["Id"]}
        root = org.list_roots()["Roots"][0]["Id"]
        todo = [(root, "")]
        while todo:
            parent, prefix = todo.pop()
            for ou in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]:
                found[prefix + ou["Name"]] = ou["Id"]
                todo.append((ou["Id"], prefix + ou["Name"] + "/"))
        for account in org.list_accounts()["Accounts"]:
            found[account["Name"]] = account["Id"]
        return found


def changes(vend: Any, repo: Path) -> dict[str, str]:
    planned = vend(repo, "plan", "--format", "json")
    assert planned.code in (0, 2), planned.err
    return {c["address"]: c["action"] for c in json.loads(planned.out)["changes"]}


def test_the_example_experiences_apply_read_back_and_the_next_plan_is_empty(market, vend) -> None:
    planned = changes(vend, market)
    assert {a: c for a, c in planned.items() if a.startswith("marketplace")} == {
        "marketplace_access": "create", "marketplace_service_role": "create",
        "marketplace_experience:default": "create", "marketplace_policy:default": "create",
        "marketplace_audience:default/associate": "create", "marketplace_status:default": "update",
        "marketplace_experience:engineering": "create", "marketplace_policy:engineering": "create",
        "marketplace_products:engineering": "create", "marketplace_branding:engineering": "create",
        "marketplace_audience:engineering/associate": "create", "marketplace_status:engineering": "update"}
    applied = vend(market, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    found, known = read_back(market), ids(market)
    engineering, default = found["Engineering"], found["Organization default"]
    assert engineering["status"] == default["status"] == "Enabled"
    assert engineering["policy"]["AllowedProducts"] == [
        {"Id": "prod-4ryx5o7yffoqo", "Notes": "Observability agent, approved by security in 2026-03."},
        {"Id": "prod-cx7bzgmmwd3pq", "Notes": "Database IDE for the analytics teams."}]
    assert engineering["policy"]["Configuration"] == {"PolicyResourceRequests": "Allow"}
    assert default["policy"]["AllowedProducts"] == [] and "branding" not in default
    assert engineering["branding"]["Configuration"] == {
        "Title": "Engineering marketplace", "ThemeColor": "#0e7f74",
        "Information": "Ask the platform team (platform@example.com) for a product that is not here.",
        "LogoUrl": "https://assets.example.com/engineering-logo.png"}
    assert engineering["audience"]["Principals"] == [known["Workloads/Dev"], known["Workloads/Test"],
                                                     known["data-lake-prod"]]
    assert default["audience"]["Principals"] == [known["organization"]]
    again = vend(market, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out

    with LocalAws(market / ".vend") as aws:  # someone in the console
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        for change in ({"ChangeType": "AllowProductProcurement", "DetailsDocument": {"Products": [
                           {"Ids": ["prod-aaaaaaaaaaaaa"]}]}},
                       {"ChangeType": "DisassociateAudience", "DetailsDocument": {
                           "Principals": [known["Workloads/Test"]]}}):
            started = mp.start_change_set(Catalog=CATALOG, ChangeSet=[
                {**change, "Entity": {"Type": "Experience@1.0", "Identifier": engineering["id"]}}])
            while mp.describe_change_set(Catalog=CATALOG, ChangeSetId=started["ChangeSetId"])["Status"] != "SUCCEEDED":
                pass
    drift = vend(market, "plan", "--format", "json")
    body = {c["address"]: c for c in json.loads(drift.out)["changes"]}
    assert {a: c["action"] for a, c in body.items()} == {"marketplace_products:engineering": "update",
                                                         "marketplace_audience:engineering/associate": "create"}
    assert body["marketplace_products:engineering"]["after"]["change_requests"] == [
        ["DenyProductProcurement", {"Products": [{"Ids": ["prod-aaaaaaaaaaaaa"]}]}]]
    assert body["marketplace_audience:engineering/associate"]["after"]["principals"] == ["ou:Workloads/Test"]
    assert vend(market, "apply", "--auto-approve").code == 0
    assert "No changes." in vend(market, "plan").out


def _change_sets(repo: Path) -> list[dict[str, Any]]:
    """Every change set the organization's private marketplace ran, oldest first, with its changes."""
    with LocalAws(repo / ".vend") as aws:
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        summaries = [s for p in mp.get_paginator("list_change_sets").paginate(Catalog=CATALOG)
                     for s in p["ChangeSetSummaryList"]]
        return [mp.describe_change_set(Catalog=CATALOG, ChangeSetId=s["ChangeSetId"]) for s in summaries]


def test_an_ou_moved_between_experiences_is_disassociated_then_associated(market, vend) -> None:
    assert vend(market, "apply", "--auto-approve").code == 0
    engineering = market / "catalog" / "marketplace" / "engineering.yaml"
    engineering.write_text(engineering.read_text().replace("  - ou: Workloads/Test\n", ""))
    default = market / "catalog" / "marketplace" / "default.yaml"
    default.write_text(default.read_text() + "audience:\n  - ou: Workloads/Test\n")
    planned = json.loads(vend(market, "plan", "--format", "json").out)
    body = {c["address"]: c for c in planned["changes"]}
    assert {a: c["action"] for a, c in body.items()} == {"marketplace_audience:engineering/disassociate": "delete",
                                                         "marketplace_audience:default/associate": "create"}
    associate = body["marketplace_audience:default/associate"]
    assert associate["depends_on"] == ["marketplace_audience:engineering/disassociate"]
    assert associate["reason"] == "not directly in this experience (ou:Workloads/Test leave another first)"
    before = {s["ChangeSetId"] for s in _change_sets(market)}
    assert vend(market, "apply", "--auto-approve").code == 0
    sent = sorted((c["ChangeType"], c["DetailsDocument"]["Principals"]) for s in _change_sets(market)
                  if s["ChangeSetId"] not in before for c in s["ChangeSet"])
    test_ou = ids(market)["Workloads/Test"]
    # in that order: the emulator, as AWS, fails an association of a principal another experience holds
    assert sent == [("AssociateAudience", [test_ou]), ("DisassociateAudience", [test_ou])]
    found = read_back(market)
    assert test_ou in found["Organization default"]["audience"]["Principals"]
    assert test_ou not in found["Engineering"]["audience"]["Principals"]
    assert "No changes." in vend(market, "plan").out


def test_a_failed_change_set_is_reported_in_aws_words(market, vend) -> None:
    engineering = market / "catalog" / "marketplace" / "engineering.yaml"
    engineering.write_text(engineering.read_text() + "  - account: \"999999999999\"       # not in the organization\n")
    result = vend(market, "apply", "--auto-approve")
    assert result.code != 0
    [failed] = [s for s in _change_sets(market) if s["Status"] == "FAILED"]
    experience = read_back(market)["Engineering"]["id"]
    assert (f"Marketplace change set 'vend phase 4 set 1' ({failed['ChangeSetId']}) FAILED (CLIENT_ERROR: One or more"
            f" changes failed; see each change's ErrorDetailList.); AssociateAudience on {experience}:"
            " CALLER_NOT_AUTHORIZED: Principal 999999999999 is not in the caller's organization.") in result.out + result.err


def test_an_apply_killed_after_starting_a_change_set_resumes_without_starting_it_again(market) -> None:
    desired = load(market)
    with LocalAws(market / ".vend") as aws:
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        create = next(c for c in plan.changes if c.address == "marketplace_experience:engineering")
        [spec] = change_sets([MarketplaceChange(kind, "engineering", details)
                              for kind, details in create.after["change_requests"]],
                             create.after["client_request_token"])
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        mp.start_change_set(Catalog=CATALOG, ClientRequestToken=spec.token, ChangeSetName=spec.name, ChangeSet=[
            {"ChangeType": "CreateExperience", "Entity": {"Type": "Experience@1.0"},
             "DetailsDocument": {"Name": "Engineering"}}])  # the killed apply got this far
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
        assert engine.apply(plan, ctx, desired.settings).ok
        again, _ = engine.plan(desired, clients, git_commit=None, target="t")
    assert again.changes == []
    created = [c for s in _change_sets(market) for c in s["ChangeSet"] if c["ChangeType"] == "CreateExperience"]
    assert sorted(c["DetailsDocument"]["Name"] for c in created) == ["Engineering", "Organization default"]
    assert len(read_back(market)) == 2


def test_a_private_marketplace_is_copied_and_its_changes_rehearse(market, vend, tmp_path) -> None:
    """Before the first apply (prerequisites missing, no experience) and after it (an OU moved,
    a product added): the copy reads back as read, the plan applies there, and the organization's
    private marketplace is only read."""
    saved = tmp_path / "plan.json"
    assert vend(market, "plan", "--out", str(saved)).code == 0
    first = vend(market, "rehearse", str(saved))
    assert first.code == 0, first.out + first.err
    assert "\nNo changes. Your organization matches the repository.\n" in first.out
    assert _change_sets(market) == []
    assert vend(market, "apply", "--auto-approve").code == 0
    engineering = market / "catalog" / "marketplace" / "engineering.yaml"
    engineering.write_text(engineering.read_text().replace("  - ou: Workloads/Test\n", "").replace(
        "products:\n", "products:\n  - id: prod-bbbbbbbbbbbbb\n"))
    default = market / "catalog" / "marketplace" / "default.yaml"
    default.write_text(default.read_text() + "audience:\n  - ou: Workloads/Test\n")
    assert vend(market, "plan", "--out", str(saved)).code == 0
    sets = len(_change_sets(market))
    result = vend(market, "rehearse", str(saved))
    assert result.code == 0, result.out + result.err
    assert "Applied 3 of 3 change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert len(_change_sets(market)) == sets


def test_the_private_marketplace_calls_only_what_the_roles_allow(market, vend, observed, tmp_path) -> None:
    """`vend iam-policy plan|apply` allows every call of planning, rehearsing and applying it."""
    settings = load(market).settings
    saved = tmp_path / "plan.json"
    for phase, args in (("plan", ["plan", "--out", str(saved)]), ("rehearse", ["rehearse", str(saved)]),
                        ("apply", ["apply", str(saved)]), ("replan", ["plan", "--detailed-exitcode"])):
        observed.phase = phase
        result = vend(market, *args)
        assert result.code == 0, result.out + result.err
    assert denied(policy("plan", settings), observed.calls["plan"] | observed.calls["replan"]) == set()
    assert denied(policy("plan", settings), observed.calls["rehearse"]) == set()
    assert denied(policy("apply", settings), observed.calls["apply"]) == set()
    assert {"aws-marketplace:ListEntities", "aws-marketplace:DescribeEntity", "iam:GetRole"} <= observed.calls["replan"]
    assert {"aws-marketplace:StartChangeSet", "iam:CreateServiceLinkedRole",
            "organizations:EnableAWSServiceAccess"} <= observed.calls["apply"]
