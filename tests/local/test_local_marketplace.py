"""The Marketplace Catalog emulator (Private Marketplace): entities with revisions, asynchronous
change sets, locks, AWS's validation errors and failure codes, read back through boto3."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.marketplace_support import CATALOG, change, describe, entities, finish, new_experience, run, start
from vending.local import LocalAws

PRODUCT = "prod-4ryx5o7yffoqo"


@pytest.fixture
def mp(local: LocalAws) -> Any:
    return local.session().client("marketplace-catalog", region_name="us-east-1")


def test_a_change_set_goes_preparing_applying_succeeded_and_builds_the_experience(mp, org, root_id) -> None:
    dev = org.create_organizational_unit(ParentId=root_id, Name="Dev")["OrganizationalUnit"]["Id"]
    created = start(mp, change("CreateExperience", Name="Engineering"))
    statuses = [mp.describe_change_set(Catalog=CATALOG, ChangeSetId=created)["Status"] for _ in range(3)]
    assert statuses == ["PREPARING", "APPLYING", "SUCCEEDED"]
    done = mp.describe_change_set(Catalog=CATALOG, ChangeSetId=created)
    exp = done["ChangeSet"][0]["Entity"]["Identifier"]
    assert exp.startswith("exp-") and len(exp) == 17 and "EndTime" in done
    assert describe(mp, exp)["DetailsDocument"] == {"Name": "Engineering", "Status": "Disabled"}

    answer = run(mp,
                 change("CreateProcurementPolicy", exp, Name="Engineering policy"),
                 change("CreateBrandingSettings", exp, Name="Engineering branding",
                        Configuration={"Title": "Engineering", "ThemeColor": "#0e7f74",
                                       "LogoUrl": "https://assets.example.com/logo.png"}),
                 change("AllowProductProcurement", exp, Products=[{"Ids": [PRODUCT], "Notes": "approved"}]),
                 change("UpdateProcurementPolicy", exp, Configuration={"PolicyResourceRequests": "Deny"}),
                 change("AssociateAudience", exp, Name="Dev", Principals=[dev]),
                 change("UpdateExperience", exp, Status="Enabled"))
    assert answer["Status"] == "SUCCEEDED", answer
    described = describe(mp, exp)
    assert described["EntityType"] == "Experience@1.0"
    assert described["EntityIdentifier"] == f"{exp}@7"  # created (1), then one revision per change (6)
    assert described["DetailsDocument"]["Status"] == "Enabled"
    [policy] = entities(mp, "ProcurementPolicy")
    assert policy["EntityId"].startswith("procpolicy-") and policy["Name"] == "Engineering policy"
    body = describe(mp, policy["EntityId"])
    assert body["EntityType"] == "ProcurementPolicy@1.0" and body["EntityIdentifier"].endswith("@3")
    assert body["DetailsDocument"] == {
        "Name": "Engineering policy", "ExperienceId": exp, "Configuration": {"PolicyResourceRequests": "Deny"},
        "AllowedProducts": [{"Id": PRODUCT, "Notes": "approved"}], "DeniedProducts": []}
    [audience] = entities(mp, "Audience")
    assert describe(mp, audience["EntityId"])["DetailsDocument"]["Principals"] == [dev]
    [branding] = entities(mp, "BrandingSettings")
    assert describe(mp, branding["EntityId"])["DetailsDocument"]["Configuration"]["ThemeColor"] == "#0e7f74"

    denied = run(mp, change("DenyProductProcurement", exp, Products=[{"Ids": [PRODUCT]}]))
    assert denied["Status"] == "SUCCEEDED"
    policy_body = describe(mp, policy["EntityId"])["DetailsDocument"]
    assert (policy_body["AllowedProducts"], policy_body["DeniedProducts"]) == ([], [{"Id": PRODUCT}])


def test_an_entity_is_locked_while_a_change_set_runs(mp, aws_error) -> None:
    exp = new_experience(mp)
    running = start(mp, change("UpdateExperience", exp, Status="Enabled"))
    response = aws_error("ResourceInUseException", mp.start_change_set, Catalog=CATALOG,
                         ChangeSet=[change("UpdateExperience", exp, Status="Disabled")])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 423
    assert response["Error"]["Message"] == (f"Entity {exp} is in use by change set {running}, which is PREPARING; "
                                            "try again when it completes.")
    assert finish(mp, running)["Status"] == "SUCCEEDED"
    assert run(mp, change("UpdateExperience", exp, Status="Disabled"))["Status"] == "SUCCEEDED"


@pytest.mark.parametrize(("changes", "message"), [
    (lambda exp: [change("UpdateExperience", exp, Status="Enabled")] * 21,
     "1 validation error detected: Value at 'changeSet' failed to satisfy constraint: Member must have length less "
     "than or equal to 20"),
    (lambda exp: [change("UpdateExperience", exp, Status="Enabled"), change("UpdateExperience", exp, Status="Disabled")],
     "The change set has change type UpdateExperience twice for entity {exp}; a change type can target an entity "
     "once per change set."),
    (lambda exp: [change("AllowProductProcurement", exp, Products=[{"Ids": [f"prod-{i:013d}" for i in range(51)]}])],
     "AllowProductProcurement takes 1 to 50 product ids; got 51."),
    (lambda exp: [change("DenyProductProcurement", exp, Products=[{"Ids": [PRODUCT]}, {"Ids": [PRODUCT]}])],
     "DenyProductProcurement lists a product id more than once."),
    (lambda exp: [change("UpdateExperience", exp, Status="Archived")], "UpdateExperience Status must be Enabled or Disabled."),
    (lambda exp: [change("AssociateAudience", exp, Principals=["Workloads/Dev"])],
     "Principal Workloads/Dev is not an account id, an OU id or an organization id."),
])
def test_start_change_set_refuses_what_aws_refuses_with_422(mp, aws_error, changes, message) -> None:
    exp = new_experience(mp)
    response = aws_error("ValidationException", mp.start_change_set, Catalog=CATALOG, ChangeSet=changes(exp))
    assert response["Error"]["Message"] == message.format(exp=exp)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 422
    assert len(mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]) == 1  # only the create


def test_a_failed_change_fails_the_whole_set_with_its_code_and_keeps_nothing(mp) -> None:
    exp = new_experience(mp)
    failed = run(mp, change("UpdateExperience", exp, Status="Enabled"),
                 change("AllowProductProcurement", exp, Products=[{"Ids": [PRODUCT]}]))
    assert (failed["Status"], failed["FailureCode"]) == ("FAILED", "CLIENT_ERROR")
    assert failed["ChangeSet"][0]["ErrorDetailList"] == []
    assert failed["ChangeSet"][1]["ErrorDetailList"] == [{
        "ErrorCode": "ENTITY_NOT_FOUND", "ErrorMessage": f"Experience {exp} has no procurement policy; create one first."}]
    assert describe(mp, exp)["DetailsDocument"]["Status"] == "Disabled"  # the first change was not kept
    assert run(mp, change("CreateProcurementPolicy", exp, Name="p"))["Status"] == "SUCCEEDED"
    again = run(mp, change("CreateProcurementPolicy", exp, Name="p2"))
    assert again["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] == "ENTITY_ALREADY_EXISTS"
    missing = run(mp, change("UpdateExperience", "exp-aaaaaaaaaaaaa", Status="Enabled"))
    assert missing["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] == "ENTITY_NOT_FOUND"
    logo = run(mp, change("CreateBrandingSettings", exp, Name="b", Configuration={"LogoUrl": "http://x.example/l.png"}))
    assert logo["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] == "INVALID_URL"
    image = run(mp, change("CreateBrandingSettings", exp, Name="b", Configuration={"LogoUrl": "https://x.example/l.gif"}))
    assert image["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] == "INVALID_IMAGE"
    archive = run(mp, change("UpdateExperience", exp, Status="Enabled"))
    assert archive["Status"] == "SUCCEEDED"
    restricted = run(mp, change("RestrictExperience", exp))
    assert restricted["ChangeSet"][0]["ErrorDetailList"][0]["ErrorMessage"] == (
        f"Experience {exp} is Enabled; disable it before archiving it.")


def test_one_direct_experience_per_principal_and_the_organizations_default(mp, org, local) -> None:
    org_id = org.describe_organization()["Organization"]["Id"]
    outsider = "999999999999"
    default, engineering = new_experience(mp, "Default"), new_experience(mp, "Engineering")
    assert run(mp, change("AssociateAudience", default, Principals=[org_id]))["Status"] == "SUCCEEDED"
    account = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")
    assert run(mp, change("AssociateAudience", engineering, Principals=[account]))["Status"] == "SUCCEEDED"
    second = run(mp, change("AssociateAudience", engineering, Principals=[org_id]))
    assert second["ChangeSet"][0]["ErrorDetailList"] == [{
        "ErrorCode": "ENTITY_ALREADY_EXISTS",
        "ErrorMessage": f"Principal {org_id} is already associated with experience {default}; disassociate it first."}]
    outside = run(mp, change("AssociateAudience", engineering, Principals=[outsider]))
    assert outside["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] == "CALLER_NOT_AUTHORIZED"
    moved = run(mp, change("DisassociateAudience", default, Principals=[org_id]))
    assert moved["Status"] == "SUCCEEDED"
    assert run(mp, change("AssociateAudience", engineering, Principals=[org_id]))["Status"] == "SUCCEEDED"
    principals = {describe(mp, a["EntityId"])["DetailsDocument"]["ExperienceId"]:
                  describe(mp, a["EntityId"])["DetailsDocument"]["Principals"] for a in entities(mp, "Audience")}
    assert principals == {default: [], engineering: [account, org_id]}


def test_a_principal_another_running_change_set_moves_is_in_use(mp, org) -> None:
    account = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")
    first, second = new_experience(mp, "A"), new_experience(mp, "B")
    running = start(mp, change("AssociateAudience", first, Principals=[account]))
    clash = start(mp, change("AssociateAudience", second, Principals=[account]))
    answers = {cs: finish(mp, cs) for cs in (running, clash)}
    codes = sorted(a["ChangeSet"][0]["ErrorDetailList"][0]["ErrorCode"] if a["Status"] == "FAILED" else "ok"
                   for a in answers.values())
    assert codes == ["ENTITY_IN_USE", "ok"]


def test_a_client_request_token_answers_the_change_set_it_started(mp) -> None:
    exp = new_experience(mp)
    first = start(mp, change("UpdateExperience", exp, Status="Enabled"), ClientRequestToken="vend-plan-1-set-1")
    finish(mp, first)
    again = start(mp, change("UpdateExperience", exp, Status="Enabled"), ClientRequestToken="vend-plan-1-set-1")
    assert again == first
    assert len(mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]) == 2


def test_lists_page_and_name_the_entities_of_each_change_set(mp) -> None:
    exps = [new_experience(mp, f"E{i}") for i in range(3)]
    page = mp.list_entities(Catalog=CATALOG, EntityType="Experience", MaxResults=2)
    rest = mp.list_entities(Catalog=CATALOG, EntityType="Experience", NextToken=page["NextToken"])
    assert sorted(e["EntityId"] for e in page["EntitySummaryList"] + rest["EntitySummaryList"]) == sorted(exps)
    assert "NextToken" not in rest
    sets = mp.list_change_sets(Catalog=CATALOG, MaxResults=20)["ChangeSetSummaryList"]
    assert [s["Status"] for s in sets] == ["SUCCEEDED"] * 3
    assert sorted(i for s in sets for i in s["EntityIdList"]) == sorted(exps)


def test_a_delegated_administrator_sees_the_hubs_entities_shared_with_it(mp, org, local) -> None:
    from tests.local.stacksets_support import member_client

    exp = new_experience(mp)
    admin = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")
    other = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Log Archive")
    org.enable_aws_service_access(ServicePrincipal="private-marketplace.marketplace.amazonaws.com")
    org.register_delegated_administrator(AccountId=admin,
                                         ServicePrincipal="private-marketplace.marketplace.amazonaws.com")
    delegated = member_client("marketplace-catalog", admin)
    assert delegated.list_entities(Catalog=CATALOG, EntityType="Experience")["EntitySummaryList"] == []
    shared = delegated.list_entities(Catalog=CATALOG, EntityType="Experience",
                                     FilterList=[{"Name": "Scope", "ValueList": ["SharedWithMe"]}])
    assert [e["EntityId"] for e in shared["EntitySummaryList"]] == [exp]
    assert finish(delegated, start(delegated, change("UpdateExperience", exp, Status="Enabled")))["Status"] == "SUCCEEDED"
    assert describe(mp, exp)["DetailsDocument"]["Status"] == "Enabled"
    with pytest.raises(ClientError) as refused:
        member_client("marketplace-catalog", other).list_entities(Catalog=CATALOG, EntityType="Experience")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def test_entities_and_change_sets_persist_across_processes_and_serve_over_http(tmp_path) -> None:
    import boto3

    from vending.local import LocalServer

    with LocalAws(tmp_path) as aws:
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        exp = new_experience(mp)
        running = start(mp, change("UpdateExperience", exp, Status="Enabled"))
    with LocalServer(tmp_path, port=0) as server:
        remote = boto3.client("marketplace-catalog", endpoint_url=server.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        assert remote.describe_change_set(Catalog=CATALOG, ChangeSetId=running)["Status"] == "PREPARING"
        assert finish(remote, running)["Status"] == "SUCCEEDED"
        assert [e["EntityId"] for e in entities(remote, "Experience")] == [exp]
    with LocalAws(tmp_path) as aws:
        mp = aws.session().client("marketplace-catalog", region_name="us-east-1")
        assert describe(mp, exp)["DetailsDocument"]["Status"] == "Enabled"


def test_a_throttled_start_is_retried_by_botocore_and_starts_one_change_set(mp, local) -> None:
    local.faults.throttle("StartChangeSet", times=2, service="marketplace-catalog")
    exp = new_experience(mp)
    assert [e["EntityId"] for e in entities(mp, "Experience")] == [exp]
    assert len(mp.list_change_sets(Catalog=CATALOG)["ChangeSetSummaryList"]) == 1


def test_an_operation_outside_the_emulated_ones_is_an_unknown_operation(mp, aws_error) -> None:
    response = aws_error("UnknownOperationException", mp.list_assessments, Catalog=CATALOG)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
