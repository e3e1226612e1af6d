"""Appliers of alternate contacts: trusted access for AWS Account Management, then one
Put- or DeleteAlternateContact per change, from the management account.

Member accounts are addressed with AccountId (which needs the trusted access); the management
account without it (AWS refuses its own id there, aws-facts §9.1). Put is a full replace of the
four fields and Delete of an absent contact is already done, so a re-run after an interruption
repeats nothing harmful. Throttling (TooManyRequestsException: Put 5/s, Delete 1/s per account)
is retried with backoff by the clients' standard retry mode; an AccessDeniedException right
after this apply enabled the access or created the account is retried until
deadlines.CONTACT_PROPAGATION.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, until_admitted
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.model.live_settings import ACCOUNT_PRINCIPAL
from vending.plan.changes import Action, Change
from vending.state.contacts import ACCOUNT_REGION, trusted_access


def apply_access(change: Change, ctx: ApplyContext) -> str:
    """EnableAWSServiceAccess (synchronous: it returns once the principal is trusted)."""
    ctx.organizations.enable_aws_service_access(ServicePrincipal=ACCOUNT_PRINCIPAL)
    if not trusted_access(ctx.organizations):
        raise ApplyFailure(f"EnableAWSServiceAccess returned, but ListAWSServiceAccessForOrganization does not list"
                           f" {ACCOUNT_PRINCIPAL}; enable it in the Organizations console (Services) and rerun vend apply")
    return f"trusted access for AWS Account Management ({ACCOUNT_PRINCIPAL}) enabled in AWS Organizations"


def apply_contact(change: Change, ctx: ApplyContext) -> str:
    fields: dict[str, Any] = change.after if change.action is not Action.DELETE else change.before  # type: ignore[assignment]
    name, kind = change.address.split(":", 1)[1].rsplit("/", 1)
    account_id = ctx.account_id(name, fields.get("account_id"))
    target = {} if account_id == ctx.live.management_account_id else {"AccountId": account_id}
    account = ctx.clients.client("account", ACCOUNT_REGION)

    def attempt() -> str:
        try:
            if change.action is Action.DELETE:
                account.delete_alternate_contact(AlternateContactType=fields["type"], **target)
                return f"{kind} contact of {name} deleted"
            account.put_alternate_contact(AlternateContactType=fields["type"], Name=fields["name"],
                                          Title=fields["title"], EmailAddress=fields["email"],
                                          PhoneNumber=fields["phone"], **target)
            return f"{kind} contact of {name} set to {fields['name']} <{fields['email']}>"
        except ClientError as exc:
            code = error_code(exc)
            if code == "ResourceNotFoundException" and change.action is Action.DELETE:
                return f"{kind} contact of {name} was already gone"
            if code == "AccessDeniedException" and change.depends_on:
                raise Refused(f"AccessDeniedException: {exc.response['Error'].get('Message', '')}") from None
            raise

    what = f"{'DeleteAlternateContact' if change.action is Action.DELETE else 'PutAlternateContact'} for {name}"
    return until_admitted(ctx.polling, what, deadlines.CONTACT_PROPAGATION, attempt,
                          then="check that trusted access for AWS Account Management is enabled, and rerun vend apply")
