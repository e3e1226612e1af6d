"""diff under account_factory: control-tower: registration, controls, Account Factory accounts."""
from __future__ import annotations

from dataclasses import replace

from tests.plan.builders import ACCOUNT_BASELINE, IDENTITY_CENTER, account, control_tower, desired, live, live_account, ou
from vending.model.live import ProvisionedAccount
from vending.plan.build import diff
from vending.plan.changes import Action, Kind

CT = {"account_factory": "control-tower"}
GR = "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER"


def by_address(changes):
    return {c.address: c for c in changes}


def product(name, account_id=None, status="AVAILABLE", email=None, message=""):
    return ProvisionedAccount(f"pp-{name}", name, status, message, account_id, email)


def test_new_ou_is_created_registered_then_vended_into():
    want = desired(ous=[ou("W"), ou("W/Dev")], accounts=[account("app", "W/Dev")], **CT)
    c = by_address(diff(want, control_tower(live()))[0])
    assert c["ou_registration:W"].depends_on == ("ou:W",)
    assert c["ou_registration:W/Dev"].depends_on == ("ou:W/Dev", "ou_registration:W")
    assert c["ou_registration:W/Dev"].after == {
        "ou": "W/Dev", "baseline": ACCOUNT_BASELINE, "version": "4.0", "identity_center_baseline": IDENTITY_CENTER,
    }
    vend = c["account:app"]
    assert (vend.kind, vend.action) == (Kind.FACTORY_ACCOUNT, Action.CREATE)
    assert vend.depends_on == ("ou:W/Dev", "ou_registration:W/Dev")
    assert vend.after == {
        "name": "app", "email": "aws+app@example.com", "ou": "W/Dev", "sso_email": "aws+app@example.com",
        "sso_first_name": "Account", "sso_last_name": "Owner", "provisioned_product": "vend-app",
    }
    assert c["account_tags:app"].depends_on == ("account:app",)


def test_unregistered_existing_ou_and_out_of_band_disabled_control_show_up():
    want = desired(ous=[ou("Dev", controls=("AWS-GR_RESTRICT_ROOT_USER",))], **CT)
    have = control_tower(live(ous=[("ou-dev", "Dev")]))
    c = by_address(diff(want, have)[0])
    assert c["ou_registration:Dev"].action is Action.CREATE
    assert c["control:AWS-GR_RESTRICT_ROOT_USER@Dev"].after == {"control": GR, "ou": "Dev"}
    assert c["control:AWS-GR_RESTRICT_ROOT_USER@Dev"].depends_on == ("ou_registration:Dev",)


def test_controls_removed_from_yaml_are_disabled_and_failed_baselines_reset():
    want = desired(ous=[ou("Dev")], **CT)
    have = control_tower(live(ous=[("ou-dev", "Dev")]), registered=[("ou-dev", "FAILED")], controls=[("ou-dev", GR)])
    c = by_address(diff(want, have)[0])
    assert c["control:AWS-GR_RESTRICT_ROOT_USER@Dev"].action is Action.DELETE
    assert c["ou_registration:Dev"].action is Action.UPDATE
    assert c["ou_registration:Dev"].before["enabled_baseline"] == "arn:eb/ou-dev"


def test_enrolled_account_moves_through_update_provisioned_product_with_all_parameters():
    want = desired(ous=[ou("Dev"), ou("Test")], accounts=[account("app", "Test")], **CT)
    have = control_tower(
        live(ous=[("ou-dev", "Dev"), ("ou-test", "Test")],
             accounts=[live_account("222222222222", "app", "ou-dev", {"owner": "platform"})]),
        registered=["ou-dev", "ou-test"], provisioned=[product("vend-app")])
    (move,), _ = diff(want, have)
    assert (move.kind, move.action) == (Kind.FACTORY_ACCOUNT, Action.MOVE)
    assert move.after["ou"] == "Test" and move.after["provisioned_product_id"] == "pp-vend-app"
    assert set(move.after) >= {"name", "email", "sso_email", "sso_first_name", "sso_last_name"}


def test_adopted_account_found_through_its_product_outputs_needs_nothing():
    want = desired(ous=[ou("Dev")], accounts=[account("app", "Dev")], **CT)
    have = control_tower(
        live(ous=[("ou-dev", "Dev")], accounts=[live_account("222222222222", "app", "ou-dev", {"owner": "platform"})]),
        registered=["ou-dev"], provisioned=[product("Console-Made", account_id="222222222222")])
    assert diff(want, have) == ([], [])


def test_existing_account_not_enrolled_is_enrolled_not_recreated():
    want = desired(ous=[ou("Dev")], accounts=[account("app", "Dev")], **CT)
    have = control_tower(
        live(ous=[("ou-dev", "Dev")], accounts=[live_account("222222222222", "app", "ou-dev", {"owner": "platform"})]),
        registered=["ou-dev"])
    (enroll,), _ = diff(want, have)
    assert (enroll.kind, enroll.action) == (Kind.FACTORY_ACCOUNT, Action.UPDATE)
    assert enroll.after["enrolled"] is True and enroll.before["enrolled"] is False


def test_tainted_product_is_retried_with_what_happened_in_the_reason():
    want = desired(ous=[ou("Dev")], accounts=[account("app", "Dev")], **CT)
    have = control_tower(
        live(ous=[("ou-dev", "Dev")], accounts=[live_account("222222222222", "app", "ou-dev", {"owner": "platform"})]),
        registered=["ou-dev"], provisioned=[product("vend-app", status="TAINTED", message="update rolled back")])
    (retry,), _ = diff(want, have)
    assert retry.action is Action.UPDATE
    assert retry.reason.startswith("provisioned product vend-app is TAINTED (update rolled back)")


def test_a_product_without_an_account_is_replaced_not_updated_forever():
    """Updating a product whose account never existed (or left the organization) fails every
    time ("The account of provisioned product ... no longer exists"): vend replaces it."""
    want = desired(ous=[ou("Dev")], accounts=[account("app", "Dev")], **CT)
    for status in ("ERROR", "TAINTED", "AVAILABLE"):
        have = control_tower(live(ous=[("ou-dev", "Dev")]), registered=["ou-dev"],
                             provisioned=[product("vend-app", status=status, message="not enrolled")])
        c = by_address(diff(want, have)[0])["account:app"]
        assert (c.action, c.after["replaces"], c.destructive) == (Action.CREATE, "pp-vend-app", False)
        assert c.reason == (
            f"provisioned product vend-app is {status} (not enrolled) and no account of this organization"
            " has aws+app@example.com: vend terminates that product and provisions the account again. If"
            " the account was closed or left the organization, AWS will not reuse its email: give"
            " accounts/app.yaml a new email, or delete the file"
        )


def test_an_operation_in_progress_on_an_ou_is_waited_for_by_its_accounts_and_controls():
    want = desired(ous=[ou("Dev", controls=("AWS-GR_RESTRICT_ROOT_USER",)), ou("Dev/Team")],
                   accounts=[account("app", "Dev")], **CT)
    have = control_tower(live(ous=[("ou-dev", "Dev"), ("ou-team", "Dev/Team")]), registered=["ou-dev", "ou-team"])
    ct = have.control_tower
    baselines = tuple(replace(b, status="UNDER_CHANGE", operation="op-1") if b.target.endswith("/ou-dev") else b
                      for b in ct.enabled_baselines)
    have = replace(have, control_tower=replace(ct, enabled_baselines=baselines))
    c = by_address(diff(want, have)[0])
    wait = c["ou_registration:Dev"]
    assert (wait.kind, wait.action, wait.after["operation"]) == (Kind.OU_REGISTRATION, Action.UPDATE, "op-1")
    assert c["account:app"].depends_on == ("ou_registration:Dev",)
    assert c["control:AWS-GR_RESTRICT_ROOT_USER@Dev"].depends_on == ("ou_registration:Dev",)
    assert "ou_registration:Dev/Team" not in c


def test_suspending_unmanages_first_then_quarantines_and_closing_then_closes():
    want = desired(ous=[ou("Dev"), ou("Suspended")],
                   accounts=[account("a", "Dev", state="suspended"), account("b", "Dev", state="closed")], **CT)
    have = control_tower(
        live(ous=[("ou-dev", "Dev"), ("ou-q", "Suspended")], accounts=[
            live_account("222222222222", "a", "ou-dev", {"owner": "platform"}),
            live_account("333333333333", "b", "ou-dev", {"owner": "platform"})]),
        registered=["ou-dev", "ou-q"], provisioned=[product("vend-a"), product("vend-b")])
    c = by_address(diff(want, have)[0])
    assert c["enrollment:a"].destructive and c["enrollment:a"].kind is Kind.ENROLLMENT
    assert (c["account:a"].action, c["account:a"].depends_on) == (Action.MOVE, ("enrollment:a",))
    assert (c["account:b"].action, c["account:b"].depends_on) == (Action.DELETE, ("enrollment:b",))
    assert "account_tags:b" not in c


def test_control_tower_guardrail_scps_are_never_detached():
    from tests.plan.builders import FULL
    from vending.model.live import LivePolicy
    from vending.model.types import SCP

    guardrail = LivePolicy("p-guard", "aws-guardrails-AbCdEf", SCP, "{}")
    have = control_tower(
        live(ous=[("ou-dev", "Dev", {}, {SCP: (FULL.id, "p-guard")})], policies=[guardrail]),
        registered=["ou-dev"])
    assert diff(desired(ous=[ou("Dev")], **CT), have) == ([], [])


def test_guardrail_scps_count_towards_the_five_scp_limit():
    import pytest

    from tests.plan.builders import FULL, policy
    from vending.errors import PlanError
    from vending.model.live import LivePolicy
    from vending.model.types import SCP

    names = ("a", "b", "c", "d")
    guardrail = LivePolicy("p-guard", "aws-guardrails-AbCdEf", SCP, "{}")
    have = control_tower(
        live(ous=[("ou-dev", "Dev", {}, {SCP: (FULL.id, "p-guard")})], policies=[guardrail]),
        registered=["ou-dev"])
    want = desired(ous=[ou("Dev", scps=names)], policies=[policy(n, "{}") for n in names], **CT)
    with pytest.raises(PlanError) as info:
        diff(want, have)
    assert info.value.problems == [
        "ous/Dev/ou.yaml:1: Dev would carry 6 SCPs: the 5 listed plus 1 that Control Tower attached;"
        " AWS allows 5, so list fewer"
    ]
