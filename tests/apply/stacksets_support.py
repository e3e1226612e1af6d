"""Fixtures of the baselines appliers' tests: an emulated organization, an ApplyContext over it
with counted calls, and Change objects built exactly as BASELINES_INTERFACE.md says."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.local.stacksets_support import member_stacks  # noqa: F401 (re-exported)
from vending.apply.context import INSTANT, ApplyContext, Polling
from vending.aws.clients import AwsClients, CallCounter
from vending.engine import read_live
from vending.local import LocalAws
from vending.model.types import ROOT, OrgSettings, Target
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind

REGIONS = ["eu-west-1", "us-east-1"]
PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
SETTINGS = OrgSettings(home_region="us-east-1", governed_regions=tuple(REGIONS), account_factory="organizations",
                       target=Target(), required_tags=(), quarantine_ou=ROOT)
TEMPLATE = json.dumps({
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {"Marker": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/baseline/env", "Type": "String", "Value": {"Ref": "Env"}}}},
}, sort_keys=True, separators=(",", ":"))
MUTATING = ("Create", "Update", "Delete", "Activate", "Put")


@dataclass
class World:
    local: LocalAws
    org: Any
    ids: dict[str, str]
    counter: CallCounter

    @property
    def cfn(self) -> Any:
        return self.local.session().client("cloudformation", region_name="us-east-1")

    def context(self, polling: Polling = INSTANT, *, settings: OrgSettings = SETTINGS) -> ApplyContext:
        """As vend apply makes it (engine.prepare_apply): the live state read first."""
        clients = AwsClients(self.local.session(), observers=(self.counter,))
        live = read_live(clients, settings, baselines=True)
        role = settings.stacksets.role_arn if settings.stacksets else None
        return ApplyContext(live, clients, polling, "us-east-1", stacksets_role=role)

    def mutations(self) -> dict[str, int]:
        return {op: n for op, n in self.counter.counts.items() if op.startswith(MUTATING)}

    def operations(self, name: str) -> list[dict[str, Any]]:
        return self.cfn.list_stack_set_operations(StackSetName=name)["Summaries"]


def _account(org: Any, name: str) -> str:
    request = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    for _ in range(50):
        status = org.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
        if status["State"] == "SUCCEEDED":
            return status["AccountId"]
    raise AssertionError(f"account {name} never created")


@pytest.fixture
def world(tmp_path: Any) -> Iterator[World]:
    """Workloads > Prod, Sandbox; w1 in Workloads, p1 in Prod, s1 in Sandbox, loose in the root."""
    with LocalAws(tmp_path) as local:
        org = local.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        ids = {"root": root}

        def ou(parent: str, name: str) -> str:
            return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]

        ids["Workloads"] = ou(root, "Workloads")
        ids["Workloads/Prod"] = ou(ids["Workloads"], "Prod")
        ids["Sandbox"] = ou(root, "Sandbox")
        for name, parent in (("w1", "Workloads"), ("p1", "Workloads/Prod"), ("s1", "Sandbox"), ("loose", None)):
            ids[name] = _account(org, name)
            if parent:
                org.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=ids[parent])
        yield World(local, org, ids, CallCounter())


def token(*parts: Any) -> str:
    return "vend-" + hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:40]


def stack_set_after(baseline: str = "audit", *, template: str = TEMPLATE, **fields: Any) -> dict[str, Any]:
    after = {
        "name": f"vend-{baseline}",
        "description": f"{baseline} baseline",
        "template": template,
        "parameters": {"Env": "prod"},
        "accounts": {},
        "account_ids": {},
        "capabilities": [],
        "auto_deployment": {"enabled": True, "retain_stacks_on_account_removal": False, "depends_on": []},
        "operation_preferences": {"MaxConcurrentPercentage": 100, "FailureTolerancePercentage": 0},
        "template_bucket": None,
        "tags": {"vend:managed-by": "vend"},
    }
    after.update(fields)
    return after


def create_set(baseline: str = "audit", **fields: Any) -> Change:
    after = stack_set_after(baseline, **fields)
    after["client_request_token"] = token("create", after)
    return Change(addresses.stack_set(baseline), Kind.STACK_SET, Action.CREATE, "new baseline", after=after)


def update_set(baseline: str = "audit", **fields: Any) -> Change:
    after = stack_set_after(baseline, **fields)
    after["operation_id"] = token("update", after)
    return Change(addresses.stack_set(baseline), Kind.STACK_SET, Action.UPDATE, "changed", before={"name": after["name"]},
                  after=after)


def delete_set(baseline: str = "audit") -> Change:
    return Change(addresses.stack_set(baseline), Kind.STACK_SET, Action.DELETE, "retired",
                  before={"name": f"vend-{baseline}"}, destructive=True)


def instances(world: World, baseline: str = "audit", purpose: str = "deploy", *, ous: list[str],
              operation: str = "create", regions: list[str] = REGIONS, **fields: Any) -> Change:
    after: dict[str, Any] = {
        "stack_set": f"vend-{baseline}",
        "operation": operation,
        "ous": ous,
        "ou_ids": fields.pop("ou_ids") if "ou_ids" in fields else [world.ids[path] for path in ous],
        "pending_ous": [],
        "accounts": [],
        "account_filter": "NONE",
        "regions": sorted(regions),
        "operation_preferences": {"MaxConcurrentPercentage": 100, "RegionConcurrencyType": "PARALLEL"},
    }
    if operation == "delete":
        after["retain_stacks"] = False
    after.update(fields)
    after["operation_id"] = token(purpose, after)
    action = {"create": Action.CREATE, "update": Action.UPDATE, "delete": Action.DELETE}[operation]
    return Change(addresses.stack_instances(baseline, purpose), Kind.STACK_INSTANCES, action, purpose, after=after,
                  destructive=operation == "delete" and not after.get("retain_stacks"))


def instance_map(world: World, name: str = "vend-audit") -> set[tuple[str, str]]:
    """(account id, Region) of every instance, read back with a paginator."""
    pages = world.cfn.get_paginator("list_stack_instances").paginate(StackSetName=name)
    return {(i["Account"], i["Region"]) for page in pages for i in page["Summaries"]}
