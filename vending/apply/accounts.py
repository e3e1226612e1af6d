"""CreateAccount without duplicates.

CreateAccount has no idempotency token (aws-facts §8.2), so a retried or resumed apply must
find its earlier work instead of asking again: an account with the email already in the
organization is adopted, and a request still IN_PROGRESS (from an interrupted apply) is waited
for. New accounts land in the root, so the applier then moves them to their OU.

Organizations allows five requests in progress (aws-facts §2.1); a sixth is refused with
ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED, which vend waits out (reading
the requests in progress meanwhile) within `deadlines.ACCOUNT_CREATION_SLOT`.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.aws.paging import first, pages
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
        request_id = until_admitted(
            ctx.polling, f"CreateAccount for {email}", deadlines.ACCOUNT_CREATION_SLOT,
            lambda: _start(ctx, name, email), meanwhile=lambda: in_progress(ctx),
            then="five other requests are in progress (or the daily limit is reached); rerun vend"
            " apply later",
        )
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


def _start(ctx: ApplyContext, name: str, email: str) -> str:
    try:
        status = ctx.organizations.create_account(Email=email, AccountName=name)
    except ClientError as exc:
        if exc.response.get("Reason") == "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED":
            message = exc.response.get("Error", {}).get("Message", "")
            raise Refused(f"ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED ({message})") from exc
        raise
    return status["CreateAccountStatus"]["Id"]


def in_progress(ctx: ApplyContext) -> set[str]:
    """The ids of the CreateAccount requests in progress (of anyone)."""
    statuses = pages(ctx.organizations, "list_create_account_status", "CreateAccountStatuses", States=["IN_PROGRESS"])
    return {s["Id"] for s in statuses}


def _wait(ctx: ApplyContext, request_id: str) -> dict:
    def read() -> tuple[str, dict | None]:
        status = ctx.organizations.describe_create_account_status(CreateAccountRequestId=request_id)
        status = status["CreateAccountStatus"]
        return status["State"], None if status["State"] == "IN_PROGRESS" else status

    return poll(ctx.polling, f"CreateAccount request {request_id}", deadlines.CREATE_ACCOUNT, read)


def move(ctx: ApplyContext, account_id: str, source: str, destination: str) -> None:
    """MoveAccount; an account already in the destination (a re-run) counts as moved."""
    try:
        ctx.organizations.move_account(
            AccountId=account_id, SourceParentId=source, DestinationParentId=destination
        )
    except ClientError as exc:
        if error_code(exc) != "DuplicateAccountException":
            raise
