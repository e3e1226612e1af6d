"""Typed specs of catalog/marketplace/ (Private Marketplace experiences) and catalog/licenses/
(License Manager grants of Marketplace licenses).

Specs keep the file they came from and the position of each listed item, so the rules find
every line through the loader's line tables (`Loaded.line(file, ...)`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vending.model.types import Source

MemberKind = Literal["organization", "ou", "account"]


@dataclass(frozen=True)
class Member:
    """A principal of an audience or a grant: an OU path, an account (a name from accounts/ or a
    12-digit id), or the organization (`value` "")."""

    kind: MemberKind
    value: str
    index: int


@dataclass(frozen=True)
class Branding:
    title: str = ""
    information: str = ""
    theme_color: str = ""
    logo_url: str = ""


@dataclass(frozen=True)
class AllowedProduct:
    id: str
    notes: str
    index: int


@dataclass(frozen=True)
class ExperienceSpec:
    name: str
    """The file's stem: vend's name for the experience (AWS's is `display_name`)."""
    file: str
    display_name: str
    description: str = ""
    status: Literal["enabled", "disabled", "archived"] = "enabled"
    default: bool = False
    branding: Branding | None = None
    user_requests: Literal["allow", "deny"] = "allow"
    products: tuple[AllowedProduct, ...] = ()
    audience: tuple[Member, ...] = ()
    source: Source | None = None
    """Where its keys are written, for the plan's `source` lines."""

    def members(self) -> tuple[Member, ...]:
        """The audience, with the organization first when `default` makes it the default."""
        listed = self.audience
        if self.default and not any(m.kind == "organization" for m in listed):
            return (Member("organization", "", -1),) + listed
        return listed


@dataclass(frozen=True)
class LicenseGrantSpec:
    name: str
    """The file's stem: vend's name for the grant(s)."""
    file: str
    license_arn: str = ""
    product_sku: str = ""
    principals: tuple[Member, ...] = ()
    allowed_operations: tuple[str, ...] = ()
    activation_override: Literal["distributed-grants-only", "all-grants-permitted-by-issuer"] | None = None
    retired: bool = False


@dataclass(frozen=True)
class MarketplaceSpec:
    """Everything under catalog/marketplace/ and catalog/licenses/; `experience_files` and
    `license_files` name every file found there, readable or not."""

    experiences: dict[str, ExperienceSpec] = field(default_factory=dict)
    licenses: dict[str, LicenseGrantSpec] = field(default_factory=dict)
    experience_files: frozenset[str] = frozenset()
    license_files: frozenset[str] = frozenset()
