"""Appliers of the catalog domain: today the TagOption library (CreateTagOption, UpdateTagOption,
DeleteTagOption for a retired one; a resumed delete that finds it gone is done).

CreateTagOption takes no idempotency token; a retried or resumed create that finds the pair
already there (DuplicateResourceException) looks it up (ListTagOptions filtered on the pair)
and carries on, so re-running an interrupted apply converges.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.paging import first
from vending.errors import ApplyFailure
from vending.plan.changes import Action, Change


def apply_tag_option(change: Change, ctx: ApplyContext) -> str:
    if change.action is Action.DELETE:
        return _delete(ctx.servicecatalog, change.before or {})
    after = change.after or {}
    key, value, active = after["key"], after["value"], bool(after["active"])
    catalog = ctx.servicecatalog
    if change.action is Action.CREATE:
        tag_id, created_active = _create(catalog, key, value)
        if created_active != active:
            catalog.update_tag_option(Id=tag_id, Active=active)
        return f"TagOption {key}={value} created ({tag_id}){'' if active else ', inactive'}"
    catalog.update_tag_option(Id=after["id"], Active=active)
    state = "activated" if active else "deactivated (its associations stay)"
    return f"TagOption {key}={value} {state}"


def _create(catalog: Any, key: str, value: str) -> tuple[str, bool]:
    try:
        detail = catalog.create_tag_option(Key=key, Value=value)["TagOptionDetail"]
        return detail["Id"], bool(detail.get("Active", True))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "DuplicateResourceException":
            raise
    found = first(catalog, "list_tag_options", "TagOptionDetails", lambda t: t["Value"] == value,
                  page_size=20, Filters={"Key": key, "Value": value})
    if found is None:
        raise ApplyFailure(f"TagOption {key}={value}: CreateTagOption says it exists, and ListTagOptions does not"
                           " list it; run vend plan again")
    return found["Id"], bool(found.get("Active", True))


def _delete(catalog: Any, before: dict[str, Any]) -> str:
    """DeleteTagOption; AWS refuses one still associated (ResourceInUseException, reported as it
    comes: the plan disassociated vend's own resources first, so a holder is someone else's)."""
    try:
        catalog.delete_tag_option(Id=before["id"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return f"TagOption {before['key']}={before['value']} was already deleted"
    return f"TagOption {before['key']}={before['value']} deleted ({before['id']})"
