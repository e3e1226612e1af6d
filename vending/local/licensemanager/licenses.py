"""Licenses and service settings: ListReceivedLicenses, ListLicenses, GetLicense,
GetServiceSettings, UpdateServiceSettings.

The management account received the licenses it bought in AWS Marketplace (active, every
operation allowed); a member account receives a license through each grant that reaches it
(with the grant's operations and its status there). ListLicenses lists the licenses the caller
issued: a buyer issues none. Linking the organization (OrganizationConfiguration
EnableIntegration, from the management account only) is what lets its grants be accepted
automatically; cross-account discovery needs it first.
"""
from __future__ import annotations

from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.licensemanager.grants import received_status, reaching
from vending.local.licensemanager.state import (
    ALL_OPERATIONS,
    filtered,
    handles,
    in_organization,
    invalid,
    organization,
    settings_of,
)
from vending.local.modeled import Call, page

LICENSE_FILTERS = {"ProductSKU": "ProductSKU", "Status": "Status", "IssuerName": "Issuer.Name",
                   "Fingerprint": "Issuer.KeyFingerprint", "Beneficiary": "Beneficiary"}


def _bad_token() -> AwsServiceError:
    return invalid("The NextToken is not valid.")


def received(call: Call[Any], account: str) -> list[dict[str, Any]]:
    """The licenses `account` received, each with its ReceivedMetadata (module docstring)."""
    licenses = call.emulator.licenses
    if account == call.settings.management_account_id:
        return [{**_public(lic), "ReceivedMetadata": {"ReceivedStatus": "ACTIVE", "AllowedOperations": list(
            lic.get("ReceivedAllowedOperations") or ALL_OPERATIONS)}} for lic in licenses.values()]
    found: dict[str, dict[str, Any]] = {}
    for grant in reaching(call, account):
        status = received_status(call, grant, account)
        if status == "REJECTED" or grant["LicenseArn"] not in licenses:
            continue
        if grant["LicenseArn"] in found and status != "ACTIVE":
            continue
        found[grant["LicenseArn"]] = {**_public(licenses[grant["LicenseArn"]]), "Beneficiary": account,
                                      "ReceivedMetadata": {
            "ReceivedStatus": status, "AllowedOperations": list(grant["GrantedOperations"])}}
    return list(found.values())


def _public(lic: dict[str, Any]) -> dict[str, Any]:
    """A license as AWS answers it (without the copy's own operations, vending.rehearse.copy_licenses)."""
    return {k: v for k, v in lic.items() if k != "ReceivedAllowedOperations"}


@handles("ListReceivedLicenses")
def list_received_licenses(call: Call[Any]) -> dict[str, Any]:
    items = received(call, call.account_id)
    arns = call.params.get("LicenseArns")
    if arns:
        items = [i for i in items if i["LicenseArn"] in arns]
    items = filtered(sorted(items, key=lambda i: i["LicenseArn"]), call.params.get("Filters"), LICENSE_FILTERS)
    shown, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 10, _bad_token)
    return {"Licenses": shown, **({"NextToken": token} if token else {})}


@handles("ListLicenses")
def list_licenses(call: Call[Any]) -> dict[str, Any]:
    filtered([], call.params.get("Filters"), {k: v for k, v in LICENSE_FILTERS.items() if k != "IssuerName"})
    return {"Licenses": []}


@handles("GetLicense")
def get_license(call: Call[Any]) -> dict[str, Any]:
    arn = call.params["LicenseArn"]
    for item in received(call, call.account_id):
        if item["LicenseArn"] == arn:
            if call.params.get("Version") not in (None, item["Version"]):
                raise invalid(f"License {arn} has no version {call.params['Version']}.")
            return {"License": {k: v for k, v in item.items() if k != "ReceivedMetadata"}}
    raise invalid(f"License {arn} does not exist or was not granted to account {call.account_id}.")


@handles("GetServiceSettings")
def get_service_settings(call: Call[Any]) -> dict[str, Any]:
    settings = settings_of(call, call.account_id)
    out: dict[str, Any] = {"OrganizationConfiguration": {"EnableIntegration": settings["EnableIntegration"]},
                           "EnableCrossAccountsDiscovery": settings["EnableCrossAccountsDiscovery"]}
    for key in ("S3BucketArn", "SnsTopicArn", "LicenseManagerResourceShareArn"):
        if key in settings:
            out[key] = settings[key]
    return out


@handles("UpdateServiceSettings")
def update_service_settings(call: Call[Any]) -> dict[str, Any]:
    settings = settings_of(call, call.account_id)
    management = call.settings.management_account_id
    integration = (call.params.get("OrganizationConfiguration") or {}).get("EnableIntegration")
    if integration is not None:
        backend = organization(call)
        if call.account_id != management or backend is None:
            raise AwsServiceError("AccessDeniedException", "Only the management account of an organization can link "
                                  "AWS Organizations to License Manager.")
        if backend.org.feature_set != "ALL":
            raise invalid("Linking AWS Organizations needs an organization with all features enabled.")
        settings["EnableIntegration"] = bool(integration)
        if integration:
            settings["LicenseManagerResourceShareArn"] = (
                f"arn:aws:ram:{call.region}:{management}:resource-share/license-manager-{backend.org.id}")
        else:
            settings.pop("LicenseManagerResourceShareArn", None)
            settings["EnableCrossAccountsDiscovery"] = False
    discovery = call.params.get("EnableCrossAccountsDiscovery")
    if discovery is not None:
        if discovery and not (settings["EnableIntegration"] and in_organization(call, call.account_id)):
            raise invalid("Cross-account discovery needs AWS Organizations linked to License Manager first "
                          "(OrganizationConfiguration EnableIntegration).")
        settings["EnableCrossAccountsDiscovery"] = bool(discovery)
    for key in ("S3BucketArn", "SnsTopicArn"):
        if call.params.get(key):
            settings[key] = call.params[key]
    return {}
