"""Appliers for Control Tower OU registration and controls (the controltower API).

Every mutating controltower call is asynchronous and has no idempotency token (aws-facts
§1.7, §8.2): the applier polls the returned operation to SUCCEEDED or FAILED. Control Tower
runs one OU operation at a time; a ConflictException (another one in progress, perhaps from
the console) is waited out with backoff, reading the operations in progress meanwhile, within
`deadlines.OU_OPERATION_SLOT`. An operation the plan found in progress on an OU (an
interrupted apply) is waited for, not started again. Re-running after an interruption is safe:
"already enabled" answers count as done.
"""
from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.model.types import parse_path
from vending.plan.changes import Action, Change

IDENTITY_CENTER_PARAMETER = "IdentityCenterEnabledBaselineArn"


def controltower(ctx: ApplyContext) -> Any:
    return ctx.clients.client("controltower", ctx.home_region)


def _ou_arn(ctx: ApplyContext, ou: str) -> str:
    return ctx.live.ou_arn(ctx.ou_id(parse_path(ou)))


def _start(ctx: ApplyContext, call: Callable[[], dict], what: str) -> dict:
    """Start an operation; while another one holds Control Tower (ConflictException, e.g. from
    the console or an interrupted apply), read the operations in progress and try again."""

    def attempt() -> dict:
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) != "ConflictException":
                raise
            raise Refused(f"ConflictException: {exc.response.get('Error', {}).get('Message', '')}") from exc

    return until_admitted(ctx.polling, what, deadlines.OU_OPERATION_SLOT, attempt,
                          meanwhile=lambda: ou_operations(ctx))


def ou_operations(ctx: ApplyContext) -> dict[str, str]:
    """The baseline operations in progress, by id -> status: enabled baselines UNDER_CHANGE,
    each one's last operation read (there is no ListBaselineOperations)."""
    client = controltower(ctx)
    changing = [
        b["statusSummary"].get("lastOperationIdentifier")
        for page in client.get_paginator("list_enabled_baselines").paginate(
            filter={"statuses": ["UNDER_CHANGE"]}
        )
        for b in page.get("enabledBaselines", [])
    ]
    return {op: _baseline_operation(client, op)["status"] for op in changing if op}


def _baseline_operation(client: Any, identifier: str) -> dict:
    return client.get_baseline_operation(operationIdentifier=identifier)["baselineOperation"]


def _wait(ctx: ApplyContext, get: Callable[[], dict], what: str, deadline: float) -> dict:
    def read() -> tuple[str, dict | None]:
        operation = get()
        status = operation.get("status", "IN_PROGRESS")
        if status == "FAILED":
            raise ApplyFailure(f"{what} FAILED: {operation.get('statusMessage', 'no message')}")
        return status, operation if status == "SUCCEEDED" else None

    return poll(ctx.polling, what, deadline, read)


def _wait_baseline(ctx: ApplyContext, identifier: str, what: str) -> dict:
    client = controltower(ctx)
    return _wait(ctx, lambda: _baseline_operation(client, identifier), what, deadlines.OU_OPERATION)


def _await_in_flight(ctx: ApplyContext, change: Change) -> str:
    """An operation on the OU's baseline that vend did not start in this apply (an interrupted
    apply, the console): wait for it rather than start another."""
    fields = change.after or {}
    identifier = fields["operation"]
    what = f"Control Tower operation {identifier} on {fields['ou']}"
    operation = _wait_baseline(ctx, identifier, what)
    if operation.get("operationType") == "DISABLE_BASELINE":
        raise ApplyFailure(f"{what} disabled the OU's AWSControlTowerBaseline; run vend plan again to register it")
    return f"waited for {identifier} ({operation.get('operationType', 'operation')} SUCCEEDED)"


def apply_registration(change: Change, ctx: ApplyContext) -> str:
    client = controltower(ctx)
    if (change.after or {}).get("operation"):
        return _await_in_flight(ctx, change)
    if change.action is Action.DELETE:
        return _deregister(ctx, change.before or {})
    if change.action is Action.UPDATE:
        enabled = (change.before or {})["enabled_baseline"]
        started = _start(ctx, lambda: client.reset_enabled_baseline(enabledBaselineIdentifier=enabled),
                         f"ResetEnabledBaseline {enabled}")
        identifier = started["operationIdentifier"]
        _wait_baseline(ctx, identifier, f"ResetEnabledBaseline {identifier}")
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
        started = _start(ctx, lambda: client.enable_baseline(**params), f"EnableBaseline on {after['ou']}")
    except ClientError as exc:
        if error_code(exc) == "ValidationException" and "already enabled" in str(exc).lower():
            return f"{target} was already registered"
        raise
    identifier = started["operationIdentifier"]
    _wait_baseline(ctx, identifier, f"EnableBaseline on {after['ou']} ({identifier})")
    return f"registered {target}"


def _deregister(ctx: ApplyContext, before: dict) -> str:
    """DisableBaseline on a retired OU; gone already (a re-run after an interruption, or an
    operation the plan saw in progress) counts as done."""
    client = controltower(ctx)
    enabled = before["enabled_baseline"]
    try:
        started = _start(ctx, lambda: client.disable_baseline(enabledBaselineIdentifier=enabled),
                         f"DisableBaseline on {before['ou']}")
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return f"{enabled} was already disabled"
        raise
    identifier = started["operationIdentifier"]
    _wait_baseline(ctx, identifier, f"DisableBaseline on {before['ou']} ({identifier})")
    return f"deregistered {before['ou']} (disabled {enabled})"


def apply_control(change: Change, ctx: ApplyContext) -> str:
    client = controltower(ctx)
    fields = change.after or change.before or {}
    target = _ou_arn(ctx, fields["ou"])
    control = fields["control"]
    enabling = change.action is Action.CREATE
    call = client.enable_control if enabling else client.disable_control
    try:
        started = _start(ctx, lambda: call(controlIdentifier=control, targetIdentifier=target),
                         f"{'EnableControl' if enabling else 'DisableControl'} {control} on {fields['ou']}")
    except ClientError as exc:
        if enabling and "already enabled" in str(exc).lower():
            return f"{control} was already enabled"
        if not enabling and error_code(exc) == "ResourceNotFoundException":
            return f"{control} was already disabled"
        raise
    identifier = started["operationIdentifier"]
    verb = "EnableControl" if enabling else "DisableControl"
    _wait(ctx, lambda: client.get_control_operation(operationIdentifier=identifier)["controlOperation"],
          f"{verb} {control} on {fields['ou']} ({identifier})", deadlines.CONTROL_OPERATION)
    return f"{'enabled' if enabling else 'disabled'} {control} on {target}"
