"""Control Tower baselines: ListBaselines, GetBaseline, EnableBaseline, DisableBaseline,
ResetEnabledBaseline, UpdateEnabledBaseline, GetEnabledBaseline, ListEnabledBaselines,
GetBaselineOperation (controltower API reference; aws-facts 1.4 and 1.7).

* Only OUs are targets, and only AWSControlTowerBaseline can be enabled on them; enabling it
  registers the OU. With the landing zone's IdentityCenterBaseline enabled, it needs the
  parameter IdentityCenterEnabledBaselineArn (user guide, baseline-api-examples).
* OU operations run one at a time in the landing zone ("OU operations: 1 concurrent, not
  adjustable", CT-QUOTA): starting a second one while one is IN_PROGRESS is a ConflictException.
* Registering an OU whose parent OU is not registered ends FAILED, as Control Tower only
  governs nested OUs below registered ones.
Messages are the emulator's own words unless marked.
"""
from __future__ import annotations

from typing import Any

from vending.local.controltower.state import (
    BASELINE_ARN,
    BASELINES,
    CONTROL_TOWER_BASELINE,
    IDENTITY_CENTER_BASELINE,
    IDENTITY_CENTER_PARAMETER,
    conflict,
    handles,
    in_progress,
    landing,
    not_found,
    polled_operation,
    org_backend,
    ou_arn,
    paged,
    registered,
    require_landing_zone,
    start_operation,
    suffix,
    target_ou,
    validation,
)
from vending.local.modeled import Call

_OPERATION_KEYS = ("operationIdentifier", "operationType", "status", "startTime", "endTime",
                   "statusMessage")
_FILTERS = {"targetIdentifiers": "targetIdentifier", "baselineIdentifiers": "baselineIdentifier",
            "parentIdentifiers": "parentIdentifier", "statuses": "status"}


def baseline_arn(region: str, baseline_id: str) -> str:
    return f"arn:aws:controltower:{region}::baseline/{baseline_id}"


def _baseline(call: Call[Any], arn: str) -> str:
    match = BASELINE_ARN.fullmatch(arn)
    if match is None:
        raise validation(f"The baseline identifier {arn} is not a valid baseline ARN.")
    if match.group(2) not in BASELINES or match.group(1) != call.region:
        raise not_found(f"Baseline {arn} was not found.")
    return match.group(2)


def summary(item: dict[str, Any]) -> dict[str, Any]:
    view = {k: item[k] for k in ("arn", "baselineIdentifier", "baselineVersion",
                                 "targetIdentifier") if item.get(k)}
    view["statusSummary"] = {"status": item["status"],
                             "lastOperationIdentifier": item["lastOperationIdentifier"]}
    view["driftStatusSummary"] = {"types": {"inheritance": {"status": "IN_SYNC"}}}
    return view


def _enabled(call: Call[Any], arn: str) -> dict[str, Any]:
    item = landing(call)["baselines"].get(arn)
    if item is None:
        raise not_found(f"Enabled baseline {arn} was not found.")
    return item


def _one_ou_operation(call: Call[Any]) -> None:
    running = in_progress(landing(call), "baseline")
    if running:
        raise conflict("AWS Control Tower cannot start this operation while another "
                       f"organizational unit operation ({running[0]['operationIdentifier']}) "
                       "is in progress. Try again when it completes.")


def _change(call: Call[Any], item: dict[str, Any], action: str, operation_type: str,
            changes: dict[str, Any] | None = None) -> dict[str, Any]:
    _one_ou_operation(call)
    op = start_operation(call, "baseline", operation_type, target=item["arn"], action=action,
                         changes=changes or {})
    item.update(status="UNDER_CHANGE", lastOperationIdentifier=op["operationIdentifier"])
    return {"operationIdentifier": op["operationIdentifier"]}


@handles("ListBaselines")
def list_baselines(call: Call[Any]) -> dict[str, Any]:
    """API_ListBaselines: the baselines this emulator knows."""
    items = [{"arn": baseline_arn(call.region, key), "name": name, "description": text}
             for key, (name, text, _) in BASELINES.items()]
    return paged(call, items, "baselines", 100)


@handles("GetBaseline")
def get_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_GetBaseline."""
    key = _baseline(call, call.params["baselineIdentifier"])
    name, text, _ = BASELINES[key]
    return {"arn": baseline_arn(call.region, key), "name": name, "description": text}


@handles("EnableBaseline")
def enable_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_EnableBaseline: registers an OU (AWSControlTowerBaseline); asynchronous."""
    p, state = call.params, landing(call)
    require_landing_zone(state)
    key = _baseline(call, p["baselineIdentifier"])
    if key != CONTROL_TOWER_BASELINE:
        raise validation(f"{BASELINES[key][0]} cannot be enabled on an organizational unit.")
    ou = target_ou(call, p["targetIdentifier"])
    target = ou_arn(org_backend(call.account_id), ou.id)  # canonical form of the target
    if any(b["targetIdentifier"] == target and b["baseline_id"] == key
           for b in state["baselines"].values()):
        raise validation(f"AWS Control Tower cannot enable the baseline {BASELINES[key][0]} "
                         f"on {ou.id}, because it is already enabled.")
    parameters = list(p.get("parameters") or [])
    identity_center = [b for b in state["baselines"].values()
                       if b["baseline_id"] == IDENTITY_CENTER_BASELINE]
    given = {entry["key"]: entry["value"] for entry in parameters}
    if identity_center and given.get(IDENTITY_CENTER_PARAMETER) != identity_center[0]["arn"]:
        raise validation(f"The parameter {IDENTITY_CENTER_PARAMETER} must be the ARN of the "
                         "landing zone's enabled IdentityCenterBaseline "
                         f"({identity_center[0]['arn']}).")
    _one_ou_operation(call)
    arn = f"arn:aws:controltower:{call.region}:{call.account_id}:enabledbaseline/{suffix(17)}"
    backend = org_backend(call.account_id)
    parent_ou = next((o for o in backend.ou if o.id == ou.parent_id and o.type != "ROOT"), None)
    failure = None
    if parent_ou is not None and not registered(state, ou_arn(backend, parent_ou.id)):
        failure = (f"AWS Control Tower cannot register {ou.id} because its parent "
                   f"organizational unit {parent_ou.id} is not registered.")
    op = start_operation(call, "baseline", "ENABLE_BASELINE", target=arn, action="enable",
                         failure=failure)
    state["baselines"][arn] = {
        "arn": arn, "baselineIdentifier": p["baselineIdentifier"], "baseline_id": key,
        "baselineVersion": p["baselineVersion"], "targetIdentifier": target,
        "parameters": parameters, "status": "UNDER_CHANGE", "tags": dict(p.get("tags") or {}),
        "lastOperationIdentifier": op["operationIdentifier"]}
    return {"operationIdentifier": op["operationIdentifier"], "arn": arn}


@handles("DisableBaseline")
def disable_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_DisableBaseline: asynchronous; the enabled baseline disappears when it succeeds."""
    return _change(call, _enabled(call, call.params["enabledBaselineIdentifier"]), "disable",
                   "DISABLE_BASELINE")


@handles("ResetEnabledBaseline")
def reset_enabled_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_ResetEnabledBaseline: re-applies the baseline (e.g. after accounts moved in)."""
    return _change(call, _enabled(call, call.params["enabledBaselineIdentifier"]), "reset",
                   "RESET_ENABLED_BASELINE")


@handles("UpdateEnabledBaseline")
def update_enabled_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateEnabledBaseline: new version/parameters, applied when the operation ends."""
    p = call.params
    changes: dict[str, Any] = {"baselineVersion": p["baselineVersion"]}
    if p.get("parameters") is not None:
        changes["parameters"] = list(p["parameters"])
    return _change(call, _enabled(call, p["enabledBaselineIdentifier"]), "update",
                   "UPDATE_ENABLED_BASELINE", changes)


@handles("GetEnabledBaseline")
def get_enabled_baseline(call: Call[Any]) -> dict[str, Any]:
    """API_GetEnabledBaseline."""
    item = _enabled(call, call.params["enabledBaselineIdentifier"])
    return {"enabledBaselineDetails": {**summary(item), "parameters": list(item["parameters"])}}


@handles("ListEnabledBaselines")
def list_enabled_baselines(call: Call[Any]) -> dict[str, Any]:
    """API_ListEnabledBaselines with its filters."""
    state = landing(call)
    items = [summary(b) for b in state["baselines"].values()]
    for key, field in _FILTERS.items():
        wanted = (call.params.get("filter") or {}).get(key)
        if wanted:
            items = [i for i in items if (i["statusSummary"]["status"] if field == "status"
                                          else i.get(field)) in wanted]
    return paged(call, items, "enabledBaselines", 100)


@handles("GetBaselineOperation")
def get_baseline_operation(call: Call[Any]) -> dict[str, Any]:
    """API_GetBaselineOperation."""
    return {"baselineOperation": polled_operation(call, "baseline", _OPERATION_KEYS)}
