"""Deployment targets, resolved against the emulated Organizations at operation time.

CFN-API DeploymentTargets: OUs (or the root) include their child OUs at any depth; the management
account never gets an instance. AccountFilterType: NONE (all accounts of the OUs), INTERSECTION
(only the listed accounts inside the OUs), DIFFERENCE (the OUs minus the listed accounts), UNION
(the OUs plus the listed accounts; the default, but not for CreateStackInstances). At most 50 OUs
per operation (CFN-API CreateStackInstances / UpdateStackInstances / DeleteStackInstances).
SELF_MANAGED stack sets take plain account ids (`Accounts`).
"""
from __future__ import annotations

from typing import Any

from moto.organizations.models import OrganizationsBackend, organizations_backends

from vending.local.cloudformation import errors as err

MAX_OUS = 50
ONLY_OUS = ("StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as "
            "target")
"""Seen from DeleteStackInstances given only Accounts (aws/aws-cli issue #8248)."""
Target = tuple[str, "str | None"]  # (account id, the targeted OU it was reached through)


def org_backend(account_id: str) -> OrganizationsBackend | None:
    """The Organizations backend of the organization `account_id` manages, if any."""
    backend = organizations_backends[account_id]["aws"]
    if backend.org is not None and backend.org.master_account_id == account_id:
        return backend
    return None


def membership(backend: OrganizationsBackend) -> dict[str, str]:
    """Member account id -> parent id (the management account left out)."""
    assert backend.org is not None
    manager = backend.org.master_account_id
    return {a.id: a.parent_id for a in backend.accounts if a.id != manager}


def suspended(backend: OrganizationsBackend) -> set[str]:
    return {a.id for a in backend.accounts if a.status in ("SUSPENDED", "PENDING_CLOSURE")}


def ancestry(backend: OrganizationsBackend) -> dict[str, str | None]:
    """OU or root id -> its parent id (None for the root)."""
    parents: dict[str, str | None] = {}
    for node in backend.ou:
        parents[node.id] = None if node.type == "ROOT" else node.parent_id
    return parents


def reached_through(parent: str, targeted: list[str], parents: dict[str, str | None]) -> str | None:
    """The nearest targeted OU on the way from `parent` up to the root, if any."""
    node: str | None = parent
    while node is not None:
        if node in targeted:
            return node
        node = parents.get(node)
    return None


def in_ous(backend: OrganizationsBackend, ous: list[str]) -> list[Target]:
    """Every member account in the subtrees of `ous`, with the OU it was reached through."""
    parents = ancestry(backend)
    unknown = [ou for ou in ous if ou not in parents]
    if unknown:
        raise err.validation(f"OrganizationalUnitIds {unknown} do not exist in the "
                             "organization.")
    found = []
    for account_id, parent in membership(backend).items():
        via = reached_through(parent, ous, parents)
        if via is not None:
            found.append((account_id, via))
    return found


def resolve(backend: OrganizationsBackend | None, permission_model: str, params: dict[str, Any],
            operation: str) -> tuple[list[Target], list[str]]:
    """(targets, targeted OU ids) of a stack-instance request, as AWS resolves them now."""
    targets = params.get("DeploymentTargets")
    accounts = params.get("Accounts")
    if accounts and targets:
        raise err.validation("You can specify Accounts or DeploymentTargets, but not both.")
    if permission_model == "SELF_MANAGED":
        if targets and (targets.get("OrganizationalUnitIds") or targets.get("AccountFilterType")):
            raise err.validation("OrganizationalUnitIds are only valid for StackSets with "
                                 "service-managed permissions.")
        chosen = accounts or (targets or {}).get("Accounts") or []
        if not chosen:
            raise err.validation("You must specify Accounts or DeploymentTargets.")
        return [(a, None) for a in dict.fromkeys(chosen)], []
    if accounts or not (targets or {}).get("OrganizationalUnitIds"):
        raise err.validation(ONLY_OUS)
    assert targets is not None
    if targets.get("AccountsUrl"):
        raise err.validation("AccountsUrl is not supported by the local emulator; give Accounts.")
    assert backend is not None
    ous = list(dict.fromkeys(targets.get("OrganizationalUnitIds") or []))
    listed = list(dict.fromkeys(targets.get("Accounts") or []))
    if len(ous) > MAX_OUS:
        raise err.validation(f"The maximum number of organizational units (OUs) supported by a "
                             f"{operation} operation is {MAX_OUS}.")
    kind = targets.get("AccountFilterType")
    if operation == "CreateStackInstances":
        if kind == "UNION":
            raise err.validation("AccountFilterType UNION is not supported for "
                                 "CreateStackInstances.")
        if listed and kind in (None, "NONE"):
            raise err.validation("AccountFilterType must be INTERSECTION or DIFFERENCE when both "
                                 "OrganizationalUnitIds and Accounts are given.")
    kind = kind or "UNION"
    in_units = in_ous(backend, ous)
    members = membership(backend)
    if kind == "INTERSECTION":
        chosen = [t for t in in_units if t[0] in listed]
    elif kind == "DIFFERENCE":
        chosen = [t for t in in_units if t[0] not in listed]
    elif kind == "UNION":
        reached = {t[0] for t in in_units}
        chosen = in_units + [(a, None) for a in listed if a not in reached and a in members]
    else:
        chosen = in_units
    return chosen, ous
