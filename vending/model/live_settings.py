"""Account settings as read from AWS: alternate contacts, and the trusted access they need.

Read only for the accounts (and contact types) the repository manages; `read` records exactly
which, so `vend apply plan.json` reads the same ones and its fingerprint compares like with like.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ACCOUNT_PRINCIPAL = "account.amazonaws.com"
"""Trusted access for AWS Account Management (aws-facts §9.3)."""


@dataclass(frozen=True)
class LiveContacts:
    trusted_access: bool
    """account.amazonaws.com is enabled in Organizations (needed to pass AccountId)."""
    read: tuple[tuple[str, str], ...] = ()
    """(account id, YAML contact type) pairs read, sorted; empty without trusted access for
    member accounts, since AWS refuses those reads."""
    contacts: dict[str, dict[str, dict[str, str] | None]] = field(default_factory=dict)
    """account id -> contact type -> {name, title, email, phone}, or None when none is set."""

    def of(self, account_id: str, kind: str) -> tuple[bool, dict[str, str] | None]:
        """(whether it was read, the contact or None)."""
        known = self.contacts.get(account_id, {})
        return kind in known, known.get(kind)
