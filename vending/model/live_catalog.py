"""What vend reads of the Service Catalog hub: the TagOption library, vend's products with their
versions, vend's portfolios with their products, principals, constraints and shares.

None on LiveOrg when not read: only a repository that declares catalog/ reads Service Catalog
(beyond what Account Factory reads for itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LiveTagOption:
    id: str
    key: str
    value: str
    active: bool


TagOptionPair = tuple[str, str]


@dataclass(frozen=True)
class LiveVersion:
    """One provisioning artifact. `template_sha256` is the content address of the template it
    was created from (vend's key in the hub bucket), "" when it was not uploaded by vend."""

    id: str
    name: str
    description: str
    guidance: str
    """DEFAULT | DEPRECATED, as AWS spells it."""
    active: bool
    template_sha256: str


@dataclass(frozen=True)
class LiveProduct:
    """A product of the hub tagged `vend:product` (products without the tag are not vend's)."""

    id: str
    vend_name: str
    name: str
    owner: str
    distributor: str
    description: str
    support_description: str
    support_email: str
    support_url: str
    versions: tuple[LiveVersion, ...] = ()
    tag_options: tuple[TagOptionPair, ...] = ()
    """Associated TagOptions, sorted."""


@dataclass(frozen=True)
class LiveConstraint:
    id: str
    product_id: str
    type: str
    description: str
    parameters: str
    """ConstraintParameters as canonical JSON (keys sorted), so equal means equal."""


@dataclass(frozen=True)
class LiveShare:
    """One share of a portfolio: `type` ACCOUNT | ORGANIZATION | ORGANIZATIONAL_UNIT, `principal`
    the account id, organization id or OU id."""

    type: str
    principal: str
    share_tag_options: bool
    share_principals: bool


@dataclass(frozen=True)
class LivePortfolio:
    """A portfolio of the hub tagged `vend:portfolio` (its file's stem)."""

    id: str
    vend_name: str
    display_name: str
    provider: str
    description: str
    product_ids: tuple[str, ...] = ()
    principals: tuple[tuple[str, str], ...] = ()
    """(PrincipalType, PrincipalARN), sorted."""
    tag_options: tuple[TagOptionPair, ...] = ()
    constraints: tuple[LiveConstraint, ...] = ()
    shares: tuple[LiveShare, ...] = ()


@dataclass(frozen=True)
class LiveCatalog:
    tag_options: tuple[LiveTagOption, ...] = ()
    """Every TagOption of the hub account, sorted by key and value."""
    products: tuple[LiveProduct, ...] = ()
    """vend's products (tag `vend:product`), sorted by vend name."""
    portfolios: tuple[LivePortfolio, ...] = ()
    """vend's portfolios (tag `vend:portfolio`), sorted by vend name."""
    organizations_access: str = "DISABLED"
    """GetAWSOrganizationsAccessStatus: ENABLED or DISABLED (read once with the catalog)."""

    def tag_option(self, key: str, value: str) -> LiveTagOption | None:
        return next((t for t in self.tag_options if (t.key, t.value) == (key, value)), None)


    def product(self, vend_name: str) -> LiveProduct | None:
        return next((p for p in self.products if p.vend_name == vend_name), None)

    def portfolio(self, vend_name: str) -> LivePortfolio | None:
        return next((p for p in self.portfolios if p.vend_name == vend_name), None)


@dataclass(frozen=True)
class Launch:
    """A provisioned product read in an account (`vend catalog report --self-service`)."""

    account: str
    name: str
    product_id: str
    artifact_id: str


@dataclass
class Launches:
    found: list[Launch] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    """Account id -> AWS's error code (AssumeRole or the read)."""
    role: str = ""
    accounts: int = 0
