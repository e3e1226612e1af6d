"""`vend plan --base REF` on the embedded organization and a git repository made for the test:
the pull request's changes kept apart from those pending on the base or drift."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import git
import pytest

from tests.e2e.conftest import without_baselines

from vending.local import LocalAws

NEW_ACCOUNT = (
    "name: analytics-prod\nemail: aws+analytics-prod@example.com\nou: Workloads/Prod\n"
    "owner: analytics-team@example.com\ntags:\n  cost-center: analytics\n  application: analytics\n"
    "network:\n  us-east-1: 10.0.32.0/20\n  eu-west-1: 10.8.32.0/20\n"
)
# What that account's file asks for: the account, its tags, and the settings Workloads/Prod gives
# every account below it (contacts, budget, Identity Center access, support enrollment).
NEW_ACCOUNT_CHANGES = [
    "account:analytics-prod", "account_assignment:analytics-prod/Developers/ReadOnly",
    "account_assignment:analytics-prod/Operators/PowerUser", "account_tags:analytics-prod",
    "alternate_contact:analytics-prod/operations", "alternate_contact:analytics-prod/security",
    "budget:analytics-prod", "support_case:analytics-prod",
]


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    repo.git.commit("-m", message)
    return repo.head.commit.hexsha


def _retag(repo_dir: Path, value: str) -> None:
    path = repo_dir / "accounts" / "analytics-test.yaml"
    path.write_text(re.sub(r"application: \S+\n", f"application: {value}\n", path.read_text()))


@pytest.fixture
def applied(example, vend) -> git.Repo:
    """The example in git on `main`, applied to the local organization (without its baselines:
    these tests are about the split, and a new account's per-account rows would add stack set
    changes to every expectation)."""
    without_baselines(example)
    (example / ".gitignore").write_text(".vend/\n")
    repo = git.Repo.init(example, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "test").set_value("user", "email", "test@example.com")
    _commit(repo, "the example")
    result = vend(example, "apply", "--auto-approve")
    assert result.code == 0, result.err
    return repo


def _origins(plan: dict) -> dict[str, str]:
    return {c["address"]: c.get("origin") for c in plan["changes"] if c["action"] != "no-op"}


def test_changes_are_split_into_the_pull_requests_and_those_pending_on_the_base(example, vend, applied):
    _retag(example, "analytics2")
    main = _commit(applied, "main: retag analytics-test, not applied yet")
    applied.git.checkout("-b", "feature")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    result = vend(example, "plan", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["base"] == {
        "ref": "main", "commit": main, "merge_base": main, "changed_files": ["accounts/analytics-prod.yaml"],
        "withdrawn": [], "problem": None,
    }
    assert _origins(plan) == {**dict.fromkeys(NEW_ACCOUNT_CHANGES, "pr"), "account_tags:analytics-test": "base"}

    text = vend(example, "plan", "--base", "main").out
    assert f"  base:        main ({main[:7]}), 1 file changed since\n                 accounts/analytics-prod.yaml\n" in text
    pr_at = text.index("This pull request (the files changed since main): 7 to add, 1 to change, 0 to destroy:\n")
    base_at = text.index("Already pending on main, or drift (main's own files ask for these too):"
                         " 0 to add, 1 to change, 0 to destroy:\n")
    assert pr_at < text.index("  + account:analytics-prod\n") < base_at < text.index("  ~ account_tags:analytics-test\n")
    assert text.endswith("Plan: 7 to add, 2 to change, 0 to destroy.\n")

    markdown = vend(example, "plan", "--base", "main", "--format", "markdown").out
    assert f"Base main ({main[:7]}), 1 file changed since: `accounts/analytics-prod.yaml`.\n" in markdown
    tables = markdown.split("#### ")
    assert tables[1].startswith("This pull request (the files changed since main): 7 to add, 1 to change")
    assert "| create | `account:analytics-prod` |" in tables[1] and "analytics-test" not in tables[1]
    assert tables[2].startswith("Already pending on main, or drift")
    assert "| update | `account_tags:analytics-test` |" in tables[2]


def test_drift_in_the_organization_is_not_the_pull_requests(example, vend, applied):
    with LocalAws(example / ".vend") as aws:
        org = aws.session().client("organizations")
        account = next(a for a in org.list_accounts()["Accounts"] if a["Name"] == "analytics-test")
        org.tag_resource(ResourceId=account["Id"], Tags=[{"Key": "cost-center", "Value": "hacked"}])
    applied.git.checkout("-b", "feature")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    plan = json.loads(vend(example, "plan", "--base", "main", "--format", "json").out)
    assert _origins(plan)["account_tags:analytics-test"] == "base"
    assert _origins(plan)["account:analytics-prod"] == "pr"


def test_a_pull_request_that_changes_or_takes_back_a_pending_change_owns_it(example, vend, applied):
    _retag(example, "analytics2")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    _commit(applied, "main: retag, and a new account, neither applied")
    applied.git.checkout("-b", "feature")
    _retag(example, "analytics3")
    (example / "accounts" / "analytics-prod.yaml").unlink()
    _commit(applied, "feature: another tag, and no new account after all")
    plan = json.loads(vend(example, "plan", "--base", "main", "--format", "json").out)
    assert _origins(plan) == {"account_tags:analytics-test": "pr"}
    assert plan["base"]["withdrawn"] == NEW_ACCOUNT_CHANGES
    assert plan["base"]["changed_files"] == ["accounts/analytics-prod.yaml", "accounts/analytics-test.yaml"]
    text = vend(example, "plan", "--base", "main").out
    assert ("This pull request takes back changes pending on main (they are in its plan, not in this one):\n"
            + "".join(f"  - {address}\n" for address in NEW_ACCOUNT_CHANGES)) in text


def test_a_saved_plan_keeps_the_split_and_applies(example, vend, applied, tmp_path):
    applied.git.checkout("-b", "feature")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--base", "main", "--out", str(saved), "--format", "json").code == 0
    assert vend(example, "show", str(saved), "--format", "json").out == saved.read_text()
    assert "This pull request (the files changed since main)" in vend(example, "show", str(saved)).out
    result = vend(example, "apply", str(saved))
    assert result.code == 0, result.err
    assert result.out.endswith("Apply complete: 8 applied, 0 failed, 0 skipped.\n")  # one per change


def test_a_base_that_cannot_be_planned_is_reported_and_every_change_is_the_pull_requests(example, vend, applied):
    (example / "accounts" / "analytics-test.yaml").write_text("name: analytics-test\nemail: nope\n")
    _commit(applied, "main: a broken file")
    applied.git.checkout("-b", "fix")
    applied.git.checkout("HEAD~1", "--", "accounts/analytics-test.yaml")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    plan = json.loads(vend(example, "plan", "--base", "main", "--format", "json").out)
    assert plan["base"]["problem"].startswith("main's files do not validate (")
    assert "first: accounts/analytics-test.yaml:" in plan["base"]["problem"]
    assert set(_origins(plan).values()) == {"pr"}
    text = vend(example, "plan", "--base", "main").out
    assert "; every change is shown as this pull request's.\n" in text


def test_a_branch_behind_its_base_says_the_split_is_approximate(example, vend, applied):
    fork = applied.head.commit.hexsha
    applied.git.checkout("-b", "feature")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    _commit(applied, "feature: a new account")
    applied.git.checkout("main")
    _retag(example, "analytics2")
    _commit(applied, "main moves on")
    applied.git.checkout("feature")
    plan = json.loads(vend(example, "plan", "--base", "main", "--format", "json").out)
    assert plan["base"]["merge_base"] == fork
    assert plan["base"]["changed_files"] == ["accounts/analytics-prod.yaml"]
    assert _origins(plan) == dict.fromkeys(NEW_ACCOUNT_CHANGES, "pr")
    assert plan["base"]["withdrawn"] == ["account_tags:analytics-test"]
    text = vend(example, "plan", "--base", "main").out
    assert (f"This branch does not contain main's latest commits (it forked at {fork[:7]}): what main"
            " changed since shows as this pull request's; merge or rebase main for an exact split.\n") in text


def test_a_shallow_ci_clone_plans_against_the_fetched_base(example, vend, applied, tmp_path):
    applied.git.checkout("-b", "feature")
    (example / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    _commit(applied, "feature: a new account")
    clone_dir = tmp_path / "ci"
    clone = git.Repo.clone_from(f"file://{example}", clone_dir, depth=1, branch="feature")
    clone.git.fetch("--depth", "1", "origin", "main:refs/remotes/origin/main")
    assert clone.git.rev_parse("--is-shallow-repository") == "true"
    shutil.copytree(example / ".vend", clone_dir / ".vend")  # the same organization
    plan = json.loads(vend(clone_dir, "plan", "--base", "origin/main", "--format", "json").out)
    assert plan["base"]["merge_base"] is None
    assert plan["base"]["commit"] == applied.commit("main").hexsha
    assert plan["base"]["changed_files"] == ["accounts/analytics-prod.yaml"]
    assert _origins(plan) == dict.fromkeys(NEW_ACCOUNT_CHANGES, "pr")
    text = vend(clone_dir, "plan", "--base", "origin/main").out
    assert ("This clone does not have the commit this branch forked from origin/main at: the changed"
            " files are those that differ from origin/main.\n") in text


def test_an_unknown_base_is_one_clear_message(example, vend, applied):
    result = vend(example, "plan", "--base", "origin/mian")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "Error: --base origin/mian: no such commit in this repository; check the name, or fetch it"
        " first (in a shallow CI clone: git fetch --depth 1 origin <branch>, then --base origin/<branch>)\n"
    )


def test_base_outside_git_is_one_clear_message(example, vend):
    result = vend(example, "plan", "--base", "main")
    assert result.code == 1
    assert result.err == f"Error: --base main: {example} is not in a git repository; --base compares git commits\n"


def test_a_repository_in_a_subfolder_of_git(example, vend, tmp_path):
    top = tmp_path / "monorepo"
    (top / "docs").mkdir(parents=True)
    (top / "docs" / "guide.txt").write_text("not vend's\n")
    (top / ".gitignore").write_text(".vend/\n")
    repo = git.Repo.init(top, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "test").set_value("user", "email", "test@example.com")
    _commit(repo, "before vend")
    org = top / "org"
    shutil.copytree(example, org)
    plan = json.loads(vend(org, "plan", "--base", "main", "--format", "json").out)
    assert plan["base"]["problem"] == "--base main: the base has no folder org"
    assert set(_origins(plan).values()) == {"pr"}
    assert "accounts/audit.yaml" in plan["base"]["changed_files"]

    _commit(repo, "vend")
    repo.git.checkout("-b", "feature")
    (org / "accounts" / "analytics-prod.yaml").write_text(NEW_ACCOUNT)
    (top / "docs" / "guide.txt").write_text("changed, still not vend's\n")
    plan = json.loads(vend(org, "plan", "--base", "main", "--format", "json").out)
    assert plan["base"]["problem"] is None
    assert plan["base"]["changed_files"] == ["accounts/analytics-prod.yaml"]
    assert _origins(plan)["account:analytics-prod"] == "pr"
    assert _origins(plan)["ou:Workloads"] == "base"


def test_a_pull_request_that_asks_for_nothing_new_says_so(example, vend, applied):
    _retag(example, "analytics2")
    _commit(applied, "main: retag, not applied")
    applied.git.checkout("-b", "docs")
    (example / "NOTES.md").write_text("vend does not read this\n")
    plan = json.loads(vend(example, "plan", "--base", "main", "--format", "json").out)
    assert plan["base"]["changed_files"] == []
    assert _origins(plan) == {"account_tags:analytics-test": "base"}
    text = vend(example, "plan", "--base", "main").out
    assert ("The files this pull request changes ask for nothing new: every change below is pending on main,"
            " or drift.\n") in text
    assert "This pull request (the files" not in text
