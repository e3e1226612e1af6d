"""Strict Organizations rules for OUs, moves and paging, where moto is lenient.

Each handler implements one AWS operation on top of moto's `OrganizationsBackend`:
`@replaces(op)` handlers compute the whole response; `@guards(op)` handlers only check AWS's
preconditions (raising AWS's error) and then let moto's own response method run. Sources are
the Organizations API reference pages (botocore model `organizations/2016-11-28`) and
aws-facts.md section 2.1; each handler names its page. Policy rules are in
`organizations.policies`, the account lifecycle in `organizations.lifecycle`.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from moto.organizations.models import (
    FakeAccount,
    FakeOrganizationalUnit,
    FakePolicy,
    OrganizationsBackend,
)

from vending.local.organizations import errors as err
from vending.local.framework import LocalSettings

Params = dict[str, Any]
Handler = Callable[[OrganizationsBackend, Params, LocalSettings], Any]
REPLACE: dict[str, Handler] = {}
GUARD: dict[str, Handler] = {}

PAGE_MAX = 20
"""Every paged Organizations list has MaxResults 1..20 (model); AWS's default page is <= 20."""
MAX_OU_DEPTH = 5
"""ORG-API CreateOrganizationalUnit: "For service control policies, the limit is five"."""


def replaces(operation: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        REPLACE[operation] = fn
        return fn
    return register


def guards(operation: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        GUARD[operation] = fn
        return fn
    return register


# ---------------------------------------------------------------- lookups


def container(backend: OrganizationsBackend, node_id: str | None) -> FakeOrganizationalUnit | None:
    """The root or OU with this id (moto keeps both in `backend.ou`)."""
    return next((o for o in backend.ou if o.id == node_id), None)


def account(backend: OrganizationsBackend, account_id: str | None) -> FakeAccount | None:
    return next((a for a in backend.accounts if a.id == account_id), None)


def policy(backend: OrganizationsBackend, policy_id: str) -> FakePolicy:
    found = next((p for p in backend.policies if p.id == policy_id), None)
    if found is None:
        raise err.policy_not_found()
    return found


def root(backend: OrganizationsBackend) -> FakeOrganizationalUnit:
    return next(o for o in backend.ou if o.type == "ROOT")


def depth(backend: OrganizationsBackend, node: FakeOrganizationalUnit) -> int:
    """0 for the root, 1 for an OU directly under it, ..."""
    level = 0
    while node.type != "ROOT":
        level += 1
        node = container(backend, node.parent_id)  # type: ignore[assignment]
    return level


def attach_target(backend: OrganizationsBackend, target_id: str) -> Any:
    found = container(backend, target_id) or account(backend, target_id)
    if found is None:
        raise err.target_not_found()
    return found


def page(items: list[Any], params: Params, key: str) -> dict[str, Any]:
    """One page of `items` as AWS pages it: at most MaxResults (default 20) and a NextToken."""
    size = params.get("MaxResults") or PAGE_MAX
    start = 0
    if params.get("NextToken"):
        try:
            start = int(json.loads(base64.b64decode(params["NextToken"]))["offset"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise err.invalid_input("INVALID_NEXT_TOKEN", "The NextToken value is not valid.")
    result: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        token = json.dumps({"offset": start + size}).encode()
        result["NextToken"] = base64.b64encode(token).decode()
    return result


# ---------------------------------------------------------------- OUs


@replaces("CreateOrganizationalUnit")
def create_ou(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """ParentNotFound, per-parent DuplicateOrganizationalUnit, OU_DEPTH_LIMIT_EXCEEDED
    (API_CreateOrganizationalUnit)."""
    if backend.org is None:
        raise err.not_in_use()
    parent = container(backend, params.get("ParentId"))
    if parent is None:
        raise err.parent_not_found()
    if any(o.parent_id == parent.id and o.name == params["Name"] for o in backend.ou):
        raise err.duplicate_ou()
    if depth(backend, parent) + 1 > MAX_OU_DEPTH:
        raise err.constraint_violation(
            "OU_DEPTH_LIMIT_EXCEEDED",
            "You attempted to create an OU tree that is too many levels deep.")
    return backend.create_organizational_unit(**params)


@replaces("UpdateOrganizationalUnit")
def update_ou(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """DuplicateOrganizationalUnit among siblings only (API_UpdateOrganizationalUnit)."""
    ou = container(backend, params["OrganizationalUnitId"])
    if ou is None or ou.type == "ROOT":
        raise err.ou_not_found()
    name = params.get("Name")
    if name is not None:
        if any(o is not ou and o.parent_id == ou.parent_id and o.name == name for o in backend.ou):
            raise err.duplicate_ou()
        ou.name = name
    return ou.describe()


@replaces("DeleteOrganizationalUnit")
def delete_ou(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """OrganizationalUnitNotEmptyException (API_DeleteOrganizationalUnit). Also detaches the
    OU's policies, which moto leaves behind (a ghost target in ListTargetsForPolicy)."""
    ou = container(backend, params["OrganizationalUnitId"])
    if ou is None or ou.type == "ROOT":
        raise err.ou_not_found()
    if any(o.parent_id == ou.id for o in backend.ou) or any(
        a.parent_id == ou.id for a in backend.accounts
    ):
        raise err.ou_not_empty()
    for attached in list(ou.attached_policies):
        attached.attachments.remove(ou)
    backend.ou.remove(ou)
    return {}


@replaces("ListChildren")
def list_children(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """Paged at <= 20 with NextToken (API_ListChildren); moto returns everything at once."""
    parent = container(backend, params.get("ParentId"))
    if parent is None:
        raise err.parent_not_found()
    kind = params.get("ChildType")
    if kind == "ACCOUNT":
        items: list[Any] = sorted((a for a in backend.accounts if a.parent_id == parent.id),
                                  key=lambda a: a.create_time)
    elif kind == "ORGANIZATIONAL_UNIT":
        items = [o for o in backend.ou if o.parent_id == parent.id]
    else:
        raise err.invalid_input("INVALID_ENUM", "You specified an invalid value.")
    return page([{"Id": c.id, "Type": kind} for c in items], params, "Children")


# ---------------------------------------------------------------- moves


@replaces("MoveAccount")
def move_account(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """AccountNotFound, SourceParentNotFound (also when it is not the account's real parent),
    DestinationParentNotFound, DuplicateAccount (API_MoveAccount)."""
    moved = account(backend, params.get("AccountId"))
    if moved is None:
        raise err.account_not_found()
    source = container(backend, params.get("SourceParentId"))
    if source is None or moved.parent_id != source.id:
        raise err.source_parent_not_found()
    destination = container(backend, params.get("DestinationParentId"))
    if destination is None:
        raise err.destination_parent_not_found()
    if destination.id == moved.parent_id:
        raise err.duplicate_account()
    moved.parent_id = destination.id
    return {}


@replaces("DeleteOrganization")
def delete_organization(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """OrganizationNotEmpty unless only the management account is left. moto tests the account
    *name* "master", which the bootstrap renames to "Management"."""
    if backend.org is None:
        raise err.not_in_use()
    if any(a.id != backend.org.master_account_id for a in backend.accounts):
        raise err.organization_not_empty()
    backend._reset()
    return {}
