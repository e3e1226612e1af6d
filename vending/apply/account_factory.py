"""Appliers for Control Tower Account Factory (Service Catalog's "AWS Control Tower Account
Factory" product): provision, update (move, retry, enroll) and terminate (unmanage).

Retries never provision twice: the ProvisionToken is derived from the account's email, and
the provisioned product has a stable name (vend-<file stem>), so a repeated ProvisionProduct
either returns the same record or meets DuplicateResourceException, after which vend waits on
the existing product's last record. Records are polled through IN_PROGRESS; a FAILED record's
errors are reported verbatim.
"""
from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.model.types import parse_path
from vending.plan.changes import Action, Change


def servicecatalog(ctx: ApplyContext) -> Any:
    return ctx.clients.client("servicecatalog", ctx.home_region)


def token(*parts: str) -> str:
    """A deterministic idempotency token ([a-zA-Z0-9][a-zA-Z0-9_-]*, at most 128)."""
    return "vend-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


def parameters(ctx: ApplyContext, fields: dict) -> list[dict[str, str]]:
    """All six Account Factory parameters; an update must re-supply every one of them."""
    path = parse_path(fields["ou"])
    ou_id = ctx.ou_id(path)
    managed_ou = f"{path[-1]} ({ou_id})" if path else "Root"
    values = {
        "AccountName": fields["name"],
        "AccountEmail": fields["email"],
        "ManagedOrganizationalUnit": managed_ou,
        "SSOUserEmail": fields["sso_email"],
        "SSOUserFirstName": fields["sso_first_name"],
        "SSOUserLastName": fields["sso_last_name"],
    }
    return [{"Key": k, "Value": v} for k, v in values.items()]


def _wait_record(ctx: ApplyContext, record_id: str, what: str) -> dict:
    client = servicecatalog(ctx)
    for delay in ctx.polling.delays():
        ctx.polling.sleep(delay)
        described = client.describe_record(Id=record_id)
        detail = described["RecordDetail"]
        if detail["Status"] == "SUCCEEDED":
            return described
        if detail["Status"] == "FAILED":
            errors = "; ".join(
                f"{e.get('Code', 'Error')}: {e.get('Description', '')}" for e in detail.get("RecordErrors", [])
            )
            raise ApplyFailure(f"{what} FAILED (record {record_id}): {errors or 'no error given'}")
    raise ApplyFailure(f"{what} is still IN_PROGRESS (record {record_id}); run vend plan later")


def _account_id(described: dict) -> str | None:
    outputs = {o.get("OutputKey"): o.get("OutputValue") for o in described.get("RecordOutputs", [])}
    return outputs.get("AccountId")


def _provision(ctx: ApplyContext, fields: dict) -> dict:
    client = servicecatalog(ctx)
    ct = ctx.live.control_tower
    name = fields["provisioned_product"]
    try:
        record = client.provision_product(
            ProductId=ct.product_id,
            ProvisioningArtifactId=ct.artifact_id,
            ProvisionedProductName=name,
            ProvisioningParameters=parameters(ctx, fields),
            ProvisionToken=token("provision", fields["email"].lower()),
        )["RecordDetail"]
        record_id = record["RecordId"]
    except ClientError as exc:
        if not _name_taken(exc):
            raise
        # An interrupted earlier apply already started it: follow that product's last record.
        product = client.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
        record_id = product["LastRecordId"]
    return _wait_record(ctx, record_id, f"provisioning {name}")


def _name_taken(exc: ClientError) -> bool:
    """AWS answers a taken provisioned-product name with InvalidParametersException "A stack
    named X already exists." (DuplicateResourceException is documented but not what it sends)."""
    code = error_code(exc)
    return code == "DuplicateResourceException" or (
        code == "InvalidParametersException" and "already exists" in str(exc)
    )


def _update(ctx: ApplyContext, change: Change, fields: dict) -> dict:
    client = servicecatalog(ctx)
    ct = ctx.live.control_tower
    product_id = fields["provisioned_product_id"]
    record = client.update_provisioned_product(
        ProvisionedProductId=product_id,
        ProductId=ct.product_id,
        ProvisioningArtifactId=ct.artifact_id,
        ProvisioningParameters=parameters(ctx, fields),
        UpdateToken=token("update", product_id, fields["ou"], ctx.fingerprint),
    )["RecordDetail"]
    return _wait_record(ctx, record["RecordId"], f"updating {product_id}")


def apply_factory_account(change: Change, ctx: ApplyContext) -> str:
    name = change.address.split(":", 1)[1]
    fields = change.after or {}
    if change.action is Action.CREATE or fields.get("enrolled") is True:
        described = _provision(ctx, fields)
        account_id = _account_id(described) or fields.get("id")
        if account_id is None:
            raise ApplyFailure(f"provisioning {fields['provisioned_product']} succeeded without an AccountId output")
        ctx.set_account_id(name, account_id)
        verb = "enrolled" if fields.get("enrolled") else "vended"
        return f"{verb} {account_id} in {fields['ou']} through Account Factory"
    described = _update(ctx, change, fields)
    account_id = fields.get("id") or _account_id(described)
    if account_id:
        ctx.set_account_id(name, account_id)
    return f"updated {fields['provisioned_product_id']} ({fields['ou']})"


def apply_enrollment(change: Change, ctx: ApplyContext) -> str:
    """Unmanage: TerminateProvisionedProduct; the account leaves Control Tower, into the root."""
    before = change.before or {}
    product_id = before["provisioned_product_id"]
    record = servicecatalog(ctx).terminate_provisioned_product(
        ProvisionedProductId=product_id,
        TerminateToken=token("terminate", product_id),
    )["RecordDetail"]
    _wait_record(ctx, record["RecordId"], f"unmanaging {product_id}")
    return f"unmanaged {before['id']} ({product_id})"
