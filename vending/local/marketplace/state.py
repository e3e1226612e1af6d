"""The Marketplace Catalog emulator's state, identifiers, errors and callers (aws-facts section 5).

State is one plain dict per owning account (`Store`): entities by id (Experience,
ProcurementPolicy, BrandingSettings, Audience, each with a revision that every applied change
increments), change sets by id, and ClientRequestTokens already used. Ids follow the documented
examples: `exp-`, `procpolicy-`, `brandsettings-` and `audience-` + 13 lower-case alphanumerics;
change set ids 25 of them. The catalog is "AWSMarketplace"; ARNs are
`arn:aws:aws-marketplace:<region>:<owner>:AWSMarketplace/<Type>/<id>`.

Private Marketplace entities belong to the organization's management account. A delegated
administrator for private marketplace works on them too (its change sets change the management
account's entities; it lists them with the `Scope` filter `SharedWithMe`); any other member
account of an organization is refused (AccessDeniedException). An account outside any
organization manages its own (AWS's legacy private marketplace).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.moto_api._internal import mock_random
from moto.organizations.models import OrganizationsBackend, organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, registry

Store = dict[str, Any]
HANDLERS, handles = registry()

CATALOG = "AWSMarketplace"
PRINCIPAL = "private-marketplace.marketplace.amazonaws.com"
ENTITY_TYPES = ("Experience", "ProcurementPolicy", "BrandingSettings", "Audience")
PREFIXES = {"Experience": "exp", "ProcurementPolicy": "procpolicy", "BrandingSettings": "brandsettings",
            "Audience": "audience"}
CHANGE_SET_POLLS = 3
"""Reads of the owning account until a change set completes: PREPARING, APPLYING, then done."""
RUNNING = ("PREPARING", "APPLYING")


def now() -> str:
    """DateTimeISO8601 as the model has it: 20 characters, seconds, Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(prefix: str, length: int = 13) -> str:
    return (f"{prefix}-" if prefix else "") + mock_random.get_random_string(length, lower_case=True)


def arn(region: str, owner: str, kind: str, identifier: str) -> str:
    return f"arn:aws:aws-marketplace:{region}:{owner}:{CATALOG}/{kind}/{identifier}"


def validation(message: str) -> AwsServiceError:
    return AwsServiceError("ValidationException", message)


def not_found(message: str) -> AwsServiceError:
    return AwsServiceError("ResourceNotFoundException", message)


def in_use(message: str) -> AwsServiceError:
    return AwsServiceError("ResourceInUseException", message)


def check_catalog(call: Call[Any]) -> None:
    if call.params.get("Catalog") != CATALOG:
        raise validation(f"Catalog {call.params.get('Catalog')} is not supported; use {CATALOG}.")


def organization(settings_management: str) -> OrganizationsBackend | None:
    backend = organizations_backends[settings_management]["aws"]
    return backend if backend.org is not None else None


def owner(call: Call[Any], *, shared: bool = False) -> str:
    """The account whose entities the caller works on (see the module docstring)."""
    management = call.settings.management_account_id
    backend = organization(management)
    if call.account_id == management or backend is None:
        return call.account_id
    if not any(a.id == call.account_id for a in backend.accounts):
        return call.account_id  # outside the organization: a legacy private marketplace of its own
    admin = any(a.account.id == call.account_id and PRINCIPAL in a.services for a in backend.admins)
    if not admin:
        raise AwsServiceError("AccessDeniedException", f"Account {call.account_id} is neither the management account"
                              " nor a delegated administrator for private marketplace of its organization.")
    return management if shared else call.account_id


def store(call: Call[Any], account: str) -> Store:
    return call.emulator.accounts.setdefault(account, {"entities": {}, "change_sets": {}, "tokens": {}})


def entity_type(value: str) -> str:
    """"Experience@1.0" -> "Experience" (change Entity.Type carries a version)."""
    return value.split("@", 1)[0]


def entity_id(identifier: str) -> str:
    """"exp-1234example@1" -> "exp-1234example" (an identifier may carry a revision)."""
    return identifier.split("@", 1)[0]
