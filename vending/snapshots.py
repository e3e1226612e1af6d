"""Keep the live state a plan read, for the next run (issue 12, increment 1).

`save` runs after `vend plan` computed its plan: it records the live state, when its read
started and what was read (`vending.model.live_snapshot`) in the stores `vending.snapshot_store`
names. `stored` names where the next plan's incremental refresh (`vending.refresh`) looks.
`mark_applied` runs as `vend apply` starts changing the organization and as it ends: the
apply marker beside the snapshot (`markers` names where the refresh looks for it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vending.aws.clients import AwsClients
from vending.errors import SnapshotError
from vending.model.live import LiveOrg
from vending.model.live_snapshot import Snapshot, dumps, scope_of
from vending.model.types import OrgSettings
from vending.plan.changes import Plan
from vending.refresh import Stored
from vending.snapshot_store import (MARKER, FileStore, marker_file, marker_key, s3_marker_store, s3_store,
                                    snapshot_file, snapshot_key)


def now() -> datetime:
    return datetime.now(timezone.utc)


def settings_scope(settings: OrgSettings) -> dict[str, Any]:
    """The settings that decide which services, Regions and accounts a read covers."""
    return {
        "home_region": settings.home_region,
        "account_factory": settings.account_factory,
        "stacksets_admin": settings.stacksets.delegated_admin if settings.stacksets else None,
        "catalog_role": settings.catalog.role_arn if settings.catalog else None,
        "marketplace_role": settings.marketplace.role_arn if settings.marketplace else None,
    }


def snapshot(settings: OrgSettings, plan: Plan, live: LiveOrg, read_at: datetime) -> Snapshot:
    read_scope = plan.to_json()["read_scope"]
    return Snapshot(read_at, scope_of(live, settings_scope(settings), read_scope), live,
                    written_by=f"vend plan ({plan.target})")


def save(repo: Path, settings: OrgSettings, clients: AwsClients, plan: Plan, live: LiveOrg,
         read_at: datetime, *, publish: bool) -> list[str]:
    """Write the snapshot to its file and, with `publish`, to S3; where it went."""
    text = dumps(snapshot(settings, plan, live, read_at))
    stores: list[Any] = [FileStore(snapshot_file(settings, repo))]
    if publish:
        principal = clients.principal()
        if principal is None:
            raise SnapshotError("cannot tell which account vend runs as (sts:GetCallerIdentity failed), "
                                "so not the lock bucket to publish the live snapshot to: set lock.bucket in vend.yaml")
        stores.append(s3_store(clients.client("s3", settings.home_region), settings, principal.split(":")[4]))
    for store in stores:
        store.write(text)
    return [store.describe() for store in stores]


def stored(repo: Path, settings: OrgSettings, clients: AwsClients) -> list[Stored]:
    """Where a plan looks for the snapshot: the file, and for a real organization also the S3
    object the pipeline's Plan stage publishes (a pull request's build has no `.vend/`)."""
    return _places(FileStore(snapshot_file(settings, repo)), settings, clients, s3_store, snapshot_key(settings))


def markers(repo: Path, settings: OrgSettings, clients: AwsClients) -> list[Stored]:
    """Where a plan looks for the apply marker: beside each snapshot."""
    return _places(FileStore(marker_file(settings, repo), MARKER), settings, clients, s3_marker_store,
                   marker_key(settings))


def _places(file: FileStore, settings: OrgSettings, clients: AwsClients, s3_of: Any, key: str) -> list[Stored]:
    places = [Stored(file.describe(), file.read)]
    if settings.target.kind == "aws":
        def in_s3() -> str | None:  # asked only when the refresh looks (after ListRoots)
            principal = clients.principal()
            if principal is None:
                return None
            return s3_of(clients.reader().client("s3", settings.home_region), settings, principal.split(":")[4]).read()
        places.append(Stored(f"s3://{settings.lock.bucket or 'vend-lock-<account id>'}/{key}", in_s3))
    return places


@dataclass(frozen=True)
class MarkerNotWritten:
    """`mark_applied` could not write the marker somewhere; the apply goes on regardless."""

    where: str
    error: str

    def __str__(self) -> str:
        return (f"{self.error}; the next incremental plan may show this apply's changes as still pending"
                " until CloudTrail delivers its events: plan with --refresh=full")


def mark_applied(repo: Path, settings: OrgSettings, clients: AwsClients, at: datetime, by: str) -> list[MarkerNotWritten]:
    """Record that `vend apply` changes the organization at `at` (before its first change and
    again as it ends); what could not be written, which must not stop the apply."""
    text = json.dumps({"format": 1, "applied_at": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                       "by": f"vend apply ({by})"}, indent=2) + "\n"
    stores: list[Any] = [FileStore(marker_file(settings, repo), MARKER)]
    missed: list[MarkerNotWritten] = []
    if settings.target.kind == "aws":
        principal = clients.principal()
        if principal is None:
            missed.append(MarkerNotWritten(f"s3://vend-lock-<account id>/{marker_key(settings)}",
                                           "cannot tell which account vend runs as (sts:GetCallerIdentity failed),"
                                           " so not the lock bucket to write the apply marker to"))
        else:
            stores.append(s3_marker_store(clients.client("s3", settings.home_region), settings, principal.split(":")[4]))
    for store in stores:
        try:
            store.write(text)
        except SnapshotError as exc:
            missed.append(MarkerNotWritten(store.describe(), str(exc)))
    return missed
