"""When the incremental refresh reads in full instead, and what it says (vending.refresh)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from vending import snapshots
from vending.aws.clients import AwsClients
from vending.errors import SnapshotError
from vending.local import LocalAws
from vending.model.live_snapshot import Snapshot, dumps, scope_of
from vending.model.loader import load
from vending.refresh import Refresh, Stored
from vending.state.cloudtrail import RateLimit
from vending.state.organizations import OrganizationsReader
from tests.state.small_repo import SMALL_REPO, write

EVERY_TAG = lambda path, node_id: True  # noqa: E731


@pytest.fixture
def org(tmp_path):
    settings = load(write(tmp_path / "repo", SMALL_REPO)).settings
    with LocalAws(tmp_path / "state") as local:
        clients = AwsClients(local.session())
        yield settings, clients, local.session().client("organizations")


def _refresh(settings, clients, text, *, mode=None, age=timedelta(0), scope=None, **kwargs):
    live = OrganizationsReader(clients.organizations()).read(EVERY_TAG)
    now = snapshots.now()
    if text is None:
        scope = scope or snapshots.settings_scope(settings)
        text = dumps(Snapshot(now - age, scope_of(live, scope, {}), live))
    refresh = Refresh(mode, settings, clients, [Stored("here", lambda: None if text == "missing" else text)], snapshots.settings_scope(settings),
                      now, delivery_seconds=kwargs.pop("delivery", 0.0), limit=RateLimit(rate=1e6), **kwargs)
    return refresh.read(EVERY_TAG), refresh.info(), live


def test_a_usable_snapshot_is_refreshed_from_its_events(org):
    settings, clients, organizations = org
    read, info, live = _refresh(settings, clients, None, delivery=900)
    assert info["mode"] == "events" and info["events"] == 0 and read == live
    assert info["not_reflected_after"] < info["snapshot_read_at"]


@pytest.mark.parametrize("case, reason", [
    ("full", "--refresh=full"),
    ("none", "no live snapshot yet"),
    ("old", "the live snapshot is 8 days old, older than the maximum of 7 days (--snapshot-max-age)"),
    ("ancient", "the live snapshot is 91 days old, older than CloudTrail's 90 days of events"),
    ("scope", 'the live snapshot here cannot be used: its scope differs: home_region "eu-west-1" in the'
              ' snapshot, "us-east-1" now'),
    ("factory", "Account Factory (Control Tower) changes are not mapped to events yet"),
])
def test_it_reads_in_full_and_says_why(org, case, reason):
    settings, clients, _ = org
    if case == "full":
        read, info, live = _refresh(settings, clients, None, mode="full")
    elif case == "none":
        read, info, live = _refresh(settings, clients, "missing")
    elif case in ("old", "ancient"):
        read, info, live = _refresh(settings, clients, None, age=timedelta(days=8 if case == "old" else 91))
    elif case == "scope":
        read, info, live = _refresh(settings, clients, None,
                                    scope={**snapshots.settings_scope(settings), "home_region": "eu-west-1"})
    else:
        factory = replace(settings, account_factory="control-tower")
        live = OrganizationsReader(clients.organizations()).read(EVERY_TAG)
        now = snapshots.now()
        text = dumps(Snapshot(now, scope_of(live, snapshots.settings_scope(factory), {}), live))
        refresh = Refresh(None, factory, clients, [Stored("here", lambda: text)],
                          snapshots.settings_scope(factory), now, delivery_seconds=0.0)
        read, info = refresh.read(EVERY_TAG), refresh.info()
    assert info["mode"] == "full" and info["reason"] == reason
    assert read == live


def _marker(minutes_ago: float) -> str:
    at = snapshots.now() - timedelta(minutes=minutes_ago)
    return json.dumps({"format": 1, "applied_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "by": "vend apply (local)"})


def _unreadable() -> str:
    raise SnapshotError("s3://vend-lock-1/vend/last-apply.json: cannot read the apply marker: AccessDenied")


@pytest.mark.parametrize("case, snapshot_age, markers, delivery, mode", [
    ("applied after the snapshot", 5, [1], 900, "full"),
    ("newest of two", 5, [300, 1], 900, "full"),
    ("applied within the overlap before it", 5, [10], 900, "full"),  # the overlap covers clock skew
    ("window over", 120, [21], 900, "events"),
    # read 5 minutes ahead (clock skew): the apply is more than the overlap before the snapshot
    ("applied before the snapshot", -5, [16], 900, "events"),
    ("events delivered at once", 5, [1], 0, "events"),
    ("no marker", 5, [], 900, "events"),
])
def test_an_apply_whose_events_may_be_undelivered_is_read_in_full(org, case, snapshot_age, markers, delivery, mode):
    settings, clients, _ = org
    texts = [_marker(m) for m in markers]
    stores = [Stored(f"marker{i}", lambda text=text: text) for i, text in enumerate(texts)]
    read, info, live = _refresh(settings, clients, None, age=timedelta(minutes=snapshot_age), delivery=delivery,
                                markers=stores)
    assert info["mode"] == mode and read == live
    if mode == "full":
        newest = max(json.loads(text)["applied_at"] for text in texts)[:19] + "Z"
        assert info["reason"] == (f"vend apply changed the organization at {newest}, after the live snapshot, and"
                                  " CloudTrail may not have delivered its events yet (it can take 15 minutes)")


@pytest.mark.parametrize("store, reason", [
    (Stored("marker", _unreadable),
     "s3://vend-lock-1/vend/last-apply.json: cannot read the apply marker: AccessDenied"),
    (Stored("marker", lambda: '{"format": 2}'),
     "the apply marker marker cannot be used: format 2, expected 1 (a newer vend wrote it?)"),
    (Stored("marker", lambda: '{"format": 1}'), "the apply marker marker cannot be used: it has no applied_at"),
    (Stored("marker", lambda: "{"), None),
])
def test_an_unreadable_apply_marker_is_read_in_full(org, store, reason):
    settings, clients, _ = org
    read, info, live = _refresh(settings, clients, None, delivery=900, markers=[store])
    assert info["mode"] == "full" and read == live
    assert info["reason"] == reason if reason else info["reason"].startswith("the apply marker marker cannot be used: ")
