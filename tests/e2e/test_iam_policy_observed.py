"""Every AWS call of `vend plan`, `vend rehearse plan.json` and `vend apply plan.json` is allowed
by `vend iam-policy`.

The example organization is planned, applied and planned again, through the Organizations and
the Account Factory engines, with an action observer on every client vend makes; each call seen
must be allowed by the generated policy of the role that command runs as in the pipeline (plan
and rehearse: the read-only role, apply: the apply role).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import pytest

import vending.target
from vending.aws.clients import AwsClients
from vending.iam_policy.document import policy
from vending.iam_policy.operations import NO_PERMISSION, iam_action
from vending.model.loader import load


def denied(document: dict[str, Any], seen: set[str]) -> set[str]:
    """The calls in `seen` that no statement of the policy allows (by action)."""
    allowed = {action for statement in document["Statement"] for action in statement["Action"]}
    return {op for op in seen if iam_action(op) not in allowed and op not in NO_PERMISSION}


class Observed:
    """The `service:Operation`s vend called, by the phase it was in."""

    def __init__(self) -> None:
        self.phase = "?"
        self.calls: dict[str, set[str]] = {}

    def __call__(self, operation: str) -> None:
        self.calls.setdefault(self.phase, set()).add(operation)


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> Observed:
    """Every client the CLI connects with reports its calls here."""
    seen = Observed()
    monkeypatch.setattr(vending.target, "AwsClients", functools.partial(AwsClients, action_observers=(seen,)))
    return seen


@pytest.mark.parametrize("factory", ["organizations", "control-tower"])
def test_plan_and_apply_call_only_what_their_policies_allow(
        example: Path, vend: Callable[..., Any], observed: Observed, factory: str) -> None:
    settings_file = example / "vend.yaml"
    settings_file.write_text(settings_file.read_text().replace(
        "account_factory: organizations", f"account_factory: {factory}"))
    settings = load(example).settings
    for phase, args in (("plan", ["plan", "--out", str(example / "plan.json")]),
                        ("rehearse", ["rehearse", str(example / "plan.json")]),
                        ("apply", ["apply", str(example / "plan.json")]),
                        ("replan", ["plan", "--detailed-exitcode"])):
        observed.phase = phase
        result = vend(example, *args)
        assert result.code == 0, result.err
    assert "No changes." in result.out
    assert denied(policy("plan", settings), observed.calls["plan"] | observed.calls["replan"]) == set()
    # The whole read, and only the live one (the plan's look at the apply lock aside).
    assert observed.calls["rehearse"] >= observed.calls["plan"] - {"s3:GetObject", "sts:GetCallerIdentity"}
    assert denied(policy("plan", settings), observed.calls["rehearse"]) == set()
    assert denied(policy("apply", settings), observed.calls["apply"]) == set()
    # The apply role is needed: the plan role alone would refuse the apply's writes.
    assert "organizations:CreateOrganizationalUnit" in denied(policy("plan", settings), observed.calls["apply"])
    assert {op.split(":")[0] for op in observed.calls["apply"]} >= {"organizations", "cloudformation", "s3"}


def test_a_call_the_policy_lacks_is_found(example: Path) -> None:
    """The check above fails for a call outside the registry (here ListChildren, which no
    reader or applier of vend makes)."""
    from vending.local import LocalAws

    seen: set[str] = set()
    with LocalAws(example / ".vend") as local:
        clients = AwsClients(local.session(), action_observers=(seen.add,)).reader()
        root = clients.organizations().list_roots()["Roots"][0]["Id"]
        clients.organizations().list_children(ParentId=root, ChildType="ACCOUNT")
    assert seen == {"organizations:ListRoots", "organizations:ListChildren"}
    assert denied(policy("plan", load(example).settings), seen) == {"organizations:ListChildren"}
