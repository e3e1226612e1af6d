"""Appliers of IAM Identity Center: permission sets, their provisioning, account assignments.

All calls go to the instance's Region from the management account. Each write that AWS may
refuse with ConflictException (an earlier write still propagating; botocore does not retry it)
is retried with backoff until deadlines.IDENTITY_CONFLICT. Asynchronous operations
(ProvisionPermissionSet, Create/DeleteAccountAssignment) are polled to SUCCEEDED within their
deadlines; FAILED is reported in AWS's words (FailureReason). A re-run after an interruption
converges: the next plan reads what was done (a set half edited is diffed again, a set edited but
not provisioned shows accounts on an older version, an assignment in flight is created again,
which AWS treats as done).
"""
from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.plan.changes import Action, Change


def _sso(ctx: ApplyContext, change: Change) -> Any:
    return ctx.clients.client("sso-admin", ctx.live.identity.region if ctx.live.identity else ctx.home_region)


def _write(ctx: ApplyContext, what: str, call: Callable[..., Any], **params: Any) -> Any:
    def attempt() -> Any:
        try:
            return call(**params)
        except ClientError as exc:
            if error_code(exc) == "ConflictException":
                raise Refused(f"ConflictException: {exc.response['Error'].get('Message', '')}") from None
            raise
    return until_admitted(ctx.polling, what, deadlines.IDENTITY_CONFLICT, attempt)


def _ref(path_name: str) -> dict[str, str]:
    """"/team/Name" -> CustomerManagedPolicyReference."""
    path, _, name = path_name.rpartition("/")
    return {"Name": name, "Path": path + "/"}


def _boundary(value: dict[str, str]) -> dict[str, Any]:
    if "managed_policy" in value:
        return {"ManagedPolicyArn": value["managed_policy"]}
    return {"CustomerManagedPolicyReference": _ref(value["customer_managed_policy"])}


def apply_permission_set(change: Change, ctx: ApplyContext) -> str:
    sso = _sso(ctx, change)
    fields: dict[str, Any] = change.after if change.action is not Action.DELETE else change.before  # type: ignore[assignment]
    instance, name = fields["instance_arn"], fields["name"]
    if change.action is Action.DELETE:
        _write(ctx, f"DeletePermissionSet {name}", sso.delete_permission_set, InstanceArn=instance,
               PermissionSetArn=fields["arn"])
        return f"permission set {name} deleted"
    if change.action is Action.CREATE:
        created = _write(ctx, f"CreatePermissionSet {name}", sso.create_permission_set, InstanceArn=instance,
                         Name=name, SessionDuration=fields["session_duration"],
                         **({"Description": fields["description"]} if fields["description"] else {}))
        arn = created["PermissionSet"]["PermissionSetArn"]
        ctx.set_permission_set_arn(name, arn)
        before: dict[str, Any] = {"managed_policies": [], "customer_managed_policies": [], "inline_policy": None,
                                  "permissions_boundary": None}
    else:
        arn, before = fields["arn"], change.before or {}
    key = {"InstanceArn": instance, "PermissionSetArn": arn}
    if change.action is Action.UPDATE and ("description" in fields or "session_duration" in fields):
        update = {k: v for k, v in (("Description", fields.get("description")),
                                    ("SessionDuration", fields.get("session_duration"))) if v}
        _write(ctx, f"UpdatePermissionSet {name}", sso.update_permission_set, **key, **update)
    _policies(ctx, sso, name, key, before, fields)
    done = "created" if change.action is Action.CREATE else "updated (" + ", ".join(
        f for f in fields if f not in ("instance_arn", "name", "arn")) + ")"
    return f"permission set {name} {done}"


def _policies(ctx: ApplyContext, sso: Any, name: str, key: dict[str, str], before: dict[str, Any],
              after: dict[str, Any]) -> None:
    if "managed_policies" in after:
        old, new = set(before.get("managed_policies") or ()), set(after["managed_policies"])
        for arn in sorted(new - old):
            _write(ctx, f"AttachManagedPolicyToPermissionSet {name}", sso.attach_managed_policy_to_permission_set,
                   **key, ManagedPolicyArn=arn)
        for arn in sorted(old - new):
            _write(ctx, f"DetachManagedPolicyFromPermissionSet {name}",
                   sso.detach_managed_policy_from_permission_set, **key, ManagedPolicyArn=arn)
    if "customer_managed_policies" in after:
        old, new = set(before.get("customer_managed_policies") or ()), set(after["customer_managed_policies"])
        for ref in sorted(new - old):
            _write(ctx, f"AttachCustomerManagedPolicyReferenceToPermissionSet {name}",
                   sso.attach_customer_managed_policy_reference_to_permission_set, **key,
                   CustomerManagedPolicyReference=_ref(ref))
        for ref in sorted(old - new):
            _write(ctx, f"DetachCustomerManagedPolicyReferenceFromPermissionSet {name}",
                   sso.detach_customer_managed_policy_reference_from_permission_set, **key,
                   CustomerManagedPolicyReference=_ref(ref))
    if "inline_policy" in after and after["inline_policy"] != before.get("inline_policy"):
        if after["inline_policy"]:
            _write(ctx, f"PutInlinePolicyToPermissionSet {name}", sso.put_inline_policy_to_permission_set, **key,
                   InlinePolicy=after["inline_policy"])
        elif before.get("inline_policy"):
            _write(ctx, f"DeleteInlinePolicyFromPermissionSet {name}",
                   sso.delete_inline_policy_from_permission_set, **key)
    if "permissions_boundary" in after and after["permissions_boundary"] != before.get("permissions_boundary"):
        if after["permissions_boundary"]:
            _write(ctx, f"PutPermissionsBoundaryToPermissionSet {name}",
                   sso.put_permissions_boundary_to_permission_set, **key,
                   PermissionsBoundary=_boundary(after["permissions_boundary"]))
        elif before.get("permissions_boundary"):
            _write(ctx, f"DeletePermissionsBoundaryFromPermissionSet {name}",
                   sso.delete_permissions_boundary_from_permission_set, **key)


def apply_provisioning(change: Change, ctx: ApplyContext) -> str:
    sso = _sso(ctx, change)
    fields = change.after or {}
    name = fields["name"]
    key = {"InstanceArn": fields["instance_arn"], "PermissionSetArn": ctx.permission_set_arn(name, fields.get("arn"))}
    started = _write(ctx, f"ProvisionPermissionSet {name}", sso.provision_permission_set, **key,
                     TargetType=fields["target"])["PermissionSetProvisioningStatus"]

    def read() -> tuple[str, dict[str, Any] | None]:
        status = sso.describe_permission_set_provisioning_status(
            InstanceArn=key["InstanceArn"], ProvisionPermissionSetRequestId=started["RequestId"],
        )["PermissionSetProvisioningStatus"]
        return status["Status"], None if status["Status"] == "IN_PROGRESS" else status

    status = started if started["Status"] != "IN_PROGRESS" else poll(
        ctx.polling, f"ProvisionPermissionSet {name} (request {started['RequestId']})",
        deadlines.PERMISSION_SET_PROVISIONING, read)
    if status["Status"] != "SUCCEEDED":
        raise ApplyFailure(f"ProvisionPermissionSet {name} {status['Status']}: {status.get('FailureReason', '')};"
                           " fix the cause and rerun vend apply")
    return f"permission set {name} provisioned to every account it is assigned in"


def apply_assignment(change: Change, ctx: ApplyContext) -> str:
    sso = _sso(ctx, change)
    deleting = change.action is Action.DELETE
    fields: dict[str, Any] = change.before if deleting else change.after  # type: ignore[assignment]
    account_name = change.address.split(":", 1)[1].split("/", 1)[0]
    account_id = ctx.account_id(account_name, fields.get("account_id"))
    name, group = fields["permission_set"], fields["group"]
    params = {"InstanceArn": fields["instance_arn"], "TargetId": account_id, "TargetType": "AWS_ACCOUNT",
              "PermissionSetArn": ctx.permission_set_arn(name, fields.get("permission_set_arn")),
              "PrincipalType": "GROUP", "PrincipalId": fields["group_id"]}
    operation = "DeleteAccountAssignment" if deleting else "CreateAccountAssignment"
    what = f"{operation} of {name} to {group} on {account_name}"
    try:
        if deleting:
            started = _write(ctx, what, sso.delete_account_assignment, **params)["AccountAssignmentDeletionStatus"]
        else:
            started = _write(ctx, what, sso.create_account_assignment, **params)["AccountAssignmentCreationStatus"]
    except ClientError as exc:
        if deleting and error_code(exc) == "ResourceNotFoundException":
            return f"{name} for {group} on {account_name} was already gone"
        raise

    def read() -> tuple[str, dict[str, Any] | None]:
        if deleting:
            status = sso.describe_account_assignment_deletion_status(
                InstanceArn=params["InstanceArn"], AccountAssignmentDeletionRequestId=started["RequestId"],
            )["AccountAssignmentDeletionStatus"]
        else:
            status = sso.describe_account_assignment_creation_status(
                InstanceArn=params["InstanceArn"], AccountAssignmentCreationRequestId=started["RequestId"],
            )["AccountAssignmentCreationStatus"]
        return status["Status"], None if status["Status"] == "IN_PROGRESS" else status

    status = started if started["Status"] != "IN_PROGRESS" else poll(
        ctx.polling, f"{what} (request {started['RequestId']})", deadlines.ACCOUNT_ASSIGNMENT, read)
    if status["Status"] != "SUCCEEDED":
        raise ApplyFailure(f"{what} {status['Status']}: {status.get('FailureReason', '')}")
    return f"{group} {'no longer has' if deleting else 'has'} {name} on {account_name}"
