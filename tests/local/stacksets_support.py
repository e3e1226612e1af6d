"""Shared fixtures and helpers of the StackSets emulator tests (test_local_stacksets*.py)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from vending.local import LocalAws

PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
REGION = "us-east-1"
TEMPLATE = json.dumps({
    "Parameters": {"Env": {"Type": "String", "Default": "dev"},
                   "Owner": {"Type": "String", "Default": "platform"}},
    "Resources": {"Marker": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/baseline/env", "Type": "String", "Value": {"Ref": "Env"}}}},
})
AUTO = {"Enabled": True, "RetainStacksOnAccountRemoval": False}


@pytest.fixture
def cfn(local: LocalAws, org: Any) -> Any:
    """CloudFormation of the management account, trusted access for StackSets enabled."""
    org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    return local.session().client("cloudformation")


def member_client(service: str, account_id: str, region: str = REGION) -> Any:
    """A client acting as `account_id` (moto's x-moto-account-id header)."""
    client = boto3.client(service, region_name=region, aws_access_key_id="testing",
                          aws_secret_access_key="testing")

    def pin(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign", pin)
    return client


def member_stacks(account_id: str, region: str = REGION) -> dict[str, dict[str, str]]:
    """Stack name -> parameters, as the member sees its stacks."""
    stacks = member_client("cloudformation", account_id, region).describe_stacks()["Stacks"]
    return {s["StackName"]: {p["ParameterKey"]: p["ParameterValue"] for p in s["Parameters"]}
            for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"}


def settle(cfn: Any, name: str, operation_id: str) -> dict[str, Any]:
    """Poll DescribeStackSetOperation until the operation ends; returns it."""
    for _ in range(20):
        operation = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)[
            "StackSetOperation"]
        if operation["Status"] not in ("RUNNING", "QUEUED"):
            return operation
    raise AssertionError(f"operation {operation_id} of {name} never ended")


def settle_all(cfn: Any, name: str) -> list[dict[str, Any]]:
    """Poll until no operation of the stack set runs or waits; returns them all."""
    for _ in range(40):
        operations = cfn.list_stack_set_operations(StackSetName=name)["Summaries"]
        if all(o["Status"] not in ("RUNNING", "QUEUED") for o in operations):
            return operations
    raise AssertionError(f"operations of {name} never ended")


def instances(cfn: Any, name: str, **filters: Any) -> dict[str, dict[str, Any]]:
    """Account -> instance summary (one region), read with a paginator."""
    pages = cfn.get_paginator("list_stack_instances").paginate(StackSetName=name, **filters)
    return {i["Account"]: i for p in pages for i in p["Summaries"]}


def make_set(cfn: Any, name: str = "baseline", **extra: Any) -> str:
    params = {"StackSetName": name, "TemplateBody": TEMPLATE,
              "PermissionModel": "SERVICE_MANAGED", "AutoDeployment": AUTO, **extra}
    return cfn.create_stack_set(**params)["StackSetId"]


@pytest.fixture
def tree(org: Any, root_id: str, make_ou: Callable[[str, str], str],
         new_account: Callable[..., str]) -> dict[str, str]:
    """Workloads > Prod > Payments, an account at each level, one more in the root."""
    ids = {"root": root_id}
    ids["workloads"] = make_ou(root_id, "Workloads")
    ids["prod"] = make_ou(ids["workloads"], "Prod")
    ids["payments"] = make_ou(ids["prod"], "Payments")
    for name, parent in (("w1", "workloads"), ("p1", "prod"), ("pay1", "payments"),
                         ("loose", "root")):
        account_id = new_account(name)
        if parent != "root":
            org.move_account(AccountId=account_id, SourceParentId=root_id,
                             DestinationParentId=ids[parent])
        ids[name] = account_id
    return ids
