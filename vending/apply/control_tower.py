"""Appliers for Control Tower OU registration and controls (the controltower API).

Every mutating controltower call is asynchronous and has no idempotency token (aws-facts
§1.7, §8.2): the applier polls the returned operation to SUCCEEDED or FAILED. Control Tower
runs one OU operation at a time; a ConflictException (another one in progress, perhaps from
the console) is waited out, not treated as a failure. Re-running after an interruption is safe:
"already enabled" answers count as done.
"""
from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.model.types import parse_path
from vending.plan.changes import Action, Change

IDENTITY_CENTER_PARAMETER = "IdentityCenterEnabledBaselineArn"


def controltower(ctx: ApplyContext) -> Any:
    return ctx.clients.client("controltower", ctx.home_region)


def _ou_arn(ctx: ApplyContext, ou: str) -> str:
    return ctx.live.ou_arn(ctx.ou_id(parse_path(ou)))


def _start(ctx: ApplyContext, call: Callable[[], dict]) -> dict:
    """Start an operation, waiting out ConflictException while another one runs."""
    for delay in ctx.polling.delays():
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) != "ConflictException":
                raise
        ctx.polling.sleep(delay)
    raise ApplyFailure("Control Tower stayed busy with another operation (ConflictException)")


def _wait(ctx: ApplyContext, get: Callable[[], dict], what: str) -> str:
    for delay in ctx.polling.delays():
        ctx.polling.sleep(delay)
        operation = get()
        status = operation.get("status")
        if status == "SUCCEEDED":
            return status
        if status == "FAILED":
            raise ApplyFailure(f"{what} FAILED: {operation.get('statusMessage', 'no message')}")
    raise ApplyFailure(f"{what} is still IN_PROGRESS; run vend plan later")


def apply_registration(change: Change, ctx: ApplyContext) -> str:
    client = controltower(ctx)
    if change.action is Action.UPDATE:
        enabled = (change.before or {})["enabled_baseline"]
        started = _start(ctx, lambda: client.reset_enabled_baseline(enabledBaselineIdentifier=enabled))
        identifier = started["operationIdentifier"]
        _wait(ctx, lambda: client.get_baseline_operation(operationIdentifier=identifier)["baselineOperation"],
              f"ResetEnabledBaseline {identifier}")
        return f"reset {enabled}"
    after = change.after or {}
    target = _ou_arn(ctx, after["ou"])
    params: dict[str, Any] = {
        "baselineIdentifier": after["baseline"],
        "baselineVersion": after["version"],
        "targetIdentifier": target,
    }
    if after.get("identity_center_baseline"):
        params["parameters"] = [{"key": IDENTITY_CENTER_PARAMETER, "value": after["identity_center_baseline"]}]
    try:
        started = _start(ctx, lambda: client.enable_baseline(**params))
    except ClientError as exc:
        if error_code(exc) == "ValidationException" and "already enabled" in str(exc).lower():
            return f"{target} was already registered"
        raise
    identifier = started["operationIdentifier"]
    _wait(ctx, lambda: client.get_baseline_operation(operationIdentifier=identifier)["baselineOperation"],
          f"EnableBaseline on {after['ou']} ({identifier})")
    return f"registered {target}"


def apply_control(change: Change, ctx: ApplyContext) -> str:
    client = controltower(ctx)
    fields = change.after or change.before or {}
    target = _ou_arn(ctx, fields["ou"])
    control = fields["control"]
    enabling = change.action is Action.CREATE
    call = client.enable_control if enabling else client.disable_control
    try:
        started = _start(ctx, lambda: call(controlIdentifier=control, targetIdentifier=target))
    except ClientError as exc:
        if enabling and "already enabled" in str(exc).lower():
            return f"{control} was already enabled"
        if not enabling and error_code(exc) == "ResourceNotFoundException":
            return f"{control} was already disabled"
        raise
    identifier = started["operationIdentifier"]
    verb = "EnableControl" if enabling else "DisableControl"
    _wait(ctx, lambda: client.get_control_operation(operationIdentifier=identifier)["controlOperation"],
          f"{verb} {control} on {fields['ou']} ({identifier})")
    return f"{'enabled' if enabling else 'disabled'} {control} on {target}"
