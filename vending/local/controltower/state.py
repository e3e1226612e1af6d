"""The Control Tower emulator's state, identifiers, errors and asynchronous operations.

State is one plain dict per management account (`Landing`), persisted with the other
emulators: the landing zone, enabled baselines and controls by ARN, operations by id, and the
Account Factory's portfolio/product ids. Formats are those of the controltower API reference
(botocore `controltower/2018-05-10`, aws-facts 1.7): operation ids are UUIDs (36 characters),
`enabledbaseline/` + 17 and `enabledcontrol/` + 16 uppercase alphanumerics (as in the user
guide's and the AWS CLI's examples), OU targets
`arn:aws:organizations::<management>:ou/o-<org>/ou-<id>`.

Every mutating call is an operation that stays IN_PROGRESS for `operation_polls` reads, then
SUCCEEDED or FAILED (`advance`); the resources it changes show `UNDER_CHANGE` meanwhile. Every
controltower read of the management account is one such read of each operation in flight
(`step`, run by the dispatcher before the read), so an operation completes as time passes even
if nobody asks for its status (e.g. one started by an apply that was killed).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from moto.moto_api._internal import mock_random
from moto.organizations.models import (
    FakeOrganizationalUnit,
    OrganizationsBackend,
    organizations_backends,
)

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page, registry

Landing = dict[str, Any]
HANDLERS, handles = registry()

CONTROL_TOWER_BASELINE = "17BSJV3IGJ2QSGA2"
IDENTITY_CENTER_BASELINE = "LN25R72TTG6IGPTQ"
BASELINES = {
    CONTROL_TOWER_BASELINE: ("AWSControlTowerBaseline", "Sets up resources and mandatory controls "
                             "for member accounts within the target organizational unit.", "4.0"),
    IDENTITY_CENTER_BASELINE: ("IdentityCenterBaseline", "Sets up shared resources for AWS "
                               "Identity Center, which prepares the AWSControlTowerBaseline to "
                               "set up Identity Center access for accounts.", "1.0"),
}
"""Baseline id -> (name, description, newest version) (aws-facts 1.7, types-of-baselines)."""
IDENTITY_CENTER_PARAMETER = "IdentityCenterEnabledBaselineArn"
LANDING_ZONE_VERSION = "3.3"
OU_ARN = re.compile(r"arn:aws:organizations::(\d{12}):ou/(o-[a-z0-9]{10,32})/"
                    r"(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})")
BASELINE_ARN = re.compile(r"arn:aws:controltower:([a-z0-9-]+)::baseline/([A-Z0-9]{16})")
CONTROL_ARN = re.compile(r"arn:aws:(?:controltower:[a-z0-9-]+::control/[A-Za-z0-9_.-]+"
                         r"|controlcatalog:::control/[A-Za-z0-9_.-]+)")


def now() -> datetime:
    return datetime.now(timezone.utc)


def suffix(length: int) -> str:
    return mock_random.get_random_string(length).upper()


def operation_id() -> str:
    return str(mock_random.uuid4())


# ---------------------------------------------------------------- errors


def validation(message: str) -> AwsServiceError:
    return AwsServiceError("ValidationException", message)


def not_found(message: str) -> AwsServiceError:
    return AwsServiceError("ResourceNotFoundException", message)


def conflict(message: str) -> AwsServiceError:
    return AwsServiceError("ConflictException", message)


def quota_exceeded(message: str) -> AwsServiceError:
    return AwsServiceError("ServiceQuotaExceededException", message)


# ---------------------------------------------------------------- state


def landing(call: Call[Any]) -> Landing:
    return call.emulator.landing(call.account_id)


def require_landing_zone(state: Landing) -> dict[str, Any]:
    if state["landing_zone"] is None:
        raise not_found("No landing zone found. Set up AWS Control Tower first.")
    return state["landing_zone"]


def org_backend(account_id: str) -> OrganizationsBackend:
    return organizations_backends[account_id]["aws"]


def ou_arn(backend: OrganizationsBackend, ou_id: str) -> str:
    assert backend.org is not None
    return f"arn:aws:organizations::{backend.org.master_account_id}:ou/{backend.org.id}/{ou_id}"


def target_ou(call: Call[Any], arn: str) -> FakeOrganizationalUnit:
    """The OU an OU ARN names: ValidationException if it is not an OU ARN of this
    organization, ResourceNotFoundException if no such OU exists."""
    match = OU_ARN.fullmatch(arn)
    backend = org_backend(call.account_id)
    if match is None or backend.org is None or match.group(2) != backend.org.id:
        raise validation(f"The target {arn} is not a valid organizational unit ARN of this "
                         "organization. Only OUs are supported as targets.")
    found = next((o for o in backend.ou if o.id == match.group(3) and o.type != "ROOT"), None)
    if found is None:
        raise not_found(f"Organizational unit {match.group(3)} was not found.")
    return found


def registered(state: Landing, arn: str) -> bool:
    """Whether an OU has AWSControlTowerBaseline enabled (registered with Control Tower)."""
    return any(b["targetIdentifier"] == arn and b["baseline_id"] == CONTROL_TOWER_BASELINE
               and b["status"] == "SUCCEEDED" for b in state["baselines"].values())


def paged(call: Call[Any], items: list[Any], key: str, default: int) -> dict[str, Any]:
    chunk, following = page(items, call.params.get("maxResults"), call.params.get("nextToken"),
                            default, lambda: validation("The nextToken is not valid."))
    result: dict[str, Any] = {key: chunk}
    if following:
        result["nextToken"] = following
    return result


# ---------------------------------------------------------------- operations


def start_operation(call: Call[Any], kind: str, operation_type: str,
                    **fields: Any) -> dict[str, Any]:
    """Record an IN_PROGRESS operation; `fields` tell `advance` what to do when it ends."""
    op = {"operationIdentifier": operation_id(), "operationType": operation_type,
          "status": "IN_PROGRESS", "startTime": now(), "kind": kind,
          "polls_left": max(1, call.settings.operation_polls), **fields}
    landing(call)["operations"][op["operationIdentifier"]] = op
    return op


def in_progress(state: Landing, kind: str) -> list[dict[str, Any]]:
    return [o for o in state["operations"].values()
            if o["kind"] == kind and o["status"] == "IN_PROGRESS"]


def advance(state: Landing, op: dict[str, Any]) -> None:
    """One status read of an operation; the last applies its effect."""
    if op["status"] != "IN_PROGRESS":
        return
    op["polls_left"] -= 1
    if op["polls_left"] > 0:
        return
    table = state["baselines" if op["kind"] == "baseline" else "controls"]
    item = table.get(op.get("target", ""))
    failure = op.get("failure")
    op.update(status="FAILED" if failure else "SUCCEEDED", endTime=now())
    if failure:
        op["statusMessage"] = failure
    if item is None:
        return
    if failure:
        item["status"] = "FAILED"
    elif op["action"] == "disable":
        del table[op["target"]]
    else:
        item.update(op.get("changes") or {})
        item["status"] = "SUCCEEDED"


def step(state: Landing) -> bool:
    """One read of every operation in progress; True if there was any."""
    flying = [o for o in state["operations"].values() if o["status"] == "IN_PROGRESS"]
    for op in flying:
        advance(state, op)
    return bool(flying)


def polled_operation(call: Call[Any], kind: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """Get{Baseline,Control}Operation: the operation of that kind, as the API shows it."""
    op = landing(call)["operations"].get(call.params["operationIdentifier"])
    if op is None or op["kind"] != kind:
        raise not_found(f"Operation {call.params['operationIdentifier']} was not found.")
    return operation_view(op, keys)


def operation_view(op: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: op[k] for k in keys if op.get(k) is not None}
