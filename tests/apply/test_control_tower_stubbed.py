"""Error paths of the Control Tower appliers that the emulator does not produce, with Stubber.

Stubber checks every request and response against botocore's model, so these stay honest to
the real API shapes.
"""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from tests.plan.builders import account, control_tower, desired, live, ou
from vending.apply.account_factory import apply_factory_account
from vending.apply.context import ApplyContext, Polling
from vending.apply.control_tower import apply_registration
from vending.errors import ApplyFailure, DeadlineExceeded
from vending.plan.build import diff

NO_WAIT = Polling(first_delay=0, max_delay=0, max_polls=10, sleep=lambda _: None)
OPERATION = "0123456789abcdef0123456789abcdef0123"


class Clients:
    def __init__(self) -> None:
        self.made = {
            name: boto3.client(name, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
            for name in ("controltower", "servicecatalog", "organizations")
        }

    def client(self, service, region):
        return self.made[service]

    def organizations(self):
        return self.made["organizations"]


def plan_changes(**kw):
    want = desired(ous=[ou("Dev")], accounts=[account("app", "Dev")], account_factory="control-tower")
    have = control_tower(live(ous=[("ou-dev1234-abcdefgh", "Dev")]), **kw)
    return {c.address: c for c in diff(want, have)[0]}, have


def test_registration_waits_out_a_conflict_then_succeeds():
    changes, have = plan_changes()
    clients = Clients()
    ctx = ApplyContext(have, clients, NO_WAIT)
    with Stubber(clients.made["controltower"]) as stub:
        stub.add_client_error("enable_baseline", "ConflictException", "another operation is in progress", 409)
        # Meanwhile vend reads the operation it waits for (which is how it sees it end).
        stub.add_response("list_enabled_baselines", {"enabledBaselines": [{
            "arn": "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XAAAAAAAAAAAAAAAA",
            "baselineIdentifier": "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2",
            "targetIdentifier": have.ou_arn("ou-other12-abcdefgh"),
            "statusSummary": {"status": "UNDER_CHANGE", "lastOperationIdentifier": "f" * 36}}]},
            {"filter": {"statuses": ["UNDER_CHANGE"]}})
        stub.add_response("get_baseline_operation", {"baselineOperation": {"operationIdentifier": "f" * 36, "status": "SUCCEEDED"}},
                          {"operationIdentifier": "f" * 36})
        stub.add_response("enable_baseline", {"operationIdentifier": OPERATION, "arn": "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/X"})
        stub.add_response("get_baseline_operation", {"baselineOperation": {"operationIdentifier": OPERATION, "status": "IN_PROGRESS"}})
        stub.add_response("get_baseline_operation", {"baselineOperation": {"operationIdentifier": OPERATION, "status": "SUCCEEDED"}})
        detail = apply_registration(changes["ou_registration:Dev"], ctx)
        stub.assert_no_pending_responses()
    assert detail == f"registered {have.ou_arn('ou-dev1234-abcdefgh')}"


def test_a_failed_baseline_operation_is_reported_with_its_message():
    changes, have = plan_changes()
    clients = Clients()
    with Stubber(clients.made["controltower"]) as stub:
        stub.add_response("enable_baseline", {"operationIdentifier": OPERATION, "arn": "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/X"})
        stub.add_response("get_baseline_operation", {"baselineOperation": {
            "operationIdentifier": OPERATION, "status": "FAILED", "statusMessage": "AWS Config is not enabled"}})
        with pytest.raises(ApplyFailure) as failure:
            apply_registration(changes["ou_registration:Dev"], ApplyContext(have, clients, NO_WAIT))
    assert str(failure.value) == f"EnableBaseline on Dev ({OPERATION}) FAILED: AWS Config is not enabled"


def test_a_failed_provisioning_record_surfaces_its_errors_verbatim():
    changes, have = plan_changes(registered=["ou-dev1234-abcdefgh"])
    clients = Clients()
    record = {"RecordId": "rec-abcdefghijklm", "Status": "CREATED"}
    failed = {"RecordId": "rec-abcdefghijklm", "Status": "FAILED", "RecordErrors": [
        {"Code": "InvalidParametersException", "Description": "The email is not valid"}]}
    with Stubber(clients.made["servicecatalog"]) as stub:
        stub.add_response("provision_product", {"RecordDetail": record})
        stub.add_response("describe_record", {"RecordDetail": failed})
        with pytest.raises(ApplyFailure) as failure:
            apply_factory_account(changes["account:app"], ApplyContext(have, clients, NO_WAIT))
    assert str(failure.value) == (
        "provisioning vend-app FAILED (record rec-abcdefghijklm): InvalidParametersException:"
        " The email is not valid"
    )


def test_provisioning_sends_every_parameter_and_a_stable_token():
    changes, have = plan_changes(registered=["ou-dev1234-abcdefgh"])
    clients = Clients()
    record = {"RecordId": "rec-abcdefghijklm", "Status": "SUCCEEDED"}
    expected = {
        "ProductId": "prod-abc", "ProvisioningArtifactId": "pa-abc", "ProvisionedProductName": "vend-app",
        "ProvisioningParameters": [
            {"Key": "AccountName", "Value": "app"}, {"Key": "AccountEmail", "Value": "aws+app@example.com"},
            {"Key": "ManagedOrganizationalUnit", "Value": "Dev (ou-dev1234-abcdefgh)"},
            {"Key": "SSOUserEmail", "Value": "aws+app@example.com"}, {"Key": "SSOUserFirstName", "Value": "Account"},
            {"Key": "SSOUserLastName", "Value": "Owner"},
        ],
        "ProvisionToken": "vend-" + __import__("hashlib").sha256(b"provision\x1faws+app@example.com").hexdigest()[:48],
    }
    with Stubber(clients.made["servicecatalog"]) as stub:
        stub.add_response("provision_product", {"RecordDetail": record}, expected)
        stub.add_response("describe_record", {"RecordDetail": record, "RecordOutputs": [
            {"OutputKey": "AccountId", "OutputValue": "444455556666"}]})
        ctx = ApplyContext(have, clients, NO_WAIT)
        assert apply_factory_account(changes["account:app"], ctx) == "vended 444455556666 in Dev through Account Factory"
    assert ctx.account_id("app") == "444455556666"


def test_a_control_operation_that_never_ends_gives_up_after_30_minutes():
    from vending.apply.control_tower import apply_control

    want = desired(ous=[ou("Dev", controls=("AWS-GR_RESTRICT_ROOT_USER",))], account_factory="control-tower")
    have = control_tower(live(ous=[("ou-dev1234-abcdefgh", "Dev")]), registered=["ou-dev1234-abcdefgh"])
    change = {c.address: c for c in diff(want, have)[0]}["control:AWS-GR_RESTRICT_ROOT_USER@Dev"]
    clients, now = Clients(), [0.0]
    polling = Polling(first_delay=60, max_delay=60, sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    with Stubber(clients.made["controltower"]) as stub:
        stub.add_response("enable_control", {"operationIdentifier": OPERATION, "arn": "arn:aws:controltower:us-east-1:111111111111:enabledcontrol/X"})
        for _ in range(30):
            stub.add_response("get_control_operation", {"controlOperation": {"operationIdentifier": OPERATION, "status": "IN_PROGRESS"}})
        with pytest.raises(DeadlineExceeded) as failure:
            apply_control(change, ApplyContext(have, clients, polling))
        stub.assert_no_pending_responses()
    assert str(failure.value) == (
        "EnableControl arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER on Dev"
        f" ({OPERATION}) still IN_PROGRESS after 30 min; it continues in AWS; rerun vend apply to pick it up"
    )


def test_account_factory_busy_terminates_the_error_product_and_provisions_again():
    changes, have = plan_changes(registered=["ou-dev1234-abcdefgh"])
    clients = Clients()
    busy = {"RecordId": "rec-aaaaaaaaaaaaa", "Status": "FAILED", "RecordErrors": [{
        "Code": "ResourceInUseException", "Description": "Account Factory cannot complete an operation on this"
        " account, because another AWS Control Tower operation is in progress. Try again later."}]}
    done = {"RecordId": "rec-ccccccccccccc", "Status": "SUCCEEDED"}
    with Stubber(clients.made["servicecatalog"]) as stub:
        stub.add_response("provision_product", {"RecordDetail": {"RecordId": "rec-aaaaaaaaaaaaa", "Status": "CREATED"}})
        stub.add_response("describe_record", {"RecordDetail": busy})
        stub.add_response("search_provisioned_products", {"ProvisionedProducts": []})
        stub.add_response("describe_provisioned_product", {"ProvisionedProductDetail": {"Id": "pp-errored12345", "Status": "ERROR"}},
                          {"Name": "vend-app"})
        stub.add_response("terminate_provisioned_product", {"RecordDetail": {"RecordId": "rec-bbbbbbbbbbbbb"}})
        stub.add_response("describe_record", {"RecordDetail": {"RecordId": "rec-bbbbbbbbbbbbb", "Status": "SUCCEEDED"}})
        stub.add_response("provision_product", {"RecordDetail": {"RecordId": "rec-ccccccccccccc", "Status": "CREATED"}})
        stub.add_response("describe_record", {"RecordDetail": done, "RecordOutputs": [
            {"OutputKey": "AccountId", "OutputValue": "444455556666"}]})
        detail = apply_factory_account(changes["account:app"], ApplyContext(have, clients, NO_WAIT))
        stub.assert_no_pending_responses()
    assert detail == "vended 444455556666 in Dev through Account Factory"
