"""`vend plan` keeps the live state it read (issue 12 point 1): `.vend/snapshot.json` always,
and with `--publish-snapshot` an S3 object next to the apply lock; a snapshot whose format,
organization or scope does not match is refused with the reason."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from tests.e2e.conftest import without_baselines
from vending.local import LocalAws
from vending.model.live_codec import decode_live, encode
from vending.model.live_snapshot import FORMAT_VERSION, Snapshot, dumps, parse
from vending.model.loader import load

BUCKET, KEY = "vend-lock-123456789012", "vend/live-snapshot.json"


def _read(repo):
    return json.loads((repo / ".vend" / "snapshot.json").read_text())


def test_plan_writes_the_live_state_it_read_and_its_scope(example, vend):
    before = datetime.now(timezone.utc)
    result = vend(example, "plan", "--out", str(example / "plan.json"))
    assert result.code == 0, result.err
    document = _read(example)
    saved_plan = json.loads((example / "plan.json").read_text())
    assert document["kind"] == "vend-live-snapshot" and document["format_version"] == FORMAT_VERSION
    read_at = datetime.fromisoformat(document["read_at"])
    assert before <= read_at <= datetime.now(timezone.utc)
    assert document["fingerprint"] == saved_plan["fingerprint"]  # the very state the plan used
    live = decode_live(document["live"])
    assert live.fingerprint() == saved_plan["fingerprint"]
    assert live.baselines is not None and live.contacts is not None  # the domains it declares
    assert document["scope"]["read"] == saved_plan["read_scope"]
    assert document["scope"]["organization"] == live.org_id
    assert document["scope"]["account_factory"] == load(example).settings.account_factory
    assert document["written_by"] == "vend plan (local emulator (.vend))"
    assert "Published" not in result.err
    with LocalAws(example / ".vend") as aws:  # nothing published without --publish-snapshot
        listed = aws.session().client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])
        assert KEY not in [o["Key"] for o in listed]


def test_publish_snapshot_writes_the_object_next_to_the_apply_lock(example, vend):
    result = vend(example, "plan", "--publish-snapshot")
    assert result.code == 0, result.err
    assert f"Published the live snapshot to s3://{BUCKET}/{KEY}" in result.err
    with LocalAws(example / ".vend") as aws:
        body = aws.session().client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert json.loads(body) == _read(example)


def test_a_snapshot_is_refused_with_the_reason_when_it_does_not_match(example, vend):
    without_baselines(example)
    assert vend(example, "plan").code == 0
    text = (example / ".vend" / "snapshot.json").read_text()
    document = json.loads(text)
    scope = document["scope"]
    snapshot, reason = parse(text, scope)
    assert reason == "" and snapshot is not None
    assert dumps(snapshot) == text  # stable: what is read is what is written

    assert parse(text, {**scope, "organization": "o-other"}) == (
        None, 'its scope differs: organization "%s" in the snapshot, "o-other" now'
        % scope["organization"])
    assert parse(text, {**scope, "read": {**scope["read"], "baselines": True}}) == (
        None, "its scope differs: read baselines differently")
    newer = json.dumps({**document, "format_version": FORMAT_VERSION + 1})
    assert parse(newer, scope) == (
        None, f"written in snapshot format {FORMAT_VERSION + 1}, this vend reads format {FORMAT_VERSION}")
    assert parse("{", scope)[1].startswith("not JSON")
    assert parse(json.dumps({"kind": "other"}), scope) == (None, "not a vend live snapshot")
    tampered = json.loads(text)
    first = next(iter(tampered["live"]["accounts"]))
    tampered["live"]["accounts"][first]["name"] = "Renamed"
    assert parse(json.dumps(tampered), scope) == (
        None, "damaged (its live state does not match its fingerprint)")
    tampered["live"]["accounts"][first]["colour"] = "red"
    assert parse(json.dumps(tampered), scope)[1] == (
        "damaged (ValueError: LiveAccount: unknown field(s) colour)")


def test_the_codec_round_trips_every_live_type(example, vend):
    assert vend(example, "apply", "--auto-approve").code == 0
    assert vend(example, "plan").code == 0
    live = decode_live(_read(example)["live"])
    assert live.baselines.stack_sets and any(s.instances for s in live.baselines.stack_sets.values())
    assert live.contacts.contacts and live.policies
    assert decode_live(json.loads(json.dumps(encode(live)))) == live
    assert isinstance(live.root.path, tuple) and all(
        isinstance(ou.path, tuple) for ou in live.ous.values())
    snapshot = Snapshot(datetime(2026, 12, 1, tzinfo=timezone.utc), {"x": 1}, live)
    assert parse(dumps(snapshot), {"x": 1})[0] == snapshot
