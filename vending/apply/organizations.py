"""Appliers for Organizations changes. Each takes one Change and performs it; none diffs.

Every applier is safe to re-run after an interruption: an "already done" answer from AWS
(duplicate attachment, OU already there, policy type already enabled) counts as success.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from vending.apply.accounts import create_account, move
from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import poll
from vending.aws.errors import error_code
from vending.aws.paging import first
from vending.errors import ApplyFailure
from vending.model.types import POLICY_FOLDERS, parse_path
from vending.plan.changes import Action, Change

MANAGED_BY = "Managed by vend"
TYPE_BY_FOLDER = {folder: policy_type for policy_type, folder in POLICY_FOLDERS.items()}


def apply_policy_type(change: Change, ctx: ApplyContext) -> str:
    policy_type = change.address.split(":", 1)[1]
    root_id = ctx.live.root.id
    try:
        ctx.organizations.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    except ClientError as exc:
        if error_code(exc) != "PolicyTypeAlreadyEnabledException":
            raise
    # Enabling is asynchronous (PENDING_ENABLE): attachments fail until the root says ENABLED.
    def read() -> tuple[str, str | None]:
        root = ctx.organizations.list_roots()["Roots"][0]
        status = {t["Type"]: t["Status"] for t in root.get("PolicyTypes", [])}.get(policy_type, "NOT ENABLED")
        return status, f"{policy_type} enabled on {root_id}" if status == "ENABLED" else None

    return poll(ctx.polling, f"EnablePolicyType {policy_type} on {root_id}", deadlines.POLICY_TYPE, read,
                then="rerun vend apply; it enables it again")


def apply_policy(change: Change, ctx: ApplyContext) -> str:
    after = change.after or {}
    if change.action is Action.UPDATE:
        ctx.organizations.update_policy(PolicyId=after["id"], Content=after["content"])
        return f"updated {after['id']}"
    try:
        policy = ctx.organizations.create_policy(
            Name=after["name"],
            Type=after["type"],
            Content=after["content"],
            Description=f"{MANAGED_BY} ({change.source or after['name']})",
        )["Policy"]["PolicySummary"]
    except ClientError as exc:
        if error_code(exc) != "DuplicatePolicyException":
            raise
        policy = _find_policy(ctx, after["type"], after["name"])
        ctx.organizations.update_policy(PolicyId=policy["Id"], Content=after["content"])
    ctx.set_policy_id(after["type"], after["name"], policy["Id"])
    return f"created {policy['Id']}"


def _find_policy(ctx: ApplyContext, policy_type: str, name: str) -> dict:
    found = first(ctx.organizations, "list_policies", "Policies", lambda p: p["Name"] == name, Filter=policy_type)
    if found is None:
        raise ApplyFailure(f"policy {name} exists according to AWS but cannot be found")
    return found


def apply_ou(change: Change, ctx: ApplyContext) -> str:
    path = parse_path(change.address.split(":", 1)[1])
    if change.action is Action.CREATE:
        parent_id = ctx.ou_id(path[:-1])
        try:
            ou = ctx.organizations.create_organizational_unit(ParentId=parent_id, Name=path[-1])
            ou_id = ou["OrganizationalUnit"]["Id"]
        except ClientError as exc:
            if error_code(exc) != "DuplicateOrganizationalUnitException":
                raise
            ou_id = _find_child_ou(ctx, parent_id, path[-1])
        ctx.set_ou_id(path, ou_id)
        return f"created {ou_id}"
    before = change.before or {}
    if change.action is Action.UPDATE:
        ctx.organizations.update_organizational_unit(
            OrganizationalUnitId=before["id"], Name=(change.after or {})["name"]
        )
        ctx.renamed(path[:-1] + (before["name"],), path)
        return f"renamed {before['id']}"
    ctx.organizations.delete_organizational_unit(OrganizationalUnitId=before["id"])
    return f"deleted {before['id']}"


def _find_child_ou(ctx: ApplyContext, parent_id: str, name: str) -> str:
    found = first(
        ctx.organizations, "list_organizational_units_for_parent", "OrganizationalUnits",
        lambda ou: ou["Name"] == name, ParentId=parent_id,
    )
    if found is None:
        raise ApplyFailure(f"OU {name} exists according to AWS but is not under {parent_id}")
    return found["Id"]


def apply_tags(change: Change, ctx: ApplyContext, resource_id: str) -> str:
    before = (change.before or {}).get("tags", {})
    after = (change.after or {}).get("tags", {})
    removed = sorted(set(before) - set(after))
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if removed:
        ctx.organizations.untag_resource(ResourceId=resource_id, TagKeys=removed)
    if changed:
        ctx.organizations.tag_resource(
            ResourceId=resource_id, Tags=[{"Key": k, "Value": v} for k, v in sorted(changed.items())]
        )
    return f"{len(changed)} tag(s) set, {len(removed)} removed on {resource_id}"


def apply_ou_tags(change: Change, ctx: ApplyContext) -> str:
    path = parse_path(change.address.split(":", 1)[1])
    return apply_tags(change, ctx, (change.before or {}).get("id") or ctx.ou_id(path))


def apply_account_tags(change: Change, ctx: ApplyContext) -> str:
    name = change.address.split(":", 1)[1]
    return apply_tags(change, ctx, ctx.account_id(name, (change.before or {}).get("id")))


def apply_attachment(change: Change, ctx: ApplyContext) -> str:
    fields = change.after or change.before or {}
    folder, name = fields["policy"].split("/", 1)
    policy_id = ctx.policy_id(TYPE_BY_FOLDER[folder], name)
    target_id = ctx.ou_id(fields["target"])
    try:
        if change.action is Action.CREATE:
            ctx.organizations.attach_policy(PolicyId=policy_id, TargetId=target_id)
        else:
            ctx.organizations.detach_policy(PolicyId=policy_id, TargetId=target_id)
    except ClientError as exc:
        if error_code(exc) not in ("DuplicatePolicyAttachmentException", "PolicyNotAttachedException"):
            raise
    verb = "attached to" if change.action is Action.CREATE else "detached from"
    return f"{policy_id} {verb} {target_id}"


def apply_account(change: Change, ctx: ApplyContext) -> str:
    name = change.address.split(":", 1)[1]
    if change.action is Action.CREATE:
        return create_account(change, ctx)
    before = change.before or {}
    if change.action is Action.DELETE:
        if change.after:  # move first: a closed account cannot leave its OU for 90 days
            _move_to(ctx, name, before["id"], change.after["ou"])
        ctx.organizations.close_account(AccountId=before["id"])
        return f"closing {before['id']} (PENDING_CLOSURE, then SUSPENDED)"
    return f"moved {before['id']} to {_move_to(ctx, name, before['id'], (change.after or {})['ou'])}"


def _move_to(ctx: ApplyContext, name: str, account_id: str, ou: str) -> str:
    destination = ctx.ou_id(ou)
    # Asked, not taken from the plan: unmanaging from Control Tower may have just moved it.
    source = ctx.organizations.list_parents(ChildId=account_id)["Parents"][0]["Id"]
    move(ctx, account_id, source, destination)
    ctx.set_account_id(name, account_id)
    return destination
