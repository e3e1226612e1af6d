"""A Control Tower landing zone in the scratch copy: its controltower state and the Account
Factory's Service Catalog items, stored straight into the emulators' tables under the live ids.

Copied, as vend read it: the landing zone (ARN, version, status), every enabled baseline (ARN,
baseline, target, version, status; AWSControlTowerBaseline with the landing zone's
IdentityCenterEnabledBaselineArn as its parameter), every enabled control of a registered OU
(control, target, status, drift), the Account Factory product and its active version (ids kept),
and each of its provisioned products (id, name, status, message, and the outputs read for the
rehearsal by `read_outputs`: the account it manages). Applying a plan in the copy then goes
through the same emulator rules as a fresh landing zone: provisioning needs a registered OU and
a free email, a control needs a registered OU, one OU operation at a time.

Not copied (vend does not read them): the landing zone's manifest (a stand-in naming the home
Region), enabled controls' ARNs and parameters (new ARNs), the Account Factory portfolio's id
and principals (a new portfolio with the Control Tower admin role), provisioned products'
SSO parameters and records. Operations in progress cannot be copied (`gaps`).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from vending.aws.paging import token_pages
from vending.local.controltower.factory import PORTFOLIO_NAME, PRODUCT_NAME, PRODUCT_TYPE
from vending.local.controltower.landing_zone import ADMIN_ROLE
from vending.local.controltower.state import (
    BASELINE_ARN,
    CONTROL_TOWER_BASELINE,
    IDENTITY_CENTER_PARAMETER,
    now,
    operation_id,
    suffix,
)
from vending.local.servicecatalog.tables import new_id
from vending.model.live import LiveControlTower, LiveOrg, ProvisionedAccount
from vending.model.types import OrgSettings

Outputs = dict[str, list[dict[str, str]]]
"""Provisioned product id -> its outputs (GetProvisionedProductOutputs)."""
IN_FLIGHT = ("UNDER_CHANGE", "PLAN_IN_PROGRESS")
NOT_COPIED = ("Control Tower's manifest, enabled controls' ARNs and parameters, and the Account"
              " Factory portfolio's id (new ones in the copy)")


def gaps(tower: LiveControlTower) -> list[str]:
    """Operations in progress: the copy would have to finish them the way AWS will."""
    busy = [f"landing zone {tower.landing_zone_status}"] if tower.landing_zone_status != "ACTIVE" else []
    busy += [f"baseline {b.arn}" for b in tower.enabled_baselines if b.status == "UNDER_CHANGE"]
    busy += [f"control {c.control} on {c.target}" for c in tower.enabled_controls if c.status == "UNDER_CHANGE"]
    busy += [f"provisioned product {p.name}" for p in tower.provisioned if p.status in IN_FLIGHT]
    return [f"Control Tower operations still in progress ({', '.join(busy)}): wait for them"] if busy else []


def read_outputs(servicecatalog: Any, tower: LiveControlTower, *, workers: int = 4) -> Outputs:
    """Each provisioned product's outputs (read-only; vend's plan reads them only for the
    products it did not name), so the copy knows which account each one manages."""
    def one(product_id: str) -> tuple[str, list[dict[str, str]]]:
        outputs = token_pages(servicecatalog.get_provisioned_product_outputs, "Outputs", ProvisionedProductId=product_id)
        return product_id, [{k: o[k] for k in ("OutputKey", "OutputValue", "Description") if k in o} for o in outputs]

    with ThreadPoolExecutor(max(1, workers)) as pool:
        return dict(pool.map(one, [p.id for p in tower.provisioned]))


def load(live: LiveOrg, settings: OrgSettings, controltower: Any, servicecatalog: Any, outputs: Outputs) -> None:
    """Into the running plug-ins `controltower` and `servicecatalog` (after the organization)."""
    tower = live.control_tower
    assert tower is not None
    management = live.management_account_id
    state = controltower.landing(management)
    state.update(landing_zone=_landing_zone(tower, settings), baselines={}, controls={}, operations={})
    for baseline in tower.enabled_baselines:
        state["baselines"][baseline.arn] = _baseline(state, tower, baseline)
    region = BASELINE_ARN.fullmatch(tower.account_baseline)
    for control in tower.enabled_controls:
        arn = f"arn:aws:controltower:{region.group(1) if region else settings.home_region}:{management}" \
              f":enabledcontrol/{suffix(16)}"
        state["controls"][arn] = {
            "arn": arn, "controlIdentifier": control.control, "targetIdentifier": control.target,
            "parameters": [], "tags": {}, "status": control.status, "driftStatus": control.drift,
            "lastOperationIdentifier": _done(state, "control", "ENABLE_CONTROL")}
    tables = servicecatalog.store.tables(management, settings.home_region)
    path = _account_factory(tables, tower, management, settings.home_region)
    for product in tower.provisioned:
        read = outputs.get(product.id, [])
        values = {o["OutputKey"]: o["OutputValue"] for o in read}
        account = live.accounts.get(values.get("AccountId", product.account_id or ""))
        record = _record(tables, product, tower, path, management, settings.home_region)
        pp: dict[str, Any] = {
            "Name": product.name, "Id": product.id, "Type": PRODUCT_TYPE,
            "Arn": f"arn:aws:servicecatalog:{settings.home_region}:{management}:stack/{product.name}/{product.id}",
            "Status": product.status, "StatusMessage": product.status_message or None, "CreatedTime": now(),
            "LastRecordId": record, "LastProvisioningRecordId": record,
            "ProductId": tower.product_id, "ProvisioningArtifactId": tower.artifact_id, "PathId": path,
            "Tags": [], "engine": "account-factory", "parameters": _parameters(live, account),
            "outputs": read, "pending": None}
        if product.status == "AVAILABLE":
            pp["LastSuccessfulProvisioningRecordId"] = record
        if account is not None:
            pp["account_id"] = account.id
        tables["provisioned"][product.id] = pp


def _landing_zone(tower: LiveControlTower, settings: OrgSettings) -> dict[str, Any]:
    return {"arn": tower.landing_zone, "version": tower.landing_zone_version,
            "latestAvailableVersion": tower.landing_zone_version, "status": tower.landing_zone_status,
            "driftStatus": {"status": "IN_SYNC"},
            "manifest": {"governedRegions": list(settings.governed_regions)}, "operationIdentifier": operation_id()}


def _baseline(state: dict[str, Any], tower: LiveControlTower, baseline: Any) -> dict[str, Any]:
    match = BASELINE_ARN.fullmatch(baseline.baseline)
    key = match.group(2) if match else baseline.baseline
    parameters = []
    if key == CONTROL_TOWER_BASELINE and tower.identity_center_baseline:
        parameters = [{"key": IDENTITY_CENTER_PARAMETER, "value": tower.identity_center_baseline}]
    return {"arn": baseline.arn, "baselineIdentifier": baseline.baseline, "baseline_id": key,
            "baselineVersion": baseline.version, "targetIdentifier": baseline.target, "parameters": parameters,
            "status": baseline.status, "tags": {},
            "lastOperationIdentifier": _done(state, "baseline", "ENABLE_BASELINE")}


def _done(state: dict[str, Any], kind: str, operation_type: str) -> str:
    """A completed operation, as the one that enabled the item left behind."""
    op_id = operation_id()
    state["operations"][op_id] = {"operationIdentifier": op_id, "operationType": operation_type,
                                  "status": "SUCCEEDED", "startTime": now(), "endTime": now(),
                                  "kind": kind, "polls_left": 0}
    return op_id


def _account_factory(tables: dict[str, Any], tower: LiveControlTower, management: str, region: str) -> str:
    """The product and its version under their live ids, in a portfolio with Control Tower's
    admin role as principal (a launch path); returns the launch path's id."""
    product_id, artifact_id = tower.product_id, tower.artifact_id
    tables["products"][product_id] = {
        "Id": product_id, "ViewId": new_id("prodview"), "Name": PRODUCT_NAME,
        "ARN": f"arn:aws:catalog:{region}:{management}:product/{product_id}", "Owner": "AWS Control Tower",
        "Type": "CLOUD_FORMATION_TEMPLATE", "Description": "Provisions an account managed by AWS Control Tower.",
        "Distributor": None, "SupportEmail": None, "SupportDescription": None, "SupportUrl": None,
        "CreatedTime": now(), "Tags": [], "engine": "account-factory",
        "artifacts": {artifact_id: {"Id": artifact_id, "Name": PRODUCT_NAME, "Description": None,
                                    "Type": "CLOUD_FORMATION_TEMPLATE", "CreatedTime": now(), "Active": True,
                                    "Guidance": "DEFAULT", "info": {}}}}
    portfolio_id, path = new_id("port"), new_id("lpv2")
    tables["portfolios"][portfolio_id] = {
        "Id": portfolio_id, "DisplayName": PORTFOLIO_NAME,
        "ARN": f"arn:aws:catalog:{region}:{management}:portfolio/{portfolio_id}",
        "Description": "Portfolio for the AWS Control Tower Account Factory.", "CreatedTime": now(),
        "ProviderName": "AWS Control Tower", "Tags": [], "products": {product_id: path},
        "principals": [{"PrincipalARN": f"arn:aws:iam::{management}:role/{ADMIN_ROLE}", "PrincipalType": "IAM"}]}
    return path


def _record(tables: dict[str, Any], product: ProvisionedAccount, tower: LiveControlTower, path: str,
            management: str, region: str) -> str:
    """The provisioned product's last record, closed as its status says."""
    record_id, pp_id, name, message = new_id("rec"), product.id, product.name, product.status_message
    failed = product.status != "AVAILABLE"
    code, _, text = message.partition(": ")
    tables["records"][record_id] = {
        "RecordId": record_id, "ProvisionedProductName": name, "Status": "FAILED" if failed else "SUCCEEDED",
        "CreatedTime": now(), "UpdatedTime": now(), "ProvisionedProductType": PRODUCT_TYPE,
        "RecordType": "PROVISION_PRODUCT", "ProvisionedProductId": pp_id, "ProductId": tower.product_id,
        "ProvisioningArtifactId": tower.artifact_id, "PathId": path,
        "RecordErrors": [{"Code": code, "Description": text or message}] if failed and message else [],
        "RecordTags": [], "parameters": {}, "outputs": [], "polls_left": 0, "ready_at": 0.0, "fault": None,
        "doomed": None, "account": management, "region": region}
    return record_id


def _parameters(live: LiveOrg, account: Any) -> dict[str, str]:
    """What is known of the product's parameters: its account's name, email and OU."""
    if account is None:
        return {}
    ou = live.ous.get(account.parent_id)
    return {"AccountName": account.name, "AccountEmail": account.email,
            **({"ManagedOrganizationalUnit": f"{ou.name} ({ou.id})"} if ou else {})}
