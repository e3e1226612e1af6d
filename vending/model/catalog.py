"""Read catalog/ (tagoptions.yaml, products/<p>/product.yaml, portfolios/<p>.yaml) into a CatalogSpec.

Pure, like the rest of the loader: files in, specs and findings out. A repository without
catalog/ gets None, which keeps every Service Catalog reader and rule out of its way.
"""
from __future__ import annotations

import re
from typing import Any

from vending.model.catalog_types import (
    CatalogHub,
    CatalogSpec,
    Constraint,
    Enforced,
    PortfolioSpec,
    Principal,
    ProductSpec,
    ProductVersion,
    Share,
    TagOption,
    TagOptionKey,
    TagOptionLibrary,
)
from vending.model.codes import finding
from vending.model.marketplace import FOLDERS as MARKETPLACE_FOLDERS
from vending.model.repo_files import Entry
from vending.model.repo_walk import Reader, entry_at, item_files, item_folders
from vending.model.types import parse_path

CATALOG_DIR = "catalog"
TAGOPTIONS_FILE = "tagoptions.yaml"
PRODUCT_FILE = "product.yaml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LAYOUT = "catalog/ holds tagoptions.yaml, products/<name>/product.yaml and portfolios/<name>.yaml"


def hub(data: Any) -> CatalogHub | None:
    """vend.yaml `catalog` (None when absent; wrong types were pruned by the schema check)."""
    if not isinstance(data, dict):
        return None
    return CatalogHub(delegated_admin=data.get("delegated_admin"), role_arn=data.get("role_arn"),
                      template_bucket=data.get("template_bucket"), report_role=data.get("report_role"))


def read_all(repo: Reader) -> CatalogSpec | None:
    """The catalog as far as it reads (problems go to `repo.found`); None without catalog/."""
    base = repo.folder(CATALOG_DIR)
    if base is None:
        return None
    library, products, portfolios = None, {}, {}
    product_folders: frozenset[str] = frozenset()
    portfolio_files: frozenset[str] = frozenset()
    for entry in repo.files.children(base):
        if entry.kind == "broken":
            continue
        if entry.name == TAGOPTIONS_FILE and entry.kind != "dir":
            library = _library(repo, entry)
        elif entry.name == "products" and entry.kind == "dir":
            products, product_folders = _products(repo, entry)
        elif entry.name == "portfolios" and entry.kind == "dir":
            portfolios, portfolio_files = _portfolios(repo, entry)
        elif entry.name in MARKETPLACE_FOLDERS and entry.kind == "dir":
            continue  # read by vending.model.marketplace
        elif entry.name == TAGOPTIONS_FILE:
            repo.named_like_a_file(entry, f"{TAGOPTIONS_FILE} is the TagOption library: rename the folder")
        else:
            repo.stray(entry, _LAYOUT)
    return CatalogSpec(tag_options=library, products=products, portfolios=portfolios,
                       product_folders=product_folders, portfolio_files=portfolio_files)


def _library(repo: Reader, entry: Entry) -> TagOptionLibrary | None:
    data = repo.yaml(entry, "tagoptions")
    if data is None:
        return None
    options: dict[TagOptionKey, TagOption] = {}
    repeated = []
    lines = repo.lines[entry.rel]
    for key, values in data.get("tag_options", {}).items():
        for i, item in enumerate(values if isinstance(values, list) else ()):
            if isinstance(item, dict) and isinstance(item.get("value"), str):
                option = TagOption(key, item["value"], item.get("active", True), i, lines.at(("tag_options", key, i)),
                                   bool(item.get("retired", False)))
                if (key, option.value) in options:
                    repeated.append(option)
                else:
                    options[(key, option.value)] = option
    return TagOptionLibrary(repo.source(entry, data), options, tuple(repeated))


def _products(repo: Reader, folder: Entry) -> tuple[dict[str, ProductSpec], frozenset[str]]:
    found: dict[str, ProductSpec] = {}
    if not repo.files.enter(folder):
        return found, frozenset()
    folders, names = item_folders(repo, folder, "catalog/products/ holds one folder per product, each with a product.yaml")
    for entry in folders:
        spec = _product(repo, entry)
        if spec is not None:
            found[spec.name] = spec
    return found, names


def _product(repo: Reader, folder: Entry) -> ProductSpec | None:
    if not _NAME.match(folder.name):
        repo.found.append(finding("V821", folder.rel, 1, "", f"{folder.name!r} is not a product name",
                                  "name product folders with 1-64 lower-case letters, digits and '-', starting "
                                  "with a letter or digit (portfolios list products by it)"))
        return None
    file = repo.files.entry(folder, PRODUCT_FILE)
    if file is None:
        repo.found.append(finding("V821", f"{folder.rel}/{PRODUCT_FILE}", 1, "",
                                  f"product folder {folder.rel} has no {PRODUCT_FILE}",
                                  "add product.yaml (name, owner, versions; see the README), or remove the folder"))
        return None
    if file.kind == "dir":
        repo.named_like_a_file(file, f"{PRODUCT_FILE} is the product's settings file: rename the folder")
        return None
    data = None if file.kind == "broken" else repo.yaml(file, "product")
    if data is None:
        return None
    source = repo.source(file, data)
    versions = tuple(_version(repo, folder, file.rel, i, v) for i, v in enumerate(data.get("versions", ()))
                     if isinstance(v, dict) and isinstance(v.get("name"), str) and isinstance(v.get("template"), str))
    support = data.get("support", {})
    return ProductSpec(
        name=folder.name, source=source, display_name=data.get("name", ""), owner=data.get("owner", ""),
        distributor=data.get("distributor", ""), description=data.get("description", ""),
        support_description=support.get("description", ""), support_email=support.get("email", ""),
        support_url=support.get("url", ""), versions=versions, tag_options=tag_option_refs(data.get("tag_options")),
        retired=data.get("retired", False),
    )


def _version(repo: Reader, folder: Entry, file: str, index: int, data: dict[str, Any]) -> ProductVersion:
    template_name = data["template"]
    entry = entry_at(repo.files, folder, template_name)
    text = ""
    if entry is None or entry.kind == "dir":
        repo.found.append(finding("V820", file, repo.lines[file].at(("versions", index, "template")),
                                  f"versions[{index}].template", f"template file {folder.rel}/{template_name} does not exist",
                                  f"add {template_name} next to product.yaml, or name the right file in `template`"))
    elif entry.kind != "broken":
        text = repo.files.read(entry) or ""
    return ProductVersion(name=data["name"], template_file=f"{folder.rel}/{template_name}", template=text,
                          description=data.get("description", ""), guidance=data.get("guidance", "default"),
                          active=data.get("active", True))


def tag_option_refs(data: Any) -> tuple[TagOptionKey, ...]:
    """`{key: [values]}` as (key, value) pairs, in the order written."""
    if not isinstance(data, dict):
        return ()
    return tuple((k, v) for k, values in data.items() if isinstance(values, list) for v in values if isinstance(v, str))


def _portfolios(repo: Reader, folder: Entry) -> tuple[dict[str, PortfolioSpec], frozenset[str]]:
    if not repo.files.enter(folder):
        return {}, frozenset()
    read, names = item_files(repo, folder, "portfolio", "portfolios are catalog/portfolios/<name>.yaml files")
    return {name: _portfolio(repo, entry, name, data) for name, entry, data in read}, names


def _portfolio(repo: Reader, entry: Entry, name: str, data: dict[str, Any]) -> PortfolioSpec:
    enforced = None
    if data.get("distribution") == "enforced":
        enforced = Enforced(product=data.get("product", ""), version=data.get("version", ""),
                            ous=tuple(parse_path(p) for p in data.get("ous", ())),
                            parameters=dict(data.get("parameters", {})), forced_update=data.get("forced_update", False))
    return PortfolioSpec(
        name=name, source=repo.source(entry, data), display_name=data.get("display_name", ""),
        provider=data.get("provider", ""), distribution=data.get("distribution", "available"),
        description=data.get("description", ""), products=tuple(data.get("products", ())),
        shares=tuple(_share(i, s) for i, s in enumerate(data.get("shares", ())) if isinstance(s, dict) and s),
        share_tag_options=data.get("share_tag_options", False), share_principals=data.get("share_principals", False),
        principals=tuple(_principal(i, p) for i, p in enumerate(data.get("principals", ())) if isinstance(p, dict) and p),
        tag_options=tag_option_refs(data.get("tag_options")),
        constraints={product: tuple(_constraint(i, c) for i, c in enumerate(items) if isinstance(c, dict) and c)
                     for product, items in data.get("constraints", {}).items() if isinstance(items, list)},
        enforced=enforced, retired=data.get("retired", False),
    )


def _share(index: int, data: dict[str, Any]) -> Share:
    kind = next(iter(data))
    return Share(kind=kind, value="" if kind == "organization" else str(data[kind]), index=index)


def _principal(index: int, data: dict[str, Any]) -> Principal:
    kind = next(iter(data))
    return Principal(type="IAM_PATTERN" if kind == "iam_pattern" else "IAM", arn=str(data[kind]), index=index)


def _constraint(index: int, data: dict[str, Any]) -> Constraint:
    kind, body = next(iter(data.items()))
    body = body if isinstance(body, dict) else {}
    description = body.get("description", "")
    if kind == "launch":
        return Constraint("LAUNCH", {"LocalRoleName": body.get("local_role_name", "")}, description, index)
    if kind == "notification":
        return Constraint("NOTIFICATION", {"NotificationArns": list(body.get("topics", ()))}, description, index)
    if kind == "resource_update":
        value = "ALLOWED" if body.get("tag_updates") == "allowed" else "NOT_ALLOWED"
        return Constraint("RESOURCE_UPDATE", {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct": value}},
                          description, index)
    if kind == "stackset":
        return Constraint("STACKSET", {"Version": "2.0", "Properties": {
            "AccountList": list(body.get("accounts", ())), "RegionList": list(body.get("regions", ())),
            "AdminRole": body.get("admin_role", ""), "ExecutionRole": body.get("execution_role", "")}}, description, index)
    allowed = {p: tuple(v) for p, v in body.get("parameters", {}).items() if isinstance(v, list)}
    return Constraint("TEMPLATE", template_rules(allowed), description, index, allowed)


def template_rules(allowed: dict[str, tuple[str, ...]]) -> dict[str, object]:
    """Allowed values per parameter in AWS's template constraint rules syntax: one rule per
    parameter, asserting Fn::Contains over the values (so a launch outside them is refused)."""
    rules = {}
    for param, values in sorted(allowed.items()):
        rules[f"Allowed{param}"] = {"Assertions": [{
            "Assert": {"Fn::Contains": [list(values), {"Ref": param}]},
            "AssertDescription": f"{param} must be one of: {', '.join(values)}",
        }]}
    return {"Rules": rules}
