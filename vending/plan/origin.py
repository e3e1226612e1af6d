"""Which changes a pull request makes: the working tree's plan split against the base's plan.

Both plans are computed from ONE read of the live organization, so they differ only where the
files differ. A change of the working tree's plan is

- "base" when the base's plan has the identical change (same address, kind, action and
  `after`): the base's own files already ask for it. It is pending on the base (merged, not yet
  applied) or drift (someone changed the organization behind vend's back); vend cannot tell
  those apart, since both make the base's files disagree with the organization.
- "pr" otherwise: the files changed since the base ask for it, or ask for it differently.

A change the base's plan has at an address this plan does not touch is "withdrawn": this tree
takes it back (e.g. it deletes a merged but not yet applied account file). Notes (unmanaged
resources, closed accounts) are facts about the organization and are not split.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from vending.plan.changes import Action, Base, Change, Plan

PR, BASE = "pr", "base"


def split(plan: Plan, base_plan: Plan | None, base: Base) -> Plan:
    """`plan` with each change's origin set and `base` recorded. Without a base plan (the base
    could not be planned: `base.problem` says why) every change is the pull request's."""
    if base_plan is None:
        theirs: set[str] = set()
        withdrawn: tuple[str, ...] = ()
    else:
        theirs = {_identity(c) for c in base_plan.changes if c.action is not Action.NOOP}
        ours = {c.address for c in plan.changes if c.action is not Action.NOOP}
        withdrawn = tuple(
            c.address for c in base_plan.changes if c.action is not Action.NOOP and c.address not in ours
        )
    changes = [
        c if c.action is Action.NOOP else replace(c, origin=BASE if _identity(c) in theirs else PR)
        for c in plan.changes
    ]
    return replace(plan, changes=changes, base=replace(base, withdrawn=withdrawn))


def _identity(change: Change) -> str:
    """What makes two changes the same step: where, what, and the state it leads to (not the
    reason or source line, which name the files)."""
    after: Any = change.after
    return json.dumps([change.address, change.kind.value, change.action.value, after], sort_keys=True, default=str)
