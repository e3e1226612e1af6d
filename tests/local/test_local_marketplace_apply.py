"""vend's change-set runner against the Marketplace Catalog emulator: the batches apply, an OU
moves between experiences, a failed change set is reported in AWS's words, and an interrupted
apply resumes without starting its change sets again."""
from __future__ import annotations

from typing import Any

import pytest

from tests.local.marketplace_support import CATALOG, describe, entities
from vending.apply.context import INSTANT
from vending.apply.marketplace_change_sets import ChangeSetFailed, run
from vending.local import LocalAws
from vending.plan.marketplace_batches import MarketplaceChange, change_sets

PRODUCTS = [f"prod-{i:013d}" for i in range(60)]


@pytest.fixture
def mp(local: LocalAws) -> Any:
    return local.session().client("marketplace-catalog", region_name="us-east-1")


def _experience(name: str, principals: list[str], products: list[str]) -> list[MarketplaceChange]:
    return [MarketplaceChange("CreateExperience", name, {"Name": name}),
            MarketplaceChange("CreateProcurementPolicy", name, {"Name": f"{name} policy"}),
            MarketplaceChange("AllowProductProcurement", name, {"Products": [{"Ids": products, "Notes": "ok"}]}),
            MarketplaceChange("AssociateAudience", name, {"Name": name, "Principals": principals}),
            MarketplaceChange("UpdateExperience", name, {"Status": "Enabled"})]


def _principals(mp: Any) -> dict[str, list[str]]:
    found = {}
    for summary in entities(mp, "Audience"):
        body = describe(mp, summary["EntityId"])["DetailsDocument"]
        found[body["ExperienceId"]] = body["Principals"]
    return found


def test_batches_apply_and_an_ou_moves_between_experiences(mp, org, root_id) -> None:
    dev = org.create_organizational_unit(ParentId=root_id, Name="Dev")["OrganizationalUnit"]["Id"]
    org_id = org.describe_organization()["Organization"]["Id"]
    ids = run(mp, change_sets(_experience("eng", [dev], PRODUCTS) + _experience("default", [org_id], []), "fp-1"),
              {}, INSTANT)
    assert sorted(ids) == ["default", "eng"]
    assert {e["EntityId"] for e in entities(mp, "Experience")} == set(ids.values())
    [policy] = [p for p in entities(mp, "ProcurementPolicy") if describe(mp, p["EntityId"])["DetailsDocument"]["ExperienceId"] == ids["eng"]]
    allowed = describe(mp, policy["EntityId"])["DetailsDocument"]["AllowedProducts"]
    assert [p["Id"] for p in allowed] == PRODUCTS  # 60 ids: two changes, two change sets
    assert describe(mp, ids["eng"])["DetailsDocument"]["Status"] == "Enabled"

    move = [MarketplaceChange("AssociateAudience", "default", {"Principals": [dev]}),
            MarketplaceChange("DisassociateAudience", "eng", {"Principals": [dev]})]
    run(mp, change_sets(move, "fp-2"), ids, INSTANT)
    assert _principals(mp) == {ids["eng"]: [], ids["default"]: [org_id, dev]}


def test_a_failed_change_set_is_reported_in_aws_words(mp) -> None:
    ids = run(mp, change_sets([MarketplaceChange("CreateExperience", "eng", {"Name": "Engineering"})], "fp-1"), {},
              INSTANT)
    wrong = [MarketplaceChange("AllowProductProcurement", "eng", {"Products": [{"Ids": PRODUCTS[:1]}]})]
    with pytest.raises(ChangeSetFailed) as failed:
        run(mp, change_sets(wrong, "fp-2"), ids, INSTANT)
    (change_set_id,) = [s["ChangeSetId"] for s in mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]
                        if s["Status"] == "FAILED"]  # AWS does not promise an order within a second
    assert str(failed.value) == (
        f"Marketplace change set 'vend phase 3 set 1' ({change_set_id}) FAILED (CLIENT_ERROR: One or more changes "
        f"failed; see each change's ErrorDetailList.); AllowProductProcurement on {ids['eng']}: ENTITY_NOT_FOUND: "
        f"Experience {ids['eng']} has no procurement policy; create one first.")


def test_an_interrupted_apply_resumes_without_starting_its_change_sets_again(mp) -> None:
    sets = change_sets(_experience("eng", [], PRODUCTS[:3])[:3], "fp-1")
    first = run(mp, sets[:1], {}, INSTANT)  # the apply dies after the experience was created
    mp.start_change_set(Catalog=CATALOG, ClientRequestToken=sets[1].token, ChangeSetName=sets[1].name, ChangeSet=[
        {"ChangeType": "CreateProcurementPolicy", "Entity": {"Type": "Experience@1.0", "Identifier": first["eng"]},
         "DetailsDocument": {"Name": "eng policy"}}])  # ... and again after starting the next set
    resumed = run(mp, sets, {}, INSTANT)  # the rerun sends the same tokens
    assert resumed == first
    assert len(mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]) == 3
    assert len(entities(mp, "Experience")) == 1 and len(entities(mp, "ProcurementPolicy")) == 1


def test_a_change_against_a_locked_experience_waits_for_the_lock(mp) -> None:
    ids = run(mp, change_sets([MarketplaceChange("CreateExperience", "eng", {"Name": "Engineering"})], "fp-1"), {},
              INSTANT)
    mp.start_change_set(Catalog=CATALOG, ChangeSet=[{"ChangeType": "UpdateExperience", "Entity": {
        "Type": "Experience@1.0", "Identifier": ids["eng"]}, "DetailsDocument": {"Status": "Enabled"}}])
    run(mp, change_sets([MarketplaceChange("CreateProcurementPolicy", "eng", {"Name": "p"})], "fp-2"), ids, INSTANT)
    statuses = [s["Status"] for s in mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]]
    assert statuses == ["SUCCEEDED"] * 3


def test_a_start_beyond_the_open_requests_quota_waits_and_starts_once(mp, local: LocalAws) -> None:
    local.faults.fail("StartChangeSet", service="marketplace-catalog", code="ServiceQuotaExceededException",
                      message="The maximum number of open requests per account has been exceeded.")
    ids = run(mp, change_sets([MarketplaceChange("CreateExperience", "eng", {"Name": "Engineering"})], "fp-1"), {},
              INSTANT)
    assert [e["EntityId"] for e in entities(mp, "Experience")] == [ids["eng"]]
    assert len(mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]) == 1
