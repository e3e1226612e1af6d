"""The live snapshot: the live state vend last read, when, and what it was asked to read.

Why: issue 12's incremental refresh starts from the last read and replays the organization's
change events since `read_at` (README, "Change events and the live snapshot"). A snapshot is
only as good as its match with the run that wants it, so `parse` refuses one, with the reason,
when its format, its organization or its scope does not fit; the caller then reads in full.

`read_at` is when the read *started*: every change after it is in the event window. `scope` is
what was read: the organization, the settings that decide which services are read, and the
plan's `read_scope` (OU tags, baselines, contacts, catalog, as the plan JSON records it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vending.model.live import LiveOrg
from vending.model.live_codec import decode_live, encode

FORMAT_VERSION = 1
KIND = "vend-live-snapshot"


@dataclass(frozen=True)
class Snapshot:
    read_at: datetime
    scope: dict[str, Any]
    live: LiveOrg
    written_by: str = ""
    """What wrote it (`vend plan`, with the target), for the reader's messages."""


def scope_of(live: LiveOrg, settings_scope: dict[str, Any], read_scope: dict[str, Any]) -> dict[str, Any]:
    """The scope record: organization, management account, settings and the plan's read_scope."""
    return {"organization": live.org_id, "management_account": live.management_account_id,
            **settings_scope, "read": read_scope}


def dumps(snapshot: Snapshot) -> str:
    document = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "read_at": snapshot.read_at.isoformat(),
        "written_by": snapshot.written_by,
        "scope": snapshot.scope,
        "fingerprint": snapshot.live.fingerprint(),
        "live": encode(snapshot.live),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n"


def parse(text: str, expected_scope: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> tuple[Snapshot | None, str]:
    """The snapshot, or None and why it cannot be used (for the plan to say). Scope keys in
    `ignore` are not compared (the incremental refresh uses only the Organizations state and
    redoes the OU tag scope itself)."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(document, dict) or document.get("kind") != KIND:
        return None, "not a vend live snapshot"
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        return None, f"written in snapshot format {version}, this vend reads format {FORMAT_VERSION}"
    scope = document.get("scope")
    if isinstance(scope, dict) and ignore:
        scope = {k: v for k, v in scope.items() if k not in ignore}
    if scope != expected_scope:
        return None, "its scope differs: " + _difference(scope if isinstance(scope, dict) else {},
                                                          expected_scope)
    try:
        read_at = datetime.fromisoformat(document["read_at"])
        live = decode_live(document["live"])
    except (KeyError, TypeError, ValueError) as exc:
        return None, f"damaged ({type(exc).__name__}: {exc})"
    if read_at.tzinfo is None:
        return None, "damaged (read_at has no time zone)"
    if live.fingerprint() != document.get("fingerprint"):
        return None, "damaged (its live state does not match its fingerprint)"
    return Snapshot(read_at, scope, live, str(document.get("written_by", ""))), ""


def _difference(saved: dict[str, Any], expected: dict[str, Any]) -> str:
    keys = sorted(set(saved) | set(expected))
    parts = []
    for key in keys:
        if saved.get(key) == expected.get(key):
            continue
        if key == "read" and isinstance(saved.get(key), dict) and isinstance(expected.get(key), dict):
            inner = sorted(k for k in set(saved[key]) | set(expected[key])
                           if saved[key].get(k) != expected[key].get(k))
            parts.append("read " + ", ".join(inner) + " differently")
        else:
            parts.append(f"{key} {_short(saved.get(key))} in the snapshot, {_short(expected.get(key))} now")
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."
