"""How `vend plan --base` plans render: the split, the base facts, and the comment limit."""
from __future__ import annotations

import re
from dataclasses import replace

from vending.plan.changes import Action, Base, Change, Kind, Plan
from vending.render import render_markdown, render_text
from vending.render.markdown import GITHUB_COMMENT_LIMIT

COMMIT = "4623b90a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"


def _plan(accounts: int, files: int = 1, **base: object) -> dict:
    changes = [
        Change(f"account:team-{i:05d}", Kind.ACCOUNT, Action.CREATE, f"declared in accounts/team-{i:05d}.yaml",
               after={"name": f"team-{i:05d}", "ou": "Workloads/Dev"}, source=f"accounts/team-{i:05d}.yaml:1",
               origin="pr" if i % 2 else "base")
        for i in range(accounts)
    ]
    facts = Base(ref="origin/main", commit=COMMIT, merge_base=COMMIT,
                 changed_files=tuple(f"accounts/team-{i:05d}.yaml" for i in range(files)))
    plan = Plan(fingerprint="f" * 64, changes=changes, order=[[c.address for c in changes]],
                base=replace(facts, **base))  # type: ignore[arg-type]
    return Plan.loads(plan.dumps()).to_json()


def test_a_huge_split_plan_fits_one_comment_with_its_first_heading_above_its_rows() -> None:
    md = render_markdown(_plan(3000, files=300))
    assert len(md) <= GITHUB_COMMENT_LIMIT
    assert "Base origin/main (4623b90), 300 files changed since: `accounts/team-00000.yaml`," in md
    assert "`accounts/team-00019.yaml` and 280 more.\n" in md
    heading = md.index("#### This pull request (the files changed since origin/main): 1500 to add")
    assert heading < md.index("| create | `account:team-00001` |")
    listed = len(re.findall(r"^\| create \|", md, flags=re.MULTILINE))
    more = re.search(r"(\d+) more changes not listed", md)
    assert more and listed + int(more.group(1)) == 3000


def test_every_group_keeps_its_own_table() -> None:
    md = render_markdown(_plan(4))
    pr, base = md.split("#### ")[1:3]
    assert pr.startswith("This pull request (the files changed since origin/main): 2 to add, 0 to change,"
                         " 0 to destroy\n\n| Action | Address | Reason |\n| --- | --- | --- |\n")
    assert "team-00001" in pr and "team-00003" in pr and "team-00000" not in pr
    assert base.startswith("Already pending on origin/main, or drift (origin/main's own files ask for these too)")
    assert "team-00000" in base and "team-00002" in base


def test_a_base_problem_and_a_withdrawn_change_are_said_in_both_formats() -> None:
    data = _plan(2, problem="origin/main's files do not validate (1 problem(s); first: vend.yaml:1: V001)",
                 withdrawn=("account:old",))
    text = render_text(data)
    assert ("origin/main's files do not validate (1 problem(s); first: vend.yaml:1: V001); every change is"
            " shown as this pull request's.\n") in text
    assert "pending on origin/main (they are in its plan, not in this one):\n  - account:old\n" in text
    md = render_markdown(data)
    assert "> [!NOTE]\n> origin/main's files do not validate" in md
    assert "This pull request takes back 1 change pending on `origin/main`: `account:old`.\n" in md


def test_a_plan_without_base_has_no_origin_keys() -> None:
    plan = Plan(fingerprint="f", changes=[Change("ou:A", Kind.OU, Action.CREATE, "r")], order=[["ou:A"]])
    data = plan.to_json()
    assert "base" not in data and "origin" not in data["changes"][0]
    assert "This pull request" not in render_text(data)
