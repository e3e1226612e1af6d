"""Which applier performs which kind of change, and which AWS quota bounds it."""
from __future__ import annotations

from typing import Callable

from vending.apply import organizations as orgs
from vending.apply.context import ApplyContext
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
}

ACCOUNT_CREATION = "organizations:CreateAccount"
ORGANIZATIONS_LIMITS = {ACCOUNT_CREATION: 5}
"""Organizations allows five CreateAccount requests in progress at once (aws-facts §2.1)."""


def applier_for(change: Change) -> Applier:
    return APPLIERS[change.kind]


def limit_key(change: Change) -> str:
    """The quota a change counts against ("" for none beyond the global bound)."""
    if change.kind is Kind.ACCOUNT and change.action is Action.CREATE:
        return ACCOUNT_CREATION
    return ""
