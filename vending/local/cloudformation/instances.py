"""Stack instances and operations: Create/Update/DeleteStackInstances, ListStackInstances,
DescribeStackInstance, DescribeStackSetOperation, ListStackSetOperations,
ListStackSetOperationResults, StopStackSetOperation, DetectStackSetDrift,
ListStackSetAutoDeploymentTargets. Sources: CFN-API pages of each operation, aws-facts 4, 14a.
"""
from __future__ import annotations

from typing import Any

from vending.local.cloudformation import errors as err
from vending.local.cloudformation import operations, targets, template
from vending.local.cloudformation.autodeploy import new_instance
from vending.local.cloudformation.calls import fingerprint, handles, paged, replay, stack_set
from vending.local.cloudformation.store import Item, instance_view, key, operation_view
from vending.local.modeled import Call

Targets = list[tuple[str, str, "str | None"]]


def _resolve(call: Call[Any], item: Item) -> tuple[list[tuple[str, str | None]], list[str]]:
    backend = targets.org_backend(item["owner"])
    return targets.resolve(backend, item["PermissionModel"], call.params, call.operation)


def _overrides(call: Call[Any], item: Item, previous: list[dict[str, Any]]) -> list[Any] | None:
    given = call.params.get("ParameterOverrides")
    if given is None:
        return None
    values = template.values(list(given), template.values(previous, {}))
    template.check_keys(template.parse(item["TemplateBody"]), list(values))
    return template.as_list(values)


def _start(call: Call[Any], item: Item, action: str, chosen: Targets) -> dict[str, Any]:
    managed = item["ManagedExecution"]["Active"]
    operation = operations.start(item, call.settings, action, chosen, call.params,
                                 fingerprint=fingerprint(call), queue=managed)
    return {"OperationId": operation["OperationId"]}


@handles("CreateStackInstances")
def create_stack_instances(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call)
    replayed = replay(call, item)
    if replayed:
        return replayed
    if operations.busy(item) and not item["ManagedExecution"]["Active"]:
        raise err.in_progress(item["StackSetARN"])
    resolved, ous = _resolve(call, item)
    overrides = _overrides(call, item, [])
    regions = list(dict.fromkeys(call.params["Regions"]))
    fresh = [(a, r) for a, _ in resolved for r in regions if key(a, r) not in item["instances"]]
    quota = call.settings.stack_instance_quota
    if len(item["instances"]) + len(fresh) > quota:
        raise err.limit(f"The StackSet {item['StackSetName']} would have "
                        f"{len(item['instances']) + len(fresh)} stack instances; the quota is "
                        f"{quota} stack instances per StackSet.")
    chosen: Targets = []
    for account, ou in resolved:
        for region in regions:
            instance = item["instances"].get(key(account, region)) or new_instance(
                item, account, region, ou)
            if overrides is not None:
                instance["ParameterOverrides"] = overrides
            chosen.append((account, region, instance.get("OrganizationalUnitId")))
    for ou in ous:
        item["auto_targets"][ou] = sorted(set(item["auto_targets"].get(ou, [])) | set(regions))
    return _start(call, item, "CREATE", chosen)


def _existing(call: Call[Any], item: Item) -> Targets:
    """The instances a request selects; StackInstanceNotFound for a listed account without one.
    Its OUs must be targets of the stack set: "Organizational unit ou-... not found in StackSet"
    is what AWS answers otherwise (hashicorp/terraform-provider-aws issue #27877)."""
    resolved, ous = _resolve(call, item)
    if item["PermissionModel"] == "SERVICE_MANAGED":
        for ou in ous:
            if ou not in item["auto_targets"]:
                raise err.validation(f"Organizational unit {ou} not found in StackSet")
    targets_given = call.params.get("DeploymentTargets") or {}
    listed = set(call.params.get("Accounts") or targets_given.get("Accounts") or [])
    if targets_given.get("AccountFilterType") == "DIFFERENCE":
        listed = set()
    chosen: Targets = []
    for account, _ in resolved:
        for region in dict.fromkeys(call.params["Regions"]):
            instance = item["instances"].get(key(account, region))
            if instance is not None:
                chosen.append((account, region, instance.get("OrganizationalUnitId")))
            elif account in listed and call.operation == "UpdateStackInstances":
                raise err.instance_not_found(item["StackSetName"], account, region)
    return chosen


@handles("UpdateStackInstances")
def update_stack_instances(call: Call[Any]) -> dict[str, Any]:
    """Overrides apply to the instances that exist now, never to accounts added later."""
    item = stack_set(call)
    replayed = replay(call, item)
    if replayed:
        return replayed
    if operations.busy(item) and not item["ManagedExecution"]["Active"]:
        raise err.in_progress(item["StackSetARN"])
    chosen = _existing(call, item)
    for account, region, _ in chosen:
        instance = item["instances"][key(account, region)]
        overrides = _overrides(call, item, instance["ParameterOverrides"])
        if overrides is not None:
            instance["ParameterOverrides"] = overrides
    return _start(call, item, "UPDATE", chosen)


@handles("DeleteStackInstances")
def delete_stack_instances(call: Call[Any]) -> dict[str, Any]:
    """Targeted OUs stop being auto-deployment targets in those Regions when the whole OU is
    removed (AccountFilterType NONE); deleting some accounts' instances (INTERSECTION,
    DIFFERENCE) leaves the OU a target, so accounts joining it later still get instances. (The
    emulator's reading of CFN-API DeploymentTargets; AWS does not spell it out.)"""
    item = stack_set(call)
    replayed = replay(call, item)
    if replayed:
        return replayed
    if operations.busy(item) and not item["ManagedExecution"]["Active"]:
        raise err.in_progress(item["StackSetARN"])
    chosen = _existing(call, item)
    regions = set(call.params["Regions"])
    targets = call.params.get("DeploymentTargets") or {}
    whole = (targets.get("AccountFilterType") or "NONE") == "NONE"
    for ou in targets.get("OrganizationalUnitIds") or [] if whole else []:
        left = sorted(set(item["auto_targets"].get(ou, [])) - regions)
        if left:
            item["auto_targets"][ou] = left
        else:
            item["auto_targets"].pop(ou, None)
    return _start(call, item, "DELETE", chosen)


FILTERS = {"DETAILED_STATUS": lambda i: i["StackInstanceStatus"]["DetailedStatus"],
           "LAST_OPERATION_ID": lambda i: i.get("LastOperationId"),
           "DRIFT_STATUS": lambda i: i["DriftStatus"]}


@handles("ListStackInstances")
def list_stack_instances(call: Call[Any]) -> dict[str, Any]:
    p, item = call.params, stack_set(call, poll=True)
    found = [i for i in item["instances"].values()
             if p.get("StackInstanceAccount") in (None, i["Account"])
             and p.get("StackInstanceRegion") in (None, i["Region"])
             and all(FILTERS[f["Name"]](i) == f["Values"] for f in p.get("Filters") or [])]
    return paged(call, [instance_view(item, i, summary=True) for i in found], "Summaries")


@handles("DescribeStackInstance")
def describe_stack_instance(call: Call[Any]) -> dict[str, Any]:
    p, item = call.params, stack_set(call, poll=True)
    instance = item["instances"].get(key(p["StackInstanceAccount"], p["StackInstanceRegion"]))
    if instance is None:
        raise err.instance_not_found(item["StackSetName"], p["StackInstanceAccount"],
                                     p["StackInstanceRegion"])
    return {"StackInstance": instance_view(item, instance)}


def _operation(call: Call[Any], item: Item) -> Item:
    operation = item["operations"].get(call.params["OperationId"])
    if operation is None:
        raise err.operation_not_found(call.params["OperationId"])
    return operation


@handles("DescribeStackSetOperation")
def describe_stack_set_operation(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call, poll=True)
    return {"StackSetOperation": operation_view(_operation(call, item))}


@handles("ListStackSetOperations")
def list_stack_set_operations(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call, poll=True)
    views = [operation_view(o, summary=True) for o in item["operations"].values()]
    return paged(call, views, "Summaries")


@handles("ListStackSetOperationResults")
def list_stack_set_operation_results(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call, poll=True)
    results = list(_operation(call, item)["results"].values())
    for wanted in call.params.get("Filters") or []:
        results = [r for r in results if r["Status"] == wanted["Values"]]
    return paged(call, [dict(r) for r in results], "Summaries")


@handles("StopStackSetOperation")
def stop_stack_set_operation(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call)
    operation = _operation(call, item)
    if operation["Status"] not in operations.IN_FLIGHT:
        raise err.invalid_operation(f"Operation {operation['OperationId']} is not running.")
    operations.stop(item, operation)
    return {}


@handles("DetectStackSetDrift")
def detect_stack_set_drift(call: Call[Any]) -> dict[str, Any]:
    """An operation over every instance; drift comes from `Faults.drift` (moto has none)."""
    item = stack_set(call)
    replayed = replay(call, item)
    if replayed:
        return replayed
    chosen = [(i["Account"], i["Region"], i.get("OrganizationalUnitId"))
              for i in item["instances"].values() if i.get("StackId")]
    return _start(call, item, "DETECT_DRIFT", chosen)


@handles("ListStackSetAutoDeploymentTargets")
def list_stack_set_auto_deployment_targets(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call)
    views = [{"OrganizationalUnitId": ou, "Regions": regions}
             for ou, regions in sorted(item["auto_targets"].items())]
    return paged(call, views, "Summaries")
