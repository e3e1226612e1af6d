"""Baselines appliers against the StackSets emulator: trusted access, stack sets, instances."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest

from tests.apply.stacksets_support import (  # noqa: F401 (fixture)
    PRINCIPAL,
    REGIONS,
    World,
    create_set,
    delete_set,
    instance_map,
    instances,
    member_stacks,
    stack_set_after,
    update_set,
    world,
)
from vending.apply import stacksets
from vending.apply.executor import execute
from vending.errors import ApplyFailure
from vending.model import stackset_template
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Plan


def access() -> Change:
    return Change(addresses.stacksets_access(), Kind.STACKSETS_ACCESS, Action.CREATE, "needed",
                  after={"service_principal": PRINCIPAL})


def enable(world: World) -> None:
    world.org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)


def test_trusted_access_is_activated_and_read_back(world: World) -> None:
    ctx = world.context()
    assert ctx.live.baselines is not None and ctx.live.baselines.trusted_access is False
    assert stacksets.apply_access(access(), ctx) == "trusted access for StackSets enabled in AWS Organizations"
    assert world.cfn.describe_organizations_access()["Status"] == "ENABLED"
    enabled = world.org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert PRINCIPAL in [p["ServicePrincipal"] for p in enabled]
    assert world.mutations() == {"ActivateOrganizationsAccess": 1}


def test_a_new_baseline_is_one_create_stack_set_and_one_operation_for_the_ous(world: World) -> None:
    """Through the executor, as vend apply runs it: every account of the OU subtree gets an
    instance in each Region; no call per account; a new account's id is in the Mappings."""
    ctx = world.context()
    ctx.set_account_id("newbie", world.ids["s1"])  # as if created earlier in this apply
    create = create_set(accounts={"w1": {"Env": "w"}, "newbie": {"Env": "n"}},
                        account_ids={"w1": world.ids["w1"], "newbie": None})
    create = replace(create, depends_on=("stacksets_access",))
    deploy = instances(world, ous=["Workloads"])
    deploy = replace(deploy, depends_on=(create.address,))
    plan = Plan(fingerprint=ctx.fingerprint, changes=[access(), create, deploy], order=[])
    report = execute(plan, ctx, concurrency=4, limits={})
    assert report.ok, report.outcomes
    detail = {o.address: o.detail for o in report.outcomes}
    assert detail[deploy.address] == f"CreateStackInstances {deploy.after['operation_id']}: 4 stack instances SUCCEEDED"
    expected = {(world.ids[a], r) for a in ("w1", "p1") for r in REGIONS}
    assert instance_map(world) == expected
    assert world.mutations() == {"ActivateOrganizationsAccess": 1, "CreateStackSet": 1, "CreateStackInstances": 1}
    described = world.cfn.describe_stack_set(StackSetName="vend-audit")["StackSet"]
    body = json.loads(described["TemplateBody"])
    assert body["Mappings"]["VendAccounts1"] == {world.ids["w1"]: {"Env": "w"}, world.ids["s1"]: {"Env": "n"}}
    assert described["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert described["ManagedExecution"] == {"Active": False}
    assert described["PermissionModel"] == "SERVICE_MANAGED"
    assert described["Tags"] == [{"Key": "vend:managed-by", "Value": "vend"}]
    assert described["Parameters"] == [{"ParameterKey": "Env", "ParameterValue": "prod"}]
    assert list(member_stacks(world.ids["p1"], "eu-west-1").values()) == [{"Env": "prod"}]


def test_create_again_is_done_and_depends_on_names_the_arns(world: World) -> None:
    enable(world)
    ctx = world.context()
    first = create_set("audit")
    assert stacksets.apply_stack_set(first, ctx).startswith("created stack set vend-audit (vend-audit:")
    assert stacksets.apply_stack_set(first, ctx).startswith("created stack set vend-audit")  # token replays
    again = create_set("audit", description="other")  # another token, same name: ours, so done
    assert stacksets.apply_stack_set(again, ctx) == "stack set vend-audit already exists (created by an earlier run)"
    logging = create_set("logging", auto_deployment={"enabled": True, "retain_stacks_on_account_removal": True,
                                                     "depends_on": ["audit"]})
    stacksets.apply_stack_set(logging, ctx)
    audit_arn = world.cfn.describe_stack_set(StackSetName="vend-audit")["StackSet"]["StackSetARN"]
    auto = world.cfn.describe_stack_set(StackSetName="vend-logging")["StackSet"]["AutoDeployment"]
    assert auto == {"Enabled": True, "RetainStacksOnAccountRemoval": True, "DependsOn": [audit_arn]}
    assert world.mutations() == {"CreateStackSet": 4}
    active = world.cfn.list_stack_sets(Status="ACTIVE")["Summaries"]
    assert sorted(s["StackSetName"] for s in active) == ["vend-audit", "vend-logging"]


def test_a_foreign_stack_set_of_that_name_is_not_taken_over(world: World) -> None:
    enable(world)
    world.cfn.create_stack_set(StackSetName="vend-audit", TemplateBody=stack_set_after()["template"],
                               PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": False})
    with pytest.raises(ApplyFailure) as failed:
        stacksets.apply_stack_set(create_set(), world.context())
    assert str(failed.value) == (
        "stack set vend-audit exists but is not vend's (no tag vend:managed-by=vend): rename or delete it, or"
        " rename the baseline, then run vend plan again")


def deployed(world: World, **create: Any) -> None:
    enable(world)
    ctx = world.context()
    stacksets.apply_stack_set(create_set(**create), ctx)
    stacksets.apply_stack_instances(instances(world, ous=["Workloads"]), ctx)
    world.counter.counts.clear()


def test_an_update_is_one_update_stack_set_reaching_every_instance(world: World) -> None:
    deployed(world)
    change = update_set(parameters={"Env": "staging"})
    detail = stacksets.apply_stack_set(change, world.context())
    assert detail == f"UpdateStackSet {change.after['operation_id']}: 4 stack instances SUCCEEDED"
    assert world.mutations() == {"UpdateStackSet": 1}
    for account in ("w1", "p1"):
        for region in REGIONS:
            assert list(member_stacks(world.ids[account], region).values()) == [{"Env": "staging"}]
    updates = [o for o in world.operations("vend-audit") if o["Action"] == "UPDATE"]
    assert [o["OperationId"] for o in updates] == [change.after["operation_id"]]


def test_a_large_template_goes_through_s3_and_template_url(world: World) -> None:
    enable(world)
    world.local.session().client("s3", region_name="us-east-1").create_bucket(Bucket="vend-templates")
    big = json.loads(stack_set_after()["template"])
    big["Metadata"] = {"Pad": "x" * stackset_template.INLINE_LIMIT}
    template = json.dumps(big, sort_keys=True, separators=(",", ":"))
    ctx = world.context()
    sent: list[dict[str, Any]] = []
    ctx.cloudformation.meta.events.register("provide-client-params.cloudformation.CreateStackSet",
                                            lambda params, **_: sent.append(dict(params)))
    stacksets.apply_stack_set(create_set(template=template, template_bucket="vend-templates"), ctx)
    body = stackset_template.assemble(template, {})
    key = f"vend/vend-audit/{hashlib.sha256(body.encode()).hexdigest()}.json"
    assert sent[0]["TemplateURL"] == f"https://vend-templates.s3.us-east-1.amazonaws.com/{key}"
    assert "TemplateBody" not in sent[0]
    stored = world.local.session().client("s3", region_name="us-east-1").get_object(Bucket="vend-templates", Key=key)
    assert stored["Body"].read().decode() == body
    assert world.cfn.describe_stack_set(StackSetName="vend-audit")["StackSet"]["TemplateBody"] == body
    assert world.mutations() == {"PutObject": 1, "CreateStackSet": 1}
    with pytest.raises(ApplyFailure) as failed:
        stacksets.apply_stack_set(create_set("other", template=template), ctx)
    assert str(failed.value) == (
        f"the template of stack set vend-other is {len(body):,} bytes, over the 51,200-byte TemplateBody limit:"
        " set template_bucket in vend.yaml (an S3 bucket in the home Region) so vend uploads it and passes"
        " TemplateURL (up to 1 MB), then run vend plan again")


def test_template_urls_of_dotted_buckets_are_path_style() -> None:
    from vending.apply.stackset_operations import template_url

    assert template_url("my.bucket", "eu-west-1", "vend/x/a.json") == (
        "https://s3.eu-west-1.amazonaws.com/my.bucket/vend/x/a.json")


def test_delete_with_retain_keeps_the_stacks_then_the_stack_set_goes(world: World) -> None:
    deployed(world)
    remove = instances(world, "audit", "remove", ous=["Workloads"], operation="delete", retain_stacks=True)
    ctx = world.context()
    assert stacksets.apply_stack_instances(remove, ctx) == (
        f"DeleteStackInstances {remove.after['operation_id']}: 4 stack instances SUCCEEDED")
    assert instance_map(world) == set()
    assert len(member_stacks(world.ids["p1"])) == 1  # retained in the account
    sent = [o for o in world.operations("vend-audit") if o["Action"] == "DELETE"]
    described = world.cfn.describe_stack_set_operation(StackSetName="vend-audit", OperationId=sent[0]["OperationId"])
    assert described["StackSetOperation"]["RetainStacks"] is True
    assert stacksets.apply_stack_set(delete_set(), ctx) == "deleted stack set vend-audit"
    assert world.cfn.list_stack_sets(Status="ACTIVE")["Summaries"] == []
    assert stacksets.apply_stack_set(delete_set(), ctx) == "stack set vend-audit already deleted"


def test_missing_ids_are_clear_failures(world: World) -> None:
    enable(world)
    ctx = world.context()
    with pytest.raises(ApplyFailure) as failed:
        stacksets.apply_stack_set(create_set(accounts={"ghost": {"Env": "g"}}, account_ids={"ghost": None}), ctx)
    assert str(failed.value) == ("stack set vend-audit has values for account ghost, whose id is not known (it was"
                                 " not created in this apply): run vend plan again")
    with pytest.raises(ApplyFailure) as failed:
        stacksets.apply_stack_set(create_set(auto_deployment={"enabled": True, "depends_on": ["base"]}), ctx)
    assert str(failed.value) == "stack set vend-audit depends on vend-base, which does not exist: run vend plan again"
    assert world.mutations() == {}


def test_delete_waits_for_an_operation_in_flight_and_out_a_busy_stack_set(world: World) -> None:
    enable(world)
    stacksets.apply_stack_set(create_set(), world.context())
    ctx = world.context()
    running = world.cfn.update_stack_set(StackSetName="vend-audit", UsePreviousTemplate=True,
                                         OperationId="left-behind")["OperationId"]
    change = delete_set()
    change.before["in_flight"] = running
    world.counter.counts.clear()
    assert stacksets.apply_stack_set(change, ctx) == "deleted stack set vend-audit"
    assert world.counter.counts["DeleteStackSet"] == 1  # waited for the operation first: never refused
    world.cfn.create_stack_set(StackSetName="vend-audit", TemplateBody=stack_set_after()["template"],
                               PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": False})
    ctx = world.context()
    world.cfn.update_stack_set(StackSetName="vend-audit", UsePreviousTemplate=True, OperationId="theirs")
    world.counter.counts.clear()
    assert stacksets.apply_stack_set(delete_set(), ctx) == "deleted stack set vend-audit"
    assert world.counter.counts["DeleteStackSet"] >= 2  # refused while theirs ran, then done
    assert world.cfn.list_stack_sets(Status="ACTIVE")["Summaries"] == []
