"""The Control Tower landing zone: its API (GetLandingZone, ListLandingZones, CreateLandingZone,
GetLandingZoneOperation) and `setup_landing_zone`, which makes the local organization a Control
Tower landing zone in one synchronous, idempotent step.

A set-up landing zone (version 3.3, ACTIVE, drift IN_SYNC) has, as after AWS's setup:
* the IdentityCenterBaseline enabled at landing-zone level (target: the management account -
  the emulator's choice, AWS does not document the target form);
* the Security OU registered (AWSControlTowerBaseline 4.0 with IdentityCenterEnabledBaselineArn);
* the Account Factory portfolio and product in Service Catalog (`controltower.factory`), with
  the role `service-role/AWSControlTowerAdmin` as principal;
* Log Archive and Audit enrolled as provisioned products of the Account Factory (named
  `Log-Archive` and `Audit`), so that SearchProvisionedProducts finds them for adoption.
The Service Catalog parts go through the Service Catalog handlers themselves, so they are the
same items a client would have created.
"""
from __future__ import annotations

from typing import Any

from vending.local.servicecatalog import catalog
from vending.local.bootstrap import HOME_REGION, SECURITY_ACCOUNTS, SECURITY_OU_NAME
from vending.local.controltower.factory import PORTFOLIO_NAME, PRODUCT_NAME
from vending.local.controltower.state import (
    BASELINES,
    CONTROL_TOWER_BASELINE,
    IDENTITY_CENTER_BASELINE,
    IDENTITY_CENTER_PARAMETER,
    LANDING_ZONE_VERSION,
    Landing,
    handles,
    landing,
    not_found,
    now,
    operation_id,
    operation_view,
    org_backend,
    ou_arn,
    paged,
    suffix,
    validation,
)
from vending.local.errors import LocalStateError
from vending.local.modeled import Call
from vending.local.organizations.rules import root
from vending.local.servicecatalog.provisioning import advance, provision_product
from vending.local.servicecatalog.tables import Item

ADMIN_ROLE = "service-role/AWSControlTowerAdmin"
_OPERATION_KEYS = ("operationType", "operationIdentifier", "status", "startTime", "endTime",
                   "statusMessage")


def _view(zone: dict[str, Any]) -> dict[str, Any]:
    return {k: zone[k] for k in ("version", "arn", "status", "latestAvailableVersion",
                                 "driftStatus", "manifest")}


def _zone(call: Call[Any]) -> dict[str, Any]:
    zone = landing(call)["landing_zone"]
    if zone is None or zone["arn"] != call.params["landingZoneIdentifier"]:
        raise not_found(f"Landing zone {call.params['landingZoneIdentifier']} was not found.")
    return zone


@handles("ListLandingZones")
def list_landing_zones(call: Call[Any]) -> dict[str, Any]:
    """API_ListLandingZones: at most one."""
    zone = landing(call)["landing_zone"]
    return paged(call, [{"arn": zone["arn"]}] if zone else [], "landingZones", 1)


@handles("GetLandingZone")
def get_landing_zone(call: Call[Any]) -> dict[str, Any]:
    """API_GetLandingZone."""
    return {"landingZone": _view(_zone(call))}


@handles("CreateLandingZone")
def create_landing_zone(call: Call[Any]) -> dict[str, Any]:
    """API_CreateLandingZone: sets up as `setup_landing_zone` does (the manifest is kept but
    not interpreted); the operation is reported SUCCEEDED."""
    if landing(call)["landing_zone"] is not None:
        raise validation("A landing zone already exists in this organization.")
    if call.params["version"] != LANDING_ZONE_VERSION:
        raise validation(f"Landing zone version {call.params['version']} is not supported; "
                         f"use {LANDING_ZONE_VERSION}.")
    setup_landing_zone(call.emulator, call.account_id, manifest=call.params.get("manifest"))
    zone = landing(call)["landing_zone"]
    return {"arn": zone["arn"], "operationIdentifier": zone["operationIdentifier"]}


@handles("GetLandingZoneOperation")
def get_landing_zone_operation(call: Call[Any]) -> dict[str, Any]:
    """API_GetLandingZoneOperation."""
    op = landing(call)["operations"].get(call.params["operationIdentifier"])
    if op is None or op["kind"] != "landingzone":
        raise not_found(f"Operation {call.params['operationIdentifier']} was not found.")
    return {"operationDetails": operation_view(op, _OPERATION_KEYS)}


# ---------------------------------------------------------------- setup


def _done(state: Landing, kind: str, operation_type: str) -> str:
    """A completed operation (what set-up work would have left behind)."""
    op_id = operation_id()
    state["operations"][op_id] = {"operationIdentifier": op_id, "operationType": operation_type,
                                  "status": "SUCCEEDED", "startTime": now(), "endTime": now(),
                                  "kind": kind, "polls_left": 0}
    return op_id


def _enable(state: Landing, region: str, account_id: str, key: str, target: str,
            parameters: list[dict[str, Any]]) -> str:
    existing = next((b for b in state["baselines"].values()
                     if b["baseline_id"] == key and b["targetIdentifier"] == target), None)
    if existing is not None:
        return str(existing["arn"])
    arn = f"arn:aws:controltower:{region}:{account_id}:enabledbaseline/{suffix(17)}"
    state["baselines"][arn] = {
        "arn": arn, "baselineIdentifier": f"arn:aws:controltower:{region}::baseline/{key}",
        "baseline_id": key, "baselineVersion": BASELINES[key][2], "targetIdentifier": target,
        "parameters": parameters, "status": "SUCCEEDED", "tags": {},
        "lastOperationIdentifier": _done(state, "baseline", "ENABLE_BASELINE")}
    return arn


def _sc_call(ct: Any, operation: str, account_id: str, **params: Any) -> Call[Any]:
    return Call(operation, params, account_id, HOME_REGION, ct.catalog, ct.ctx.settings)


def _account_factory(ct: Any, account_id: str) -> Item:
    """The Account Factory product, created with its portfolio if missing."""
    tables = ct.catalog.store.tables(account_id, HOME_REGION)
    found = next((p for p in tables["products"].values() if p["engine"] == "account-factory"),
                 None)
    if found is not None:
        return found
    folio = catalog.create_portfolio(_sc_call(
        ct, "CreatePortfolio", account_id, DisplayName=PORTFOLIO_NAME,
        ProviderName="AWS Control Tower", IdempotencyToken="controltower-portfolio",
        Description="Portfolio for the AWS Control Tower Account Factory."))["PortfolioDetail"]
    made = catalog.create_product(_sc_call(
        ct, "CreateProduct", account_id, Name=PRODUCT_NAME, Owner="AWS Control Tower",
        ProductType="CLOUD_FORMATION_TEMPLATE", IdempotencyToken="controltower-product",
        Description="Provisions an account managed by AWS Control Tower.",
        ProvisioningArtifactParameters={
            "Name": PRODUCT_NAME, "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": "https://controltower.local/account-factory.yaml"}}))
    product_id = made["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    tables["products"][product_id]["engine"] = "account-factory"
    catalog.associate_product(_sc_call(ct, "AssociateProductWithPortfolio", account_id,
                                       ProductId=product_id, PortfolioId=folio["Id"]))
    catalog.associate_principal(_sc_call(
        ct, "AssociatePrincipalWithPortfolio", account_id, PortfolioId=folio["Id"],
        PrincipalARN=f"arn:aws:iam::{account_id}:role/{ADMIN_ROLE}", PrincipalType="IAM"))
    return tables["products"][product_id]


def _enroll(ct: Any, account_id: str, product: Item, member: Any, ou_name: str) -> None:
    """Make an existing account a provisioned product of the Account Factory, completed."""
    tables = ct.catalog.store.tables(account_id, HOME_REGION)
    if any(pp.get("account_id") == member.id for pp in tables["provisioned"].values()):
        return
    values = {"AccountName": member.name, "AccountEmail": member.email,
              "ManagedOrganizationalUnit": ou_name, "SSOUserEmail": member.email,
              "SSOUserFirstName": "Admin", "SSOUserLastName": "User"}
    version = next(iter(product["artifacts"]))
    answer = provision_product(_sc_call(
        ct, "ProvisionProduct", account_id, ProductId=product["Id"],
        ProvisioningArtifactId=version, ProvisionToken=f"controltower-enroll-{member.id}",
        ProvisionedProductName=member.name.replace(" ", "-"),
        ProvisioningParameters=[{"Key": k, "Value": v} for k, v in values.items()]))
    record = tables["records"][answer["RecordDetail"]["RecordId"]]
    while record["Status"] in ("CREATED", "IN_PROGRESS"):
        advance(ct.catalog, tables, record)


def setup_landing_zone(ct: Any, account_id: str | None = None,
                       manifest: dict[str, Any] | None = None) -> None:
    """Make the organization a Control Tower landing zone (see the module docstring)."""
    account_id = account_id or ct.ctx.settings.management_account_id
    backend = org_backend(account_id)
    if backend.org is None:
        raise LocalStateError(f"account {account_id} has no organization to set Control Tower "
                              "up in")
    state = ct.landing(account_id)
    if state["landing_zone"] is None:
        op_id = _done(state, "landingzone", "CREATE")
        state["landing_zone"] = {
            "arn": f"arn:aws:controltower:{HOME_REGION}:{account_id}:landingzone/{suffix(16)}",
            "version": LANDING_ZONE_VERSION, "latestAvailableVersion": LANDING_ZONE_VERSION,
            "status": "ACTIVE", "driftStatus": {"status": "IN_SYNC"},
            "manifest": manifest or {"governedRegions": [HOME_REGION],
                                     "organizationStructure": {"security": {
                                         "name": SECURITY_OU_NAME}},
                                     "accessManagement": {"enabled": True}},
            "operationIdentifier": op_id}
    management = f"arn:aws:organizations::{account_id}:account/{backend.org.id}/{account_id}"
    identity = _enable(state, HOME_REGION, account_id, IDENTITY_CENTER_BASELINE, management, [])
    security = next((o for o in backend.ou if o.name == SECURITY_OU_NAME
                     and o.parent_id == root(backend).id), None)
    if security is None:
        return
    _enable(state, HOME_REGION, account_id, CONTROL_TOWER_BASELINE, ou_arn(backend, security.id),
            [{"key": IDENTITY_CENTER_PARAMETER, "value": identity}])
    product = _account_factory(ct, account_id)
    emails = {email.lower() for _, email in SECURITY_ACCOUNTS}
    for member in backend.accounts:
        if member.email.lower() in emails and member.parent_id == security.id:
            _enroll(ct, account_id, product, member, SECURITY_OU_NAME)
