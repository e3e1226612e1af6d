"""LookupEvents as CloudTrail answers it (aws-facts 13.1), from the event journal.

* At most one LookupAttribute (InvalidLookupAttributesException otherwise); its key one of the
  model's eight, matched exactly (ResourceType/ResourceName against any of the event's
  Resources).
* MaxResults 1..50, default 50 (InvalidMaxResultsException, not the generic
  ValidationException); StartTime/EndTime inclusive, StartTime after EndTime is
  InvalidTimeRangeException; only the last 90 days; newest first.
* NextToken is only good with the same attributes, times and category
  (InvalidNextTokenException). It marks the last event returned, so events recorded while a
  caller pages do not shift the pages.
* Only events `event_delivery_seconds` old or older are visible. EventCategory "insight":
  there are no Insights events here (an empty answer).
Error messages are vend's wording; AWS documents the codes, not the texts.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from datetime import datetime, timezone
from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.framework import EmulatorContext
from vending.local.modeled import Call, ModeledService, registry

HANDLERS, handles = registry()
PAGE_MAX = 50
RETENTION_SECONDS = 90 * 24 * 3600
FIELDS = ("EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource",
          "Username", "Resources", "CloudTrailEvent")


class LookupService(ModeledService):
    """Modeled dispatch, with CloudTrail's own error for a page size out of range."""

    def dispatch(self, ctx: EmulatorContext, operation: str, params: dict[str, Any],
                 account_id: str, region: str) -> dict[str, Any]:
        size = params.get("MaxResults")
        if operation == "LookupEvents" and size is not None and not (
                isinstance(size, int) and 1 <= size <= PAGE_MAX):
            raise AwsServiceError("InvalidMaxResultsException",
                                  f"MaxResults must be between 1 and {PAGE_MAX}; got {size}.")
        return super().dispatch(ctx, operation, params, account_id, region)


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _matches(event: dict[str, Any], key: str, value: str) -> bool:
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in event["Resources"])
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in event["Resources"])
    return event.get(key) == value


def _query_hash(params: dict[str, Any]) -> str:
    query = {k: params.get(k) for k in ("LookupAttributes", "StartTime", "EndTime",
                                         "EventCategory")}
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _bad_token() -> AwsServiceError:
    return AwsServiceError("InvalidNextTokenException",
                           "The NextToken is not valid for these parameters; start over "
                           "without it.")


@handles("LookupEvents")
def lookup_events(call: Call[Any]) -> dict[str, Any]:
    params = call.params
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise AwsServiceError("InvalidLookupAttributesException",
                              "You can specify at most one lookup attribute.")
    now = time.time()
    start, end = _seconds(params.get("StartTime")), _seconds(params.get("EndTime"))
    if start is not None and end is not None and start > end:
        raise AwsServiceError("InvalidTimeRangeException",
                              "The start time must be earlier than or equal to the end time.")
    query = _query_hash(params)
    before = None
    if params.get("NextToken"):
        try:
            token = json.loads(base64.b64decode(params["NextToken"]))
            before = int(token["before"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise _bad_token() from None
        if token.get("query") != query:
            raise _bad_token()
    if params.get("EventCategory") == "insight":
        return {"Events": []}
    emulator = call.emulator
    delay = call.settings.event_delivery_seconds
    earliest = max(start if start is not None else 0.0, now - RETENTION_SECONDS)
    attribute = attributes[0] if attributes else None
    size = params.get("MaxResults") or PAGE_MAX
    journal = emulator.events()
    found: list[dict[str, Any]] = []
    following = None
    index = len(journal) if before is None else min(before, len(journal))
    while index > 0:
        index -= 1
        event = journal[index]
        if (event["account"] != call.account_id or event["region"] != call.region
                or event["t"] + delay > now):
            continue
        if event["EventTime"] < int(earliest) or (end is not None and event["EventTime"] > end):
            continue
        if attribute is not None and not _matches(event, attribute["AttributeKey"],
                                                  attribute["AttributeValue"]):
            continue
        if len(found) == size:
            following = base64.b64encode(json.dumps(
                {"before": index + 1, "query": query}).encode()).decode()
            break
        found.append(event)
    events = [{**{k: event[k] for k in FIELDS},
               "EventTime": datetime.fromtimestamp(event["EventTime"], timezone.utc)}
              for event in found]
    return {"Events": events, **({"NextToken": following} if following else {})}
