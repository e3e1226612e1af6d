"""Appliers of License Manager: its Organizations integration (UpdateServiceSettings) and one
grant's CreateGrant, CreateGrantVersion or DeleteGrant, in the management account.

CreateGrant sends the ClientToken the plan derived (vending.plan.diff_licenses): botocore does
not fill one in, and AWS answers a repeated token with the grant it made, so a retried or
re-run create does not make a second grant. A change (CreateGrantVersion) and a deletion
(DeleteGrant) name the grant's current Version, read with GetGrant just before; a deletion of a
grant already gone counts as done.
"""
from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.errors import error_code
from vending.plan.changes import Action, Change


def _client(ctx: ApplyContext) -> Any:
    return ctx.clients.client("license-manager", ctx.home_region)


def apply_integration(change: Change, ctx: ApplyContext) -> str:
    _client(ctx).update_service_settings(OrganizationConfiguration={"EnableIntegration": True})
    return "License Manager linked to AWS Organizations (grants are accepted in member accounts)"


def _principal(fields: dict[str, Any], ctx: ApplyContext) -> str:
    if fields.get("principal_arn"):
        return fields["principal_arn"]
    if "ou" in fields:
        return ctx.live.ou_arn(ctx.ou_id(fields["ou"]))
    return f"arn:aws:iam::{ctx.account_id(fields['account'])}:root"


def _options(fields: dict[str, Any]) -> dict[str, Any]:
    override = fields.get("activation_override")
    return {"Options": {"ActivationOverrideBehavior": override}} if override else {}


def apply_grant(change: Change, ctx: ApplyContext) -> str:
    client = _client(ctx)
    if change.action is Action.CREATE:
        fields: dict[str, Any] = change.after  # type: ignore[assignment]
        answer = client.create_grant(ClientToken=fields["client_token"], GrantName=fields["grant_name"],
                                     LicenseArn=fields["license_arn"], Principals=[_principal(fields, ctx)],
                                     HomeRegion=fields["home_region"], AllowedOperations=fields["allowed_operations"],
                                     **_options(fields))
        return f"grant {fields['grant_name']} created ({answer['GrantArn']}, {answer['Status']})"
    arn = (change.before or {})["grant_arn"]
    try:
        current = client.get_grant(GrantArn=arn)["Grant"]
    except ClientError as exc:
        if change.action is Action.DELETE and error_code(exc) == "InvalidParameterValueException":
            return f"grant {arn} was already gone"
        raise
    version = current["Version"]
    if change.action is Action.DELETE:
        if current["GrantStatus"] in ("DELETED", "PENDING_DELETE"):
            return f"grant {arn} was already deleted"
        client.delete_grant(GrantArn=arn, Version=version)
        return f"grant {change.before['grant_name']} deleted ({arn})"  # type: ignore[index]
    after: dict[str, Any] = change.after  # type: ignore[assignment]
    token = "vend-" + hashlib.sha256(f"{arn}|{version}|{change.address}".encode()).hexdigest()[:48]
    answer = client.create_grant_version(ClientToken=token, GrantArn=arn, SourceVersion=version,
                                         GrantName=after["grant_name"], AllowedOperations=after["allowed_operations"],
                                         **_options(after))
    return f"grant {after['grant_name']} updated to version {answer['Version']}"
