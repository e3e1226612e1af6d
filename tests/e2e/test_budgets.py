"""Budgets end to end on the example organization: apply creates one budget per account that
declares one (Workloads/Prod's, data-lake-prod's own override), boto3 reads them back from the
emulator, the next plan is empty; console edits of the amount and a threshold come back as changes
to git in a default plan (two Budgets reads in all and one tag read per budget, no subscriber
read), a subscriber edit only with `--check-subscribers` or vend.yaml `budgets.check_subscribers`,
a change of recipients (or owner) in git by default through the `vend:subscribers:` tags; an
applied alert change leaves exactly git's subscribers either way; `budget: none` deletes, only with --allow-destroy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import without_baselines
from tests.state.small_repo import write
from vending.local import LocalAws


def _budgets(repo: Path) -> dict[str, Any]:
    """account name -> {amount, linked, alerts: {(TYPE, threshold): sorted addresses}}."""
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        org = session.client("organizations")
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        names = {a["Id"]: a["Name"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
        budgets = session.client("budgets", region_name="us-east-1")
        found = {}
        for budget in budgets.describe_budgets(AccountId=management)["Budgets"]:
            alerts = {}
            for n in budgets.describe_notifications_for_budget(AccountId=management,
                                                               BudgetName=budget["BudgetName"])["Notifications"]:
                subs = budgets.describe_subscribers_for_notification(
                    AccountId=management, BudgetName=budget["BudgetName"], Notification=n)["Subscribers"]
                alerts[(n["NotificationType"], n["Threshold"])] = sorted(s["Address"] for s in subs)
            linked = budget["CostFilters"]["LinkedAccount"]
            found[names[linked[0]]] = {"name": budget["BudgetName"], "amount": budget["BudgetLimit"]["Amount"],
                                       "linked": linked, "alerts": alerts}
        return found


def _edit(repo: Path, account: str, call: str, **params: Any) -> None:
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        org = session.client("organizations")
        ids = {a["Name"]: a["Id"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        named = {} if call == "update_budget" else {"BudgetName": f"vend-{ids[account]}"}
        getattr(session.client("budgets", region_name="us-east-1"), call)(AccountId=management, **named, **params)


def _changes(vend, repo: Path) -> dict[str, dict]:
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    return {c["address"]: c for c in json.loads(result.out)["changes"]}


def _notification(kind: str, threshold: float) -> dict[str, Any]:
    return {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": threshold,
            "ThresholdType": "PERCENTAGE"}


def test_apply_creates_the_inherited_and_the_overriding_budget_and_the_next_plan_is_empty(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    found = _budgets(repo)
    assert set(found) == {"payments-prod", "data-lake-prod"}
    prod, lake = found["payments-prod"], found["data-lake-prod"]
    assert prod["name"] == f"vend-{prod['linked'][0]}"
    assert (prod["amount"], prod["alerts"]) == ("2000.0", {
        ("ACTUAL", 80.0): ["payments-team@example.com"], ("FORECASTED", 100.0): ["payments-team@example.com"]})
    assert (lake["amount"], lake["alerts"]) == ("5000.0", {
        ("ACTUAL", 90.0): ["analytics-team@example.com", "finance@example.com"]})
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out


def _subscribe(repo: Path, account: str, kind: str, threshold: float, address: str) -> None:
    _edit(repo, account, "create_subscriber", Notification=_notification(kind, threshold),
          Subscriber={"SubscriptionType": "EMAIL", "Address": address})


def test_console_edits_of_amount_and_threshold_come_back_and_apply_leaves_gits_subscribers(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        management = session.client("organizations").describe_organization()["Organization"]["MasterAccountId"]
        budgets = session.client("budgets", region_name="us-east-1")
        current = next(b for b in budgets.describe_budgets(AccountId=management)["Budgets"]
                       if b["BudgetLimit"]["Amount"] == "2000.0")
    edited = {k: current[k] for k in ("BudgetName", "BudgetType", "TimeUnit", "CostFilters")}
    _edit(repo, "payments-prod", "update_budget",
          NewBudget={**edited, "BudgetLimit": {"Amount": "9999", "Unit": "USD"}})
    _edit(repo, "payments-prod", "update_notification", OldNotification=_notification("ACTUAL", 80),
          NewNotification=_notification("ACTUAL", 85))
    _subscribe(repo, "payments-prod", "ACTUAL", 85, "someone@elsewhere.com")  # on the edited alert: unseen
    _edit(repo, "payments-prod", "delete_subscriber", Notification=_notification("ACTUAL", 85),
          Subscriber={"SubscriptionType": "EMAIL", "Address": "payments-team@example.com"})
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    changes = {c["address"]: c for c in plan["changes"]}
    assert set(changes) == {"budget:payments-prod", "budget_alert:payments-prod/actual-80"}
    amount = changes["budget:payments-prod"]
    assert (amount["action"], amount["before"]["amount"], amount["after"]["amount"]) == ("update", 9999.0, 2000.0)
    threshold = changes["budget_alert:payments-prod/actual-80"]
    assert (threshold["before"]["threshold"], threshold["after"]["threshold"]) == (85.0, 80.0)
    assert "recipients" not in threshold["before"] and "recipients" not in threshold["after"]
    assert threshold["after"]["set_recipients"] == ["payments-team@example.com"]
    assert plan["read_scope"]["budgets"] == {"subscribers": False}
    text = vend(repo, "plan").out
    alert = text[text.index("~ budget_alert:payments-prod/actual-80"):text.index("Notes:")]
    assert "85.0 -> 80.0" in alert and 'set_recipients: ["payments-team@example.com"]' in alert
    assert "~ recipients" not in alert and "+ recipients" not in alert
    assert "subscribers of 3 budget alert(s) were not read" in text and "vend plan --check-subscribers" in text

    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _budgets(repo)["payments-prod"]["alerts"][("ACTUAL", 80.0)] == ["payments-team@example.com"]
    assert vend(repo, "plan", "--detailed-exitcode", "--check-subscribers").code == 0


def test_a_subscriber_edited_in_the_console_comes_back_only_when_subscribers_are_checked(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    _subscribe(repo, "data-lake-prod", "ACTUAL", 90, "someone@elsewhere.com")
    unchecked = vend(repo, "plan", "--detailed-exitcode", "--format", "markdown")
    assert unchecked.code == 0, unchecked.out  # not read, so not a change; the plan says so
    assert "subscribers of 3 budget alert(s) were not read" in unchecked.out
    assert "vend plan --check-subscribers" in unchecked.out

    checked = vend(repo, "plan", "--check-subscribers", "--format", "json")
    plan = json.loads(checked.out)
    assert plan["read_scope"]["budgets"] == {"subscribers": True}
    assert not [n for n in plan["notes"] if n["address"] == "budgets"]
    assert [c["address"] for c in plan["changes"]] == ["budget_alert:data-lake-prod/actual-90"]
    assert plan["changes"][0]["before"]["recipients"] == ["analytics-team@example.com", "finance@example.com",
                                                          "someone@elsewhere.com"]
    saved = repo / "plan.json"
    assert vend(repo, "plan", "--check-subscribers", "--out", str(saved)).code == 0
    assert vend(repo, "apply", str(saved)).code == 0
    assert _budgets(repo)["data-lake-prod"]["alerts"][("ACTUAL", 90.0)] == ["analytics-team@example.com",
                                                                           "finance@example.com"]

    _subscribe(repo, "data-lake-prod", "ACTUAL", 90, "again@elsewhere.com")
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text() + "budgets:\n  check_subscribers: true\n")
    changes = _changes(vend, repo)  # vend.yaml asks for them on every plan
    assert list(changes) == ["budget_alert:data-lake-prod/actual-90"]
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _budgets(repo)["data-lake-prod"]["alerts"][("ACTUAL", 90.0)] == ["analytics-team@example.com",
                                                                           "finance@example.com"]
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_git_adds_and_drops_alerts_and_none_deletes_only_with_allow_destroy(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    lake = repo / "accounts" / "data-lake-prod.yaml"
    lake.write_text(lake.read_text().replace("    - threshold: 90\n", "    - threshold: 50\n      spend: forecasted\n"))
    changes = _changes(vend, repo)
    assert {a: c["action"] for a, c in changes.items()} == {
        "budget_alert:data-lake-prod/forecasted-50": "create", "budget_alert:data-lake-prod/actual-90": "delete"}
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _budgets(repo)["data-lake-prod"]["alerts"] == {
        ("FORECASTED", 50.0): ["analytics-team@example.com", "finance@example.com"]}

    payments = repo / "accounts" / "payments-prod.yaml"
    payments.write_text(payments.read_text() + "budget: none\n")
    changes = _changes(vend, repo)
    assert list(changes) == ["budget:payments-prod"]
    assert (changes["budget:payments-prod"]["action"], changes["budget:payments-prod"]["destructive"]) == ("delete", True)
    refused = vend(repo, "apply", "--auto-approve")
    assert refused.code == 1 and "budget:payments-prod" in refused.err
    assert vend(repo, "apply", "--auto-approve", "--allow-destroy").code == 0
    assert set(_budgets(repo)) == {"data-lake-prod"}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


SMALL = {
    "vend.yaml": ("version: 1\nhome_region: us-east-1\ngoverned_regions: [us-east-1]\n"
                  "account_factory: organizations\ntarget: {kind: local}\nrequired_tags: [owner]\n"
                  "quarantine_ou: Security\n"),
    "ous/ou.yaml": "support: business\n",
    "ous/Security/ou.yaml": ("budget:\n  amount: 300\n  period: quarterly\n  alerts:\n"
                             "    - {threshold: 50, recipients: [owner, sec@example.com]}\n"),
    "ous/Sandbox/ou.yaml": "",
    "accounts/log-archive.yaml": "name: Log Archive\nemail: log-archive@example.com\nou: Security\nowner: logs@example.com\n",
    "accounts/play.yaml": ("name: play\nemail: play@example.com\nou: Sandbox\nowner: kid@example.com\n"
                           "support: none\n"),
}


def test_a_small_repository_applies_its_ou_budget_and_a_saved_plan_goes_stale_on_an_edit(tmp_path, vend) -> None:
    repo = write(tmp_path / "small", SMALL)
    assert vend(repo, "apply", "--auto-approve").code == 0
    found = _budgets(repo)
    assert list(found) == ["Log Archive"]  # the landing zone's account: its email matches
    assert (found["Log Archive"]["amount"], found["Log Archive"]["alerts"]) == (
        "300.0", {("ACTUAL", 50.0): ["logs@example.com", "sec@example.com"]})
    with LocalAws(repo / ".vend") as aws:
        subjects = [c["subject"] for c in aws.session().client("support", region_name="us-east-1").describe_cases()["cases"]]
    assert [s.split(" to the ")[1] for s in subjects] == ["Business Support plan"]  # log-archive; play says none
    assert vend(repo, "plan", "--detailed-exitcode").code == 0

    saved = tmp_path / "plan.json"
    (repo / "ous" / "Security" / "ou.yaml").write_text(SMALL["ous/Security/ou.yaml"].replace("300", "400"))
    assert vend(repo, "plan", "--out", str(saved)).code == 0
    _subscribe(repo, "Log Archive", "ACTUAL", 50, "intruder@example.com")  # not read by this plan: not stale
    _edit(repo, "Log Archive", "update_notification", OldNotification=_notification("ACTUAL", 50),
          NewNotification=_notification("ACTUAL", 55))
    stale = vend(repo, "apply", str(saved))
    assert stale.code == 1 and "plan is stale" in stale.err and "budget vend-" in stale.err

    assert vend(repo, "plan", "--check-subscribers", "--out", str(saved)).code == 0
    assert json.loads(saved.read_text())["read_scope"]["budgets"] == {"subscribers": True}
    _edit(repo, "Log Archive", "delete_subscriber", Notification=_notification("ACTUAL", 55),
          Subscriber={"SubscriptionType": "EMAIL", "Address": "intruder@example.com"})
    stale = vend(repo, "apply", str(saved))  # this plan read the subscribers: a subscriber edit makes it stale
    assert stale.code == 1 and "plan is stale" in stale.err and "budget vend-" in stale.err


def _tags(repo: Path, account: str) -> dict[str, str]:
    """The `vend:subscribers:` tags of the account's budget, as ListTagsForResource answers."""
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        org = session.client("organizations")
        ids = {a["Name"]: a["Id"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        arn = f"arn:aws:budgets::{management}:budget/vend-{ids[account]}"
        tags = session.client("budgets", region_name="us-east-1").list_tags_for_resource(ResourceARN=arn)
        return {t["Key"]: t["Value"] for t in tags["ResourceTags"]}


def test_a_change_of_recipients_in_git_is_planned_by_default_and_applied(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    applied = _tags(repo, "data-lake-prod")
    assert list(applied) == ["vend:subscribers:actual-90"] and len(applied["vend:subscribers:actual-90"]) == 32
    lake = repo / "accounts" / "data-lake-prod.yaml"
    lake.write_text(lake.read_text().replace("[owner, finance@example.com]", "[owner, cfo@example.com]"))
    result = vend(repo, "plan", "--format", "json")
    plan = json.loads(result.out)
    assert plan["read_scope"]["budgets"] == {"subscribers": False}
    assert [c["address"] for c in plan["changes"]] == ["budget_alert:data-lake-prod/actual-90"]
    change = plan["changes"][0]
    before, after = change["before"], change["after"]
    assert before["subscribers_digest"] == applied["vend:subscribers:actual-90"]
    assert after["subscribers_digest"] not in (None, before["subscribers_digest"])
    assert after["set_recipients"] == ["analytics-team@example.com", "cfo@example.com"]
    assert "recipients" not in before and change["action"] == "update"
    assert change["reason"] == ("accounts/data-lake-prod.yaml gives the actual alert at 90% other recipients than"
                                " the ones vend last set (its vend:subscribers tag)")
    text = vend(repo, "plan").out
    assert "~ budget_alert:data-lake-prod/actual-90" in text and "subscribers_digest" in text

    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _budgets(repo)["data-lake-prod"]["alerts"] == {("ACTUAL", 90.0): ["analytics-team@example.com",
                                                                             "cfo@example.com"]}
    assert _tags(repo, "data-lake-prod")["vend:subscribers:actual-90"] == after["subscribers_digest"]
    assert vend(repo, "plan", "--detailed-exitcode").code == 0
    assert vend(repo, "plan", "--detailed-exitcode", "--check-subscribers").code == 0


def test_a_budget_without_the_tag_gets_it_and_an_owner_change_is_planned(tmp_path, vend) -> None:
    repo = write(tmp_path / "small", SMALL)
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:  # as a budget vend created before it tagged them
        session = aws.session()
        management = session.client("organizations").describe_organization()["Organization"]["MasterAccountId"]
        budgets = session.client("budgets", region_name="us-east-1")
        name = budgets.describe_budgets(AccountId=management)["Budgets"][0]["BudgetName"]
        budgets.untag_resource(ResourceARN=f"arn:aws:budgets::{management}:budget/{name}",
                               ResourceTagKeys=["vend:subscribers:actual-50"])
    changes = _changes(vend, repo)
    assert list(changes) == ["budget_alert:Log Archive/actual-50"]
    untagged = changes["budget_alert:Log Archive/actual-50"]
    assert untagged["before"]["subscribers_digest"] is None and untagged["after"]["subscribers_digest"]
    assert "has no vend:subscribers tag" in untagged["reason"]
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _tags(repo, "Log Archive") == {"vend:subscribers:actual-50": untagged["after"]["subscribers_digest"]}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0

    account = repo / "accounts" / "log-archive.yaml"  # recipients say `owner`: a new owner is a new recipient
    account.write_text(account.read_text().replace("owner: logs@example.com", "owner: audit@example.com"))
    changes = _changes(vend, repo)
    alert = changes["budget_alert:Log Archive/actual-50"]
    assert alert["after"]["set_recipients"] == ["audit@example.com", "sec@example.com"]
    saved = tmp_path / "plan.json"
    assert vend(repo, "plan", "--out", str(saved)).code == 0
    with LocalAws(repo / ".vend") as aws:  # the plan's digests cover the tags
        aws.session().client("budgets", region_name="us-east-1").tag_resource(
            ResourceARN=f"arn:aws:budgets::{management}:budget/{name}",
            ResourceTags=[{"Key": "vend:subscribers:actual-50", "Value": "edited"}])
    stale = vend(repo, "apply", str(saved))
    assert stale.code == 1 and "plan is stale" in stale.err and "budget vend-" in stale.err
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert _budgets(repo)["Log Archive"]["alerts"] == {("ACTUAL", 50.0): ["audit@example.com", "sec@example.com"]}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0
