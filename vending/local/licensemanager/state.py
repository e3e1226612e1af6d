"""The License Manager emulator's state, identifiers, errors and principals (aws-facts section 6).

State is plain dicts: the licenses AWS Marketplace issued to the organization's management
account (what it bought), the grants by ARN, each account's service settings and the
ClientTokens already used (per account and operation). ARNs are AWS's:
`arn:aws:license-manager::<issuer>:license:l-<32 hex>` and
`arn:aws:license-manager::<granter>:grant:g-<32 hex>`; Marketplace licenses are issued by
AWS/Marketplace's account.

A grant names one principal: an account (`arn:aws:iam::<id>:root`), an OU of the granter's
organization or the organization itself; an OU or organization grant reaches every account in
it at the time it is read (later ones included), each with its own status.
"""
from __future__ import annotations

import re
from typing import Any

from moto.moto_api._internal import mock_random
from moto.organizations.models import OrganizationsBackend, organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, registry

HANDLERS, handles = registry()

MARKETPLACE_ACCOUNT = "294406891311"
"""The account AWS Marketplace issues licenses from."""
ISSUER = "AWS/Marketplace"
LICENSE_REGION = "us-east-1"
ALL_OPERATIONS = ["CreateGrant", "CheckoutLicense", "CheckoutBorrowLicense", "CheckInLicense",
                  "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken", "ListReceivedLicenses"]
PRODUCTS = (
    ("8a7cbcf2-obs-agent-enterprise", "Observability Agent Enterprise", "Hosts", 500),
    ("5c19e3aa-sec-scanner-pro", "Security Scanner Pro", "Scans", 10000),
    ("d0e4b7c1-data-catalog-team", "Data Catalog Team", "Users", 50),
)
"""The Marketplace products the local organization bought: SKU, name, entitlement, count."""

_ACCOUNT = re.compile(r"^arn:aws:iam::([0-9]{12}):root$")
_OU = re.compile(r"^arn:aws:organizations::([0-9]{12}):ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)$")
_ORG = re.compile(r"^arn:aws:organizations::([0-9]{12}):organization/(o-[a-z0-9]+)$")


def invalid(message: str) -> AwsServiceError:
    return AwsServiceError("InvalidParameterValueException", message)


def validation(message: str) -> AwsServiceError:
    return AwsServiceError("ValidationException", message)


def hex_id(prefix: str) -> str:
    return f"{prefix}-" + mock_random.get_random_hex(32)


def license_arn(issuer: str, identifier: str) -> str:
    return f"arn:aws:license-manager::{issuer}:license:{identifier}"


def grant_arn(granter: str, identifier: str) -> str:
    return f"arn:aws:license-manager::{granter}:grant:{identifier}"


def purchased_licenses(management: str, created: str) -> dict[str, dict[str, Any]]:
    """The licenses of PRODUCTS, as AWS Marketplace issued them to `management`."""
    found = {}
    for sku, name, unit_name, count in PRODUCTS:
        arn = license_arn(MARKETPLACE_ACCOUNT, "l-" + mock_random.get_random_hex(32))
        found[arn] = {
            "LicenseArn": arn, "LicenseName": name, "ProductName": name, "ProductSKU": sku,
            "Issuer": {"Name": ISSUER, "KeyFingerprint": "aws:294406891311:AWS/Marketplace:issuer-fingerprint"},
            "HomeRegion": LICENSE_REGION, "Status": "AVAILABLE", "Validity": {"Begin": created},
            "Beneficiary": management, "CreateTime": created, "Version": "1",
            "Entitlements": [{"Name": unit_name, "MaxCount": count, "Unit": "Count", "Overage": False,
                              "AllowCheckIn": True}],
            "ConsumptionConfiguration": {"RenewType": "None"},
        }
    return found


def organization(call: Call[Any]) -> OrganizationsBackend | None:
    backend = organizations_backends[call.settings.management_account_id]["aws"]
    return backend if backend.org is not None else None


def in_organization(call: Call[Any], account: str) -> bool:
    backend = organization(call)
    return backend is not None and any(a.id == account for a in backend.accounts)


def check_principal(call: Call[Any], principal: str) -> None:
    """InvalidParameterValueException unless `principal` is an account, or an OU or the
    organization of the caller's organization (as its management account sees it)."""
    if _ACCOUNT.match(principal):
        return
    backend = organization(call)
    org_id = backend.org.id if backend is not None else None
    ou = _OU.match(principal)
    if ou and ou.group(2) == org_id and any(o.id == ou.group(3) for o in backend.ou):  # type: ignore[union-attr]
        return
    org = _ORG.match(principal)
    if org and org.group(2) == org_id:
        return
    raise invalid(f"Principal {principal} is not an AWS account, nor an organizational unit or the organization "
                  "of your organization.")


def recipients(call: Call[Any], principal: str) -> list[str]:
    """The accounts a grant to `principal` reaches now (the module docstring)."""
    account = _ACCOUNT.match(principal)
    if account:
        return [account.group(1)]
    backend = organization(call)
    if backend is None:
        return []
    org = _ORG.match(principal)
    if org:
        return sorted(a.id for a in backend.accounts if a.id != call.settings.management_account_id)
    ou = _OU.match(principal)
    if not ou:
        return []
    below = {ou.group(3)}
    grown = True
    while grown:
        more = {o.id for o in backend.ou if getattr(o, "parent_id", None) in below} - below
        grown = bool(more)
        below |= more
    return sorted(a.id for a in backend.accounts if a.parent_id in below)


def is_account_principal(principal: str) -> bool:
    return bool(_ACCOUNT.match(principal))


def settings_of(call: Call[Any], account: str) -> dict[str, Any]:
    return call.emulator.settings.setdefault(account, {"EnableIntegration": False,
                                                       "EnableCrossAccountsDiscovery": False})


def reused(call: Call[Any], token: str) -> str | None:
    """The grant ARN an earlier call of this operation with this ClientToken answered."""
    return call.emulator.tokens.get(f"{call.account_id}:{call.operation}:{token}")


def remember(call: Call[Any], token: str, arn: str) -> None:
    call.emulator.tokens[f"{call.account_id}:{call.operation}:{token}"] = arn


def _value(item: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        item = item.get(key, {}) if isinstance(item, dict) else {}
    return item


def filtered(items: list[dict[str, Any]], filters: list[dict[str, Any]] | None,
             names: dict[str, str]) -> list[dict[str, Any]]:
    """Items whose every named filter holds one of its Values (InvalidParameterValueException for
    a filter the operation does not take)."""
    for item in filters or ():
        if item.get("Name") not in names:
            raise invalid(f"Filter name {item.get('Name')} is not supported; use one of {', '.join(names)}.")
    return [i for i in items if all(_value(i, names[f["Name"]]) in (f.get("Values") or []) for f in filters or ())]
