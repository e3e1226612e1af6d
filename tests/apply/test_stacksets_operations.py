"""Baselines appliers and StackSets operations: re-runs, waiting, failures, batches, deadlines."""
from __future__ import annotations

from typing import Any

import pytest

from tests.apply.stacksets_support import (  # noqa: F401 (fixture)
    PRINCIPAL,
    REGIONS,
    World,
    create_set,
    instance_map,
    instances,
    update_set,
    world,
)
from vending.apply import stackset_operations, stacksets
from vending.apply.context import Polling
from vending.errors import ApplyFailure, DeadlineExceeded
from vending.aws.clients import CallCounter
from vending.local import LocalAws
from vending.model.types import parse_path


class Clock:
    """Injected time: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def polling(clock: Clock) -> Polling:
    """Hour-long delays, so a 3-hour deadline takes a handful of polls."""
    return Polling(first_delay=1800, max_delay=3600, clock=clock, sleep=clock.sleep)


def ready(world: World, deploy: bool = True) -> None:
    world.org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    ctx = world.context()
    stacksets.apply_stack_set(create_set(), ctx)
    if deploy:
        stacksets.apply_stack_instances(instances(world, ous=["Workloads"]), ctx)
    world.counter.counts.clear()


def test_a_rerun_after_a_crash_resumes_the_operation_instead_of_starting_another(world: World) -> None:
    """The first run dies while its operation runs (its wait gives up at once); the re-run
    sends the same OperationId and waits for that operation."""
    ready(world, deploy=False)
    deploy = instances(world, ous=["Workloads"])
    with pytest.raises(DeadlineExceeded) as killed:
        stacksets.apply_stack_instances(deploy, world.context(Polling(first_delay=0, timeout=0)))
    assert "still RUNNING after 0 s" in str(killed.value)
    detail = stacksets.apply_stack_instances(deploy, world.context())
    assert detail == f"CreateStackInstances {deploy.after['operation_id']}: 4 stack instances SUCCEEDED"
    assert [o["OperationId"] for o in world.operations("vend-audit")] == [deploy.after["operation_id"]]
    assert world.mutations() == {"CreateStackInstances": 2}  # the same request twice, one operation
    stacksets.apply_stack_instances(deploy, world.context())  # and once more, after it ended
    assert len(world.operations("vend-audit")) == 1


def test_an_operation_in_flight_from_the_plan_is_waited_for_first(world: World) -> None:
    ready(world)
    ctx = world.context()
    other = world.cfn.update_stack_set(StackSetName="vend-audit", UsePreviousTemplate=True,
                                       OperationId="someone-else")["OperationId"]
    change = update_set(parameters={"Env": "qa"}, in_flight=other)
    stacksets.apply_stack_set(change, ctx)
    assert world.counter.counts["UpdateStackSet"] == 1  # never refused: it waited first
    statuses = {o["OperationId"]: o["Status"] for o in world.operations("vend-audit")}
    assert statuses[other] == "SUCCEEDED" and statuses[change.after["operation_id"]] == "SUCCEEDED"


def test_operation_in_progress_is_waited_out(world: World) -> None:
    ready(world)
    ctx = world.context()
    world.cfn.create_stack_instances(StackSetName="vend-audit", Regions=["us-east-1"], OperationId="theirs",
                                     DeploymentTargets={"OrganizationalUnitIds": [world.ids["Sandbox"]]})
    change = update_set(parameters={"Env": "qa"})
    detail = stacksets.apply_stack_set(change, ctx)
    assert detail == f"UpdateStackSet {change.after['operation_id']}: 5 stack instances SUCCEEDED"
    assert world.counter.counts["UpdateStackSet"] >= 2  # refused (OperationInProgress), then admitted
    updates = [o for o in world.operations("vend-audit") if o["Action"] == "UPDATE"]
    assert [o["Status"] for o in updates] == ["SUCCEEDED"]


def test_waiting_for_a_slot_ends_at_its_deadline(world: World, monkeypatch: Any) -> None:
    ready(world)
    clock = Clock()
    ctx = world.context(polling(clock))
    world.cfn.create_stack_instances(StackSetName="vend-audit", Regions=["us-east-1"], OperationId="theirs",
                                     DeploymentTargets={"OrganizationalUnitIds": [world.ids["Sandbox"]]})
    monkeypatch.setattr(stackset_operations, "look", lambda ctx, name: None)  # theirs never moves on
    with pytest.raises(DeadlineExceeded) as expired:
        stacksets.apply_stack_set(update_set(), ctx)
    arn = world.cfn.describe_stack_set(StackSetName="vend-audit")["StackSet"]["StackSetARN"]
    assert str(expired.value) == (
        "UpdateStackSet on stack set vend-audit still refused after 180 min: OperationInProgressException"
        f" (Another Operation on StackSet {arn} is in progress); another operation holds the stack set (one runs"
        " at a time); rerun vend apply once it has finished")


def test_an_operation_past_its_deadline_says_what_it_waited_for_and_what_to_do(tmp_path: Any) -> None:
    with LocalAws(tmp_path, stack_set_polls=10_000) as local:
        org = local.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
        slow = World(local, org, {"root": root, "Workloads": workloads}, CallCounter())
        ready(slow, deploy=False)
        clock = Clock()
        deploy = instances(slow, ous=["Workloads"])
        with pytest.raises(DeadlineExceeded) as expired:
            stacksets.apply_stack_instances(deploy, slow.context(polling(clock)))
        assert str(expired.value) == (
            f"StackSets operation {deploy.after['operation_id']} on vend-audit still RUNNING after 180 min; it"
            " continues in AWS; rerun vend apply, which waits for it again (same OperationId) instead of starting"
            " another")
        assert clock.now == 180 * 60  # the last wait is cut to the deadline


def test_a_failed_instance_quotes_aws_status_reason(world: World) -> None:
    ready(world, deploy=False)
    reason = "Resource handler returned message: \"User is not authorized to perform: ssm:PutParameter\""
    world.local.faults.stack_instance(world.ids["p1"], "eu-west-1", reason)
    deploy = instances(world, ous=["Workloads"], operation_preferences={"RegionConcurrencyType": "PARALLEL",
                                                                         "MaxConcurrentCount": 2})
    with pytest.raises(ApplyFailure) as failed:
        stacksets.apply_stack_instances(deploy, world.context())
    operation = deploy.after["operation_id"]
    assert str(failed.value) == (
        f"CreateStackInstances {operation} on vend-audit FAILED: The operation failed in 1 stack instance(s); the"
        " failure tolerance was exceeded in eu-west-1. (3 stack instances SUCCEEDED, 1 stack instance FAILED);"
        " failed:\n"
        f"  p1 ({world.ids['p1']}) eu-west-1: {reason}\n"
        "fix the cause, then run vend plan: it retries the failed instances with a new OperationId")


def test_many_failures_are_capped(world: World) -> None:
    from vending.apply.stackset_operations import _failure

    results = [{"Account": f"{i:012d}", "Region": "us-east-1", "Status": "FAILED", "StatusReason": f"r{i}"}
               for i in range(23)]
    text = _failure(world.context(), "vend-audit", "CreateStackInstances",
                    {"OperationId": "op", "Status": "STOPPED"}, results)
    lines = text.splitlines()
    assert lines[0] == "CreateStackInstances op on vend-audit STOPPED (23 stack instances FAILED); failed:"
    assert lines[1] == "  000000000000 us-east-1: r0" and lines[20] == "  000000000019 us-east-1: r19"
    assert lines[21] == "  and 3 more"


def test_more_than_50_ous_go_in_batches_one_after_the_other(world: World) -> None:
    ready(world, deploy=False)
    paths = []
    for index in range(51):
        ou_id = world.org.create_organizational_unit(ParentId=world.ids["root"], Name=f"Team{index:02d}")[
            "OrganizationalUnit"]["Id"]
        world.ids[f"Team{index:02d}"] = ou_id
        paths.append(f"Team{index:02d}")
    world.org.move_account(AccountId=world.ids["loose"], SourceParentId=world.ids["root"],
                           DestinationParentId=world.ids["Team50"])
    deploy = instances(world, ous=paths, regions=["us-east-1"])
    detail = stacksets.apply_stack_instances(deploy, world.context())
    operation = deploy.after["operation_id"]
    assert detail == (f"CreateStackInstances {operation}-1: no stack instances to change; "
                      f"CreateStackInstances {operation}-2: 1 stack instance SUCCEEDED")
    assert [o["OperationId"] for o in world.operations("vend-audit")] == [f"{operation}-1", f"{operation}-2"]
    assert world.mutations() == {"CreateStackInstances": 2}
    assert instance_map(world) == {(world.ids["loose"], "us-east-1")}


def test_fill_and_exclude_target_accounts_inside_the_ous(world: World) -> None:
    ready(world)
    exclude = instances(world, "audit", "exclude", ous=["Workloads"], operation="delete",
                        accounts=[world.ids["p1"]], account_filter="INTERSECTION")
    stacksets.apply_stack_instances(exclude, world.context())
    assert instance_map(world) == {(world.ids["w1"], r) for r in REGIONS}
    fill = instances(world, "audit", "fill", ous=["Workloads"], accounts=[world.ids["p1"]],
                     account_filter="INTERSECTION", regions=["us-east-1"])
    stacksets.apply_stack_instances(fill, world.context())
    assert instance_map(world) == {(world.ids["w1"], r) for r in REGIONS} | {(world.ids["p1"], "us-east-1")}
    retry = instances(world, "audit", "retry", ous=["Workloads"], operation="update", accounts=[world.ids["w1"]],
                      account_filter="INTERSECTION")
    assert stacksets.apply_stack_instances(retry, world.context()).endswith(": 2 stack instances SUCCEEDED")
    assert world.mutations() == {"DeleteStackInstances": 1, "CreateStackInstances": 1, "UpdateStackInstances": 1}


def test_pending_ous_come_from_the_context(world: World) -> None:
    ready(world, deploy=False)
    new = world.org.create_organizational_unit(ParentId=world.ids["root"], Name="Fresh")["OrganizationalUnit"]["Id"]
    world.org.move_account(AccountId=world.ids["loose"], SourceParentId=world.ids["root"], DestinationParentId=new)
    ctx = world.context()
    ctx.set_ou_id(parse_path("Fresh"), new)  # as the OU applier does when it creates one
    deploy = instances(world, ous=["Fresh"], regions=["us-east-1"], ou_ids=[], pending_ous=["Fresh"])
    stacksets.apply_stack_instances(deploy, ctx)
    assert instance_map(world) == {(world.ids["loose"], "us-east-1")}
