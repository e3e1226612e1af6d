"""Running one StackSets operation to its end, and the template a stack set is sent.

AWS runs one operation per stack set at a time (ManagedExecution off, aws-facts §4.2): a request
while another runs (someone else's, or auto-deployment to a new account) is refused with
OperationInProgressException, which vend waits out within `deadlines.STACK_SET_SLOT`. Each
operation carries the plan's stable OperationId, its idempotency token (aws-facts §4.3): a
re-run after a crash gets the operation it already started (or OperationIdAlreadyExists, which
means the same), never a second one. The operation is then polled to SUCCEEDED, FAILED or
STOPPED; a failure quotes every failed instance's StatusReason as AWS wrote it.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.aws.paging import pages
from vending.errors import ApplyFailure
from vending.model import stackset_template

PAGE_SIZE = 100
"""StackSets lists serve at most 100 items a page (CFN-API)."""
ENDED = ("SUCCEEDED", "FAILED", "STOPPED")
SHOWN_FAILURES = 20
"""Failed instances quoted in a failure message; the rest are counted."""


class Request:
    """A StackSets request with its OperationId, callable for `start`."""

    def __init__(self, method: Callable[..., dict[str, Any]], operation_id: str, **params: Any) -> None:
        self.method = method
        self.operation_id = operation_id
        self.params = {**params, "OperationId": operation_id}

    def __call__(self) -> dict[str, Any]:
        return self.method(**self.params)


def start(ctx: ApplyContext, stack_set: str, request: str, call: Request) -> str:
    """Start an operation (`call` sends it with its OperationId), waiting while another
    operation holds the stack set; returns the operation's id."""

    def attempt() -> str:
        try:
            return call()["OperationId"]
        except ClientError as exc:
            if error_code(exc) == "OperationIdAlreadyExistsException":  # ours, from an earlier run
                return call.operation_id
            refuse_if_busy(exc)
            raise

    return until_admitted(ctx.polling, f"{request} on stack set {stack_set}", deadlines.STACK_SET_SLOT, attempt,
                          meanwhile=lambda: look(ctx, stack_set), then=SLOT_HINT)


def look(ctx: ApplyContext, stack_set: str) -> None:
    """A cheap read of the stack set's operations while vend waits for one to end (the local
    emulator, like AWS's clock, moves operations on as they are read)."""
    ctx.cloudformation.list_stack_set_operations(StackSetName=stack_set, MaxResults=1, **ctx.call_as)


SLOT_HINT = "another operation holds the stack set (one runs at a time); rerun vend apply once it has finished"


def refuse_if_busy(exc: ClientError) -> None:
    """Raise Refused (to be waited out) for OperationInProgressException."""
    if error_code(exc) == "OperationInProgressException":
        raise Refused(f"OperationInProgressException ({exc.response['Error'].get('Message', '')})") from exc


def wait_for(ctx: ApplyContext, stack_set: str, operation_id: str) -> dict[str, Any]:
    """DescribeStackSetOperation until the operation has ended; returns it."""

    def read() -> tuple[str, dict[str, Any] | None]:
        operation = ctx.cloudformation.describe_stack_set_operation(
            StackSetName=stack_set, OperationId=operation_id, **ctx.call_as)["StackSetOperation"]
        return operation["Status"], operation if operation["Status"] in ENDED else None

    return poll(
        ctx.polling, f"StackSets operation {operation_id} on {stack_set}", deadlines.STACK_SET_OPERATION, read,
        then="it continues in AWS; rerun vend apply, which waits for it again (same OperationId) instead of"
        " starting another",
    )


def wait_in_flight(ctx: ApplyContext, stack_set: str, operation_id: str | None) -> None:
    """An operation the plan saw running (a killed apply's, auto-deployment's): wait for its end
    whatever its outcome; ours starts after it."""
    if operation_id:
        wait_for(ctx, stack_set, operation_id)


def run(ctx: ApplyContext, stack_set: str, request: str, call: Request) -> str:
    """Start (or resume) the operation, wait for it, and say how it went; ApplyFailure if it
    FAILED or was STOPPED."""
    operation_id = start(ctx, stack_set, request, call)
    operation = wait_for(ctx, stack_set, operation_id)
    results = list(pages(ctx.cloudformation, "list_stack_set_operation_results", "Summaries",
                         page_size=PAGE_SIZE, StackSetName=stack_set, OperationId=operation_id, **ctx.call_as))
    if operation["Status"] != "SUCCEEDED":
        raise ApplyFailure(_failure(ctx, stack_set, request, operation, results))
    return f"{request} {operation_id}: {_counts(results)}"


def _counts(results: list[dict[str, Any]]) -> str:
    if not results:
        return "no stack instances to change"
    by_status: dict[str, int] = {}
    for result in results:
        by_status[result["Status"]] = by_status.get(result["Status"], 0) + 1
    return ", ".join(f"{count} stack instance{'s' if count != 1 else ''} {status}"
                     for status, count in sorted(by_status.items(), key=lambda item: (item[0] != "SUCCEEDED", item[0])))


def _failure(ctx: ApplyContext, stack_set: str, request: str, operation: dict[str, Any],
             results: list[dict[str, Any]]) -> str:
    failed = [r for r in results if r["Status"] == "FAILED"]
    head = f"{request} {operation['OperationId']} on {stack_set} {operation['Status']}"
    if operation.get("StatusReason"):
        head += f": {operation['StatusReason']}"
    lines = [f"{head} ({_counts(results)}); failed:" if failed else head]
    for result in failed[:SHOWN_FAILURES]:
        lines.append(f"  {_account(ctx, result['Account'])} {result['Region']}: {result.get('StatusReason', '')}")
    if len(failed) > SHOWN_FAILURES:
        lines.append(f"  and {len(failed) - SHOWN_FAILURES} more")
    lines.append("fix the cause, then run vend plan: it retries the failed instances with a new OperationId")
    return "\n".join(lines)


def _account(ctx: ApplyContext, account_id: str) -> str:
    known = ctx.live.accounts.get(account_id)
    return f"{known.name} ({account_id})" if known is not None else account_id


def template(ctx: ApplyContext, after: dict[str, Any]) -> dict[str, str]:
    """TemplateBody, or - over the inline limit - TemplateURL of the body uploaded to
    template_bucket under a content address (a re-run uploads the same key)."""
    ids = after.get("account_ids") or {}
    try:
        rows = {ctx.account_id(name, ids.get(name)): row for name, row in (after.get("accounts") or {}).items()}
    except KeyError as missing:
        raise ApplyFailure(f"stack set {after['name']} has values for account {missing.args[0]}, whose id is"
                           " not known (it was not created in this apply): run vend plan again") from None
    body = stackset_template.assemble(after["template"], rows)
    size = len(body.encode("utf-8"))
    if size <= stackset_template.INLINE_LIMIT:
        return {"TemplateBody": body}
    bucket = after.get("template_bucket")
    name = after["name"]
    if not bucket:
        raise ApplyFailure(
            f"the template of stack set {name} is {size:,} bytes, over the {stackset_template.INLINE_LIMIT:,}-byte"
            " TemplateBody limit: set template_bucket in vend.yaml (an S3 bucket in the home Region) so vend"
            " uploads it and passes TemplateURL (up to 1 MB), then run vend plan again"
        )
    key = f"vend/{name}/{hashlib.sha256(body.encode('utf-8')).hexdigest()}.json"
    ctx.s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"), ContentType="application/json")
    return {"TemplateURL": template_url(bucket, ctx.home_region, key)}


def template_url(bucket: str, region: str, key: str) -> str:
    """S3's virtual-hosted URL; path style for a bucket with dots, whose virtual-hosted name
    TLS cannot verify (S3 User Guide, "Virtual hosting of buckets")."""
    if "." in bucket:
        return f"https://s3.{region}.amazonaws.com/{bucket}/{key}"
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"
