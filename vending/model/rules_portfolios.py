"""V8xx on portfolios: products, shares, principals, constraints and the enforced kind.

Quotas (aws-facts section 3.7): 150 products per portfolio, 10 IAM_PATTERN principals, 5,000
shared accounts. The accounts a portfolio reaches come from one index of accounts by OU,
built once, so a share costs a look-up, not a walk over every account.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model.catalog_enforced import baseline_name
from vending.model.live_baselines import stack_set_name
from vending.model.catalog_types import CatalogSpec, Constraint, PortfolioSpec, Principal
from vending.model.codes import finding, quote
from vending.model.rules_catalog import declared_parameters, tag_option_refs
from vending.model.types import OuPath, parse_path, path_str

if TYPE_CHECKING:
    from vending.model.rules import Loaded

MAX_PRODUCTS = 150
MAX_PATTERNS = 10
MAX_SHARED_ACCOUNTS = 5000
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_PARTITION = re.compile(r"^aws(-[a-z]+)*$")
_IAM_TYPES = ("role", "user", "group")
AVAILABLE_ONLY = ("products", "shares", "share_tag_options", "share_principals", "principals", "constraints")
ENFORCED_ONLY = ("product", "version", "ous", "parameters", "forced_update")


def check(loaded: Loaded) -> list[Diagnostic]:
    catalog = loaded.org.catalog
    if catalog is None:
        return []
    found: list[Diagnostic] = []
    below = _accounts_below(loaded) if any(p.shares for p in catalog.portfolios.values()) else {}
    for portfolio in catalog.portfolios.values():
        found.extend(tag_option_refs(loaded, catalog, portfolio.source.file, portfolio.tag_options))
        found.extend(_fields(loaded, portfolio))
        if portfolio.distribution == "enforced":
            found.extend(_enforced(loaded, catalog, portfolio))
            continue
        found.extend(_products(loaded, catalog, portfolio))
        found.extend(_shares(loaded, portfolio, below))
        found.extend(_principals(loaded, portfolio))
        for product, constraints in portfolio.constraints.items():
            found.extend(_constraints(loaded, catalog, portfolio, product, constraints))
    return found


def _keys(portfolio: PortfolioSpec) -> set[str]:
    return {key for key, _ in portfolio.source.fields}


def _fields(loaded: Loaded, portfolio: PortfolioSpec) -> list[Diagnostic]:
    file, keys, found = portfolio.source.file, _keys(portfolio), []
    wrong = ENFORCED_ONLY if portfolio.distribution == "available" else AVAILABLE_ONLY
    other = "enforced" if portfolio.distribution == "available" else "available"
    for key in wrong:
        if key in keys:
            found.append(finding("V822", file, loaded.line(file, key), key,
                                 f"{key} is for {other} portfolios, and this one is {portfolio.distribution}",
                                 f"remove {key}, or set distribution: {other}"))
    if portfolio.distribution == "enforced":
        for key in ("product", "version", "ous"):
            if key not in keys:
                found.append(finding("V822", file, loaded.line(file, "distribution"), key,
                                     f"an enforced portfolio needs {key}",
                                     "give product, version and ous: the product version every account of those OUs gets"))
    return found


def _unknown_product(loaded: Loaded, catalog: CatalogSpec, file: str, line: int, field: str, name: str) -> Diagnostic:
    known = ", ".join(sorted(catalog.product_folders)) or "none yet"
    return finding("V801", file, line, field, f"no product {quote(name)} (no catalog/products/{name}/product.yaml)",
                   f"known products: {known}")


def _products(loaded: Loaded, catalog: CatalogSpec, portfolio: PortfolioSpec) -> list[Diagnostic]:
    file, found = portfolio.source.file, []
    if len(portfolio.products) > MAX_PRODUCTS:
        found.append(finding("V808", file, loaded.line(file, "products"), "products",
                             f"{len(portfolio.products)} products; a portfolio holds at most {MAX_PRODUCTS}",
                             "split the products over two portfolios"))
    for i, name in enumerate(portfolio.products):
        line, field = loaded.line(file, "products", i), f"products[{i}]"
        product = catalog.products.get(name)
        if product is None:
            if name not in catalog.product_folders:
                found.append(_unknown_product(loaded, catalog, file, line, field, name))
        elif product.retired and not portfolio.retired:
            found.append(finding("V825", file, line, field, f"product {quote(name)} is retired",
                                 "remove it from this portfolio (retiring deletes the product)"))
    return found


def _accounts_below(loaded: Loaded) -> dict[OuPath, set[str]]:
    """Account names by every OU above them (the root included), by where they must sit."""
    below: dict[OuPath, set[str]] = {}
    for account in loaded.org.accounts.values():
        path = loaded.org.placement(account)
        for depth in range(len(path) + 1):
            below.setdefault(path[:depth], set()).add(account.name)
    return below


def _shares(loaded: Loaded, portfolio: PortfolioSpec, below: dict[OuPath, set[str]]) -> list[Diagnostic]:
    file, found = portfolio.source.file, []
    reached: set[str] = set()
    for share in portfolio.shares:
        line, field = loaded.line(file, "shares", share.index), f"shares[{share.index}].{share.kind}"
        if share.kind == "organization":
            reached |= below.get((), set())
        elif share.kind == "ou":
            path = parse_path(share.value)
            if loaded.org.ou(path) is None:
                found.append(_unknown_ou(file, line, field, path))
            reached |= below.get(path, set())
        else:
            if _ACCOUNT_ID.match(share.value):
                reached.add(share.value)
            elif share.value in loaded.org.accounts:
                reached.add(share.value)
            else:
                found.append(finding("V807", file, line, field, f"no account {quote(share.value)} under accounts/",
                                     "name an account declared in accounts/ (its name field), or give the 12-digit id "
                                     "of an account outside the repository"))
            if portfolio.share_principals:
                found.append(finding("V815", file, line, field,
                                     "share_principals is on, and AWS ignores SharePrincipals on an account share",
                                     "vend shares with this account without principal sharing, so its builders launch only "
                                     "if the account associates its own principals; share the account's OU instead to "
                                     "give it the IAM_PATTERN principals"))
    if len(reached) > MAX_SHARED_ACCOUNTS:
        found.append(finding("V813", file, loaded.line(file, "shares"), "shares",
                             f"the shares reach {len(reached):,} accounts; a portfolio is shared with at most "
                             f"{MAX_SHARED_ACCOUNTS:,}", "split the shares over two portfolios holding the same products"))
    return found


def _unknown_ou(file: str, line: int, field: str, path: OuPath) -> Diagnostic:
    return finding("V806", file, line, field, f"OU {path_str(path)} is not declared",
                   f"declare it (ous/{path_str(path)}/ou.yaml), or fix the path (written like Workloads/Dev)")


def _principals(loaded: Loaded, portfolio: PortfolioSpec) -> list[Diagnostic]:
    file, found = portfolio.source.file, []
    patterns = [p for p in portfolio.principals if p.type == "IAM_PATTERN"]
    if len(patterns) > MAX_PATTERNS:
        found.append(finding("V809", file, loaded.line(file, "principals"), "principals",
                             f"{len(patterns)} IAM_PATTERN principals; a portfolio has at most {MAX_PATTERNS}",
                             "merge patterns (wildcards * and ? in the path and name), or split the portfolio"))
    for principal in portfolio.principals:
        problem = principal_problem(principal)
        if problem:
            key = "iam_pattern" if principal.type == "IAM_PATTERN" else "iam"
            found.append(finding("V814", file, loaded.line(file, "principals", principal.index),
                                 f"principals[{principal.index}].{key}", problem,
                                 "write IAM_PATTERN as arn:aws:iam:::role/<path>/<name> (no account id; * and ? in the "
                                 "path and name only) and IAM as the full ARN of one role, user or group"))
    return found


def principal_problem(principal: Principal) -> str | None:
    """Why AWS would refuse the principal ARN (AssociatePrincipalWithPortfolio), or None."""
    parts = principal.arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] != "":
        return f"{quote(principal.arn)} is not an IAM ARN (arn:<partition>:iam::<account>:<role|user|group>/<name>)"
    partition, account, resource = parts[1], parts[4], parts[5]
    kind, _, name = resource.partition("/")
    if any(c in partition for c in "*?") or any(c in kind for c in "*?"):
        where = "the partition" if any(c in partition for c in "*?") else "the resource type"
        return f"{quote(principal.arn)} has a wildcard in {where}; wildcards belong in the path and name only"
    if not _PARTITION.match(partition) or kind not in _IAM_TYPES:
        return f"{quote(principal.arn)} names no IAM role, user or group"
    if not name or name.endswith("/"):
        return f"{quote(principal.arn)} has no name after {kind}/"
    if principal.type == "IAM_PATTERN":
        if account:
            return f"{quote(principal.arn)} has an account id; an IAM_PATTERN has none (it matches in every shared account)"
        return None
    if any(c in principal.arn for c in "*?"):
        return f"{quote(principal.arn)} has a wildcard; an IAM principal is one ARN (use iam_pattern for patterns)"
    if not _ACCOUNT_ID.match(account):
        return f"{quote(principal.arn)} has no 12-digit account id (an IAM principal is one ARN of the hub account)"
    return None


def _constraints(loaded: Loaded, catalog: CatalogSpec, portfolio: PortfolioSpec, product: str,
                 constraints: tuple[Constraint, ...]) -> list[Diagnostic]:
    file, found = portfolio.source.file, []
    if product not in portfolio.products:
        found.append(finding("V826", file, loaded.line(file, "constraints", product), f"constraints.{product}",
                             f"{quote(product)} is not among this portfolio's products",
                             f"add {product} to products, or remove its constraints"))
        return found
    launching = [c for c in constraints if c.type in ("LAUNCH", "STACKSET")]
    for c in launching[1:]:
        what = f"a second {c.type} constraint" if c.type == launching[0].type else "a LAUNCH and a STACKSET constraint"
        found.append(finding("V816", file, loaded.line(file, "constraints", product, c.index),
                             f"constraints.{product}[{c.index}]",
                             f"{what} on {product}; AWS allows one LAUNCH or one STACKSET per product "
                             "and portfolio", "keep one of them"))
    spec = catalog.products.get(product)
    for c in constraints:
        if c.type != "TEMPLATE" or spec is None:
            continue
        for version in spec.versions:
            declared = declared_parameters(version.template) if version.template and version.active else None
            for param in c.allowed:
                if declared is not None and param not in declared:
                    found.append(finding("V817", file, loaded.line(file, "constraints", product, c.index, "template",
                                                                   "parameters", param),
                                         f"constraints.{product}[{c.index}].template.parameters.{param}",
                                         f"{version.template_file} (version {version.name}) declares no parameter {quote(param)}",
                                         f"declared: {', '.join(sorted(declared)) or 'none'}; constrain a declared "
                                         "parameter, or add it to every active version's template"))
    return found


def _enforced(loaded: Loaded, catalog: CatalogSpec, portfolio: PortfolioSpec) -> list[Diagnostic]:
    file, found, enforced = portfolio.source.file, [], portfolio.enforced
    if enforced is None:
        return found
    for i, path in enumerate(enforced.ous):
        if loaded.org.ou(path) is None:
            found.append(_unknown_ou(file, loaded.line(file, "ous", i), f"ous[{i}]", path))
        elif path == ():
            found.append(finding("V828", file, loaded.line(file, "ous", i), f"ous[{i}]",
                                 "the root reaches every account but the management account: StackSets never "
                                 "deploys a stack instance there", "fine as it is; provision the product in the "
                                 "management account by hand if it needs it, or list the OUs instead"))
    if baseline_name(portfolio.name) in loaded.baseline_folders:
        found.append(finding("V827", file, 1, "", f"baselines/{baseline_name(portfolio.name)}/ names the stack set "
                             f"{stack_set_name(baseline_name(portfolio.name))} this enforced portfolio needs",
                             "rename that baseline's folder or this portfolio's file"))
    product = catalog.products.get(enforced.product)
    if product is None:
        if enforced.product and enforced.product not in catalog.product_folders:
            found.append(_unknown_product(loaded, catalog, file, loaded.line(file, "product"), "product", enforced.product))
        return found
    if product.retired and not portfolio.retired:
        found.append(finding("V825", file, loaded.line(file, "product"), "product",
                             f"product {quote(product.name)} is retired", "enforce another product, or retire this portfolio"))
    version = product.version(enforced.version)
    if version is None:
        if enforced.version:
            found.append(finding("V802", file, loaded.line(file, "version"), "version",
                                 f"{product.name} has no version {quote(enforced.version)}",
                                 f"its versions: {', '.join(v.name for v in product.versions)}"))
        return found
    if not version.active or version.guidance == "deprecated":
        state = "inactive" if not version.active else "deprecated"
        found.append(finding("V818", file, loaded.line(file, "version"), "version",
                             f"version {version.name} of {product.name} is {state}, so no account could launch it",
                             "enforce an active version with guidance default"))
    declared = declared_parameters(version.template) if version.template else None
    if declared is None:
        return found
    for name in enforced.parameters:
        if name not in declared:
            found.append(finding("V824", file, loaded.line(file, "parameters", name), f"parameters.{name}",
                                 f"{version.template_file} declares no parameter {quote(name)}",
                                 f"declared: {', '.join(sorted(declared)) or 'none'}"))
    for name, has_default in sorted(declared.items()):
        if not has_default and name not in enforced.parameters:
            where = loaded.line(file, "parameters") if "parameters" in _keys(portfolio) else loaded.line(file, "version")
            found.append(finding("V824", file, where, "parameters",
                                 f"template parameter {quote(name)} has no Default and no value here",
                                 f"give {name} a value under parameters"))
    return found
