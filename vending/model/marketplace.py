"""Read catalog/marketplace/<name>.yaml (experiences) and catalog/licenses/<name>.yaml (grants)
into a MarketplaceSpec.

Pure, like the rest of the loader. A repository with neither folder gets None, which keeps every
Marketplace Catalog and License Manager reader and rule out of its way. Both folders live in
catalog/, whose other files vending.model.catalog reads (it leaves these two to this module).
"""
from __future__ import annotations

from typing import Any, Callable

from vending.model.marketplace_types import (
    AllowedProduct,
    Branding,
    ExperienceSpec,
    LicenseGrantSpec,
    MarketplaceSpec,
    Member,
)
from vending.model.repo_files import Entry
from vending.model.types import Source
from vending.model.repo_walk import Reader, item_files

CATALOG_DIR = "catalog"
EXPERIENCES_DIR = "marketplace"
LICENSES_DIR = "licenses"
FOLDERS = (EXPERIENCES_DIR, LICENSES_DIR)
"""The folders of catalog/ this module reads."""


def read_all(repo: Reader) -> MarketplaceSpec | None:
    """The experiences and grants as far as they read (problems go to `repo.found`); None when
    the repository declares neither."""
    base = repo.files.entry(repo.files.root, CATALOG_DIR)
    if base is None or base.kind != "dir":
        return None
    folders = {e.name: e for e in repo.files.children(base) if e.name in FOLDERS and e.kind == "dir"}
    if not folders:
        return None
    experiences, experience_files = _read(repo, folders.get(EXPERIENCES_DIR), "marketplace",
                                          "experiences are catalog/marketplace/<name>.yaml files", _experience)
    licenses, license_files = _read(repo, folders.get(LICENSES_DIR), "license",
                                    "license grants are catalog/licenses/<name>.yaml files",
                                    lambda file, name, data, source: _license(file, name, data))
    return MarketplaceSpec(experiences=experiences, licenses=licenses, experience_files=experience_files,
                           license_files=license_files)


def _read(repo: Reader, folder: Entry | None, kind: str, layout: str,
          build: Callable[[str, str, dict[str, Any], Source], Any]) -> tuple[dict[str, Any], frozenset[str]]:
    if folder is None or not repo.files.enter(folder):
        return {}, frozenset()
    read, names = item_files(repo, folder, kind, layout)
    return {name: build(entry.rel, name, data, repo.source(entry, data)) for name, entry, data in read}, names


def _experience(file: str, name: str, data: dict[str, Any], source: Source) -> ExperienceSpec:
    branding = data.get("branding")
    return ExperienceSpec(
        name=name, file=file, display_name=data.get("name", name), description=data.get("description", ""),
        status=data.get("status", "enabled"), default=data.get("default", False),
        branding=None if branding is None else Branding(
            title=branding.get("title", ""), information=branding.get("information", ""),
            theme_color=branding.get("theme_color", ""), logo_url=branding.get("logo_url", "")),
        user_requests=data.get("user_requests", "allow"),
        products=tuple(AllowedProduct(id=p["id"], notes=p.get("notes", ""), index=i)
                       for i, p in enumerate(data.get("products", ())) if isinstance(p, dict) and "id" in p),
        audience=members(data.get("audience", ())), source=source,
    )


def _license(file: str, name: str, data: dict[str, Any]) -> LicenseGrantSpec:
    license = data.get("license", {})
    override = data.get("activation_override")
    return LicenseGrantSpec(
        name=name, file=file, license_arn=license.get("arn", ""), product_sku=license.get("product_sku", ""),
        principals=members(data.get("principals", ())),
        allowed_operations=tuple(o for o in data.get("allowed_operations", ()) if isinstance(o, str)),
        activation_override=override, retired=data.get("retired", False),
    )


def members(items: Any) -> tuple[Member, ...]:
    """`[{ou: ...}, {account: ...}, {organization: true}]` as Members (malformed items were
    reported by the schema and are skipped)."""
    found = []
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict) and len(item) == 1:
            kind, value = next(iter(item.items()))
            found.append(Member(kind=kind, value="" if kind == "organization" else str(value), index=i))
    return tuple(found)
