"""License Manager grants (catalog/licenses/): one grant per declared principal, and License
Manager's Organizations integration as their prerequisite (aws-facts section 6).

AWS takes one principal per grant, so a file naming several is split (V1009 says so): address
`license_grant:<file>@<label>` (label `organization`, `ou:<path>` or `account:<name>`), grant
name `<file>-<label slug>`, stable when principals are added or removed. A live grant is the
file's when it grants the same license to the same principal ARN (V1011 keeps that pair unique),
so a renamed grant is updated, not duplicated. A grant missing - never made, or deleted in the
console - is created; one whose name, operations or activation override differ gets a new
version; `retired: true` deletes it (destructive). Each existing grant's status (pending
acceptance, disabled, active, ...) is a note. Grants of the declared licenses that no file
names are noted and left alone.

The ClientToken of CreateGrant is derived from the grant and from the license's grants as read,
deleted ones included (ListDistributedGrants lists them as DELETED): a re-run that finds the
same state (an apply interrupted before the new grant is listed) sends the same token and AWS
answers the grant it made; once the grant is listed there is nothing to create, and after a
grant is deleted the token differs, so AWS makes a new one instead of answering the deleted one.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from vending.model.live_licenses import LiveGrant, LiveLicense, LiveLicenses
from vending.model.marketplace_types import LicenseGrantSpec, Member
from vending.model.types import DesiredOrg, parse_path, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext

PREREQUISITE = "license_manager_org"
OVERRIDES = {"distributed-grants-only": "DISTRIBUTED_GRANTS_ONLY",
             "all-grants-permitted-by-issuer": "ALL_GRANTS_PERMITTED_BY_ISSUER"}
STATUS_TEXT = {
    "PENDING_WORKFLOW": "being distributed (PENDING_WORKFLOW)",
    "PENDING_ACCEPT": "pending acceptance in the recipient account (PENDING_ACCEPT)",
    "DISABLED": "accepted, not activated (DISABLED)",
    "ACTIVE": "active",
    "REJECTED": "rejected by the recipient (REJECTED)",
    "FAILED_WORKFLOW": "failed to distribute (FAILED_WORKFLOW)",
    "WORKFLOW_COMPLETED": "distributed: each account accepts and activates it (WORKFLOW_COMPLETED)",
}
FIELDS = ("grant_name", "allowed_operations", "activation_override")
GONE = ("DELETED", "PENDING_DELETE")


def reads_licenses(desired: DesiredOrg) -> bool:
    """Whether the plan reads License Manager: only when the repository has license grants."""
    return desired.marketplace is not None and bool(desired.marketplace.licenses)


def grant_address(name: str, label: str) -> str:
    return f"license_grant:{name}@{label}"


def label(member: Member) -> str:
    return "organization" if member.kind == "organization" else f"{member.kind}:{member.value}"


def grant_name(name: str, member: Member) -> str:
    slug = "organization" if member.kind == "organization" else member.value.strip("/").replace("/", "-")
    return f"{name}-{slug}"


def _principal(ctx: DiffContext, member: Member) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The principal's fields (its ARN when it exists) and what the grant waits for."""
    live = ctx.live
    if member.kind == "organization":
        return {"principal_arn": f"arn:aws:organizations::{live.management_account_id}:organization/{live.org_id}"}, ()
    if member.kind == "ou":
        path = parse_path(member.value)
        found = ctx.ou_match.get(path)
        waits = ctx.ou_dependency(path)
        known = found is not None and path not in ctx.created_ous and not waits
        return {"ou": path_str(path), **({"principal_arn": live.ou_arn(found.id)} if known else {})}, waits
    spec = ctx.desired.accounts.get(member.value)
    if spec is None:
        return {"principal_arn": f"arn:aws:iam::{member.value}:root"}, ()
    account = spec.pinned_id if spec.pinned_id in live.accounts else next(
        (a.id for a in live.accounts.values() if a.email.lower() == spec.email.lower()), "")
    if account:
        return {"account": member.value, "principal_arn": f"arn:aws:iam::{account}:root"}, ()
    return {"account": member.value}, (addresses.account(member.value),)


def _license(ctx: DiffContext, live: LiveLicenses, spec: LicenseGrantSpec) -> LiveLicense | None:
    if spec.license_arn:
        found = live.license(spec.license_arn)
        if found is None and not spec.retired:
            ctx.problems.append(f"{spec.file}: license.arn: the management account has not received license "
                                f"{spec.license_arn} (ListReceivedLicenses): buy or accept it first, or fix the ARN")
        return found
    matches = live.by_sku(spec.product_sku)
    if len(matches) > 1:
        matches = [m for m in matches if m.status == "AVAILABLE"] or matches
    if len(matches) == 1:
        return matches[0]
    if not spec.retired:
        problem = (f"licenses {', '.join(m.arn for m in matches)} are for product SKU {spec.product_sku}: name one"
                   " with license.arn") if matches else (
            f"the management account has received no license for product SKU {spec.product_sku} "
            "(ListReceivedLicenses): subscribe to the product in AWS Marketplace first, or fix the SKU")
        ctx.problems.append(f"{spec.file}: license.product_sku: {problem}")
    return None


def _token(spec: LicenseGrantSpec, member: Member, wanted: dict[str, Any], live: LiveLicenses) -> str:
    seen = sorted(g.arn for g in live.grants if g.license_arn == wanted["license_arn"])
    blob = json.dumps([spec.name, label(member), wanted, seen], sort_keys=True)
    return "vend-" + hashlib.sha256(blob.encode()).hexdigest()[:48]


def _live_fields(grant: LiveGrant) -> dict[str, Any]:
    return {"grant_arn": grant.arn, "grant_name": grant.name, "license_arn": grant.license_arn,
            "principal_arn": grant.principal, "allowed_operations": list(grant.operations),
            "activation_override": grant.activation_override, "status": grant.status, "version": grant.version}


def diff_licenses(ctx: DiffContext) -> None:
    live = ctx.live.licenses
    spec = ctx.desired.marketplace
    if live is None or spec is None or not spec.licenses:
        return
    claimed: set[str] = set()
    needs_integration = False
    for grant_spec in sorted(spec.licenses.values(), key=lambda g: g.name):
        found = _license(ctx, live, grant_spec)
        if found is None:
            continue
        for member in grant_spec.principals:
            needs_integration = _one(ctx, live, grant_spec, found, member, claimed) or needs_integration
    if needs_integration and not live.organization_integration:
        ctx.add(Change(address=PREREQUISITE, kind=Kind.LICENSE_MANAGER_ORG, action=Action.UPDATE,
                       before={"organization_integration": False}, after={"organization_integration": True},
                       reason="License Manager is not linked to AWS Organizations: until it is, member accounts "
                              "must accept each grant themselves (UpdateServiceSettings OrganizationConfiguration)"))
    declared = {lic.arn for lic in live.licenses}
    for grant in live.grants:
        if grant.arn not in claimed and grant.license_arn in declared and grant.status not in GONE:
            ctx.notes.append(Note(kind="unmanaged", address=f"license_grant:{grant.name}",
                                  message=f"grant {grant.arn} of license {grant.license_arn} to {grant.principal} "
                                          "is in no file of catalog/licenses/"))


def _one(ctx: DiffContext, live: LiveLicenses, spec: LicenseGrantSpec, found: LiveLicense, member: Member,
         claimed: set[str]) -> bool:
    """Plan one (file, principal) grant; True when it needs the integration."""
    address = grant_address(spec.name, label(member))
    principal, waits = _principal(ctx, member)
    arn = principal.get("principal_arn")
    have = next((g for g in live.grants if arn and g.license_arn == found.arn and g.principal == arn
                 and g.status not in GONE), None)
    if have is not None:
        claimed.add(have.arn)
    source = spec.file
    if spec.retired:
        if have is not None:
            ctx.add(Change(address=address, kind=Kind.LICENSE_GRANT, action=Action.DELETE, destructive=True,
                           source=source, before=_live_fields(have),
                           reason=f"{spec.file} says retired: true (recipients lose the license)"))
        return False
    override = OVERRIDES.get(spec.activation_override or "")
    wanted = {"grant_name": grant_name(spec.name, member), "license_arn": found.arn,
              "product_sku": found.product_sku, **principal, "home_region": found.home_region,
              "allowed_operations": sorted(spec.allowed_operations), "activation_override": override}
    if have is None:
        after = {**wanted, "client_token": _token(spec, member, wanted, live)}
        depends = waits + ((PREREQUISITE,) if not live.organization_integration else ())
        gone = arn and any(g.license_arn == found.arn and g.principal == arn for g in live.grants)
        reason = f"{found.arn} is not granted to this principal" + (
            " (its grant was deleted out of band)" if gone else "")
        ctx.add(Change(address=address, kind=Kind.LICENSE_GRANT, action=Action.CREATE, after=after,
                       depends_on=depends, source=source, reason=reason))
        return True
    ctx.notes.append(Note(kind="info", address=address,
                          message=f"grant {have.name}: {STATUS_TEXT.get(have.status, have.status)}"))
    current = _live_fields(have)
    differs = [f for f in FIELDS if current[f] != wanted[f] and not (f == "activation_override" and override is None)]
    if differs:
        ctx.add(Change(address=address, kind=Kind.LICENSE_GRANT, action=Action.UPDATE, source=source,
                       before=current, after={**wanted, "grant_arn": have.arn},
                       reason=f"{', '.join(differs)} differ from {spec.file} (CreateGrantVersion)"))
    return True
