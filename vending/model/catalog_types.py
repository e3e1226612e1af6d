"""Typed specs of catalog/: the TagOption library, products with their versions, portfolios.

Specs keep the file they came from and the position of each listed item, so the rules find
every line through the loader's line tables (`Loaded.line(file, ...)`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vending.model.types import OuPath, Source

TagOptionKey = tuple[str, str]
"""(key, value): one AWS TagOption."""

ConstraintType = Literal["LAUNCH", "NOTIFICATION", "RESOURCE_UPDATE", "TEMPLATE", "STACKSET"]


@dataclass(frozen=True)
class TagOption:
    """One library entry; `index` is its position in the key's list, `line` its line."""

    key: str
    value: str
    active: bool = True
    index: int = 0
    line: int = 1
    retired: bool = False
    """`retired: true`: delete the TagOption (DeleteTagOption, --allow-destroy) once nothing
    vend manages lists it (V835)."""


@dataclass(frozen=True)
class TagOptionLibrary:
    source: Source
    options: dict[TagOptionKey, TagOption] = field(default_factory=dict)
    repeated: tuple[TagOption, ...] = ()
    """Values listed again under the same key (the first one counts)."""

    def values(self, key: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.options if k == key)


@dataclass(frozen=True)
class ProductVersion:
    name: str
    template_file: str
    """Repository path of the template (catalog/products/<p>/<file>)."""
    template: str
    """The template's text ("" when the file is missing or unreadable: a finding already)."""
    description: str = ""
    guidance: Literal["default", "deprecated"] = "default"
    active: bool = True


@dataclass(frozen=True)
class ProductSpec:
    name: str
    """The folder name: vend's name for the product (the AWS name is `display_name`)."""
    source: Source
    display_name: str
    owner: str
    distributor: str = ""
    description: str = ""
    support_description: str = ""
    support_email: str = ""
    support_url: str = ""
    versions: tuple[ProductVersion, ...] = ()
    tag_options: tuple[TagOptionKey, ...] = ()
    retired: bool = False

    def version(self, name: str) -> ProductVersion | None:
        return next((v for v in self.versions if v.name == name), None)


@dataclass(frozen=True)
class Share:
    """An OU path, an account (a name from accounts/ or an external 12-digit id), or the
    organization (`value` "")."""

    kind: Literal["ou", "account", "organization"]
    value: str
    index: int


@dataclass(frozen=True)
class Principal:
    type: Literal["IAM", "IAM_PATTERN"]
    arn: str
    index: int


@dataclass(frozen=True)
class Constraint:
    type: ConstraintType
    parameters: dict[str, object]
    """CreateConstraint's Parameters, as AWS takes them (JSON-encoded by the applier)."""
    description: str
    index: int
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """TEMPLATE only: the allowed values per parameter that `parameters` was compiled from."""


@dataclass(frozen=True)
class Enforced:
    """distribution: enforced: one product version in every account of the OUs."""

    product: str
    version: str
    ous: tuple[OuPath, ...]
    parameters: dict[str, str] = field(default_factory=dict)
    forced_update: bool = False


@dataclass(frozen=True)
class PortfolioSpec:
    name: str
    """The file's stem: vend's name for the portfolio."""
    source: Source
    display_name: str
    provider: str
    distribution: Literal["available", "enforced"]
    description: str = ""
    products: tuple[str, ...] = ()
    shares: tuple[Share, ...] = ()
    share_tag_options: bool = False
    share_principals: bool = False
    principals: tuple[Principal, ...] = ()
    tag_options: tuple[TagOptionKey, ...] = ()
    constraints: dict[str, tuple[Constraint, ...]] = field(default_factory=dict)
    enforced: Enforced | None = None
    retired: bool = False


@dataclass(frozen=True)
class CatalogSpec:
    """Everything under catalog/. `product_folders` and `portfolio_files` name every product
    folder and portfolio file found, readable or not, so a broken one is not also "unknown"."""

    tag_options: TagOptionLibrary | None = None
    products: dict[str, ProductSpec] = field(default_factory=dict)
    portfolios: dict[str, PortfolioSpec] = field(default_factory=dict)
    product_folders: frozenset[str] = frozenset()
    portfolio_files: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CatalogHub:
    """vend.yaml `catalog`: where the portfolios live and where templates are uploaded."""

    delegated_admin: str | None = None
    role_arn: str | None = None
    template_bucket: str | None = None
    report_role: str | None = None
    """Role name `vend catalog report --self-service` assumes in each account (None: the default)."""
