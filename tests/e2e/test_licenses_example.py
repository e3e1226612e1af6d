"""The example's license grant end to end: `vend apply` links License Manager to AWS
Organizations and grants the observability agent's license to Workloads/Prod; boto3 reads the
grant back, the next plan is empty and notes its status; the grant is accepted automatically and
activated in a recipient account (acting as that account); a grant deleted in the console comes
back; an apply interrupted after CreateGrant, run again, makes no second grant."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.e2e.conftest import REPO_ROOT, without_baselines
from vending import engine
from vending.apply.context import INSTANT
from vending.apply.licenses import apply_grant
from vending.aws.clients import AwsClients
from vending.local import LocalAws, isolated_session
from vending.model.loader import load

ADDRESS = "license_grant:observability-agent@ou:Workloads/Prod"
NAME = "observability-agent-Workloads-Prod"


def _with_licenses(example: Path) -> Path:
    example = without_baselines(example)
    (example / "catalog").mkdir()
    shutil.copytree(REPO_ROOT / "catalog" / "licenses", example / "catalog" / "licenses")
    return example


def _local(example: Path) -> LocalAws:
    return LocalAws(example / ".vend")


def _lm(aws: LocalAws) -> Any:
    return aws.session().client("license-manager", region_name="us-east-1")


def _account(aws: LocalAws, name: str) -> str:
    org = aws.session().client("organizations")
    pages = org.get_paginator("list_accounts").paginate()
    return next(a["Id"] for p in pages for a in p["Accounts"] if a["Name"] == name)


def _as(aws: LocalAws, account: str) -> Any:
    creds = aws.session().client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="e2e")["Credentials"]
    return isolated_session().client("license-manager", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"])


def _changes(vend: Any, example: Path) -> dict[str, dict[str, Any]]:
    planned = vend(example, "plan", "--format", "json")
    assert planned.code == 0, planned.err
    return {c["address"]: c for c in json.loads(planned.out)["changes"]}


def test_example_grant_apply_read_back_activate_and_drift(example, vend):
    example = _with_licenses(example)
    planned = _changes(vend, example)
    assert planned["license_manager_org"]["after"] == {"organization_integration": True}
    assert planned[ADDRESS]["action"] == "create" and "license_manager_org" in planned[ADDRESS]["depends_on"]
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    with _local(example) as aws:
        lm = _lm(aws)
        settings = lm.get_service_settings()
        [grant] = lm.list_distributed_grants()["Grants"]
        [license] = lm.list_received_licenses(
            Filters=[{"Name": "ProductSKU", "Values": ["8a7cbcf2-obs-agent-enterprise"]}])["Licenses"]
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        workloads = next(o for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                         if o["Name"] == "Workloads")
        prod = next(o for o in org.list_organizational_units_for_parent(ParentId=workloads["Id"])["OrganizationalUnits"]
                    if o["Name"] == "Prod")
        member = _as(aws, _account(aws, "payments-prod"))
        [received] = member.list_received_grants()["Grants"]
        activated = member.create_grant_version(ClientToken="activate", GrantArn=received["GrantArn"], Status="ACTIVE")
        [member_license] = member.list_received_licenses()["Licenses"]
    assert settings["OrganizationConfiguration"] == {"EnableIntegration": True}
    assert (grant["GrantName"], grant["LicenseArn"], grant["GranteePrincipalArn"]) == (
        NAME, license["LicenseArn"], prod["Arn"])
    assert sorted(grant["GrantedOperations"]) == ["CheckInLicense", "CheckoutLicense", "ExtendConsumptionLicense",
                                                  "ListPurchasedLicenses"]
    assert grant["Options"] == {"ActivationOverrideBehavior": "DISTRIBUTED_GRANTS_ONLY"}
    assert received["GrantStatus"] == "DISABLED"  # accepted automatically: Organizations is linked
    assert activated["Status"] == "ACTIVE"
    assert member_license["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE"
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
    assert f"grant {NAME}: distributed: each account accepts and activates it (WORKFLOW_COMPLETED)" in again.out

    with _local(example) as aws:  # someone deletes it in the console
        lm = _lm(aws)
        current = lm.get_grant(GrantArn=grant["GrantArn"])["Grant"]
        lm.delete_grant(GrantArn=grant["GrantArn"], Version=current["Version"])
    drift = _changes(vend, example)
    assert list(drift) == [ADDRESS] and drift[ADDRESS]["action"] == "create"
    assert drift[ADDRESS]["reason"].endswith("(its grant was deleted out of band)")
    assert drift[ADDRESS]["after"]["client_token"] != planned[ADDRESS]["after"]["client_token"]
    assert vend(example, "apply", "--auto-approve").code == 0
    with _local(example) as aws:
        [back] = [g for g in _lm(aws).list_distributed_grants()["Grants"] if g["GrantStatus"] != "DELETED"]
    assert back["GrantArn"] != grant["GrantArn"] and back["GranteePrincipalArn"] == prod["Arn"]
    assert "No changes." in vend(example, "plan").out


def test_an_apply_killed_after_create_grant_makes_no_second_grant(example, vend):
    example = _with_licenses(example)
    assert vend(example, "apply", "--auto-approve").code == 0
    path = example / "catalog" / "licenses" / "observability-agent.yaml"
    path.write_text(path.read_text().replace("  - ou: Workloads/Prod\n",
                                             "  - ou: Workloads/Prod\n  - account: sandbox-bob\n"))
    desired = load(example)
    with _local(example) as aws:
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        [create] = [c for c in plan.changes if c.action.value != "no-op"]
        assert create.address == "license_grant:observability-agent@account:sandbox-bob"
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
        # The apply that died had sent CreateGrant (with the plan's token), and then nothing.
        assert apply_grant(create, ctx).startswith("grant observability-agent-sandbox-bob created")
        assert engine.apply(plan, ctx, desired.settings).ok  # the same plan again: the same token
        grants = _lm(aws).list_distributed_grants()["Grants"]
        sandbox = f"arn:aws:iam::{_account(aws, 'sandbox-bob')}:root"
    assert sorted(g["GranteePrincipalArn"].split(":")[2] for g in grants) == ["iam", "organizations"]
    assert [g["GrantName"] for g in grants if g["GranteePrincipalArn"] == sandbox] == [
        "observability-agent-sandbox-bob"]
    assert "No changes." in vend(example, "plan").out  # a fresh run finds the grant: nothing to create


def test_operations_changed_in_the_console_come_back_and_retired_deletes_with_allow_destroy(example, vend):
    example = _with_licenses(example)
    assert vend(example, "apply", "--auto-approve").code == 0
    with _local(example) as aws:
        lm = _lm(aws)
        [grant] = lm.list_distributed_grants()["Grants"]
        lm.create_grant_version(ClientToken="console", GrantArn=grant["GrantArn"],
                                AllowedOperations=["CheckoutLicense"])
    drift = _changes(vend, example)
    assert list(drift) == [ADDRESS] and drift[ADDRESS]["action"] == "update"
    assert drift[ADDRESS]["before"]["allowed_operations"] == ["CheckoutLicense"]
    assert drift[ADDRESS]["before"]["version"] == "2"
    assert vend(example, "apply", "--auto-approve").code == 0
    with _local(example) as aws:
        got = _lm(aws).get_grant(GrantArn=grant["GrantArn"])["Grant"]
    assert (got["Version"], len(got["GrantedOperations"])) == ("3", 4)
    assert "No changes." in vend(example, "plan").out

    path = example / "catalog" / "licenses" / "observability-agent.yaml"
    path.write_text(path.read_text() + "retired: true\n")
    refused = vend(example, "apply", "--auto-approve")
    assert refused.code != 0 and ADDRESS in refused.err
    assert vend(example, "apply", "--auto-approve", "--allow-destroy").code == 0
    with _local(example) as aws:
        assert _lm(aws).get_grant(GrantArn=grant["GrantArn"])["Grant"]["GrantStatus"] == "DELETED"
    assert "No changes." in vend(example, "plan").out
