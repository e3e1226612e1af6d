"""What every StackSets handler shares: the handler table, whose tables a call uses, and the
per-request work done before a handler runs (auto-deployment, polls)."""
from __future__ import annotations

import json
from typing import Any

from moto.organizations.models import organizations_backends

from vending.local.cloudformation import errors as err
from vending.local.cloudformation import operations
from vending.local.cloudformation.store import Item, Tables, find
from vending.local.cloudformation.targets import org_backend
from vending.local.modeled import Call, page, registry

HANDLERS, handles = registry()
PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
PAGE_DEFAULT = 100
"""Every StackSets list has MaxResults 1..100 (model); the emulator's default page is the max."""


def owner(call: Call[Any]) -> str:
    """The account whose stack sets the call addresses: the caller's own, or - for CallAs
    DELEGATED_ADMIN from a registered delegated administrator - the management account's."""
    if call.params.get("CallAs") != "DELEGATED_ADMIN":
        return call.account_id
    master = organizations_backends.master_accounts.get(call.account_id)
    backend = org_backend(master[0]) if master else None
    admins = backend.admins if backend is not None else []
    if not any(a.account.id == call.account_id and PRINCIPAL in a.services for a in admins):
        raise err.validation(err.NOT_ORG_ADMIN)
    assert backend is not None and backend.org is not None
    return backend.org.master_account_id


def tables_of(call: Call[Any]) -> Tables:
    return call.emulator.store.tables(owner(call), call.region)


def stack_set(call: Call[Any], *, poll: bool = False) -> Item:
    item = find(tables_of(call), call.params["StackSetName"])
    if poll:
        operations.advance(call.emulator, item)
    return item


def fingerprint(call: Call[Any]) -> str:
    rest = {k: v for k, v in call.params.items() if k != "OperationId"}
    return json.dumps([call.operation, rest], sort_keys=True, default=str)


def replay(call: Call[Any], item: Item) -> dict[str, Any] | None:
    """The answer to a retried operation (same OperationId, same request), if it is one."""
    operation_id = call.params.get("OperationId")
    known = item["operations"].get(operation_id) if operation_id else None
    if known is None:
        return None
    if known["fingerprint"] != fingerprint(call):
        raise err.operation_id_exists(operation_id)  # type: ignore[arg-type]
    return {"OperationId": known["OperationId"]}


def paged(call: Call[Any], items: list[Any], field: str) -> dict[str, Any]:
    chunk, following = page(items, call.params.get("MaxResults"), call.params.get("NextToken"),
                            PAGE_DEFAULT, lambda: err.validation("Invalid NextToken"))
    answer: dict[str, Any] = {field: chunk}
    if following:
        answer["NextToken"] = following
    return answer
