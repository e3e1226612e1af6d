"""What vend reads of the Private Marketplace (Marketplace Catalog entities, aws-facts section 5)
and of its prerequisites in the management account.

None on LiveOrg when not read: only a repository that declares catalog/marketplace/ reads them.
Each entity keeps its revision (`exp-...@3`): a change made in the console bumps it, so the
plan's change-set tokens (vending.plan.diff_marketplace) differ after any edit.
"""
from __future__ import annotations

from dataclasses import dataclass

PRINCIPAL = "private-marketplace.marketplace.amazonaws.com"
"""The service principal of Private Marketplace's trusted access (aws-facts 5.1)."""
SERVICE_ROLE = "AWSServiceRoleForPrivateMarketplaceAdmin"
"""Its service-linked role in the management account (AWS Marketplace buyer guide,
"Service-linked role to configure Private Marketplace")."""


@dataclass(frozen=True)
class LiveProcurementPolicy:
    id: str
    revision: str
    name: str
    requests: str
    """PolicyResourceRequests: Allow or Deny."""
    allowed: tuple[tuple[str, str], ...] = ()
    """(product id, notes), in AWS's order."""
    denied: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveBranding:
    id: str
    revision: str
    name: str
    description: str
    title: str = ""
    information: str = ""
    theme_color: str = ""
    logo_url: str = ""


@dataclass(frozen=True)
class LiveAudience:
    id: str
    revision: str
    name: str
    description: str
    principals: tuple[str, ...] = ()
    """Account ids, OU ids and the organization id directly associated, in AWS's order."""


@dataclass(frozen=True)
class LiveExperience:
    id: str
    revision: str
    name: str
    status: str
    """Enabled, Disabled or Archived."""
    policy: LiveProcurementPolicy | None = None
    branding: LiveBranding | None = None
    audience: LiveAudience | None = None


@dataclass(frozen=True)
class LiveMarketplace:
    experiences: tuple[LiveExperience, ...] = ()
    """Every experience of the organization's private marketplace, sorted by name and id."""
    trusted_access: bool = False
    """ListAWSServiceAccessForOrganization lists PRINCIPAL (True when read as a delegated
    administrator, which AWS registers only once trusted access is on)."""
    service_role: bool = False
    """iam:GetRole finds SERVICE_ROLE (True as a delegated administrator: it is the management
    account's, which the delegated administrator cannot read)."""

    def experience(self, name: str) -> LiveExperience | None:
        """The experience named `name` (AWS's Name); the oldest id when the console made two."""
        return next((e for e in self.experiences if e.name == name), None)
