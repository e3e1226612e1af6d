"""Which live resources a change event names: the incremental refresh's map (issue 12).

Each mutating Organizations (or Account Management) event maps to the targeted reads that
bring the snapshot's `LiveOrg` up to date: an account's parent, name and status, a resource's
tags, an OU's name, a parent's child OUs, a policy, a target's attached policies. Events that
change nothing vend reads about the organization (service access, delegated administrators,
handshakes) map to nothing; an event of a known source this map does not know, or one whose
effect it does not know, makes the refresh read the organization in full, with `Targets.full`
saying why. Enabling or disabling a policy type re-reads that type's policies and every root
and OU's attachments (AWS attaches FullAWSAccess everywhere, or detaches all). Failed calls changed
nothing and are skipped. Accounts that join the organization (CreateAccount completing, an
accepted invitation) land in the root, which every refresh lists; so do pending creations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

ORGANIZATIONS = "organizations.amazonaws.com"
ACCOUNT = "account.amazonaws.com"
SOURCES = (ORGANIZATIONS, ACCOUNT)
"""Both are global services: their events are recorded in us-east-1 (aws-facts 13.2)."""

UNCHANGED = frozenset({
    "EnableAWSServiceAccess", "DisableAWSServiceAccess", "RegisterDelegatedAdministrator",
    "DeregisterDelegatedAdministrator", "InviteAccountToOrganization", "CancelHandshake",
    "DeclineHandshake", "AcceptHandshake", "PutResourcePolicy", "DeleteResourcePolicy",
    "CreateAccount", "CreateGovCloudAccount", "EnableAllFeatures",
    # Account Management: contacts and Regions are not in the Organizations read (alternate
    # contacts are read in full whenever the repository declares any).
    "PutAlternateContact", "DeleteAlternateContact", "PutContactInformation", "EnableRegion",
    "DisableRegion", "StartPrimaryEmailUpdate", "SendPhoneNumberVerification", "VerifyPhoneNumber",
})
"""Mutating calls that change nothing the Organizations read keeps (CreateAccount's account
appears in the root, which every refresh lists)."""


class EventLike(Protocol):
    name: str
    source: str
    parameters: dict[str, Any]
    failed: bool


@dataclass
class Targets:
    """The targeted reads one refresh makes (ids as Organizations names them)."""

    accounts: set[str] = field(default_factory=set)
    """Re-read whole: name, email, status, parent, tags (or gone)."""
    tags: set[str] = field(default_factory=set)
    """Accounts, OUs or the root whose tags to re-read."""
    ous: set[str] = field(default_factory=set)
    """OUs whose name to re-read (or that are gone)."""
    children: set[str] = field(default_factory=set)
    """Parents whose child OUs to list again (new OUs are read with their subtree)."""
    policies: set[str] = field(default_factory=set)
    """Policies to describe again (or that are gone)."""
    policy_types: set[str] = field(default_factory=set)
    """Types whose policies to list again (a new policy)."""
    attachments: set[str] = field(default_factory=set)
    """Roots and OUs whose attached policies to read again."""
    retyped: set[str] = field(default_factory=set)
    """Policy types enabled or disabled: their policies, and every target's attachments."""
    full: str | None = None
    """Why the organization must be read in full instead (the first such event)."""
    events: int = 0
    """Mutating events mapped (failed and read-only ones not counted)."""

    def refuse(self, reason: str) -> None:
        self.full = self.full or reason


def targets(events: Iterable[EventLike]) -> Targets:
    found = Targets()
    for event in events:
        if event.failed:
            continue
        found.events += 1
        _map(event, found)
    return found


def _map(event: EventLike, found: Targets) -> None:
    name, p = event.name, event.parameters
    if name in UNCHANGED:
        return
    if name in ("EnablePolicyType", "DisablePolicyType"):
        _need(found, name, p, "policyType", found.retyped)
    elif name in ("MoveAccount", "CloseAccount", "RemoveAccountFromOrganization", "PutAccountName",
                  "AcceptPrimaryEmailUpdate"):
        account = p.get("accountId")
        if isinstance(account, str) and account:
            found.accounts.add(account)
        elif event.source == ACCOUNT:
            found.refuse(f"{name} names no account (the management account's own): not mapped yet")
        else:
            found.refuse(f"{name} without an account id")
    elif name in ("TagResource", "UntagResource"):
        _need(found, name, p, "resourceId", found.tags)
    elif name == "UpdateOrganizationalUnit":
        _need(found, name, p, "organizationalUnitId", found.ous)
    elif name == "CreateOrganizationalUnit":
        _need(found, name, p, "parentId", found.children)
    elif name == "DeleteOrganizationalUnit":
        _need(found, name, p, "organizationalUnitId", found.ous)
    elif name in ("CreatePolicy",):
        _need(found, name, p, "type", found.policy_types)
    elif name in ("UpdatePolicy", "DeletePolicy"):
        _need(found, name, p, "policyId", found.policies)
    elif name in ("AttachPolicy", "DetachPolicy"):
        target = p.get("targetId")
        if isinstance(target, str) and target.isdigit():
            return  # an account's own attachments are not managed (nor read)
        _need(found, name, p, "targetId", found.attachments)
    else:
        found.refuse(f"the event {name} ({event.source}) is not mapped to what it changes")


def _need(found: Targets, name: str, params: dict[str, Any], key: str, into: set[str]) -> None:
    value = params.get(key)
    if isinstance(value, str) and value:
        into.add(value)
    else:
        found.refuse(f"{name} without {key} in its request parameters")
