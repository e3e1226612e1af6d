"""Read alternate contacts (AWS Account Management) for the accounts that declare them.

Why this shape:
- One GetAlternateContact per (account, declared type), never per account x 3: an account that
  declares only security costs one read. AWS has no list call for contacts (aws-facts §9.1).
- From the management account, with AccountId for members, which needs trusted access for
  account.amazonaws.com (read first, one paged ListAWSServiceAccessForOrganization); without
  it AWS refuses member reads, so none are made and the plan says to enable it. The management
  account itself is read without AccountId (AWS refuses its own id there).
- ResourceNotFoundException means "no contact of this type": recorded as None.
- Reads run on a small pool: GetAlternateContact is throttled at 10/s (burst 15) per account
  (aws-facts §9.4), and standard-mode retries back off on TooManyRequestsException.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from botocore.exceptions import ClientError

from vending.aws.paging import pages
from vending.model.live_settings import ACCOUNT_PRINCIPAL, LiveContacts

ACCOUNT_REGION = "us-east-1"
"""AWS Account Management has one endpoint, account.us-east-1.amazonaws.com (aws-facts §9.1)."""
WORKERS = 4
"""Concurrent reads: well under GetAlternateContact's 10 requests a second."""
FIELDS = {"Name": "name", "Title": "title", "EmailAddress": "email", "PhoneNumber": "phone"}


def trusted_access(organizations: Any) -> bool:
    services = pages(organizations, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    return any(s["ServicePrincipal"] == ACCOUNT_PRINCIPAL for s in services)


class ContactsReader:
    def __init__(self, account: Any, organizations: Any, management_account_id: str) -> None:
        self.account = account
        self.organizations = organizations
        self.management = management_account_id

    def read(self, wanted: Iterable[tuple[str, str]]) -> LiveContacts:
        """Contacts of each (account id, YAML type) wanted that AWS lets vend read."""
        trusted = trusted_access(self.organizations)
        pairs = sorted({p for p in wanted if trusted or p[0] == self.management})
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            found = list(pool.map(lambda pair: self._one(*pair), pairs))
        contacts: dict[str, dict[str, dict[str, str] | None]] = {}
        for (account_id, kind), contact in zip(pairs, found):
            contacts.setdefault(account_id, {})[kind] = contact
        return LiveContacts(trusted_access=trusted, read=tuple(pairs), contacts=contacts)

    def _one(self, account_id: str, kind: str) -> dict[str, str] | None:
        target = {} if account_id == self.management else {"AccountId": account_id}
        try:
            answer = self.account.get_alternate_contact(AlternateContactType=kind.upper(), **target)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        contact = answer["AlternateContact"]
        return {ours: contact.get(theirs, "") for theirs, ours in FIELDS.items()}
