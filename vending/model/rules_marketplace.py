"""V10xx: Private Marketplace experiences (catalog/marketplace/) and License Manager grants
(catalog/licenses/).

AWS's rules (aws-facts sections 5 and 6): a principal is directly in one experience; the
experience associated with the organization is its default; product ids are unique in a change;
a theme colour is #rrggbb and a logo an https .png or .svg; a grant has exactly one principal
and AllowedOperations from a fixed list of eight.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.marketplace_types import ExperienceSpec, LicenseGrantSpec, MarketplaceSpec, Member
from vending.model.types import parse_path, path_str

if TYPE_CHECKING:
    from vending.model.rules import Loaded

ALLOWED_OPERATIONS = ("CreateGrant", "CheckoutLicense", "CheckoutBorrowLicense", "CheckInLicense",
                      "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken", "ListReceivedLicenses")
"""License Manager's AllowedOperation enum (botocore license-manager model)."""
PRODUCT_ID = re.compile(r"^(prod-[a-z0-9]{13}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
THEME_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
LOGO_SUFFIXES = (".png", ".svg")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def check(loaded: Loaded) -> list[Diagnostic]:
    spec = loaded.org.marketplace
    if spec is None:
        return _admin(loaded)
    found: list[Diagnostic] = []
    for experience in spec.experiences.values():
        found += _products(loaded, experience) + _branding(loaded, experience)
        found += [d for m in experience.audience if (d := _member(loaded, experience.file, "audience", m))]
    found += _one_experience_each(loaded, spec) + _defaults(loaded, spec) + _names(loaded, spec)
    for grant in spec.licenses.values():
        found += _grant(loaded, grant)
    found += _granted_twice(loaded, spec)
    return found + _admin(loaded)


def _admin(loaded: Loaded) -> list[Diagnostic]:
    """V1013: the delegated administrator's change sets must come from that account, so the role
    vend assumes for them has to live there."""
    settings = loaded.org.settings
    admin = settings.marketplace
    if admin is None:
        return []
    role_account = admin.role_arn.split(":")[4] if admin.role_arn.count(":") >= 5 else ""
    if role_account == admin.delegated_admin or not (_ACCOUNT_ID.match(role_account)
                                                     and _ACCOUNT_ID.match(admin.delegated_admin)):
        return []  # malformed ids are the schema's findings
    file = settings.source.file
    return [finding("V1013", file, loaded.line(file, "marketplace", "role_arn"), "marketplace.role_arn",
                    f"{admin.role_arn} is a role in account {role_account}, not in the delegated administrator"
                    f" {admin.delegated_admin}",
                    "name a role in the delegated administrator account (its change sets are made from it), or fix"
                    " marketplace.delegated_admin")]


def _member(loaded: Loaded, file: str, key: str, member: Member) -> Diagnostic | None:
    line, field = loaded.line(file, key, member.index), f"{key}[{member.index}].{member.kind}"
    if member.kind == "ou":
        path = parse_path(member.value)
        if path == ():
            return finding("V1001", file, line, field, "the root is not an OU a principal can name",
                           "write {organization: true} for every account of the organization")
        if loaded.org.ou(path) is None:
            return finding("V1001", file, line, field, f"OU {member.value} is not declared",
                           f"declare it (ous/{path_str(path)}/ou.yaml), or fix the path (written like Workloads/Dev; "
                           "the whole organization is {organization: true})")
    elif member.kind == "account":
        if not _ACCOUNT_ID.match(member.value) and member.value not in loaded.org.accounts:
            return finding("V1002", file, line, field, f"no account {quote(member.value)} under accounts/",
                           "name an account declared in accounts/ (its name field), or give the 12-digit id of an "
                           "account of the organization")
    return None


def _products(loaded: Loaded, experience: ExperienceSpec) -> list[Diagnostic]:
    file, found, seen = experience.file, [], {}
    for product in experience.products:
        line, field = loaded.line(file, "products", product.index, "id"), f"products[{product.index}].id"
        if not PRODUCT_ID.match(product.id):
            found.append(finding("V1004", file, line, field, f"{quote(product.id)} is not an AWS Marketplace product id",
                                 "copy the id from the productId= of the product's listing URL: prod- and 13 lower-case "
                                 "letters or digits (e.g. prod-4ryx5o7yffoqo), or the product's UUID"))
        elif product.id in seen:
            found.append(finding("V1005", file, line, field,
                                 f"{quote(product.id)} is listed twice (first as products[{seen[product.id]}])",
                                 "list each product once (AWS refuses a change with repeated ids); merge the notes"))
        seen.setdefault(product.id, product.index)
    return found


def _branding(loaded: Loaded, experience: ExperienceSpec) -> list[Diagnostic]:
    branding, file, found = experience.branding, experience.file, []
    if branding is None:
        return found
    if branding.theme_color and not THEME_COLOR.match(branding.theme_color):
        found.append(finding("V1006", file, loaded.line(file, "branding", "theme_color"), "branding.theme_color",
                             f"{quote(branding.theme_color)} is not a colour AWS Marketplace takes",
                             'write it as # and six hex digits, quoted (theme_color: "#0e7f74")'))
    if branding.logo_url:
        problem = _logo_problem(branding.logo_url)
        if problem:
            found.append(finding("V1007", file, loaded.line(file, "branding", "logo_url"), "branding.logo_url", problem,
                                 "give the https URL of a .png or .svg image of at most 500 KB (AWS refuses others "
                                 "with INVALID_URL or INVALID_IMAGE)"))
    return found


def _logo_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return f"{quote(url)} is not an https URL"
    if not parts.path.lower().endswith(LOGO_SUFFIXES):
        return f"{quote(url)} is not a .png or .svg file"
    return None


def _one_experience_each(loaded: Loaded, spec: MarketplaceSpec) -> list[Diagnostic]:
    """V1003: an OU or account directly in two experiences (or twice in one)."""
    first: dict[tuple[str, str], tuple[str, int]] = {}
    found = []
    for experience in sorted(spec.experiences.values(), key=lambda e: e.file):
        for member in experience.audience:
            if member.kind == "organization":
                continue
            key = (member.kind, path_str(parse_path(member.value)) if member.kind == "ou" else member.value)
            if key in first:
                where, index = first[key]
                other = "this experience" if where == experience.file else where
                found.append(finding("V1003", experience.file, loaded.line(experience.file, "audience", member.index),
                                     f"audience[{member.index}].{member.kind}",
                                     f"{member.kind} {key[1]} is already in the audience of {other} "
                                     f"(audience[{index}])",
                                     "a principal is directly in one experience only: keep it in one audience"))
            else:
                first[key] = (experience.file, member.index)
    return found


def _defaults(loaded: Loaded, spec: MarketplaceSpec) -> list[Diagnostic]:
    """V1010: more than one experience for the organization."""
    defaults = [e for e in sorted(spec.experiences.values(), key=lambda e: e.file) if e.members()
                and any(m.kind == "organization" for m in e.members())]
    found = []
    for experience in defaults[1:]:
        member = next(m for m in experience.members() if m.kind == "organization")
        line, field = ((loaded.line(experience.file, "default"), "default") if member.index < 0 else
                       (loaded.line(experience.file, "audience", member.index), f"audience[{member.index}].organization"))
        found.append(finding("V1010", experience.file, line, field,
                             f"{defaults[0].file} is the organization's default experience already",
                             "keep one default experience: remove default: true (or {organization: true}) here or there"))
    return found


def _names(loaded: Loaded, spec: MarketplaceSpec) -> list[Diagnostic]:
    """V1012: vend finds an experience in AWS by its name, so two files must not share one."""
    first: dict[str, str] = {}
    found = []
    for experience in sorted(spec.experiences.values(), key=lambda e: e.file):
        if experience.display_name in first:
            found.append(finding("V1012", experience.file, loaded.line(experience.file, "name"), "name",
                                 f"{first[experience.display_name]} names an experience {quote(experience.display_name)}"
                                 " already, and vend tells experiences apart by their name in AWS Marketplace",
                                 "give each experience its own name"))
        first.setdefault(experience.display_name, experience.file)
    return found


def _grant(loaded: Loaded, grant: LicenseGrantSpec) -> list[Diagnostic]:
    file = grant.file
    found = [d for m in grant.principals if (d := _member(loaded, file, "principals", m))]
    if len(grant.principals) > 1:
        found.append(finding("V1009", file, loaded.line(file, "principals"), "principals",
                             f"{len(grant.principals)} principals, and a License Manager grant has exactly one: vend "
                             f"creates {len(grant.principals)} grants, one per principal",
                             "nothing to do if that is what you mean; or grant to a common parent OU (one grant) instead"))
    for i, operation in enumerate(grant.allowed_operations):
        if operation not in ALLOWED_OPERATIONS:
            found.append(finding("V1008", file, loaded.line(file, "allowed_operations", i), f"allowed_operations[{i}]",
                                 f"{quote(operation)} is not a License Manager grant operation",
                                 "use some of: " + ", ".join(ALLOWED_OPERATIONS)))
    return found


def _granted_twice(loaded: Loaded, spec: MarketplaceSpec) -> list[Diagnostic]:
    """V1011: one license granted to one principal by two entries (AWS would hold two grants)."""
    first: dict[tuple[str, str, str], str] = {}
    found = []
    for grant in sorted(spec.licenses.values(), key=lambda g: g.file):
        if grant.retired:
            continue
        license_key = grant.license_arn or f"sku:{grant.product_sku}"
        for member in grant.principals:
            value = path_str(parse_path(member.value)) if member.kind == "ou" else member.value
            key = (license_key, member.kind, value)
            field = f"principals[{member.index}].{member.kind}"
            if key in first:
                found.append(finding("V1011", grant.file, loaded.line(grant.file, "principals", member.index), field,
                                     f"this license is granted to {member.kind} {value or 'organization'} already "
                                     f"(in {first[key]})", "grant a license to each principal once"))
            else:
                first[key] = grant.file
    return found
