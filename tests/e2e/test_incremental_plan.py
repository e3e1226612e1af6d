"""`vend plan` in events mode (issue 12 points 2-3): once a snapshot exists, the plan is the
snapshot brought up to date by the change events since; it shows out-of-band changes exactly as
a full read does, says how it read, and its saved plan applies - or is refused as stale when
what it read has changed since."""
from __future__ import annotations

import json

from tests.e2e.conftest import without_baselines
from vending.local import LocalAws


def _plan(vend, repo, *args):
    result = vend(repo, "plan", "--format", "json", *args)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    data.pop("created_at")
    data.pop("live_digests")  # kept only by a saved plan
    return data.pop("refresh"), data


def test_an_events_plan_shows_a_console_move_and_retag_like_a_full_read_and_applies(example, vend, tmp_path):
    without_baselines(example)
    first = vend(example, "plan")
    assert "  refresh:     full read (no live snapshot yet)\n" in first.out
    with LocalAws(example / ".vend") as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        audit = next(a for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")["Id"]
        source = org.list_parents(ChildId=audit)["Parents"][0]["Id"]
        org.move_account(AccountId=audit, SourceParentId=source, DestinationParentId=root)
        org.tag_resource(ResourceId="123456789012", Tags=[{"Key": "owner", "Value": "someone-else"}])

    saved = tmp_path / "plan.json"
    refresh, events_plan = _plan(vend, example, "--out", str(saved))
    assert refresh["mode"] == "events" and refresh["events"] == 2 and refresh["event_requests"] == 2
    assert refresh["requested"] == "auto" and 0 <= refresh["snapshot_age_seconds"] < 600
    assert "not_reflected_after" not in refresh  # the local AWS delivers events at once
    full_refresh, full_plan = _plan(vend, example, "--refresh=full")
    assert full_refresh == {"mode": "full", "requested": "full", "reason": "--refresh=full"}
    assert events_plan == full_plan
    addresses = {c["address"]: c for c in events_plan["changes"]}
    assert addresses["account:Audit"]["action"] == "move"
    assert addresses["account_tags:Management"]["action"] == "update"

    markdown = vend(example, "show", str(saved), "--format", "markdown").out
    assert " Refresh: events: 2 change event(s) since " in markdown
    applied = vend(example, "apply", str(saved), "--auto-approve")
    assert applied.code == 0, applied.err

    audit_file = example / "accounts" / "audit.yaml"
    audit_file.write_text(audit_file.read_text().replace("security-team@", "audit-team@"))
    again = tmp_path / "again.json"
    refresh, after = _plan(vend, example, "--out", str(again))
    assert refresh["mode"] == "events" and refresh["events"] > 2  # the apply's own calls
    assert [c["address"] for c in after["changes"] if c["action"] != "no-op"] == ["account_tags:Audit"]
    with LocalAws(example / ".vend") as aws:
        aws.session().client("organizations").tag_resource(
            ResourceId="123456789012", Tags=[{"Key": "owner", "Value": "console"}])
    stale = vend(example, "apply", str(again))
    assert stale.code == 1
    assert stale.err.endswith(": account Management (123456789012) changed\n"), stale.err


def test_a_delivery_delay_is_named_in_the_plan_and_a_late_change_is_caught_by_a_full_read(example, vend):
    without_baselines(example)
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "target:\n  kind: local\n  state_dir: .vend\n",
        "target:\n  kind: local\n  state_dir: .vend\n  event_delivery_seconds: 900\n"))
    _, first = _plan(vend, example)
    with LocalAws(example / ".vend") as aws:  # its event shows 15 minutes from now
        aws.session().client("organizations").tag_resource(
            ResourceId="123456789012", Tags=[{"Key": "owner", "Value": "console"}])
    refresh, late = _plan(vend, example)
    assert refresh["mode"] == "events" and refresh["events"] == 0
    assert refresh["not_reflected_after"] < refresh["snapshot_read_at"]
    assert late == first  # the change is not reflected yet, and the plan says so
    text = vend(example, "plan").out
    assert "may not be reflected yet (CloudTrail delivers events late)" in text
    _, full = _plan(vend, example, "--refresh=full")
    tags = {c["address"]: c for c in full["changes"]}["account_tags:Management"]
    assert "console" in json.dumps(tags["before"]) and full["fingerprint"] != late["fingerprint"]


def _delivery_900(example):
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "target:\n  kind: local\n  state_dir: .vend\n",
        "target:\n  kind: local\n  state_dir: .vend\n  event_delivery_seconds: 900\n"))


def test_a_plan_right_after_an_apply_reads_in_full_so_the_apply_is_not_shown_as_pending(example, vend):
    without_baselines(example)
    _delivery_900(example)
    _, first = _plan(vend, example)  # the snapshot: nothing applied yet
    assert [c for c in first["changes"] if c["action"] != "no-op"]
    before_apply = (example / ".vend" / "snapshot.json").read_text()
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    marker = json.loads((example / ".vend" / "last-apply.json").read_text())
    assert marker["format"] == 1 and marker["by"] == "vend apply (local emulator (.vend))", marker
    refresh, after = _plan(vend, example)
    assert refresh["mode"] == "full" and refresh["reason"] == (
        f"vend apply changed the organization at {marker['applied_at'][:19]}Z, after the live snapshot, and"
        " CloudTrail may not have delivered its events yet (it can take 15 minutes)")
    assert not [c for c in after["changes"] if c["action"] != "no-op"]
    assert "No changes." in vend(example, "plan").out
    # Without the marker, the snapshot from before the apply and its (undelivered) events would
    # show the applied Organizations changes as still pending (the other domains read in full).
    (example / ".vend" / "last-apply.json").unlink()
    (example / ".vend" / "snapshot.json").write_text(before_apply)
    refresh, pending = _plan(vend, example)
    assert refresh["mode"] == "events" and refresh["events"] == 0
    still = {c["address"] for c in pending["changes"] if c["action"] != "no-op"}
    assert "account_tags:Audit" in still and still <= {c["address"] for c in first["changes"]}


def test_an_apply_marker_that_cannot_be_written_only_warns(example, vend):
    without_baselines(example)
    (example / ".vend").mkdir(exist_ok=True)
    (example / ".vend" / "last-apply.json").mkdir()  # where the marker's file would go
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete: " in applied.out and ", 0 failed, 0 skipped." in applied.out
    warning = (f"Warning: {example / '.vend' / 'last-apply.json'}: cannot write the apply marker: Is a directory;"
               " make the folder writable; the next incremental plan may show this apply's changes as still"
               " pending until CloudTrail delivers its events: plan with --refresh=full\n")
    assert applied.err.count(warning) == 2, applied.err  # before the first change and at the end
    assert not list((example / ".vend").glob(".last-apply-*"))  # no temporary file left behind
    assert "No changes." in vend(example, "plan").out
