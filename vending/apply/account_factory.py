"""Appliers for Control Tower Account Factory (Service Catalog's "AWS Control Tower Account
Factory" product): provision, update (move, retry, enroll) and terminate (unmanage).

Retries never provision twice: the ProvisionToken is derived from the account's email, and
the provisioned product has a stable name (vend-<file stem>), so a repeated ProvisionProduct
either returns the same record or meets DuplicateResourceException, after which vend waits on
the existing product's last record. Records are polled through IN_PROGRESS within
`deadlines.ACCOUNT_FACTORY`; a FAILED record's errors are reported verbatim, except Account
Factory's "another AWS Control Tower operation is in progress" (ResourceInUseException), which
is waited out with backoff and started again (a new product left in ERROR by it is terminated
and provisioned anew).
"""
from __future__ import annotations

import hashlib
import itertools
from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.aws.paging import provisioned_products
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


BUSY_CODE = "ResourceInUseException"
BUSY_TEXT = "another AWS Control Tower operation is in progress"
"""How Account Factory refuses an operation over its concurrency quota: the record FAILS with
this RecordError (aws-facts §1.4; the emulator's `controltower.factory.BUSY`)."""


def _wait_record(ctx: ApplyContext, record_id: str, what: str) -> dict:
    client = servicecatalog(ctx)

    def read() -> tuple[str, dict | None]:
        described = client.describe_record(Id=record_id)
        detail = described["RecordDetail"]
        if detail["Status"] == "FAILED":
            errors = detail.get("RecordErrors", [])
            text = "; ".join(f"{e.get('Code', 'Error')}: {e.get('Description', '')}" for e in errors)
            if any(e.get("Code") == BUSY_CODE or BUSY_TEXT in e.get("Description", "").lower() for e in errors):
                raise Refused(text)
            raise ApplyFailure(f"{what} FAILED (record {record_id}): {text or 'no error given'}")
        return detail["Status"], described if detail["Status"] == "SUCCEEDED" else None

    return poll(ctx.polling, f"{what} (record {record_id})", deadlines.ACCOUNT_FACTORY, read)


def busy_products(ctx: ApplyContext) -> set[str]:
    """The Account Factory provisioned products UNDER_CHANGE now (of anyone): each holds one of
    its concurrent account operations."""
    products = provisioned_products(servicecatalog(ctx), ctx.live.control_tower.product_id)
    return {p["Id"] for p in products if p["Status"] == "UNDER_CHANGE"}


def _admitted(ctx: ApplyContext, what: str, start: Callable[[int], str]) -> dict:
    """Run an Account Factory operation (start(attempt) -> record id) to its end; one refused
    for Control Tower being busy is started again (attempt 1, 2, ...) after a backoff."""
    attempts = itertools.count()
    return until_admitted(
        ctx.polling, what, deadlines.ACCOUNT_FACTORY_SLOT,
        lambda: _wait_record(ctx, start(next(attempts)), what),
        meanwhile=lambda: busy_products(ctx),
    )


def _account_id(described: dict) -> str | None:
    outputs = {o.get("OutputKey"): o.get("OutputValue") for o in described.get("RecordOutputs", [])}
    return outputs.get("AccountId")


def _provision(ctx: ApplyContext, fields: dict) -> dict:
    name = fields["provisioned_product"]

    def start(attempt: int) -> str:
        if attempt:
            # Refused for being busy, the new product is left in ERROR with its name taken and
            # no account (updating it cannot work): terminate it, then provision anew.
            product = servicecatalog(ctx).describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
            _terminate(ctx, product["Id"], ignore_errors=True)
        return _provision_once(ctx, fields, attempt)

    return _admitted(ctx, f"provisioning {name}", start)


def _provision_once(ctx: ApplyContext, fields: dict, attempt: int) -> str:
    client = servicecatalog(ctx)
    ct = ctx.live.control_tower
    name = fields["provisioned_product"]
    salt = [fields.get("replaces") or "", str(attempt) if attempt else ""]

    def provision() -> dict:
        return client.provision_product(
            ProductId=ct.product_id,
            ProvisioningArtifactId=ct.artifact_id,
            ProvisionedProductName=name,
            ProvisioningParameters=parameters(ctx, fields),
            ProvisionToken=token("provision", fields["email"].lower(), *filter(None, salt)),
        )["RecordDetail"]

    try:
        record = provision()
        if record["Status"] == "FAILED":
            # The token's earlier attempt, replayed (its product since terminated): a fresh one.
            salt.append(record["RecordId"])
            record = provision()
        return record["RecordId"]
    except ClientError as exc:
        if not _name_taken(exc):
            raise
    # An interrupted earlier apply already started it: follow that product's last record,
    # or, if that record was the termination of a failed product, provision once it is gone.
    product = client.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
    last = client.describe_record(Id=product["LastRecordId"])["RecordDetail"]
    if last.get("RecordType") == "TERMINATE_PROVISIONED_PRODUCT" and not attempt:
        _wait_record(ctx, last["RecordId"], f"terminating {product['Id']}")
        return _provision_once(ctx, fields, attempt=1)
    return product["LastRecordId"]


def _name_taken(exc: ClientError) -> bool:
    """AWS answers a taken provisioned-product name with InvalidParametersException "A stack
    named X already exists." (DuplicateResourceException is documented but not what it sends)."""
    code = error_code(exc)
    return code == "DuplicateResourceException" or (
        code == "InvalidParametersException" and "already exists" in str(exc)
    )


def _update(ctx: ApplyContext, change: Change, fields: dict) -> dict:
    product_id = fields["provisioned_product_id"]
    return _admitted(ctx, f"updating {product_id}",
                     lambda attempt: _update_once(ctx, product_id, fields, str(attempt)))


def _update_once(ctx: ApplyContext, product_id: str, fields: dict, attempt: str) -> str:
    ct = ctx.live.control_tower
    record = servicecatalog(ctx).update_provisioned_product(
        ProvisionedProductId=product_id,
        ProductId=ct.product_id,
        ProvisioningArtifactId=ct.artifact_id,
        ProvisioningParameters=parameters(ctx, fields),
        UpdateToken=token("update", product_id, fields["ou"], ctx.fingerprint, *([attempt] if attempt != "0" else [])),
    )["RecordDetail"]
    return record["RecordId"]


def apply_factory_account(change: Change, ctx: ApplyContext) -> str:
    name = change.address.split(":", 1)[1]
    fields = change.after or {}
    if change.action is Action.CREATE or fields.get("enrolled") is True:
        if fields.get("replaces"):
            _terminate(ctx, fields["replaces"], ignore_errors=True)
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
    _terminate(ctx, product_id)
    return f"unmanaged {before['id']} ({product_id})"


def _terminate(ctx: ApplyContext, product_id: str, *, ignore_errors: bool = False) -> None:
    """TerminateProvisionedProduct to its end; `ignore_errors` for a failed product that has no
    account left to unmanage."""

    def start(attempt: int) -> str:
        return servicecatalog(ctx).terminate_provisioned_product(
            ProvisionedProductId=product_id,
            IgnoreErrors=ignore_errors,
            TerminateToken=token("terminate", product_id, *([str(attempt)] if attempt else [])),
        )["RecordDetail"]["RecordId"]

    _admitted(ctx, f"{'terminating' if ignore_errors else 'unmanaging'} {product_id}", start)
