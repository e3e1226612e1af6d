"""AWS Account Management in the local AWS: alternate contacts, as AWS answers them.

moto's account backend keeps contacts per account in memory and checks nothing: any caller may
pass any AccountId, an account outside the organization gets contacts, and trusted access is
never asked for. This plug-in answers Put/Get/DeleteAlternateContact itself (through
`vending.local.modeled`, so every request is checked against botocore's `account/2021-02-01`
model: AWS's email and phone patterns, field lengths, the contact-type enum) from a store it
persists with the organization, and holds callers to AWS's rules (aws-facts §9.1, §9.3):

* without AccountId the call acts on the caller's own account;
* with AccountId the caller must be an organization's management account, the account a member
  of it (AccessDeniedException otherwise), trusted access for account.amazonaws.com enabled
  (AccessDeniedException otherwise), and the id not the management account's own
  (AWS: "The management account can't specify its own AccountId"; its error code is not
  documented, ValidationException here is unconfirmed);
* Get or Delete of a type never set is ResourceNotFoundException.
Error messages of AccessDeniedException are vend's own wording (AWS's exact text is unconfirmed).
"""
from __future__ import annotations

from typing import Any

from moto.account.responses import AccountResponse
from moto.organizations.models import organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.framework import EmulatorContext
from vending.local.modeled import Call, ModeledService, registry

HANDLERS, handles = registry()
PRINCIPAL = "account.amazonaws.com"
FIELDS = ("Name", "Title", "EmailAddress", "PhoneNumber")
NOT_FOUND = "No contact of the inputted alternate contact type found."
"""moto's message for the same error (AWS's wording, as far as it is known)."""


class AccountManagement:
    """Emulator plug-in: alternate contacts, account id -> contact type -> fields."""

    name = "account"

    def __init__(self) -> None:
        self.contacts: dict[str, dict[str, dict[str, str]]] = {}
        self.service = ModeledService("account", self, HANDLERS)

    def install(self, ctx: EmulatorContext) -> None:
        self.service.install_on(ctx, AccountResponse)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone: no account has alternate contacts."""
        self.contacts = {}

    def state(self) -> Any:
        return {"contacts": self.contacts}

    def restore(self, state: Any) -> None:
        saved = state["contacts"]
        if not isinstance(saved, dict):
            raise TypeError("account snapshot is not a mapping")
        self.contacts = saved


def _target(call: Call[Any]) -> str:
    """The account the call acts on, after AWS's checks on who may name it."""
    account_id = call.params.get("AccountId")
    if not account_id:
        return call.account_id
    backend = organizations_backends[call.account_id]["aws"]
    org = backend.org
    if org is None or org.master_account_id != call.account_id:
        raise AwsServiceError("AccessDeniedException", f"Account {call.account_id} is not the management account of an"
                              " organization (or its Account Management delegated administrator), so it cannot pass"
                              " AccountId")
    if account_id == call.account_id:
        raise AwsServiceError("ValidationException", "The management account can't specify its own AccountId; call"
                              " the operation without AccountId")
    if not any(s["ServicePrincipal"] == PRINCIPAL for s in backend.services):
        raise AwsServiceError("AccessDeniedException", f"Trusted access for {PRINCIPAL} is not enabled in"
                              " organization " + org.id)
    if not any(a.id == account_id for a in backend.accounts):
        raise AwsServiceError("AccessDeniedException", f"Account {account_id} is not a member of organization {org.id}")
    return account_id


@handles("PutAlternateContact")
def put_alternate_contact(call: Call[Any]) -> dict[str, Any]:
    account_id = _target(call)
    kind = call.params["AlternateContactType"]
    call.emulator.contacts.setdefault(account_id, {})[kind] = {f: call.params[f] for f in FIELDS}
    return {}


@handles("GetAlternateContact")
def get_alternate_contact(call: Call[Any]) -> dict[str, Any]:
    account_id = _target(call)
    kind = call.params["AlternateContactType"]
    found = call.emulator.contacts.get(account_id, {}).get(kind)
    if found is None:
        raise AwsServiceError("ResourceNotFoundException", NOT_FOUND)
    return {"AlternateContact": {**found, "AlternateContactType": kind}}


@handles("DeleteAlternateContact")
def delete_alternate_contact(call: Call[Any]) -> dict[str, Any]:
    account_id = _target(call)
    kind = call.params["AlternateContactType"]
    if call.emulator.contacts.get(account_id, {}).pop(kind, None) is None:
        raise AwsServiceError("ResourceNotFoundException", NOT_FOUND)
    return {}
