"""diff(desired, live): each kind of change, its dependencies, and what is left alone."""
from __future__ import annotations

import pytest

from tests.plan.builders import ROOT_ID, account, desired, live, live_account, ou, policy
from vending.errors import PlanError
from vending.model.live import LivePolicy, PendingCreation
from vending.model.policy_json import canonical
from vending.model.types import SCP, TAG_POLICY
from vending.plan.build import build_plan, diff
from vending.plan.changes import Action


def by_address(changes):
    return {c.address: c for c in changes}


def test_empty_org_creates_ous_parents_first_and_accounts_after_their_ou():
    want = desired(
        ous=[ou("Workloads"), ou("Workloads/Dev"), ou("Suspended")],
        accounts=[account("payments-dev", "Workloads/Dev", tags={"env": "dev"})],
    )
    changes, notes = diff(want, live())
    c = by_address(changes)
    assert c["ou:Workloads/Dev"].depends_on == ("ou:Workloads",)
    assert c["ou:Workloads"].depends_on == ()
    assert c["account:payments-dev"].action is Action.CREATE
    assert c["account:payments-dev"].depends_on == ("ou:Workloads/Dev",)
    assert c["account:payments-dev"].after == {
        "name": "payments-dev", "email": "aws+payments-dev@example.com", "ou": "Workloads/Dev"
    }
    assert c["account_tags:payments-dev"].depends_on == ("account:payments-dev",)
    assert c["account_tags:payments-dev"].after == {"tags": {"env": "dev", "owner": "platform"}}
    assert notes == []


def test_nothing_to_do_when_live_matches():
    want = desired(ous=[ou("Dev")], accounts=[account("a", "Dev")])
    have = live(ous=[("ou-1", "Dev")], accounts=[live_account("222222222222", "a", "ou-1", {"owner": "platform"})])
    assert diff(want, have) == ([], [])


def test_move_and_tag_change_are_field_level():
    want = desired(ous=[ou("Dev"), ou("Test")], accounts=[account("a", "Test", tags={"env": "test"})])
    have = live(
        ous=[("ou-dev", "Dev"), ("ou-test", "Test")],
        accounts=[live_account("222222222222", "a", "ou-dev", {"owner": "platform", "env": "dev", "old": "x"})],
    )
    changes, _ = diff(want, have)
    c = by_address(changes)
    assert set(c) == {"account:a", "account_tags:a"}
    move = c["account:a"]
    assert move.action is Action.MOVE
    assert move.before == {"id": "222222222222", "ou": "Dev"}
    assert move.after == {"id": "222222222222", "ou": "Test"}
    assert move.reason == "accounts/a.yaml places it in Test; it is in Dev"
    tags = c["account_tags:a"]
    assert tags.before["tags"] == {"env": "dev", "old": "x", "owner": "platform"}
    assert tags.after["tags"] == {"env": "test", "owner": "platform"}


def test_inherited_default_tags_reach_accounts_and_own_tags_win():
    want = desired(
        ous=[ou("W", default_account_tags={"env": "any", "cc": "1"}), ou("W/Dev", default_account_tags={"env": "dev"})],
        accounts=[account("a", "W/Dev", tags={"cc": "2"})],
        root=ou("", default_account_tags={"org": "acme"}),
    )
    assert want.account_tags(want.accounts["a"]) == {"org": "acme", "env": "dev", "cc": "2", "owner": "platform"}


def test_suspended_account_moves_to_quarantine_ou():
    want = desired(ous=[ou("Dev"), ou("Suspended")], accounts=[account("a", "Dev", state="suspended")])
    have = live(ous=[("ou-dev", "Dev"), ("ou-q", "Suspended")],
                accounts=[live_account("222222222222", "a", "ou-dev", {"owner": "platform"})])
    (move,), _ = diff(want, have)
    assert move.after["ou"] == "Suspended"
    assert move.reason == "state: suspended in accounts/a.yaml: quarantine in Suspended"


def test_closed_account_is_a_destructive_delete_and_closed_ones_are_left_alone():
    want = desired(ous=[ou("Dev")], accounts=[account("a", "Dev", state="closed"), account("b", "Dev", state="closed")])
    have = live(ous=[("ou-dev", "Dev")], accounts=[
        live_account("222222222222", "a", "ou-dev"),
        live_account("333333333333", "b", "ou-dev", status="SUSPENDED"),
    ])
    (close,), notes = diff(want, have)
    assert (close.address, close.action, close.destructive) == ("account:a", Action.DELETE, True)
    assert notes == []


def test_account_closed_in_aws_but_active_in_yaml_is_a_warning_not_a_change():
    want = desired(ous=[ou("Dev")], accounts=[account("a", "Dev")])
    have = live(ous=[("ou-dev", "Dev")], accounts=[live_account("222222222222", "a", "ou-dev", status="SUSPENDED")])
    changes, (note,) = diff(want, have)
    assert changes == []
    assert note.kind == "warning" and "reopened through AWS Support" in note.message


def test_unmanaged_ous_and_accounts_are_notes_never_changes():
    want = desired(ous=[ou("Dev")])
    have = live(ous=[("ou-dev", "Dev"), ("ou-x", "Legacy")], accounts=[live_account("444444444444", "old", "ou-x")])
    changes, notes = diff(want, have)
    assert changes == []
    assert [(n.kind, n.address) for n in notes] == [("unmanaged", "ou:Legacy"), ("unmanaged", "account:old")]


def test_rename_only_when_declared():
    have = live(ous=[("ou-1", "Old")])
    (rename,), _ = diff(desired(ous=[ou("New", renamed_from="Old")]), have)
    assert (rename.action, rename.before, rename.after) == (
        Action.UPDATE, {"id": "ou-1", "name": "Old"}, {"id": "ou-1", "name": "New"}
    )
    changes, notes = diff(desired(ous=[ou("New")]), have)
    assert [c.action for c in changes] == [Action.CREATE]
    assert [n.address for n in notes] == ["ou:Old"]


def test_retired_ou_is_deleted_after_its_accounts_move_out_and_children_go_first():
    want = desired(
        ous=[ou("Old", retired=True), ou("Old/Child", retired=True), ou("New")],
        accounts=[account("a", "New")],
    )
    have = live(ous=[("ou-old", "Old"), ("ou-child", "Old/Child"), ("ou-new", "New")],
                accounts=[live_account("222222222222", "a", "ou-old", {"owner": "platform"})])
    changes, _ = diff(want, have)
    c = by_address(changes)
    assert c["ou:Old"].action is Action.DELETE and c["ou:Old"].destructive
    assert c["ou:Old"].depends_on == ("account:a", "ou:Old/Child")
    assert c["ou:Old/Child"].depends_on == ()


def test_retired_ou_that_still_holds_an_account_is_a_plan_error():
    want = desired(ous=[ou("Old", retired=True)])
    have = live(ous=[("ou-old", "Old")], accounts=[live_account("222222222222", "x", "ou-old")])
    with pytest.raises(PlanError) as info:
        diff(want, have)
    assert info.value.problems == [
        "ous/Old/ou.yaml:1: OU Old is retired but still holds account x (222222222222);"
        " move them out in YAML (or retire child OUs too) before deleting it"
    ]


def test_policy_json_formatting_is_not_a_change():
    doc = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'
    live_doc = LivePolicy("p-1", "deny", SCP, canonical('{"Statement":[{"Resource":"*","Action":"*","Effect":"Deny"}],"Version":"2012-10-17"}'))
    want = desired(policies=[policy("deny", doc)])
    assert diff(want, live(policies=[live_doc])) == ([], [])


def test_new_tag_policy_enables_the_type_before_create_and_attach():
    want = desired(ous=[ou("Dev", tag_policies=("cc",))], policies=[policy("cc", '{"tags": {}}', TAG_POLICY)])
    have = live(ous=[("ou-dev", "Dev")])
    c = by_address(diff(want, have)[0])
    assert c["policy_type:TAG_POLICY"].after == {"root_id": ROOT_ID, "enabled": True}
    assert c["policy:tag/cc"].depends_on == ("policy_type:TAG_POLICY",)
    assert c["policy_attachment:tag/cc@Dev"].depends_on == ("policy_type:TAG_POLICY", "policy:tag/cc")


def test_replacing_full_aws_access_attaches_first_then_detaches():
    want = desired(ous=[ou("Dev", scps=("allow", "extra"), full_aws_access=False)],
                   policies=[policy("allow", "{}"), policy("extra", "{}")])
    have = live(ous=[("ou-dev", "Dev")], policies=[
        LivePolicy("p-a", "allow", SCP, "{}"), LivePolicy("p-e", "extra", SCP, "{}")])
    c = by_address(diff(want, have)[0])
    detach = c["policy_attachment:scp/FullAWSAccess@Dev"]
    assert detach.action is Action.DELETE
    assert detach.depends_on == ("policy_attachment:scp/allow@Dev",)
    assert c["policy_attachment:scp/extra@Dev"].depends_on == ("policy_attachment:scp/FullAWSAccess@Dev",)


def test_detach_before_attach_keeps_a_target_within_five_scps():
    names = ("a", "b", "c", "d")
    want = desired(ous=[ou("Dev", scps=("e",))], policies=[policy(n, "{}") for n in (*names, "e")])
    live_policies = [LivePolicy(f"p-{n}", n, SCP, "{}") for n in (*names, "e")]
    attached = {SCP: tuple(sorted(["p-FullAWSAccess"] + [f"p-{n}" for n in names]))}
    have = live(ous=[("ou-dev", "Dev", {}, attached)], policies=live_policies)
    c = by_address(diff(want, have)[0])
    assert set(c["policy_attachment:scp/e@Dev"].depends_on) == {f"policy_attachment:scp/{n}@Dev" for n in names}


def test_interrupted_creation_is_resumed_not_repeated():
    want = desired(ous=[ou("Dev")], accounts=[account("a", "Dev")])
    have = live(ous=[("ou-dev", "Dev")], pending=[PendingCreation("car-123", "a")])
    c = by_address(diff(want, have)[0])
    assert c["account:a"].after["pending_request"] == "car-123"


def test_account_found_by_email_at_root_after_a_failed_move_is_moved_not_created():
    want = desired(ous=[ou("Dev")], accounts=[account("a", "Dev")])
    have = live(ous=[("ou-dev", "Dev")], accounts=[live_account("222222222222", "a", ROOT_ID, {"owner": "platform"})])
    (move,), _ = diff(want, have)
    assert (move.action, move.before["ou"], move.after["ou"]) == (Action.MOVE, "Root", "Dev")


def test_plan_orders_changes_by_generation_and_fingerprints_live_state():
    have = live()
    plan = build_plan(desired(ous=[ou("A"), ou("A/B")], accounts=[account("x", "A/B")]), have)
    assert plan.order == [["ou:A"], ["ou:A/B"], ["account:x"], ["account_tags:x"]]
    assert plan.fingerprint == have.fingerprint()
    assert plan.summary() == {"add": 3, "change": 1, "destroy": 0}


def test_changes_below_a_renamed_ou_wait_for_the_rename():
    want = desired(ous=[ou("New", renamed_from="Old"), ou("New/Team")], accounts=[account("a", "New/Team")])
    have = live(ous=[("ou-1", "Old"), ("ou-2", "Old/Team")], accounts=[live_account("222222222222", "a", "ou-1", {"owner": "platform"})])
    c = by_address(diff(want, have)[0])
    assert c["account:a"].depends_on == ("ou:New",)


def test_ou_tags_are_managed_only_where_yaml_has_a_tags_key():
    have = live(ous=[("ou-1", "Dev", {"by-hand": "x"}), ("ou-2", "Test", {"by-hand": "y"})])
    want = desired(ous=[ou("Dev"), ou("Test", tags={})])
    (change,), _ = diff(want, have)
    assert (change.address, change.before["tags"], change.after["tags"]) == ("ou_tags:Test", {"by-hand": "y"}, {})


def test_the_plan_records_which_tags_it_read():
    from dataclasses import replace

    have = live(ous=[("ou-1", "Dev", {"k": "v"}), ("ou-2", "Test")])
    have = replace(have, ous={**have.ous, "ou-2": replace(have.ous["ou-2"], tags=None)})
    plan = build_plan(desired(ous=[ou("Dev", tags={"k": "v"}), ou("Test")]), have)
    assert plan.ou_tags_read == sorted([ROOT_ID, "ou-1"])
