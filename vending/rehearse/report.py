"""The rehearsal as text: what was copied, what the emulator refused, the end state's plan.

A refusal is shown as AWS answered it, `address: Operation -> Code: message`, the message
verbatim, so it can be searched for in AWS's documentation; a failure that was not an AWS error
(a wait that reached its deadline, a failed Account Factory record) is shown with vend's own
message. Pure: the CLI prints the string.
"""
from __future__ import annotations

from vending.apply.executor import Outcome
from vending.rehearse.copy import NOT_COPIED
from vending.rehearse.copy_control_tower import NOT_COPIED as TOWER_NOT_COPIED
from vending.rehearse.copy_stacksets import NOT_COPIED as STACKS_NOT_COPIED
from vending.rehearse.run import Rehearsal
from vending.render import render


def render_rehearsal(rehearsal: Rehearsal, plan_name: str) -> str:
    copied, report = rehearsal.copied, rehearsal.report
    refused, skipped = rehearsal.refused(), report.by_status("skipped")
    applied = len(report.by_status("applied"))
    lines = [
        f"Rehearsed {plan_name} ({rehearsal.plan.fingerprint[:19]}) on a scratch copy of"
        f" {rehearsal.source}: {copied.ous} OU(s), {copied.accounts} account(s), {copied.policies}"
        f" policy(ies), {copied.attachments} attachment(s)"
        + (", StackSets trusted access" if copied.trusted_access else "")
        + (f", {copied.stack_sets} stack set(s) with {copied.stack_instances} instance(s)" if copied.stack_sets else "")
        + (", the Control Tower landing zone and its Account Factory" if copied.control_tower else "")
        + ".",
        f"Applied {applied} of {len(report.outcomes)} change(s); {len(refused)} refused,"
        f" {len(skipped)} skipped.",
    ]
    if refused:
        lines += ["", "Refused by the emulator, as AWS answers:"]
        lines += [f"  {_refusal(outcome)}" for outcome in refused]
    if skipped:
        lines += ["", "Skipped (a change they depend on was refused):"]
        lines += [f"  {outcome.address}" for outcome in skipped]
    lines += ["", "Plan of the rehearsed end state:", render(rehearsal.end_plan.to_json(), "text").rstrip("\n")]
    not_copied = [*NOT_COPIED, *([STACKS_NOT_COPIED] if copied.stack_sets else []),
                  *([TOWER_NOT_COPIED] if copied.control_tower else [])]
    lines += ["", "Not rehearsed: " + "; ".join(not_copied) + "."]
    return "\n".join(lines) + "\n"


def _refusal(outcome: Outcome) -> str:
    if outcome.aws_error is None:
        return f"{outcome.address}: {outcome.detail}"
    operation, code, message = outcome.aws_error
    return f"{outcome.address}: {operation} -> {code}: {message}"
