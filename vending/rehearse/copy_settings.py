"""Alternate contacts and the hub's TagOptions in the scratch copy, stored straight into their
emulators' tables (ids kept: the fingerprint covers them), so the copy reads back as read.

Contacts: trusted access for AWS Account Management, and each contact that was read, under its
account id and AWS's contact type. TagOptions: the hub's (the management account's: a
delegated administrator's hub is not copied yet, see `gaps`).
"""
from __future__ import annotations

from typing import Any

from moto.organizations.models import FakeServiceAccess

from vending.model.live import LiveOrg
from vending.model.types import OrgSettings

ACCOUNT_PRINCIPAL = "account.amazonaws.com"
FIELDS = {"name": "Name", "title": "Title", "email": "EmailAddress", "phone": "PhoneNumber"}
"""The reader's contact fields -> the Account Management API's."""


def gaps(live: LiveOrg, settings: OrgSettings) -> list[str]:
    hub = settings.catalog
    if live.catalog is not None and hub is not None and hub.role_arn:
        return [f"the Service Catalog hub of the delegated administrator ({hub.role_arn})"]
    return []


def load(live: LiveOrg, settings: OrgSettings, organizations: Any, account: Any, servicecatalog: Any) -> None:
    """Into the running emulators: `organizations` (moto's backend of the management account),
    `account` and `servicecatalog` (vend's plug-ins)."""
    if live.contacts is not None:
        if live.contacts.trusted_access:
            organizations.services.append(FakeServiceAccess(ServicePrincipal=ACCOUNT_PRINCIPAL).describe())
        for account_id, kinds in live.contacts.contacts.items():
            for kind, contact in kinds.items():
                if contact is not None:
                    account.contacts.setdefault(account_id, {})[kind.upper()] = {
                        FIELDS[field]: value for field, value in contact.items()}
    if live.catalog is not None:
        hub = live.management_account_id
        table = servicecatalog.store.tables(hub, settings.home_region).setdefault("tag_options", {})
        for option in live.catalog.tag_options:
            table[option.id] = {"Id": option.id, "Key": option.key, "Value": option.value,
                                "Active": option.active, "Owner": hub}
