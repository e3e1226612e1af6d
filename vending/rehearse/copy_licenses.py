"""License Manager in the scratch copy: the management account's settings, the licenses it
received and the grants it distributed, stored straight into the emulator's tables under their
live ARNs, so the copy reads back as the organization did (its fingerprint covers them). A
grant's status is copied as its recipient's (an account grant) or follows from its OU or
organization principal (WORKFLOW_COMPLETED); a deleted grant stays listed, DELETED."""
from __future__ import annotations

from typing import Any

from vending.model.live import LiveOrg
from vending.model.live_licenses import LiveLicense

ACCOUNT_PREFIX = "arn:aws:iam::"


def load(live: LiveOrg, emulator: Any) -> None:
    licenses = live.licenses
    if licenses is None:
        return
    owner = live.management_account_id
    emulator.settings[owner] = {"EnableIntegration": licenses.organization_integration,
                                "EnableCrossAccountsDiscovery": licenses.cross_account_discovery}
    emulator.licenses = {lic.arn: _license(lic, owner) for lic in licenses.licenses}
    by_arn = {lic.arn: lic for lic in licenses.licenses}
    for grant in licenses.grants:
        source = by_arn.get(grant.license_arn)
        recipients = {}
        if grant.principal.startswith(ACCOUNT_PREFIX) and grant.status not in ("DELETED", "PENDING_WORKFLOW"):
            recipients[grant.principal.split(":")[4]] = grant.status
        emulator.grants[grant.arn] = {
            "GrantArn": grant.arn, "GrantName": grant.name, "ParentArn": grant.license_arn,
            "LicenseArn": grant.license_arn, "GranteePrincipalArn": grant.principal,
            "HomeRegion": source.home_region if source else "us-east-1", "Version": grant.version,
            "GrantedOperations": list(grant.operations), "Granter": owner,
            "Distributed": grant.status != "PENDING_WORKFLOW", "Deleted": grant.status == "DELETED",
            "Recipients": recipients, "ProductSKU": source.product_sku if source else "",
            "LicenseIssuerName": "AWS/Marketplace", "Tags": [],
            **({"Options": {"ActivationOverrideBehavior": grant.activation_override}}
               if grant.activation_override else {}),
        }


def _license(lic: LiveLicense, owner: str) -> dict[str, Any]:
    return {"LicenseArn": lic.arn, "LicenseName": lic.name, "ProductName": lic.name, "ProductSKU": lic.product_sku,
            "Issuer": {"Name": "AWS/Marketplace"}, "HomeRegion": lic.home_region, "Status": lic.status,
            "Beneficiary": owner, "Version": "1", "ReceivedAllowedOperations": list(lic.allowed_operations)}
