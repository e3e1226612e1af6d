""""to destroy" counts exactly what --allow-destroy guards: a detach or a disable is a change."""
from __future__ import annotations

import json

import pytest

from vending import engine
from vending.apply.context import INSTANT
from vending.errors import DestroyNotAllowed
from vending.model.loader import load
from vending.plan.changes import Action, Change, Kind, Plan


def test_a_detach_is_counted_as_a_change_and_applies_without_allow_destroy(example, vend, tmp_path):
    assert vend(example, "apply", "--auto-approve").code == 0
    ou = example / "ous" / "Sandbox" / "ou.yaml"
    ou.write_text(ou.read_text().replace("scps:\n  - deny-unapproved-regions\n", ""))
    saved = tmp_path / "plan.json"
    planned = vend(example, "plan", "--out", str(saved))
    lines = planned.out.splitlines()
    assert lines[-1] == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert "  - detach or disable (a change, not a destroy)" in lines
    assert "  - destroy" not in lines and "destructive change" not in planned.out
    assert json.loads(saved.read_text())["summary"] == {"add": 0, "change": 1, "destroy": 0}
    applied = vend(example, "apply", str(saved))
    assert applied.code == 0, applied.err
    assert "policy_attachment:scp/deny-unapproved-regions@Sandbox: " in applied.err
    assert vend(example, "plan").out.splitlines()[-1] == "No changes. Your organization matches the repository."


def test_summary_counts_destroy_only_for_destructive_changes_and_apply_refuses_exactly_those(example):
    disable = Change("control:Workloads/AWS-GR_X", Kind.CONTROL, Action.DELETE, "not listed", before={"ou": "Workloads"})
    detach = Change("policy_attachment:scp/x@Sandbox", Kind.ATTACHMENT, Action.DELETE, "not listed")
    retire = Change("ou:Sandbox", Kind.OU, Action.DELETE, "retired: true", destructive=True)
    plan = Plan(fingerprint="f", changes=[disable, detach], order=[[disable.address, detach.address]])
    assert plan.summary() == {"add": 0, "change": 2, "destroy": 0}
    settings = load(example).settings
    with pytest.raises(DestroyNotAllowed) as refused:
        engine.prepare_apply(
            Plan(fingerprint="f", changes=[disable, detach, retire], order=[]), None, settings,
            allow_destroy=False, polling=INSTANT,
        )
    assert refused.value.addresses == ["ou:Sandbox"]
    assert Plan(fingerprint="f", changes=[retire], order=[]).summary()["destroy"] == 1
