"""IAM Identity Center access end to end on the example organization: apply creates the permission
sets and the assignments `access` gives (inherited from Workloads/Prod, overridden per account),
boto3 reads them back from the emulator, the next plan is empty; an assignment removed and a
permission set edited out of band come back; an interrupted apply converges."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import without_baselines
from vending import engine
from vending.apply.context import INSTANT, Polling
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load

REGION = "us-east-1"


def _identity(repo: Path) -> tuple[dict[str, dict[str, Any]], set[tuple[str, str, str]]]:
    """(permission set name -> fields, {(group, account name, permission set)}) read with boto3."""
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        sso, store = session.client("sso-admin", region_name=REGION), session.client("identitystore", region_name=REGION)
        names = {a["Id"]: a["Name"] for p in session.client("organizations").get_paginator("list_accounts").paginate()
                 for a in p["Accounts"]}
        instance = sso.list_instances()["Instances"][0]
        arn = instance["InstanceArn"]
        sets: dict[str, dict[str, Any]] = {}
        by_arn: dict[str, str] = {}
        for ps in sso.list_permission_sets(InstanceArn=arn)["PermissionSets"]:
            described = sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps)["PermissionSet"]
            managed = sso.list_managed_policies_in_permission_set(InstanceArn=arn, PermissionSetArn=ps)
            sets[described["Name"]] = {"duration": described["SessionDuration"],
                                       "managed": [p["Arn"] for p in managed["AttachedManagedPolicies"]]}
            by_arn[ps] = described["Name"]
        found = set()
        for group in store.list_groups(IdentityStoreId=instance["IdentityStoreId"])["Groups"]:
            rows = sso.list_account_assignments_for_principal(InstanceArn=arn, PrincipalId=group["GroupId"],
                                                              PrincipalType="GROUP")["AccountAssignments"]
            found |= {(group["DisplayName"], names[r["AccountId"]], by_arn[r["PermissionSetArn"]]) for r in rows}
    return sets, found


def _changes(vend, repo: Path) -> dict[str, dict]:
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    return {c["address"]: c for c in json.loads(result.out)["changes"]}


PROD = {("Developers", "payments-prod", "ReadOnly"), ("Operators", "payments-prod", "PowerUser"),
        ("Developers", "data-lake-prod", "ReadOnly"), ("Operators", "data-lake-prod", "PowerUser")}


def test_apply_creates_permission_sets_and_assignments_and_the_next_plan_is_empty(example, vend) -> None:
    repo = without_baselines(example)
    first = _changes(vend, repo)
    assignment = first["account_assignment:payments-prod/Developers/ReadOnly"]
    assert assignment["depends_on"] == ["account:payments-prod", "permission_set:ReadOnly"]
    assert assignment["source"] == "ous/Workloads/Prod/ou.yaml:27"
    assert vend(repo, "apply", "--auto-approve").code == 0
    sets, found = _identity(repo)
    assert sets == {"PowerUser": {"duration": "PT4H", "managed": ["arn:aws:iam::aws:policy/PowerUserAccess"]},
                    "ReadOnly": {"duration": "PT8H", "managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}
    assert found == PROD
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_an_account_file_overrides_its_ou_and_none_deletes_only_with_allow_destroy(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    account = repo / "accounts/data-lake-prod.yaml"
    account.write_text(account.read_text() + "access:\n  Operators: none\n  Auditors: [ReadOnly]\n")
    changes = _changes(vend, repo)
    assert set(changes) == {"account_assignment:data-lake-prod/Operators/PowerUser",
                            "account_assignment:data-lake-prod/Auditors/ReadOnly"}
    gone = changes["account_assignment:data-lake-prod/Operators/PowerUser"]
    assert (gone["action"], gone["destructive"], gone["source"]) == ("delete", True, "accounts/data-lake-prod.yaml:"
                                                                     + gone["source"].rsplit(":", 1)[1])
    refused = vend(repo, "apply", "--auto-approve")
    assert refused.code != 0 and "account_assignment:data-lake-prod/Operators/PowerUser" in refused.err + refused.out
    assert vend(repo, "apply", "--auto-approve", "--allow-destroy").code == 0
    _, found = _identity(repo)
    assert found == (PROD - {("Operators", "data-lake-prod", "PowerUser")}) | {("Auditors", "data-lake-prod", "ReadOnly")}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def _sso(repo: Path, call: str, **params: Any) -> Any:
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        sso = session.client("sso-admin", region_name=REGION)
        arn = sso.list_instances()["Instances"][0]["InstanceArn"]
        return getattr(sso, call)(InstanceArn=arn, **params)


def _ids(repo: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(permission set name -> ARN, group name -> id, account name -> id)."""
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        sso, store = session.client("sso-admin", region_name=REGION), session.client("identitystore", region_name=REGION)
        instance = sso.list_instances()["Instances"][0]
        sets = {sso.describe_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=p)["PermissionSet"][
            "Name"]: p for p in sso.list_permission_sets(InstanceArn=instance["InstanceArn"])["PermissionSets"]}
        groups = {g["DisplayName"]: g["GroupId"] for g in store.list_groups(
            IdentityStoreId=instance["IdentityStoreId"])["Groups"]}
        accounts = {a["Name"]: a["Id"] for p in session.client("organizations").get_paginator("list_accounts").paginate()
                    for a in p["Accounts"]}
    return sets, groups, accounts


def test_an_assignment_removed_and_a_permission_set_edited_out_of_band_come_back(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    sets, groups, accounts = _ids(repo)
    _sso(repo, "delete_account_assignment", TargetId=accounts["payments-prod"], TargetType="AWS_ACCOUNT",
         PermissionSetArn=sets["ReadOnly"], PrincipalType="GROUP", PrincipalId=groups["Developers"])
    _sso(repo, "update_permission_set", PermissionSetArn=sets["PowerUser"], SessionDuration="PT12H")
    _sso(repo, "detach_managed_policy_from_permission_set", PermissionSetArn=sets["PowerUser"],
         ManagedPolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
    _sso(repo, "list_permission_sets")  # a read lets the deletion finish, as time would in AWS
    changes = _changes(vend, repo)
    assert set(changes) == {"account_assignment:payments-prod/Developers/ReadOnly", "permission_set:PowerUser",
                            "permission_set_provisioning:PowerUser"}
    edited = changes["permission_set:PowerUser"]
    assert edited["before"]["session_duration"] == "PT12H" and edited["after"]["session_duration"] == "PT4H"
    assert edited["before"]["managed_policies"] == [] and "inline_policy" not in edited["after"]
    assert changes["permission_set_provisioning:PowerUser"]["depends_on"] == ["permission_set:PowerUser"]
    assert changes["account_assignment:payments-prod/Developers/ReadOnly"]["action"] == "create"
    assert vend(repo, "apply", "--auto-approve").code == 0
    found_sets, found = _identity(repo)
    assert found == PROD and found_sets["PowerUser"]["duration"] == "PT4H"
    stale = _sso(repo, "list_accounts_for_provisioned_permission_set", PermissionSetArn=sets["PowerUser"],
                 ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED")["AccountIds"]
    assert stale == []
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_an_apply_interrupted_before_provisioning_converges(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    ps = repo / "identity/permission-sets/ReadOnly.yaml"
    ps.write_text(ps.read_text().replace("PT8H", "PT2H"))
    desired = load(repo)
    with LocalAws(repo / ".vend") as aws:
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        aws.faults.fail("ProvisionPermissionSet", service="sso-admin", code="InternalServerException",
                        message="We encountered an internal error")
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
        report = engine.apply(plan, ctx, desired.settings)
    assert [f.address for f in report.by_status("failed")] == ["permission_set_provisioning:ReadOnly"]
    changes = _changes(vend, repo)
    assert set(changes) == {"permission_set_provisioning:ReadOnly"}
    assert "2 account(s) run an older version of ReadOnly" in changes["permission_set_provisioning:ReadOnly"]["reason"]
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_a_failed_assignment_is_shown_in_aws_words(example, vend) -> None:
    repo = without_baselines(example)
    ps = repo / "identity/permission-sets/ReadOnly.yaml"
    ps.write_text(ps.read_text() + "customer_managed_policies:\n  - name: team-read\n    path: /vend/\n")
    result = vend(repo, "apply", "--auto-approve")
    assert result.code != 0
    assert ("CreateAccountAssignment of ReadOnly to Developers on payments-prod FAILED: Received a 404 status error:"
            " Not supported policy arn:aws:iam::") in result.out + result.err


def test_an_unknown_group_is_a_plan_time_finding_naming_the_file(example, vend) -> None:
    repo = without_baselines(example)
    ou = repo / "ous/Workloads/Prod/ou.yaml"
    ou.write_text(ou.read_text().replace("Operators: [PowerUser]", "Operater: [PowerUser]"))
    result = vend(repo, "plan")
    assert result.code != 0
    assert ("ous/Workloads/Prod/ou.yaml:27: access: group 'Operater' is not in IAM Identity Center's identity"
            " store d-") in result.err


def test_a_retired_permission_set_goes_after_its_assignments(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    ou = repo / "ous/Workloads/Prod/ou.yaml"
    ou.write_text(ou.read_text().replace("Operators: [PowerUser]", "Operators: []"))
    ps = repo / "identity/permission-sets/PowerUser.yaml"
    ps.write_text(ps.read_text() + "retired: true\n")
    changes = _changes(vend, repo)
    assert changes["permission_set:PowerUser"]["action"] == "delete"
    assert changes["permission_set:PowerUser"]["depends_on"] == [
        "account_assignment:data-lake-prod/Operators/PowerUser", "account_assignment:payments-prod/Operators/PowerUser"]
    assert vend(repo, "apply", "--auto-approve", "--allow-destroy").code == 0
    sets, found = _identity(repo)
    assert set(sets) == {"ReadOnly"} and found == {a for a in PROD if a[2] == "ReadOnly"}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_an_assignment_still_in_progress_when_apply_gives_up_is_found_by_the_next_plan(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    sets, groups, accounts = _ids(repo)
    _sso(repo, "delete_account_assignment", TargetId=accounts["payments-prod"], TargetType="AWS_ACCOUNT",
         PermissionSetArn=sets["ReadOnly"], PrincipalType="GROUP", PrincipalId=groups["Developers"])
    desired = load(repo)
    impatient = Polling(first_delay=0.0, max_delay=0.0, max_polls=1)
    with LocalAws(repo / ".vend") as aws:
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        assert [c.address for c in plan.changes] == ["account_assignment:payments-prod/Developers/ReadOnly"]
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=impatient, live=live)
        (failed,) = engine.apply(plan, ctx, desired.settings).by_status("failed")
    assert failed.detail == ("CreateAccountAssignment of ReadOnly to Developers on payments-prod (request "
                             f"{failed.detail.split('(request ')[1].split(')')[0]}) still IN_PROGRESS after 1 polls;"
                             " it continues in AWS; rerun vend apply to pick it up")
    assert vend(repo, "plan", "--detailed-exitcode").code == 0  # AWS finished it meanwhile
    _, found = _identity(repo)
    assert found == PROD
