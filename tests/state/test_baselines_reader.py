"""The baselines reader against the local StackSets emulator: what it reads, what it ignores,
how it normalises templates, and what it costs."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.live_baselines import (
    MANAGED_TAG,
    LiveBaselines,
    LiveStackInstance,
    LiveStackSet,
    StackSetOperation,
    canonical_template,
)
from vending.model.loader import load
from vending.plan.changes import Plan
from vending.state import baselines as reader_module
from vending.state.baselines import StackSetsReader
from tests.state.small_repo import SMALL_REPO, write

REGION = "us-east-1"
OTHER = "eu-west-1"
PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
AUTO = {"Enabled": True, "RetainStacksOnAccountRemoval": False}
TAG = [{"Key": MANAGED_TAG[0], "Value": MANAGED_TAG[1]}]
YAML_TEMPLATE = """\
# The account's marker parameter.
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/baseline/${Env}"
      Type: String
      Value: !Ref Env
Outputs:
  Arn:
    Value: !GetAtt Marker.Type
"""
JSON_TEMPLATE = json.dumps({
    "Outputs": {"Arn": {"Value": {"Fn::GetAtt": "Marker.Type"}}},
    "Resources": {"Marker": {"Properties": {"Value": {"Ref": "Env"}, "Type": "String",
                                            "Name": {"Fn::Sub": "/baseline/${Env}"}},
                             "Type": "AWS::SSM::Parameter"}},
    "Parameters": {"Env": {"Default": "dev", "Type": "String"}},
}, indent=4)
CANONICAL = ('{"Outputs":{"Arn":{"Value":{"Fn::GetAtt":["Marker","Type"]}}},'
             '"Parameters":{"Env":{"Default":"dev","Type":"String"}},'
             '"Resources":{"Marker":{"Properties":{"Name":{"Fn::Sub":"/baseline/${Env}"},'
             '"Type":"String","Value":{"Ref":"Env"}},"Type":"AWS::SSM::Parameter"}}}')


def settle(cfn: Any, name: str, operation_id: str) -> str:
    for _ in range(20):
        status = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)[
            "StackSetOperation"]["Status"]
        if status not in ("RUNNING", "QUEUED"):
            return status
    raise AssertionError(f"operation {operation_id} of {name} never ended")


def make_set(cfn: Any, name: str, *, tags: list[dict[str, str]] = TAG, **extra: Any) -> dict[str, str]:
    params = {"StackSetName": name, "TemplateBody": JSON_TEMPLATE, "PermissionModel": "SERVICE_MANAGED",
              "AutoDeployment": AUTO, "Tags": tags, **extra}
    set_id = cfn.create_stack_set(**{k: v for k, v in params.items() if v is not None})["StackSetId"]
    return {"id": set_id, "arn": f"arn:aws:cloudformation:{REGION}:123456789012:stackset/{set_id}"}


def reader(local: LocalAws, counter: CallCounter | None = None) -> StackSetsReader:
    clients = AwsClients(local.session(), observers=(counter,) if counter else ())
    return StackSetsReader(clients.reader().client("cloudformation", REGION), REGION)


@pytest.fixture
def local(tmp_path: Path) -> Any:
    with LocalAws(tmp_path / "aws") as aws:
        yield aws


@pytest.fixture
def org(local: LocalAws) -> Any:
    client = local.session().client("organizations")
    client.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    return client


@pytest.fixture
def security(org: Any) -> dict[str, Any]:
    """The seeded Security OU and its two accounts (Log Archive, Audit), sorted by id."""
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"][0]
    accounts = sorted(a["Id"] for a in org.list_accounts_for_parent(ParentId=ou["Id"])["Accounts"])
    return {"ou": ou["Id"], "accounts": accounts}


@pytest.fixture
def world(local: LocalAws, org: Any, security: dict[str, Any]) -> dict[str, Any]:
    """vend-vpc (vend's, YAML template, 4 instances: one failed, one drifted) and four stack
    sets the reader must not take for vend's."""
    cfn = local.session().client("cloudformation", region_name=REGION)
    first, second = security["accounts"]
    vpc = make_set(cfn, "vend-vpc", TemplateBody=YAML_TEMPLATE, Description="The account's VPC.",
                   Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}],
                   Capabilities=["CAPABILITY_IAM"],
                   Tags=[{"Key": "team", "Value": "platform"}, *TAG])
    local.faults.stack_instance(second, OTHER, "Resource limit exceeded", stack_set_name="vend-vpc")
    created = cfn.create_stack_instances(
        StackSetName="vend-vpc", Regions=[REGION, OTHER],
        DeploymentTargets={"OrganizationalUnitIds": [security["ou"]]},
        OperationPreferences={"FailureToleranceCount": 1})["OperationId"]
    assert settle(cfn, "vend-vpc", created) == "SUCCEEDED"
    local.faults.drift(first, REGION, stack_set_name="vend-vpc")
    detected = cfn.detect_stack_set_drift(StackSetName="vend-vpc")["OperationId"]
    settle(cfn, "vend-vpc", detected)
    make_set(cfn, "vend-legacy", tags=[])                              # someone else's vend- name
    make_set(cfn, "platform-logging")                                  # vend's tag, not vend's name
    make_set(cfn, "vend-self", PermissionModel="SELF_MANAGED", AutoDeployment=None)
    make_set(cfn, "vend-old")
    cfn.delete_stack_set(StackSetName="vend-old")                      # DELETED: not listed
    return {"cfn": cfn, "vpc": vpc, "first": first, "second": second, "ou": security["ou"], "drift": detected,
            "created": created}


def test_reads_exactly_vends_stack_sets_normalised(local: LocalAws, world: dict[str, Any]) -> None:
    first, second, ou = world["first"], world["second"], world["ou"]
    last = world["drift"]  # LastOperationId: drift detection, except on the failed instance it skipped
    done = {"status": "CURRENT", "detailed_status": "SUCCEEDED", "ou_id": ou, "last_operation_id": last}
    assert reader(local).read() == LiveBaselines(
        region=REGION,
        trusted_access=True,
        stack_sets={"vpc": LiveStackSet(
            baseline="vpc", name="vend-vpc", id=world["vpc"]["id"], arn=world["vpc"]["arn"],
            description="The account's VPC.", template=CANONICAL, parameters={"Env": "prod"},
            capabilities=("CAPABILITY_IAM",), tags={"team": "platform", "vend:managed-by": "vend"},
            ou_ids=(ou,), regions=(OTHER, REGION), auto_deployment=True,
            retain_stacks_on_account_removal=False, managed_execution=False, drift_status="DRIFTED",
            instances=(
                LiveStackInstance(first, OTHER, drift_status="IN_SYNC", **done),
                LiveStackInstance(first, REGION, drift_status="DRIFTED", **done),
                LiveStackInstance(second, OTHER, "OUTDATED", "FAILED", "NOT_CHECKED", ou,
                                  "Resource limit exceeded", world["created"]),
                LiveStackInstance(second, REGION, drift_status="IN_SYNC", **done),
            ),
        )},
        foreign=("vend-legacy", "vend-self"),
    )


def test_instances_come_in_pages_never_one_call_per_account(
        local: LocalAws, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CallCounter()
    sizes: list[int] = []
    client = reader(local, counter).client
    client.meta.events.register("provide-client-params.cloudformation.ListStackInstances",
                                lambda params, **_: sizes.append(params["MaxResults"]))
    live = StackSetsReader(client, REGION).read()
    assert len(live.stack_sets["vpc"].instances) == 4
    assert sizes == [100]
    # One DescribeStackSet per vend- candidate (tags are not in ListStackSets); instances and
    # operations only for vend's own stack set; nothing per account or per instance.
    assert dict(counter.counts) == {"DescribeOrganizationsAccess": 1, "ListStackSets": 1,
                                    "DescribeStackSet": 2, "ListStackInstances": 1,
                                    "ListStackSetOperations": 1}
    monkeypatch.setattr(reader_module, "PAGE_SIZE", 3)
    counter.counts.clear()
    assert StackSetsReader(client, REGION).read() == live
    assert counter.counts["ListStackInstances"] == 2   # 4 instances, 3 a page
    assert counter.counts["ListStackSets"] == 2        # 4 active stack sets
    assert "DescribeStackInstance" not in counter.counts


def test_operations_in_progress_and_trusted_access(tmp_path: Path) -> None:
    with LocalAws(tmp_path, stack_set_polls=50) as local:
        cfn = local.session().client("cloudformation", region_name=REGION)
        assert reader(local).read() == LiveBaselines(region=REGION, trusted_access=False)
        cfn.activate_organizations_access()
        make_set(cfn, "vend-audit", ManagedExecution={"Active": True})
        ou = local.session().client("organizations").list_roots()["Roots"][0]["Id"]
        running = cfn.create_stack_instances(StackSetName="vend-audit", Regions=[REGION],
                                             DeploymentTargets={"OrganizationalUnitIds": [ou]})["OperationId"]
        queued = cfn.update_stack_set(StackSetName="vend-audit", UsePreviousTemplate=True,
                                      Description="second")["OperationId"]
        live = reader(local).read()
    assert live.trusted_access is True
    audit = live.stack_sets["audit"]
    assert audit.managed_execution is True
    assert audit.operations == tuple(sorted((StackSetOperation(running, "CREATE", "RUNNING"),
                                             StackSetOperation(queued, "UPDATE", "QUEUED")), key=lambda o: o.id))
    assert audit.busy()


def test_yaml_and_json_templates_normalise_equal(local: LocalAws, org: Any) -> None:
    assert canonical_template(YAML_TEMPLATE) == canonical_template(JSON_TEMPLATE) == CANONICAL
    assert canonical_template(YAML_TEMPLATE.replace("Value: !Ref Env", "Value: Env")) != CANONICAL
    assert canonical_template("Resources: [unclosed\n") == "Resources: [unclosed"
    cfn = local.session().client("cloudformation", region_name=REGION)
    make_set(cfn, "vend-as-yaml", TemplateBody=YAML_TEMPLATE)
    make_set(cfn, "vend-as-json", TemplateBody=JSON_TEMPLATE)
    sets = reader(local).read().stack_sets
    assert sets["as-yaml"].template == sets["as-json"].template == CANONICAL


BASELINE = {
    "ous/Security/ou.yaml": "baselines: [audit]\n",
    "baselines/audit/baseline.yaml": "description: Audit marker.\n",
    "baselines/audit/template.yaml": YAML_TEMPLATE,
}


CLOUDFORMATION_READS = {"DescribeOrganizationsAccess", "ListStackSets", "DescribeStackSet",
                        "ListStackInstances", "ListStackSetOperations", "DescribeStackInstance"}


def test_a_repo_without_baselines_makes_no_cloudformation_call(local: LocalAws, tmp_path: Path) -> None:
    desired = load(write(tmp_path / "repo", SMALL_REPO))
    assert desired.baselines == {}
    counter = CallCounter()
    plan, live = engine.plan(desired, AwsClients(local.session(), observers=(counter,)), git_commit=None, target="local")
    assert live.baselines is None and plan.baselines_read is False
    assert counter.total > 0 and not set(counter.counts) & CLOUDFORMATION_READS


def test_a_repo_with_baselines_reads_them_at_plan_and_again_at_apply(
        local: LocalAws, org: Any, tmp_path: Path) -> None:
    desired = load(write(tmp_path / "repo", {**SMALL_REPO, **BASELINE}))
    cfn = local.session().client("cloudformation", region_name=REGION)
    make_set(cfn, "vend-audit")
    counter = CallCounter()
    clients = AwsClients(local.session(), observers=(counter,))
    plan, live = engine.plan(desired, clients, git_commit=None, target="local")
    assert live.baselines is not None and set(live.baselines.stack_sets) == {"audit"}
    assert counter.counts["ListStackSets"] == 1
    saved = Plan.loads(plan.dumps())
    assert saved.baselines_read is True and saved.to_json()["read_scope"]["baselines"] is True
    counter.counts.clear()
    # A saved plan is checked against a fresh read of the same scope: StackSets included.
    ctx = engine.prepare_apply(saved, clients, desired.settings, allow_destroy=False, polling=INSTANT)
    assert ctx.live.baselines == live.baselines
    assert counter.counts["ListStackSets"] == 1


def test_the_fingerprint_covers_the_stack_sets(local: LocalAws, world: dict[str, Any], tmp_path: Path) -> None:
    """A plan goes stale when a stack set or an instance changes, as for the organization."""
    settings = load(write(tmp_path / "repo", SMALL_REPO)).settings
    live = engine.read_live(AwsClients(local.session()), settings, baselines=True)
    again = engine.read_live(AwsClients(local.session()), settings, baselines=True)
    assert live.fingerprint() == again.fingerprint()
    local.faults.stack_instance(world["first"], REGION, "Rate exceeded", stack_set_name="vend-vpc")
    updated = world["cfn"].update_stack_set(StackSetName="vend-vpc", UsePreviousTemplate=True,
                                            Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}],
                                            Capabilities=["CAPABILITY_IAM"])["OperationId"]
    settle(world["cfn"], "vend-vpc", updated)
    changed = engine.read_live(AwsClients(local.session()), settings, baselines=True)
    assert changed.baselines is not None
    assert changed.baselines.stack_sets["vpc"].instances[1].detailed_status == "FAILED"
    assert changed.fingerprint() != live.fingerprint()
    assert replace(live, baselines=None).fingerprint() != live.fingerprint()
