"""Auto-deployment details vend's baselines rely on: AutoDeployment.DependsOn orders the
operations of stack sets, and deleting some accounts' instances keeps the OU a target."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.local.stacksets_support import (  # noqa: F401 (fixtures)
    AUTO,
    REGION,
    TEMPLATE,
    cfn,
    instances,
    make_set,
    settle,
    settle_all,
    tree,
)


def _deploy(cfn: Any, name: str, ou: str) -> None:
    started = cfn.create_stack_instances(StackSetName=name, Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [ou]})
    assert settle(cfn, name, started["OperationId"])["Status"] == "SUCCEEDED"


def test_depends_on_runs_the_dependency_first(cfn: Any, org: Any, tree: dict[str, str],
                                              new_account: Callable[..., str]) -> None:
    bucket_arn = cfn.describe_stack_set(StackSetName=make_set(cfn, "bucket"))["StackSet"]["StackSetARN"]
    make_set(cfn, "vpc", AutoDeployment={**AUTO, "DependsOn": [bucket_arn]},
             TemplateBody=TEMPLATE.replace("/baseline/env", "/vpc/env"))
    assert cfn.describe_stack_set(StackSetName="vpc")["StackSet"]["AutoDeployment"]["DependsOn"] == [bucket_arn]
    for name in ("bucket", "vpc"):
        _deploy(cfn, name, tree["workloads"])
    newcomer = new_account("newcomer")
    org.move_account(AccountId=newcomer, SourceParentId=tree["root"], DestinationParentId=tree["prod"])
    vpc_ops = settle_all(cfn, "vpc")  # polls only vpc: the bucket's operation must move on too
    bucket_ops = cfn.list_stack_set_operations(StackSetName="bucket")["Summaries"]
    assert [(o["Action"], o["Status"]) for o in bucket_ops] == [("CREATE", "SUCCEEDED")] * 2
    assert [(o["Action"], o["Status"]) for o in vpc_ops] == [("CREATE", "SUCCEEDED")] * 2
    assert bucket_ops[-1]["EndTimestamp"] <= vpc_ops[-1]["EndTimestamp"]
    assert instances(cfn, "vpc")[newcomer]["Status"] == "CURRENT"


def test_deleting_some_accounts_keeps_the_ou_a_target(cfn: Any, org: Any, tree: dict[str, str],
                                                      new_account: Callable[..., str]) -> None:
    make_set(cfn)
    _deploy(cfn, "baseline", tree["workloads"])
    removed = cfn.delete_stack_instances(
        StackSetName="baseline", Regions=[REGION], RetainStacks=False,
        DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]], "Accounts": [tree["p1"]],
                           "AccountFilterType": "INTERSECTION"})
    assert settle(cfn, "baseline", removed["OperationId"])["Status"] == "SUCCEEDED"
    assert set(instances(cfn, "baseline")) == {tree["w1"], tree["pay1"]}
    assert cfn.describe_stack_set(StackSetName="baseline")["StackSet"]["OrganizationalUnitIds"] == [tree["workloads"]]
    newcomer = new_account("newcomer")
    org.move_account(AccountId=newcomer, SourceParentId=tree["root"], DestinationParentId=tree["payments"])
    settle_all(cfn, "baseline")
    assert set(instances(cfn, "baseline")) == {tree["w1"], tree["pay1"], newcomer}
    whole = cfn.delete_stack_instances(StackSetName="baseline", Regions=[REGION], RetainStacks=False,
                                       DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]]})
    assert settle(cfn, "baseline", whole["OperationId"])["Status"] == "SUCCEEDED"
    assert cfn.describe_stack_set(StackSetName="baseline")["StackSet"].get("OrganizationalUnitIds", []) == []
