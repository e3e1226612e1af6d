"""Control Tower controls: EnableControl, DisableControl, ListEnabledControls,
GetEnabledControl, GetControlOperation (controltower API reference; aws-facts 1.4 and 1.7).

* Control ARNs: `arn:aws:controltower:<region>::control/<ID>` or the global
  `arn:aws:controlcatalog:::control/<ID>`; anything else is a ValidationException. The lists
  return the form given at enable time. Identifiers are not checked against the Control
  Catalog (any well-formed one is accepted), so enabling a control again under its *other*
  ARN form is not caught as "already enabled", which AWS does (aws-facts 1.7).
* The target must be a registered OU: AWS says "Organizational unit ou-... is not registered
  with AWS Control Tower." with ResourceNotFoundException (aws-solutions/
  aws-control-tower-customizations issue #167).
* At most 100 control operations in progress (CT-LIMITS, newest): the 101st is a
  ServiceQuotaExceededException.
"""
from __future__ import annotations

from typing import Any

from vending.local.controltower.state import (
    CONTROL_ARN,
    handles,
    in_progress,
    landing,
    not_found,
    polled_operation,
    org_backend,
    ou_arn,
    paged,
    quota_exceeded,
    registered,
    require_landing_zone,
    start_operation,
    suffix,
    target_ou,
    validation,
)
from vending.local.modeled import Call

MAX_CONTROL_OPERATIONS = 100
_OPERATION_KEYS = ("operationType", "startTime", "endTime", "status", "statusMessage",
                   "operationIdentifier", "controlIdentifier", "targetIdentifier",
                   "enabledControlIdentifier")
_SUMMARY_KEYS = ("arn", "controlIdentifier", "targetIdentifier")


def summary(item: dict[str, Any]) -> dict[str, Any]:
    view = {k: item[k] for k in _SUMMARY_KEYS}
    view["statusSummary"] = {"status": item["status"],
                             "lastOperationIdentifier": item["lastOperationIdentifier"]}
    drift = item.get("driftStatus", "IN_SYNC")  # a rehearsal's copy keeps the drift it read
    if drift:
        view["driftStatusSummary"] = {"driftStatus": drift}
    return view


def _registered_target(call: Call[Any], arn: str) -> str:
    ou = target_ou(call, arn)
    target = ou_arn(org_backend(call.account_id), ou.id)
    if not registered(landing(call), target):
        raise not_found(f"Organizational unit {ou.id} is not registered with AWS Control Tower.")
    return target


def _room_for_one_more(call: Call[Any]) -> None:
    if len(in_progress(landing(call), "control")) >= MAX_CONTROL_OPERATIONS:
        raise quota_exceeded("The request would cause a service quota to be exceeded: at most "
                             f"{MAX_CONTROL_OPERATIONS} control operations can be in progress.")


@handles("EnableControl")
def enable_control(call: Call[Any]) -> dict[str, Any]:
    """API_EnableControl: asynchronous; "already enabled" is a ValidationException."""
    p, state = call.params, landing(call)
    require_landing_zone(state)
    control = p["controlIdentifier"]
    if not CONTROL_ARN.fullmatch(control):
        raise validation(f"The control identifier {control} is not a valid control ARN.")
    target = _registered_target(call, p["targetIdentifier"])
    if any(c["controlIdentifier"] == control and c["targetIdentifier"] == target
           for c in state["controls"].values()):
        raise validation(f"AWS Control Tower cannot enable the control {control} on "
                         f"{target.rsplit('/', 1)[-1]}, because it is already enabled.")
    _room_for_one_more(call)
    arn = f"arn:aws:controltower:{call.region}:{call.account_id}:enabledcontrol/{suffix(16)}"
    op = start_operation(call, "control", "ENABLE_CONTROL", target=arn, action="enable",
                         controlIdentifier=control, targetIdentifier=target,
                         enabledControlIdentifier=arn)
    state["controls"][arn] = {
        "arn": arn, "controlIdentifier": control, "targetIdentifier": target,
        "parameters": list(p.get("parameters") or []), "tags": dict(p.get("tags") or {}),
        "status": "UNDER_CHANGE", "lastOperationIdentifier": op["operationIdentifier"]}
    return {"operationIdentifier": op["operationIdentifier"], "arn": arn}


@handles("DisableControl")
def disable_control(call: Call[Any]) -> dict[str, Any]:
    """API_DisableControl by enabledControlIdentifier, or controlIdentifier + targetIdentifier."""
    p, state = call.params, landing(call)
    if p.get("enabledControlIdentifier"):
        item = state["controls"].get(p["enabledControlIdentifier"])
    elif p.get("controlIdentifier") and p.get("targetIdentifier"):
        target = _registered_target(call, p["targetIdentifier"])
        item = next((c for c in state["controls"].values()
                     if c["controlIdentifier"] == p["controlIdentifier"]
                     and c["targetIdentifier"] == target), None)
    else:
        raise validation("Give enabledControlIdentifier, or controlIdentifier and "
                         "targetIdentifier.")
    if item is None:
        raise not_found("The control is not enabled on the target.")
    _room_for_one_more(call)
    op = start_operation(call, "control", "DISABLE_CONTROL", target=item["arn"],
                         action="disable", controlIdentifier=item["controlIdentifier"],
                         targetIdentifier=item["targetIdentifier"],
                         enabledControlIdentifier=item["arn"])
    item.update(status="UNDER_CHANGE", lastOperationIdentifier=op["operationIdentifier"])
    return {"operationIdentifier": op["operationIdentifier"]}


@handles("ListEnabledControls")
def list_enabled_controls(call: Call[Any]) -> dict[str, Any]:
    """API_ListEnabledControls by targetIdentifier and filter."""
    p, state = call.params, landing(call)
    items = list(state["controls"].values())
    if p.get("targetIdentifier"):
        target = ou_arn(org_backend(call.account_id), target_ou(call, p["targetIdentifier"]).id)
        items = [c for c in items if c["targetIdentifier"] == target]
    wanted = p.get("filter") or {}
    if wanted.get("controlIdentifiers"):
        items = [c for c in items if c["controlIdentifier"] in wanted["controlIdentifiers"]]
    if wanted.get("statuses"):
        items = [c for c in items if c["status"] in wanted["statuses"]]
    return paged(call, [summary(c) for c in items], "enabledControls", 200)


@handles("GetEnabledControl")
def get_enabled_control(call: Call[Any]) -> dict[str, Any]:
    """API_GetEnabledControl."""
    state = landing(call)
    item = state["controls"].get(call.params["enabledControlIdentifier"])
    if item is None:
        raise not_found(f"Enabled control {call.params['enabledControlIdentifier']} was not "
                        "found.")
    details = summary(item)
    details.update(targetRegions=[{"name": call.region}], parameters=list(item["parameters"]))
    return {"enabledControlDetails": details}


@handles("GetControlOperation")
def get_control_operation(call: Call[Any]) -> dict[str, Any]:
    """API_GetControlOperation."""
    return {"controlOperation": polled_operation(call, "control", _OPERATION_KEYS)}
