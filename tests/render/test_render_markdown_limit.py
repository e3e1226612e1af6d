"""A plan for thousands of accounts must still fit in one GitHub comment."""
from __future__ import annotations

import re

from vending.plan.changes import Action, Change, Kind, Note, Plan
from vending.render import render_markdown
from vending.render.markdown import GITHUB_COMMENT_LIMIT


def _big_plan(accounts: int, unmanaged: int = 0) -> dict:
    changes = [
        Change(f"account:team-{i:05d}", Kind.ACCOUNT, Action.CREATE, f"declared in accounts/team-{i:05d}.yaml",
               after={"email": f"aws+team-{i:05d}@example.com", "name": f"team-{i:05d}", "ou": "Workloads/Dev",
                      "tags": {"owner": f"team-{i}", "cost-center": "cc-1"}},
               source=f"accounts/team-{i:05d}.yaml:1")
        for i in range(accounts)
    ]
    notes = [Note("unmanaged", f"account:stray-{i}", "no file under accounts/") for i in range(unmanaged)]
    return Plan(fingerprint="f" * 64, changes=changes, order=[[c.address for c in changes]], notes=notes).to_json()


def test_small_plan_is_not_truncated() -> None:
    md = render_markdown(_big_plan(5))
    assert md.count("<details>") == 5
    assert "omitted" not in md


def test_big_plan_fits_github_limit() -> None:
    md = render_markdown(_big_plan(3000, unmanaged=50))
    assert len(md) <= GITHUB_COMMENT_LIMIT
    assert md.startswith("### vend plan: 3000 to add, 0 to change, 0 to destroy")
    shown = md.count("<details>")
    match = re.search(r"Details of (\d+) of 3000 changes omitted", md)
    assert match and shown + int(match.group(1)) == 3000
    assert "JSON plan artifact" in md
    listed = len(re.findall(r"^\| create \|", md, flags=re.MULTILINE))
    more = re.search(r"(\d+) more changes not listed", md)
    assert more and listed + int(more.group(1)) == 3000
    assert "#### Not managed by vend (left untouched)" in md
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_details_dropped_before_table_rows() -> None:
    md = render_markdown(_big_plan(200))
    assert len(md) <= GITHUB_COMMENT_LIMIT
    assert md.count("| create |") == 200
    assert 0 < md.count("<details>") < 200


def test_every_limit_is_respected() -> None:
    data = _big_plan(100, unmanaged=100)
    for limit in (4_000, 10_000, 20_000, 40_000):
        md = render_markdown(data, limit=limit)
        assert len(md) <= limit, limit
        assert "omitted" in md
