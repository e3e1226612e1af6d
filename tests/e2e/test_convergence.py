"""Drift, failures, interruptions and stale plans: every run converges, no account twice."""
from __future__ import annotations

import json
from pathlib import Path

from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load

STATE = ".vend"


def local(repo: Path) -> LocalAws:
    return LocalAws(repo / STATE)


def plan_json(vend, repo: Path) -> dict:
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def accounts_by_email(repo: Path) -> dict[str, int]:
    with local(repo) as aws:
        org = aws.session().client("organizations")
        emails: dict[str, int] = {}
        for page in org.get_paginator("list_accounts").paginate():
            for account in page["Accounts"]:
                emails[account["Email"]] = emails.get(account["Email"], 0) + 1
    return emails


def dependents(plan, address: str) -> set[str]:
    """Every change that waits, directly or through others, on `address`."""
    found: set[str] = set()
    frontier = {address}
    while frontier:
        frontier = {c.address for c in plan.changes if set(c.depends_on) & frontier} - found
        found |= frontier
    return found


def test_out_of_band_move_and_retag_show_up_as_changes_back_to_yaml(example, vend):
    vend(example, "apply", "--auto-approve")
    with local(example) as aws:
        org = aws.session().client("organizations")
        accounts = {a["Name"]: a for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
        account_id = accounts["payments-dev"]["Id"]
        parent = org.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        root = org.list_roots()["Roots"][0]["Id"]
        org.move_account(AccountId=account_id, SourceParentId=parent, DestinationParentId=root)
        org.tag_resource(ResourceId=account_id, Tags=[{"Key": "cost-center", "Value": "hacked"}])
    changes = {c["address"]: c for c in plan_json(vend, example)["changes"]}
    assert set(changes) == {"account:payments-dev", "account_tags:payments-dev"}
    assert changes["account:payments-dev"]["reason"] == (
        "accounts/payments-dev.yaml places it in Workloads/Dev; it is in Root"
    )
    assert changes["account_tags:payments-dev"]["before"]["tags"]["cost-center"] == "hacked"
    assert vend(example, "apply", "--auto-approve").code == 0
    assert plan_json(vend, example)["changes"] == []


def test_failure_mid_apply_skips_only_dependents_and_a_rerun_converges(example):
    desired = load(example)
    with local(example) as aws:
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        aws.faults.fail("MoveAccount", on_call=2, code="ServiceException")
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
        report = engine.apply(plan, ctx, desired.settings)
    failed = report.by_status("failed")
    assert len(failed) == 1 and failed[0].detail.startswith("ServiceException")
    skipped = report.by_status("skipped")
    # exactly what waits on the account: its tags, and the baselines' deploys that reach it
    assert sorted(s.address for s in skipped) == sorted(dependents(plan, failed[0].address))
    assert failed[0].address.replace("account:", "account_tags:") in {s.address for s in skipped}
    assert len(report.by_status("applied")) == len(plan.changes) - 1 - len(skipped)
    with local(example) as aws:
        clients = AwsClients(aws.session())
        retry, live = engine.plan(desired, clients, git_commit=None, target="t")
        by_address = {c.address: c for c in plan.changes}
        # The account exists (at the root, where CreateAccount put it): move and tag it, never create.
        assert sorted((c.address, c.action.value) for c in retry.changes) == sorted(
            [(failed[0].address, "move")] + [(s.address, by_address[s.address].action.value) for s in skipped]
        )
        ctx = engine.prepare_apply(retry, clients, desired.settings, allow_destroy=False, polling=INSTANT)
        assert engine.apply(retry, ctx, desired.settings).ok
        assert engine.plan(desired, clients, git_commit=None, target="t")[0].changes == []
    assert all(count == 1 for count in accounts_by_email(example).values())


def test_an_apply_interrupted_during_create_account_resumes_without_a_duplicate(example, vend):
    vend(example, "apply", "--auto-approve")
    (example / "accounts" / "new-team.yaml").write_text(
        "name: new-team\nemail: aws+new-team@example.com\nou: Sandbox\nowner: team@example.com\n"
        "tags:\n  cost-center: sandbox\n  environment: sandbox\n"
    )
    # An apply that sent CreateAccount, then died. Every Organizations read lets time pass for
    # a creation: make it take longer than the plan's reads, as AWS's minute does.
    with LocalAws(example / STATE, create_account_polls=100) as aws:
        aws.session().client("organizations").create_account(
            Email="aws+new-team@example.com", AccountName="new-team"
        )
    plan = plan_json(vend, example)
    create = next(c for c in plan["changes"] if c["address"] == "account:new-team")
    assert create["after"]["pending_request"].startswith("car-")
    assert "still in progress" in create["reason"]
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    assert accounts_by_email(example)["aws+new-team@example.com"] == 1
    assert plan_json(vend, example)["changes"] == []


def test_a_saved_plan_is_refused_once_the_organization_changed(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    with local(example) as aws:
        org = aws.session().client("organizations")
        org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"], Name="Console")
    result = vend(example, "apply", str(saved))
    assert result.code == 1
    assert result.err.startswith("Error: plan is stale, run vend plan again")


def test_a_saved_plan_is_applied_exactly(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    # The repository changes after the plan was reviewed; apply still does what was reviewed.
    (example / "accounts" / "sandbox-bob.yaml").unlink()
    result = vend(example, "apply", str(saved))
    assert result.code == 0, result.err
    assert "aws+sandbox-bob@example.com" in accounts_by_email(example) or any(
        "sandbox-bob" in e for e in accounts_by_email(example)
    )


def test_closing_needs_allow_destroy(example, vend, tmp_path):
    vend(example, "apply", "--auto-approve")
    path = example / "accounts" / "sandbox-alice.yaml"
    path.write_text(path.read_text() + "state: closed\n")
    saved = tmp_path / "plan.json"
    planned = vend(example, "plan", "--out", str(saved))
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in planned.out
    refused = vend(example, "apply", str(saved))
    assert refused.code == 1
    assert refused.err.strip() == (
        "Error: the plan destroys account:sandbox-alice; pass --allow-destroy to apply it"
    )
    assert vend(example, "apply", str(saved), "--allow-destroy").code == 0
    assert plan_json(vend, example)["changes"] == []


def test_renaming_an_ou_renames_it_in_place_and_accounts_below_stay(example, vend):
    import shutil

    vend(example, "apply", "--auto-approve")
    shutil.move(example / "ous" / "Workloads", example / "ous" / "Apps")
    ou_file = example / "ous" / "Apps" / "ou.yaml"
    ou_file.write_text(ou_file.read_text() + "renamed_from: Workloads\n")
    for path in (example / "accounts").glob("*.yaml"):
        path.write_text(path.read_text().replace("ou: Workloads/", "ou: Apps/"))
    path = example / "accounts" / "payments-dev.yaml"
    path.write_text(path.read_text().replace("ou: Apps/Dev", "ou: Apps/Test"))
    changes = {c["address"]: c for c in plan_json(vend, example)["changes"]}
    assert changes["ou:Apps"]["action"] == "update"
    assert changes["account:payments-dev"]["depends_on"] == ["ou:Apps"]
    assert {a for a, c in changes.items() if c["action"] == "move"} == {"account:payments-dev"}
    assert vend(example, "apply", "--auto-approve").code == 0
    assert plan_json(vend, example)["changes"] == []


def test_ou_tags_set_by_hand_on_an_ou_without_a_tags_key_are_left_alone(example, vend, tmp_path):
    vend(example, "apply", "--auto-approve")
    with local(example) as aws:
        org = aws.session().client("organizations")
        sandbox = next(o for o in org.list_organizational_units_for_parent(
            ParentId=org.list_roots()["Roots"][0]["Id"])["OrganizationalUnits"] if o["Name"] == "Sandbox")
        org.tag_resource(ResourceId=sandbox["Id"], Tags=[{"Key": "by-hand", "Value": "yes"}])
    assert "\ntags:" not in (example / "ous" / "Sandbox" / "ou.yaml").read_text()
    assert plan_json(vend, example)["changes"] == []
    # A saved plan reads the same tags again at apply time, so it is not stale.
    path = example / "accounts" / "sandbox-bob.yaml"
    path.write_text(path.read_text().replace("owner: ", "owner: new-"))
    saved = tmp_path / "plan.json"
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in vend(example, "plan", "--out", str(saved)).out
    assert vend(example, "apply", str(saved)).code == 0
