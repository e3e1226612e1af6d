"""Parsed ou.yaml / account-file data and identity/permission-sets/*.yaml -> settings specs.

The schema has already dropped values of the wrong type, so a key is absent or well typed;
bad values (an email AWS refuses) stay for the rules to report with their reasons.
"""
from __future__ import annotations

from typing import Any

from vending.model.settings_types import (
    NONE,
    Alert,
    Budget,
    Contact,
    PermissionSetSpec,
    PolicyRef,
    SettingsLayer,
)

CONTACT_FIELDS = ("name", "title", "email", "phone")


def layer(data: dict[str, Any]) -> SettingsLayer:
    """The settings one ou.yaml or account file declares."""
    contacts, access, budget = data.get("contacts"), data.get("access"), data.get("budget")
    return SettingsLayer(
        contacts=_contacts(contacts) if isinstance(contacts, dict) else None,
        contacts_none=contacts == NONE,
        budget=_budget(budget) if isinstance(budget, dict) else None,
        budget_none=budget == NONE,
        access=_access(access) if isinstance(access, dict) else None,
        access_none=access == NONE,
        support=data.get("support"),
    )


def _contacts(data: dict[str, Any]) -> dict[str, Contact | None]:
    found: dict[str, Contact | None] = {}
    for kind, value in data.items():
        if value == NONE:
            found[kind] = None
        elif isinstance(value, dict) and all(k in value for k in CONTACT_FIELDS):
            found[kind] = Contact(**{k: str(value[k]) for k in CONTACT_FIELDS})
    return found


def _budget(data: dict[str, Any]) -> Budget | None:
    if "amount" not in data or "alerts" not in data:
        return None  # reported by the schema
    alerts = tuple(
        Alert(threshold=float(a["threshold"]), recipients=tuple(a["recipients"]), spend=a.get("spend", "actual"))
        for a in data["alerts"] if isinstance(a, dict) and "threshold" in a and "recipients" in a
    )
    return Budget(amount=float(data["amount"]), alerts=alerts, currency=data.get("currency", "USD"),
                  period=data.get("period", "monthly"))


def _access(data: dict[str, Any]) -> dict[str, tuple[str, ...] | None]:
    return {str(group): None if sets == NONE else tuple(sets) for group, sets in data.items()
            if sets == NONE or isinstance(sets, list)}


def permission_set(name: str, file: str, data: dict[str, Any]) -> PermissionSetSpec:
    boundary = data.get("permissions_boundary", {})
    customer = boundary.get("customer_managed_policy")
    return PermissionSetSpec(
        name=name,
        file=file,
        description=data.get("description", ""),
        session_duration=data.get("session_duration", "PT1H"),
        managed_policies=tuple(data.get("managed_policies", ())),
        customer_managed_policies=tuple(_policy_ref(p) for p in data.get("customer_managed_policies", ())
                                        if isinstance(p, dict) and "name" in p),
        inline_policy=data.get("inline_policy"),
        boundary_managed=boundary.get("managed_policy"),
        boundary_customer=_policy_ref(customer) if isinstance(customer, dict) and "name" in customer else None,
        retired=data.get("retired") is True,
    )


def _policy_ref(data: dict[str, Any]) -> PolicyRef:
    return PolicyRef(name=data["name"], path=data.get("path", "/"))
