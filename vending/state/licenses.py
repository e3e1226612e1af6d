"""Read License Manager in the management account: its settings, the licenses it received and
the grants it distributed (aws-facts section 6).

Three reads, whatever the number of grants: GetServiceSettings (the Organizations integration
the plan checks), ListReceivedLicenses (the licenses a file names by ARN or product SKU) and
ListDistributedGrants, whose Grant items carry everything the diff compares (name, principal,
operations, options, status, version), so no GetGrant per grant. Neither list has a botocore
paginator: both page with NextToken, 100 items a page (the model's MaxResults maximum). Deleted
grants are kept, with their status: the plan matches none of them, and their ARNs go into the
ClientToken of a grant made again (vending.plan.diff_licenses). The reader runs only when the
repository has catalog/licenses/ (engine).
"""
from __future__ import annotations

from typing import Any

from vending.aws.paging import token_pages
from vending.model.live_licenses import LiveGrant, LiveLicense, LiveLicenses

PAGE = 100


class LicensesReader:
    def __init__(self, license_manager: Any) -> None:
        self.lm = license_manager

    def read(self) -> LiveLicenses:
        settings = self.lm.get_service_settings()
        licenses = token_pages(self.lm.list_received_licenses, "Licenses", token_in="NextToken",
                               token_out="NextToken", MaxResults=PAGE)
        grants = token_pages(self.lm.list_distributed_grants, "Grants", token_in="NextToken",
                             token_out="NextToken", MaxResults=PAGE)
        return LiveLicenses(
            organization_integration=bool(
                (settings.get("OrganizationConfiguration") or {}).get("EnableIntegration")),
            cross_account_discovery=bool(settings.get("EnableCrossAccountsDiscovery")),
            licenses=tuple(sorted((_license(item) for item in licenses), key=lambda lic: lic.arn)),
            grants=tuple(sorted((_grant(g) for g in grants), key=lambda g: g.arn)),
        )


def _license(item: dict[str, Any]) -> LiveLicense:
    received = item.get("ReceivedMetadata") or {}
    return LiveLicense(arn=item["LicenseArn"], product_sku=item.get("ProductSKU", ""),
                       name=item.get("LicenseName", item.get("ProductName", "")), home_region=item.get("HomeRegion", ""),
                       status=item.get("Status", ""), allowed_operations=tuple(received.get("AllowedOperations", ())))


def _grant(item: dict[str, Any]) -> LiveGrant:
    return LiveGrant(arn=item["GrantArn"], name=item["GrantName"], license_arn=item["LicenseArn"],
                     principal=item["GranteePrincipalArn"], operations=tuple(sorted(item["GrantedOperations"])),
                     activation_override=(item.get("Options") or {}).get("ActivationOverrideBehavior"),
                     status=item["GrantStatus"], version=item["Version"])
