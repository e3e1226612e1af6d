"""Which applier performs which kind of change, and which AWS quota bounds it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vending.apply import account_factory, budgets, catalog, catalog_portfolios, catalog_products, catalog_shares
from vending.apply import contacts, control_tower, deadlines, identity, licenses, marketplace, stacksets, support
from vending.apply import organizations as orgs
from vending.apply.accounts import in_progress
from vending.apply.context import ApplyContext
from vending.model.types import OrgSettings
from vending.plan.changes import Action, Change, Kind

Applier = Callable[[Change, ApplyContext], str]

APPLIERS: dict[Kind, Applier] = {
    Kind.POLICY_TYPE: orgs.apply_policy_type,
    Kind.POLICY: orgs.apply_policy,
    Kind.OU: orgs.apply_ou,
    Kind.OU_TAGS: orgs.apply_ou_tags,
    Kind.ATTACHMENT: orgs.apply_attachment,
    Kind.ACCOUNT: orgs.apply_account,
    Kind.ACCOUNT_TAGS: orgs.apply_account_tags,
    Kind.OU_REGISTRATION: control_tower.apply_registration,
    Kind.CONTROL: control_tower.apply_control,
    Kind.FACTORY_ACCOUNT: account_factory.apply_factory_account,
    Kind.ENROLLMENT: account_factory.apply_enrollment,
    Kind.STACKSETS_ACCESS: stacksets.apply_access,
    Kind.STACK_SET: stacksets.apply_stack_set,
    Kind.STACK_INSTANCES: stacksets.apply_stack_instances,
    Kind.ACCOUNT_ACCESS: contacts.apply_access,
    Kind.CONTACT: contacts.apply_contact,
    Kind.TAG_OPTION: catalog.apply_tag_option,
    Kind.BUDGET: budgets.apply_budget,
    Kind.BUDGET_ALERT: budgets.apply_alert,
    Kind.SUPPORT_CASE: support.apply_support_case,
    Kind.CATALOG_PRODUCT: catalog_products.apply_product,
    Kind.PRODUCT_VERSION: catalog_products.apply_version,
    Kind.PORTFOLIO: catalog_portfolios.apply_portfolio,
    Kind.CATALOG_CONSTRAINT: catalog_portfolios.apply_constraint,
    Kind.CATALOG_ORG_ACCESS: catalog_shares.apply_org_access,
    Kind.PORTFOLIO_SHARE: catalog_shares.apply_share,
    Kind.PERMISSION_SET: identity.apply_permission_set,
    Kind.PERMISSION_SET_PROVISIONING: identity.apply_provisioning,
    Kind.ACCOUNT_ASSIGNMENT: identity.apply_assignment,
    Kind.LICENSE_MANAGER_ORG: licenses.apply_integration,
    Kind.LICENSE_GRANT: licenses.apply_grant,
    Kind.MARKETPLACE_ACCESS: marketplace.apply_access,
    Kind.MARKETPLACE_ROLE: marketplace.apply_service_role,
    **{kind: marketplace.apply_experience_change for kind in (
        Kind.MARKETPLACE_EXPERIENCE, Kind.MARKETPLACE_POLICY, Kind.MARKETPLACE_PRODUCTS, Kind.MARKETPLACE_BRANDING,
        Kind.MARKETPLACE_AUDIENCE, Kind.MARKETPLACE_STATUS)},
}

ACCOUNT_CREATION = "organizations:CreateAccount"
ACCOUNT_CLOSURE = "organizations:CloseAccount"
ACCOUNT_FACTORY = "controltower:account-operation"
OU_OPERATION = "controltower:ou-operation"
CONTROL_OPERATION = "controltower:control-operation"
UNMANAGE = "controltower:unmanage"
CONTACT_WRITES = "account:alternate-contact-writes"
ASSIGNMENT_OPERATIONS = "sso:account-assignment-operations"

ORGANIZATIONS_ACCOUNT_CREATIONS = 5
"""Organizations allows five CreateAccount requests in progress at once (aws-facts §2.1)."""
CONCURRENT_CLOSURES = 3
"""Service Quotas L-6A88197C "Member accounts you can concurrently close" (aws-facts §2.2,
unconfirmed by an AWS page): beyond it CloseAccount fails CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED."""
CONTROL_OPERATIONS = 20
"""Control Tower allows 100 concurrent control operations, console included (aws-facts §1.4);
vend takes a fifth of that so people working in the console are not locked out."""
CONCURRENT_CONTACT_WRITES = 2
"""Account Management throttles DeleteAlternateContact at 1/s (burst 6) and PutAlternateContact at
5/s (burst 8, unconfirmed; aws-facts §9.4): two writes in flight stay under both."""

OUTSTANDING_ASSIGNMENTS = 10
"""IAM Identity Center: at most 10 asynchronous CreateAccountAssignment calls outstanding, not
adjustable (archived SSO quota page, aws-facts §11.4; a newer page may say 15)."""


def limits(settings: OrgSettings) -> dict[str, int]:
    """In-flight bounds per quota, from AWS's documented limits and vend.yaml."""
    return {
        ACCOUNT_CREATION: ORGANIZATIONS_ACCOUNT_CREATIONS,
        ACCOUNT_CLOSURE: CONCURRENT_CLOSURES,
        ACCOUNT_FACTORY: settings.control_tower.account_concurrency,
        OU_OPERATION: 1,  # one OU operation at a time, not adjustable (aws-facts §1.4)
        CONTROL_OPERATION: CONTROL_OPERATIONS,
        UNMANAGE: 1,  # unmanaging must be done one account at a time (aws-facts §1.3)
        CONTACT_WRITES: CONCURRENT_CONTACT_WRITES,
        ASSIGNMENT_OPERATIONS: OUTSTANDING_ASSIGNMENTS,
    }


def applier_for(change: Change) -> Applier:
    return APPLIERS[change.kind]


def limit_key(change: Change) -> str:
    """The quota a change counts against ("" for none beyond the global bound)."""
    if change.kind is Kind.ACCOUNT and change.action is Action.CREATE:
        return ACCOUNT_CREATION
    if change.kind is Kind.ACCOUNT and change.action is Action.DELETE:
        return ACCOUNT_CLOSURE
    return {
        Kind.FACTORY_ACCOUNT: ACCOUNT_FACTORY,
        Kind.OU_REGISTRATION: OU_OPERATION,
        Kind.CONTROL: CONTROL_OPERATION,
        Kind.ENROLLMENT: UNMANAGE,
        Kind.CONTACT: CONTACT_WRITES,
        Kind.ACCOUNT_ASSIGNMENT: ASSIGNMENT_OPERATIONS,
    }.get(change.kind, "")


@dataclass(frozen=True)
class Hold:
    """Operations the plan saw in progress in AWS (an interrupted apply, the console, another
    tool): each takes one slot of its quota until it ends, or until the change resuming it
    starts (which then holds the slot itself)."""

    ids: frozenset[str]
    still_running: Callable[[], set[str]]
    """Reads AWS: which of `ids` are still in progress."""
    deadline: float
    """How long the executor keeps the slots; after it, the appliers' own backoff decides."""


def holds(ctx: ApplyContext) -> dict[str, Hold]:
    """What is in flight in AWS at the start of the apply, per quota key. StackSets operations
    hold no slot: one binds only its own stack set, whose changes the plan chains one after the
    other, and the appliers wait for the operation a change names as `in_flight` themselves."""
    live = ctx.live
    found = {
        ACCOUNT_CREATION: Hold(
            frozenset(p.request_id for p in live.pending_creations),
            lambda: in_progress(ctx), deadlines.ACCOUNT_CREATION_SLOT,
        )
    }
    ct = live.control_tower
    if ct is not None:
        found[ACCOUNT_FACTORY] = Hold(
            frozenset(p.id for p in ct.provisioned if p.status in ("UNDER_CHANGE", "PLAN_IN_PROGRESS")),
            lambda: account_factory.busy_products(ctx), deadlines.ACCOUNT_FACTORY_SLOT,
        )
        found[OU_OPERATION] = Hold(
            frozenset(b.operation for b in ct.enabled_baselines if b.operation),
            lambda: {op for op, status in control_tower.ou_operations(ctx).items() if status == "IN_PROGRESS"},
            deadlines.OU_OPERATION_SLOT,
        )
    return {key: hold for key, hold in found.items() if hold.ids}


def takes_over(change: Change) -> str | None:
    """The in-flight AWS operation a change resumes (waits for) instead of starting one."""
    fields = change.after or {}
    return fields.get("pending_request") or fields.get("in_flight") or fields.get("operation")
