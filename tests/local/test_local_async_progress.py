"""Asynchronous operations complete as time passes - any read of their service - as AWS's do,
not only when someone polls their own id (an apply that was killed never will)."""
from __future__ import annotations

from vending.local import LocalAws, init_control_tower

CT_BASELINE = "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"
CONTROL = ("arn:aws:controltower:us-east-1::control/"
           "AWS-GR_AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED")


def _security(org):
    root_id = org.list_roots()["Roots"][0]["Id"]
    return next(o for o in org.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"] if o["Name"] == "Security")


def test_orphaned_control_tower_operations_complete_without_their_status_read(tmp_path):
    """A killed apply started a baseline and a control operation; the next process never asks
    for either operation, yet both complete after two controltower reads (operation_polls=2)."""
    init_control_tower(tmp_path)
    with LocalAws(tmp_path, operation_polls=2) as aws:  # the apply that dies
        org, ct = aws.session().client("organizations"), aws.session().client("controltower")
        ou = org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"],
                                            Name="Workloads")["OrganizationalUnit"]
        identity = next(b["arn"] for b in ct.list_enabled_baselines()["enabledBaselines"]
                        if b["targetIdentifier"].endswith(aws.management_account_id))
        baseline_op = ct.enable_baseline(
            baselineIdentifier=CT_BASELINE, baselineVersion="4.0", targetIdentifier=ou["Arn"],
            parameters=[{"key": "IdentityCenterEnabledBaselineArn", "value": identity}],
        )["operationIdentifier"]
        control_op = ct.enable_control(controlIdentifier=CONTROL,
                                       targetIdentifier=_security(org)["Arn"])[
            "operationIdentifier"]
    with LocalAws(tmp_path) as aws:  # the next process reads something else
        ct = aws.session().client("controltower")
        ct.list_landing_zones()
        ct.list_landing_zones()
        assert ct.get_baseline_operation(operationIdentifier=baseline_op)[
            "baselineOperation"]["status"] == "SUCCEEDED"
        assert ct.get_control_operation(operationIdentifier=control_op)[
            "controlOperation"]["status"] == "SUCCEEDED"


def test_a_service_catalog_record_completes_with_any_catalog_read(tmp_path, af_params):
    summary = init_control_tower(tmp_path)
    with LocalAws(tmp_path, provisioning_polls=3) as aws:
        sc = aws.session().client("servicecatalog")
        record_id = sc.provision_product(
            ProductId=summary.account_factory_product_id, ProvisionedProductName="Quiet",
            ProvisioningArtifactName="AWS Control Tower Account Factory",
            ProvisioningParameters=af_params("Quiet", "Security"))["RecordDetail"]["RecordId"]
        for _ in range(3):
            sc.list_portfolios()
        assert sc.describe_record(Id=record_id)["RecordDetail"]["Status"] == "SUCCEEDED"
        names = {a["Name"] for a in aws.session().client("organizations").list_accounts()[
            "Accounts"]}
        assert "Quiet" in names


def test_polls_still_count(tmp_path):
    """`create_account_polls` is the number of reads a creation takes: no sooner."""
    with LocalAws(tmp_path, create_account_polls=3) as aws:
        org = aws.session().client("organizations")
        request_id = org.create_account(AccountName="Slow", Email="slow@example.com")[
            "CreateAccountStatus"]["Id"]
        states = [org.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"]["State"] for _ in range(3)]
    assert states == ["IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]
