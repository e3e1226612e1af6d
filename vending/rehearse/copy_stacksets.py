"""Copy vend's stack sets (`LiveBaselines`) into the scratch local AWS's StackSets emulator.

Each stack set becomes the emulator's own row (`vending.local.cloudformation.store`), with its
id, ARN, template (the canonical JSON vend read, which reads back the same), parameters,
capabilities, tags, auto-deployment and OU targets, and each stack instance with its status,
detailed status, drift status, OU, reason and last operation id. The membership the emulator
compares for auto-deployment is the copied organization's, so nothing deploys on its own.

The stacks in the member accounts are rebuilt: every instance whose last deployment succeeded
gets its stack created from the stack set's template and values, stack sets a stack set depends
on first (a VPC's flow logs need the logging bucket's stack). That is the template the stack set
holds now: a stack that AWS kept at an older template (an instance OUTDATED after a failed
update) is rebuilt at the new one, and resources created outside CloudFormation are not copied.
Operations in progress are not copied (`gaps`).
"""
from __future__ import annotations

from typing import Any

from moto.organizations.models import organizations_backends

from vending.errors import RehearsalError
from vending.local.cloudformation.operations import deploy_instance
from vending.local.cloudformation.store import new_uuid
from vending.local.cloudformation.targets import membership
from vending.model.live_baselines import LiveBaselines, LiveStackInstance, LiveStackSet

NOT_COPIED = ("member accounts' resources beyond the stacks of stack instances (rebuilt from the stack"
              " sets' current templates)")


def gaps(baselines: LiveBaselines) -> list[str]:
    busy = sorted(s.name for s in baselines.stack_sets.values() if s.busy())
    return [f"stack set operations still in progress ({', '.join(busy)}): wait for them"] if busy else []


def load(emulator: Any, baselines: LiveBaselines, management_account_id: str) -> int:
    """Put every stack set into `emulator` (the running StackSets plug-in); returns how many
    stack instances were copied. Call after the organization was copied."""
    backend = organizations_backends[management_account_id]["aws"]
    tables = emulator.store.tables(management_account_id, baselines.region)
    copied = 0
    for stack_set in _dependencies_first(list(baselines.stack_sets.values())):
        row = _row(stack_set, management_account_id, membership(backend))
        tables["sets"][stack_set.id] = row
        for instance in row["instances"].values():
            if instance["StackInstanceStatus"]["DetailedStatus"] == "SUCCEEDED":
                _rebuild(row, instance)
        copied += len(stack_set.instances)
    return copied


def _dependencies_first(stack_sets: list[LiveStackSet]) -> list[LiveStackSet]:
    ordered: list[LiveStackSet] = []
    done: set[str] = set()
    while len(ordered) < len(stack_sets):
        ready = [s for s in stack_sets if s.arn not in done
                 and all(d in done or d not in {x.arn for x in stack_sets} for d in s.depends_on)]
        if not ready:  # a cycle AWS would not have let through: keep the rest as listed
            ready = [s for s in stack_sets if s.arn not in done]
        for stack_set in ready:
            ordered.append(stack_set)
            done.add(stack_set.arn)
    return ordered


def _rebuild(row: dict[str, Any], instance: dict[str, Any]) -> None:
    """The instance's stack, as its last successful deployment left it; its drift status as read."""
    drift = instance["DriftStatus"]
    failed = deploy_instance(row, instance)
    if failed:
        raise RehearsalError(
            f"the scratch copy cannot rebuild the stack of {row['StackSetName']} in {instance['Account']}"
            f" {instance['Region']} (nothing was rehearsed): {failed}")
    instance["DriftStatus"] = drift


def _row(stack_set: LiveStackSet, owner: str, seen: dict[str, str]) -> dict[str, Any]:
    auto: dict[str, Any] = {"Enabled": stack_set.auto_deployment}
    if stack_set.auto_deployment:
        auto["RetainStacksOnAccountRemoval"] = stack_set.retain_stacks_on_account_removal
    if stack_set.depends_on:
        auto["DependsOn"] = list(stack_set.depends_on)
    row: dict[str, Any] = {
        "StackSetName": stack_set.name, "StackSetId": stack_set.id, "Description": stack_set.description or None,
        "Status": "ACTIVE", "TemplateBody": stack_set.template,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in stack_set.parameters.items()],
        "Capabilities": list(stack_set.capabilities),
        "Tags": [{"Key": k, "Value": v} for k, v in stack_set.tags.items()],
        "StackSetARN": stack_set.arn, "AdministrationRoleARN": None, "ExecutionRoleName": None,
        "PermissionModel": "SERVICE_MANAGED", "AutoDeployment": auto,
        "ManagedExecution": {"Active": stack_set.managed_execution},
        "owner": owner, "operations": {}, "seen": dict(seen),
        "instances": {f"{i.account}/{i.region}": _instance(stack_set.name, i) for i in stack_set.instances},
        "auto_targets": {ou: _regions(stack_set, ou) for ou in stack_set.ou_ids},
    }
    if stack_set.drift_status != "NOT_CHECKED":
        row["StackSetDriftDetectionDetails"] = {"DriftStatus": stack_set.drift_status}
    return row


def _regions(stack_set: LiveStackSet, ou: str) -> list[str]:
    """An OU target's Regions: those of its instances (all the stack set's when it has none)."""
    return sorted({i.region for i in stack_set.instances if i.ou_id == ou}) or list(stack_set.regions)


def _instance(name: str, instance: LiveStackInstance) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Account": instance.account, "Region": instance.region, "Status": instance.status,
        "StackInstanceStatus": {"DetailedStatus": instance.detailed_status},
        "DriftStatus": instance.drift_status, "ParameterOverrides": [],
        "stack_name": f"StackSet-{name}-{new_uuid()}",
    }
    for key, value in (("OrganizationalUnitId", instance.ou_id), ("StatusReason", instance.status_reason),
                       ("LastOperationId", instance.last_operation_id)):
        if value:
            row[key] = value
    return row
