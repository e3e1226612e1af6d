"""The alternate-contacts plan, pure: which pairs are read, what changes, in which order."""
from __future__ import annotations

from dataclasses import replace

from tests.plan.builders import ROOT_ID, account, desired, live, ou
from vending.model.live import LiveAccount
from vending.model.live_settings import LiveContacts
from vending.model.settings_types import Contact, SettingsLayer
from vending.plan.build import build_plan
from vending.plan.diff_contacts import contact_scope

SEC = Contact("Sec", "Security", "sec@example.com", "+1 206 555 0100")
SEC_FIELDS = {"name": "Sec", "title": "Security", "email": "sec@example.com", "phone": "+1 206 555 0100"}
MGMT, APP, GONE = "111111111111", "222222222222", "333333333333"


def _org(app_layer: SettingsLayer = SettingsLayer()):
    apps = ou("Apps", settings=SettingsLayer(contacts={"security": SEC}))
    return desired(ous=[apps], accounts=[
        account("mgmt", "Apps", email="mgmt@example.com"),
        account("app", "Apps", settings=app_layer),
        account("gone", "Apps"),
        account("new", "Apps"),
    ])


def _live(contacts: LiveContacts | None):
    accounts = [LiveAccount(MGMT, "mgmt", "mgmt@example.com", "ACTIVE", "ou-apps"),
                LiveAccount(APP, "app", "aws+app@example.com", "ACTIVE", "ou-apps"),
                LiveAccount(GONE, "gone", "aws+gone@example.com", "SUSPENDED", "ou-apps")]
    org = live(ous=[("ou-apps", "Apps", {})], accounts=accounts)
    return replace(org, contacts=contacts)


def test_the_scope_is_the_declared_types_of_existing_active_accounts() -> None:
    org = _org(SettingsLayer(contacts={"billing": None}))
    assert contact_scope(org)(_live(None)) == [(MGMT, "security"), (APP, "billing"), (APP, "security")]
    assert contact_scope(desired(ous=[ou("Apps")], accounts=[account("app", "Apps")])) is None


def test_without_trusted_access_members_wait_for_it_and_the_management_account_does_not() -> None:
    read = LiveContacts(trusted_access=False, read=((MGMT, "security"),), contacts={MGMT: {"security": SEC_FIELDS}})
    plan = build_plan(_org(), _live(read))
    changes = {c.address: c for c in plan.changes if "contact" in c.address or c.address == "account_access"}
    assert set(changes) == {"account_access", "alternate_contact:app/security", "alternate_contact:new/security"}
    unread = changes["alternate_contact:app/security"]
    assert (unread.action.value, unread.depends_on) == ("update", ("account_access",))
    assert unread.reason.startswith("the security contact cannot be read until trusted access")
    assert changes["alternate_contact:new/security"].depends_on == ("account:new", "account_access")
    assert plan.contacts_read == [[MGMT, "security"], [APP, "security"]]


def test_an_unset_contact_is_created_and_none_deletes_one_set_by_hand() -> None:
    read = LiveContacts(trusted_access=True, read=((MGMT, "security"), (APP, "billing"), (APP, "security")),
                        contacts={MGMT: {"security": None},
                                  APP: {"billing": {**SEC_FIELDS, "name": "Bill"}, "security": SEC_FIELDS}})
    plan = build_plan(_org(SettingsLayer(contacts={"billing": None})), _live(read))
    changes = {c.address: c for c in plan.changes if "contact" in c.address}
    assert set(changes) == {"alternate_contact:mgmt/security", "alternate_contact:app/billing",
                            "alternate_contact:new/security"}
    assert changes["alternate_contact:mgmt/security"].after == {"type": "SECURITY", "account_id": MGMT, **SEC_FIELDS}
    deleted = changes["alternate_contact:app/billing"]
    assert (deleted.action.value, deleted.destructive, deleted.before["name"]) == ("delete", False, "Bill")
    assert deleted.source == "accounts/app.yaml:1"
    assert all(c.address != "account_access" for c in plan.changes)
