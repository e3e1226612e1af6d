"""`vend plan --refresh=events|full`: the Organizations read, from the snapshot and its events.

In events mode the plan's Organizations state is the live snapshot (`vending.snapshots`)
brought up to date: CloudTrail's management events since the snapshot's read time minus an
overlap (`overlap`), mapped to targeted reads (`vending.plan.event_map`,
`vending.state.organizations_refresh`). Anything that makes that unsafe - no usable snapshot,
one older than CloudTrail's 90 days or the configured maximum, a Control Tower organization
(Account Factory is not mapped yet), a `vend apply` since the snapshot whose events CloudTrail
may not have delivered yet (its marker, `vending.snapshots.mark_applied`), a throttled or
truncated event read, an event that cannot be mapped - reads the organization in full, and
`info()` says why. The other domains (StackSets, contacts, the catalog, budgets, support,
Identity Center) have no event map yet and are always read in full: the incremental plan must
equal the full plan.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from vending.aws.clients import AwsClients
from vending.errors import SnapshotError
from vending.model.live import LiveOrg
from vending.model.live_snapshot import Snapshot, parse
from vending.model.types import OrgSettings, OuPath
from vending.plan import event_map
from vending.state.cloudtrail import EventsUnavailable, RateLimit, lookup
from vending.state.organizations import OrganizationsReader
from vending.state.organizations_refresh import OrganizationsRefresh, RefreshRefused

EVENTS_REGION = "us-east-1"
"""Organizations and Account Management events are recorded there only (aws-facts 13.2)."""
RETENTION = timedelta(days=90)
AWS_DELIVERY_SECONDS = 900.0
"""CloudTrail delivers an event about 15 minutes after the call, not guaranteed (aws-facts 13.1)."""
DEFAULT_MAX_AGE = timedelta(days=7)
"""A snapshot older than this is read in full: a periodic full read bounds what late or lost
events, and changes no event here names (an account leaving by itself), can hide."""


def overlap(delivery_seconds: float) -> timedelta:
    """How far before the snapshot's read time events are read again: the delivery delay plus a
    third of it (at least 5 s) for clock skew and EventTime's whole seconds (AWS: 20 minutes)."""
    return timedelta(seconds=delivery_seconds + max(5.0, delivery_seconds / 3))


@dataclass(frozen=True)
class Stored:
    """One place a snapshot may be (a file, the S3 object): its text, or why not."""

    where: str
    read: Callable[[], str | None]


class Refresh:
    """One plan's Organizations read; `read` is what `engine.read_live` calls."""

    def __init__(self, mode: str | None, settings: OrgSettings, clients: AwsClients, stores: list[Stored],
                 settings_scope: dict[str, Any], now: datetime, *, delivery_seconds: float,
                 max_age: timedelta = DEFAULT_MAX_AGE, limit: RateLimit | None = None,
                 markers: Sequence[Stored] = ()) -> None:
        self.mode, self.settings, self.clients, self.stores = mode, settings, clients.reader(), stores
        self.markers = markers
        self.settings_scope, self.now, self.delivery = settings_scope, now, delivery_seconds
        self.max_age, self.limit = max_age, limit or RateLimit()
        self.record: dict[str, Any] = {"mode": "full", "requested": mode or "auto"}

    def info(self) -> dict[str, Any]:
        """The plan's `refresh` object (README, "The incremental plan")."""
        return dict(self.record)

    def read(self, ou_tags: Callable[[OuPath, str], bool]) -> LiveOrg:
        client = self.clients.organizations()
        if self.mode == "full":
            return self._full(client, ou_tags, "--refresh=full")
        root = client.list_roots()["Roots"][0]
        # arn:aws:organizations::<management account>:root/<org id>/<root id>
        expected = {"organization": root["Arn"].split("/")[1], "management_account": root["Arn"].split(":")[4],
                    **self.settings_scope}
        snapshot, why = self._snapshot(expected)
        if snapshot is None:
            return self._full(client, ou_tags, why)
        age = self.now - snapshot.read_at
        self.record.update(snapshot_read_at=_iso(snapshot.read_at), snapshot_age_seconds=int(age.total_seconds()))
        why = self._unusable(snapshot, age) or self._applied_since(snapshot)
        if why:
            return self._full(client, ou_tags, why)
        start = snapshot.read_at - overlap(self.delivery)
        trail = self.clients.client("cloudtrail", EVENTS_REGION)
        events, requests = [], 0
        try:
            for source in event_map.SOURCES:
                found, used = lookup(trail, source, start, self.now, self.limit)
                events += found
                requests += used
        except EventsUnavailable as exc:
            return self._full(client, ou_tags, str(exc))
        targets = event_map.targets(events)
        self.record.update(events_since=_iso(start), events=targets.events, event_requests=requests)
        if targets.full:
            return self._full(client, ou_tags, targets.full)
        try:
            live = OrganizationsRefresh(client).refresh(snapshot.live, targets, ou_tags, root)
        except RefreshRefused as exc:
            return self._full(client, ou_tags, str(exc))
        self.record["mode"] = "events"
        if self.delivery > 0:
            self.record["not_reflected_after"] = _iso(self.now - timedelta(seconds=self.delivery))
        return live

    def _full(self, client: Any, ou_tags: Callable[[OuPath, str], bool], reason: str) -> LiveOrg:
        self.record.update(mode="full", reason=reason)
        return OrganizationsReader(client).read(ou_tags)

    def _snapshot(self, expected: dict[str, Any]) -> tuple[Snapshot | None, str]:
        """The newest usable snapshot of the stores, or None and why none is."""
        usable: list[Snapshot] = []
        reasons = []
        for store in self.stores:
            try:
                text = store.read()
            except SnapshotError as exc:
                reasons.append(str(exc))
                continue
            if text is None:
                continue
            snapshot, why = parse(text, expected, ignore=("read",))
            if snapshot is None:
                reasons.append(f"the live snapshot {store.where} cannot be used: {why}")
            else:
                usable.append(snapshot)
        if usable:
            return max(usable, key=lambda s: s.read_at), ""
        return None, "; ".join(reasons) or "no live snapshot yet"

    def _applied_since(self, snapshot: Snapshot) -> str:
        """Why a `vend apply`'s events may be missing: it changed the organization after the
        snapshot (or within the overlap) and less than the overlap ago. With no delivery delay
        its events are all there already."""
        if self.delivery <= 0:
            return ""
        applied: list[datetime] = []
        for store in self.markers:
            try:
                text = store.read()
                if text is not None:
                    applied.append(_applied_at(text))
            except SnapshotError as exc:
                return str(exc)
            except (ValueError, AttributeError) as exc:
                return f"the apply marker {store.where} cannot be used: {exc}"
        if not applied:
            return ""
        newest, window = max(applied), overlap(self.delivery)
        if newest >= snapshot.read_at - window and self.now - newest < window:
            return (f"vend apply changed the organization at {_iso(newest)}, after the live snapshot, and"
                    f" CloudTrail may not have delivered its events yet (it can take"
                    f" {_duration(timedelta(seconds=self.delivery))})")
        return ""

    def _unusable(self, snapshot: Snapshot, age: timedelta) -> str:
        if age > RETENTION:
            return f"the live snapshot is {age.days} days old, older than CloudTrail's 90 days of events"
        if age > self.max_age:
            return (f"the live snapshot is {_duration(age)} old, older than the maximum of"
                    f" {_duration(self.max_age)} (--snapshot-max-age)")
        if age < -overlap(self.delivery):
            return "the live snapshot's read time is in the future (check this machine's clock)"
        if self.settings.account_factory == "control-tower":
            return "Account Factory (Control Tower) changes are not mapped to events yet"
        return ""


def _applied_at(text: str) -> datetime:
    """The marker's `applied_at` (format 1), timezone-aware."""
    data = json.loads(text)
    if data.get("format") != 1:
        raise ValueError(f"format {data.get('format')!r}, expected 1 (a newer vend wrote it?)")
    if not isinstance(data.get("applied_at"), str):
        raise ValueError("it has no applied_at")
    moment = datetime.fromisoformat(data["applied_at"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"applied_at {data['applied_at']!r} has no time zone")
    return moment


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 7200:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes"
