"""LookupEvents as the refresh reads it: by EventSource, 50 a page, at most 2 requests a second,
read-only events dropped, de-duplicated by EventId; truncated or throttled reads refused."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from vending.state.cloudtrail import EventsUnavailable, RateLimit, lookup

T0 = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _event(n: int, *, read_only: bool = False, error: bool = False) -> dict:
    detail = {"requestParameters": {"accountId": f"{n:012d}"}, **({"errorCode": "AccessDenied"} if error else {})}
    return {"EventId": f"e{n}", "EventName": "MoveAccount", "EventSource": "organizations.amazonaws.com",
            "EventTime": T0 + timedelta(seconds=n), "ReadOnly": "true" if read_only else "false",
            "CloudTrailEvent": json.dumps(detail)}


class Trail:
    def __init__(self, pages: list[list[dict]], error: str | None = None):
        self.pages, self.error, self.calls = pages, error, []

    def lookup_events(self, **params):
        self.calls.append(params)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "slow down"}}, "LookupEvents")
        index = int(params.get("NextToken", 0))
        page = {"Events": self.pages[index]}
        if index + 1 < len(self.pages):
            page["NextToken"] = str(index + 1)
        return page


class Clock:
    def __init__(self):
        self.t, self.slept = 0.0, []

    def time(self):
        return self.t

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.t += seconds


def test_pages_are_read_at_two_a_second_and_events_deduplicated_oldest_first():
    trail = Trail([[_event(3), _event(2), _event(1, read_only=True)], [_event(2), _event(0, error=True)]])
    clock = Clock()
    events, requests = lookup(trail, "organizations.amazonaws.com", T0, T0 + timedelta(hours=1),
                              RateLimit(clock=clock.time, sleep=clock.sleep))
    assert requests == 2 and clock.slept == [0.5]
    assert [(e.id, e.failed) for e in events] == [("e0", True), ("e2", False), ("e3", False)]
    assert events[1].parameters == {"accountId": "000000000002"}
    assert trail.calls[0] == {
        "LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "organizations.amazonaws.com"}],
        "StartTime": T0, "EndTime": T0 + timedelta(hours=1), "MaxResults": 50}
    assert trail.calls[1]["NextToken"] == "1"


def test_a_busy_window_or_a_throttled_read_is_refused_with_the_reason():
    busy = Trail([[_event(n)] for n in range(3)])
    with pytest.raises(EventsUnavailable, match="^more than 100 organizations.amazonaws.com events since the snapshot"):
        lookup(busy, "organizations.amazonaws.com", T0, T0, RateLimit(rate=1e6), max_pages=2)
    with pytest.raises(EventsUnavailable) as refused:
        lookup(Trail([], error="ThrottlingException"), "account.amazonaws.com", T0, T0, RateLimit(rate=1e6))
    assert str(refused.value) == "CloudTrail LookupEvents failed for account.amazonaws.com (ThrottlingException)"
