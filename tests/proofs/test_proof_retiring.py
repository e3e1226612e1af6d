"""Retiring an OU in the change that also closes an account in it, or that retires an OU
registered with Control Tower: apply converges, and AWS holds what YAML says (the two cases the
generated proofs found, end to end against the embedded local AWS)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.proofs.generated import LANDING_ZONE, Account, Org, Ou, write_repo
from tests.proofs.readback import dump
from tests.proofs.test_proof_generated import clients_of, converge, emulator
from vending import engine
from vending.model.loader import load

CONTROL = "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER"


def _org(engine: str, *ous: Ou, accounts: tuple[Account, ...] = ()) -> Org:
    fixed = (Ou(("Security",), tags={"purpose": "security"}),
             Ou(("Suspended",), scps=("quarantine-deny-all",), full_aws_access=False))
    members = {name: Account(name, email, ou, "platform@example.com", {"cost-center": "platform"})
               for name, email, ou in LANDING_ZONE}
    members.update({a.name: a for a in accounts})
    return Org(engine, Ou((), defaults={"cost-center": "platform"}),
               {ou.path: ou for ou in fixed + ous}, members)


def test_closing_an_account_that_leaves_a_retired_ou_moves_it_out_first(tmp_path: Path) -> None:
    member = Account("acct-00", "aws+acct-00@example.com", ("Apps",), "owner0@example.com", {})
    a = _org("organizations", Ou(("Apps",)), Ou(("Dev",)), accounts=(member,))
    b = replace(a, ous={**a.ous, ("Apps",): Ou(("Apps",), retired=True)},
                accounts={**a.accounts, "acct-00": replace(member, ou=("Dev",), state="closed")})
    with emulator(tmp_path / ".vend", "organizations") as aws:
        converge(a, tmp_path, aws, allow_destroy=False)
        converge(b, tmp_path, aws, allow_destroy=True)
        state = dump(aws.session())
    assert state["accounts"]["acct-00"]["status"] == "SUSPENDED"
    assert state["accounts"]["acct-00"]["ou"] == "Dev"
    assert "Apps" not in state["ous"]


def test_retiring_a_registered_ou_deregisters_it_before_deleting_it(tmp_path: Path) -> None:
    """Apps (with a control enabled on it) and Apps/Dev are retired, their account moves to
    Prod: the controls and baselines are disabled, the OUs deleted, and the next plan (which
    lists the controls of every registered OU) is empty."""
    member = Account("acct-00", "aws+acct-00@example.com", ("Apps",), "owner0@example.com", {})
    a = _org("control-tower", Ou(("Apps",)), Ou(("Apps", "Dev")), Ou(("Prod",)), accounts=(member,))
    b = replace(a, ous={**a.ous, ("Apps",): Ou(("Apps",), retired=True),
                        ("Apps", "Dev"): Ou(("Apps", "Dev"), retired=True)},
                accounts={**a.accounts, "acct-00": replace(member, ou=("Prod",))})
    with emulator(tmp_path / ".vend", "control-tower") as aws:
        converge(a, tmp_path, aws, allow_destroy=False)
        session = aws.session()
        org, ct = (session.client(s, region_name="us-east-1") for s in ("organizations", "controltower"))
        root = org.list_roots()["Roots"][0]["Id"]
        apps = next(o["Arn"] for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                    if o["Name"] == "Apps")
        started = ct.enable_control(controlIdentifier=CONTROL, targetIdentifier=apps)
        ct.get_control_operation(operationIdentifier=started["operationIdentifier"])
        assert [(c["controlIdentifier"], c["statusSummary"]["status"]) for c in
                ct.list_enabled_controls(targetIdentifier=apps)["enabledControls"]] == [(CONTROL, "SUCCEEDED")]
        converge(b, tmp_path, aws, allow_destroy=True)
        state = dump(session)
        baselines = [b["targetIdentifier"] for b in ct.list_enabled_baselines()["enabledBaselines"]]
        controls = [c["targetIdentifier"] for c in ct.list_enabled_controls()["enabledControls"]]
    assert state["accounts"]["acct-00"]["ou"] == "Prod"
    assert [p for p in state["ous"] if p.startswith("Apps")] == []
    assert "Apps" not in state["registered_ous"] and "Prod" in state["registered_ous"]
    assert apps not in baselines and apps not in controls


def test_a_baseline_left_on_a_deleted_ou_is_a_note_not_a_crash(tmp_path: Path) -> None:
    """An OU deleted outside vend while registered (or by a vend that did not deregister it):
    the plan reads on, and says what is left behind."""
    a = _org("control-tower", Ou(("Apps",)))
    with emulator(tmp_path / ".vend", "control-tower") as aws:
        converge(a, tmp_path, aws, allow_destroy=False)
        session = aws.session()
        org, ct = (session.client(s, region_name="us-east-1") for s in ("organizations", "controltower"))
        root = org.list_roots()["Roots"][0]["Id"]
        apps = next(o for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                    if o["Name"] == "Apps")
        org.delete_organizational_unit(OrganizationalUnitId=apps["Id"])
        left = [b["arn"] for b in ct.list_enabled_baselines()["enabledBaselines"]
                if b["targetIdentifier"] == apps["Arn"]]
        write_repo(replace(a, ous={**a.ous, ("Apps",): Ou(("Apps",), retired=True)}), tmp_path)
        plan = engine.plan(load(tmp_path), clients_of(aws), git_commit=None, target="t")[0]
    assert plan.changes == [] and len(left) == 1
    assert [n.message for n in plan.notes if n.address == f"ou_registration:{apps['Id']}"] == [
        f"AWSControlTowerBaseline {left[0]} is enabled on {apps['Arn']}, which is no longer an OU of"
        " this organization; disable it (DisableBaseline) or re-register the OU in the Control Tower"
        " console"]
