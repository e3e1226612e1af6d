"""Service Catalog provisioning: ProvisionProduct, UpdateProvisionedProduct,
TerminateProvisionedProduct, and the asynchronous records they start.

AWS runs these in the background and reports through records (SC-API DescribeRecord:
`CREATED | IN_PROGRESS | IN_PROGRESS_IN_ERROR | SUCCEEDED | FAILED`) while the provisioned product
is `UNDER_CHANGE`. Here time is counted in reads, as for Organizations' CreateAccount: every
Service Catalog read of the account and region is one poll of each of its records in flight
(`step`), whichever record or product it asks about; the first moves CREATED to IN_PROGRESS and
the `provisioning_polls`-th completes the record (plus any `extra_polls` of an injected fault).

What completing means is the product's engine's business (`Engine`): the default
`CloudFormationEngine` creates nothing and succeeds; Control Tower's Account Factory creates,
moves or unenrolls an account. An engine may also refuse an operation when it starts (`admit`):
the record then fails at its first poll, as AWS reports Account Factory's concurrency limit.
Outcomes (aws-facts 1.5): success leaves the product AVAILABLE (terminate: gone); a failed
provision leaves it ERROR, with its name still taken; a failed update or terminate leaves it
TAINTED (rolled back). Tokens (ProvisionToken/UpdateToken/TerminateToken) make each call
idempotent: the same token returns the same record, never a second operation (SC-API, aws-facts
8.2).
"""
from __future__ import annotations

import time

from dataclasses import asdict
from typing import Any, Protocol

from vending.local.servicecatalog import errors as err
from vending.local.faults import ProvisioningFault
from vending.local.modeled import Call
from vending.local.servicecatalog.access import product_of
from vending.local.servicecatalog.enduser import chosen_path, end_user_artifact
from vending.local.servicecatalog.rules import check_rules, resolve, template_of
from vending.local.servicecatalog.tables import (
    Item,
    Tables,
    artifact,
    handles,
    new_id,
    now,
    provisioned,
    public,
    tables_of,
)

RecordError = dict[str, str]
IN_FLIGHT = ("CREATED", "IN_PROGRESS")
PROVISION, UPDATE, TERMINATE = ("PROVISION_PRODUCT", "UPDATE_PROVISIONED_PRODUCT",
                                "TERMINATE_PROVISIONED_PRODUCT")


class Engine(Protocol):
    """How the provisioned products of one kind of product come to exist."""

    provisioned_product_type: str

    def check(self, record_type: str, parameters: dict[str, str], pp: Item | None) -> None:
        """Refuse bad parameters synchronously (InvalidParametersException)."""

    def admit(self, tables: Tables, record_type: str) -> RecordError | None:
        """An error if the operation cannot start now (the record fails at its first poll)."""

    def complete(self, record: Item, pp: Item) -> tuple[list[RecordError], list[dict[str, str]]]:
        """Do the work; (RecordErrors, RecordOutputs). No errors means success."""


class CloudFormationEngine:
    """Plain products: no template runs locally; provisioning succeeds with no outputs."""

    provisioned_product_type = "CFN_STACK"

    def check(self, record_type: str, parameters: dict[str, str], pp: Item | None) -> None:
        return None

    def admit(self, tables: Tables, record_type: str) -> RecordError | None:
        return None

    def complete(self, record: Item, pp: Item) -> tuple[list[RecordError], list[dict[str, str]]]:
        return [], []


def record_view(record: Item) -> dict[str, Any]:
    return {"RecordDetail": public(record)}


def engine_of(emulator: Any, item: Item) -> Engine:
    return emulator.engines[item["engine"]]


def _replay(tables: Tables, kind: str, token: str) -> dict[str, Any] | None:
    record_id = tables["tokens"].get(f"{kind}:{token}")
    return record_view(tables["records"][record_id]) if record_id else None


def _parameters(entries: list[dict[str, Any]], previous: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for entry in entries:
        if entry.get("UsePreviousValue") and entry["Key"] in previous:
            values[entry["Key"]] = previous[entry["Key"]]
        elif entry.get("Value") is not None:
            values[entry["Key"]] = entry["Value"]
    return values


def _start(call: Call[Any], kind: str, record_type: str, pp: Item, parameters: dict[str, str],
           artifact_id: str) -> dict[str, Any]:
    """Create the record of an operation on `pp` and mark `pp` UNDER_CHANGE."""
    tables = tables_of(call)
    engine = engine_of(call.emulator, pp)
    fault = call.emulator.ctx.faults.take_provisioning(pp["Name"], parameters)
    record_id = new_id("rec")
    record = {"RecordId": record_id, "ProvisionedProductName": pp["Name"], "Status": "CREATED",
              "CreatedTime": now(), "UpdatedTime": now(),
              "ProvisionedProductType": engine.provisioned_product_type, "RecordType": record_type,
              "ProvisionedProductId": pp["Id"], "ProductId": pp["ProductId"],
              "ProvisioningArtifactId": artifact_id, "PathId": pp["PathId"], "RecordErrors": [],
              "RecordTags": [], "parameters": parameters, "outputs": [],
              "polls_left": max(1, call.settings.provisioning_polls)
              + (fault.extra_polls if fault else 0),
              "ready_at": time.time() + call.settings.provisioning_seconds,
              "fault": asdict(fault) if fault else None,
              "doomed": engine.admit(tables, record_type), "account": call.account_id,
              "region": call.region}
    tables["records"][record_id] = record
    tables["tokens"][f"{kind}:{call.params[kind.capitalize() + 'Token']}"] = record_id
    pp.update(Status="UNDER_CHANGE", StatusMessage=None, LastRecordId=record_id,
              pending=record_id)
    if record_type != TERMINATE:
        pp["LastProvisioningRecordId"] = record_id
    return record_view(record)


@handles("ProvisionProduct")
def provision_product(call: Call[Any]) -> dict[str, Any]:
    """API_ProvisionProduct, from the caller's own portfolios or shared ones
    (servicecatalog.access): ResourceNotFoundException without a launch path ("No launch paths
    found for resource") or for an inactive version (hidden), InvalidParametersException for a
    deprecated version (aws-facts 3.3), parameters the template refuses, a template constraint's
    failed assertion (servicecatalog.rules) or a name in use ("A stack named X already
    exists.")."""
    p, tables = call.params, tables_of(call)
    replay = _replay(tables, "provision", p["ProvisionToken"])
    if replay:
        return replay
    _, item = product_of(call, p.get("ProductId"), p.get("ProductName"))
    view, path = chosen_path(call, item["Id"], p.get("PathId"), p.get("PathName"))
    version = end_user_artifact(item, p.get("ProvisioningArtifactId"), p.get("ProvisioningArtifactName"))
    if version["Guidance"] == "DEPRECATED":
        raise err.invalid(f"Provisioning artifact {version['Id']} is deprecated and cannot be used to launch "
                          "a new provisioned product.")
    name = p["ProvisionedProductName"]
    if any(other["Name"] == name for other in tables["provisioned"].values()):
        raise err.stack_exists(name)
    parameters = _parameters(p.get("ProvisioningParameters") or [], {})
    check_rules(view.tables, view.portfolio["Id"], item["Id"], resolve(template_of(version), parameters))
    engine = engine_of(call.emulator, item)
    engine.check(PROVISION, parameters, None)
    pp_id = new_id("pp")
    pp = {"Name": name, "Id": pp_id, "Type": engine.provisioned_product_type,
          "Arn": f"arn:aws:servicecatalog:{call.region}:{call.account_id}:stack/{name}/{pp_id}",
          "Status": "UNDER_CHANGE", "CreatedTime": now(), "IdempotencyToken": p["ProvisionToken"],
          "ProductId": item["Id"], "ProvisioningArtifactId": version["Id"], "PathId": path,
          "Tags": list(p.get("Tags") or []), "engine": item["engine"], "parameters": {},
          "outputs": [], "pending": None, "hub": view.hub, "portfolio": view.portfolio["Id"]}
    tables["provisioned"][pp_id] = pp
    return _start(call, "provision", PROVISION, pp, parameters, version["Id"])


@handles("UpdateProvisionedProduct")
def update_provisioned_product(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateProvisionedProduct: every parameter must be given again, or UsePreviousValue
    (as CloudFormation's UpdateStack); a deprecated version may still be used, an inactive one
    not (aws-facts 3.3); the path's template constraints hold as at launch."""
    p, tables = call.params, tables_of(call)
    replay = _replay(tables, "update", p["UpdateToken"])
    if replay:
        return replay
    pp = provisioned(tables, p.get("ProvisionedProductId"), p.get("ProvisionedProductName"))
    if pp["Status"] == "UNDER_CHANGE":
        raise err.under_change(pp["Id"])
    hub_tables, item = product_of(call, p.get("ProductId") or pp["ProductId"], p.get("ProductName"))
    if item["Id"] != pp["ProductId"]:
        raise err.invalid(f"Provisioned product {pp['Id']} is not a {item['Id']} product.")
    named = p.get("ProvisioningArtifactId") or p.get("ProvisioningArtifactName")
    version = artifact(item, p.get("ProvisioningArtifactId") or (
        None if named else pp["ProvisioningArtifactId"]), p.get("ProvisioningArtifactName"))
    if not version["Active"]:
        raise err.invalid(f"Provisioning artifact {version['Id']} is not active.")
    parameters = _parameters(p.get("ProvisioningParameters") or [], pp["parameters"])
    if pp.get("portfolio"):
        check_rules(hub_tables, pp["portfolio"], item["Id"], resolve(template_of(version), parameters))
    engine_of(call.emulator, pp).check(UPDATE, parameters, pp)
    return _start(call, "update", UPDATE, pp, parameters, version["Id"])


@handles("TerminateProvisionedProduct")
def terminate_provisioned_product(call: Call[Any]) -> dict[str, Any]:
    """API_TerminateProvisionedProduct; IgnoreErrors stops managing the product even when
    its resources cannot be deleted (SC-API, aws-facts 1.5)."""
    p, tables = call.params, tables_of(call)
    replay = _replay(tables, "terminate", p["TerminateToken"])
    if replay:
        return replay
    pp = provisioned(tables, p.get("ProvisionedProductId"), p.get("ProvisionedProductName"))
    if pp["Status"] == "UNDER_CHANGE":
        raise err.under_change(pp["Id"])
    pp["ignore_errors"] = bool(p.get("IgnoreErrors"))
    return _start(call, "terminate", TERMINATE, pp, dict(pp["parameters"]),
                  pp["ProvisioningArtifactId"])


# ---------------------------------------------------------------- polls


def step(emulator: Any, tables: Tables) -> bool:
    """One poll of every record in flight; True if there was any."""
    flying = [r for r in tables["records"].values() if r["Status"] in IN_FLIGHT]
    for record in flying:
        advance(emulator, tables, record)
    return bool(flying)


def advance(emulator: Any, tables: Tables, record: Item) -> None:
    """One status read of `record`: CREATED -> IN_PROGRESS -> SUCCEEDED | FAILED."""
    if record["Status"] not in IN_FLIGHT:
        return
    record["polls_left"] -= 1
    record["UpdatedTime"] = now()
    pp = tables["provisioned"].get(record["ProvisionedProductId"])
    if pp is None:  # cannot happen: a product with a record in flight is never removed
        return
    if record["doomed"]:
        _finish(tables, record, pp, [record["doomed"]], [], effect=False)
    elif record["polls_left"] > 0 or time.time() < record.get("ready_at", 0.0):
        record["Status"] = "IN_PROGRESS"
    else:
        _complete(emulator, tables, record, pp)


def _complete(emulator: Any, tables: Tables, record: Item, pp: Item) -> None:
    fault = ProvisioningFault(**record["fault"]) if record["fault"] else None
    injected = {"Code": "InjectedFault", "Description": fault.message} if fault else None
    if fault and (fault.outcome == "FAILED" or (fault.outcome == "TAINTED"
                                                and record["RecordType"] == TERMINATE)):
        if record["RecordType"] == TERMINATE and pp.get("ignore_errors"):
            _finish(tables, record, pp, [], [], effect=True)
        else:
            _finish(tables, record, pp, [injected], [], effect=False)
        return
    errors, outputs = engine_of(emulator, pp).complete(record, pp)
    if errors and record["RecordType"] == TERMINATE and pp.get("ignore_errors"):
        errors = []
    if not errors and fault and fault.outcome == "TAINTED":
        _finish(tables, record, pp, [injected], outputs, effect=True)
        return
    _finish(tables, record, pp, errors, outputs, effect=not errors)


def _finish(tables: Tables, record: Item, pp: Item, errors: list[RecordError],
            outputs: list[dict[str, str]], *, effect: bool) -> None:
    """Close the record; `effect` says whether the operation changed the world."""
    record.update(Status="FAILED" if errors else "SUCCEEDED", RecordErrors=list(errors),
                  UpdatedTime=now(), outputs=list(outputs))
    pp["pending"] = None
    if effect and record["RecordType"] == TERMINATE:
        del tables["provisioned"][pp["Id"]]
        return
    if effect:
        pp.update(parameters=dict(record["parameters"]), outputs=list(outputs),
                  ProvisioningArtifactId=record["ProvisioningArtifactId"])
    if not errors:
        pp.update(Status="AVAILABLE", StatusMessage=None,
                  LastSuccessfulProvisioningRecordId=record["RecordId"])
        return
    first = errors[0]
    failed_new = record["RecordType"] == PROVISION and not effect
    pp.update(Status="ERROR" if failed_new else "TAINTED",
              StatusMessage=f"{first['Code']}: {first['Description']}")
