"""Read CloudTrail management events for the incremental refresh (aws-facts 13.1).

LookupEvents answers one account and Region, 50 events a page, at most 2 requests a second,
one lookup attribute per call: vend asks by `EventSource` (one query per service it maps) and
drops read-only events on its side. Events are de-duplicated by EventId (the refresh reads with
an overlap, and a page boundary may repeat one). A window that needs more than `max_pages`
pages, or a read AWS keeps throttling after botocore's retries, is `EventsUnavailable`: the
caller reads in full instead, and says why.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from vending.aws.paging import token_pages

PAGE_SIZE = 50
REQUESTS_PER_SECOND = 2.0
MAX_PAGES = 20
"""1,000 events: a busier window is cheaper to read in full than to replay at 2 requests/s."""


class EventsUnavailable(Exception):
    """The window's events cannot all be read; the message says why (for the plan)."""


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    source: str
    time: datetime
    parameters: dict[str, Any]
    """requestParameters of the CloudTrailEvent JSON (lowerCamelCase)."""
    failed: bool
    """The call failed (errorCode): it changed nothing."""


class RateLimit:
    """At most `rate` requests a second across every query of one refresh."""

    def __init__(self, rate: float = REQUESTS_PER_SECOND, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval, self.clock, self.sleep = 1.0 / rate, clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            pause = self.last + self.interval - self.clock()
            if pause > 0:
                self.sleep(pause)
        self.last = self.clock()


def lookup(client: Any, source: str, start: datetime, end: datetime, limit: RateLimit,
           *, max_pages: int = MAX_PAGES) -> tuple[list[Event], int]:
    """The mutating events of `source` between `start` and `end` (inclusive), oldest first, and
    how many requests that took."""
    requests = 0

    def page(**params: Any) -> dict[str, Any]:
        nonlocal requests
        if requests == max_pages:
            raise EventsUnavailable(f"more than {max_pages * PAGE_SIZE} {source} events since the snapshot"
                                    " (a busy window is cheaper to read in full)")
        limit.wait()
        try:
            answer = client.lookup_events(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise EventsUnavailable(f"CloudTrail LookupEvents failed for {source} ({code or exc})") from None
        except BotoCoreError as exc:
            raise EventsUnavailable(f"CloudTrail LookupEvents failed for {source} ({exc})") from None
        requests += 1
        return answer

    events: dict[str, Event] = {}
    pages = token_pages(page, "Events", token_in="NextToken", token_out="NextToken",
                        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": source}],
                        StartTime=start, EndTime=end, MaxResults=PAGE_SIZE)
    try:
        for raw in pages:
            if raw.get("ReadOnly") != "true" and raw["EventId"] not in events:
                events[raw["EventId"]] = _event(raw, source)
    except RuntimeError as exc:  # token_pages: a page token handed back twice
        raise EventsUnavailable(f"CloudTrail LookupEvents for {source}: {exc}") from None
    return sorted(events.values(), key=lambda e: (e.time, e.id)), requests


def _event(raw: dict[str, Any], source: str) -> Event:
    try:
        detail = json.loads(raw.get("CloudTrailEvent") or "{}")
    except ValueError:
        detail = {}
    return Event(id=raw["EventId"], name=raw.get("EventName", ""), source=raw.get("EventSource", source),
                 time=raw["EventTime"], parameters=detail.get("requestParameters") or {},
                 failed=bool(detail.get("errorCode")))
