"""Change events -> the targeted reads of the incremental refresh (vending.plan.event_map)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vending.plan.event_map import ACCOUNT, ORGANIZATIONS, targets


@dataclass
class E:
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    source: str = ORGANIZATIONS
    failed: bool = False


def test_each_organizations_event_names_what_to_read_again():
    found = targets([
        E("MoveAccount", {"accountId": "111111111111", "sourceParentId": "r-1", "destinationParentId": "ou-1-a"}),
        E("TagResource", {"resourceId": "222222222222", "tags": [{"key": "k", "value": "v"}]}),
        E("UntagResource", {"resourceId": "ou-1-b", "tagKeys": ["k"]}),
        E("CreateOrganizationalUnit", {"parentId": "ou-1-a", "name": "New"}),
        E("UpdateOrganizationalUnit", {"organizationalUnitId": "ou-1-c", "name": "Renamed"}),
        E("DeleteOrganizationalUnit", {"organizationalUnitId": "ou-1-d"}),
        E("CreatePolicy", {"type": "SERVICE_CONTROL_POLICY", "name": "x", "content": "{}"}),
        E("UpdatePolicy", {"policyId": "p-1"}),
        E("AttachPolicy", {"policyId": "p-1", "targetId": "ou-1-a"}),
        E("DetachPolicy", {"policyId": "p-1", "targetId": "333333333333"}),  # an account's own: not read
        E("EnablePolicyType", {"rootId": "r-1", "policyType": "TAG_POLICY"}),
        E("CreateAccount", {"accountName": "x", "email": "x@example.com"}),  # lands in the root
        E("RegisterDelegatedAdministrator", {"accountId": "444444444444"}),
        E("PutAccountName", {"accountId": "555555555555", "accountName": "n"}, source=ACCOUNT),
        E("MoveAccount", {"accountId": "666666666666"}, failed=True),  # changed nothing
    ])
    assert found.full is None
    assert found.events == 14
    assert found.accounts == {"111111111111", "555555555555"}
    assert found.tags == {"222222222222", "ou-1-b"}
    assert found.children == {"ou-1-a"}
    assert found.ous == {"ou-1-c", "ou-1-d"}
    assert found.policies == {"p-1"} and found.policy_types == {"SERVICE_CONTROL_POLICY"}
    assert found.attachments == {"ou-1-a"} and found.retyped == {"TAG_POLICY"}


def test_an_event_it_cannot_map_means_a_full_read_naming_it():
    found = targets([E("TagResource", {"resourceId": "ou-1-a"}), E("CreateOrganization", {}),
                     E("LeaveOrganization", {})])
    assert found.full == "the event CreateOrganization (organizations.amazonaws.com) is not mapped to what it changes"
    assert targets([E("MoveAccount", {})]).full == "MoveAccount without an account id"
    assert targets([E("PutAccountName", {"accountName": "n"}, source=ACCOUNT)]).full == (
        "PutAccountName names no account (the management account's own): not mapped yet")
