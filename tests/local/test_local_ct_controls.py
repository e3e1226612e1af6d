"""Control Tower controls in the local emulator (controltower/controls.py).

Sources: the controltower API reference (EnableControl, DisableControl, ListEnabledControls,
GetEnabledControl, GetControlOperation), aws-facts 1.4 (100 concurrent control operations) and
1.7 (control ARN forms); "Organizational unit ... is not registered with AWS Control Tower."
(ResourceNotFoundException, aws-solutions/aws-control-tower-customizations issue #167).
"""
from __future__ import annotations

import re

from botocore.config import Config
from botocore.retries.standard import ExponentialBackoff

CONTROL = ("arn:aws:controltower:us-east-1::control/"
           "AWS-GR_AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED")
GLOBAL = "arn:aws:controlcatalog:::control/5ewkqjvnfctpfsqp3flqlylqw"


def _security(ct_org):
    root_id = ct_org.list_roots()["Roots"][0]["Id"]
    return next(o for o in ct_org.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"] if o["Name"] == "Security")


def _finish(ct, op_id):
    for _ in range(5):
        op = ct.get_control_operation(operationIdentifier=op_id)["controlOperation"]
        if op["status"] != "IN_PROGRESS":
            return op
    raise AssertionError(op_id)


def test_enable_list_get_disable(ct, ct_org):
    security = _security(ct_org)
    started = ct.enable_control(controlIdentifier=CONTROL, targetIdentifier=security["Arn"])
    assert re.fullmatch(r"arn:aws:controltower:us-east-1:123456789012:enabledcontrol/[A-Z0-9]{16}",
                        started["arn"])
    op = _finish(ct, started["operationIdentifier"])
    assert (op["status"], op["operationType"], op["enabledControlIdentifier"]) == \
        ("SUCCEEDED", "ENABLE_CONTROL", started["arn"])
    ct.enable_control(controlIdentifier=GLOBAL, targetIdentifier=security["Arn"])
    listed = ct.list_enabled_controls(targetIdentifier=security["Arn"])["enabledControls"]
    assert [c["controlIdentifier"] for c in listed] == [CONTROL, GLOBAL]  # the form given
    details = ct.get_enabled_control(enabledControlIdentifier=started["arn"])[
        "enabledControlDetails"]
    assert details["statusSummary"]["status"] == "SUCCEEDED"
    off = ct.disable_control(controlIdentifier=CONTROL, targetIdentifier=security["Arn"])
    assert _finish(ct, off["operationIdentifier"])["operationType"] == "DISABLE_CONTROL"
    remaining = ct.list_enabled_controls(targetIdentifier=security["Arn"],
                                         filter={"controlIdentifiers": [CONTROL]})
    assert remaining["enabledControls"] == []


def test_errors(ct, ct_org, aws_error):
    security = _security(ct_org)
    ct.enable_control(controlIdentifier=CONTROL, targetIdentifier=security["Arn"])
    assert "already enabled" in aws_error(
        "ValidationException", ct.enable_control, controlIdentifier=CONTROL,
        targetIdentifier=security["Arn"])["Error"]["Message"]
    aws_error("ValidationException", ct.enable_control,
              controlIdentifier="arn:aws:controltower:us-east-1::guardrail/X",
              targetIdentifier=security["Arn"])
    root_id = ct_org.list_roots()["Roots"][0]["Id"]
    loose = ct_org.create_organizational_unit(ParentId=root_id, Name="Loose")["OrganizationalUnit"]
    message = aws_error("ResourceNotFoundException", ct.enable_control, controlIdentifier=CONTROL,
                        targetIdentifier=loose["Arn"])["Error"]["Message"]
    assert message == f"Organizational unit {loose['Id']} is not registered with AWS Control Tower."
    aws_error("ResourceNotFoundException", ct.disable_control,
              enabledControlIdentifier="arn:aws:controltower:us-east-1:123456789012:"
                                       "enabledcontrol/AAAAAAAAAAAAAAAA")


def test_hundred_control_operations_at_most(ct, ct_org, aws_error):
    """aws-facts 1.4: up to 100 control operations in progress; the 101st is refused (402)."""
    security = _security(ct_org)["Arn"]
    for n in range(100):
        ct.enable_control(controlIdentifier=f"{CONTROL}_{n}", targetIdentifier=security)
    response = aws_error("ServiceQuotaExceededException", ct.enable_control,
                         controlIdentifier=f"{CONTROL}_X", targetIdentifier=security)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 402
    ct.list_enabled_controls(targetIdentifier=security)  # a status read of all 100
    ct.list_enabled_controls(targetIdentifier=security)
    ct.enable_control(controlIdentifier=f"{CONTROL}_X", targetIdentifier=security)


def test_throttling_is_retried(ct_local, ct, monkeypatch):
    """faults.throttle on controltower answers its modelled ThrottlingException (HTTP 429,
    retryable), which botocore's standard mode retries (aws-facts 8.1)."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    client = ct_local.session().client(
        "controltower", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    ct_local.faults.throttle("ListLandingZones", times=2, service="controltower")
    assert client.list_landing_zones()["ResponseMetadata"]["RetryAttempts"] == 2
