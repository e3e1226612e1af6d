"""How a plan read the organization (`refresh`), in text and Markdown; JSON keeps it as is."""
from __future__ import annotations

from tests.render.plans import empty_with_unmanaged
from vending.plan.changes import Plan
from vending.render import render

EVENTS = {"mode": "events", "requested": "auto", "snapshot_read_at": "2026-12-02T01:00:00Z",
          "snapshot_age_seconds": 7300, "events_since": "2026-12-02T00:40:00Z", "events": 3,
          "event_requests": 2, "not_reflected_after": "2026-12-02T02:46:40Z"}


def _plan(refresh):
    plan = empty_with_unmanaged()
    plan.refresh = refresh
    return plan


def test_an_events_plan_says_what_it_read_and_which_recent_window_it_may_miss():
    text = render(_plan(EVENTS).to_json(), "text")
    assert ("  refresh:     events: 3 change event(s) since 2026-12-02T00:40:00Z (snapshot 2 hours old,"
            " 2 LookupEvents request(s)); changes made after 2026-12-02T02:46:40Z may not be reflected yet"
            " (CloudTrail delivers events late)\n") in text
    markdown = render(_plan(EVENTS).to_json(), "markdown")
    assert " Refresh: events: 3 change event(s) since 2026-12-02T00:40:00Z (snapshot 2 hours old," in markdown


def test_a_full_read_says_why_and_a_plan_without_refresh_says_nothing():
    full = {"mode": "full", "requested": "auto", "reason": "no live snapshot yet"}
    assert "  refresh:     full read (no live snapshot yet)\n" in render(_plan(full).to_json(), "text")
    assert "refresh:" not in render(_plan(None).to_json(), "text")
    assert "refresh" not in _plan(None).to_json()
    assert Plan.loads(_plan(EVENTS).dumps()).refresh == EVENTS
