"""Which applier performs which kind of change, and which AWS quota bounds it."""
from __future__ import annotations

from typing import Callable

from vending.apply import account_factory, control_tower
from vending.apply import organizations as orgs
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
}

ACCOUNT_CREATION = "organizations:CreateAccount"
ACCOUNT_CLOSURE = "organizations:CloseAccount"
ACCOUNT_FACTORY = "controltower:account-operation"
OU_OPERATION = "controltower:ou-operation"
CONTROL_OPERATION = "controltower:control-operation"
UNMANAGE = "controltower:unmanage"

ORGANIZATIONS_ACCOUNT_CREATIONS = 5
"""Organizations allows five CreateAccount requests in progress at once (aws-facts §2.1)."""
CONCURRENT_CLOSURES = 3
"""Service Quotas L-6A88197C "Member accounts you can concurrently close" (aws-facts §2.2,
unconfirmed by an AWS page): beyond it CloseAccount fails CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED."""
CONTROL_OPERATIONS = 20
"""Control Tower allows 100 concurrent control operations, console included (aws-facts §1.4);
vend takes a fifth of that so people working in the console are not locked out."""


def limits(settings: OrgSettings) -> dict[str, int]:
    """In-flight bounds per quota, from AWS's documented limits and vend.yaml."""
    return {
        ACCOUNT_CREATION: ORGANIZATIONS_ACCOUNT_CREATIONS,
        ACCOUNT_CLOSURE: CONCURRENT_CLOSURES,
        ACCOUNT_FACTORY: settings.control_tower.account_concurrency,
        OU_OPERATION: 1,  # one OU operation at a time, not adjustable (aws-facts §1.4)
        CONTROL_OPERATION: CONTROL_OPERATIONS,
        UNMANAGE: 1,  # unmanaging must be done one account at a time (aws-facts §1.3)
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
    }.get(change.kind, "")
