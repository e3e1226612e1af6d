"""Alternate contacts render field by field, the same story in text, Markdown and JSON."""
from __future__ import annotations

import json

from vending.plan.changes import Action, Change, Kind, Plan
from vending.render import render

FIELDS = {"type": "SECURITY", "account_id": "222222222222", "name": "Sec", "title": "Security",
          "phone": "+1 206 555 0100"}
UPDATE = Change("alternate_contact:app/security", Kind.CONTACT, Action.UPDATE, "the security contact differs",
                before={**FIELDS, "email": "someone@elsewhere.com"}, after={**FIELDS, "email": "sec@example.com"},
                source="ous/Apps/ou.yaml:2")
DELETE = Change("alternate_contact:app/billing", Kind.CONTACT, Action.DELETE, "billing: none",
                before={**FIELDS, "type": "BILLING", "email": "bill@example.com"})
ACCESS = Change("account_access", Kind.ACCOUNT_ACCESS, Action.CREATE, "not enabled",
                after={"service_principal": "account.amazonaws.com"})


def _plan() -> dict:
    changes = [ACCESS, UPDATE, DELETE]
    return Plan(fingerprint="abc", changes=changes, order=[[c.address for c in changes]]).to_json()


def test_text_shows_the_changed_field_and_the_account() -> None:
    text = render(_plan(), "text")
    assert "# account_access will be enabled" in text
    block = text.split("~ alternate_contact:app/security\n")[1].split("\n\n")[0].splitlines()
    assert [line.strip() for line in block] == [
        'account_id: "222222222222"', '~ email:      "someone@elsewhere.com" -> "sec@example.com"',
        "# (4 unchanged fields hidden)"]
    assert "# alternate_contact:app/billing will be deleted (DeleteAlternateContact)" in text
    assert "Plan: 1 to add, 2 to change, 0 to destroy." in text


def test_markdown_and_json_tell_the_same_story() -> None:
    markdown = render(_plan(), "markdown")
    assert '- email: "someone@elsewhere.com"\n+ email: "sec@example.com"' in markdown
    assert "<code>alternate_contact:app/billing</code> will be deleted (DeleteAlternateContact)" in markdown
    changes = {c["address"]: c for c in json.loads(render(_plan(), "json"))["changes"]}
    assert changes["alternate_contact:app/security"]["after"]["email"] == "sec@example.com"
    assert changes["alternate_contact:app/billing"]["destructive"] is False
