"""The StackSets emulator over time: auto-deployment as accounts move, updates reaching member
stacks, per-instance overrides, failures and drift, persistence, the server."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from tests.local.stacksets_support import (  # noqa: F401 (fixtures)
    AUTO,
    PRINCIPAL,
    REGION,
    cfn,
    instances,
    make_set,
    member_client,
    member_stacks,
    settle,
    settle_all,
    tree,
)
from vending.local import LocalAws, LocalServer


def _deploy(cfn: Any, ou: str, **extra: Any) -> str:
    started = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [ou]},
                                         **extra)
    assert settle(cfn, "baseline", started["OperationId"])["Status"] == "SUCCEEDED"
    return started["OperationId"]


def test_auto_deployment_follows_accounts_into_and_out_of_the_subtree(
        cfn: Any, org: Any, tree: dict[str, str], new_account: Callable[..., str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["workloads"])
    # created in the root (as the local CreateAccount does), then moved into a grandchild OU
    newcomer = new_account("newcomer")
    assert newcomer not in instances(cfn, "baseline")
    org.move_account(AccountId=newcomer, SourceParentId=tree["root"],
                     DestinationParentId=tree["payments"])
    operations = settle_all(cfn, "baseline")
    assert [o["Action"] for o in operations] == ["CREATE", "CREATE"]
    assert operations[-1]["Status"] == "SUCCEEDED"
    found = instances(cfn, "baseline")
    assert found[newcomer]["Status"] == "CURRENT"
    assert found[newcomer]["OrganizationalUnitId"] == tree["workloads"]
    assert list(member_stacks(newcomer).values()) == [{"Env": "dev", "Owner": "platform"}]
    # moved out of the targeted subtree: instance and stack deleted
    org.move_account(AccountId=tree["p1"], SourceParentId=tree["prod"],
                     DestinationParentId=tree["root"])
    operations = settle_all(cfn, "baseline")
    assert operations[-1]["Action"] == "DELETE" and operations[-1]["Status"] == "SUCCEEDED"
    assert tree["p1"] not in instances(cfn, "baseline")
    assert member_stacks(tree["p1"]) == {}


def test_retain_stacks_on_account_removal(cfn: Any, org: Any, tree: dict[str, str]) -> None:
    make_set(cfn, AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": True})
    _deploy(cfn, tree["prod"])
    kept = member_stacks(tree["pay1"])
    org.move_account(AccountId=tree["pay1"], SourceParentId=tree["payments"],
                     DestinationParentId=tree["root"])
    last = settle_all(cfn, "baseline")[-1]
    assert last["Action"] == "DELETE"
    detail = cfn.describe_stack_set_operation(StackSetName="baseline",
                                              OperationId=last["OperationId"])
    assert detail["StackSetOperation"]["RetainStacks"] is True
    assert tree["pay1"] not in instances(cfn, "baseline")
    assert member_stacks(tree["pay1"]) == kept and kept  # the stack stays in the account


def test_auto_deployment_disabled_deploys_nothing_new(cfn: Any, org: Any,
                                                      tree: dict[str, str]) -> None:
    make_set(cfn, AutoDeployment={"Enabled": False})
    _deploy(cfn, tree["prod"])
    org.move_account(AccountId=tree["w1"], SourceParentId=tree["workloads"],
                     DestinationParentId=tree["prod"])
    assert len(settle_all(cfn, "baseline")) == 1
    assert set(instances(cfn, "baseline")) == {tree["p1"], tree["pay1"]}


def test_account_factory_vends_into_a_targeted_ou(
        ct_local: LocalAws, ct_org: Any, register_ou: Callable[..., dict[str, Any]],
        provision: Callable[..., str], wait_record: Callable[[str], dict[str, Any]]) -> None:
    ct_org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    client = ct_local.session().client("cloudformation")
    sandbox = register_ou("Sandbox")
    make_set(client)
    _deploy(client, sandbox["Id"])
    record = wait_record(provision("Vended", "Sandbox"))
    assert record["RecordDetail"]["Status"] == "SUCCEEDED"
    account_id = next(o["OutputValue"] for o in record["RecordOutputs"]
                      if o["OutputKey"] == "AccountId")
    settle_all(client, "baseline")
    assert instances(client, "baseline")[account_id]["Status"] == "CURRENT"
    assert len(member_stacks(account_id)) == 1


def test_update_propagates_and_overrides_stay(cfn: Any, org: Any, tree: dict[str, str],
                                              aws_error: Any) -> None:
    make_set(cfn)
    _deploy(cfn, tree["workloads"])
    pinned = cfn.update_stack_instances(
        StackSetName="baseline", Regions=[REGION], ParameterOverrides=[
            {"ParameterKey": "Owner", "ParameterValue": "payments-team"}],
        DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]],
                           "Accounts": [tree["pay1"]], "AccountFilterType": "INTERSECTION"})
    settle(cfn, "baseline", pinned["OperationId"])
    updated = cfn.update_stack_set(StackSetName="baseline", UsePreviousTemplate=True,
                                   Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])
    marked = instances(cfn, "baseline")
    assert {i["Status"] for i in marked.values()} == {"OUTDATED"}
    assert settle(cfn, "baseline", updated["OperationId"])["Status"] == "SUCCEEDED"
    assert list(member_stacks(tree["w1"]).values()) == [{"Env": "prod", "Owner": "platform"}]
    assert list(member_stacks(tree["pay1"]).values()) == [{"Env": "prod",
                                                           "Owner": "payments-team"}]
    described = cfn.describe_stack_instance(StackSetName="baseline",
                                            StackInstanceAccount=tree["pay1"],
                                            StackInstanceRegion=REGION)["StackInstance"]
    assert described["ParameterOverrides"] == [{"ParameterKey": "Owner",
                                                "ParameterValue": "payments-team"}]
    assert described["Status"] == "CURRENT"
    # an account added later gets the stack set's own values, never the override
    org.move_account(AccountId=tree["loose"], SourceParentId=tree["root"],
                     DestinationParentId=tree["payments"])
    settle_all(cfn, "baseline")
    assert list(member_stacks(tree["loose"]).values()) == [{"Env": "prod", "Owner": "platform"}]
    # overrides only for existing instances, only for declared parameters
    aws_error("StackInstanceNotFoundException", cfn.update_stack_instances,
              StackSetName="baseline", Regions=["eu-west-1"],
              DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]],
                                 "Accounts": [tree["pay1"]], "AccountFilterType": "INTERSECTION"})
    aws_error("ValidationError", cfn.update_stack_instances, StackSetName="baseline",
              Regions=[REGION], ParameterOverrides=[{"ParameterKey": "Nope",
                                                     "ParameterValue": "x"}],
              DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]]})


def test_update_limited_to_targets_and_regions(cfn: Any, tree: dict[str, str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["workloads"])
    updated = cfn.update_stack_set(
        StackSetName="baseline", UsePreviousTemplate=True, Regions=[REGION],
        Parameters=[{"ParameterKey": "Env", "ParameterValue": "qa"}],
        DeploymentTargets={"OrganizationalUnitIds": [tree["payments"]]})
    settle(cfn, "baseline", updated["OperationId"])
    found = instances(cfn, "baseline")
    assert found[tree["pay1"]]["Status"] == "CURRENT"
    assert found[tree["w1"]]["Status"] == "OUTDATED"  # not in scope: still the old values
    assert list(member_stacks(tree["w1"]).values()) == [{"Env": "dev", "Owner": "platform"}]
    assert list(member_stacks(tree["pay1"]).values()) == [{"Env": "qa", "Owner": "platform"}]


def test_failed_instance_reports_its_reason(local: LocalAws, cfn: Any,
                                            tree: dict[str, str]) -> None:
    make_set(cfn)
    local.faults.stack_instance(tree["p1"], REGION, "Resource handler returned message: denied")
    started = cfn.create_stack_instances(
        StackSetName="baseline", Regions=[REGION],
        DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]},
        OperationPreferences={"FailureToleranceCount": 0})
    done = settle(cfn, "baseline", started["OperationId"])
    assert done["Status"] == "FAILED"
    assert done["StatusDetails"]["FailedStackInstancesCount"] == 1
    results = cfn.list_stack_set_operation_results(
        StackSetName="baseline", OperationId=started["OperationId"],
        Filters=[{"Name": "OPERATION_RESULT_STATUS", "Values": "FAILED"}])["Summaries"]
    assert [(r["Account"], r["Status"], r["StatusReason"]) for r in results] == [
        (tree["p1"], "FAILED", "Resource handler returned message: denied")]
    assert results[0]["AccountGateResult"]["Status"] == "SKIPPED"
    failed = instances(cfn, "baseline", Filters=[{"Name": "DETAILED_STATUS",
                                                  "Values": "FAILED"}])
    assert list(failed) == [tree["p1"]]
    assert failed[tree["p1"]]["Status"] == "OUTDATED"
    assert member_stacks(tree["p1"]) == {}
    retried = cfn.create_stack_instances(
        StackSetName="baseline", Regions=[REGION],
        DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]})
    assert settle(cfn, "baseline", retried["OperationId"])["Status"] == "SUCCEEDED"
    assert instances(cfn, "baseline")[tree["p1"]]["Status"] == "CURRENT"


def test_drift_detection(local: LocalAws, cfn: Any, tree: dict[str, str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["prod"])
    local.faults.drift(tree["pay1"], REGION)
    started = cfn.detect_stack_set_drift(StackSetName="baseline")
    assert settle(cfn, "baseline", started["OperationId"])["Action"] == "DETECT_DRIFT"
    drift = {a: i["DriftStatus"] for a, i in instances(cfn, "baseline").items()}
    assert drift == {tree["p1"]: "IN_SYNC", tree["pay1"]: "DRIFTED"}
    details = cfn.describe_stack_set(StackSetName="baseline")["StackSet"][
        "StackSetDriftDetectionDetails"]
    assert (details["DriftStatus"], details["DriftedStackInstancesCount"]) == ("DRIFTED", 1)
    assert list(instances(cfn, "baseline", Filters=[{"Name": "DRIFT_STATUS",
                                                     "Values": "DRIFTED"}])) == [tree["pay1"]]


def test_delete_instances_and_the_stack_set(cfn: Any, tree: dict[str, str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["prod"])
    removed = cfn.delete_stack_instances(
        StackSetName="baseline", Regions=[REGION], RetainStacks=False,
        DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]})
    assert settle(cfn, "baseline", removed["OperationId"])["Status"] == "SUCCEEDED"
    assert instances(cfn, "baseline") == {}
    assert member_stacks(tree["pay1"]) == {}
    assert cfn.list_stack_set_auto_deployment_targets(StackSetName="baseline")["Summaries"] == []
    cfn.delete_stack_set(StackSetName="baseline")
    assert cfn.list_stack_sets(Status="ACTIVE")["Summaries"] == []


def test_state_persists_across_processes(tmp_path: Any) -> None:
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
        client = aws.session().client("cloudformation")
        make_set(client)
        root = org.list_roots()["Roots"][0]["Id"]
        started = client.create_stack_instances(
            StackSetName="baseline", Regions=[REGION],
            DeploymentTargets={"OrganizationalUnitIds": [root]})
        client.describe_stack_set_operation(StackSetName="baseline",
                                            OperationId=started["OperationId"])
    with LocalAws(tmp_path) as aws:  # the operation was still RUNNING when saved
        client = aws.session().client("cloudformation")
        assert settle(client, "baseline", started["OperationId"])["Status"] == "SUCCEEDED"
        before = instances(client, "baseline")
        assert len(before) == 2
    with LocalAws(tmp_path) as aws:
        client = aws.session().client("cloudformation")
        assert instances(client, "baseline") == before
        assert client.describe_stack_set(StackSetName="baseline")["StackSet"][
            "AutoDeployment"] == AUTO
        for account_id, instance in before.items():  # member stacks re-created, same ids
            stacks = member_client("cloudformation", account_id).describe_stacks()["Stacks"]
            assert [s["StackId"] for s in stacks] == [instance["StackId"]]


def test_served_over_http(tmp_path: Any) -> None:
    with LocalServer(tmp_path, port=0) as server:
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name=REGION)
        org = session.client("organizations", endpoint_url=server.url)
        org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
        client = session.client("cloudformation", endpoint_url=server.url)
        make_set(client)
        root = org.list_roots()["Roots"][0]["Id"]
        started = client.create_stack_instances(
            StackSetName="baseline", Regions=[REGION],
            DeploymentTargets={"OrganizationalUnitIds": [root]})
        assert settle(client, "baseline", started["OperationId"])["Status"] == "SUCCEEDED"
        account_id = next(iter(instances(client, "baseline")))
        member = session.client("cloudformation", endpoint_url=server.url)
        member.meta.events.register(
            "before-sign", lambda request, **_: request.headers.__setitem__(
                "x-moto-account-id", account_id))
        names = [s["StackName"] for s in member.describe_stacks()["Stacks"]]
        assert len(names) == 1 and names[0].startswith("StackSet-baseline-")


def test_managed_execution_queues_instead_of_refusing(cfn: Any, tree: dict[str, str]) -> None:
    make_set(cfn, ManagedExecution={"Active": True})
    first = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                       DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]})
    second = cfn.update_stack_set(StackSetName="baseline", UsePreviousTemplate=True,
                                  Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])
    statuses = {o["OperationId"]: o["Status"]
                for o in cfn.list_stack_set_operations(StackSetName="baseline")["Summaries"]}
    assert statuses == {first["OperationId"]: "RUNNING", second["OperationId"]: "QUEUED"}
    assert [o["Status"] for o in settle_all(cfn, "baseline")] == ["SUCCEEDED", "SUCCEEDED"]
    assert list(member_stacks(tree["pay1"]).values()) == [{"Env": "prod", "Owner": "platform"}]


def test_suspended_accounts_are_skipped(cfn: Any, org: Any, tree: dict[str, str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["prod"])
    org.close_account(AccountId=tree["p1"])
    for _ in range(3):
        org.describe_account(AccountId=tree["p1"])
    updated = cfn.update_stack_set(StackSetName="baseline", UsePreviousTemplate=True,
                                   Parameters=[{"ParameterKey": "Env", "ParameterValue": "qa"}])
    assert settle(cfn, "baseline", updated["OperationId"])["Status"] == "SUCCEEDED"
    skipped = instances(cfn, "baseline")[tree["p1"]]
    assert skipped["StackInstanceStatus"] == {"DetailedStatus": "SKIPPED_SUSPENDED_ACCOUNT"}
    assert skipped["Status"] == "OUTDATED"
    assert skipped["StatusReason"].startswith("This account is suspended.")
    assert list(member_stacks(tree["p1"]).values()) == [{"Env": "dev", "Owner": "platform"}]


def test_failure_past_tolerance_cancels_later_regions(local: LocalAws, cfn: Any,
                                                      tree: dict[str, str]) -> None:
    make_set(cfn)
    local.faults.stack_instance(tree["p1"], "eu-west-1", "throttled")
    started = cfn.create_stack_instances(
        StackSetName="baseline", Regions=["eu-west-1", REGION],
        DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]},
        OperationPreferences={"RegionOrder": ["eu-west-1", REGION]})
    assert settle(cfn, "baseline", started["OperationId"])["Status"] == "FAILED"
    results = cfn.list_stack_set_operation_results(StackSetName="baseline",
                                                   OperationId=started["OperationId"])
    status = {(r["Account"], r["Region"]): r["Status"] for r in results["Summaries"]}
    assert status == {(tree["p1"], "eu-west-1"): "FAILED",
                      (tree["pay1"], "eu-west-1"): "SUCCEEDED",
                      (tree["p1"], REGION): "CANCELLED", (tree["pay1"], REGION): "CANCELLED"}
    assert member_stacks(tree["pay1"]) == {}  # us-east-1 never ran
    assert len(member_stacks(tree["pay1"], "eu-west-1")) == 1


def test_moving_between_targeted_ous_follows_their_regions(
        cfn: Any, org: Any, tree: dict[str, str], make_ou: Callable[[str, str], str]) -> None:
    make_set(cfn)
    _deploy(cfn, tree["prod"])
    dev = make_ou(tree["root"], "Dev")
    started = cfn.create_stack_instances(StackSetName="baseline", Regions=["eu-west-1"],
                                         DeploymentTargets={"OrganizationalUnitIds": [dev]})
    settle(cfn, "baseline", started["OperationId"])
    org.move_account(AccountId=tree["p1"], SourceParentId=tree["prod"], DestinationParentId=dev)
    settle_all(cfn, "baseline")
    placed = {(i["Region"], i["OrganizationalUnitId"])
              for i in cfn.list_stack_instances(StackSetName="baseline",
                                                StackInstanceAccount=tree["p1"])["Summaries"]}
    assert placed == {("eu-west-1", dev)}
    assert member_stacks(tree["p1"]) == {}
    assert len(member_stacks(tree["p1"], "eu-west-1")) == 1
