"""CreateAccount without duplicates.

CreateAccount has no idempotency token (aws-facts §8.2), so a retried or resumed apply must
find its earlier work instead of asking again: an account with the email already in the
organization is adopted, and a request still IN_PROGRESS (from an interrupted apply) is waited
for. New accounts land in the root, so the applier then moves them to their OU.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.errors import error_code
from vending.aws.paging import first
from vending.errors import ApplyFailure
from vending.plan.changes import Change

FAILURE_HINTS = {
    "EMAIL_ALREADY_EXISTS": "the email belongs to another AWS account (perhaps outside this"
    " organization); invite that account instead, or use another address",
    "ACCOUNT_LIMIT_EXCEEDED": "the organization is at its account quota; request an increase"
    " in Service Quotas",
}


def create_account(change: Change, ctx: ApplyContext) -> str:
    after = change.after or {}
    name, email = after["name"], after["email"]
    existing = ctx.live.account_by_email().get(email.lower())
    if existing is not None:
        account_id, parent = existing.id, existing.parent_id
    else:
        account_id, parent = _created(ctx, name, email, after.get("pending_request")), ctx.live.root.id
    ctx.set_account_id(name, account_id)
    destination = ctx.ou_id(after["ou"])
    if parent != destination:
        move(ctx, account_id, parent, destination)
    return f"created {account_id} in {after['ou']}"


def _created(ctx: ApplyContext, name: str, email: str, pending: str | None) -> str:
    request_id = pending or _pending_request(ctx, name)
    if request_id is None:
        status = ctx.organizations.create_account(Email=email, AccountName=name)
        request_id = status["CreateAccountStatus"]["Id"]
    status = _wait(ctx, request_id)
    if status["State"] != "SUCCEEDED":
        reason = status.get("FailureReason", "UNKNOWN")
        if reason == "EMAIL_ALREADY_EXISTS":
            # A request of an earlier, interrupted run may have won the race: adopt its account.
            adopted = _member_with_email(ctx, email)
            if adopted is not None:
                return adopted
        hint = FAILURE_HINTS.get(reason, "see DescribeCreateAccountStatus in the AWS docs")
        raise ApplyFailure(f"CreateAccount {request_id} for {email} FAILED: {reason}; {hint}")
    return status["AccountId"]


def _member_with_email(ctx: ApplyContext, email: str) -> str | None:
    found = first(ctx.organizations, "list_accounts", "Accounts", lambda a: a["Email"].lower() == email.lower())
    return found["Id"] if found else None


def _pending_request(ctx: ApplyContext, name: str) -> str | None:
    for pending in ctx.live.pending_creations:
        if pending.account_name == name:
            return pending.request_id
    return None


def _wait(ctx: ApplyContext, request_id: str) -> dict:
    for delay in ctx.polling.delays():
        ctx.polling.sleep(delay)
        status = ctx.organizations.describe_create_account_status(CreateAccountRequestId=request_id)
        status = status["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            return status
    raise ApplyFailure(
        f"CreateAccount {request_id} is still IN_PROGRESS; run vend plan later, it will wait for it"
    )


def move(ctx: ApplyContext, account_id: str, source: str, destination: str) -> None:
    """MoveAccount; an account already in the destination (a re-run) counts as moved."""
    try:
        ctx.organizations.move_account(
            AccountId=account_id, SourceParentId=source, DestinationParentId=destination
        )
    except ClientError as exc:
        if error_code(exc) != "DuplicateAccountException":
            raise
