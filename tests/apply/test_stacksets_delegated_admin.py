"""StackSets from a delegated administrator account (vend.yaml `stacksets`): the plan checks the
registration, and every StackSets call runs in that account with CallAs DELEGATED_ADMIN."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.apply.stacksets_support import (  # noqa: F401 (fixture)
    PRINCIPAL,
    REGIONS,
    SETTINGS,
    World,
    _account,
    create_set,
    instance_map,
    instances,
    update_set,
    world,
)
from vending.apply import stacksets
from vending.aws.clients import AwsClients
from vending.engine import read_live
from vending.errors import PlanError
from vending.model.types import StackSetsAdmin


def admin_settings(world: World) -> Any:
    admin = _account(world.org, "stacksets-admin")
    world.ids["admin"] = admin
    return replace(SETTINGS, stacksets=StackSetsAdmin(admin, f"arn:aws:iam::{admin}:role/VendStackSets"))


def test_an_unregistered_delegated_admin_is_a_plan_error(world: World) -> None:
    settings = admin_settings(world)
    with pytest.raises(PlanError) as refused:
        read_live(AwsClients(world.local.session()), settings, baselines=True)
    assert str(refused.value) == (
        f"vend.yaml:1: stacksets.delegated_admin: account {world.ids['admin']} is not registered as a StackSets"
        " delegated administrator. Register it from the management account (aws organizations"
        f" register-delegated-administrator --account-id {world.ids['admin']} --service-principal {PRINCIPAL},"
        " after trusted access is enabled), or remove stacksets from vend.yaml to run StackSets from the"
        " management account")


def test_stack_sets_are_made_by_the_delegated_admin_in_the_management_account(world: World) -> None:
    settings = admin_settings(world)
    world.org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    world.org.register_delegated_administrator(AccountId=world.ids["admin"], ServicePrincipal=PRINCIPAL)
    ctx = world.context(settings=settings)
    assert ctx.live.baselines is not None and ctx.live.baselines.trusted_access is True
    sent: list[tuple[str, str | None]] = []
    cloudformation = ctx.cloudformation

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent.append((model.name, params.get("CallAs")))

    cloudformation.meta.events.register("provide-client-params.cloudformation.*", record)
    caller = ctx.clients.assumed(settings.stacksets.role_arn, "us-east-1").client("sts", "us-east-1")
    assert caller.get_caller_identity()["Account"] == world.ids["admin"]
    stacksets.apply_stack_set(create_set(), ctx)
    stacksets.apply_stack_instances(instances(world, ous=["Workloads"]), ctx)
    stacksets.apply_stack_set(update_set(parameters={"Env": "qa"}), ctx)
    assert {call_as for _, call_as in sent} == {"DELEGATED_ADMIN"}
    assert {name for name, _ in sent} >= {"CreateStackSet", "CreateStackInstances", "UpdateStackSet",
                                              "DescribeStackSetOperation", "ListStackSetOperationResults"}
    # The stack set lives in the management account, as AWS keeps service-managed ones.
    described = world.cfn.describe_stack_set(StackSetName="vend-audit")["StackSet"]
    assert described["StackSetARN"].split(":")[4] == world.local.management_account_id
    assert instance_map(world) == {(world.ids[a], r) for a in ("w1", "p1") for r in REGIONS}
    again = read_live(AwsClients(world.local.session()), settings, baselines=True)
    assert again.baselines is not None and list(again.baselines.stack_sets) == ["audit"]
    assert again.baselines.stack_sets["audit"].parameters == {"Env": "qa"}


def test_an_assumed_role_reaches_vend_local_serve_too(tmp_path: Any) -> None:
    from vending.local import LocalServer
    from vending.local.endpoint import EndpointSession

    with LocalServer(tmp_path, port=0) as server:
        clients = AwsClients(EndpointSession(server.url))
        accounts = clients.organizations().list_accounts()["Accounts"]
        member = next(a["Id"] for a in accounts if a["Name"] == "Audit")
        assumed = clients.assumed(f"arn:aws:iam::{member}:role/VendStackSets", "us-east-1")
        assert assumed.client("sts", "us-east-1").get_caller_identity()["Account"] == member
        assert assumed.client("cloudformation", "us-east-1").meta.endpoint_url == server.url
