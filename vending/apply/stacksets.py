"""Appliers of baselines: trusted access, vend's stack sets, and their stack instances.

Each change is one request, or one StackSets operation per 50 OUs (the per-operation limit,
aws-facts §4.1), never one per account: OU targets reach every account of the subtree, and
per-account values ride in the template's Mappings (vending.model.stackset_template). Tokens
come from the plan (BASELINES_INTERFACE.md "Tokens"): ClientRequestToken for CreateStackSet,
OperationId for everything that starts an operation, so a re-run repeats nothing. With vend.yaml
`stacksets` every call passes CallAs DELEGATED_ADMIN through the delegated administrator's role
(ApplyContext.cloudformation); trusted access is the management account's to enable.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply import stackset_operations as operations
from vending.apply.context import ApplyContext
from vending.apply.waiting import poll, until_admitted
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.model.live_baselines import MANAGED_TAG, stack_set_name
from vending.plan.changes import Action, Change

MAX_OUS = 50
"""OUs per Create/Update/DeleteStackInstances (CFN-API DeploymentTargets, aws-facts §14a)."""


def apply_access(change: Change, ctx: ApplyContext) -> str:
    """ActivateOrganizationsAccess, then DescribeOrganizationsAccess until ENABLED."""
    cloudformation = ctx.management_cloudformation
    cloudformation.activate_organizations_access()

    def read() -> tuple[str, str | None]:
        status = cloudformation.describe_organizations_access()["Status"]
        return status, status if status == "ENABLED" else None

    poll(ctx.polling, "StackSets trusted access (DescribeOrganizationsAccess)", deadlines.TRUSTED_ACCESS, read)
    return "trusted access for StackSets enabled in AWS Organizations"


def apply_stack_set(change: Change, ctx: ApplyContext) -> str:
    if change.action is Action.CREATE:
        return _create(change.after or {}, ctx)
    if change.action is Action.UPDATE:
        return _update(change.after or {}, ctx)
    return _delete(change.before or {}, ctx)


def _desired(after: dict[str, Any], ctx: ApplyContext) -> dict[str, Any]:
    """What Create- and UpdateStackSet both send: the whole desired state of the stack set."""
    auto = after["auto_deployment"]
    deployment: dict[str, Any] = {"Enabled": bool(auto["enabled"])}
    if auto["enabled"]:
        deployment["RetainStacksOnAccountRemoval"] = bool(auto.get("retain_stacks_on_account_removal"))
    try:
        depends_on = [ctx.stack_set_arn(stack_set_name(b)) for b in auto.get("depends_on") or []]
    except KeyError as missing:
        raise ApplyFailure(f"stack set {after['name']} depends on {missing.args[0]}, which does not exist:"
                           " run vend plan again") from None
    if depends_on:
        deployment["DependsOn"] = depends_on
    description = after.get("description")
    return {
        "StackSetName": after["name"],
        **({"Description": description} if description else {}),  # AWS: 1-1,024 characters
        **operations.template(ctx, after),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(after.get("parameters", {}).items())],
        "Capabilities": list(after.get("capabilities") or []),
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(after.get("tags", {}).items())],
        "AutoDeployment": deployment,
        "ManagedExecution": {"Active": False},
        **ctx.call_as,
    }


def _create(after: dict[str, Any], ctx: ApplyContext) -> str:
    name = after["name"]
    cloudformation = ctx.cloudformation
    try:
        created = cloudformation.create_stack_set(
            **_desired(after, ctx), PermissionModel="SERVICE_MANAGED",
            ClientRequestToken=after["client_request_token"],
        )
        detail = f"created stack set {name} ({created['StackSetId']})"
    except ClientError as exc:
        if error_code(exc) != "NameAlreadyExistsException":
            raise
        detail = f"stack set {name} already exists (created by an earlier run)"
    described = cloudformation.describe_stack_set(StackSetName=name, **ctx.call_as)["StackSet"]
    tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
    if tags.get(MANAGED_TAG[0]) != MANAGED_TAG[1]:
        raise ApplyFailure(
            f"stack set {name} exists but is not vend's (no tag {MANAGED_TAG[0]}={MANAGED_TAG[1]}): rename or"
            " delete it, or rename the baseline, then run vend plan again"
        )
    ctx.set_stack_set_arn(name, described["StackSetARN"])
    return detail


def _update(after: dict[str, Any], ctx: ApplyContext) -> str:
    """UpdateStackSet without DeploymentTargets/Regions: every instance gets the new state."""
    name = after["name"]
    operations.wait_in_flight(ctx, name, after.get("in_flight"))
    request = operations.Request(
        ctx.cloudformation.update_stack_set, after["operation_id"], **_desired(after, ctx),
        **_preferences(after),
    )
    return operations.run(ctx, name, "UpdateStackSet", request)


def _delete(before: dict[str, Any], ctx: ApplyContext) -> str:
    """DeleteStackSet starts no operation, but is refused while one runs: waited out the same.
    (A delete has no `after`; an operation the plan saw running is in `before.in_flight`.)"""
    name = before["name"]
    operations.wait_in_flight(ctx, name, before.get("in_flight"))

    def attempt() -> str:
        try:
            ctx.cloudformation.delete_stack_set(StackSetName=name, **ctx.call_as)
        except ClientError as exc:
            if error_code(exc) == "StackSetNotFoundException":
                return f"stack set {name} already deleted"
            operations.refuse_if_busy(exc)
            raise
        return f"deleted stack set {name}"

    return until_admitted(ctx.polling, f"DeleteStackSet {name}", deadlines.STACK_SET_SLOT, attempt,
                          meanwhile=lambda: operations.look(ctx, name), then=operations.SLOT_HINT)


def apply_stack_instances(change: Change, ctx: ApplyContext) -> str:
    """One Create/Update/DeleteStackInstances per 50 OUs, each waited for before the next
    (one operation per stack set at a time); batches are `<operation_id>-<n>`."""
    after = change.after or {}
    name, verb = after["stack_set"], after["operation"]
    operations.wait_in_flight(ctx, name, after.get("in_flight"))
    ou_ids = list(after.get("ou_ids") or []) + [ctx.ou_id(path) for path in after.get("pending_ous") or []]
    batches = [ou_ids[i:i + MAX_OUS] for i in range(0, len(ou_ids), MAX_OUS)]
    if not batches:
        raise ApplyFailure(f"stack_instances change for {name} names no OU: run vend plan again")
    method = {
        "create": ctx.cloudformation.create_stack_instances,
        "update": ctx.cloudformation.update_stack_instances,
        "delete": ctx.cloudformation.delete_stack_instances,
    }[verb]
    request_name = f"{verb.capitalize()}StackInstances"
    details = []
    for number, batch in enumerate(batches, 1):
        operation_id = after["operation_id"] if len(batches) == 1 else f"{after['operation_id']}-{number}"
        targets: dict[str, Any] = {"OrganizationalUnitIds": batch,
                                   "AccountFilterType": after.get("account_filter") or "NONE"}
        accounts = list(after.get("accounts") or []) + [ctx.account_id(n) for n in after.get("pending_accounts") or []]
        if accounts:  # pending_accounts: excluded accounts created by this apply (the plan waits for them)
            targets["Accounts"] = accounts
        extra = {"RetainStacks": bool(after.get("retain_stacks"))} if verb == "delete" else {}
        request = operations.Request(
            method, operation_id, StackSetName=name, DeploymentTargets=targets, Regions=list(after["regions"]),
            **_preferences(after), **extra, **ctx.call_as,
        )
        details.append(operations.run(ctx, name, request_name, request))
    return "; ".join(details)


def _preferences(after: dict[str, Any]) -> dict[str, Any]:
    preferences = after.get("operation_preferences") or {}
    return {"OperationPreferences": dict(preferences)} if preferences else {}
