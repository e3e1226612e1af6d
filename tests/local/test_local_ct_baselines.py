"""Control Tower landing zone and baselines in the local emulator (controltower/baselines.py,
controltower/landing_zone.py).

Sources: the controltower API reference (botocore `controltower/2018-05-10`), aws-facts 1.4
(OU operations: 1 concurrent) and 1.7 (ARNs, baselines, async operations), the user guide's
baseline API examples (IdentityCenterEnabledBaselineArn).
"""
from __future__ import annotations

import re

import pytest

CT_BASELINE = "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"
IC_BASELINE = "arn:aws:controltower:us-east-1::baseline/LN25R72TTG6IGPTQ"
UUID = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"


@pytest.fixture
def identity(ct):
    return ct.list_enabled_baselines(filter={"baselineIdentifiers": [IC_BASELINE]})[
        "enabledBaselines"][0]["arn"]


@pytest.fixture
def new_ou(ct_org):
    def make(name, parent_id=None):
        parent = parent_id or ct_org.list_roots()["Roots"][0]["Id"]
        return ct_org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]
    return make


def _enable(ct, target, identity=None):
    return ct.enable_baseline(baselineIdentifier=CT_BASELINE, baselineVersion="4.0",
                              targetIdentifier=target, parameters=[
                                  {"key": "IdentityCenterEnabledBaselineArn", "value": identity}])


def _finish(ct, op_id):
    for _ in range(5):
        op = ct.get_baseline_operation(operationIdentifier=op_id)["baselineOperation"]
        if op["status"] != "IN_PROGRESS":
            return op
    raise AssertionError(op_id)


def test_landing_zone(ct):
    """API_GetLandingZone: version 3.3, ACTIVE, drift IN_SYNC; ListLandingZones gives its ARN."""
    zones = ct.list_landing_zones()["landingZones"]
    assert len(zones) == 1
    zone = ct.get_landing_zone(landingZoneIdentifier=zones[0]["arn"])["landingZone"]
    assert (zone["version"], zone["status"], zone["driftStatus"]["status"]) == \
        ("3.3", "ACTIVE", "IN_SYNC")
    assert re.fullmatch(r"arn:aws:controltower:us-east-1:123456789012:landingzone/[A-Z0-9]{16}",
                        zone["arn"])


def test_no_landing_zone_without_control_tower(local, aws_error):
    ct = local.session().client("controltower")
    assert ct.list_landing_zones()["landingZones"] == []
    assert local.landing_zone() is None


def test_list_baselines(ct):
    names = {b["name"]: b["arn"] for b in ct.list_baselines()["baselines"]}
    assert names == {"AWSControlTowerBaseline": CT_BASELINE, "IdentityCenterBaseline": IC_BASELINE}
    assert ct.get_baseline(baselineIdentifier=CT_BASELINE)["name"] == "AWSControlTowerBaseline"


def test_enable_baseline_is_asynchronous(ct, new_ou, identity):
    """EnableBaseline returns a 36-char operation id and the enabledbaseline ARN; the baseline
    is UNDER_CHANGE until the operation SUCCEEDED (operation_polls=2)."""
    ou = new_ou("Workloads")
    started = _enable(ct, ou["Arn"], identity)
    assert re.fullmatch(UUID, started["operationIdentifier"])
    assert re.fullmatch(r"arn:aws:controltower:us-east-1:123456789012:enabledbaseline/[A-Z0-9]{17}",
                        started["arn"])
    first = ct.get_baseline_operation(operationIdentifier=started["operationIdentifier"])
    assert first["baselineOperation"]["status"] == "IN_PROGRESS"
    assert first["baselineOperation"]["operationType"] == "ENABLE_BASELINE"
    assert _finish(ct, started["operationIdentifier"])["status"] == "SUCCEEDED"
    details = ct.get_enabled_baseline(enabledBaselineIdentifier=started["arn"])[
        "enabledBaselineDetails"]
    assert details["targetIdentifier"] == ou["Arn"]
    assert details["statusSummary"]["status"] == "SUCCEEDED"


def test_second_ou_operation_conflicts(ct, new_ou, identity, aws_error):
    """aws-facts 1.4: OU operations run one at a time; a second is a ConflictException (409)."""
    first = _enable(ct, new_ou("A")["Arn"], identity)
    response = aws_error("ConflictException", _enable, ct=ct, target=new_ou("B")["Arn"],
                         identity=identity)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    _finish(ct, first["operationIdentifier"])
    ct.reset_enabled_baseline(enabledBaselineIdentifier=first["arn"])


def test_already_enabled_bad_arns_and_unknown_ones(ct, new_ou, identity, aws_error):
    ou = new_ou("A")
    _finish(ct, _enable(ct, ou["Arn"], identity)["operationIdentifier"])
    assert "already enabled" in aws_error("ValidationException", _enable, ct=ct,
                                          target=ou["Arn"], identity=identity)["Error"]["Message"]
    aws_error("ValidationException", ct.get_baseline,
              baselineIdentifier="arn:aws:controltower:us-east-1::baseline/not-an-id")
    aws_error("ResourceNotFoundException", ct.get_baseline,
              baselineIdentifier="arn:aws:controltower:us-east-1::baseline/AAAAAAAAAAAAAAAA")
    aws_error("ValidationException", ct.enable_baseline, baselineIdentifier=CT_BASELINE,
              baselineVersion="4.0", targetIdentifier="arn:aws:organizations::1:account/o-x/1")
    gone = ou["Arn"].rsplit("/", 1)[0] + "/ou-zzzz-zzzzzzzz"
    aws_error("ResourceNotFoundException", _enable, ct=ct, target=gone, identity=identity)
    aws_error("ResourceNotFoundException", ct.get_enabled_baseline,
              enabledBaselineIdentifier="arn:aws:controltower:us-east-1:123456789012:"
                                        "enabledbaseline/AAAAAAAAAAAAAAAAA")


def test_identity_center_parameter_is_required(ct, new_ou, aws_error):
    """With the landing zone's IdentityCenterBaseline enabled, AWSControlTowerBaseline takes the
    IdentityCenterEnabledBaselineArn parameter (user guide, baseline API examples)."""
    response = aws_error("ValidationException", ct.enable_baseline, baselineIdentifier=CT_BASELINE,
                         baselineVersion="4.0", targetIdentifier=new_ou("A")["Arn"])
    assert "IdentityCenterEnabledBaselineArn" in response["Error"]["Message"]


def test_nested_ou_needs_a_registered_parent(ct, new_ou, identity):
    parent = new_ou("Parent")
    child = new_ou("Child", parent_id=parent["Id"])
    op = _finish(ct, _enable(ct, child["Arn"], identity)["operationIdentifier"])
    assert op["status"] == "FAILED" and parent["Id"] in op["statusMessage"]


def test_update_reset_disable_and_filters(ct, new_ou, identity):
    ou = new_ou("A")
    started = _enable(ct, ou["Arn"], identity)
    _finish(ct, started["operationIdentifier"])
    arn = started["arn"]
    op = ct.update_enabled_baseline(enabledBaselineIdentifier=arn, baselineVersion="4.1")
    assert _finish(ct, op["operationIdentifier"])["operationType"] == "UPDATE_ENABLED_BASELINE"
    assert ct.get_enabled_baseline(enabledBaselineIdentifier=arn)["enabledBaselineDetails"][
        "baselineVersion"] == "4.1"
    op = ct.reset_enabled_baseline(enabledBaselineIdentifier=arn)
    assert _finish(ct, op["operationIdentifier"])["status"] == "SUCCEEDED"
    on_ou = ct.list_enabled_baselines(filter={"targetIdentifiers": [ou["Arn"]]})["enabledBaselines"]
    assert [b["arn"] for b in on_ou] == [arn]
    op = ct.disable_baseline(enabledBaselineIdentifier=arn)
    assert ct.list_enabled_baselines(filter={"statuses": ["UNDER_CHANGE"]})[
        "enabledBaselines"][0]["arn"] == arn
    _finish(ct, op["operationIdentifier"])
    assert ct.list_enabled_baselines(filter={"targetIdentifiers": [ou["Arn"]]})[
        "enabledBaselines"] == []


def test_create_landing_zone_through_the_api(local, aws_error):
    """API_CreateLandingZone sets the landing zone up (as `control_tower=True` does) and reports
    its operation; a second one is refused."""
    ct = local.session().client("controltower")
    created = ct.create_landing_zone(version="3.3", manifest={"governedRegions": ["us-east-1"]})
    op = ct.get_landing_zone_operation(operationIdentifier=created["operationIdentifier"])
    assert op["operationDetails"]["status"] == "SUCCEEDED"
    assert ct.get_landing_zone(landingZoneIdentifier=created["arn"])["landingZone"][
        "manifest"] == {"governedRegions": ["us-east-1"]}
    assert local.landing_zone().registered_ou_arns
    aws_error("ValidationException", ct.create_landing_zone, version="3.3", manifest={})
