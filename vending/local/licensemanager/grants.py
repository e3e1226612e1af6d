"""Grants: CreateGrant, CreateGrantVersion, DeleteGrant, GetGrant, ListDistributedGrants,
ListReceivedGrants, AcceptGrant, RejectGrant (aws-facts section 6).

A new grant is PENDING_WORKFLOW until the next read of License Manager (`step`: time passes for
every read); then it is distributed. Each account it reaches finds it PENDING_ACCEPT, or
accepted (DISABLED) at once when the management account granted it with AWS Organizations
linked (EnableIntegration) and the account is in the organization; AcceptGrant makes it
DISABLED, CreateGrantVersion Status ACTIVE (by the recipient, or by the granter for an account
grant) activates it. An account has one active license per Marketplace product: activating a
second is refused unless ActivationOverrideBehavior (the request's Options or the grant's) lets
it replace the active one, which becomes DISABLED. The granter sees an account grant in its
recipient's status, an OU or organization grant as WORKFLOW_COMPLETED. A deleted grant stays
listed for its granter as DELETED (and reaches no one).

A repeated ClientToken (per account and operation) answers the earlier call again.
"""
from __future__ import annotations

from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.licensemanager.state import (
    check_principal,
    filtered,
    grant_arn,
    handles,
    hex_id,
    in_organization,
    invalid,
    is_account_principal,
    recipients,
    remember,
    reused,
    settings_of,
    validation,
)
from vending.local.modeled import Call, page

GRANT_FILTERS = {"LicenseArn": "LicenseArn", "GrantStatus": "GrantStatus", "ProductSKU": "ProductSKU",
                 "LicenseIssuerName": "LicenseIssuerName"}
DISTRIBUTED_FILTERS = {**GRANT_FILTERS, "GranteePrincipalARN": "GranteePrincipalArn"}
RECEIVED_FILTERS = {**GRANT_FILTERS, "GranterAccountId": "Granter"}


def step(emulator: Any) -> bool:
    """One read: every grant in PENDING_WORKFLOW is distributed."""
    changed = False
    for grant in emulator.grants.values():
        if not grant["Distributed"]:
            grant["Distributed"] = True
            changed = True
    return changed


def received_status(call: Call[Any], grant: dict[str, Any], account: str) -> str:
    if not grant["Distributed"]:
        return "PENDING_WORKFLOW"
    found = grant["Recipients"].get(account)
    if found:
        return found
    management = call.settings.management_account_id
    auto = (grant["Granter"] == management and settings_of(call, management)["EnableIntegration"]
            and in_organization(call, account))
    return "DISABLED" if auto else "PENDING_ACCEPT"


def status(call: Call[Any], grant: dict[str, Any], viewer: str) -> str:
    if grant.get("Deleted"):
        return "DELETED"
    if viewer != grant["Granter"]:
        return received_status(call, grant, viewer)
    if not grant["Distributed"]:
        return "PENDING_WORKFLOW"
    principal = grant["GranteePrincipalArn"]
    return received_status(call, grant, recipients(call, principal)[0]) if is_account_principal(principal) \
        else "WORKFLOW_COMPLETED"


def reaching(call: Call[Any], account: str) -> list[dict[str, Any]]:
    """The distributed grants that reach `account` (sorted by ARN)."""
    return [g for _, g in sorted(call.emulator.grants.items())
            if g["Distributed"] and not g.get("Deleted") and account in recipients(call, g["GranteePrincipalArn"])]


def view(call: Call[Any], grant: dict[str, Any]) -> dict[str, Any]:
    out = {k: grant[k] for k in ("GrantArn", "GrantName", "ParentArn", "LicenseArn", "GranteePrincipalArn",
                                 "HomeRegion", "Version", "GrantedOperations")}
    out["GrantStatus"] = status(call, grant, call.account_id)
    if grant.get("Options"):
        out["Options"] = dict(grant["Options"])
    if grant.get("StatusReason"):
        out["StatusReason"] = grant["StatusReason"]
    return out


def _answer(call: Call[Any], grant: dict[str, Any]) -> dict[str, Any]:
    return {"GrantArn": grant["GrantArn"], "Status": status(call, grant, call.account_id), "Version": grant["Version"]}


def _visible(call: Call[Any], arn: str) -> dict[str, Any]:
    grant = call.emulator.grants.get(arn)
    if grant is None or (call.account_id != grant["Granter"] and call.account_id not in reaching_accounts(call, grant)):
        raise invalid(f"Grant {arn} does not exist.")
    return grant


def reaching_accounts(call: Call[Any], grant: dict[str, Any]) -> list[str]:
    return recipients(call, grant["GranteePrincipalArn"]) if grant["Distributed"] and not grant.get("Deleted") else []


def _license_operations(call: Call[Any], license_arn: str) -> list[str]:
    from vending.local.licensemanager.licenses import received  # licenses lists what grants give

    for item in received(call, call.account_id):
        if item["LicenseArn"] == license_arn:
            return list(item["ReceivedMetadata"]["AllowedOperations"])
    raise invalid(f"License {license_arn} does not exist or was not granted to account {call.account_id}.")


def _check_operations(call: Call[Any], license_arn: str, operations: list[str]) -> None:
    allowed = _license_operations(call, license_arn)
    if "CreateGrant" not in allowed:
        raise AwsServiceError("AccessDeniedException", f"License {license_arn} does not allow CreateGrant in "
                              f"account {call.account_id}.")
    outside = [o for o in operations if o not in allowed]
    if outside:
        raise invalid(f"AllowedOperations {', '.join(outside)} are not allowed by license {license_arn} "
                      f"(it allows {', '.join(allowed)}).")


@handles("CreateGrant")
def create_grant(call: Call[Any]) -> dict[str, Any]:
    p = call.params
    earlier = reused(call, p["ClientToken"])
    if earlier and earlier in call.emulator.grants:
        return _answer(call, call.emulator.grants[earlier])  # AWS answers the grant it made, deleted or not
    license = call.emulator.licenses.get(p["LicenseArn"])
    _check_operations(call, p["LicenseArn"], p["AllowedOperations"])
    assert license is not None  # _check_operations found it received
    if p["HomeRegion"] != license["HomeRegion"]:
        raise invalid(f"HomeRegion {p['HomeRegion']} is not the home Region of license {p['LicenseArn']} "
                      f"({license['HomeRegion']}).")
    principal = p["Principals"][0]
    check_principal(call, principal)
    arn = grant_arn(call.account_id, hex_id("g"))
    grant = {"GrantArn": arn, "GrantName": p["GrantName"], "ParentArn": p["LicenseArn"], "LicenseArn": p["LicenseArn"],
             "GranteePrincipalArn": principal, "HomeRegion": p["HomeRegion"], "Version": "1",
             "GrantedOperations": list(p["AllowedOperations"]), "Granter": call.account_id, "Distributed": False,
             "Recipients": {}, "ProductSKU": license["ProductSKU"], "LicenseIssuerName": license["Issuer"]["Name"],
             "Tags": list(p.get("Tags") or [])}
    if p.get("Options"):
        grant["Options"] = dict(p["Options"])
    call.emulator.grants[arn] = grant
    remember(call, p["ClientToken"], arn)
    return _answer(call, grant)


def _activate(call: Call[Any], grant: dict[str, Any], account: str, options: dict[str, Any]) -> None:
    current = received_status(call, grant, account)
    if current not in ("DISABLED", "ACTIVE"):
        raise validation(f"Grant {grant['GrantArn']} is {current} in account {account}; accept it first (AcceptGrant).")
    override = (options or grant.get("Options") or {}).get("ActivationOverrideBehavior")
    for other in reaching(call, account):
        if other is grant or other["ProductSKU"] != grant["ProductSKU"]:
            continue
        if received_status(call, other, account) == "ACTIVE":
            if override is None:
                raise validation(f"Account {account} already has an active license for product {grant['ProductSKU']} "
                                 f"(grant {other['GrantArn']}); disable it first, or activate with Options "
                                 "ActivationOverrideBehavior to replace it.")
            other["Recipients"][account] = "DISABLED"
    grant["Recipients"][account] = "ACTIVE"


@handles("CreateGrantVersion")
def create_grant_version(call: Call[Any]) -> dict[str, Any]:
    p = call.params
    earlier = reused(call, p["ClientToken"])
    if earlier and earlier in call.emulator.grants:
        return _answer(call, call.emulator.grants[earlier])
    grant = _visible(call, p["GrantArn"])
    if grant.get("Deleted"):
        raise validation(f"Grant {grant['GrantArn']} is deleted.")
    source = p.get("SourceVersion")
    if source is not None and source != grant["Version"]:
        raise validation(f"SourceVersion {source} is not the current version of grant {grant['GrantArn']} "
                         f"({grant['Version']}).")
    granter = call.account_id == grant["Granter"]
    if not granter and ("GrantName" in p or "AllowedOperations" in p):
        raise AwsServiceError("AuthorizationException", "Only the granter can change a grant's name or operations.")
    wanted = p.get("Status")
    if wanted not in (None, "ACTIVE", "DISABLED"):
        raise validation(f"Status {wanted} cannot be set; a grant version sets ACTIVE or DISABLED.")
    if wanted is not None:
        if granter and not is_account_principal(grant["GranteePrincipalArn"]):
            raise validation("An OU or organization grant is activated in each account that receives it.")
        account = recipients(call, grant["GranteePrincipalArn"])[0] if granter else call.account_id
        if not grant["Distributed"]:
            raise validation(f"Grant {grant['GrantArn']} is still PENDING_WORKFLOW.")
        if wanted == "ACTIVE":
            _activate(call, grant, account, p.get("Options") or {})
        else:
            grant["Recipients"][account] = "DISABLED"
    if granter:
        if "AllowedOperations" in p:
            _check_operations(call, grant["LicenseArn"], p["AllowedOperations"])
            grant["GrantedOperations"] = list(p["AllowedOperations"])
        if "GrantName" in p:
            grant["GrantName"] = p["GrantName"]
        if "Options" in p:
            grant["Options"] = dict(p["Options"])
        if "StatusReason" in p:
            grant["StatusReason"] = p["StatusReason"]
    grant["Version"] = str(int(grant["Version"]) + 1)
    remember(call, p["ClientToken"], grant["GrantArn"])
    return _answer(call, grant)


@handles("DeleteGrant")
def delete_grant(call: Call[Any]) -> dict[str, Any]:
    grant = _visible(call, call.params["GrantArn"])
    if call.account_id != grant["Granter"]:
        raise AwsServiceError("AuthorizationException", "Only the granter can delete a grant.")
    if grant.get("Deleted"):
        raise validation(f"Grant {grant['GrantArn']} is deleted already.")
    if call.params["Version"] != grant["Version"]:
        raise validation(f"Version {call.params['Version']} is not the current version of grant {grant['GrantArn']} "
                         f"({grant['Version']}).")
    grant["Deleted"] = True
    if call.params.get("StatusReason"):
        grant["StatusReason"] = call.params["StatusReason"]
    return {"GrantArn": grant["GrantArn"], "Status": "DELETED", "Version": grant["Version"]}


@handles("GetGrant")
def get_grant(call: Call[Any]) -> dict[str, Any]:
    grant = _visible(call, call.params["GrantArn"])
    if call.params.get("Version") not in (None, grant["Version"]):
        raise invalid(f"Grant {grant['GrantArn']} has no version {call.params['Version']}.")
    return {"Grant": view(call, grant)}


def _bad_token() -> AwsServiceError:
    return invalid("The NextToken is not valid.")


def _listed(call: Call[Any], grants: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    arns = call.params.get("GrantArns")
    rows = [{**g, "GrantStatus": status(call, g, call.account_id)} for g in grants if not arns or g["GrantArn"] in arns]
    rows = filtered(rows, call.params.get("Filters"), names)
    shown, token = page(rows, call.params.get("MaxResults"), call.params.get("NextToken"), 10, _bad_token)
    return {"Grants": [view(call, g) for g in shown], **({"NextToken": token} if token else {})}


@handles("ListDistributedGrants")
def list_distributed_grants(call: Call[Any]) -> dict[str, Any]:
    mine = [g for _, g in sorted(call.emulator.grants.items()) if g["Granter"] == call.account_id]
    return _listed(call, mine, DISTRIBUTED_FILTERS)


@handles("ListReceivedGrants")
def list_received_grants(call: Call[Any]) -> dict[str, Any]:
    return _listed(call, reaching(call, call.account_id), RECEIVED_FILTERS)


def _answer_recipient(call: Call[Any], allowed: tuple[str, ...], to: str) -> dict[str, Any]:
    grant = _visible(call, call.params["GrantArn"])
    if call.account_id == grant["Granter"] and call.account_id not in reaching_accounts(call, grant):
        raise AwsServiceError("AuthorizationException", "Only an account that received the grant can answer it.")
    current = received_status(call, grant, call.account_id)
    if current not in allowed:
        raise validation(f"Grant {grant['GrantArn']} is {current} in account {call.account_id}.")
    grant["Recipients"][call.account_id] = to
    return {"GrantArn": grant["GrantArn"], "Status": to, "Version": grant["Version"]}


@handles("AcceptGrant")
def accept_grant(call: Call[Any]) -> dict[str, Any]:
    return _answer_recipient(call, ("PENDING_ACCEPT",), "DISABLED")


@handles("RejectGrant")
def reject_grant(call: Call[Any]) -> dict[str, Any]:
    return _answer_recipient(call, ("PENDING_ACCEPT", "DISABLED"), "REJECTED")

