"""Stack set operations: started by a request (or by auto-deployment), run in the background.

AWS runs every stack set operation asynchronously (CFN-API DescribeStackSetOperation: RUNNING,
then SUCCEEDED / FAILED; QUEUED behind another). Here time is counted in status reads, as for
the other emulators: every StackSets read naming the stack set (DescribeStackSet,
ListStackInstances, DescribeStackInstance, DescribeStackSetOperation, ListStackSetOperations,
ListStackSetOperationResults) is one poll of its running operation, and the
`stack_set_polls`-th poll completes it. Then every target account and region is done at once:
its stack created, updated or deleted in the member account (`stacks`), or failed by an injected
fault, a missing parameter or moto's own refusal. Before moto sees an instance's template, the
AWS::LanguageExtensions transform is expanded for its account and Region (language_extensions)
and the intrinsics moto lacks are evaluated (intrinsics). Failure tolerance (FailureToleranceCount /
FailureTolerancePercentage, default 0) is per Region; past it the operation FAILS and, with
SEQUENTIAL Regions (the default), the later Regions are CANCELLED (aws-facts 4.2).
One operation runs at a time per stack set; the next queued one starts at the next poll.
"""
from __future__ import annotations

import json
from typing import Any

from vending.local.cloudformation import errors as err
from vending.local.cloudformation import intrinsics, language_extensions, resources, stacks, template
from vending.local.cloudformation.store import Item, key, new_uuid, now
from vending.local.cloudformation.targets import suspended, org_backend

IN_FLIGHT = ("RUNNING", "QUEUED")
GATE = {"Status": "SKIPPED", "StatusReason": "No account gate function is configured."}


def busy(item: Item) -> bool:
    return any(o["Status"] in IN_FLIGHT for o in item["operations"].values())


def start(item: Item, settings: Any, action: str, targets: list[tuple[str, str, str | None]],
          params: dict[str, Any], *, fingerprint: Any = None, queue: bool = False) -> Item:
    """Record an operation on `targets` [(account, region, ou)] and mark its instances."""
    operation_id = params.get("OperationId") or new_uuid()
    running = busy(item)
    if running and not queue:
        raise err.in_progress(item["StackSetARN"])
    preferences = _preferences(params.get("OperationPreferences") or {})
    operation = {
        "OperationId": operation_id, "StackSetId": item["StackSetId"], "Action": action,
        "Status": "QUEUED" if running else "RUNNING", "OperationPreferences": preferences,
        "CreationTimestamp": now(), "fingerprint": fingerprint,
        "polls_left": max(1, getattr(settings, "stack_set_polls", 2)),
        "targets": [list(t) for t in targets], "retain": bool(params.get("RetainStacks")),
        "results": {key(a, r): {"Account": a, "Region": r, "Status": "PENDING",
                                "AccountGateResult": dict(GATE),
                                **({"OrganizationalUnitId": ou} if ou else {})}
                    for a, r, ou in targets},
    }
    if action == "DELETE":
        operation["RetainStacks"] = operation["retain"]
    if params.get("DeploymentTargets"):
        operation["DeploymentTargets"] = params["DeploymentTargets"]
    operation["StatusDetails"] = {"FailedStackInstancesCount": 0,
                                  "TotalStackInstancesCount": len(targets)}
    item["operations"][operation_id] = operation
    for account, region, _ in targets:
        instance = item["instances"].get(key(account, region))
        if instance is not None:
            instance["LastOperationId"] = operation_id
            instance["StackInstanceStatus"] = {"DetailedStatus": "PENDING"}
            if action != "DETECT_DRIFT":
                instance["Status"] = "OUTDATED"
    return operation


def _preferences(given: Item) -> Item:
    """The preferences as AWS reports them: defaults filled in (aws-facts 4.2)."""
    for pair in (("FailureToleranceCount", "FailureTolerancePercentage"),
                 ("MaxConcurrentCount", "MaxConcurrentPercentage")):
        if all(given.get(name) is not None for name in pair):
            raise err.validation(f"You can specify either {pair[0]} or {pair[1]}, but not both.")
    result = {"RegionConcurrencyType": "SEQUENTIAL", **given}
    if given.get("FailureTolerancePercentage") is None:
        result.setdefault("FailureToleranceCount", 0)
    if given.get("MaxConcurrentPercentage") is None:
        result.setdefault("MaxConcurrentCount", 1)
    return result


def advance(emulator: Any, item: Item, depth: int = 0) -> None:
    """One poll of the stack set's running operation (or start the next queued one). An
    auto-deployment waiting for its DependsOn stack sets polls theirs instead (time passes for
    them too) and starts once none has an operation in flight."""
    operations = item["operations"].values()
    operation = next((o for o in operations if o["Status"] == "RUNNING"), None)
    if operation is None:
        operation = next((o for o in operations if o["Status"] == "QUEUED"), None)
        if operation is None:
            return
    if _waiting(emulator, operation, depth):
        return
    operation["Status"] = "RUNNING"
    emulator.ctx.mark_changed()  # a poll that moves the operation on must be saved
    operation["polls_left"] -= 1
    if operation["polls_left"] > 0:
        for result in operation["results"].values():
            result["Status"] = "RUNNING"
            _detail(item, result, "RUNNING")
        return
    _complete(emulator, item, operation)


def _waiting(emulator: Any, operation: Item, depth: int) -> bool:
    """Polls the busy stack sets `operation` waits for; True while any still is."""
    arns = set(operation.get("waits_for") or ())
    if not arns or depth > 10:
        return False
    blocking = [other for other in emulator.store.all_sets() if other["StackSetARN"] in arns and busy(other)]
    for other in blocking:
        advance(emulator, other, depth + 1)
    return any(busy(other) for other in blocking)


def _detail(item: Item, result: Item, detailed: str) -> Item | None:
    instance = item["instances"].get(key(result["Account"], result["Region"]))
    if instance is not None:
        instance["StackInstanceStatus"] = {"DetailedStatus": detailed}
    return instance


def _regions(operation: Item) -> list[str]:
    order = list((operation["OperationPreferences"] or {}).get("RegionOrder") or [])
    for _, region, _ in operation["targets"]:
        if region not in order:
            order.append(region)
    return order


def _tolerance(preferences: Item, count: int) -> int:
    if preferences.get("FailureToleranceCount") is not None:
        return int(preferences["FailureToleranceCount"])
    if preferences.get("FailureTolerancePercentage") is not None:
        return count * int(preferences["FailureTolerancePercentage"]) // 100
    return 0


def _complete(emulator: Any, item: Item, operation: Item) -> None:
    preferences = operation["OperationPreferences"] or {}
    sequential = preferences.get("RegionConcurrencyType", "SEQUENTIAL") == "SEQUENTIAL"
    stopped_in: str | None = None
    failed = 0
    backend = org_backend(item["owner"])
    closed = suspended(backend) if backend is not None else set()
    for region in _regions(operation):
        results = [r for r in operation["results"].values() if r["Region"] == region]
        if stopped_in is not None and sequential:
            for result in results:
                result.update(Status="CANCELLED", StatusReason="Cancelled since failure "
                              f"tolerance has exceeded in region {stopped_in}")
                _detail(item, result, "CANCELLED")
            continue
        failures = sum(not _run(emulator, item, operation, r, closed) for r in results)
        failed += failures
        if failures > _tolerance(preferences, len(results)):
            stopped_in = stopped_in or region
    operation["StatusDetails"]["FailedStackInstancesCount"] = failed
    if operation["Action"] == "DETECT_DRIFT":
        _drift_details(item)
    operation.update(Status="FAILED" if stopped_in else "SUCCEEDED", EndTimestamp=now())
    if stopped_in:
        operation["StatusReason"] = (f"The operation failed in {failed} stack instance(s); the "
                                     f"failure tolerance was exceeded in {stopped_in}.")


def _run(emulator: Any, item: Item, operation: Item, result: Item, closed: set[str]) -> bool:
    """Do one account and region; False if it failed."""
    account, region = result["Account"], result["Region"]
    instance = item["instances"].get(key(account, region))
    action = operation["Action"]
    if instance is None:  # removed meanwhile (cannot happen while the operation runs)
        result["Status"] = "SUCCEEDED"
        return True
    if account in closed and action != "DELETE":
        result.update(Status="SUCCEEDED", StatusReason=err.SUSPENDED)
        instance.update(StackInstanceStatus={"DetailedStatus": "SKIPPED_SUSPENDED_ACCOUNT"},
                        Status="OUTDATED", StatusReason=err.SUSPENDED)
        return True
    reason = emulator.ctx.faults.take_stack_instance(item["StackSetName"], account, region)
    if reason is None:
        reason = _apply(emulator, item, operation, instance)
    if reason is None:
        result["Status"] = "SUCCEEDED"
        if action == "DELETE":
            del item["instances"][key(account, region)]
        elif action != "DETECT_DRIFT":
            instance.update(Status="CURRENT", StackInstanceStatus={"DetailedStatus": "SUCCEEDED"})
            instance.pop("StatusReason", None)
        else:
            instance["StackInstanceStatus"] = {"DetailedStatus": "SUCCEEDED"}
        return True
    result.update(Status="FAILED", StatusReason=reason)
    inoperable = action == "DELETE"
    instance.update(Status="INOPERABLE" if inoperable else "OUTDATED", StatusReason=reason,
                    StackInstanceStatus={"DetailedStatus": "INOPERABLE" if inoperable
                                         else "FAILED"})
    return False


def effective(item: Item, instance: Item) -> dict[str, str]:
    values = template.values(item["Parameters"], {})
    values.update(template.values(instance["ParameterOverrides"], {}))
    return values


def _apply(emulator: Any, item: Item, operation: Item, instance: Item) -> str | None:
    """The work on one stack; a StatusReason if it failed."""
    account, region = instance["Account"], instance["Region"]
    if operation["Action"] == "DETECT_DRIFT":
        drifted = emulator.ctx.faults.take_drift(item["StackSetName"], account, region)
        instance.update(DriftStatus="DRIFTED" if drifted or instance["DriftStatus"] == "DRIFTED"
                        else "IN_SYNC", LastDriftCheckTimestamp=now())
        return None
    if operation["Action"] == "DELETE":
        applied = instance.get("applied")
        if operation["retain"]:
            if applied:
                emulator.retained.append(dict(applied, account=account, region=region))
        elif applied:
            stacks.remove(account, region, applied["StackId"])
        return None
    return deploy_instance(item, instance)


def deploy_instance(item: Item, instance: Item) -> str | None:
    """Create or update the instance's stack from the stack set's template and values; a
    StatusReason if that failed."""
    account, region = instance["Account"], instance["Region"]
    body = item["TemplateBody"]
    parameters = effective(item, instance)
    parsed = template.parse(body)
    absent = template.missing(parsed, parameters)
    if absent:
        return f"ValidationError: Parameters: [{', '.join(absent)}] must have values"
    known = language_extensions.values(parsed, account, region, instance["stack_name"], parameters)
    try:
        ready = intrinsics.fill(language_extensions.expand(parsed, known), known)
    except language_extensions.TransformFailed as exc:
        return str(exc)
    if ready != parsed:
        body = json.dumps(ready)
    applied = dict(instance.get("applied") or {"name": instance["stack_name"]},
                   template=body, parameters=parameters)
    try:
        applied["StackId"] = stacks.deploy(account, region, applied)
    except resources.ResourceHandlerFailed as exc:
        return str(exc)
    except Exception as exc:  # moto refusing the template's resources: the instance fails
        return f"{type(exc).__name__}: {exc}"
    instance.update(applied=applied, StackId=applied["StackId"], DriftStatus="NOT_CHECKED")
    instance.pop("LastDriftCheckTimestamp", None)
    return None


def _drift_details(item: Item) -> None:
    instances = list(item["instances"].values())
    drifted = sum(i["DriftStatus"] == "DRIFTED" for i in instances)
    item["StackSetDriftDetectionDetails"] = {
        "DriftStatus": "DRIFTED" if drifted else "IN_SYNC", "DriftDetectionStatus": "COMPLETED",
        "LastDriftCheckTimestamp": now(), "TotalStackInstancesCount": len(instances),
        "DriftedStackInstancesCount": drifted,
        "InSyncStackInstancesCount": len(instances) - drifted,
        "InProgressStackInstancesCount": 0, "FailedStackInstancesCount": 0}


def stop(item: Item, operation: Item) -> None:
    """StopStackSetOperation: what has not run yet is CANCELLED (nothing runs half-way here)."""
    for result in operation["results"].values():
        result.update(Status="CANCELLED", StatusReason="The operation was stopped.")
        _detail(item, result, "CANCELLED")
    operation.update(Status="STOPPED", EndTimestamp=now())
