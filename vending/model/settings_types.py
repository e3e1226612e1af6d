"""Account settings as declared (one layer per ou.yaml or account file) and as resolved for one
account: alternate contacts, budget, Identity Center access, support plan, permission sets.

A layer holds only what its file wrote (None: not written), so resolution can tell "inherit"
from "none". Resolution walks the root, then each OU down to the account's, then the account
file: contacts and access merge per key (deeper wins), budget and support are replaced whole;
`none` at any layer clears what came from above.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NONE = "none"
"""The YAML value that opts a file (and everything below it) out of a setting."""

CONTACT_TYPES = ("billing", "operations", "security")
"""Alternate contact types, as the YAML names them; AWS's AlternateContactType is upper case."""

SUPPORT_LEVELS = ("business", "enterprise-on-ramp", "enterprise")

Period = Literal["monthly", "quarterly", "annually"]
Spend = Literal["actual", "forecasted"]


@dataclass(frozen=True)
class Contact:
    """One alternate contact, the four fields PutAlternateContact takes."""

    name: str
    title: str
    email: str
    phone: str


@dataclass(frozen=True)
class Alert:
    """A budget notification: `threshold` percent of the amount, emailed to `recipients`."""

    threshold: float
    recipients: tuple[str, ...]
    spend: Spend = "actual"


@dataclass(frozen=True)
class Budget:
    amount: float
    alerts: tuple[Alert, ...]
    currency: str = "USD"
    period: Period = "monthly"


@dataclass(frozen=True)
class SettingsLayer:
    """What one ou.yaml or account file declares. In `contacts` and `access`, a None value is
    that key's `none`; `*_none` flags say the whole setting was `none`."""

    contacts: dict[str, Contact | None] | None = None
    contacts_none: bool = False
    budget: Budget | None = None
    budget_none: bool = False
    access: dict[str, tuple[str, ...] | None] | None = None
    access_none: bool = False
    support: str | None = None
    """A level, "none", or None when the file does not say."""


@dataclass(frozen=True)
class AccountSettings:
    """The settings vend manages on one account, inheritance resolved.

    `contacts` lists only the types some layer declared: a Contact to set, or None to delete.
    `budget` is None when unmanaged and `NONE` when the account must have none; `access` is
    None when unmanaged; `support` is a level, `NONE`, or None when unmanaged.
    """

    contacts: dict[str, Contact | None] = field(default_factory=dict)
    budget: Budget | Literal["none"] | None = None
    access: dict[str, tuple[str, ...]] | None = None
    support: str | None = None


@dataclass(frozen=True)
class PolicyRef:
    """A customer managed policy, by name and IAM path."""

    name: str
    path: str = "/"


@dataclass(frozen=True)
class PermissionSetSpec:
    """identity/permission-sets/<name>.yaml."""

    name: str
    file: str
    description: str = ""
    session_duration: str = "PT1H"
    managed_policies: tuple[str, ...] = ()
    customer_managed_policies: tuple[PolicyRef, ...] = ()
    inline_policy: str | None = None
    boundary_managed: str | None = None
    boundary_customer: PolicyRef | None = None
    retired: bool = False
    """`retired: true`: vend deletes the set (and its assignments) with --allow-destroy."""


EMPTY = SettingsLayer()


def resolve(layers: list[SettingsLayer]) -> AccountSettings:
    """Fold the layers, root first and the account file last."""
    contacts: dict[str, Contact | None] = {}
    access: dict[str, tuple[str, ...]] | None = None
    budget: Budget | Literal["none"] | None = None
    support: str | None = None
    for layer in layers:
        if layer.contacts_none:
            contacts = dict.fromkeys(CONTACT_TYPES)
        contacts.update(layer.contacts or {})
        if layer.access_none:
            access = {}
        if layer.access is not None:
            access = dict(access or {})
            for group, sets in layer.access.items():
                if sets is None:
                    access.pop(group, None)
                else:
                    access[group] = sets
        if layer.budget_none:
            budget = NONE
        elif layer.budget is not None:
            budget = layer.budget
        support = layer.support if layer.support is not None else support
    return AccountSettings(contacts=contacts, budget=budget, access=access, support=support)
