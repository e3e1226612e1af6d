"""Account settings load into typed specs with the inheritance resolved: OUs from the root down,
deeper wins (per contact type and per group; budget and support whole), the account file last,
`none` clearing what came from above."""
from __future__ import annotations

from pathlib import Path

from tests.model.repo import MakeRepo, account
from vending.model.loader import load, validate
from vending.model.settings_types import NONE, Alert, Budget, Contact

REPO = Path(__file__).resolve().parents[2]

SEC = "  security: {name: Sec, title: Security, email: sec@example.com, phone: '+1 206 555 0100'}\n"
OPS = "  operations: {name: Ops, title: On-call, email: ops@example.com, phone: '555 0199'}\n"
PS = "description: Read only.\nsession_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"


def _repo(make_repo: MakeRepo, app_extra: str = "", child: str = "") -> Path:
    return make_repo({
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\ncontacts:\n" + SEC + OPS
        + "budget:\n  amount: 2000\n  alerts:\n    - {threshold: 80, recipients: [owner]}\n"
        + "access:\n  Developers: [ReadOnly]\n  Operators: [ReadOnly]\nsupport: enterprise\n",
        "ous/Apps/Web/ou.yaml": child or "description: Web.\n",
        "identity/permission-sets/ReadOnly.yaml": PS,
        "accounts/app.yaml": account("app", ou="Apps/Web", extra=app_extra),
    })


def test_an_account_inherits_every_setting_of_its_ous(make_repo: MakeRepo) -> None:
    org = load(_repo(make_repo))
    got = org.account_settings(org.accounts["app"])
    assert got.contacts == {"security": Contact("Sec", "Security", "sec@example.com", "+1 206 555 0100"),
                            "operations": Contact("Ops", "On-call", "ops@example.com", "555 0199")}
    assert got.budget == Budget(amount=2000.0, alerts=(Alert(80.0, ("owner",)),))
    assert got.access == {"Developers": ("ReadOnly",), "Operators": ("ReadOnly",)}
    assert got.support == "enterprise"
    assert org.permission_sets["ReadOnly"].session_duration == "PT8H"


def test_a_deeper_ou_wins_per_contact_type_and_group_and_whole_for_budget(make_repo: MakeRepo) -> None:
    child = ("contacts:\n  security: {name: DPO, title: DPO, email: dpo@example.com, phone: '1'}\n"
             "budget:\n  amount: 50\n  period: annually\n  alerts:\n    - {threshold: 100, spend: forecasted, recipients: [a@example.com]}\n"
             "access:\n  Operators: none\nsupport: business\n")
    org = load(_repo(make_repo, child=child))
    got = org.account_settings(org.accounts["app"])
    assert got.contacts["security"].name == "DPO" and got.contacts["operations"].name == "Ops"
    assert got.budget == Budget(amount=50.0, period="annually", alerts=(Alert(100.0, ("a@example.com",), "forecasted"),))
    assert got.access == {"Developers": ("ReadOnly",)}
    assert got.support == "business"


def test_none_on_the_account_opts_out(make_repo: MakeRepo) -> None:
    org = load(_repo(make_repo, app_extra="contacts: none\nbudget: none\naccess: none\nsupport: none\n"))
    got = org.account_settings(org.accounts["app"])
    assert got.contacts == {"billing": None, "operations": None, "security": None}
    assert (got.budget, got.access, got.support) == (NONE, {}, NONE)


def test_none_for_one_contact_type_and_an_added_one(make_repo: MakeRepo) -> None:
    extra = "contacts:\n  operations: none\n  billing: {name: Bill, title: Finance, email: b@example.com, phone: '2'}\n"
    org = load(_repo(make_repo, app_extra=extra))
    got = org.account_settings(org.accounts["app"]).contacts
    assert got["operations"] is None and got["billing"].name == "Bill" and got["security"].name == "Sec"


def test_an_account_with_no_settings_anywhere_manages_none(make_repo: MakeRepo) -> None:
    org = load(make_repo())
    got = org.account_settings(org.accounts["app"])
    assert (got.contacts, got.budget, got.access, got.support) == ({}, None, None, None)


def test_a_stray_file_under_identity_is_reported(make_repo: MakeRepo) -> None:
    found = validate(make_repo({"identity/groups.yaml": "x: 1\n",
                                "identity/permission-sets/ReadOnly.json": "{}"}))
    assert sorted(f"{d.file}: {d.code}" for d in found) == [
        "identity/groups.yaml: V021", "identity/permission-sets/ReadOnly.json: V021"]


def test_the_example_repository_declares_every_setting() -> None:
    org = load(REPO)
    prod = org.account_settings(org.accounts["payments-prod"])
    regulated = org.account_settings(org.accounts["data-lake-prod"])
    assert sorted(prod.contacts) == ["billing", "operations", "security"]
    assert regulated.contacts["security"].email == "dpo@example.com"
    assert regulated.contacts["operations"] == prod.contacts["operations"]
    assert prod.access == {"Developers": ("ReadOnly",), "Operators": ("PowerUser",)} and prod.support == "enterprise"
    assert org.account_settings(org.accounts["analytics-dev"]).contacts == {}
