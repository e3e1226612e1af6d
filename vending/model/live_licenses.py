"""License Manager as read from AWS (the management account's): its Organizations integration,
the licenses it received (what it bought in AWS Marketplace) and the grants it distributed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveLicense:
    arn: str
    product_sku: str
    name: str
    home_region: str
    status: str
    allowed_operations: tuple[str, ...]


@dataclass(frozen=True)
class LiveGrant:
    arn: str
    name: str
    license_arn: str
    principal: str
    """GranteePrincipalArn: arn:aws:iam::<id>:root, an OU's or the organization's ARN."""
    operations: tuple[str, ...]
    """GrantedOperations, sorted."""
    activation_override: str | None
    status: str
    version: str


@dataclass(frozen=True)
class LiveLicenses:
    organization_integration: bool = False
    """GetServiceSettings OrganizationConfiguration.EnableIntegration: grants from the management
    account are accepted in member accounts without them."""
    cross_account_discovery: bool = False
    licenses: tuple[LiveLicense, ...] = ()
    grants: tuple[LiveGrant, ...] = ()

    def by_sku(self, sku: str) -> list[LiveLicense]:
        return [lic for lic in self.licenses if lic.product_sku == sku]

    def license(self, arn: str) -> LiveLicense | None:
        return next((lic for lic in self.licenses if lic.arn == arn), None)
