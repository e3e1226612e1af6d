"""Idempotency tokens of StackSets calls, computed by the plan (pure).

CreateStackSet's ClientRequestToken and the OperationId of every other StackSets operation are
a hash of what the change does, so a re-run after a crash sends the same id and AWS replays the
operation instead of starting a second one; a retry after a new failure hashes the instances'
new LastOperationId and so gets a new id ("Repeating this StackSet operation with a new
operation ID retries all stack instances whose status is OUTDATED", aws-facts §4.3).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

TOKEN_FIELDS = ("client_request_token", "operation_id", "in_flight")
"""Left out of the hash: the tokens themselves, and whether an operation was seen running."""


def token(address: str, before: dict[str, Any] | None, after: dict[str, Any] | None, salt: Any = None) -> str:
    """`vend-` and 40 hex digits of sha256 over the change (pattern [a-zA-Z0-9][-a-zA-Z0-9]*)."""
    content = {k: v for k, v in (after or {}).items() if k not in TOKEN_FIELDS}
    payload: list[Any] = [address, before, content]
    if salt is not None:
        payload.append(salt)
    blob = json.dumps(payload, sort_keys=True)
    return "vend-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:40]
