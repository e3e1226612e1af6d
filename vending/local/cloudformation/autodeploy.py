"""Auto-deployment: instances follow accounts into and out of the targeted OUs.

CFN-API AutoDeployment: "StackSets automatically deploys additional stack instances to
Organizations accounts that are added to a target organization or organizational unit (OU) in
the specified Regions. If an account is removed from a target organization or OU, StackSets
deletes stack instances from the account" - unless RetainStacksOnAccountRemoval, which keeps the
stacks and drops only the instances. New instances get the stack set's own parameter values:
overrides never reach accounts added later (aws-facts 14a).

Computed lazily, without hooks into the Organizations emulator: before every StackSets request
the membership of the organization (account -> parent) is compared with the one each stack set
saw last (a dict comparison, cheap); every account that entered or left a targeted subtree since
gets a CREATE or DELETE operation, queued behind a running one. A CREATE waits until the stack
sets of AutoDeployment.DependsOn have no operation in flight ("operations will be sequenced to
ensure all dependencies complete ... before this stack set's operation begins", CFN-API
AutoDeployment), so a VPC whose flow logs need the logging bucket comes after the bucket. So CreateAccount, MoveAccount,
the Account Factory and RemoveAccountFromOrganization all count, however they changed the
organization. An account that enters and leaves between two StackSets requests is not seen.
"""
from __future__ import annotations

from typing import Any

from vending.local.cloudformation import operations
from vending.local.cloudformation.store import Item, key
from vending.local.cloudformation.targets import (
    ancestry,
    membership,
    org_backend,
    reached_through,
)


def new_instance(item: Item, account: str, region: str, ou: str | None) -> Item:
    instance = {"Account": account, "Region": region, "Status": "OUTDATED",
                "StackInstanceStatus": {"DetailedStatus": "PENDING"}, "DriftStatus": "NOT_CHECKED",
                "ParameterOverrides": [],
                "stack_name": f"StackSet-{item['StackSetName']}-{operations.new_uuid()}"}
    if ou:
        instance["OrganizationalUnitId"] = ou
    item["instances"][key(account, region)] = instance
    return instance


def reconcile(item: Item, settings: Any) -> None:
    """Queue the auto-deployment operations of one SERVICE_MANAGED stack set, if any."""
    backend = org_backend(item["owner"])
    if backend is None:
        return
    now_members = membership(backend)
    seen = item["seen"]
    if seen == now_members:
        return
    item["seen"] = now_members
    auto = item.get("AutoDeployment") or {}
    if not auto.get("Enabled") or not item["auto_targets"]:
        return
    targeted = list(item["auto_targets"])
    parents = ancestry(backend)
    creates: list[tuple[str, str, str | None]] = []
    deletes: list[tuple[str, str, str | None]] = []
    for account in sorted(set(seen) | set(now_members)):
        before, after = seen.get(account), now_members.get(account)
        if before == after:
            continue
        was = reached_through(before, targeted, parents) if before else None
        now = reached_through(after, targeted, parents) if after else None
        if was == now:
            continue
        wanted = set(item["auto_targets"][now]) if now else set()
        have = {i["Region"]: i for i in item["instances"].values()
                if i["Account"] == account and i.get("OrganizationalUnitId")}
        for region in sorted(wanted - set(have)):
            if key(account, region) not in item["instances"]:
                new_instance(item, account, region, now)
                creates.append((account, region, now))
        for region, instance in sorted(have.items()):
            if region in wanted:
                instance["OrganizationalUnitId"] = now
            else:
                deletes.append((account, region, instance["OrganizationalUnitId"]))
    if creates:
        created = operations.start(item, settings, "CREATE", creates, {
            "DeploymentTargets": {"OrganizationalUnitIds": sorted({t[2] for t in creates
                                                                   if t[2]})}}, queue=True)
        created["waits_for"] = list(auto.get("DependsOn") or [])
    if deletes:
        operations.start(item, settings, "DELETE", deletes, {
            "RetainStacks": bool(auto.get("RetainStacksOnAccountRemoval")),
            "DeploymentTargets": {"Accounts": sorted({t[0] for t in deletes})}}, queue=True)
