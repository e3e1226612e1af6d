"""sso-admin: account assignments and provisioning, asynchronous as in AWS.

A request is recorded IN_PROGRESS and takes effect when it ends, `ASYNC_POLLS` reads later
(`step`): an assignment appears (and provisions the set's latest version to its account) or
goes; a provisioning brings every account the set is provisioned to up to its latest version.
A creation FAILs, as in AWS, when the set names a customer managed policy the account lacks
(aws-facts §11.1); the FailureReason is vend's wording of that case (AWS's is unconfirmed).
"""
from __future__ import annotations

from typing import Any

from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call
from vending.local.ssoadmin.handlers import sso
from vending.local.ssoadmin.permission_sets import _page
from vending.local.ssoadmin.store import ASYNC_POLLS, OUTSTANDING_CREATIONS, PROVISIONED_PER_ACCOUNT, IdentityStore, now

STATUS_KEYS = {"create": "AccountAssignmentCreationStatus", "delete": "AccountAssignmentDeletionStatus",
               "provision": "PermissionSetProvisioningStatus"}


def _key(call: Call[Any]) -> list[str]:
    p = call.params
    return [p["TargetId"], p["PermissionSetArn"], p["PrincipalType"], p["PrincipalId"]]


def _checked(call: Call[Any]) -> list[str]:
    store: IdentityStore = call.emulator.store
    store.permission_set(call)
    key = _key(call)
    if key[2] == "GROUP" and key[3] not in store.groups:
        raise AwsServiceError("ResourceNotFoundException", f"Principal {key[3]} of type GROUP does not exist in"
                              f" identity store {store.instance['IdentityStoreId']}")  # type: ignore[index]
    if key[2] == "USER":
        raise AwsServiceError("ResourceNotFoundException", f"Principal {key[3]} of type USER does not exist in"
                              f" identity store {store.instance['IdentityStoreId']}")  # type: ignore[index]
    org = organizations_backends[call.account_id]["aws"]
    if not any(a.id == key[0] and a.status == "ACTIVE" for a in org.accounts):
        raise AwsServiceError("ValidationException", f"TargetId {key[0]} is not an active account of the"
                              " organization")  # AWS's code and wording are unconfirmed
    return key


def _status(request: dict[str, Any]) -> dict[str, Any]:
    out = {"Status": request["Status"], "RequestId": request["RequestId"], "CreatedDate": request["CreatedDate"]}
    if request.get("FailureReason"):
        out["FailureReason"] = request["FailureReason"]
    if request["Kind"] == "provision":
        out["PermissionSetArn"] = request["Key"][1]
        return out
    account, ps, ptype, pid = request["Key"]
    return {**out, "TargetId": account, "TargetType": "AWS_ACCOUNT", "PermissionSetArn": ps, "PrincipalType": ptype,
            "PrincipalId": pid}


def _start(store: IdentityStore, kind: str, key: list[str]) -> dict[str, Any]:
    request = {"Kind": kind, "Key": key, "Status": "IN_PROGRESS", "RequestId": store.uuid(), "CreatedDate": now(),
               "PollsLeft": ASYNC_POLLS}
    store.requests[request["RequestId"]] = request
    return {STATUS_KEYS[kind]: _status(request)}


@sso("CreateAccountAssignment")
def create_account_assignment(call: Call[Any]) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    key = _checked(call)
    running = sum(1 for r in store.requests.values() if r["Kind"] == "create" and r["Status"] == "IN_PROGRESS")
    if running >= OUTSTANDING_CREATIONS:
        raise AwsServiceError("ThrottlingException", f"More than {OUTSTANDING_CREATIONS} CreateAccountAssignment"
                              " requests are in progress; retry later")
    on_account = {ps for ps, accounts in store.provisioned.items() if key[0] in accounts}
    if key[1] not in on_account and len(on_account) >= PROVISIONED_PER_ACCOUNT:
        raise AwsServiceError("ServiceQuotaExceededException", f"Account {key[0]} already has"
                              f" {PROVISIONED_PER_ACCOUNT} permission sets provisioned")
    return _start(store, "create", key)


@sso("DeleteAccountAssignment")
def delete_account_assignment(call: Call[Any]) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    store.permission_set(call)
    key = _key(call)
    if key not in store.assignments:
        raise AwsServiceError("ResourceNotFoundException", "The account assignment does not exist")
    return _start(store, "delete", key)


def _request(call: Call[Any], param: str, kind: str) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    store.instance_for(call, call.params["InstanceArn"])
    found = store.requests.get(call.params[param])
    if found is None or found["Kind"] != kind:
        raise AwsServiceError("ResourceNotFoundException", f"Request {call.params[param]} does not exist")
    return {STATUS_KEYS[kind]: _status(found)}


@sso("DescribeAccountAssignmentCreationStatus")
def describe_creation(call: Call[Any]) -> dict[str, Any]:
    return _request(call, "AccountAssignmentCreationRequestId", "create")


@sso("DescribeAccountAssignmentDeletionStatus")
def describe_deletion(call: Call[Any]) -> dict[str, Any]:
    return _request(call, "AccountAssignmentDeletionRequestId", "delete")


@sso("ProvisionPermissionSet")
def provision_permission_set(call: Call[Any]) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    store.permission_set(call)
    target = call.params["TargetType"]
    if (target == "AWS_ACCOUNT") != bool(call.params.get("TargetId")):
        raise AwsServiceError("ValidationException", "TargetId is required with TargetType AWS_ACCOUNT, and only"
                              " with it")
    return _start(store, "provision", [call.params.get("TargetId", ""), call.params["PermissionSetArn"], target, ""])


@sso("DescribePermissionSetProvisioningStatus")
def describe_provisioning(call: Call[Any]) -> dict[str, Any]:
    return _request(call, "ProvisionPermissionSetRequestId", "provision")


@sso("ListAccountAssignments")
def list_account_assignments(call: Call[Any]) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    store.permission_set(call)
    rows = [a for a in store.assignments if a[0] == call.params["AccountId"] and a[1] == call.params["PermissionSetArn"]]
    items, more = _page(call, [_row(a) for a in rows])
    return {"AccountAssignments": items, **more}


@sso("ListAccountAssignmentsForPrincipal")
def list_for_principal(call: Call[Any]) -> dict[str, Any]:
    store: IdentityStore = call.emulator.store
    store.instance_for(call, call.params["InstanceArn"])
    account = (call.params.get("Filter") or {}).get("AccountId")
    rows = [a for a in store.assignments if a[2] == call.params["PrincipalType"] and a[3] == call.params["PrincipalId"]
            and (account is None or a[0] == account)]
    items, more = _page(call, [_row(a) for a in sorted(rows)])
    return {"AccountAssignments": items, **more}


def _row(a: list[str]) -> dict[str, str]:
    return {"AccountId": a[0], "PermissionSetArn": a[1], "PrincipalType": a[2], "PrincipalId": a[3]}


def step(store: IdentityStore) -> bool:
    """One read's worth of time for every request in flight; True if any changed."""
    changed = False
    for request in store.requests.values():
        if request["Status"] != "IN_PROGRESS":
            continue
        changed = True
        request["PollsLeft"] -= 1
        if request["PollsLeft"] <= 0:
            _finish(store, request)
    return changed


def _finish(store: IdentityStore, request: dict[str, Any]) -> None:
    account, ps, _, _ = request["Key"]
    found = store.permission_sets.get(ps)
    if found is None:
        request.update(Status="FAILED", FailureReason=f"PermissionSet {ps} was deleted")
        return
    if request["Kind"] == "provision":
        versions = store.provisioned.setdefault(ps, {})
        for target in ([account] if account else list(versions)):
            versions[target] = found["Version"]
    elif request["Kind"] == "create":
        missing = _missing_policies(account, found)
        if missing:
            request.update(Status="FAILED", FailureReason=f"Received a 404 status error: Not supported policy"
                           f" {missing}. The customer managed policy does not exist in account {account}")
            return
        if request["Key"] not in store.assignments:
            store.assignments.append(list(request["Key"]))
        store.provisioned.setdefault(ps, {})[account] = found["Version"]
    else:
        if request["Key"] in store.assignments:
            store.assignments.remove(request["Key"])
        if not any(a[0] == account and a[1] == ps for a in store.assignments):
            store.provisioned.get(ps, {}).pop(account, None)
    request["Status"] = "SUCCEEDED"


def _missing_policies(account: str, found: dict[str, Any]) -> str | None:
    """The first customer managed policy (boundary included) the account does not have."""
    refs = list(found["Customer"])
    if found["Boundary"] and "CustomerManagedPolicyReference" in found["Boundary"]:
        refs.append(found["Boundary"]["CustomerManagedPolicyReference"])
    policies = iam_backends[account]["global"].managed_policies
    for ref in refs:
        arn = f"arn:aws:iam::{account}:policy{ref.get('Path', '/')}{ref['Name']}"
        if arn not in policies:
            return arn
    return None
