"""V8xx: the catalog's hub settings, TagOption library and products (portfolios: rules_portfolios).

Quotas are Service Catalog's (aws-facts section 3.7): 25 values per TagOption key, 25 TagOptions
per resource, 100 versions per product. Each product template is linted and parsed once.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model import cfn_template, template_lint
from vending.model.catalog_types import CatalogSpec, ProductSpec, TagOptionKey
from vending.model.codes import finding, quote
from vending.model.rules_values import tag_key_problem, tag_key_reserved, tag_value_problem

if TYPE_CHECKING:
    from vending.model.rules import Loaded

MAX_VALUES_PER_KEY = 25
MAX_TAG_OPTIONS_PER_RESOURCE = 25
MAX_VERSIONS = 100
LIBRARY = "catalog/tagoptions.yaml"


def check(loaded: Loaded) -> list[Diagnostic]:
    catalog = loaded.org.catalog
    if catalog is None:
        return []
    found = _hub(loaded, catalog) + _library(loaded, catalog)
    for product in catalog.products.values():
        found.extend(_product(loaded, catalog, product))
    return found


def _hub(loaded: Loaded, catalog: CatalogSpec) -> list[Diagnostic]:
    settings = loaded.settings
    if settings is None:
        return []  # vend.yaml is missing or unreadable (reported already)
    hub, found = settings.catalog, []
    if catalog.products and not (hub and hub.template_bucket) and not settings.template_bucket:
        line = loaded.line("vend.yaml", "catalog") if hub else 1
        found.append(finding("V823", "vend.yaml", line, "catalog.template_bucket",
                             "catalog/ has products, and no bucket to upload their templates to",
                             "set catalog.template_bucket (or template_bucket) in vend.yaml: an S3 bucket in the hub "
                             "account's home Region"))
    if hub and hub.delegated_admin and not hub.role_arn:
        found.append(finding("V823", "vend.yaml", loaded.line("vend.yaml", "catalog", "delegated_admin"),
                             "catalog.delegated_admin", "a delegated administrator hub needs the role vend works there as",
                             f"add catalog.role_arn: arn:aws:iam::{hub.delegated_admin}:role/<role vend assumes>"))
    return found


def _library(loaded: Loaded, catalog: CatalogSpec) -> list[Diagnostic]:
    library = catalog.tag_options
    if library is None:
        return []
    found: list[Diagnostic] = []
    counts: dict[str, int] = {}
    for key, _ in library.options:
        counts[key] = counts.get(key, 0) + 1
    for key, count in counts.items():
        line = loaded.line(LIBRARY, "tag_options", key)
        problem = tag_key_problem(key)
        if problem:
            found.append(finding("V501", LIBRARY, line, f"tag_options.{key}", problem,
                                 "TagOption keys use letters, digits, spaces and _ . : / = + - @ only"))
        elif tag_key_reserved(key):
            found.append(finding("V503", LIBRARY, line, f"tag_options.{key}", f"{quote(key)} starts with aws:",
                                 "AWS reserves the aws: prefix: rename the key"))
        if count > MAX_VALUES_PER_KEY:
            found.append(finding("V811", LIBRARY, line, f"tag_options.{key}",
                                 f"{count} values; Service Catalog allows at most {MAX_VALUES_PER_KEY} per TagOption key",
                                 "remove values, or split them over two keys"))
    for option in library.options.values():
        problem = tag_value_problem(option.value)
        if problem:
            found.append(finding("V502", LIBRARY, loaded.line(LIBRARY, "tag_options", option.key, option.index, "value"),
                                 f"tag_options.{option.key}[{option.index}].value", problem,
                                 "TagOption values use letters, digits, spaces and _ . : / = + - @ only"))
    for option in library.repeated:
        found.append(finding("V805", LIBRARY, loaded.line(LIBRARY, "tag_options", option.key, option.index, "value"),
                             f"tag_options.{option.key}[{option.index}].value",
                             f"{quote(option.value)} is listed twice under {quote(option.key)}",
                             "keep one entry (with the active flag you mean)"))
    return found


def tag_option_refs(loaded: Loaded, catalog: CatalogSpec, file: str, refs: tuple[TagOptionKey, ...]) -> list[Diagnostic]:
    """V804/V805/V810 for a product's or portfolio's `tag_options`."""
    found: list[Diagnostic] = []
    library = catalog.tag_options
    index: dict[str, int] = {}
    for key, value in refs:
        i = index[key] = index.get(key, -1) + 1
        if library is None or key not in {k for k, _ in library.options}:
            known = ", ".join(sorted({k for k, _ in library.options})) if library else "no catalog/tagoptions.yaml"
            if i == 0:
                found.append(finding("V804", file, loaded.line(file, "tag_options", key), f"tag_options.{key}",
                                     f"no TagOption key {quote(key)} in {LIBRARY}",
                                     f"known keys: {known or 'none'}; add the key and its values to the library"))
        elif (key, value) not in library.options:
            found.append(finding("V805", file, loaded.line(file, "tag_options", key, i), f"tag_options.{key}[{i}]",
                                 f"{quote(value)} is not a value of {quote(key)} in {LIBRARY}",
                                 f"its values: {', '.join(library.values(key))}; add it to the library, or pick one of them"))
        elif library.options[(key, value)].retired:
            found.append(finding("V835", file, loaded.line(file, "tag_options", key, i), f"tag_options.{key}[{i}]",
                                 f"TagOption {key}={value} is retired in {LIBRARY}",
                                 "drop it here (vend disassociates it before deleting the TagOption), or un-retire it"))
    if len(refs) > MAX_TAG_OPTIONS_PER_RESOURCE:
        found.append(finding("V810", file, loaded.line(file, "tag_options"), "tag_options",
                             f"{len(refs)} TagOptions; Service Catalog associates at most {MAX_TAG_OPTIONS_PER_RESOURCE} "
                             "with one product or portfolio", "remove some (each key/value pair counts once)"))
    return found


def _product(loaded: Loaded, catalog: CatalogSpec, product: ProductSpec) -> list[Diagnostic]:
    file = product.source.file
    found = tag_option_refs(loaded, catalog, file, product.tag_options)
    if len(product.versions) > MAX_VERSIONS:
        found.append(finding("V812", file, loaded.line(file, "versions"), "versions",
                             f"{len(product.versions)} versions; Service Catalog keeps at most {MAX_VERSIONS} per product",
                             "retire old versions: remove them here (vend deletes them with --allow-destroy)"))
    seen: set[str] = set()
    for i, version in enumerate(product.versions):
        if version.name in seen:
            found.append(finding("V803", file, loaded.line(file, "versions", i, "name"), f"versions[{i}].name",
                                 f"version {quote(version.name)} is listed twice",
                                 "name each version once; a changed template is a new version with a new name"))
        seen.add(version.name)
    home = loaded.settings.home_region if loaded.settings else ""
    for template_file, text in sorted({(v.template_file, v.template) for v in product.versions if v.template}):
        for item in template_lint.lint(text, (home,) if home else ()):
            found.append(finding("V819", template_file, item.line, "", f"cfn-lint {item.rule}: {item.message}",
                                 f"fix the template; cfn-lint explains {item.rule} at "
                                 "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"))
    return found


@lru_cache(maxsize=512)
def declared_parameters(template: str) -> dict[str, bool] | None:
    """The template's parameters, each with whether it has a Default (None: unreadable; cfn-lint says why)."""
    try:
        return {name: "Default" in d for name, d in cfn_template.parameters(cfn_template.parse(template)).items()}
    except cfn_template.TemplateSyntaxError:
        return None
