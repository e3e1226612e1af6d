"""Read the organization's Private Marketplace: every Experience, ProcurementPolicy,
BrandingSettings and Audience entity of the Marketplace Catalog (ListEntities, paged 50 at a
time as AWS serves them, then one DescribeEntity each), and its two prerequisites in the
management account: trusted access for private-marketplace.marketplace.amazonaws.com (one paged
ListAWSServiceAccessForOrganization) and the service-linked role (iam:GetRole on its name;
NoSuchEntity means missing).

Runs only when the repository declares catalog/marketplace/ (vending.engine), O(experiences)
requests. As a delegated administrator (vend.yaml `marketplace`) the entities are the
management account's, shared: ListEntities needs the Scope filter SharedWithMe (aws-facts 5.1),
and the prerequisites are not read (AWS registers a delegated administrator only once trusted
access is on, and the role is the management account's, which the administrator cannot read).
Policies, branding and audiences name their experience in DetailsDocument.ExperienceId (as the
local emulator answers; AWS's documents are not published, unconfirmed).
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.aws.errors import error_code
from vending.aws.paging import pages
from vending.model.live_marketplace import (
    PRINCIPAL,
    SERVICE_ROLE,
    LiveAudience,
    LiveBranding,
    LiveExperience,
    LiveMarketplace,
    LiveProcurementPolicy,
)

CATALOG = "AWSMarketplace"
CATALOG_REGION = "us-east-1"
"""The Marketplace Catalog API's endpoint (aws-facts 5.1; unconfirmed)."""
PAGE_SIZE = 50
"""ListEntities' MaxResults maximum (MPC-API)."""
SHARED = [{"Name": "Scope", "ValueList": ["SharedWithMe"]}]


class MarketplaceReader:
    """Builds LiveMarketplace from read-only clients: the Marketplace Catalog one (the delegated
    administrator's when `shared`), and Organizations and IAM of the management account."""

    def __init__(self, catalog: Any, organizations: Any, iam: Any, *, shared: bool = False) -> None:
        self.catalog, self.organizations, self.iam, self.shared = catalog, organizations, iam, shared

    def read(self) -> LiveMarketplace:
        children: dict[str, dict[str, Any]] = {}
        for kind in ("ProcurementPolicy", "BrandingSettings", "Audience"):
            for entity_id in self._ids(kind):
                revision, body = self._describe(entity_id)
                children.setdefault(body.get("ExperienceId", ""), {})[kind] = (entity_id, revision, body)
        found = []
        for entity_id in self._ids("Experience"):
            revision, body = self._describe(entity_id)
            mine = children.get(entity_id, {})
            found.append(LiveExperience(
                id=entity_id, revision=revision, name=body.get("Name", ""), status=body.get("Status", "Disabled"),
                policy=_policy(*mine["ProcurementPolicy"]) if "ProcurementPolicy" in mine else None,
                branding=_branding(*mine["BrandingSettings"]) if "BrandingSettings" in mine else None,
                audience=_audience(*mine["Audience"]) if "Audience" in mine else None))
        if self.shared:
            return LiveMarketplace(experiences=_sorted(found), trusted_access=True, service_role=True)
        services = pages(self.organizations, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
        return LiveMarketplace(experiences=_sorted(found),
                               trusted_access=any(s["ServicePrincipal"] == PRINCIPAL for s in services),
                               service_role=self._role())

    def _ids(self, kind: str) -> list[str]:
        scope = {"FilterList": SHARED} if self.shared else {}
        return [e["EntityId"] for e in pages(self.catalog, "list_entities", "EntitySummaryList", page_size=PAGE_SIZE,
                                             Catalog=CATALOG, EntityType=kind, **scope)]

    def _describe(self, entity_id: str) -> tuple[str, dict[str, Any]]:
        answer = self.catalog.describe_entity(Catalog=CATALOG, EntityId=entity_id)
        return answer.get("EntityIdentifier", entity_id), dict(answer.get("DetailsDocument") or {})

    def _role(self) -> bool:
        try:
            self.iam.get_role(RoleName=SERVICE_ROLE)
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return False
            raise
        return True


def _sorted(found: list[LiveExperience]) -> tuple[LiveExperience, ...]:
    return tuple(sorted(found, key=lambda e: (e.name, e.id)))


def _policy(entity_id: str, revision: str, body: dict[str, Any]) -> LiveProcurementPolicy:
    return LiveProcurementPolicy(
        id=entity_id, revision=revision, name=body.get("Name", ""),
        requests=(body.get("Configuration") or {}).get("PolicyResourceRequests", "Allow"),
        allowed=tuple((p["Id"], p.get("Notes", "")) for p in body.get("AllowedProducts") or ()),
        denied=tuple(p["Id"] for p in body.get("DeniedProducts") or ()))


def _branding(entity_id: str, revision: str, body: dict[str, Any]) -> LiveBranding:
    config = body.get("Configuration") or {}
    return LiveBranding(id=entity_id, revision=revision, name=body.get("Name", ""),
                        description=body.get("Description", ""), title=config.get("Title", ""),
                        information=config.get("Information", ""), theme_color=config.get("ThemeColor", ""),
                        logo_url=config.get("LogoUrl", ""))


def _audience(entity_id: str, revision: str, body: dict[str, Any]) -> LiveAudience:
    return LiveAudience(id=entity_id, revision=revision, name=body.get("Name", ""),
                        description=body.get("Description", ""), principals=tuple(body.get("Principals") or ()))
