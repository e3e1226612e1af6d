"""Accounts under Control Tower: vended, moved, retried and unmanaged through Account Factory.

Control Tower must create and move its accounts itself: a MoveAccount behind its back leaves
the account's controls and baselines wrong. So an enrolled account moves by
UpdateProvisionedProduct with every parameter re-supplied, a new one is provisioned, and
suspending or closing starts with unmanaging it (TerminateProvisionedProduct).
"""
from __future__ import annotations

from vending.model.live import LiveAccount, ProvisionedAccount
from vending.model.types import AccountSpec, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.account_changes import close, live_ou, move, tag_new_account
from vending.plan.diff_context import DiffContext, where
from vending.plan.diff_control_tower import registration_dependency

PRODUCT_PREFIX = "vend-"
SETTLED = ("AVAILABLE",)
RETRYABLE = ("TAINTED", "ERROR")
IN_FLIGHT = ("UNDER_CHANGE", "PLAN_IN_PROGRESS")


def product_name(spec: AccountSpec) -> str:
    """The stable provisioned-product name vend gives an account: vend-<file stem>."""
    return PRODUCT_PREFIX + spec.source.file.rsplit("/", 1)[-1].removesuffix(".yaml")


def find_product(ctx: DiffContext, spec: AccountSpec, live: LiveAccount | None) -> ProvisionedAccount | None:
    """The account's provisioned product: vend's name for it, else the account's id or email."""
    index = ctx.product_index
    if index is None:
        index = {}
        for product in ctx.live.control_tower.provisioned:
            for key in (product.name, product.account_id, (product.email or "").lower()):
                if key:
                    index.setdefault(key, product)
        ctx.product_index = index
    found = index.get(product_name(spec))
    if found is None and live is not None:
        found = index.get(live.id) or index.get(live.email.lower())
    return found


def _parameters(ctx: DiffContext, spec: AccountSpec) -> dict[str, str]:
    sso = ctx.desired.sso_user(spec)
    return {
        "name": spec.name,
        "email": spec.email,
        "ou": path_str(ctx.desired.placement(spec)),
        "sso_email": sso.email or spec.email,
        "sso_first_name": sso.first_name,
        "sso_last_name": sso.last_name,
    }


def factory_create(ctx: DiffContext, spec: AccountSpec) -> None:
    if ctx.desired.placement(spec) == ():
        ctx.problems.append(
            f"{where(spec.source)}: Account Factory cannot vend an account into the root;"
            " give it an OU registered with Control Tower"
        )
        return
    product = find_product(ctx, spec, None)
    after = {**_parameters(ctx, spec), "provisioned_product": product_name(spec)}
    address = addresses.account(spec.name)
    depends = registration_dependency(ctx, ctx.desired.placement(spec))
    resumed = product is not None and product.status in IN_FLIGHT
    if product is not None and not resumed:
        # An earlier provisioning left a product but no account (it failed before creating one,
        # or its account was closed and left the organization): updating it can never work
        # ("The account of provisioned product ... no longer exists"), so vend replaces it.
        after["replaces"] = product.id
        reason = (
            f"provisioned product {product.name} is {product.status}"
            f" ({product.status_message or 'no message'}) and no account of this organization has"
            f" {spec.email}: vend terminates that product and provisions the account again. If the"
            " account was closed or left the organization, AWS will not reuse its email: give"
            f" {spec.source.file} a new email, or delete the file"
        )
    elif resumed:
        after["in_flight"] = product.id
        reason = (f"provisioning of {product.name} from an earlier apply is still running;"
                  " apply waits for it instead of provisioning again")
    else:
        reason = f"new account in {spec.source.file}, vended through Account Factory in {after['ou']}"
    ctx.add(
        Change(
            address=address,
            kind=Kind.FACTORY_ACCOUNT,
            action=Action.CREATE,
            reason=reason,
            after=after,
            depends_on=depends,
            source=where(spec.source),
        )
    )
    tag_new_account(ctx, spec)


def factory_existing(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> tuple[bool, str | None]:
    """Handles an existing account; returns (handled, address of a change moving it out).

    Not handled (False) leaves the account to the Organizations path: the management account,
    and accounts that are not enrolled and are being suspended or closed.
    """
    product = find_product(ctx, spec, live)
    if live.id == ctx.live.management_account_id:
        return False, None
    if product is None:
        if spec.state != "active":
            return False, None
        return True, _enroll(ctx, spec, live)
    if product.status in IN_FLIGHT:
        ctx.notes.append(
            Note("info", addresses.account(spec.name), f"Account Factory is changing {product.id}"
                 " right now; vend waits for the next plan")
        )
        return True, None
    if spec.state in ("suspended", "closed"):
        return True, _unmanage(ctx, spec, live, product)
    placement = ctx.desired.placement(spec)
    in_place = ctx.matched_live.get(live.parent_id) == placement
    after = {**_parameters(ctx, spec), "id": live.id, "provisioned_product_id": product.id}
    if product.status in RETRYABLE:
        return True, _retry(ctx, spec, product, after, registration_dependency(ctx, placement),
                            f"the account is in {live_ou(ctx, live)}")
    if in_place:
        return True, None
    ctx.add(
        Change(
            address=addresses.account(spec.name),
            kind=Kind.FACTORY_ACCOUNT,
            action=Action.MOVE,
            reason=f"{spec.source.file} places it in {after['ou']}; it is in {live_ou(ctx, live)}"
            " (UpdateProvisionedProduct with the new ManagedOrganizationalUnit)",
            before={**after, "ou": live_ou(ctx, live)},
            after=after,
            depends_on=registration_dependency(ctx, placement),
            source=where(spec.source, "ou"),
        )
    )
    return True, addresses.account(spec.name)


def _retry(ctx, spec, product, after, depends, situation: str) -> str:
    address = addresses.account(spec.name)
    ctx.add(
        Change(
            address=address,
            kind=Kind.FACTORY_ACCOUNT,
            action=Action.UPDATE,
            reason=f"provisioned product {product.name} is {product.status}"
            f" ({product.status_message or 'no message'}); {situation}; vend updates it again with"
            " the same parameters (UpdateProvisionedProduct). If it fails again, fix the cause in"
            " the Service Catalog console, then re-run",
            before={"provisioned_product_id": product.id, "status": product.status},
            after={**after, "provisioned_product_id": product.id},
            depends_on=depends,
            source=where(spec.source),
        )
    )
    return address


def _enroll(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> str:
    address = addresses.account(spec.name)
    params = _parameters(ctx, spec)
    ctx.add(
        Change(
            address=address,
            kind=Kind.FACTORY_ACCOUNT,
            action=Action.UPDATE,
            reason=f"account {live.id} exists but is not enrolled in Control Tower; vend enrolls it"
            f" through Account Factory into {params['ou']}",
            before={"id": live.id, "ou": live_ou(ctx, live), "enrolled": False},
            after={**params, "id": live.id, "enrolled": True, "provisioned_product": product_name(spec)},
            depends_on=registration_dependency(ctx, ctx.desired.placement(spec)),
            source=where(spec.source),
        )
    )
    return address


def _unmanage(ctx: DiffContext, spec: AccountSpec, live: LiveAccount, product: ProvisionedAccount) -> str:
    unenroll = addresses.enrollment(spec.name)
    ctx.add(
        Change(
            address=unenroll,
            kind=Kind.ENROLLMENT,
            action=Action.DELETE,
            reason=f"state: {spec.state} in {spec.source.file}: unmanage it first"
            " (TerminateProvisionedProduct; the account stays, in the root)",
            before={"id": live.id, "provisioned_product_id": product.id, "ou": live_ou(ctx, live)},
            destructive=True,
            source=where(spec.source, "state"),
        )
    )
    # Unmanaged, the account sits in the root; then it is closed or quarantined.
    if spec.state == "closed":
        close(ctx, spec, live, ou="Root", depends=(unenroll,))
    else:
        move(ctx, spec, live, current="Root", depends=(unenroll,))
    return unenroll  # unenrolling is what takes the account out of its OU (into the root)
